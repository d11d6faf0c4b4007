// Packet captures of the medium: one pcap per PHY, every transmitted frame once at the
// simulated time its first bit went on air (issue #2 §3 "Trace").
//
// Files use the nanosecond pcap format (magic 0xa1b23c4d) so simulated times are exact.
//  - IEEE 802.15.4: LINKTYPE_IEEE802_15_4_TAP (283). TAP header (version 0, reserved 0,
//    length LE16 including TLVs), then TLVs (type LE16, length LE16, value padded to 4):
//    0 FCS type = 1 (16-bit), 3 channel assignment (channel LE16, page 0), 1 RSS = the
//    transmitter's output power in dBm (the capture is taken at the transmitter, so no
//    receiver's RSSI applies), 7 ASN when the transmitter gave one (TSCH); then the MPDU
//    and its FCS.
//  - BLE: LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (256). 10-byte pseudo-header (RF channel
//    0..39, signal power = tx power, noise power, access-address offenses, reference
//    access address, flags), then access address, PDU header, payload, CRC-24.
// The CRCs are computed here: sim may not depend on stack libraries.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/time.hpp"

namespace lpm::sim {

inline constexpr std::uint32_t kLinktype802154Tap = 283;
inline constexpr std::uint32_t kLinktypeBleLlWithPhdr = 256;
inline constexpr std::uint32_t kBleAdvAccessAddress = 0x8E89BED6;
inline constexpr std::uint32_t kBleAdvCrcInit = 0x555555;

/// IEEE 802.15.4-2020 §7.2.10 FCS: ITU-T CRC-16 (x^16 + x^12 + x^5 + 1), init 0,
/// bits LSB first (CRC-16/KERMIT). Appended low byte first.
std::uint16_t fcs16(ByteSpan data);

/// Core Vol 6 Part B §3.1.1 CRC-24 (x^24 + x^10 + x^9 + x^6 + x^4 + x^3 + x + 1) over
/// PDU header and payload, bits fed LSB first, register preset with `init` (position 0
/// = LSB). Returned with position 23 as bit 23.
std::uint32_t bleCrc24(ByteSpan pdu, std::uint32_t init = kBleAdvCrcInit);
/// The three CRC bytes as they appear in a capture (position 23 first on air, each byte
/// written LSB-first like every other field).
std::array<std::uint8_t, 3> bleCrc24Bytes(std::uint32_t crc);

/// Writes a nanosecond-resolution pcap file. Not copyable; closes on destruction.
class PcapWriter {
 public:
  PcapWriter() = default;
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  /// Creates (truncates) `path` and writes the global header. kNotFound if the file
  /// cannot be created.
  Error open(const std::string& path, std::uint32_t linktype);
  bool isOpen() const { return file_ != nullptr; }
  /// One record: `head` then `tail` (either may be empty), stamped `time`.
  void write(SimTime time, ByteSpan head, ByteSpan tail = {});
  void flush();
  void close();
  std::uint64_t packetsWritten() const { return packets_; }

 private:
  std::FILE* file_ = nullptr;
  std::uint64_t packets_ = 0;
};

/// What the 802.15.4 capture records besides the MPDU.
struct Capture802154 {
  std::uint8_t channel = 11;
  float rss_dbm = 0.0F;
  std::optional<std::uint64_t> asn;
};

/// Largest TAP header this writer produces (4 + FCS 8 + RSS 8 + channel 8 + ASN 12).
inline constexpr std::size_t kTapMaxHeader = 40;

/// Encodes the TAP header and TLVs into `out`; returns the length used.
std::size_t encodeTapHeader(std::span<std::uint8_t, kTapMaxHeader> out, const Capture802154& info);

/// What the BLE capture records besides the on-air PDU.
struct CaptureBle {
  std::uint8_t rf_channel = 0;  ///< 0..39 (advertising 37/38/39 are RF 0/12/39)
  std::int8_t signal_dbm = 0;
  std::uint32_t access_address = kBleAdvAccessAddress;
  /// Flag the CRC as checked and valid in the pseudo-header; when false, readers
  /// compute it themselves (tests use this to have Wireshark verify our CRC-24).
  bool crc_checked_flag = true;
};

inline constexpr std::size_t kBlePhdrSize = 10;
/// Pseudo-header (10) + access address (4) written before the PDU.
inline constexpr std::size_t kBleCaptureHeadSize = kBlePhdrSize + 4;

/// Encodes the LE_LL_WITH_PHDR pseudo-header and the access address.
void encodeBlePhdr(std::span<std::uint8_t, kBleCaptureHeadSize> out, const CaptureBle& info);

}  // namespace lpm::sim
