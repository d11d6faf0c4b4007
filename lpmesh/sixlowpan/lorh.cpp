#include "lpmesh/sixlowpan/lorh.hpp"

#include <algorithm>

#include "lpmesh/sixlowpan/dispatch.hpp"

namespace lpm::sixlowpan {
namespace {

constexpr std::uint8_t kCritical = 0x80;  // 100xxxxx
constexpr std::uint8_t kElective = 0xa0;  // 101xxxxx
constexpr std::uint8_t kKindMask = 0xe0;
constexpr std::size_t kMaxSrhHops = 32;   // 5-bit Size field = hops - 1
constexpr std::size_t kMaxElective = 31;  // 5-bit Length field

bool validEncapsulatorSize(std::size_t n) {
  return n == 0 || n == 1 || n == 2 || n == 8 || n == 16;
}

// The address `tail` (the last bytes of an address) stands for, relative to `reference`.
ipv6::Address completeFrom(const ipv6::Address& reference, ByteSpan tail) {
  ipv6::Address a = reference;
  std::copy(tail.begin(), tail.end(), a.bytes.end() - static_cast<std::ptrdiff_t>(tail.size()));
  return a;
}

// Smallest of 0/1/2/8/16 (or 1/2/4/8/16 for SRH) trailing bytes that rebuild `a` from `ref`.
std::size_t tailNeeded(const ipv6::Address& a, const ipv6::Address& ref,
                       std::initializer_list<std::size_t> sizes) {
  const std::size_t same = ipv6::commonPrefixBits(a, ref) / 8;
  for (std::size_t s : sizes) {
    if (16 - s <= same) return s;
  }
  return 16;
}

}  // namespace

RpiLorh RpiLorh::compact(const ipv6::RplOption& rpi) {
  RpiLorh h;
  h.down = rpi.down;
  h.rank_error = rpi.rank_error;
  h.forwarding_error = rpi.forwarding_error;
  h.instance_id = rpi.instance_id;
  h.rank = rpi.sender_rank;
  h.instance_elided = rpi.instance_id == 0;
  h.rank_compressed = (rpi.sender_rank & 0xff) == 0;
  return h;
}

ipv6::RplOption RpiLorh::toRplOption() const {
  ipv6::RplOption o;
  o.down = down;
  o.rank_error = rank_error;
  o.forwarding_error = forwarding_error;
  o.instance_id = instance_elided ? 0 : instance_id;
  o.sender_rank = rank;
  return o;
}

ipv6::Address IpInIpLorh::expand(const ipv6::Address& reference) const {
  return completeFrom(reference, encapsulator);
}

IpInIpLorh IpInIpLorh::compact(std::uint8_t hop_limit, const ipv6::Address& encapsulator,
                               const ipv6::Address& reference) {
  IpInIpLorh h;
  h.hop_limit = hop_limit;
  const std::size_t n = tailNeeded(encapsulator, reference, {0, 1, 2, 8, 16});
  h.encapsulator.assign(encapsulator.bytes.end() - static_cast<std::ptrdiff_t>(n),
                        encapsulator.bytes.end());
  return h;
}

Result<std::vector<Lorh>> parseLorhs(ByteSpan data, std::size_t& consumed) {
  std::vector<Lorh> out;
  ByteReader r(data);
  consumed = 0;
  while (!r.atEnd()) {
    const std::uint8_t b0 = r.peek();
    const std::uint8_t kind = b0 & kKindMask;
    if (kind != kCritical && kind != kElective) break;
    r.skip(1);
    const std::uint8_t type = r.u8();
    if (!r.ok()) return r.error();
    const auto low5 = static_cast<std::uint8_t>(b0 & 0x1f);
    if (kind == kElective) {
      const ByteSpan content = r.bytes(low5);
      if (!r.ok()) return r.error();
      if (type == lorh_type::kIpInIp) {
        if (content.empty() || !validEncapsulatorSize(content.size() - 1)) {
          return Error::kMalformed;
        }
        IpInIpLorh h;
        h.hop_limit = content[0];
        h.encapsulator.assign(content.begin() + 1, content.end());
        out.emplace_back(std::move(h));
      } else {
        out.emplace_back(ElectiveLorh{type, Bytes(content.begin(), content.end())});
      }
    } else if (type <= lorh_type::kSrhMax) {
      SrhLorh h;
      h.type = type;
      const ByteSpan hops = r.bytes((std::size_t{low5} + 1) * srhHopSize(type));
      if (!r.ok()) return r.error();
      h.hop_bytes.assign(hops.begin(), hops.end());
      out.emplace_back(std::move(h));
    } else if (type == lorh_type::kRpi) {
      RpiLorh h;
      h.down = (low5 & 0x10) != 0;
      h.rank_error = (low5 & 0x08) != 0;
      h.forwarding_error = (low5 & 0x04) != 0;
      h.instance_elided = (low5 & 0x02) != 0;
      h.rank_compressed = (low5 & 0x01) != 0;
      h.instance_id = h.instance_elided ? 0 : r.u8();
      h.rank = h.rank_compressed ? static_cast<std::uint16_t>(r.u8() << 8) : r.u16be();
      if (!r.ok()) return r.error();
      out.emplace_back(h);
    } else {
      return Error::kUnsupported;  // RFC 8138 §4.2: an unknown critical 6LoRH is fatal
    }
  }
  consumed = r.position();
  return out;
}

Result<Page1> parsePage1(ByteSpan payload) {
  if (payload.empty()) return Error::kTruncated;
  if (payload[0] != dispatch::kPage1) return Error::kMalformed;
  std::size_t consumed = 0;
  auto headers = parseLorhs(payload.subspan(1), consumed);
  if (!headers) return headers.error();
  return Page1{std::move(headers).value(), payload.subspan(1 + consumed)};
}

Error encodeLorhs(const std::vector<Lorh>& headers, VectorWriter& w) {
  for (const Lorh& l : headers) {
    if (const auto* rpi = std::get_if<RpiLorh>(&l)) {
      if ((rpi->instance_elided && rpi->instance_id != 0) ||
          (rpi->rank_compressed && (rpi->rank & 0xff) != 0)) {
        return Error::kInvalidArgs;
      }
      w.u8(static_cast<std::uint8_t>(
          kCritical | (rpi->down ? 0x10 : 0) | (rpi->rank_error ? 0x08 : 0) |
          (rpi->forwarding_error ? 0x04 : 0) | (rpi->instance_elided ? 0x02 : 0) |
          (rpi->rank_compressed ? 0x01 : 0)));
      w.u8(lorh_type::kRpi);
      if (!rpi->instance_elided) w.u8(rpi->instance_id);
      if (rpi->rank_compressed) {
        w.u8(static_cast<std::uint8_t>(rpi->rank >> 8));
      } else {
        w.u16be(rpi->rank);
      }
    } else if (const auto* srh = std::get_if<SrhLorh>(&l)) {
      const std::size_t hs = srhHopSize(srh->type);
      if (hs == 0 || srh->hop_bytes.empty() || srh->hop_bytes.size() % hs != 0 ||
          srh->hopCount() > kMaxSrhHops) {
        return Error::kInvalidArgs;
      }
      w.u8(static_cast<std::uint8_t>(kCritical | (srh->hopCount() - 1)));
      w.u8(srh->type);
      w.bytes(srh->hop_bytes);
    } else if (const auto* ipip = std::get_if<IpInIpLorh>(&l)) {
      if (!validEncapsulatorSize(ipip->encapsulator.size())) return Error::kInvalidArgs;
      w.u8(static_cast<std::uint8_t>(kElective | (1 + ipip->encapsulator.size())));
      w.u8(lorh_type::kIpInIp);
      w.u8(ipip->hop_limit);
      w.bytes(ipip->encapsulator);
    } else {
      const auto& e = std::get<ElectiveLorh>(l);
      if (e.type == lorh_type::kIpInIp || e.content.size() > kMaxElective) {
        return Error::kInvalidArgs;
      }
      w.u8(static_cast<std::uint8_t>(kElective | e.content.size()));
      w.u8(e.type);
      w.bytes(e.content);
    }
  }
  return w.error();
}

Result<Bytes> buildPage1(const std::vector<Lorh>& headers, ByteSpan rest) {
  Bytes out;
  VectorWriter w(out);
  w.u8(dispatch::kPage1);
  LPM_TRY(encodeLorhs(headers, w));
  w.bytes(rest);
  LPM_TRY(w.error());
  return out;
}

std::vector<ipv6::Address> expandSrh(const std::vector<SrhLorh>& srhs,
                                     const ipv6::Address& reference) {
  std::vector<ipv6::Address> hops;
  ipv6::Address prev = reference;
  for (const SrhLorh& s : srhs) {
    for (std::size_t i = 0; i < s.hopCount(); ++i) {
      prev = completeFrom(prev, s.hop(i));
      hops.push_back(prev);
    }
  }
  return hops;
}

std::vector<SrhLorh> compressSrh(const std::vector<ipv6::Address>& hops,
                                 const ipv6::Address& reference) {
  std::vector<SrhLorh> out;
  ipv6::Address prev = reference;
  for (const ipv6::Address& hop : hops) {
    const std::size_t n = tailNeeded(hop, prev, {1, 2, 4, 8, 16});
    std::uint8_t type = 0;
    while (srhHopSize(type) != n)
      ++type;
    if (out.empty() || out.back().type != type || out.back().hopCount() == kMaxSrhHops) {
      out.push_back(SrhLorh{type, {}});
    }
    out.back().hop_bytes.insert(out.back().hop_bytes.end(),
                                hop.bytes.end() - static_cast<std::ptrdiff_t>(n), hop.bytes.end());
    prev = hop;
  }
  return out;
}

}  // namespace lpm::sixlowpan
