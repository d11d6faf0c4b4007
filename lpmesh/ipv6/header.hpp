// The IPv6 fixed header (RFC 8200 §3), protocol numbers, and a walker over the
// extension header chain of a whole datagram.
#pragma once

#include <array>
#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::ipv6 {

/// IANA protocol numbers used by the stacks.
namespace proto {
inline constexpr std::uint8_t kHopByHop = 0;
inline constexpr std::uint8_t kTcp = 6;
inline constexpr std::uint8_t kUdp = 17;
inline constexpr std::uint8_t kIpv6 = 41;  ///< IPv6-in-IPv6 encapsulation (RFC 2473)
inline constexpr std::uint8_t kRouting = 43;
inline constexpr std::uint8_t kFragment = 44;
inline constexpr std::uint8_t kIcmpv6 = 58;
inline constexpr std::uint8_t kNoNext = 59;
inline constexpr std::uint8_t kDestOptions = 60;
inline constexpr std::uint8_t kMobility = 135;
}  // namespace proto

/// True for the extension headers RFC 8200 §4 chains (HbH, routing, fragment,
/// destination options, mobility).
constexpr bool isExtensionHeader(std::uint8_t next_header) {
  return next_header == proto::kHopByHop || next_header == proto::kRouting ||
         next_header == proto::kFragment || next_header == proto::kDestOptions ||
         next_header == proto::kMobility;
}

/// The 40-byte IPv6 header.
struct Header {
  static constexpr std::size_t kSize = 40;

  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;  ///< 20 bits
  std::uint16_t payload_length = 0;
  std::uint8_t next_header = proto::kNoNext;
  std::uint8_t hop_limit = 64;
  Address src;
  Address dst;

  /// First 40 bytes of `data`; kTruncated if shorter, kMalformed if version != 6.
  /// Bytes after the header are not looked at.
  static Result<Header> parse(ByteSpan data);
  /// Writes the 40 bytes; kInvalidArgs if the flow label exceeds 20 bits.
  template <class Writer>
  Error encode(Writer& w) const {
    if (flow_label > 0xfffffU) return Error::kInvalidArgs;
    w.u32be((6U << 28) | (std::uint32_t{traffic_class} << 20) | flow_label);
    w.u16be(payload_length);
    w.u8(next_header);
    w.u8(hop_limit);
    w.bytes(src.bytes);
    w.bytes(dst.bytes);
    return w.error();
  }
  /// Header followed by `payload` (payload_length set from it); kTooLong over 65535.
  Result<Bytes> build(ByteSpan payload) const;

  friend bool operator==(const Header&, const Header&) = default;
};

/// One header in a datagram's chain: its protocol number and where it sits.
struct ChainEntry {
  std::uint8_t protocol = 0;  ///< the Next Header value that announced it
  std::size_t offset = 0;     ///< from the start of the datagram
  std::size_t length = 0;     ///< header length in bytes (0 for the upper layer)
};

/// The parsed layout of a datagram: the IPv6 header, its extension headers and the
/// upper-layer payload (which may itself be IPv6 for IPv6-in-IPv6).
struct Datagram {
  static constexpr std::size_t kMaxExtensionHeaders = 8;

  Header header;
  std::array<ChainEntry, kMaxExtensionHeaders> ext{};
  std::size_t ext_count = 0;
  /// First non-extension protocol (after a non-first fragment header: that header's Next
  /// Header, with upper_offset pointing at the fragment data).
  std::uint8_t upper_protocol = proto::kNoNext;
  std::size_t upper_offset = 0;  ///< where the upper-layer data starts

  /// Walks a whole datagram. kTruncated if the payload length exceeds the data,
  /// kTrailing if data is left after it, kMalformed for an inconsistent extension
  /// header, kUnsupported for more than kMaxExtensionHeaders.
  static Result<Datagram> parse(ByteSpan data);
};

}  // namespace lpm::ipv6
