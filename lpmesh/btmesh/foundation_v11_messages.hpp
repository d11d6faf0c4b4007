// Mesh Protocol 1.1 configuration messages of the Bridge Configuration models (§4.3.?
// Subnet Bridge, Bridging Table, Bridged Subnets) and of the Directed Forwarding
// Configuration models (Directed Control, Path Metric, Discovery Table Capabilities,
// Wanted Lanes, Two Way Path, Path Echo Interval, Directed (Control) Network Transmit and
// Relay Retransmit, RSSI Threshold, Directed Paths, Directed Publish Policy, Path Discovery
// Timing Control) as encodings: opcodes and parameter codecs. Their behaviour (bridging,
// directed forwarding) comes with the later issues. The Forwarding Table messages
// (0x8084-0x808F) are not covered yet.
//
// Little-endian; opcodes as listed by ESP-BLE-MESH (the only open 1.1 implementation of
// directed forwarding) and checked against the §8.12 / §8.16 sample messages.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "lpmesh/btmesh/config_messages.hpp"

namespace lpm::btmesh {

namespace op {
// Directed Forwarding Configuration
inline constexpr Opcode kDirectedControlGet = 0x807B;
inline constexpr Opcode kDirectedControlSet = 0x807C;
inline constexpr Opcode kDirectedControlStatus = 0x807D;
inline constexpr Opcode kPathMetricGet = 0x807E;
inline constexpr Opcode kPathMetricSet = 0x807F;
inline constexpr Opcode kPathMetricStatus = 0x8080;
inline constexpr Opcode kDiscoveryTableCapabilitiesGet = 0x8081;
inline constexpr Opcode kDiscoveryTableCapabilitiesSet = 0x8082;
inline constexpr Opcode kDiscoveryTableCapabilitiesStatus = 0x8083;
inline constexpr Opcode kWantedLanesGet = 0x8090;
inline constexpr Opcode kWantedLanesSet = 0x8091;
inline constexpr Opcode kWantedLanesStatus = 0x8092;
inline constexpr Opcode kTwoWayPathGet = 0x8093;
inline constexpr Opcode kTwoWayPathSet = 0x8094;
inline constexpr Opcode kTwoWayPathStatus = 0x8095;
inline constexpr Opcode kPathEchoIntervalGet = 0x8096;
inline constexpr Opcode kPathEchoIntervalSet = 0x8097;
inline constexpr Opcode kPathEchoIntervalStatus = 0x8098;
inline constexpr Opcode kDirectedNetworkTransmitGet = 0x8099;
inline constexpr Opcode kDirectedNetworkTransmitSet = 0x809A;
inline constexpr Opcode kDirectedNetworkTransmitStatus = 0x809B;
inline constexpr Opcode kDirectedRelayRetransmitGet = 0x809C;
inline constexpr Opcode kDirectedRelayRetransmitSet = 0x809D;
inline constexpr Opcode kDirectedRelayRetransmitStatus = 0x809E;
inline constexpr Opcode kRssiThresholdGet = 0x809F;
inline constexpr Opcode kRssiThresholdSet = 0x80A0;
inline constexpr Opcode kRssiThresholdStatus = 0x80A1;
inline constexpr Opcode kDirectedPathsGet = 0x80A2;
inline constexpr Opcode kDirectedPathsStatus = 0x80A3;
inline constexpr Opcode kDirectedPublishPolicyGet = 0x80A4;
inline constexpr Opcode kDirectedPublishPolicySet = 0x80A5;
inline constexpr Opcode kDirectedPublishPolicyStatus = 0x80A6;
inline constexpr Opcode kPathDiscoveryTimingControlGet = 0x80A7;
inline constexpr Opcode kPathDiscoveryTimingControlSet = 0x80A8;
inline constexpr Opcode kPathDiscoveryTimingControlStatus = 0x80A9;
inline constexpr Opcode kDirectedControlNetworkTransmitGet = 0x80AB;
inline constexpr Opcode kDirectedControlNetworkTransmitSet = 0x80AC;
inline constexpr Opcode kDirectedControlNetworkTransmitStatus = 0x80AD;
inline constexpr Opcode kDirectedControlRelayRetransmitGet = 0x80AE;
inline constexpr Opcode kDirectedControlRelayRetransmitSet = 0x80AF;
inline constexpr Opcode kDirectedControlRelayRetransmitStatus = 0x80B0;
// Bridge Configuration
inline constexpr Opcode kSubnetBridgeGet = 0x80B1;
inline constexpr Opcode kSubnetBridgeSet = 0x80B2;
inline constexpr Opcode kSubnetBridgeStatus = 0x80B3;
inline constexpr Opcode kBridgingTableAdd = 0x80B4;
inline constexpr Opcode kBridgingTableRemove = 0x80B5;
inline constexpr Opcode kBridgingTableStatus = 0x80B6;
inline constexpr Opcode kBridgedSubnetsGet = 0x80B7;
inline constexpr Opcode kBridgedSubnetsList = 0x80B8;
inline constexpr Opcode kBridgingTableGet = 0x80B9;
inline constexpr Opcode kBridgingTableList = 0x80BA;
inline constexpr Opcode kBridgingTableSizeGet = 0x80BB;
inline constexpr Opcode kBridgingTableSizeStatus = 0x80BC;
}  // namespace op

// ---------------------------------------------------------------------------------------
// Subnet bridge

using SubnetBridgeGet = ConfigEmptyMessage<op::kSubnetBridgeGet>;
using SubnetBridgeSet = ConfigOctetMessage<op::kSubnetBridgeSet>;
using SubnetBridgeStatus = ConfigOctetMessage<op::kSubnetBridgeStatus>;

/// Bridging Table Add: Directions, NetKeyIndex1/2 (packed), Address1, Address2.
struct BridgingTableAdd {
  static constexpr Opcode kOpcode = op::kBridgingTableAdd;
  std::uint8_t directions = 0;  ///< 0x01 one way (1 -> 2), 0x02 both ways
  NetKeyIndex net_idx1 = 0;
  NetKeyIndex net_idx2 = 0;
  Address address1 = 0;
  Address address2 = 0;
  static Result<BridgingTableAdd> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgingTableAdd&, const BridgingTableAdd&) = default;
};

/// Bridging Table Remove: NetKeyIndex1/2, Address1, Address2.
struct BridgingTableRemove {
  static constexpr Opcode kOpcode = op::kBridgingTableRemove;
  NetKeyIndex net_idx1 = 0;
  NetKeyIndex net_idx2 = 0;
  Address address1 = 0;
  Address address2 = 0;
  static Result<BridgingTableRemove> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgingTableRemove&, const BridgingTableRemove&) = default;
};

/// Bridging Table Status: Status, Directions, NetKeyIndex1/2, Address1, Address2.
struct BridgingTableStatus {
  static constexpr Opcode kOpcode = op::kBridgingTableStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  std::uint8_t directions = 0;
  NetKeyIndex net_idx1 = 0;
  NetKeyIndex net_idx2 = 0;
  Address address1 = 0;
  Address address2 = 0;
  static Result<BridgingTableStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgingTableStatus&, const BridgingTableStatus&) = default;
};

/// Bridged Subnets Get: Filter (2 bits) | Prohibited (2) | NetKeyIndex (12), Start Index.
struct BridgedSubnetsGet {
  static constexpr Opcode kOpcode = op::kBridgedSubnetsGet;
  std::uint8_t filter = 0;  ///< 0 all, 1 first index matches, 2 second, 3 either
  NetKeyIndex net_idx = 0;
  std::uint8_t start_index = 0;
  static Result<BridgedSubnetsGet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgedSubnetsGet&, const BridgedSubnetsGet&) = default;
};

/// Bridged Subnets List: filter and NetKeyIndex as in the Get, Start Index, and pairs of
/// bridged NetKey indexes (3 octets each).
struct BridgedSubnetsList {
  static constexpr Opcode kOpcode = op::kBridgedSubnetsList;
  std::uint8_t filter = 0;
  NetKeyIndex net_idx = 0;
  std::uint8_t start_index = 0;
  std::vector<std::pair<NetKeyIndex, NetKeyIndex>> subnets;
  static Result<BridgedSubnetsList> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgedSubnetsList&, const BridgedSubnetsList&) = default;
};

/// Bridging Table Get: NetKeyIndex1/2, Start Index (2 octets).
struct BridgingTableGet {
  static constexpr Opcode kOpcode = op::kBridgingTableGet;
  NetKeyIndex net_idx1 = 0;
  NetKeyIndex net_idx2 = 0;
  std::uint16_t start_index = 0;
  static Result<BridgingTableGet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgingTableGet&, const BridgingTableGet&) = default;
};

/// Bridging Table List: Status, NetKeyIndex1/2, Start Index, then entries of Address1,
/// Address2, Directions (5 octets each).
struct BridgingTableList {
  static constexpr Opcode kOpcode = op::kBridgingTableList;
  struct Entry {
    Address address1 = 0;
    Address address2 = 0;
    std::uint8_t directions = 0;
    friend bool operator==(const Entry&, const Entry&) = default;
  };
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx1 = 0;
  NetKeyIndex net_idx2 = 0;
  std::uint16_t start_index = 0;
  std::vector<Entry> entries;
  static Result<BridgingTableList> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgingTableList&, const BridgingTableList&) = default;
};

using BridgingTableSizeGet = ConfigEmptyMessage<op::kBridgingTableSizeGet>;

/// Bridging Table Size Status: Bridging Table Size (2 octets).
struct BridgingTableSizeStatus {
  static constexpr Opcode kOpcode = op::kBridgingTableSizeStatus;
  std::uint16_t size = 0;
  static Result<BridgingTableSizeStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const BridgingTableSizeStatus&, const BridgingTableSizeStatus&) = default;
};

// ---------------------------------------------------------------------------------------
// Directed forwarding configuration

/// NetKeyIndex followed by N state octets (the Sets of Wanted Lanes, Two Way Path, Path
/// Echo Interval, Discovery Table Capabilities, Path Metric).
template <Opcode kOp, std::size_t kN>
struct NetKeyIndexStateMessage {
  static constexpr Opcode kOpcode = kOp;
  NetKeyIndex net_idx = 0;
  std::array<std::uint8_t, kN> state{};
  static Result<NetKeyIndexStateMessage> parse(ByteSpan params) {
    ByteReader r(params);
    NetKeyIndexStateMessage m;
    m.net_idx = readKeyIndex(r);
    m.state = r.array<kN>();
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(net_idx);
    w.bytes(state);
  }
  friend bool operator==(const NetKeyIndexStateMessage&, const NetKeyIndexStateMessage&) = default;
};

/// Status, NetKeyIndex and N state octets (the matching Status messages).
template <Opcode kOp, std::size_t kN>
struct NetKeyIndexStatusMessage {
  static constexpr Opcode kOpcode = kOp;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  std::array<std::uint8_t, kN> state{};
  static Result<NetKeyIndexStatusMessage> parse(ByteSpan params) {
    ByteReader r(params);
    NetKeyIndexStatusMessage m;
    m.status = static_cast<ConfigStatus>(r.u8());
    m.net_idx = readKeyIndex(r);
    m.state = r.array<kN>();
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u8(static_cast<std::uint8_t>(status));
    w.u16le(net_idx);
    w.bytes(state);
  }
  friend bool operator==(const NetKeyIndexStatusMessage&,
                         const NetKeyIndexStatusMessage&) = default;
};

/// Directed Control state of a subnet (§4.2.26): five octets.
struct DirectedControlState {
  std::uint8_t directed_forwarding = 0;
  std::uint8_t directed_relay = 0;
  std::uint8_t directed_proxy = 0;                       ///< 0x02 = not supported
  std::uint8_t directed_proxy_use_directed_default = 0;  ///< 0xFF = do not process / n/a
  std::uint8_t directed_friend = 0;
  friend bool operator==(const DirectedControlState&, const DirectedControlState&) = default;
};

using DirectedControlGet = ConfigNetKeyIndexMessage<op::kDirectedControlGet>;

/// Directed Control Set: NetKeyIndex and the five states.
struct DirectedControlSet {
  static constexpr Opcode kOpcode = op::kDirectedControlSet;
  NetKeyIndex net_idx = 0;
  DirectedControlState state{};
  static Result<DirectedControlSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const DirectedControlSet&, const DirectedControlSet&) = default;
};

/// Directed Control Status: Status, NetKeyIndex and the five states.
struct DirectedControlStatus {
  static constexpr Opcode kOpcode = op::kDirectedControlStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  DirectedControlState state{};
  static Result<DirectedControlStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const DirectedControlStatus&, const DirectedControlStatus&) = default;
};

/// Path Metric state octet: Path Metric Type (3 bits) | Path Lifetime (2) | RFU (3).
struct PathMetric {
  std::uint8_t metric_type = 0;  ///< 0 = node count
  std::uint8_t lifetime = 0;     ///< 0 12 min, 1 2 h, 2 24 h, 3 10 days
  static Result<PathMetric> decode(std::uint8_t v);
  std::uint8_t encode() const {
    return static_cast<std::uint8_t>((metric_type & 0x07U) | ((lifetime & 0x03U) << 3));
  }
  friend bool operator==(const PathMetric&, const PathMetric&) = default;
};

using PathMetricGet = ConfigNetKeyIndexMessage<op::kPathMetricGet>;

/// Path Metric Set: NetKeyIndex, metric octet.
struct PathMetricSet {
  static constexpr Opcode kOpcode = op::kPathMetricSet;
  NetKeyIndex net_idx = 0;
  PathMetric metric{};
  static Result<PathMetricSet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const PathMetricSet&, const PathMetricSet&) = default;
};

/// Path Metric Status: Status, NetKeyIndex, metric octet.
struct PathMetricStatus {
  static constexpr Opcode kOpcode = op::kPathMetricStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  NetKeyIndex net_idx = 0;
  PathMetric metric{};
  static Result<PathMetricStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const PathMetricStatus&, const PathMetricStatus&) = default;
};

using DiscoveryTableCapabilitiesGet = ConfigNetKeyIndexMessage<op::kDiscoveryTableCapabilitiesGet>;
/// state[0] = Max Concurrent Init.
using DiscoveryTableCapabilitiesSet =
    NetKeyIndexStateMessage<op::kDiscoveryTableCapabilitiesSet, 1>;
/// state[0] = Max Concurrent Init, state[1] = Max Discovery Table Entries Count.
using DiscoveryTableCapabilitiesStatus =
    NetKeyIndexStatusMessage<op::kDiscoveryTableCapabilitiesStatus, 2>;

using WantedLanesGet = ConfigNetKeyIndexMessage<op::kWantedLanesGet>;
using WantedLanesSet = NetKeyIndexStateMessage<op::kWantedLanesSet, 1>;
using WantedLanesStatus = NetKeyIndexStatusMessage<op::kWantedLanesStatus, 1>;
using TwoWayPathGet = ConfigNetKeyIndexMessage<op::kTwoWayPathGet>;
using TwoWayPathSet = NetKeyIndexStateMessage<op::kTwoWayPathSet, 1>;
using TwoWayPathStatus = NetKeyIndexStatusMessage<op::kTwoWayPathStatus, 1>;
using PathEchoIntervalGet = ConfigNetKeyIndexMessage<op::kPathEchoIntervalGet>;
/// state = Unicast Echo Interval, Multicast Echo Interval.
using PathEchoIntervalSet = NetKeyIndexStateMessage<op::kPathEchoIntervalSet, 2>;
using PathEchoIntervalStatus = NetKeyIndexStatusMessage<op::kPathEchoIntervalStatus, 2>;

using DirectedNetworkTransmitGet = ConfigEmptyMessage<op::kDirectedNetworkTransmitGet>;
using DirectedNetworkTransmitSet = ConfigOctetMessage<op::kDirectedNetworkTransmitSet>;
using DirectedNetworkTransmitStatus = ConfigOctetMessage<op::kDirectedNetworkTransmitStatus>;
using DirectedRelayRetransmitGet = ConfigEmptyMessage<op::kDirectedRelayRetransmitGet>;
using DirectedRelayRetransmitSet = ConfigOctetMessage<op::kDirectedRelayRetransmitSet>;
using DirectedRelayRetransmitStatus = ConfigOctetMessage<op::kDirectedRelayRetransmitStatus>;
using DirectedControlNetworkTransmitGet =
    ConfigEmptyMessage<op::kDirectedControlNetworkTransmitGet>;
using DirectedControlNetworkTransmitSet =
    ConfigOctetMessage<op::kDirectedControlNetworkTransmitSet>;
using DirectedControlNetworkTransmitStatus =
    ConfigOctetMessage<op::kDirectedControlNetworkTransmitStatus>;
using DirectedControlRelayRetransmitGet =
    ConfigEmptyMessage<op::kDirectedControlRelayRetransmitGet>;
using DirectedControlRelayRetransmitSet =
    ConfigOctetMessage<op::kDirectedControlRelayRetransmitSet>;
using DirectedControlRelayRetransmitStatus =
    ConfigOctetMessage<op::kDirectedControlRelayRetransmitStatus>;

using RssiThresholdGet = ConfigEmptyMessage<op::kRssiThresholdGet>;
/// value = RSSI Margin.
using RssiThresholdSet = ConfigOctetMessage<op::kRssiThresholdSet>;

/// RSSI Threshold Status: Default RSSI Threshold (signed dBm), RSSI Margin.
struct RssiThresholdStatus {
  static constexpr Opcode kOpcode = op::kRssiThresholdStatus;
  std::int8_t default_rssi_threshold = 0;
  std::uint8_t rssi_margin = 0;
  static Result<RssiThresholdStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const RssiThresholdStatus&, const RssiThresholdStatus&) = default;
};

using DirectedPathsGet = ConfigEmptyMessage<op::kDirectedPathsGet>;

/// Directed Paths Status: Directed Node/Relay/Proxy/Friend Paths (2 octets each).
struct DirectedPathsStatus {
  static constexpr Opcode kOpcode = op::kDirectedPathsStatus;
  std::uint16_t node_paths = 0;
  std::uint16_t relay_paths = 0;
  std::uint16_t proxy_paths = 0;
  std::uint16_t friend_paths = 0;
  static Result<DirectedPathsStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const DirectedPathsStatus&, const DirectedPathsStatus&) = default;
};

using DirectedPublishPolicyGet = ConfigModelMessage<op::kDirectedPublishPolicyGet>;

/// Directed Publish Policy Set: policy (0 managed flooding, 1 directed forwarding),
/// ElementAddress, ModelIdentifier.
struct DirectedPublishPolicySet {
  static constexpr Opcode kOpcode = op::kDirectedPublishPolicySet;
  std::uint8_t policy = 0;
  Address element = 0;
  ModelId model{};
  static Result<DirectedPublishPolicySet> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const DirectedPublishPolicySet&,
                         const DirectedPublishPolicySet&) = default;
};

/// Directed Publish Policy Status: Status, policy, ElementAddress, ModelIdentifier.
struct DirectedPublishPolicyStatus {
  static constexpr Opcode kOpcode = op::kDirectedPublishPolicyStatus;
  ConfigStatus status = ConfigStatus::kSuccess;
  std::uint8_t policy = 0;
  Address element = 0;
  ModelId model{};
  static Result<DirectedPublishPolicyStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const DirectedPublishPolicyStatus&,
                         const DirectedPublishPolicyStatus&) = default;
};

using PathDiscoveryTimingControlGet = ConfigEmptyMessage<op::kPathDiscoveryTimingControlGet>;

/// Path Discovery Timing Control Set/Status: Path Monitoring Interval (s), Path Discovery
/// Retry Interval (s), Path Discovery Interval (bit 0: 0 = 5 s, 1 = 30 s) | Lane Discovery
/// Guard Interval (bit 1: 0 = 2 s, 1 = 10 s) | RFU (6).
template <Opcode kOp>
struct PathDiscoveryTimingControlMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint16_t path_monitoring_interval = 0;
  std::uint16_t path_discovery_retry_interval = 0;
  bool path_discovery_interval_30s = false;
  bool lane_discovery_guard_interval_10s = false;
  static Result<PathDiscoveryTimingControlMessage> parse(ByteSpan params) {
    ByteReader r(params);
    PathDiscoveryTimingControlMessage m;
    m.path_monitoring_interval = r.u16le();
    m.path_discovery_retry_interval = r.u16le();
    const std::uint8_t flags = r.u8();
    LPM_TRY(r.expectEnd());
    if ((flags & 0xFCU) != 0) return Error::kMalformed;
    m.path_discovery_interval_30s = (flags & 0x01U) != 0;
    m.lane_discovery_guard_interval_10s = (flags & 0x02U) != 0;
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u16le(path_monitoring_interval);
    w.u16le(path_discovery_retry_interval);
    w.u8(static_cast<std::uint8_t>((path_discovery_interval_30s ? 1U : 0U) |
                                   (lane_discovery_guard_interval_10s ? 2U : 0U)));
  }
  friend bool operator==(const PathDiscoveryTimingControlMessage&,
                         const PathDiscoveryTimingControlMessage&) = default;
};
using PathDiscoveryTimingControlSet =
    PathDiscoveryTimingControlMessage<op::kPathDiscoveryTimingControlSet>;
using PathDiscoveryTimingControlStatus =
    PathDiscoveryTimingControlMessage<op::kPathDiscoveryTimingControlStatus>;

/// Every 1.1 bridge and directed forwarding configuration message handled here.
using FoundationV11Message = std::variant<
    SubnetBridgeGet, SubnetBridgeSet, SubnetBridgeStatus, BridgingTableAdd, BridgingTableRemove,
    BridgingTableStatus, BridgedSubnetsGet, BridgedSubnetsList, BridgingTableGet, BridgingTableList,
    BridgingTableSizeGet, BridgingTableSizeStatus, DirectedControlGet, DirectedControlSet,
    DirectedControlStatus, PathMetricGet, PathMetricSet, PathMetricStatus,
    DiscoveryTableCapabilitiesGet, DiscoveryTableCapabilitiesSet, DiscoveryTableCapabilitiesStatus,
    WantedLanesGet, WantedLanesSet, WantedLanesStatus, TwoWayPathGet, TwoWayPathSet,
    TwoWayPathStatus, PathEchoIntervalGet, PathEchoIntervalSet, PathEchoIntervalStatus,
    DirectedNetworkTransmitGet, DirectedNetworkTransmitSet, DirectedNetworkTransmitStatus,
    DirectedRelayRetransmitGet, DirectedRelayRetransmitSet, DirectedRelayRetransmitStatus,
    RssiThresholdGet, RssiThresholdSet, RssiThresholdStatus, DirectedPathsGet, DirectedPathsStatus,
    DirectedPublishPolicyGet, DirectedPublishPolicySet, DirectedPublishPolicyStatus,
    PathDiscoveryTimingControlGet, PathDiscoveryTimingControlSet, PathDiscoveryTimingControlStatus,
    DirectedControlNetworkTransmitGet, DirectedControlNetworkTransmitSet,
    DirectedControlNetworkTransmitStatus, DirectedControlRelayRetransmitGet,
    DirectedControlRelayRetransmitSet, DirectedControlRelayRetransmitStatus>;

/// Decodes parameters by opcode; kUnsupported for an opcode not listed above.
Result<FoundationV11Message> parseFoundationV11Message(Opcode opcode, ByteSpan params);
/// Decodes opcode || parameters.
Result<FoundationV11Message> parseFoundationV11AccessMessage(ByteSpan access_message);
/// Opcode || parameters.
Bytes encodeFoundationV11Message(const FoundationV11Message& message);

}  // namespace lpm::btmesh
