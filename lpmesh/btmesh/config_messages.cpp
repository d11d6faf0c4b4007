#include "lpmesh/btmesh/config_messages.hpp"

namespace lpm::btmesh {

std::string_view configStatusName(ConfigStatus status) {
  switch (status) {
    case ConfigStatus::kSuccess:
      return "success";
    case ConfigStatus::kInvalidAddress:
      return "invalid_address";
    case ConfigStatus::kInvalidModel:
      return "invalid_model";
    case ConfigStatus::kInvalidAppKeyIndex:
      return "invalid_appkey_index";
    case ConfigStatus::kInvalidNetKeyIndex:
      return "invalid_netkey_index";
    case ConfigStatus::kInsufficientResources:
      return "insufficient_resources";
    case ConfigStatus::kKeyIndexAlreadyStored:
      return "key_index_already_stored";
    case ConfigStatus::kInvalidPublishParameters:
      return "invalid_publish_parameters";
    case ConfigStatus::kNotASubscribeModel:
      return "not_a_subscribe_model";
    case ConfigStatus::kStorageFailure:
      return "storage_failure";
    case ConfigStatus::kFeatureNotSupported:
      return "feature_not_supported";
    case ConfigStatus::kCannotUpdate:
      return "cannot_update";
    case ConfigStatus::kCannotRemove:
      return "cannot_remove";
    case ConfigStatus::kCannotBind:
      return "cannot_bind";
    case ConfigStatus::kTemporarilyUnableToChangeState:
      return "temporarily_unable";
    case ConfigStatus::kCannotSet:
      return "cannot_set";
    case ConfigStatus::kUnspecifiedError:
      return "unspecified_error";
    case ConfigStatus::kInvalidBinding:
      return "invalid_binding";
  }
  return "rfu";
}

// ---------------------------------------------------------------------------------------
// Field helpers

std::uint16_t readKeyIndex(ByteReader& r) {
  const std::uint16_t v = r.u16le();
  // §4.3.1.1: 12-bit indexes; the 4 upper bits are RFU and a sender sets them to 0.
  if (v > kMaxKeyIndex) r.fail(Error::kMalformed);
  return r.ok() ? v : 0;
}

void writeKeyIndexPair(VectorWriter& w, std::uint16_t first, std::uint16_t second) {
  const std::uint32_t packed = (first & 0x0FFFU) | ((std::uint32_t{second} & 0x0FFFU) << 12);
  w.u24le(packed);
}

std::pair<std::uint16_t, std::uint16_t> readKeyIndexPair(ByteReader& r) {
  const std::uint32_t packed = r.u24le();
  return {static_cast<std::uint16_t>(packed & 0x0FFFU),
          static_cast<std::uint16_t>((packed >> 12) & 0x0FFFU)};
}

void writeKeyIndexList(VectorWriter& w, const std::vector<std::uint16_t>& indexes) {
  std::size_t i = 0;
  for (; i + 1 < indexes.size(); i += 2)
    writeKeyIndexPair(w, indexes[i], indexes[i + 1]);
  if (i < indexes.size()) w.u16le(static_cast<std::uint16_t>(indexes[i] & 0x0FFFU));
}

std::vector<std::uint16_t> readKeyIndexList(ByteReader& r) {
  std::vector<std::uint16_t> out;
  if (r.remaining() % 3 == 1) {
    r.fail(Error::kMalformed);
    return out;
  }
  while (r.ok() && r.remaining() >= 3) {
    auto [a, b] = readKeyIndexPair(r);
    out.push_back(a);
    out.push_back(b);
  }
  if (r.ok() && r.remaining() == 2) out.push_back(readKeyIndex(r));
  return out;
}

void writeModelId(VectorWriter& w, const ModelId& id) {
  if (id.isVendor()) w.u16le(id.company);
  w.u16le(id.id);
}

ModelId readModelId(ByteReader& r, bool vendor) {
  ModelId m;
  if (vendor) m.company = r.u16le();
  m.id = r.u16le();
  // A vendor model with Company ID 0xFFFF would read back as a SIG model.
  if (vendor && m.company == kSigCompany) r.fail(Error::kMalformed);
  return m;
}

ModelId readTrailingModelId(ByteReader& r) {
  switch (r.remaining()) {
    case 2:
      return readModelId(r, false);
    case 4:
      return readModelId(r, true);
    case 0:
    case 1:
    case 3:
      r.fail(r.remaining() < 2 ? Error::kTruncated : Error::kMalformed);
      return {};
    default:
      r.fail(Error::kTrailing);
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// Messages

Result<ConfigAppKeyDelete> ConfigAppKeyDelete::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigAppKeyDelete m;
  std::tie(m.net_idx, m.app_idx) = readKeyIndexPair(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigAppKeyDelete::encode(Bytes& out) const {
  VectorWriter w(out);
  writeKeyIndexPair(w, net_idx, app_idx);
}

Result<ConfigAppKeyList> ConfigAppKeyList::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigAppKeyList m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  m.app_indexes = readKeyIndexList(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigAppKeyList::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
  writeKeyIndexList(w, app_indexes);
}

Result<ConfigAppKeyStatus> ConfigAppKeyStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigAppKeyStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  std::tie(m.net_idx, m.app_idx) = readKeyIndexPair(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigAppKeyStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  writeKeyIndexPair(w, net_idx, app_idx);
}

Result<ConfigCompositionDataStatus> ConfigCompositionDataStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigCompositionDataStatus m;
  m.page = r.u8();
  const ByteSpan rest = r.rest();
  if (!r.ok()) return r.error();
  m.data.assign(rest.begin(), rest.end());
  return m;
}

void ConfigCompositionDataStatus::encode(Bytes& out) const {
  out.push_back(page);
  out.insert(out.end(), data.begin(), data.end());
}

Result<ConfigKeyRefreshPhaseSet> ConfigKeyRefreshPhaseSet::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigKeyRefreshPhaseSet m;
  m.net_idx = readKeyIndex(r);
  m.transition = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigKeyRefreshPhaseSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(net_idx);
  w.u8(transition);
}

Result<ConfigKeyRefreshPhaseStatus> ConfigKeyRefreshPhaseStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigKeyRefreshPhaseStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  m.phase = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigKeyRefreshPhaseStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
  w.u8(phase);
}

void PublicationFields::write(VectorWriter& w) const {
  w.u16le(static_cast<std::uint16_t>((app_idx & 0x0FFFU) | (credential_flag ? 0x1000U : 0U)));
  w.u8(ttl);
  w.u8(period.encode());
  w.u8(retransmit.encode());
}

PublicationFields PublicationFields::read(ByteReader& r) {
  PublicationFields f;
  const std::uint16_t v = r.u16le();
  f.app_idx = static_cast<AppKeyIndex>(v & 0x0FFFU);
  f.credential_flag = (v & 0x1000U) != 0;
  // §4.3.2.16: bits 13-15 are RFU.
  if ((v & 0xE000U) != 0) r.fail(Error::kMalformed);
  f.ttl = r.u8();
  f.period = PublishPeriod::decode(r.u8());
  f.retransmit = PublishRetransmit::decode(r.u8());
  return f;
}

Result<ConfigModelPublicationSet> ConfigModelPublicationSet::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigModelPublicationSet m;
  m.element = r.u16le();
  m.publish_address = r.u16le();
  m.fields = PublicationFields::read(r);
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigModelPublicationSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(element);
  w.u16le(publish_address);
  fields.write(w);
  writeModelId(w, model);
}

Result<ConfigModelPublicationVirtualAddressSet> ConfigModelPublicationVirtualAddressSet::parse(
    ByteSpan params) {
  ByteReader r(params);
  ConfigModelPublicationVirtualAddressSet m;
  m.element = r.u16le();
  m.label = r.array<16>();
  m.fields = PublicationFields::read(r);
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigModelPublicationVirtualAddressSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(element);
  w.bytes(label);
  fields.write(w);
  writeModelId(w, model);
}

Result<ConfigModelPublicationStatus> ConfigModelPublicationStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigModelPublicationStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.element = r.u16le();
  m.publish_address = r.u16le();
  m.fields = PublicationFields::read(r);
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigModelPublicationStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(element);
  w.u16le(publish_address);
  fields.write(w);
  writeModelId(w, model);
}

Result<ConfigModelSubscriptionStatus> ConfigModelSubscriptionStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigModelSubscriptionStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.element = r.u16le();
  m.address = r.u16le();
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigModelSubscriptionStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(element);
  w.u16le(address);
  writeModelId(w, model);
}

Result<ConfigLpnPollTimeoutGet> ConfigLpnPollTimeoutGet::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigLpnPollTimeoutGet m{r.u16le()};
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigLpnPollTimeoutGet::encode(Bytes& out) const {
  VectorWriter(out).u16le(lpn_address);
}

Result<ConfigLpnPollTimeoutStatus> ConfigLpnPollTimeoutStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigLpnPollTimeoutStatus m;
  m.lpn_address = r.u16le();
  m.poll_timeout = r.u24le();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigLpnPollTimeoutStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(lpn_address);
  w.u24le(poll_timeout & 0xFFFFFFU);
}

Result<ConfigHeartbeatPublicationSet> ConfigHeartbeatPublicationSet::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigHeartbeatPublicationSet m;
  m.destination = r.u16le();
  m.count_log = r.u8();
  m.period_log = r.u8();
  m.ttl = r.u8();
  m.features = r.u16le();
  m.net_idx = readKeyIndex(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigHeartbeatPublicationSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(destination);
  w.u8(count_log);
  w.u8(period_log);
  w.u8(ttl);
  w.u16le(features);
  w.u16le(net_idx);
}

Result<ConfigHeartbeatPublicationStatus> ConfigHeartbeatPublicationStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigHeartbeatPublicationStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.destination = r.u16le();
  m.count_log = r.u8();
  m.period_log = r.u8();
  m.ttl = r.u8();
  m.features = r.u16le();
  m.net_idx = readKeyIndex(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigHeartbeatPublicationStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(destination);
  w.u8(count_log);
  w.u8(period_log);
  w.u8(ttl);
  w.u16le(features);
  w.u16le(net_idx);
}

Result<ConfigHeartbeatSubscriptionSet> ConfigHeartbeatSubscriptionSet::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigHeartbeatSubscriptionSet m;
  m.source = r.u16le();
  m.destination = r.u16le();
  m.period_log = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigHeartbeatSubscriptionSet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(source);
  w.u16le(destination);
  w.u8(period_log);
}

Result<ConfigHeartbeatSubscriptionStatus> ConfigHeartbeatSubscriptionStatus::parse(
    ByteSpan params) {
  ByteReader r(params);
  ConfigHeartbeatSubscriptionStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.source = r.u16le();
  m.destination = r.u16le();
  m.period_log = r.u8();
  m.count_log = r.u8();
  m.min_hops = r.u8();
  m.max_hops = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigHeartbeatSubscriptionStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(source);
  w.u16le(destination);
  w.u8(period_log);
  w.u8(count_log);
  w.u8(min_hops);
  w.u8(max_hops);
}

Result<ConfigModelAppStatus> ConfigModelAppStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigModelAppStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.element = r.u16le();
  m.app_idx = readKeyIndex(r);
  m.model = readTrailingModelId(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigModelAppStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(element);
  w.u16le(app_idx);
  writeModelId(w, model);
}

Result<ConfigNetKeyList> ConfigNetKeyList::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigNetKeyList m;
  m.net_indexes = readKeyIndexList(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigNetKeyList::encode(Bytes& out) const {
  VectorWriter w(out);
  writeKeyIndexList(w, net_indexes);
}

Result<ConfigNetKeyStatus> ConfigNetKeyStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigNetKeyStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigNetKeyStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
}

Result<ConfigNodeIdentitySet> ConfigNodeIdentitySet::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigNodeIdentitySet m;
  m.net_idx = readKeyIndex(r);
  m.identity = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigNodeIdentitySet::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u16le(net_idx);
  w.u8(identity);
}

Result<ConfigNodeIdentityStatus> ConfigNodeIdentityStatus::parse(ByteSpan params) {
  ByteReader r(params);
  ConfigNodeIdentityStatus m;
  m.status = static_cast<ConfigStatus>(r.u8());
  m.net_idx = readKeyIndex(r);
  m.identity = r.u8();
  LPM_TRY(r.expectEnd());
  return m;
}

void ConfigNodeIdentityStatus::encode(Bytes& out) const {
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(status));
  w.u16le(net_idx);
  w.u8(identity);
}

// ---------------------------------------------------------------------------------------
// Dispatch

Result<ConfigMessage> parseConfigMessage(Opcode opcode, ByteSpan params) {
  return parseMessageVariant<ConfigMessage>(opcode, params);
}

Result<ConfigMessage> parseConfigAccessMessage(ByteSpan access_message) {
  LPM_TRY_ASSIGN(AccessMessage m, AccessMessage::parse(access_message));
  return parseConfigMessage(m.opcode, m.params);
}

Opcode configOpcode(const ConfigMessage& message) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kOpcode; }, message);
}

Bytes encodeConfigParams(const ConfigMessage& message) {
  Bytes out;
  std::visit([&](const auto& m) { m.encode(out); }, message);
  return out;
}

Bytes encodeConfigMessage(const ConfigMessage& message) {
  return std::visit([](const auto& m) { return encodeAccessPayload(m); }, message);
}

std::optional<std::uint32_t> heartbeatLogToValue(std::uint8_t log, bool count) {
  if (log == 0) return 0;
  // A 16-bit count cannot hold 2^16: 0x11 saturates like 0xFF (as Zephyr does).
  if (count && log == 0x11) return 0xFFFF;
  if (log <= 0x11) return std::uint32_t{1} << (log - 1);
  if (count && log == 0xFF) return 0xFFFF;
  return std::nullopt;
}

std::uint8_t heartbeatValueToLog(std::uint32_t value) {
  if (value == 0) return 0;
  if (value == 0xFFFF) return 0xFF;
  std::uint8_t n = 0;
  while (value != 0) {
    ++n;
    value >>= 1;
  }
  return n;
}

}  // namespace lpm::btmesh
