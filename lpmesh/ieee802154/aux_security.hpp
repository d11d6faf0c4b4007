// IEEE 802.15.4-2015 auxiliary security header (§9.4), security levels (Table 9-6) and
// the two CCM* nonce forms (§9.3.2.2): frame counter and TSCH ASN.
//
// Kept apart from security.hpp so that frame.hpp can hold the header by value without
// depending on the frame-securing code.
#pragma once

#include <array>
#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"

namespace lpm::ieee802154 {

/// Security Level field values (15.4-2015 Table 9-6).
enum class SecurityLevel : std::uint8_t {
  kNone = 0,
  kMic32 = 1,
  kMic64 = 2,
  kMic128 = 3,
  kEnc = 4,
  kEncMic32 = 5,
  kEncMic64 = 6,
  kEncMic128 = 7,
};

/// MIC length in bytes for a level: 0, 4, 8 or 16.
constexpr std::size_t micLength(SecurityLevel level) {
  switch (static_cast<std::uint8_t>(level) & 3U) {
    case 1:
      return 4;
    case 2:
      return 8;
    case 3:
      return 16;
    default:
      return 0;
  }
}
/// Whether the level encrypts the private payload (levels 4-7).
constexpr bool isEncrypting(SecurityLevel level) {
  return (static_cast<std::uint8_t>(level) & 4U) != 0;
}

/// Key Identifier Mode (15.4-2015 Table 9-7).
enum class KeyIdMode : std::uint8_t {
  kImplicit = 0,      ///< key determined implicitly (originator / recipient)
  kIndex = 1,         ///< macDefaultKeySource + Key Index
  kSource4Index = 2,  ///< 4-byte Key Source + Key Index
  kSource8Index = 3,  ///< 8-byte Key Source + Key Index
};

/// Length of the Key Source field for a mode: 0, 0, 4 or 8.
constexpr std::size_t keySourceLength(KeyIdMode mode) {
  return mode == KeyIdMode::kSource4Index ? 4 : mode == KeyIdMode::kSource8Index ? 8 : 0;
}

/// Auxiliary Security Header (15.4-2015 §9.4). Security Control bits: level (0-2),
/// key identifier mode (3-4), frame counter suppression (5), ASN in nonce (6; RFC 8180
/// A.4, 15.4-2015 marks it reserved but TSCH implementations use it), reserved (7).
struct AuxSecurityHeader {
  SecurityLevel level = SecurityLevel::kNone;
  KeyIdMode key_id_mode = KeyIdMode::kImplicit;
  bool frame_counter_suppressed = false;
  bool asn_in_nonce = false;
  /// Present on the wire unless frame_counter_suppressed.
  std::uint32_t frame_counter = 0;
  /// First keySourceLength(key_id_mode) bytes are used, in wire order.
  std::array<std::uint8_t, 8> key_source{};
  /// Present unless key_id_mode is kImplicit.
  std::uint8_t key_index = 0;

  /// Encoded size in bytes (1 to 14).
  std::size_t size() const;
  /// Reads the header at the reader's position. kMalformed for the reserved bit 7.
  static Result<AuxSecurityHeader> parse(ByteReader& r);
  /// Parses exactly `data` (kTrailing if bytes are left).
  static Result<AuxSecurityHeader> parse(ByteSpan data);
  template <class Writer>
  void encode(Writer& w) const;
  /// Encodes into a new vector.
  Bytes encode() const;

  bool operator==(const AuxSecurityHeader& o) const;
};

/// The 13-byte CCM* nonce.
using Nonce = std::array<std::uint8_t, 13>;

/// Frame-counter nonce (15.4-2015 §9.3.2.2, Figure 9-3): source extended address
/// (EUI-64 order) || frame counter (4 bytes, big-endian) || security level.
Nonce frameCounterNonce(const Eui64& source, std::uint32_t frame_counter, SecurityLevel level);

/// TSCH nonce (15.4-2015 §9.3.2.2 with ASN in nonce, RFC 8180 §4.5.1): originator
/// extended address || ASN (5 bytes, big-endian). Only the low 40 bits of `asn` are used.
Nonce tschNonce(const Eui64& originator, std::uint64_t asn);

template <class Writer>
void AuxSecurityHeader::encode(Writer& w) const {
  const auto control = static_cast<std::uint8_t>(
      (static_cast<unsigned>(level) & 7U) | ((static_cast<unsigned>(key_id_mode) & 3U) << 3) |
      (frame_counter_suppressed ? 0x20U : 0U) | (asn_in_nonce ? 0x40U : 0U));
  w.u8(control);
  if (!frame_counter_suppressed) w.u32le(frame_counter);
  const std::size_t src_len = keySourceLength(key_id_mode);
  if (src_len > 0) w.bytes(ByteSpan(key_source.data(), src_len));
  if (key_id_mode != KeyIdMode::kImplicit) w.u8(key_index);
}

}  // namespace lpm::ieee802154
