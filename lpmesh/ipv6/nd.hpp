// Neighbour discovery message codecs for 6LoWPAN networks: RS / RA / NS / NA
// (RFC 4861 §4) with the options 6LoWPAN-ND uses: source/target link-layer address
// in the IEEE 802.15.4 form (RFC 4944 §8), prefix information, the Address
// Registration Option (RFC 6775 §4.1) and its extended form EARO (RFC 8505 §4.1),
// the 6LoWPAN Context Option (RFC 6775 §4.2) and the Authoritative Border Router
// Option (RFC 6775 §4.3). These are codecs only; the registration procedure belongs
// to the stacks that use them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::ipv6 {

/// Neighbour discovery option types (IANA).
namespace ndopt {
inline constexpr std::uint8_t kSourceLinkLayerAddress = 1;
inline constexpr std::uint8_t kTargetLinkLayerAddress = 2;
inline constexpr std::uint8_t kPrefixInformation = 3;
inline constexpr std::uint8_t kAddressRegistration = 33;
inline constexpr std::uint8_t kSixLowpanContext = 34;
inline constexpr std::uint8_t kAuthoritativeBorderRouter = 35;
}  // namespace ndopt

/// ARO / EARO status values (RFC 6775 §4.1, RFC 8505 §4.1).
enum class AroStatus : std::uint8_t {
  kSuccess = 0,
  kDuplicateAddress = 1,
  kNeighborCacheFull = 2,
  kMoved = 3,
  kRemoved = 4,
  kValidationRequested = 5,
  kDuplicateSourceAddress = 6,
  kInvalidSourceAddress = 7,
  kTopologicallyIncorrect = 8,
  kRegistrySaturated = 9,
  kValidationFailed = 10,
};

/// An IEEE 802.15.4 link-layer address as carried in SLLAO / TLLAO (RFC 4944 §8):
/// a 16-bit short address or an EUI-64, most significant byte first, padded with
/// zeros to the 8-byte option boundary on the wire.
struct LinkLayerAddressOption {
  std::array<std::uint8_t, 8> bytes{};
  std::uint8_t size = 8;  ///< 2 (short) or 8 (extended)

  static LinkLayerAddressOption fromShort(std::uint16_t short_address);
  static LinkLayerAddressOption fromEui64(const std::array<std::uint8_t, 8>& eui64);
  friend bool operator==(const LinkLayerAddressOption&, const LinkLayerAddressOption&) = default;
};

/// Prefix Information Option (RFC 4861 §4.6.2).
struct PrefixInformationOption {
  std::uint8_t prefix_length = 64;
  bool on_link = false;     ///< L
  bool autonomous = false;  ///< A
  std::uint32_t valid_lifetime = 0;
  std::uint32_t preferred_lifetime = 0;
  Address prefix;
  friend bool operator==(const PrefixInformationOption&, const PrefixInformationOption&) = default;
};

/// Address Registration Option (RFC 6775) or, with `t` set, the Extended ARO (RFC 8505):
/// ARO carries an EUI-64 where EARO carries a Registration Ownership Verifier of 8, 16,
/// 24 or 32 bytes (option length 2..5).
struct AddressRegistrationOption {
  std::uint8_t status = 0;
  std::uint8_t opaque = 0;              ///< EARO only (reserved in ARO)
  std::uint8_t i_field = 0;             ///< EARO "I", 2 bits: meaning of opaque
  bool r = false;                       ///< EARO: the registering node is a router
  bool t = false;                       ///< EARO: TID present (distinguishes EARO from ARO)
  std::uint8_t tid = 0;                 ///< EARO transaction id
  std::uint16_t lifetime = 0;           ///< registration lifetime in units of 60 s
  std::array<std::uint8_t, 32> rovr{};  ///< EUI-64 (ARO) or ROVR (EARO), first rovr_size bytes
  std::uint8_t rovr_size = 8;

  friend bool operator==(const AddressRegistrationOption&,
                         const AddressRegistrationOption&) = default;
};

/// 6LoWPAN Context Option (RFC 6775 §4.2).
struct SixLowpanContextOption {
  std::uint8_t context_length = 64;  ///< prefix bits (0..128)
  bool compression = true;           ///< C
  std::uint8_t cid = 0;              ///< 0..15
  std::uint16_t valid_lifetime = 0;  ///< units of 60 s
  Address prefix;
  friend bool operator==(const SixLowpanContextOption&, const SixLowpanContextOption&) = default;
};

/// Authoritative Border Router Option (RFC 6775 §4.3).
struct AuthoritativeBorderRouterOption {
  std::uint32_t version = 0;         ///< Version Low + High
  std::uint16_t valid_lifetime = 0;  ///< units of 60 s; 0 means the default 10000
  Address border_router;
  friend bool operator==(const AuthoritativeBorderRouterOption&,
                         const AuthoritativeBorderRouterOption&) = default;
};

/// The options of one ND message. Unknown option types are skipped (RFC 4861 §4.6).
struct NdOptions {
  std::optional<LinkLayerAddressOption> source_ll;
  std::optional<LinkLayerAddressOption> target_ll;
  std::optional<PrefixInformationOption> prefix_info;
  std::optional<AddressRegistrationOption> aro;
  std::vector<SixLowpanContextOption> contexts;
  std::optional<AuthoritativeBorderRouterOption> abro;

  /// kMalformed for a zero option length or a known option with a wrong length,
  /// kTruncated when an option runs past the end.
  static Result<NdOptions> parse(ByteSpan data);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const NdOptions&, const NdOptions&) = default;
};

/// Router Solicitation body (RFC 4861 §4.1), after the ICMPv6 header.
struct RouterSolicitation {
  NdOptions options;
  static Result<RouterSolicitation> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
};

/// Router Advertisement body (RFC 4861 §4.2).
struct RouterAdvertisement {
  std::uint8_t cur_hop_limit = 0;
  bool managed = false;  ///< M
  bool other = false;    ///< O
  std::uint16_t router_lifetime = 0;
  std::uint32_t reachable_time = 0;
  std::uint32_t retrans_timer = 0;
  NdOptions options;
  static Result<RouterAdvertisement> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
};

/// Neighbor Solicitation body (RFC 4861 §4.3); with an (E)ARO it is a registration
/// (RFC 6775 §5.5, RFC 8505 §5).
struct NeighborSolicitation {
  Address target;
  NdOptions options;
  static Result<NeighborSolicitation> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
};

/// Neighbor Advertisement body (RFC 4861 §4.4).
struct NeighborAdvertisement {
  bool router = false;         ///< R
  bool solicited = false;      ///< S
  bool override_flag = false;  ///< O
  Address target;
  NdOptions options;
  static Result<NeighborAdvertisement> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
};

}  // namespace lpm::ipv6
