// Mesh addresses (Mesh Protocol 1.1 §3.4.2): unassigned, unicast, virtual, group and the
// fixed group addresses, plus the validity rules of §3.4.3.
#pragma once

#include <cstdint>

namespace lpm::btmesh {

/// A 16-bit mesh address.
using Address = std::uint16_t;

inline constexpr Address kUnassignedAddress = 0x0000;
// Table 3.7: fixed group addresses.
inline constexpr Address kAllIptBorderRouters = 0xFFF9;
inline constexpr Address kAllIptNodes = 0xFFFA;
inline constexpr Address kAllDirectedForwardingNodes = 0xFFFB;
inline constexpr Address kAllProxies = 0xFFFC;
inline constexpr Address kAllFriends = 0xFFFD;
inline constexpr Address kAllRelays = 0xFFFE;
inline constexpr Address kAllNodes = 0xFFFF;

/// 0x0001..0x7FFF.
constexpr bool isUnicast(Address a) {
  return a != 0 && (a & 0x8000U) == 0;
}
/// 0b10xxxxxxxxxxxxxx.
constexpr bool isVirtual(Address a) {
  return (a & 0xC000U) == 0x8000U;
}
/// 0b11xxxxxxxxxxxxxx, fixed group addresses included.
constexpr bool isGroup(Address a) {
  return (a & 0xC000U) == 0xC000U;
}
/// 0xFF00..0xFFFF (§3.4.2.4: reserved for fixed group addresses).
constexpr bool isFixedGroup(Address a) {
  return a >= 0xFF00U;
}
/// A group address that can be assigned dynamically (0xC000..0xFEFF).
constexpr bool isDynamicGroup(Address a) {
  return isGroup(a) && !isFixedGroup(a);
}

/// §3.4.3 Table 3.8: SRC must be a unicast address.
constexpr bool validSource(Address src) {
  return isUnicast(src);
}
/// §3.4.3 Table 3.8: control messages go to unicast or group addresses; access messages to
/// any assigned address.
constexpr bool validDestination(Address dst, bool ctl) {
  if (dst == kUnassignedAddress) return false;
  return ctl ? (isUnicast(dst) || isGroup(dst)) : true;
}
/// §3.4.3 Table 3.9: a device key only with a unicast destination.
constexpr bool validForDeviceKey(Address dst) {
  return isUnicast(dst);
}

}  // namespace lpm::btmesh
