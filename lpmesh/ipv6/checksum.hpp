// The Internet checksum (RFC 1071) with the IPv6 pseudo-header (RFC 8200 §8.1),
// shared by UDP and ICMPv6.
#pragma once

#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::ipv6 {

/// Running one's-complement sum of 16-bit big-endian words. Data may be added in
/// pieces; an odd-length piece is only allowed as the last one.
class ChecksumAccumulator {
 public:
  void add(ByteSpan data);
  void addU16(std::uint16_t v) { sum_ += v; }
  void addU32(std::uint32_t v) {
    sum_ += v >> 16;
    sum_ += v & 0xffffU;
  }
  /// RFC 8200 §8.1 pseudo-header: source, destination, upper-layer length, next header.
  void addPseudoHeader(const Address& src, const Address& dst, std::uint32_t upper_length,
                       std::uint8_t next_header);
  /// The folded one's-complement of the sum (the value to put in the field).
  std::uint16_t finish() const;

 private:
  std::uint64_t sum_ = 0;
};

/// Checksum of an upper-layer message whose checksum field is zero or is to be verified:
/// computing over a message that already holds a correct checksum gives 0.
std::uint16_t upperLayerChecksum(const Address& src, const Address& dst, std::uint8_t next_header,
                                 ByteSpan message);

}  // namespace lpm::ipv6
