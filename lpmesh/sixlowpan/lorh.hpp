// RFC 8138 6LoWPAN Routing Headers (6LoRH) in the RFC 8025 page-1 dispatch space:
// RPI-6LoRH (the RPL option, RFC 6553), SRH-6LoRH types 0-4 (the RPL source routing
// header, RFC 6554) and IP-in-IP-6LoRH (the outer IPv6 header of RPL tunnelling).
//
// A page-1 payload is 0xF1, a sequence of 6LoRHs, then the LOWPAN_IPHC of the
// (inner) packet. Critical 6LoRHs (100xxxxx) must be understood; elective ones
// (101xxxxx) carry their length and may be skipped (RFC 8138 §4.2).
#pragma once

#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"

namespace lpm::sixlowpan {

/// 6LoRH type numbers (RFC 8138 §10, IANA "Critical / Elective 6LoWPAN Routing Header Type").
namespace lorh_type {
inline constexpr std::uint8_t kSrhMax = 4;  ///< types 0..4: SRH-6LoRH with 1,2,4,8,16-byte hops
inline constexpr std::uint8_t kRpi = 5;
inline constexpr std::uint8_t kIpInIp = 6;
}  // namespace lorh_type

/// Bytes per compressed hop of an SRH-6LoRH type (RFC 8138 §5.1, Figure 7).
constexpr std::size_t srhHopSize(std::uint8_t type) {
  return type <= lorh_type::kSrhMax ? std::size_t{1} << type : 0;
}

/// RPI-6LoRH, critical type 5: `100 O R F I K`, [RPLInstanceID if I = 0], SenderRank
/// (1 byte = the rank's high byte if K = 1, else 2 bytes). RFC 8138 §6.3.
struct RpiLorh {
  bool down = false;              ///< O
  bool rank_error = false;        ///< R
  bool forwarding_error = false;  ///< F
  bool instance_elided = false;   ///< I: RPLInstanceID 0, elided
  bool rank_compressed = false;   ///< K: only the high byte of the rank is sent
  std::uint8_t instance_id = 0;
  std::uint16_t rank = 0;

  /// The most compact form of an RPL option (I when instance 0, K when the rank's low
  /// byte is 0).
  static RpiLorh compact(const ipv6::RplOption& rpi);
  /// The RPL option this header stands for.
  ipv6::RplOption toRplOption() const;
  std::size_t size() const {
    return 2U + (instance_elided ? 0U : 1U) + (rank_compressed ? 1U : 2U);
  }
  friend bool operator==(const RpiLorh&, const RpiLorh&) = default;
};

/// SRH-6LoRH, critical types 0..4: `100 Size` type, then Size + 1 hops of
/// srhHopSize(type) bytes each (RFC 8138 §5.1). Hops are kept as sent; expandSrh()
/// rebuilds the addresses.
struct SrhLorh {
  std::uint8_t type = 0;
  Bytes hop_bytes;  ///< hopCount() * srhHopSize(type) bytes

  std::size_t hopCount() const {
    return srhHopSize(type) == 0 ? 0 : hop_bytes.size() / srhHopSize(type);
  }
  ByteSpan hop(std::size_t i) const {
    return ByteSpan(hop_bytes).subspan(i * srhHopSize(type), srhHopSize(type));
  }
  std::size_t size() const { return 2 + hop_bytes.size(); }
  friend bool operator==(const SrhLorh&, const SrhLorh&) = default;
};

/// IP-in-IP-6LoRH, elective type 6: `101 Length` type, hop limit, then the encapsulator
/// address compressed to Length - 1 bytes (0 = elided: the root, 1, 2, 8 or 16 bytes).
struct IpInIpLorh {
  std::uint8_t hop_limit = 64;
  Bytes encapsulator;  ///< the address's last 0, 1, 2, 8 or 16 bytes

  std::size_t size() const { return 3 + encapsulator.size(); }
  /// The encapsulator address, its elided bytes taken from `reference` (the DODAG root
  /// or the context RFC 8138 §7 names).
  ipv6::Address expand(const ipv6::Address& reference) const;
  /// The shortest form of `encapsulator` relative to `reference`.
  static IpInIpLorh compact(std::uint8_t hop_limit, const ipv6::Address& encapsulator,
                            const ipv6::Address& reference);
  friend bool operator==(const IpInIpLorh&, const IpInIpLorh&) = default;
};

/// An elective 6LoRH this code does not interpret, kept so that it can be forwarded.
struct ElectiveLorh {
  std::uint8_t type = 0;
  Bytes content;  ///< 0..31 bytes
  std::size_t size() const { return 2 + content.size(); }
  friend bool operator==(const ElectiveLorh&, const ElectiveLorh&) = default;
};

using Lorh = std::variant<RpiLorh, SrhLorh, IpInIpLorh, ElectiveLorh>;

/// A page-1 payload split into its 6LoRHs and what follows them.
struct Page1 {
  std::vector<Lorh> headers;
  ByteSpan rest;  ///< after the last 6LoRH (normally a LOWPAN_IPHC)
};

/// Parses 6LoRHs from the start of `data` up to the first byte that is not 10xxxxxx.
/// kTruncated for a cut header, kUnsupported for an unknown critical type, kMalformed
/// for an IP-in-IP-6LoRH of an impossible length. `consumed` receives the bytes read.
Result<std::vector<Lorh>> parseLorhs(ByteSpan data, std::size_t& consumed);

/// Parses a payload that starts with the page-1 dispatch 0xF1 (kMalformed otherwise).
Result<Page1> parsePage1(ByteSpan payload);

/// Appends the 6LoRHs. kInvalidArgs for a header that cannot be encoded (an SRH with 0
/// or more than 32 hops or ragged hop bytes, I/K set with values they cannot carry,
/// an IP-in-IP address of another size, an ElectiveLorh of type 6 or content over 31).
Error encodeLorhs(const std::vector<Lorh>& headers, VectorWriter& w);

/// 0xF1, the 6LoRHs, then `rest`.
Result<Bytes> buildPage1(const std::vector<Lorh>& headers, ByteSpan rest);

/// The hops of a run of SRH-6LoRHs, each address completed from the previous one and
/// the first from `reference` (RFC 8138 §5.1: the compression reference is the root
/// for the first hop, then each expanded hop for the next).
std::vector<ipv6::Address> expandSrh(const std::vector<SrhLorh>& srhs,
                                     const ipv6::Address& reference);

/// SRH-6LoRHs for `hops`: each hop uses the smallest type that rebuilds it from the
/// previous address (the first from `reference`); consecutive hops of one type share a
/// header of up to 32 hops.
std::vector<SrhLorh> compressSrh(const std::vector<ipv6::Address>& hops,
                                 const ipv6::Address& reference);

}  // namespace lpm::sixlowpan
