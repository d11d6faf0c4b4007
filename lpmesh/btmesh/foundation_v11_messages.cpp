#include "lpmesh/btmesh/foundation_v11_messages.hpp"

namespace lpm::btmesh {

namespace {

/// Bridged Subnets Get/List first field: Filter (bits 0-1) | Prohibited (2-3) | NetKeyIndex.
std::uint16_t packFilter(std::uint8_t filter, NetKeyIndex net_idx) {
  return static_cast<std::uint16_t>((filter & 0x03U) | ((net_idx & 0x0FFFU) << 4));
}

void readFilter(ByteReader& r, std::uint8_t& filter, NetKeyIndex& net_idx) {
  const std::uint16_t v = r.u16le();
  if ((v & 0x000CU) != 0) r.fail(Error::kMalformed);
  filter = static_cast<std::uint8_t>(v & 0x03U);
  net_idx = static_cast<NetKeyIndex>(v >> 4);
}

}  // namespace

// --- bridge ------------------------------------------------------------------------------

Result<BridgingTableAdd> BridgingTableAdd::parse(ByteSpan params) {
  ByteReader r(params);
  BridgingTableAdd m;
  m.directions = r.u8();
  std::tie(m.net_idx1, m.net_idx2) = readKeyIndexPair(r);
  m.address1 = r.u16le();
  m.address2 = r.u16le();
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgingTableAdd::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(directions);
  writeKeyIndexPair(w, net_idx1, net_idx2);
  w.u16le(address1);
  w.u16le(address2);
}

Result<BridgingTableRemove> BridgingTableRemove::parse(ByteSpan params) {
  ByteReader r(params);
  BridgingTableRemove m;
  std::tie(m.net_idx1, m.net_idx2) = readKeyIndexPair(r);
  m.address1 = r.u16le();
  m.address2 = r.u16le();
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgingTableRemove::encode(Bytes& out) const {
  VectorWriter w(out);
  writeKeyIndexPair(w, net_idx1, net_idx2);
  w.u16le(address1);
  w.u16le(address2);
}

Result<BridgingTableStatus> BridgingTableStatus::parse(ByteSpan params) {
  ByteReader r(params);
  BridgingTableStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.directions = r.u8();
  std::tie(m.net_idx1, m.net_idx2) = readKeyIndexPair(r);
  m.address1 = r.u16le();
  m.address2 = r.u16le();
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgingTableStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u8(directions);
  writeKeyIndexPair(w, net_idx1, net_idx2);
  w.u16le(address1);
  w.u16le(address2);
}

Result<BridgedSubnetsGet> BridgedSubnetsGet::parse(ByteSpan params) {
  ByteReader r(params);
  BridgedSubnetsGet m;
  readFilter(r, m.filter, m.net_idx);
  m.start_index = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgedSubnetsGet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(packFilter(filter, net_idx));
  w.u8(start_index);
}

Result<BridgedSubnetsList> BridgedSubnetsList::parse(ByteSpan params) {
  ByteReader r(params);
  BridgedSubnetsList m;
  readFilter(r, m.filter, m.net_idx);
  m.start_index = r.u8();
  if (r.ok() && r.remaining() % 3 != 0) return Error::kMalformed;
  while (r.ok() && !r.atEnd())
    m.subnets.push_back(readKeyIndexPair(r));
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgedSubnetsList::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(packFilter(filter, net_idx));
  w.u8(start_index);
  for (const auto& [a, b] : subnets)
    writeKeyIndexPair(w, a, b);
}

Result<BridgingTableGet> BridgingTableGet::parse(ByteSpan params) {
  ByteReader r(params);
  BridgingTableGet m;
  std::tie(m.net_idx1, m.net_idx2) = readKeyIndexPair(r);
  m.start_index = r.u16le();
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgingTableGet::encode(Bytes& out) const {
  VectorWriter w(out);
  writeKeyIndexPair(w, net_idx1, net_idx2);
  w.u16le(start_index);
}

Result<BridgingTableList> BridgingTableList::parse(ByteSpan params) {
  ByteReader r(params);
  BridgingTableList m;
  m.status = static_cast<ConfigStatus>(r.u8());
  std::tie(m.net_idx1, m.net_idx2) = readKeyIndexPair(r);
  m.start_index = r.u16le();
  if (r.ok() && r.remaining() % 5 != 0) return Error::kMalformed;
  while (r.ok() && !r.atEnd()) {
    Entry e;
    e.address1 = r.u16le();
    e.address2 = r.u16le();
    e.directions = r.u8();
    m.entries.push_back(e);
  }
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgingTableList::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  writeKeyIndexPair(w, net_idx1, net_idx2);
  w.u16le(start_index);
  for (const Entry& e : entries) {
    w.u16le(e.address1);
    w.u16le(e.address2);
    w.u8(e.directions);
  }
}

Result<BridgingTableSizeStatus> BridgingTableSizeStatus::parse(ByteSpan params) {
  ByteReader r(params);
  BridgingTableSizeStatus m{r.u16le()};
  LPM_TRY(r.expectEnd());
  return m;
}

void BridgingTableSizeStatus::encode(Bytes& out) const {
  VectorWriter(out).u16le(size);
}

// --- directed forwarding ----------------------------------------------------------------

namespace {

DirectedControlState readDirectedControl(ByteReader& r) {
  DirectedControlState s;
  s.directed_forwarding = r.u8();
  s.directed_relay = r.u8();
  s.directed_proxy = r.u8();
  s.directed_proxy_use_directed_default = r.u8();
  s.directed_friend = r.u8();
  return s;
}

void writeDirectedControl(VectorWriter& w, const DirectedControlState& s) {
  w.u8(s.directed_forwarding);
  w.u8(s.directed_relay);
  w.u8(s.directed_proxy);
  w.u8(s.directed_proxy_use_directed_default);
  w.u8(s.directed_friend);
}

}  // namespace

Result<DirectedControlSet> DirectedControlSet::parse(ByteSpan params) {
  ByteReader r(params);
  DirectedControlSet m;
  m.net_idx = readKeyIndex(r);
  m.state = readDirectedControl(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void DirectedControlSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(net_idx);
  writeDirectedControl(w, state);
}

Result<DirectedControlStatus> DirectedControlStatus::parse(ByteSpan params) {
  ByteReader r(params);
  DirectedControlStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  m.state = readDirectedControl(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void DirectedControlStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
  writeDirectedControl(w, state);
}

Result<PathMetric> PathMetric::decode(std::uint8_t v) {
  if ((v & 0xE0U) != 0) return Error::kMalformed;  // RFU bits
  return PathMetric{static_cast<std::uint8_t>(v & 0x07U),
                    static_cast<std::uint8_t>((v >> 3) & 0x03U)};
}

Result<PathMetricSet> PathMetricSet::parse(ByteSpan params) {
  ByteReader r(params);
  PathMetricSet m;
  m.net_idx = readKeyIndex(r);
  const std::uint8_t v = r.u8();
  LPM_TRY(r.expectEnd());
  LPM_TRY_ASSIGN(m.metric, PathMetric::decode(v));
  return m;
}

void PathMetricSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(net_idx);
  w.u8(metric.encode());
}

Result<PathMetricStatus> PathMetricStatus::parse(ByteSpan params) {
  ByteReader r(params);
  PathMetricStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  const std::uint8_t v = r.u8();
  LPM_TRY(r.expectEnd());
  LPM_TRY_ASSIGN(m.metric, PathMetric::decode(v));
  return m;
}

void PathMetricStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
  w.u8(metric.encode());
}

Result<RssiThresholdStatus> RssiThresholdStatus::parse(ByteSpan params) {
  ByteReader r(params);
  RssiThresholdStatus m;
  m.default_rssi_threshold = static_cast<std::int8_t>(r.u8());
  m.rssi_margin = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void RssiThresholdStatus::encode(Bytes& out) const {
  out.push_back(static_cast<std::uint8_t>(default_rssi_threshold));
  out.push_back(rssi_margin);
}

Result<DirectedPathsStatus> DirectedPathsStatus::parse(ByteSpan params) {
  ByteReader r(params);
  DirectedPathsStatus m;
  m.node_paths = r.u16le();
  m.relay_paths = r.u16le();
  m.proxy_paths = r.u16le();
  m.friend_paths = r.u16le();
  LPM_TRY(r.expectEnd());
  return m;
}

void DirectedPathsStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(node_paths);
  w.u16le(relay_paths);
  w.u16le(proxy_paths);
  w.u16le(friend_paths);
}

Result<DirectedPublishPolicySet> DirectedPublishPolicySet::parse(ByteSpan params) {
  ByteReader r(params);
  DirectedPublishPolicySet m;
  m.policy = r.u8();
  m.element = r.u16le();
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void DirectedPublishPolicySet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(policy);
  w.u16le(element);
  writeModelId(w, model);
}

Result<DirectedPublishPolicyStatus> DirectedPublishPolicyStatus::parse(ByteSpan params) {
  ByteReader r(params);
  DirectedPublishPolicyStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.policy = r.u8();
  m.element = r.u16le();
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void DirectedPublishPolicyStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u8(policy);
  w.u16le(element);
  writeModelId(w, model);
}

// --- dispatch ----------------------------------------------------------------------------

Result<FoundationV11Message> parseFoundationV11Message(Opcode opcode, ByteSpan params) {
  return parseMessageVariant<FoundationV11Message>(opcode, params);
}

Result<FoundationV11Message> parseFoundationV11AccessMessage(ByteSpan access_message) {
  LPM_TRY_ASSIGN(AccessMessage m, AccessMessage::parse(access_message));
  return parseFoundationV11Message(m.opcode, m.params);
}

Bytes encodeFoundationV11Message(const FoundationV11Message& message) {
  return std::visit([](const auto& m) { return encodeAccessPayload(m); }, message);
}

}  // namespace lpm::btmesh
