// IPv6 addresses and prefixes (RFC 4291), their text form (RFC 5952), and the
// interface identifiers IEEE 802.15.4 links derive from link-layer addresses
// (RFC 4944 §6, RFC 6282 §3.2.2).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"

namespace lpm::ipv6 {

/// A 64-bit interface identifier (the low half of a unicast address).
using Iid = std::array<std::uint8_t, 8>;

/// An IPv6 address, 16 bytes in network order.
struct Address {
  std::array<std::uint8_t, 16> bytes{};

  static constexpr std::size_t kSize = 16;

  /// Exactly 16 bytes, else kTruncated / kTrailing.
  static Result<Address> fromBytes(ByteSpan data);
  /// RFC 4291 §2.2 text (hex groups, one "::", optional trailing dotted IPv4).
  static Result<Address> parse(std::string_view text);
  /// Like parse() for literals known to be valid; an invalid one gives "::".
  static Address literal(std::string_view text);
  /// prefix (first 8 bytes of `prefix64`) followed by `iid`.
  static Address fromPrefixAndIid(const Address& prefix64, const Iid& iid);

  /// RFC 5952 canonical text (lower case, longest zero run as "::").
  std::string toString() const;

  bool isUnspecified() const;
  bool isLoopback() const;
  bool isMulticast() const { return bytes[0] == 0xff; }
  /// fe80::/10.
  bool isLinkLocal() const { return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80; }
  /// Multicast scope nibble (RFC 4291 §2.7); 0 for unicast addresses.
  std::uint8_t multicastScope() const { return isMulticast() ? (bytes[1] & 0x0f) : 0; }
  Iid iid() const;

  ByteSpan span() const { return bytes; }
  std::uint8_t operator[](std::size_t i) const { return bytes[i]; }
  std::uint8_t& operator[](std::size_t i) { return bytes[i]; }

  friend bool operator==(const Address&, const Address&) = default;
  friend auto operator<=>(const Address&, const Address&) = default;
};

/// An address prefix: the first `length` bits of `address` (other bits zero).
struct Prefix {
  Address address{};
  std::uint8_t length = 0;  ///< 0..128

  /// "fd00::/64" text; kMalformed for a bad address or a length > 128.
  static Result<Prefix> parse(std::string_view text);
  /// Keeps the first `length` bits of `address`, clears the rest.
  static Prefix make(const Address& address, std::uint8_t length);
  bool contains(const Address& a) const;
  std::string toString() const;

  friend bool operator==(const Prefix&, const Prefix&) = default;
};

/// Number of leading bits two addresses share (0..128).
std::uint8_t commonPrefixBits(const Address& a, const Address& b);

/// Copies the first `bits` bits of `from` over `to` (RFC 6282 §3.1.1: "bits covered by
/// context information are always used").
void overlayPrefix(Address& to, const Address& from, std::uint8_t bits);

/// RFC 4944 §6: IID from an EUI-64, with the Universal/Local bit inverted.
Iid iidFromEui64(const Eui64& eui64);
/// RFC 6282 §3.2.2: IID from a 16-bit short address, 0000:00ff:fe00:XXXX (no PAN ID).
Iid iidFromShort(std::uint16_t short_address);
/// The EUI-64 an IID came from (inverse of iidFromEui64).
Eui64 eui64FromIid(const Iid& iid);
/// True when the IID has the 0000:00ff:fe00:XXXX form of a short address.
bool isShortIid(const Iid& iid);

/// fe80::/64 with the given IID.
Address linkLocal(const Iid& iid);
Address linkLocalFromEui64(const Eui64& eui64);
Address linkLocalFromShort(std::uint16_t short_address);

/// RFC 4291 §2.7.1 solicited-node multicast address ff02::1:ffXX:XXXX of `a`.
Address solicitedNode(const Address& a);

/// Well-known addresses (RFC 4291 §2.7.1, RFC 6550 §20.19).
inline constexpr Address kUnspecified{};
/// ff02::1
inline constexpr Address kAllNodesLinkLocal{
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}};
/// ff02::2
inline constexpr Address kAllRoutersLinkLocal{
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}};
/// ff02::1a, all RPL nodes (RFC 6550 §20.19).
inline constexpr Address kAllRplNodes{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1a}};
/// fe80::/64, the link-local prefix.
inline constexpr Address kLinkLocalPrefix{{0xfe, 0x80}};

}  // namespace lpm::ipv6
