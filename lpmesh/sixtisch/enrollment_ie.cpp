#include "lpmesh/sixtisch/enrollment_ie.hpp"

#include <algorithm>

#include "lpmesh/crypto/crypto.hpp"

namespace lpm::sixtisch {

Result<EnrollmentIe> EnrollmentIe::parse(ByteSpan content) {
  ByteReader r(content);
  const std::uint32_t head = r.u24be();  // R P res(3) proxy(7) rank(12)
  const std::uint8_t pan = r.u8();
  if (!r.ok()) return r.error();
  EnrollmentIe ie;
  ie.router = (head & 0x800000U) != 0;
  const bool p = (head & 0x400000U) != 0;
  // The three reserved bits are ignored on receipt (RFC 9032 §2).
  ie.proxy_priority = static_cast<std::uint8_t>((head >> 12) & 0x7fU);
  ie.rank_priority = static_cast<std::uint16_t>(head & 0x0fffU);
  ie.pan_priority = pan;
  if (p) {
    ie.join_proxy_iid = r.array<8>();
    if (!r.ok()) return r.error();
  }
  const ByteSpan rest = r.rest();
  if (rest.size() > kMaxNetworkId) return Error::kTooLong;
  ie.network_id.assign(rest.begin(), rest.end());
  return ie;
}

Error EnrollmentIe::encode(VectorWriter& w) const {
  if (proxy_priority > 0x7f || rank_priority > kRankPriorityMax ||
      network_id.size() > kMaxNetworkId) {
    return Error::kInvalidArgs;
  }
  const std::uint32_t head = (router ? 0x800000U : 0U) | (join_proxy_iid ? 0x400000U : 0U) |
                             (std::uint32_t{proxy_priority} << 12) | rank_priority;
  w.u24be(head);
  w.u8(pan_priority);
  if (join_proxy_iid) w.bytes(*join_proxy_iid);
  w.bytes(network_id);
  return w.error();
}

Result<ieee802154::IetfIe> EnrollmentIe::toIetfIe(std::uint8_t sub_type) const {
  ieee802154::IetfIe ie;
  ie.sub_id = sub_type;
  VectorWriter w(ie.content);
  LPM_TRY(encode(w));
  return ie;
}

Result<EnrollmentIe> EnrollmentIe::find(std::span<const ieee802154::IetfIe> ies,
                                        std::uint8_t sub_type) {
  for (const auto& ie : ies) {
    if (ie.sub_id == sub_type) return parse(ie.content);
  }
  return Error::kNotFound;
}

Bytes defaultNetworkId(const ipv6::Address& prefix, std::size_t length) {
  const std::size_t n = std::clamp<std::size_t>(length, 1, kMaxNetworkId);
  const auto digest = crypto::sha256(ByteSpan(prefix.bytes.data(), 8));
  return Bytes(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(n));
}

}  // namespace lpm::sixtisch
