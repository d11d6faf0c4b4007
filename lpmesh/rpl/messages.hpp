// RPL control messages (RFC 6550 §6): DIS, DIO, DAO and DAO-ACK bodies carried in
// ICMPv6 type 155, and the control message options of §6.7. Codecs only: the RPL
// state machines use them.
//
// Options are kept as an ordered list because order carries meaning (in a DAO, Transit
// Information options apply to the Target options before them, RFC 6550 §9.4) and
// so that a parsed message re-encodes to the same bytes. Each option type is declared
// once as TLV metadata (core/tlv.hpp) with the RPL option format (Pad1 alone).
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/tlv.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::rpl {

/// ICMPv6 type of every RPL control message.
inline constexpr std::uint8_t kIcmpv6Type = 155;

/// RPL control message codes (RFC 6550 §6). 0x80..0x8A are the secure variants.
namespace code {
inline constexpr std::uint8_t kDis = 0x00;
inline constexpr std::uint8_t kDio = 0x01;
inline constexpr std::uint8_t kDao = 0x02;
inline constexpr std::uint8_t kDaoAck = 0x03;
inline constexpr std::uint8_t kSecureFlag = 0x80;
}  // namespace code

/// Control message option types (RFC 6550 §6.7).
namespace opt {
inline constexpr std::uint8_t kPad1 = 0x00;
inline constexpr std::uint8_t kPadN = 0x01;
inline constexpr std::uint8_t kDagMetricContainer = 0x02;
inline constexpr std::uint8_t kRouteInformation = 0x03;
inline constexpr std::uint8_t kDodagConfiguration = 0x04;
inline constexpr std::uint8_t kTarget = 0x05;
inline constexpr std::uint8_t kTransitInformation = 0x06;
inline constexpr std::uint8_t kSolicitedInformation = 0x07;
inline constexpr std::uint8_t kPrefixInformation = 0x08;
inline constexpr std::uint8_t kTargetDescriptor = 0x09;
}  // namespace opt

/// RFC 6550 §17 defaults.
inline constexpr std::uint8_t kDefaultDioIntervalMin = 3;
inline constexpr std::uint8_t kDefaultDioIntervalDoublings = 20;
inline constexpr std::uint8_t kDefaultDioRedundancyConstant = 10;
inline constexpr std::uint16_t kDefaultMinHopRankIncrease = 256;
inline constexpr std::uint16_t kInfiniteRank = 0xffff;

/// Modes of operation (RFC 6550 §6.3.1).
enum class Mop : std::uint8_t {
  kNoDownward = 0,
  kNonStoring = 1,
  kStoringNoMulticast = 2,
  kStoringMulticast = 3,
};

/// Pad1 (one byte, `length` 0) or PadN (`length` bytes of zeros after type and length).
/// Kept so that a parsed message re-encodes to the same bytes.
struct Padding {
  bool pad1 = false;
  std::uint8_t length = 0;  ///< PadN: bytes after type and length
  friend bool operator==(const Padding&, const Padding&) = default;
};

/// DAG Metric Container (RFC 6550 §6.7.4): RFC 6551 metric objects, kept opaque.
struct DagMetricContainer {
  Bytes data;
  static Result<DagMetricContainer> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const DagMetricContainer&, const DagMetricContainer&) = default;
};

/// Route Information (RFC 6550 §6.7.5, RFC 4191 §2.3).
struct RouteInformation {
  std::uint8_t prefix_length = 0;
  std::uint8_t preference = 0;  ///< Prf, 2 bits
  std::uint32_t route_lifetime = 0;
  ipv6::Address prefix;  ///< bits past prefix_length are zero
  static Result<RouteInformation> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const RouteInformation&, const RouteInformation&) = default;
};

/// DODAG Configuration (RFC 6550 §6.7.6), option length 14.
struct DodagConfiguration {
  bool authentication = false;         ///< A
  std::uint8_t path_control_size = 0;  ///< PCS, 3 bits
  std::uint8_t dio_interval_doublings = kDefaultDioIntervalDoublings;
  std::uint8_t dio_interval_min = kDefaultDioIntervalMin;
  std::uint8_t dio_redundancy_constant = kDefaultDioRedundancyConstant;
  std::uint16_t max_rank_increase = 0;
  std::uint16_t min_hop_rank_increase = kDefaultMinHopRankIncrease;
  std::uint16_t ocp = 0;  ///< objective code point; 0 = OF0 (RFC 6552)
  std::uint8_t default_lifetime = 0xff;
  std::uint16_t lifetime_unit = 0xffff;
  static Result<DodagConfiguration> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const DodagConfiguration&, const DodagConfiguration&) = default;
};

/// RPL Target (RFC 6550 §6.7.7): a prefix or address reachable through the sender.
struct Target {
  std::uint8_t flags = 0;
  std::uint8_t prefix_length = 128;
  ipv6::Address prefix;  ///< bits past prefix_length are zero
  static Result<Target> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const Target&, const Target&) = default;
};

/// Transit Information (RFC 6550 §6.7.8). The parent address is present in
/// non-storing mode and absent in storing mode.
struct TransitInformation {
  bool external = false;  ///< E
  std::uint8_t path_control = 0;
  std::uint8_t path_sequence = 0;
  std::uint8_t path_lifetime = 0;  ///< in Lifetime Units; 0 = no-path
  std::optional<ipv6::Address> parent;
  static Result<TransitInformation> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const TransitInformation&, const TransitInformation&) = default;
};

/// Solicited Information (RFC 6550 §6.7.9), option length 19.
struct SolicitedInformation {
  std::uint8_t instance_id = 0;
  bool match_version = false;   ///< V
  bool match_instance = false;  ///< I
  bool match_dodag_id = false;  ///< D
  ipv6::Address dodag_id;
  std::uint8_t version = 0;
  static Result<SolicitedInformation> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const SolicitedInformation&, const SolicitedInformation&) = default;
};

/// Prefix Information (RFC 6550 §6.7.10), option length 30.
struct PrefixInformation {
  std::uint8_t prefix_length = 64;
  bool on_link = false;         ///< L
  bool autonomous = false;      ///< A
  bool router_address = false;  ///< R: prefix holds the sender's full address
  std::uint32_t valid_lifetime = 0;
  std::uint32_t preferred_lifetime = 0;
  ipv6::Address prefix;
  static Result<PrefixInformation> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const PrefixInformation&, const PrefixInformation&) = default;
};

/// RPL Target Descriptor (RFC 6550 §6.7.11), option length 4.
struct TargetDescriptor {
  std::uint32_t descriptor = 0;
  static Result<TargetDescriptor> parse(ByteSpan value);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const TargetDescriptor&, const TargetDescriptor&) = default;
};

/// An option of a type this codec does not know, kept for forwarding (RFC 6550 §6.7.1:
/// unknown options are ignored, not fatal).
struct UnknownOption {
  std::uint8_t type = 0;
  Bytes value;
  friend bool operator==(const UnknownOption&, const UnknownOption&) = default;
};

/// The option types declared once as TLV metadata.
using DagMetricContainerTlv = TlvDef<opt::kDagMetricContainer, DagMetricContainer>;
using RouteInformationTlv = TlvDef<opt::kRouteInformation, RouteInformation>;
using DodagConfigurationTlv = TlvDef<opt::kDodagConfiguration, DodagConfiguration>;
using TargetTlv = TlvDef<opt::kTarget, Target>;
using TransitInformationTlv = TlvDef<opt::kTransitInformation, TransitInformation>;
using SolicitedInformationTlv = TlvDef<opt::kSolicitedInformation, SolicitedInformation>;
using PrefixInformationTlv = TlvDef<opt::kPrefixInformation, PrefixInformation>;
using TargetDescriptorTlv = TlvDef<opt::kTargetDescriptor, TargetDescriptor>;

using Option = std::variant<Padding, DagMetricContainer, RouteInformation, DodagConfiguration,
                            Target, TransitInformation, SolicitedInformation, PrefixInformation,
                            TargetDescriptor, UnknownOption>;

/// The options of one message, in order.
struct Options {
  std::vector<Option> list;

  /// Parses an options area. Errors: kTruncated (an option runs past the end),
  /// kMalformed (a known option with a wrong length or field value).
  static Result<Options> parse(ByteSpan data);
  Error encode(VectorWriter& w) const;

  /// First option of type T, or nullptr.
  template <class T>
  const T* find() const {
    for (const Option& o : list) {
      if (const T* p = std::get_if<T>(&o)) return p;
    }
    return nullptr;
  }
  /// Every option of type T, in order.
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const Option& o : list) {
      if (const T* p = std::get_if<T>(&o)) out.push_back(*p);
    }
    return out;
  }
  template <class T>
  void add(T option) {
    list.emplace_back(std::move(option));
  }
  friend bool operator==(const Options&, const Options&) = default;
};

/// DODAG Information Solicitation (RFC 6550 §6.2).
struct Dis {
  std::uint8_t flags = 0;
  Options options;
  static Result<Dis> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const Dis&, const Dis&) = default;
};

/// DODAG Information Object (RFC 6550 §6.3).
struct Dio {
  std::uint8_t instance_id = 0;
  std::uint8_t version = 0;
  std::uint16_t rank = kInfiniteRank;
  bool grounded = false;  ///< G
  Mop mop = Mop::kNonStoring;
  std::uint8_t preference = 0;  ///< Prf, 3 bits
  std::uint8_t dtsn = 0;
  std::uint8_t flags = 0;
  ipv6::Address dodag_id;
  Options options;
  static Result<Dio> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const Dio&, const Dio&) = default;
};

/// Destination Advertisement Object (RFC 6550 §6.4).
struct Dao {
  std::uint8_t instance_id = 0;
  bool ack_requested = false;  ///< K
  std::uint8_t flags = 0;      ///< the 6 bits after K and D
  std::uint8_t sequence = 0;
  std::optional<ipv6::Address> dodag_id;  ///< present iff D is set
  Options options;
  static Result<Dao> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const Dao&, const Dao&) = default;
};

/// DAO acknowledgment (RFC 6550 §6.5).
struct DaoAck {
  std::uint8_t instance_id = 0;
  std::uint8_t flags = 0;  ///< the 7 bits after D
  std::uint8_t sequence = 0;
  std::uint8_t status = 0;  ///< 0 accepted; 1..127 accepted with a caveat; 128+ rejected
  std::optional<ipv6::Address> dodag_id;
  Options options;
  static Result<DaoAck> parse(ByteSpan body);
  Error encode(VectorWriter& w) const;
  friend bool operator==(const DaoAck&, const DaoAck&) = default;
};

using Message = std::variant<Dis, Dio, Dao, DaoAck>;

/// The ICMPv6 code of a message.
std::uint8_t messageCode(const Message& m);

/// Parses an RPL message body (after the 4-byte ICMPv6 header) given its ICMPv6 code.
/// kUnsupported for secure messages and codes this codec does not know.
Result<Message> parseMessage(std::uint8_t icmp_code, ByteSpan body);

/// The message body (without the ICMPv6 header).
Result<Bytes> encodeMessage(const Message& m);

/// The complete ICMPv6 message (type 155, code, checksum for src -> dst, body).
Result<Bytes> buildIcmpv6Message(const ipv6::Address& src, const ipv6::Address& dst,
                                 const Message& m);

}  // namespace lpm::rpl
