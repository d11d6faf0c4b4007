// TSCH channel hopping (15.4-2015 §6.2.6.3, RFC 8180 Figure 1): the channel of a cell
// at an ASN. The TSCH MAC owns when to hop; this is only the formula and the default
// sequence, shared by the MAC, the EB codec and tests.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace lpm::ieee802154 {

/// The 16-channel 2.4 GHz sequence for macHoppingSequenceID 0 as the 6TiSCH simulator
/// and Contiki-NG (TSCH_HOPPING_SEQUENCE_16_16) use it.
inline constexpr std::array<std::uint8_t, 16> kDefaultHoppingSequence = {
    16, 17, 23, 18, 26, 15, 25, 22, 19, 11, 12, 13, 24, 14, 20, 21};

/// channel = sequence[(ASN + channelOffset) mod len(sequence)]; 0 for an empty sequence.
constexpr std::uint8_t hoppingChannel(std::span<const std::uint8_t> sequence, std::uint64_t asn,
                                      std::uint16_t channel_offset) {
  if (sequence.empty()) return 0;
  return sequence[static_cast<std::size_t>((asn + channel_offset) % sequence.size())];
}

}  // namespace lpm::ieee802154
