#include "lpmesh/ieee802154/aux_security.hpp"

#include <algorithm>

namespace lpm::ieee802154 {

std::size_t AuxSecurityHeader::size() const {
  return 1 + (frame_counter_suppressed ? 0 : 4) + keySourceLength(key_id_mode) +
         (key_id_mode == KeyIdMode::kImplicit ? 0 : 1);
}

Result<AuxSecurityHeader> AuxSecurityHeader::parse(ByteReader& r) {
  AuxSecurityHeader h;
  const std::uint8_t control = r.u8();
  if (!r.ok()) return r.error();
  // 15.4-2015 §9.4.2: bit 7 is reserved (bit 6 is the TSCH ASN-in-nonce flag).
  if ((control & 0x80U) != 0) return Error::kMalformed;
  h.level = static_cast<SecurityLevel>(control & 7U);
  h.key_id_mode = static_cast<KeyIdMode>((control >> 3) & 3U);
  h.frame_counter_suppressed = (control & 0x20U) != 0;
  h.asn_in_nonce = (control & 0x40U) != 0;
  if (!h.frame_counter_suppressed) h.frame_counter = r.u32le();
  const std::size_t src_len = keySourceLength(h.key_id_mode);
  if (src_len > 0) {
    const ByteSpan src = r.bytes(src_len);
    std::copy(src.begin(), src.end(), h.key_source.begin());
  }
  if (h.key_id_mode != KeyIdMode::kImplicit) h.key_index = r.u8();
  if (!r.ok()) return r.error();
  return h;
}

Result<AuxSecurityHeader> AuxSecurityHeader::parse(ByteSpan data) {
  ByteReader r(data);
  LPM_TRY_ASSIGN(AuxSecurityHeader h, parse(r));
  LPM_TRY(r.expectEnd());
  return h;
}

Bytes AuxSecurityHeader::encode() const {
  Bytes out;
  VectorWriter w(out);
  encode(w);
  return out;
}

bool AuxSecurityHeader::operator==(const AuxSecurityHeader& o) const {
  if (level != o.level || key_id_mode != o.key_id_mode ||
      frame_counter_suppressed != o.frame_counter_suppressed || asn_in_nonce != o.asn_in_nonce) {
    return false;
  }
  if (!frame_counter_suppressed && frame_counter != o.frame_counter) return false;
  const std::size_t n = keySourceLength(key_id_mode);
  if (!std::equal(key_source.begin(), key_source.begin() + static_cast<std::ptrdiff_t>(n),
                  o.key_source.begin())) {
    return false;
  }
  return key_id_mode == KeyIdMode::kImplicit || key_index == o.key_index;
}

Nonce frameCounterNonce(const Eui64& source, std::uint32_t frame_counter, SecurityLevel level) {
  Nonce n{};
  std::copy(source.begin(), source.end(), n.begin());
  for (std::size_t i = 0; i < 4; ++i) {
    n[8 + i] = static_cast<std::uint8_t>(frame_counter >> (8 * (3 - i)));
  }
  n[12] = static_cast<std::uint8_t>(level);
  return n;
}

Nonce tschNonce(const Eui64& originator, std::uint64_t asn) {
  Nonce n{};
  std::copy(originator.begin(), originator.end(), n.begin());
  for (std::size_t i = 0; i < 5; ++i)
    n[8 + i] = static_cast<std::uint8_t>(asn >> (8 * (4 - i)));
  return n;
}

}  // namespace lpm::ieee802154
