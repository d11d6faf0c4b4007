// The frames a TSCH MAC sends (RFC 8180 §4.5): Enhanced Beacons with the §4.5.2 IEs,
// data frames and keep-alives, and Enhanced ACKs with the Time Correction IE (§4.5.3).
// Builders give plaintext frames (security header set when asked); the MAC secures them
// with the slot's ASN.
#pragma once

#include <cstdint>
#include <optional>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/ieee802154/frame.hpp"
#include "lpmesh/ieee802154/ie.hpp"

namespace lpm::ieee802154 {

/// What an EB tells a joining node (RFC 8180 §4.5.2).
struct EbContent {
  TschSynchronizationIe sync;
  TschTimeslotIe timeslot;   ///< template id 0 when the EB has no Timeslot IE
  ChannelHoppingIe hopping;  ///< sequence id 0 when the EB has no Channel Hopping IE
  std::optional<TschSlotframeLinkIe> slotframe_link;
  /// IETF payload IEs (RFC 8137) after the MLME IE, e.g. the RFC 9032 enrollment IE.
  std::vector<IetfIe> ietf;
  bool operator==(const EbContent&) const = default;
};

/// The auxiliary security header RFC 8180 A.4 uses: key id mode 1, frame counter
/// suppressed, ASN in nonce (`69 01` for an EB with K1 MIC-32, `6d 02` for K2 ENC-MIC-32).
AuxSecurityHeader tschSecurityHeader(SecurityLevel level, std::uint8_t key_index);

/// An EB (RFC 8180 §4.5.1): version 2, destination 0xffff with its PAN ID, extended
/// source, IEs in one MLME payload IE: Synchronization, Timeslot, Channel Hopping and
/// (when present in `content`) Slotframe and Link.
Frame buildEb(const Eui64& source, std::uint16_t pan_id, std::uint8_t seq, const EbContent& content,
              std::optional<AuxSecurityHeader> security);

/// Reads an EB's TSCH content. kDropped for a frame that is not a version-2 beacon,
/// kNotFound when it has no Synchronization IE.
Result<EbContent> parseEb(const Frame& eb);

/// A data frame from `source`: unicast to `dest` with ACK request, or broadcast
/// (0xffff, no ACK) when `dest` is empty. An empty payload is a keep-alive.
Frame buildData(const Eui64& source, const std::optional<Eui64>& dest, std::uint16_t pan_id,
                std::uint8_t seq, ByteSpan payload, std::optional<AuxSecurityHeader> security);

/// An Enhanced ACK (RFC 8180 A.3): version 2, the acknowledged frame's sequence number,
/// destination = its source, no PAN ID, ACK/NACK Time Correction IE; no source address
/// unless `source` is given (a secured ACK with its source can be checked by a reader
/// that does not know who acknowledges, e.g. Wireshark).
Frame buildEnhancedAck(const Eui64& dest, std::uint8_t seq, std::int16_t time_correction_us,
                       bool nack, std::optional<AuxSecurityHeader> security,
                       std::optional<Eui64> source = std::nullopt);

/// Clamps a correction to the 12-bit signed range of the Time Correction IE.
std::int16_t clampTimeCorrectionUs(std::int64_t us);

}  // namespace lpm::ieee802154
