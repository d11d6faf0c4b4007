// IPv6 extension headers (RFC 8200 §4): hop-by-hop and destination options with the
// RPL option (RFC 6553, renumbered by RFC 9008), the RPL source routing header
// (RFC 6554), the fragment header, and IPv6-in-IPv6 encapsulation (RFC 2473).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/tlv.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/ipv6/header.hpp"

namespace lpm::ipv6 {

/// Option types inside hop-by-hop / destination options headers.
namespace option {
inline constexpr std::uint8_t kPad1 = 0x00;
inline constexpr std::uint8_t kPadN = 0x01;
inline constexpr std::uint8_t kRpl = 0x63;         ///< RFC 6553 §6
inline constexpr std::uint8_t kRplRfc9008 = 0x23;  ///< RFC 9008 §11.1 (no rewrite in transit)
}  // namespace option

/// Options use the RPL/IPv6 shape: Pad1 is a lone byte, others are type, length, value.
inline TlvFormat optionFormat() {
  return TlvFormat::rplOption();
}

/// A hop-by-hop (RFC 8200 §4.3) or destination options (§4.6) header.
struct OptionsHeader {
  std::uint8_t next_header = proto::kNoNext;
  ByteSpan options;  ///< the options area (everything after the first two bytes)

  /// Reads one header from the start of `data` (bytes after it are ignored). kTruncated
  /// if `data` is shorter than the header says; kMalformed if its options do not tile
  /// the area exactly.
  static Result<OptionsHeader> parse(ByteSpan data);
  /// Size in bytes (2 + options, a multiple of 8 when built by buildOptionsHeader).
  std::size_t size() const { return 2 + options.size(); }
  /// First option of `type`; kNotFound if absent.
  Result<Tlv> find(std::uint8_t type) const;
};

/// Builds an options header from already-encoded options (each type, length, value),
/// padded at the end to a multiple of 8 bytes with Pad1 / PadN (RFC 8200 §4.2).
/// kTooLong if it would exceed 2048 bytes.
Result<Bytes> buildOptionsHeader(std::uint8_t next_header, ByteSpan encoded_options);

/// Appends one option (type, length, value) to `w`.
Error appendOption(VectorWriter& w, std::uint8_t type, ByteSpan value);

/// RPL option (RFC 6553 §6): the RPL Packet Information in a hop-by-hop header.
struct RplOption {
  bool down = false;              ///< O: packet expected to travel down
  bool rank_error = false;        ///< R
  bool forwarding_error = false;  ///< F
  std::uint8_t instance_id = 0;
  std::uint16_t sender_rank = 0;
  ByteSpan sub_tlvs;  ///< any bytes after the 4 defined ones (RFC 6553 allows sub-TLVs)

  static constexpr std::size_t kSize = 4;  ///< option data length without sub-TLVs

  /// Parses the option value; kTruncated under 4 bytes.
  static Result<RplOption> parse(ByteSpan value);
  template <class Writer>
  Error encode(Writer& w) const {
    w.u8(static_cast<std::uint8_t>((down ? 0x80 : 0) | (rank_error ? 0x40 : 0) |
                                   (forwarding_error ? 0x20 : 0)));
    w.u8(instance_id);
    w.u16be(sender_rank);
    w.bytes(sub_tlvs);
    return w.error();
  }
  /// The RPL option found in a hop-by-hop header (type 0x63 or 0x23); kNotFound if none.
  static Result<RplOption> find(const OptionsHeader& hbh);
  /// A complete 8-byte hop-by-hop header holding just this option.
  Result<Bytes> buildHopByHop(std::uint8_t next_header,
                              std::uint8_t option_type = option::kRpl) const;

  friend bool operator==(const RplOption& a, const RplOption& b) {
    return a.down == b.down && a.rank_error == b.rank_error &&
           a.forwarding_error == b.forwarding_error && a.instance_id == b.instance_id &&
           a.sender_rank == b.sender_rank;
  }
};

/// Any routing header (RFC 8200 §4.4): the four common fields and the type data.
struct RoutingHeader {
  std::uint8_t next_header = proto::kNoNext;
  std::uint8_t routing_type = 0;
  std::uint8_t segments_left = 0;
  ByteSpan data;  ///< type-specific data after the first four bytes

  static Result<RoutingHeader> parse(ByteSpan data);
  std::size_t size() const { return 4 + data.size(); }
};

/// RPL Source Routing Header, routing type 3 (RFC 6554 §3). Addresses are kept
/// expanded; the elided prefix bytes come from the IPv6 destination of the packet.
struct SourceRoutingHeader {
  static constexpr std::uint8_t kRoutingType = 3;

  std::uint8_t next_header = proto::kNoNext;
  std::uint8_t segments_left = 0;
  std::uint8_t cmpr_i = 0;  ///< prefix bytes elided from addresses 1..n-1
  std::uint8_t cmpr_e = 0;  ///< prefix bytes elided from address n
  std::uint8_t pad = 0;     ///< padding bytes after the addresses
  std::vector<Address> addresses;

  /// Parses a type-3 routing header starting at `data` and expands its addresses with
  /// the elided bytes of `ipv6_dst`. kUnsupported for another routing type, kMalformed
  /// when the lengths do not give a whole number of addresses or Segments Left > n.
  static Result<SourceRoutingHeader> parse(ByteSpan data, const Address& ipv6_dst);
  /// Builds a header for `hops` (segments_left = hops.size()), choosing the largest
  /// CmprI / CmprE that `ipv6_dst` allows, padded to a multiple of 8 bytes.
  static Result<SourceRoutingHeader> make(std::uint8_t next_header, std::vector<Address> hops,
                                          const Address& ipv6_dst);
  /// Encoded size in bytes.
  std::size_t size() const;
  /// Encodes with the current CmprI / CmprE / Pad; kInvalidArgs if an address does not
  /// share the elided bytes with `ipv6_dst` or the fields are out of range.
  Error encode(VectorWriter& w, const Address& ipv6_dst) const;
};

/// IPv6 fragment header (RFC 8200 §4.5).
struct FragmentHeader {
  static constexpr std::size_t kSize = 8;

  std::uint8_t next_header = proto::kNoNext;
  std::uint16_t offset_units = 0;  ///< 13 bits, 8-byte units
  bool more = false;
  std::uint32_t identification = 0;

  static Result<FragmentHeader> parse(ByteSpan data);
  template <class Writer>
  Error encode(Writer& w) const {
    if (offset_units > 0x1fff) return Error::kInvalidArgs;
    w.u8(next_header);
    w.u8(0);
    w.u16be(static_cast<std::uint16_t>((offset_units << 3) | (more ? 1 : 0)));
    w.u32be(identification);
    return w.error();
  }
  friend bool operator==(const FragmentHeader&, const FragmentHeader&) = default;
};

/// IPv6-in-IPv6 (RFC 2473): an outer header from src to dst carrying `inner`.
Result<Bytes> encapsulate(const Address& src, const Address& dst, std::uint8_t hop_limit,
                          ByteSpan inner);

}  // namespace lpm::ipv6
