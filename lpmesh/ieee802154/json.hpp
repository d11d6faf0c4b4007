// JSON views of IEEE 802.15.4 frames for the CLI (`lpmesh decode 802154`), reports and
// tests: every header field, IE and security field, in wire order.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/ieee802154/frame.hpp"

namespace lpm::ieee802154 {

using Json = nlohmann::ordered_json;

/// Stable lower-case names used in the JSON output.
const char* frameTypeName(FrameType t);
const char* securityLevelName(SecurityLevel l);

Json auxSecurityToJson(const AuxSecurityHeader& h);
Json headerIeToJson(const HeaderIe& ie);
Json mlmeSubIeToJson(const MlmeSubIe& ie);
Json payloadIeToJson(const PayloadIe& ie);
/// Every field of a parsed frame. A secured frame shows its MIC and, when encrypted,
/// the private payload as `encrypted_payload`.
Json frameToJson(const Frame& f);

/// Options of decodeToJson (the CLI's --key, --asn, --eui64, --fcs).
struct DecodeOptions {
  /// Keys by Key Index; a frame with key identifier mode 0 uses the first key.
  std::vector<std::pair<std::uint8_t, crypto::Key128>> keys;
  /// ASN for the TSCH nonce. Without it a MIC-only EB uses the ASN of its own TSCH
  /// Synchronization IE.
  std::optional<std::uint64_t> asn;
  /// Originator EUI-64 for frames without an extended source address (Enh-ACKs).
  std::optional<Eui64> originator;
  /// The input ends with a 2-byte FCS to check and strip.
  bool with_fcs = false;
};

/// Parses `bytes` and, when keys are given, verifies/decrypts it. Never throws on bad
/// input: parse and security failures are reported in the JSON ("error",
/// "security.status").
Json decodeToJson(ByteSpan bytes, const DecodeOptions& options = {});

}  // namespace lpm::ieee802154
