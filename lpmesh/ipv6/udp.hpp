// UDP over IPv6 (RFC 768, RFC 8200 §8.1: the checksum is mandatory over IPv6).
#pragma once

#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::ipv6 {

/// The 8-byte UDP header.
struct UdpHeader {
  static constexpr std::size_t kSize = 8;

  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint16_t length = 0;  ///< header + payload
  std::uint16_t checksum = 0;

  /// First 8 bytes of `data` (kTruncated if fewer); the rest is not looked at.
  static Result<UdpHeader> parse(ByteSpan data);
  template <class Writer>
  Error encode(Writer& w) const {
    w.u16be(src_port);
    w.u16be(dst_port);
    w.u16be(length);
    w.u16be(checksum);
    return w.error();
  }
  friend bool operator==(const UdpHeader&, const UdpHeader&) = default;
};

/// A checked UDP datagram: header fields and a view of its payload.
struct UdpDatagram {
  UdpHeader header;
  ByteSpan payload;

  /// Parses a whole UDP message (the IPv6 payload) and checks it: kTruncated when
  /// shorter than its Length, kTrailing when longer, kMalformed for a Length below 8,
  /// a zero checksum (RFC 8200 §8.1) or one that does not verify.
  static Result<UdpDatagram> parse(const Address& src, const Address& dst, ByteSpan message);
};

/// Builds a UDP message (header + payload) with its checksum; kTooLong over 65535.
Result<Bytes> buildUdp(const Address& src, const Address& dst, std::uint16_t src_port,
                       std::uint16_t dst_port, ByteSpan payload);

/// The checksum field value for a UDP message whose checksum field is ignored
/// (RFC 768: a computed 0 is sent as 0xffff).
std::uint16_t udpChecksum(const Address& src, const Address& dst, ByteSpan message);

}  // namespace lpm::ipv6
