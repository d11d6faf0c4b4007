#include "lpmesh/btmesh/config_server.hpp"

#include <algorithm>

#include "lpmesh/btmesh/beacon.hpp"
#include "lpmesh/btmesh/heartbeat.hpp"
#include "lpmesh/btmesh/key_refresh.hpp"

namespace lpm::btmesh {

namespace {

constexpr std::string_view kLayer = "btmesh.cfgsrv";

/// Models without subscription lists or AppKey bindings: the configuration models.
bool isConfigurationModel(const ModelId& id) {
  return !id.isVendor() && (id.id == kConfigServerModelId || id.id == kConfigClientModelId);
}

}  // namespace

ConfigServer::ConfigServer(const platform::Platform& platform, const NodeConfig& config,
                           Access& access, Network& network, KeyStore& keys,
                           ProductIdentity product)
    : platform_(platform),
      config_(config),
      access_(access),
      network_(network),
      keys_(keys),
      product_(product) {}

ConfigServer::~ConfigServer() {
  platform_.timers->stop(reset_timer_);
}

void ConfigServer::setProcedures(Beacons* beacons, HeartbeatService* heartbeat,
                                 KeyRefresh* key_refresh) {
  beacons_ = beacons;
  heartbeat_ = heartbeat;
  key_refresh_ = key_refresh;
}

Model& ConfigServer::attach() {
  return access_.addModel(0, ModelId::sig(kConfigServerModelId), this, /*dev_key_only=*/true);
}

CompositionPage0 ConfigServer::composition() const {
  return CompositionPage0::describe(product_, access_, config_);
}

bool ConfigServer::handles(Opcode opcode) const {
  switch (opcode) {
    case op::kAppKeyAdd:
    case op::kAppKeyUpdate:
    case op::kModelPublicationSet:
    case op::kAppKeyDelete:
    case op::kAppKeyGet:
    case op::kCompositionDataGet:
    case op::kBeaconGet:
    case op::kBeaconSet:
    case op::kDefaultTtlGet:
    case op::kDefaultTtlSet:
    case op::kFriendGet:
    case op::kFriendSet:
    case op::kGattProxyGet:
    case op::kGattProxySet:
    case op::kKeyRefreshPhaseGet:
    case op::kKeyRefreshPhaseSet:
    case op::kModelPublicationGet:
    case op::kModelPublicationVirtualAddressSet:
    case op::kModelSubscriptionAdd:
    case op::kModelSubscriptionDelete:
    case op::kModelSubscriptionDeleteAll:
    case op::kModelSubscriptionOverwrite:
    case op::kModelSubscriptionVirtualAddressAdd:
    case op::kModelSubscriptionVirtualAddressDelete:
    case op::kModelSubscriptionVirtualAddressOverwrite:
    case op::kNetworkTransmitGet:
    case op::kNetworkTransmitSet:
    case op::kRelayGet:
    case op::kRelaySet:
    case op::kSigModelSubscriptionGet:
    case op::kVendorModelSubscriptionGet:
    case op::kLpnPollTimeoutGet:
    case op::kHeartbeatPublicationGet:
    case op::kHeartbeatPublicationSet:
    case op::kHeartbeatSubscriptionGet:
    case op::kHeartbeatSubscriptionSet:
    case op::kModelAppBind:
    case op::kModelAppUnbind:
    case op::kNetKeyAdd:
    case op::kNetKeyDelete:
    case op::kNetKeyGet:
    case op::kNetKeyUpdate:
    case op::kNodeIdentityGet:
    case op::kNodeIdentitySet:
    case op::kNodeReset:
    case op::kSigModelAppGet:
    case op::kVendorModelAppGet:
      return true;
    default:
      return false;
  }
}

void ConfigServer::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                             Opcode opcode, ByteSpan params) {
  auto msg = parseConfigMessage(opcode, params);
  const bool ok = msg.ok() && handle(ctx, *msg);
  if (ok) {
    ++stats_.handled;
  } else {
    ++stats_.ignored;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "ignored");
  }
}

template <class T>
void ConfigServer::respond(const MessageContext& ctx, const T& message) {
  Bytes params;
  message.encode(params);
  (void)access_.reply(ctx, T::kOpcode, params);
}

std::optional<ConfigServer::ModelRef> ConfigServer::findModel(Address element, const ModelId& id) {
  // §4.3.2: an element address that is not unicast makes the message invalid.
  if (!isUnicast(element)) return std::nullopt;
  const auto index = access_.elementOf(element);
  if (!index) return ModelRef{ConfigStatus::kInvalidAddress, nullptr};
  Model* m = access_.findModel(*index, id);
  if (m == nullptr) return ModelRef{ConfigStatus::kInvalidModel, nullptr};
  return ModelRef{ConfigStatus::kSuccess, m};
}

void ConfigServer::unbindEverywhere(AppKeyIndex app_idx) {
  for (std::size_t e = 0; e < access_.elementCount(); ++e) {
    for (auto& m : access_.element(e).models) {
      if (m->boundTo(app_idx)) (void)access_.unbind(*m, app_idx);
    }
  }
}

std::uint16_t ConfigServer::featuresNow() const {
  return heartbeat_ != nullptr ? heartbeat_->activeFeatures() : 0;
}

void ConfigServer::featuresChanged(std::uint16_t before) {
  if (heartbeat_ != nullptr) heartbeat_->onFeaturesChanged(before);
}

std::uint8_t ConfigServer::nodeIdentity(NetKeyIndex net_idx) const {
  if (network_.states().proxy == FeatureState::kNotSupported) return 2;
  const LocalTime now = platform_.timers->now();
  for (const auto& n : node_identity_) {
    if (n.net_idx == net_idx && n.until > now) return 1;
  }
  return 0;
}

ConfigModelPublicationStatus ConfigServer::publicationStatus(ConfigStatus status, Address element,
                                                             const ModelId& id,
                                                             const Model* model) const {
  ConfigModelPublicationStatus s;
  s.status = status;
  s.element = element;
  s.model = id;
  // Zephyr: the publication fields are zero unless the request succeeded.
  if (status == ConfigStatus::kSuccess && model != nullptr) {
    const Publication& p = model->publication;
    s.publish_address = p.address;
    if (p.address != kUnassignedAddress) {
      s.fields.app_idx = p.app_idx;
      s.fields.credential_flag = p.friendship_credentials;
      s.fields.ttl = p.ttl;
      s.fields.period = p.period;
      s.fields.retransmit = p.retransmit;
    }
  }
  return s;
}

bool ConfigServer::onModelPublication(const MessageContext& ctx, Address element, const ModelId& id,
                                      Address address, const std::optional<LabelUuid>& label,
                                      const PublicationFields& f) {
  // §4.2.3.5: Publish TTL 0x80-0xFE is prohibited.
  if (f.ttl > 0x7F && f.ttl != kUseDefaultTtl) return false;
  auto ref = findModel(element, id);
  if (!ref) return false;
  ConfigStatus status = ref->status;
  if (status == ConfigStatus::kSuccess && isConfigurationModel(id)) {
    status = ConfigStatus::kInvalidPublishParameters;
  }
  if (status == ConfigStatus::kSuccess && address != kUnassignedAddress) {
    if (keys_.appKey(f.app_idx) == nullptr) {
      status = ConfigStatus::kInvalidAppKeyIndex;
    } else if (f.credential_flag && config_.low_power == FeatureState::kNotSupported) {
      // Friendship credentials are a Low Power node's (Zephyr: Feature Not Supported).
      status = ConfigStatus::kFeatureNotSupported;
    }
  }
  if (status == ConfigStatus::kSuccess) {
    Publication p;
    if (address != kUnassignedAddress) {
      p.address = address;
      p.label = label;
      p.app_idx = f.app_idx;
      p.friendship_credentials = f.credential_flag;
      p.ttl = f.ttl;
      p.period = f.period;
      p.retransmit = f.retransmit;
    }
    const Error e = access_.setPublication(*ref->model, p);
    if (e == Error::kNoBufs) status = ConfigStatus::kInsufficientResources;
    if (e == Error::kNotFound) status = ConfigStatus::kInvalidAppKeyIndex;
    if (e == Error::kInvalidArgs) status = ConfigStatus::kInvalidPublishParameters;
  }
  respond(ctx, publicationStatus(status, element, id, ref->model));
  return true;
}

bool ConfigServer::onModelSubscription(const MessageContext& ctx, Opcode opcode, Address element,
                                       const ModelId& id, Address address,
                                       const std::optional<LabelUuid>& label) {
  auto ref = findModel(element, id);
  if (!ref) return false;
  ConfigStatus status = ref->status;
  const bool delete_all = opcode == op::kModelSubscriptionDeleteAll;
  Address reported = delete_all ? kUnassignedAddress : address;
  if (label) reported = virtualAddress(*label);
  const bool add = opcode == op::kModelSubscriptionAdd ||
                   opcode == op::kModelSubscriptionOverwrite ||
                   opcode == op::kModelSubscriptionVirtualAddressAdd ||
                   opcode == op::kModelSubscriptionVirtualAddressOverwrite;
  const bool overwrite = opcode == op::kModelSubscriptionOverwrite ||
                         opcode == op::kModelSubscriptionVirtualAddressOverwrite;
  if (status == ConfigStatus::kSuccess && isConfigurationModel(id)) {
    status = ConfigStatus::kNotASubscribeModel;
  }
  // §4.3.2.19: not unassigned, unicast, virtual or the all-nodes address.
  if (status == ConfigStatus::kSuccess && !label && !delete_all &&
      (!isGroup(address) || address == kAllNodes)) {
    status = ConfigStatus::kInvalidAddress;
  }
  if (status == ConfigStatus::kSuccess) {
    Model& m = *ref->model;
    Error e = Error::kNone;
    if (delete_all || overwrite) access_.clearSubscriptions(m);
    if (add) {
      e = label ? access_.subscribeVirtual(m, *label) : access_.subscribe(m, address);
    } else if (!delete_all) {
      e = label ? access_.unsubscribeVirtual(m, *label) : access_.unsubscribe(m, address);
      if (e == Error::kNotFound) e = Error::kNone;  // deleting an absent entry succeeds
    }
    if (e == Error::kNoBufs) status = ConfigStatus::kInsufficientResources;
    if (e == Error::kInvalidArgs) status = ConfigStatus::kInvalidAddress;
  }
  respond(ctx, ConfigModelSubscriptionStatus{status, element, reported, id});
  return true;
}

bool ConfigServer::onModelSubscriptionGet(const MessageContext& ctx, Address element,
                                          const ModelId& id) {
  auto ref = findModel(element, id);
  if (!ref) return false;
  ConfigStatus status = ref->status;
  if (status == ConfigStatus::kSuccess && isConfigurationModel(id)) {
    status = ConfigStatus::kNotASubscribeModel;
  }
  std::vector<std::uint16_t> addresses;
  if (status == ConfigStatus::kSuccess) {
    for (const Subscription& s : ref->model->subscriptions)
      addresses.push_back(s.address);
  }
  if (id.isVendor()) {
    respond(ctx, ConfigVendorModelSubscriptionList{status, element, id, addresses});
  } else {
    respond(ctx, ConfigSigModelSubscriptionList{status, element, id, addresses});
  }
  return true;
}

bool ConfigServer::onModelApp(const MessageContext& ctx, bool bind, Address element,
                              const ModelId& id, AppKeyIndex app_idx) {
  auto ref = findModel(element, id);
  if (!ref) return false;
  ConfigStatus status = ref->status;
  if (status == ConfigStatus::kSuccess && keys_.appKey(app_idx) == nullptr) {
    status = ConfigStatus::kInvalidAppKeyIndex;
  }
  if (status == ConfigStatus::kSuccess && ref->model->dev_key_only) {
    // §4.4.1: the Configuration models use the device key only.
    status = ConfigStatus::kCannotBind;
  }
  if (status == ConfigStatus::kSuccess) {
    const Error e =
        bind ? access_.bind(*ref->model, app_idx) : access_.unbind(*ref->model, app_idx);
    if (e == Error::kNoBufs) status = ConfigStatus::kInsufficientResources;
    // Unbinding a key that is not bound succeeds (§4.3.2.47).
  }
  respond(ctx, ConfigModelAppStatus{status, element, app_idx, id});
  return true;
}

bool ConfigServer::onModelAppGet(const MessageContext& ctx, Address element, const ModelId& id) {
  auto ref = findModel(element, id);
  if (!ref) return false;
  ConfigStatus status = ref->status;
  std::vector<std::uint16_t> indexes;
  if (status == ConfigStatus::kSuccess) indexes = ref->model->bindings;
  if (id.isVendor()) {
    respond(ctx, ConfigVendorModelAppList{status, element, id, indexes});
  } else {
    respond(ctx, ConfigSigModelAppList{status, element, id, indexes});
  }
  return true;
}

bool ConfigServer::handle(const MessageContext& ctx, const ConfigMessage& message) {
  return std::visit(
      [&](const auto& m) -> bool {
        using T = std::decay_t<decltype(m)>;
        NetworkStates& states = network_.states();
        if constexpr (std::is_same_v<T, ConfigCompositionDataGet>) {
          // Only page 0 exists: a request for another page gets the highest page below
          // it, page 0 (§4.3.2.4).
          auto data = composition().encode();
          if (!data.ok()) return false;
          respond(ctx, ConfigCompositionDataStatus{0, std::move(*data)});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigBeaconGet> ||
                             std::is_same_v<T, ConfigBeaconSet>) {
          if constexpr (std::is_same_v<T, ConfigBeaconSet>) {
            if (m.value > 1) return false;
            beacon_state_ = m.value == 1;
            if (beacons_ != nullptr) beacons_->setSecureBeaconEnabled(beacon_state_);
          }
          const bool on = beacons_ != nullptr ? beacons_->secureBeaconEnabled() : beacon_state_;
          respond(ctx, ConfigBeaconStatus{static_cast<std::uint8_t>(on ? 1 : 0)});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigDefaultTtlGet> ||
                             std::is_same_v<T, ConfigDefaultTtlSet>) {
          if constexpr (std::is_same_v<T, ConfigDefaultTtlSet>) {
            // §4.2.7: 0x00 or 0x02-0x7F.
            if (m.value == 1 || m.value > 0x7F) return false;
            states.default_ttl = m.value;
          }
          respond(ctx, ConfigDefaultTtlStatus{states.default_ttl});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigGattProxyGet> ||
                             std::is_same_v<T, ConfigGattProxySet>) {
          if constexpr (std::is_same_v<T, ConfigGattProxySet>) {
            if (m.value > 1) return false;
            if (states.proxy != FeatureState::kNotSupported) {
              const std::uint16_t before = featuresNow();
              states.proxy = static_cast<FeatureState>(m.value);
              // §4.2.11: stopping the proxy stops Node Identity advertising.
              if (m.value == 0) node_identity_.clear();
              featuresChanged(before);
            }
          }
          respond(ctx, ConfigGattProxyStatus{static_cast<std::uint8_t>(states.proxy)});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigFriendGet> ||
                             std::is_same_v<T, ConfigFriendSet>) {
          if constexpr (std::is_same_v<T, ConfigFriendSet>) {
            if (m.value > 1) return false;
            if (states.friend_feature != FeatureState::kNotSupported) {
              const std::uint16_t before = featuresNow();
              states.friend_feature = static_cast<FeatureState>(m.value);
              featuresChanged(before);
            }
          }
          respond(ctx, ConfigFriendStatus{static_cast<std::uint8_t>(states.friend_feature)});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigRelayGet> ||
                             std::is_same_v<T, ConfigRelaySet>) {
          if constexpr (std::is_same_v<T, ConfigRelaySet>) {
            if (m.relay > 1) return false;
            if (states.relay != FeatureState::kNotSupported) {
              const std::uint16_t before = featuresNow();
              states.relay = static_cast<FeatureState>(m.relay);
              states.relay_retransmit = m.retransmit;
              featuresChanged(before);
            }
          }
          respond(ctx, ConfigRelayStatus{static_cast<std::uint8_t>(states.relay),
                                         states.relay_retransmit});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigNetworkTransmitGet> ||
                             std::is_same_v<T, ConfigNetworkTransmitSet>) {
          if constexpr (std::is_same_v<T, ConfigNetworkTransmitSet>) {
            states.network_transmit = TransmitState::decode(m.value);
          }
          respond(ctx, ConfigNetworkTransmitStatus{states.network_transmit.encode()});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigKeyRefreshPhaseGet>) {
          const Subnet* s = keys_.subnet(m.net_idx);
          respond(ctx,
                  ConfigKeyRefreshPhaseStatus{
                      s != nullptr ? ConfigStatus::kSuccess : ConfigStatus::kInvalidNetKeyIndex,
                      m.net_idx,
                      static_cast<std::uint8_t>(s != nullptr ? s->phase : KeyRefreshPhase{})});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigKeyRefreshPhaseSet>) {
          if (key_refresh_ == nullptr) return false;
          auto outcome = key_refresh_->setPhase(m.net_idx, m.transition);
          if (!outcome) return false;
          respond(ctx, ConfigKeyRefreshPhaseStatus{outcome->status, m.net_idx, outcome->phase});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigModelPublicationGet>) {
          auto ref = findModel(m.element, m.model);
          if (!ref) return false;
          respond(ctx, publicationStatus(ref->status, m.element, m.model, ref->model));
          return true;
        } else if constexpr (std::is_same_v<T, ConfigModelPublicationSet>) {
          // A virtual address comes with its Label UUID in the Virtual Address Set only.
          if (isVirtual(m.publish_address)) return false;
          return onModelPublication(ctx, m.element, m.model, m.publish_address, std::nullopt,
                                    m.fields);
        } else if constexpr (std::is_same_v<T, ConfigModelPublicationVirtualAddressSet>) {
          return onModelPublication(ctx, m.element, m.model, virtualAddress(m.label), m.label,
                                    m.fields);
        } else if constexpr (std::is_same_v<T, ConfigModelSubscriptionAdd> ||
                             std::is_same_v<T, ConfigModelSubscriptionDelete> ||
                             std::is_same_v<T, ConfigModelSubscriptionOverwrite>) {
          return onModelSubscription(ctx, T::kOpcode, m.element, m.model, m.address, std::nullopt);
        } else if constexpr (std::is_same_v<T, ConfigModelSubscriptionDeleteAll>) {
          return onModelSubscription(ctx, T::kOpcode, m.element, m.model, kUnassignedAddress,
                                     std::nullopt);
        } else if constexpr (std::is_same_v<T, ConfigModelSubscriptionVirtualAddressAdd> ||
                             std::is_same_v<T, ConfigModelSubscriptionVirtualAddressDelete> ||
                             std::is_same_v<T, ConfigModelSubscriptionVirtualAddressOverwrite>) {
          return onModelSubscription(ctx, T::kOpcode, m.element, m.model, virtualAddress(m.label),
                                     m.label);
        } else if constexpr (std::is_same_v<T, ConfigSigModelSubscriptionGet> ||
                             std::is_same_v<T, ConfigVendorModelSubscriptionGet>) {
          return onModelSubscriptionGet(ctx, m.element, m.model);
        } else if constexpr (std::is_same_v<T, ConfigModelAppBind>) {
          return onModelApp(ctx, true, m.element, m.model, m.app_idx);
        } else if constexpr (std::is_same_v<T, ConfigModelAppUnbind>) {
          return onModelApp(ctx, false, m.element, m.model, m.app_idx);
        } else if constexpr (std::is_same_v<T, ConfigSigModelAppGet> ||
                             std::is_same_v<T, ConfigVendorModelAppGet>) {
          return onModelAppGet(ctx, m.element, m.model);
        } else if constexpr (std::is_same_v<T, ConfigNetKeyAdd>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          const Error e = keys_.addNetKey(m.net_idx, m.key);
          if (e == Error::kAlreadyExists) status = ConfigStatus::kKeyIndexAlreadyStored;
          if (e == Error::kNoBufs) status = ConfigStatus::kInsufficientResources;
          if (e == Error::kNone && beacons_ != nullptr) (void)beacons_->sendNow(m.net_idx);
          respond(ctx, ConfigNetKeyStatus{status, m.net_idx});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigNetKeyUpdate>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          const Subnet* s = keys_.subnet(m.net_idx);
          if (s == nullptr) {
            status = ConfigStatus::kInvalidNetKeyIndex;
          } else if (s->phase == KeyRefreshPhase::kNormal && s->keys[0].net_key == m.key) {
            // Updating to the key already in use (Zephyr).
            status = ConfigStatus::kKeyIndexAlreadyStored;
          } else if (keys_.updateNetKey(m.net_idx, m.key) != Error::kNone) {
            status = ConfigStatus::kCannotUpdate;
          }
          respond(ctx, ConfigNetKeyStatus{status, m.net_idx});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigNetKeyDelete>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          if (keys_.subnet(m.net_idx) != nullptr) {
            if (m.net_idx == ctx.net_idx) {
              // §4.3.2.35: not the NetKey this message came with.
              status = ConfigStatus::kCannotRemove;
            } else {
              for (const AppKey& a : keys_.appKeys()) {
                if (a.net_idx == m.net_idx) unbindEverywhere(a.app_idx);
              }
              (void)keys_.deleteNetKey(m.net_idx);
              std::erase_if(node_identity_,
                            [&](const NodeIdentityEntry& n) { return n.net_idx == m.net_idx; });
              if (heartbeat_ != nullptr) heartbeat_->onSubnetDeleted(m.net_idx);
            }
          }
          respond(ctx, ConfigNetKeyStatus{status, m.net_idx});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigNetKeyGet>) {
          ConfigNetKeyList list;
          for (const Subnet& s : keys_.subnets())
            list.net_indexes.push_back(s.net_idx);
          respond(ctx, list);
          return true;
        } else if constexpr (std::is_same_v<T, ConfigAppKeyAdd>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          const AppKey* existing = keys_.appKey(m.app_idx);
          // Unknown NetKey, or an AppKey index already bound to another NetKey (Zephyr).
          if (keys_.subnet(m.net_idx) == nullptr ||
              (existing != nullptr && existing->net_idx != m.net_idx)) {
            status = ConfigStatus::kInvalidNetKeyIndex;
          } else {
            const Error e = keys_.addAppKey(m.app_idx, m.net_idx, m.key);
            if (e == Error::kAlreadyExists) status = ConfigStatus::kKeyIndexAlreadyStored;
            if (e == Error::kNoBufs) status = ConfigStatus::kInsufficientResources;
          }
          respond(ctx, ConfigAppKeyStatus{status, m.net_idx, m.app_idx});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigAppKeyUpdate>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          const AppKey* a = keys_.appKey(m.app_idx);
          const Subnet* s = keys_.subnet(m.net_idx);
          if (s == nullptr) {
            status = ConfigStatus::kInvalidNetKeyIndex;
          } else if (a == nullptr) {
            status = ConfigStatus::kInvalidAppKeyIndex;
          } else if (a->net_idx != m.net_idx) {
            status = ConfigStatus::kInvalidBinding;
          } else if (s->phase != KeyRefreshPhase::kPhase1) {
            status = ConfigStatus::kCannotUpdate;
          } else if (a->has_new && a->keys[1] != m.key) {
            status = ConfigStatus::kKeyIndexAlreadyStored;
          } else if (keys_.updateAppKey(m.app_idx, m.net_idx, m.key) != Error::kNone) {
            status = ConfigStatus::kUnspecifiedError;
          }
          respond(ctx, ConfigAppKeyStatus{status, m.net_idx, m.app_idx});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigAppKeyDelete>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          const AppKey* a = keys_.appKey(m.app_idx);
          if (keys_.subnet(m.net_idx) == nullptr) {
            status = ConfigStatus::kInvalidNetKeyIndex;
          } else if (a != nullptr && a->net_idx != m.net_idx) {
            status = ConfigStatus::kInvalidBinding;
          } else if (a != nullptr) {
            unbindEverywhere(m.app_idx);
            (void)keys_.deleteAppKey(m.app_idx, m.net_idx);
          }
          respond(ctx, ConfigAppKeyStatus{status, m.net_idx, m.app_idx});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigAppKeyGet>) {
          ConfigAppKeyList list;
          list.net_idx = m.net_idx;
          if (keys_.subnet(m.net_idx) == nullptr) {
            list.status = ConfigStatus::kInvalidNetKeyIndex;
          } else {
            for (const AppKey& a : keys_.appKeys()) {
              if (a.net_idx == m.net_idx) list.app_indexes.push_back(a.app_idx);
            }
          }
          respond(ctx, list);
          return true;
        } else if constexpr (std::is_same_v<T, ConfigNodeIdentityGet> ||
                             std::is_same_v<T, ConfigNodeIdentitySet>) {
          ConfigStatus status = ConfigStatus::kSuccess;
          if constexpr (std::is_same_v<T, ConfigNodeIdentitySet>) {
            if (m.identity > 1) return false;
          }
          if (keys_.subnet(m.net_idx) == nullptr) {
            status = ConfigStatus::kInvalidNetKeyIndex;
          } else if constexpr (std::is_same_v<T, ConfigNodeIdentitySet>) {
            if (network_.states().proxy != FeatureState::kNotSupported) {
              std::erase_if(node_identity_,
                            [&](const NodeIdentityEntry& n) { return n.net_idx == m.net_idx; });
              if (m.identity == 1) {
                node_identity_.push_back(
                    {m.net_idx, platform_.timers->now() + kNodeIdentityDuration});
              }
            }
          }
          const std::uint8_t identity =
              status == ConfigStatus::kSuccess ? nodeIdentity(m.net_idx) : std::uint8_t{0};
          respond(ctx, ConfigNodeIdentityStatus{status, m.net_idx, identity});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigHeartbeatPublicationGet>) {
          if (heartbeat_ == nullptr) return false;
          respond(ctx, heartbeat_->publicationStatus(ConfigStatus::kSuccess));
          return true;
        } else if constexpr (std::is_same_v<T, ConfigHeartbeatPublicationSet>) {
          if (heartbeat_ == nullptr) return false;
          // §4.2.17: CountLog 0x12-0xFE, PeriodLog above 0x11 and TTL above 0x7F are
          // prohibited.
          if (!heartbeatLogToValue(m.count_log, true) ||
              !heartbeatLogToValue(m.period_log, false) || m.ttl > 0x7F) {
            return false;
          }
          const ConfigStatus status = heartbeat_->setPublication(m);
          if (status == ConfigStatus::kSuccess) {
            respond(ctx, heartbeat_->publicationStatus(status));
          } else {
            respond(ctx,
                    ConfigHeartbeatPublicationStatus{status, m.destination, m.count_log,
                                                     m.period_log, m.ttl, m.features, m.net_idx});
          }
          return true;
        } else if constexpr (std::is_same_v<T, ConfigHeartbeatSubscriptionGet>) {
          if (heartbeat_ == nullptr) return false;
          respond(ctx, heartbeat_->subscriptionStatus(ConfigStatus::kSuccess));
          return true;
        } else if constexpr (std::is_same_v<T, ConfigHeartbeatSubscriptionSet>) {
          if (heartbeat_ == nullptr) return false;
          // §4.2.18: the source is unassigned or unicast; the destination unassigned, this
          // node's primary address or a group address; PeriodLog up to 0x11.
          if (m.source != kUnassignedAddress && !isUnicast(m.source)) return false;
          if (isVirtual(m.destination) ||
              (isUnicast(m.destination) && m.destination != network_.primaryAddress())) {
            return false;
          }
          if (!heartbeatLogToValue(m.period_log, false)) return false;
          const ConfigStatus status = heartbeat_->setSubscription(m);
          respond(ctx, heartbeat_->subscriptionStatus(status));
          return true;
        } else if constexpr (std::is_same_v<T, ConfigLpnPollTimeoutGet>) {
          if (!isUnicast(m.lpn_address)) return false;
          // No friendship exists before the Friend feature is implemented: PollTimeout 0.
          respond(ctx, ConfigLpnPollTimeoutStatus{m.lpn_address, 0});
          return true;
        } else if constexpr (std::is_same_v<T, ConfigNodeReset>) {
          respond(ctx, ConfigNodeResetStatus{});
          // The status leaves after the §3.7.3.1 response delay (at most 500 ms); the node
          // forgets its keys only once it is out.
          platform_.timers->start(reset_timer_, seconds(1));
          return true;
        } else {
          // Status messages are for the client.
          return false;
        }
      },
      message);
}

void ConfigServer::onResetTimer() {
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState, "node_reset");
  if (on_node_reset) {
    on_node_reset();
  } else {
    resetNode();
  }
}

void ConfigServer::resetNode() {
  for (std::size_t e = 0; e < access_.elementCount(); ++e) {
    for (auto& m : access_.element(e).models) {
      access_.clearSubscriptions(*m);
      (void)access_.setPublication(*m, Publication{});
      m->bindings.clear();
    }
  }
  if (heartbeat_ != nullptr) {
    (void)heartbeat_->setPublication(ConfigHeartbeatPublicationSet{});
    (void)heartbeat_->setSubscription(ConfigHeartbeatSubscriptionSet{});
  }
  while (!keys_.appKeys().empty()) {
    const AppKey a = keys_.appKeys().front();
    (void)keys_.deleteAppKey(a.app_idx, a.net_idx);
  }
  while (!keys_.subnets().empty())
    (void)keys_.deleteNetKey(keys_.subnets().front().net_idx);
  node_identity_.clear();
  if (platform_.settings != nullptr) platform_.settings->wipe();
}

}  // namespace lpm::btmesh
