// IEEE 802.15.4 link-layer addresses as 6LoWPAN sees them: the MAC hands them in,
// 6LoWPAN derives interface identifiers from them (RFC 4944 §6, RFC 6282 §3.2.2).
// Nothing here depends on the MAC flavour (TSCH, CSMA, Thread).
#pragma once

#include <cstdint>
#include <optional>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::sixlowpan {

/// A frame's source or destination address: absent, 16-bit short (with its PAN ID)
/// or 64-bit extended. The extended address is in EUI-64 text order (most significant
/// byte first), i.e. the reverse of its over-the-air order in 802.15.4 frames.
struct LinkAddress {
  enum class Kind : std::uint8_t { kNone, kShort, kExtended };

  Kind kind = Kind::kNone;
  std::uint16_t short_address = 0;
  std::uint16_t pan_id = 0xffff;  ///< informative: RFC 6282 IIDs do not include it
  Eui64 extended{};

  static LinkAddress none() { return {}; }
  static LinkAddress fromShort(std::uint16_t address, std::uint16_t pan = 0xffff) {
    LinkAddress a;
    a.kind = Kind::kShort;
    a.short_address = address;
    a.pan_id = pan;
    return a;
  }
  static LinkAddress fromExtended(const Eui64& eui64) {
    LinkAddress a;
    a.kind = Kind::kExtended;
    a.extended = eui64;
    return a;
  }

  bool isNone() const { return kind == Kind::kNone; }
  bool isShort() const { return kind == Kind::kShort; }
  bool isExtended() const { return kind == Kind::kExtended; }

  /// The IID an IPv6 address derives from this address, or nullopt for kNone.
  std::optional<ipv6::Iid> iid() const {
    switch (kind) {
      case Kind::kShort:
        return ipv6::iidFromShort(short_address);
      case Kind::kExtended:
        return ipv6::iidFromEui64(extended);
      case Kind::kNone:
        break;
    }
    return std::nullopt;
  }

  /// Same kind and address (the PAN ID is not compared).
  friend bool operator==(const LinkAddress& a, const LinkAddress& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == Kind::kShort) return a.short_address == b.short_address;
    if (a.kind == Kind::kExtended) return a.extended == b.extended;
    return true;
  }
};

}  // namespace lpm::sixlowpan
