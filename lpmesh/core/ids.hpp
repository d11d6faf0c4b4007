// Identifiers and address types shared by the simulator and the stacks.
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace lpm {

/// Index of a simulated node in its world (0..N-1).
using NodeId = std::uint32_t;
inline constexpr NodeId kInvalidNode = std::numeric_limits<NodeId>::max();

/// IEEE EUI-64, stored in transmission order of its big-endian text form
/// (00:11:22:33:44:55:66:77 is {0x00, ..., 0x77}).
using Eui64 = std::array<std::uint8_t, 8>;

/// BLE device address, stored as printed (most significant byte first).
using BleAddress = std::array<std::uint8_t, 6>;

}  // namespace lpm
