// Frame builders shared by the ieee802154 tests: the RFC 8180 frames of the vector files.
#pragma once

#include <array>
#include <ostream>
#include <string>
#include <string_view>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/ieee802154/frame.hpp"

namespace lpm::ieee802154 {

/// GoogleTest printer: a frame shows as its encoding.
inline void PrintTo(const Frame& f, std::ostream* os) {
  auto bytes = f.encode();
  *os << (bytes.ok() ? toHex(*bytes)
                     : std::string("<unencodable: ") + std::string(errorName(bytes.error())) + ">");
  if (!f.secured && f.security) *os << " (plaintext)";
}

}  // namespace lpm::ieee802154

namespace lpm::ieee802154::test {

/// Compile-time hex (exactly 2N digits) for test constants.
template <std::size_t N>
constexpr std::array<std::uint8_t, N> hexArray(std::string_view hex) {
  auto nibble = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N; ++i) {
    out[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  }
  return out;
}

inline Eui64 eui(std::string_view hex) {
  return parseHexArray<8>(hex).value();
}

inline crypto::Key128 key128(std::string_view hex) {
  return parseHexArray<16>(hex).value();
}

inline Bytes hexBytes(std::string_view hex) {
  return parseHex(hex).value();
}

/// The RFC 8180 A.1 MLME payload IE: Sync, Timeslot ID 0, Channel Hopping ID 0, one
/// slotframe of `sf_size` slots with the minimal cell (0, 0, options 0x0f).
inline MlmeIe minimalEbMlme(std::uint64_t asn, std::uint8_t join_metric,
                            std::uint16_t sf_size = 101) {
  MlmeIe m;
  m.sub_ies.emplace_back(TschSynchronizationIe{asn, join_metric});
  m.sub_ies.emplace_back(TschTimeslotIe{0, std::nullopt});
  m.sub_ies.emplace_back(ChannelHoppingIe{0, std::nullopt});
  TschSlotframeLinkIe sfl;
  sfl.slotframes.push_back(SlotframeInfo{
      0, sf_size, {LinkInfo{0, 0, kLinkTx | kLinkRx | kLinkShared | kLinkTimekeeping}}});
  m.sub_ies.emplace_back(sfl);
  return m;
}

/// An RFC 8180 §4.5.1 EB: version 2, beacon, dst PAN + 0xffff, PAN ID compression.
inline Frame minimalEb(const MacAddress& src, std::uint64_t asn, std::uint8_t join_metric,
                       std::uint8_t seq = 0, std::uint16_t pan = 0xabcd) {
  Frame f;
  f.type = FrameType::kBeacon;
  f.version = FrameVersion::k2015;
  f.seq = seq;
  f.pan_id_compression = true;
  f.dst_pan = pan;
  f.dst = MacAddress::fromShort(kBroadcastShortAddr);
  f.src = src;
  f.payload_ies.emplace_back(minimalEbMlme(asn, join_metric));
  return f;
}

/// RFC 8180 A.4 style auxiliary header: key id mode 1, counter suppressed, ASN in nonce.
inline AuxSecurityHeader tschAux(SecurityLevel level, std::uint8_t key_index) {
  AuxSecurityHeader h;
  h.level = level;
  h.key_id_mode = KeyIdMode::kIndex;
  h.frame_counter_suppressed = true;
  h.asn_in_nonce = true;
  h.key_index = key_index;
  return h;
}

/// Enhanced ACK: version 2, extended destination, no source, no PAN IDs, Time
/// Correction IE.
inline Frame enhancedAck(std::uint8_t seq, const Eui64& dst, std::int16_t correction_us,
                         bool nack) {
  Frame f;
  f.type = FrameType::kAck;
  f.version = FrameVersion::k2015;
  f.seq = seq;
  f.pan_id_compression = true;
  f.dst = MacAddress::fromExtended(dst);
  f.header_ies.emplace_back(TimeCorrectionIe{correction_us, nack, 0});
  return f;
}

}  // namespace lpm::ieee802154::test
