// ICMPv6 (RFC 4443): the common header with its pseudo-header checksum, and echo
// request/reply. RPL (type 155) bodies are carried opaque here and decoded by
// lpmesh/rpl; neighbour discovery messages are in nd.hpp.
#pragma once

#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::ipv6 {

/// ICMPv6 types (IANA registry).
namespace icmp {
inline constexpr std::uint8_t kDestinationUnreachable = 1;
inline constexpr std::uint8_t kPacketTooBig = 2;
inline constexpr std::uint8_t kTimeExceeded = 3;
inline constexpr std::uint8_t kParameterProblem = 4;
inline constexpr std::uint8_t kEchoRequest = 128;
inline constexpr std::uint8_t kEchoReply = 129;
inline constexpr std::uint8_t kRouterSolicitation = 133;
inline constexpr std::uint8_t kRouterAdvertisement = 134;
inline constexpr std::uint8_t kNeighborSolicitation = 135;
inline constexpr std::uint8_t kNeighborAdvertisement = 136;
inline constexpr std::uint8_t kRpl = 155;                           ///< RFC 6550 §6
inline constexpr std::uint8_t kDuplicateAddressRequest = 157;       ///< RFC 6775 §4.4
inline constexpr std::uint8_t kDuplicateAddressConfirmation = 158;  ///< RFC 6775 §4.4
}  // namespace icmp

/// An ICMPv6 message: type, code, checksum and the body after them (a view).
struct Icmpv6Message {
  static constexpr std::size_t kHeaderSize = 4;

  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint16_t checksum = 0;
  ByteSpan body;

  /// Parses and verifies the checksum against the pseudo-header: kTruncated under 4
  /// bytes, kMalformed on a checksum mismatch.
  static Result<Icmpv6Message> parse(const Address& src, const Address& dst, ByteSpan message);
  /// Parses without checking the checksum (for tools and fuzzing).
  static Result<Icmpv6Message> parseUnchecked(ByteSpan message);
};

/// Builds type | code | checksum | body with the checksum computed for src -> dst.
Result<Bytes> buildIcmpv6(const Address& src, const Address& dst, std::uint8_t type,
                          std::uint8_t code, ByteSpan body);

/// Checksum field value of an ICMPv6 message (its own checksum bytes are ignored).
std::uint16_t icmpv6Checksum(const Address& src, const Address& dst, ByteSpan message);

/// Echo request / reply body (RFC 4443 §4.1, §4.2).
struct Echo {
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  ByteSpan data;

  /// The body after the 4-byte ICMPv6 header; kTruncated under 4 bytes.
  static Result<Echo> parse(ByteSpan body);
  template <class Writer>
  Error encode(Writer& w) const {
    w.u16be(identifier);
    w.u16be(sequence);
    w.bytes(data);
    return w.error();
  }
};

/// A complete echo request or reply message with its checksum.
Result<Bytes> buildEcho(const Address& src, const Address& dst, bool reply, const Echo& echo);

}  // namespace lpm::ipv6
