// IEEE 802.15.4-2015 Information Elements (§7.4): header IEs, payload IEs and the
// nested MLME sub-IEs TSCH uses (RFC 8180 §4.5.2, Appendix A).
//
// Descriptors are 16-bit little-endian words (15.4-2015 §7.4.1):
//   header IE        length (7)  | element ID (8) | type 0
//   payload IE       length (11) | group ID (4)   | type 1
//   MLME sub-IE short length (8) | sub-ID (7)     | 0
//   MLME sub-IE long  length (11)| sub-ID (4)     | 1
// IEs the code knows get a typed struct; any other IE is kept as raw content and
// re-emitted unchanged, so encode(parse(x)) == x for every accepted input.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"

namespace lpm::ieee802154 {

// Header IE element IDs (15.4-2015 Table 7-7).
inline constexpr std::uint8_t kHeaderIeTimeCorrection = 0x1e;  ///< ACK/NACK Time Correction
inline constexpr std::uint8_t kHeaderIeTermination1 = 0x7e;    ///< HT1: payload IEs follow
inline constexpr std::uint8_t kHeaderIeTermination2 = 0x7f;    ///< HT2: payload follows
// Payload IE group IDs (15.4-2015 Table 7-15).
inline constexpr std::uint8_t kPayloadIeMlme = 0x1;
inline constexpr std::uint8_t kPayloadIeIetf = 0x5;  ///< RFC 8137
inline constexpr std::uint8_t kPayloadIeTermination = 0xf;
// MLME sub-IE IDs (15.4-2015 Tables 7-16, 7-17).
inline constexpr std::uint8_t kSubIeTschSynchronization = 0x1a;  ///< short
inline constexpr std::uint8_t kSubIeTschSlotframeLink = 0x1b;    ///< short
inline constexpr std::uint8_t kSubIeTschTimeslot = 0x1c;         ///< short
inline constexpr std::uint8_t kSubIeChannelHopping = 0x09;       ///< long

// Maximum content lengths allowed by the descriptors.
inline constexpr std::size_t kMaxHeaderIeContent = 0x7f;
inline constexpr std::size_t kMaxPayloadIeContent = 0x7ff;
inline constexpr std::size_t kMaxShortSubIeContent = 0xff;
inline constexpr std::size_t kMaxLongSubIeContent = 0x7ff;

// Link Options bits of the TSCH Slotframe and Link IE (15.4-2015 Figure 7-62).
inline constexpr std::uint8_t kLinkTx = 0x01;
inline constexpr std::uint8_t kLinkRx = 0x02;
inline constexpr std::uint8_t kLinkShared = 0x04;
inline constexpr std::uint8_t kLinkTimekeeping = 0x08;
inline constexpr std::uint8_t kLinkPriority = 0x10;

/// ACK/NACK Time Correction IE (15.4-2015 §7.4.2.7, RFC 8180 A.3): a 12-bit two's
/// complement correction in µs (bits 0-11) and the NACK flag (bit 15).
struct TimeCorrectionIe {
  std::int16_t time_correction_us = 0;  ///< -2048..2047
  bool nack = false;
  /// Bits 12-14 as received (0 from a conforming sender); kept for exact re-encoding.
  std::uint8_t reserved_bits = 0;

  static Result<TimeCorrectionIe> parse(ByteSpan content);
  bool operator==(const TimeCorrectionIe&) const = default;
};

/// A header IE without a typed decoder: element ID and raw content.
struct UnknownHeaderIe {
  std::uint8_t element_id = 0;
  Bytes content;
  bool operator==(const UnknownHeaderIe&) const = default;
};

/// One header IE (terminations are not list members; see HeaderTermination).
using HeaderIe = std::variant<TimeCorrectionIe, UnknownHeaderIe>;

/// TSCH Synchronization sub-IE (15.4-2015 §7.4.4.2): ASN (5 bytes LE) + Join Metric.
struct TschSynchronizationIe {
  std::uint64_t asn = 0;  ///< 40 bits
  std::uint8_t join_metric = 0;
  bool operator==(const TschSynchronizationIe&) const = default;
};

/// One link of a slotframe in the TSCH Slotframe and Link IE.
struct LinkInfo {
  std::uint16_t timeslot = 0;
  std::uint16_t channel_offset = 0;
  std::uint8_t options = 0;  ///< kLinkTx | kLinkRx | ...
  bool operator==(const LinkInfo&) const = default;
};

/// One slotframe descriptor of the TSCH Slotframe and Link IE.
struct SlotframeInfo {
  std::uint8_t handle = 0;
  std::uint16_t size = 0;
  std::vector<LinkInfo> links;
  bool operator==(const SlotframeInfo&) const = default;
};

/// TSCH Slotframe and Link sub-IE (15.4-2015 §7.4.4.3).
struct TschSlotframeLinkIe {
  std::vector<SlotframeInfo> slotframes;
  bool operator==(const TschSlotframeLinkIe&) const = default;
};

/// Timeslot timing in µs (15.4-2015 Table 8-86, §7.4.4.4 full form).
struct TimeslotTiming {
  std::uint16_t cca_offset = 1800;
  std::uint16_t cca = 128;
  std::uint16_t tx_offset = 2120;
  std::uint16_t rx_offset = 1020;
  std::uint16_t rx_ack_delay = 800;
  std::uint16_t tx_ack_delay = 1000;
  std::uint16_t rx_wait = 2200;
  std::uint16_t ack_wait = 400;
  std::uint16_t rx_tx = 192;
  std::uint16_t max_ack = 2400;
  std::uint32_t max_tx = 4256;            ///< 16 or 24 bits on the wire
  std::uint32_t timeslot_length = 10000;  ///< 16 or 24 bits on the wire
  /// 27-byte form: macTsMaxTx and macTsTimeslotLength as 3-byte fields (as Wireshark
  /// reads an IE longer than 25 bytes); false = 25-byte form of RFC 8180 A.2.
  bool wide_fields = false;
  bool operator==(const TimeslotTiming&) const = default;
};

/// The default timeslot template, macTimeslotTemplateId 0 (15.4-2015 §8.4.2.2.3).
inline constexpr TimeslotTiming kDefaultTimeslotTiming{};

/// TSCH Timeslot sub-IE (15.4-2015 §7.4.4.4): template ID only, or ID + timing.
struct TschTimeslotIe {
  std::uint8_t template_id = 0;
  std::optional<TimeslotTiming> timing;
  bool operator==(const TschTimeslotIe&) const = default;
};

/// Full form of the Channel Hopping IE (15.4-2015 §7.4.4.31).
struct ChannelHoppingFull {
  std::uint8_t channel_page = 0;
  std::uint16_t number_of_channels = 0;
  std::uint32_t phy_configuration = 0;
  /// Extended Bitmap (SUN channel pages only); usually empty.
  Bytes extended_bitmap;
  std::vector<std::uint16_t> sequence;
  std::uint16_t current_hop = 0;
  /// Hopping sequence entries as single bytes (Contiki-NG's layout) instead of the
  /// standard's 2-byte entries.
  bool one_byte_entries = false;
  bool operator==(const ChannelHoppingFull&) const = default;
};

/// Channel Hopping sub-IE (long, ID 0x09): sequence ID only, or the full description.
struct ChannelHoppingIe {
  std::uint8_t sequence_id = 0;
  std::optional<ChannelHoppingFull> full;
  bool operator==(const ChannelHoppingIe&) const = default;
};

/// An MLME sub-IE without a typed decoder.
struct UnknownSubIe {
  bool long_form = false;
  std::uint8_t sub_id = 0;  ///< 7 bits (short) or 4 bits (long)
  Bytes content;
  bool operator==(const UnknownSubIe&) const = default;
};

using MlmeSubIe = std::variant<TschSynchronizationIe, TschSlotframeLinkIe, TschTimeslotIe,
                               ChannelHoppingIe, UnknownSubIe>;

/// MLME payload IE (group 0x1): a list of nested sub-IEs.
struct MlmeIe {
  std::vector<MlmeSubIe> sub_ies;
  bool operator==(const MlmeIe&) const = default;
};

/// IETF payload IE (group 0x5, RFC 8137): the first content byte is the sub-ID; the
/// rest is left to the 6TiSCH layer (6P, RFC 9032 enrollment IE).
struct IetfIe {
  std::uint8_t sub_id = 0;
  Bytes content;  ///< after the sub-ID
  bool operator==(const IetfIe&) const = default;
};

/// A payload IE group without a typed decoder.
struct UnknownPayloadIe {
  std::uint8_t group_id = 0;
  Bytes content;
  bool operator==(const UnknownPayloadIe&) const = default;
};

/// One payload IE (the payload termination IE is not a list member).
using PayloadIe = std::variant<MlmeIe, IetfIe, UnknownPayloadIe>;

/// How a header IE list ends on the wire.
enum class HeaderTermination : std::uint8_t {
  kAuto,  ///< encoder chooses: HT1 before payload IEs, HT2 before a payload, else none
  kNone,
  kHt1,
  kHt2,
};
/// Whether the payload IE list ends with a termination IE.
enum class PayloadTermination : std::uint8_t {
  kAuto,  ///< encoder emits one exactly when a payload follows payload IEs
  kNone,
  kPresent,
};

// ---- Typed sub-IE content codecs (content = bytes after the descriptor) -------------

Result<TschSynchronizationIe> parseTschSynchronization(ByteSpan content);
Result<TschSlotframeLinkIe> parseTschSlotframeLink(ByteSpan content);
Result<TschTimeslotIe> parseTschTimeslot(ByteSpan content);
Result<ChannelHoppingIe> parseChannelHopping(ByteSpan content);

// ---- Lists -------------------------------------------------------------------------

/// Parses header IEs from the start of `data` until HT1, HT2 or the end of `data`.
/// Appends the IEs to `out`, sets `termination` to what ended the list (kNone at the
/// end of data) and returns the bytes consumed. kTruncated when an IE overruns `data`,
/// kMalformed for a payload-type descriptor, a termination with content or a typed IE
/// whose content does not fit its format.
Result<std::size_t> parseHeaderIeList(ByteSpan data, std::vector<HeaderIe>& out,
                                      HeaderTermination& termination);

/// Parses payload IEs from the start of `data` until the payload termination IE or the
/// end of `data`; `terminated` tells whether the termination IE was seen.
Result<std::size_t> parsePayloadIeList(ByteSpan data, std::vector<PayloadIe>& out,
                                       bool& terminated);

/// Parses the nested sub-IEs of an MLME payload IE's content.
Result<MlmeIe> parseMlmeContent(ByteSpan content);

/// Appends one header IE (descriptor + content). kTooLong if the content exceeds 127
/// bytes; kInvalidArgs for a termination ID in an UnknownHeaderIe.
template <class Writer>
Error encodeHeaderIe(Writer& w, const HeaderIe& ie);
/// Appends a header termination IE (HT1 or HT2).
template <class Writer>
Error encodeHeaderTermination(Writer& w, HeaderTermination t);
/// Appends one payload IE. kTooLong beyond 2047 bytes of content.
template <class Writer>
Error encodePayloadIe(Writer& w, const PayloadIe& ie);
/// Appends the payload termination IE.
template <class Writer>
Error encodePayloadTermination(Writer& w);
/// Appends one MLME sub-IE (descriptor + content).
template <class Writer>
Error encodeMlmeSubIe(Writer& w, const MlmeSubIe& ie);

// ---- Look-ups used by the TSCH MAC -------------------------------------------------

/// The first MLME sub-IE of type T in a payload IE list, or nullptr.
template <class T>
const T* findMlmeSubIe(const std::vector<PayloadIe>& ies) {
  for (const PayloadIe& pie : ies) {
    if (const auto* mlme = std::get_if<MlmeIe>(&pie)) {
      for (const MlmeSubIe& sub : mlme->sub_ies) {
        if (const auto* t = std::get_if<T>(&sub)) return t;
      }
    }
  }
  return nullptr;
}
/// The first header IE of type T, or nullptr.
template <class T>
const T* findHeaderIe(const std::vector<HeaderIe>& ies) {
  for (const HeaderIe& ie : ies) {
    if (const auto* t = std::get_if<T>(&ie)) return t;
  }
  return nullptr;
}

}  // namespace lpm::ieee802154
