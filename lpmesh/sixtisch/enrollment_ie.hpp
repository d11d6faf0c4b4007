// The 6TiSCH Join and Enrollment Information IE of RFC 9032 ("6tisch-Join-Info"), an
// IETF IE sub-type (RFC 8137, payload IE group 0x5) carried in Enhanced Beacons.
//
// Layout of the sub-type content (after the 1-octet sub-type ID), bits numbered from the
// most significant bit of the first octet as in IETF figures, multi-bit fields big-endian:
//   R (1) | P (1) | reserved (3) | proxy priority (7) | rank priority (12)
//   pan priority (8)
//   Join Proxy Interface ID (8 octets, only when P = 1)
//   network ID (0..16 octets: whatever is left)
// These widths are those of Figure 1 of draft-ietf-6tisch-enrollment-enhanced-beacon-14
// (the text that became RFC 9032; its figure draws the rank priority 12 bits wide, which
// leaves it unaligned). The published RFC text could not be consulted here; where it
// differs, follow the RFC and change kRankPriorityBits / the codec below.
//
// Sub-type ID: the draft leaves it "TBD-XXX"; the IANA "IEEE Std 802.15.4 IETF IE Subtype
// IDs" registry (RFC 8137) assigns 1 to 6P (RFC 8480) and 2 to 6tisch-Join-Info (RFC
// 9032). kSubTypeId is therefore 2; decoders take the ID as a parameter so that another
// value (an old placeholder) can still be read.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ieee802154/ie.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::sixtisch {

/// IANA IETF IE sub-type of 6tisch-Join-Info (RFC 9032 §5).
inline constexpr std::uint8_t kJoinInfoSubType = 0x02;
/// RFC 9032: proxy priority 0x7f = never a join proxy.
inline constexpr std::uint8_t kProxyPriorityNever = 0x7f;
inline constexpr std::uint16_t kRankPriorityMax = 0x0fff;  ///< 12 bits
inline constexpr std::size_t kMaxNetworkId = 16;

/// The content of one enrollment IE.
struct EnrollmentIe {
  bool router = false;  ///< R: acts as router for SLAAC hosts (sends RAs)
  std::uint8_t proxy_priority = kProxyPriorityNever;  ///< 7 bits, 0 = most willing
  std::uint16_t rank_priority = kRankPriorityMax;     ///< 12 bits, lower = more willing
  std::uint8_t pan_priority = 0xff;                   ///< set by the root, lower = preferred
  /// Present exactly when P = 1: IID of the Join Proxy's link-local address.
  std::optional<ipv6::Iid> join_proxy_iid;
  Bytes network_id;  ///< 0..16 octets

  /// Parses the content after the sub-type ID. kTruncated under 4 octets (or under 12
  /// with P = 1), kTooLong for a network ID over 16 octets.
  static Result<EnrollmentIe> parse(ByteSpan content);
  /// Appends the content (without the sub-type ID). kInvalidArgs for a field out of
  /// range (proxy priority > 0x7f, rank priority > 0xfff, network ID > 16 octets).
  Error encode(VectorWriter& w) const;
  /// Encoded content size.
  std::size_t size() const { return 4 + (join_proxy_iid ? 8 : 0) + network_id.size(); }

  /// As an IETF payload IE with `sub_type`.
  Result<ieee802154::IetfIe> toIetfIe(std::uint8_t sub_type = kJoinInfoSubType) const;
  /// The enrollment IE among IETF IEs: kNotFound when none has `sub_type`, else the parse
  /// result of the first one.
  static Result<EnrollmentIe> find(std::span<const ieee802154::IetfIe> ies,
                                   std::uint8_t sub_type = kJoinInfoSubType);

  friend bool operator==(const EnrollmentIe&, const EnrollmentIe&) = default;
};

/// RFC 9032 §2 default network ID: SHA-256 of the /64 prefix (its first 8 octets),
/// truncated to `length` octets (1..16; other values are clamped).
Bytes defaultNetworkId(const ipv6::Address& prefix, std::size_t length = 8);

}  // namespace lpm::sixtisch
