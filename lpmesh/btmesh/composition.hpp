// Composition Data (Mesh Protocol 1.1 §4.2.2): page 0 describes the node — company,
// product and version identifiers, the replay protection list size, the features it
// supports, and every element with its SIG and vendor models. Little-endian.
#pragma once

#include <cstdint>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"

namespace lpm::btmesh {

/// Features field bits (§4.2.2.1: bit 0 Relay, 1 Proxy, 2 Friend, 3 Low Power).
inline constexpr std::uint16_t kFeatureRelay = 1U << 0;
inline constexpr std::uint16_t kFeatureProxy = 1U << 1;
inline constexpr std::uint16_t kFeatureFriend = 1U << 2;
inline constexpr std::uint16_t kFeatureLowPower = 1U << 3;

/// Product identity of a node: CID, PID, VID (§4.2.2.1).
struct ProductIdentity {
  std::uint16_t company_id = 0x05F1;  ///< Linux Foundation, as Zephyr's samples use
  std::uint16_t product_id = 0;
  std::uint16_t version_id = 0;
};

/// Composition Data Page 0.
struct CompositionPage0 {
  struct Element {
    std::uint16_t location = 0;
    std::vector<std::uint16_t> sig_models;
    std::vector<ModelId> vendor_models;
    friend bool operator==(const Element&, const Element&) = default;
  };

  std::uint16_t cid = 0;
  std::uint16_t pid = 0;
  std::uint16_t vid = 0;
  std::uint16_t crpl = 0;
  std::uint16_t features = 0;
  std::vector<Element> elements;

  /// kTruncated / kMalformed for a header shorter than 10 octets, an element whose model
  /// lists run past the end, or (for NumS/NumV > 0) a vendor Company ID of 0xFFFF.
  static Result<CompositionPage0> parse(ByteSpan data);
  /// kTooLong when an element has more than 255 SIG or vendor models.
  Result<Bytes> encode() const;

  /// Page 0 of a running node: its elements and models, CRPL and supported features.
  static CompositionPage0 describe(const ProductIdentity& product, const Access& access,
                                   const NodeConfig& config);

  friend bool operator==(const CompositionPage0&, const CompositionPage0&) = default;
};

/// Features bit field of supported features (states other than kNotSupported).
std::uint16_t supportedFeatures(const NodeConfig& config);

}  // namespace lpm::btmesh
