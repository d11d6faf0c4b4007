// IEEE 802.15.4 MAC frames, versions 2003, 2006 and 2015 (15.4-2015 §7.2, §7.3): frame
// control, sequence number (with suppression), addressing with PAN ID compression,
// auxiliary security header, header IEs, payload IEs and payload; and the FCS.
//
// A Frame is a value type. parse() takes an MPDU without its FCS (the radio checks and
// strips it, platform/radio802154.hpp) and encode() gives exactly the bytes parsed:
// encode(parse(x)) == x for every accepted x.
//
// Secured frames: parse() of a frame with the Security Enabled bit gives its on-air
// form (`secured` = true): the MIC in `mic`, and for an encrypting level the private
// payload (payload IEs + payload, 15.4-2015 §9.3.5) still encrypted in `payload`.
// security.hpp turns that into plaintext and back.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/ieee802154/aux_security.hpp"
#include "lpmesh/ieee802154/ie.hpp"

namespace lpm::ieee802154 {

/// Frame Type field (15.4-2015 Table 7-1). Only beacon, data, ACK and MAC command are
/// decoded; the others are rejected with kUnsupported.
enum class FrameType : std::uint8_t {
  kBeacon = 0,
  kData = 1,
  kAck = 2,
  kMacCommand = 3,
  kReserved = 4,
  kMultipurpose = 5,
  kFragment = 6,
  kExtended = 7,
};

/// Frame Version field (15.4-2015 Table 7-4).
enum class FrameVersion : std::uint8_t {
  k2003 = 0,
  k2006 = 1,
  k2015 = 2,
};

/// Addressing mode (15.4-2015 Table 7-3); value 1 is reserved.
enum class AddrMode : std::uint8_t {
  kNone = 0,
  kShort = 2,
  kExtended = 3,
};

inline constexpr std::uint16_t kBroadcastPanId = 0xffff;
inline constexpr std::uint16_t kBroadcastShortAddr = 0xffff;

/// A MAC address: none, 16-bit short, or EUI-64 (stored in EUI-64 text order; the wire
/// carries it least significant byte first).
struct MacAddress {
  AddrMode mode = AddrMode::kNone;
  std::uint16_t short_addr = 0;
  Eui64 extended{};

  static MacAddress none() { return {}; }
  static MacAddress fromShort(std::uint16_t a) { return {AddrMode::kShort, a, {}}; }
  static MacAddress fromExtended(const Eui64& e) { return {AddrMode::kExtended, 0, e}; }
  bool isNone() const { return mode == AddrMode::kNone; }
  /// Compares only the field the mode selects.
  bool operator==(const MacAddress& o) const;
};

/// Which PAN ID fields are present for an addressing combination; `valid` is false for
/// a combination the version's rule does not allow (2003/2006: PAN ID compression with
/// fewer than two addresses).
struct PanIdPresence {
  bool dst = false;
  bool src = false;
  bool valid = true;
};

/// 15.4-2015 Table 7-2 for frame version 2; §7.2.1.5 of 802.15.4-2006 for versions 0/1.
PanIdPresence panIdPresence(FrameVersion version, AddrMode dst, AddrMode src,
                            bool pan_id_compression);

/// The PAN ID Compression bit that gives the wanted PAN ID fields for this addressing,
/// or kInvalidArgs when no value does.
Result<bool> choosePanIdCompression(FrameVersion version, AddrMode dst, AddrMode src,
                                    bool dst_pan_present, bool src_pan_present);

/// One MAC frame.
struct Frame {
  // Frame Control (15.4-2015 Figure 7-2).
  FrameType type = FrameType::kData;
  FrameVersion version = FrameVersion::k2015;
  bool frame_pending = false;
  bool ack_request = false;
  bool pan_id_compression = false;
  /// Sequence Number Suppression (version 2 only): no sequence number on the wire.
  bool seq_suppressed = false;
  /// Not on the wire (and 0 after parse()) when seq_suppressed.
  std::uint8_t seq = 0;

  /// Present exactly when panIdPresence() says so.
  std::optional<std::uint16_t> dst_pan;
  MacAddress dst;
  std::optional<std::uint16_t> src_pan;
  MacAddress src;

  /// Auxiliary security header; present iff the Security Enabled bit is set.
  std::optional<AuxSecurityHeader> security;

  /// Header IEs (version 2 only); terminations are chosen by header_termination.
  std::vector<HeaderIe> header_ies;
  /// Payload IEs (version 2 only).
  std::vector<PayloadIe> payload_ies;
  HeaderTermination header_termination = HeaderTermination::kAuto;
  PayloadTermination payload_termination = PayloadTermination::kAuto;

  /// Frame payload after the IEs: data payload, beacon payload (for versions 0/1 from the
  /// Superframe Specification on), or the command ID and its content.
  Bytes payload;

  /// On-air security form (set by parse() and secureFrame()): `mic` holds the MIC and,
  /// with an encrypting level, `payload` the encrypted private payload while
  /// `payload_ies` is empty. False: the frame holds plaintext; encode() then omits the
  /// MIC (giving the bytes CCM* authenticates).
  bool secured = false;
  Bytes mic;

  /// The PAN ID the source belongs to: src_pan, or dst_pan when compressed away.
  std::optional<std::uint16_t> effectiveSrcPan() const { return src_pan ? src_pan : dst_pan; }

  /// Parses an MPDU without FCS. kTruncated for a frame that ends inside a field;
  /// kMalformed for reserved addressing modes, bits or IE layouts; kUnsupported for
  /// reserved frame versions, frame types 4-7 and 2003-style security.
  static Result<Frame> parse(ByteSpan mpdu);
  /// Parses the plaintext form of a frame whose Security Enabled bit is set: auxiliary
  /// security header present, no MIC, private payload in clear (what encode() gives
  /// for `secured` == false). The result has `secured` false.
  static Result<Frame> parsePlaintext(ByteSpan mpdu);

  /// Appends the frame to a writer. kInvalidArgs when fields contradict each other
  /// (PAN IDs vs Table 7-2, IEs on versions 0/1, a MIC of the wrong length...).
  template <class Writer>
  Error encodeTo(Writer& w) const;
  /// Encodes into a fixed buffer; returns the number of bytes written.
  Result<std::size_t> encode(MutableByteSpan out) const;
  /// Encodes into a new vector.
  Result<Bytes> encode() const;

  /// Byte offset where the private payload starts in encode()'s output (15.4-2015 §9.3.5:
  /// after the MHR, auxiliary security header and header IEs; for versions 0/1 also
  /// after the beacon's Superframe/GTS/pending fields or the command ID).
  Result<std::size_t> privatePayloadOffset() const;

  bool operator==(const Frame&) const = default;
};

/// The header termination encode() writes for this frame (resolves kAuto).
HeaderTermination effectiveHeaderTermination(const Frame& f);
/// The payload termination encode() writes for this frame (resolves kAuto).
PayloadTermination effectivePayloadTermination(const Frame& f);

/// The Frame Control field of a frame as it would be encoded.
std::uint16_t frameControl(const Frame& f);

/// Length of the 2003/2006 beacon fields before the beacon payload (Superframe
/// Specification, GTS and pending-address fields), read from `beacon_payload`.
Result<std::size_t> legacyBeaconFieldsLength(ByteSpan beacon_payload);

/// FCS: CRC-16/KERMIT (ITU-T x^16 + x^12 + x^5 + 1, reflected, init 0), 15.4-2015
/// §7.2.10. The FCS goes on the wire least significant byte first.
std::uint16_t fcs16(ByteSpan data);

/// Appends the 2-byte FCS to an MPDU.
Bytes appendFcs(ByteSpan mpdu);
/// Checks and strips the FCS of a PSDU (MPDU + FCS): kTruncated when shorter than
/// 2 bytes, kMalformed when the FCS does not match.
Result<ByteSpan> stripFcs(ByteSpan psdu);

}  // namespace lpm::ieee802154
