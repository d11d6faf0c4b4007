#include "lpmesh/btmesh/config_client.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.cfgcli";
}  // namespace

std::optional<Opcode> configStatusOpcodeFor(Opcode request) {
  switch (request) {
    case op::kAppKeyAdd:
    case op::kAppKeyUpdate:
    case op::kAppKeyDelete:
      return op::kAppKeyStatus;
    case op::kAppKeyGet:
      return op::kAppKeyList;
    case op::kCompositionDataGet:
      return op::kCompositionDataStatus;
    case op::kBeaconGet:
    case op::kBeaconSet:
      return op::kBeaconStatus;
    case op::kDefaultTtlGet:
    case op::kDefaultTtlSet:
      return op::kDefaultTtlStatus;
    case op::kFriendGet:
    case op::kFriendSet:
      return op::kFriendStatus;
    case op::kGattProxyGet:
    case op::kGattProxySet:
      return op::kGattProxyStatus;
    case op::kKeyRefreshPhaseGet:
    case op::kKeyRefreshPhaseSet:
      return op::kKeyRefreshPhaseStatus;
    case op::kModelPublicationGet:
    case op::kModelPublicationSet:
    case op::kModelPublicationVirtualAddressSet:
      return op::kModelPublicationStatus;
    case op::kModelSubscriptionAdd:
    case op::kModelSubscriptionDelete:
    case op::kModelSubscriptionDeleteAll:
    case op::kModelSubscriptionOverwrite:
    case op::kModelSubscriptionVirtualAddressAdd:
    case op::kModelSubscriptionVirtualAddressDelete:
    case op::kModelSubscriptionVirtualAddressOverwrite:
      return op::kModelSubscriptionStatus;
    case op::kNetworkTransmitGet:
    case op::kNetworkTransmitSet:
      return op::kNetworkTransmitStatus;
    case op::kRelayGet:
    case op::kRelaySet:
      return op::kRelayStatus;
    case op::kSigModelSubscriptionGet:
      return op::kSigModelSubscriptionList;
    case op::kVendorModelSubscriptionGet:
      return op::kVendorModelSubscriptionList;
    case op::kLpnPollTimeoutGet:
      return op::kLpnPollTimeoutStatus;
    case op::kHeartbeatPublicationGet:
    case op::kHeartbeatPublicationSet:
      return op::kHeartbeatPublicationStatus;
    case op::kHeartbeatSubscriptionGet:
    case op::kHeartbeatSubscriptionSet:
      return op::kHeartbeatSubscriptionStatus;
    case op::kModelAppBind:
    case op::kModelAppUnbind:
      return op::kModelAppStatus;
    case op::kNetKeyAdd:
    case op::kNetKeyUpdate:
    case op::kNetKeyDelete:
      return op::kNetKeyStatus;
    case op::kNetKeyGet:
      return op::kNetKeyList;
    case op::kNodeIdentityGet:
    case op::kNodeIdentitySet:
      return op::kNodeIdentityStatus;
    case op::kNodeReset:
      return op::kNodeResetStatus;
    case op::kSigModelAppGet:
      return op::kSigModelAppList;
    case op::kVendorModelAppGet:
      return op::kVendorModelAppList;
    default:
      return std::nullopt;
  }
}

ConfigClient::ConfigClient(const platform::Platform& platform, Access& access, KeyStore& keys)
    : platform_(platform), access_(access), keys_(keys) {
  pending_.resize(kMaxPending);
}

ConfigClient::~ConfigClient() {
  platform_.timers->stop(timer_);
}

Model& ConfigClient::attach() {
  return access_.addModel(0, ModelId::sig(kConfigClientModelId), this, /*dev_key_only=*/true);
}

std::size_t ConfigClient::pending() const {
  return static_cast<std::size_t>(
      std::count_if(pending_.begin(), pending_.end(), [](const Pending& p) { return p.used; }));
}

bool ConfigClient::handles(Opcode opcode) const {
  switch (opcode) {
    case op::kAppKeyStatus:
    case op::kAppKeyList:
    case op::kCompositionDataStatus:
    case op::kBeaconStatus:
    case op::kDefaultTtlStatus:
    case op::kFriendStatus:
    case op::kGattProxyStatus:
    case op::kKeyRefreshPhaseStatus:
    case op::kModelPublicationStatus:
    case op::kModelSubscriptionStatus:
    case op::kNetworkTransmitStatus:
    case op::kRelayStatus:
    case op::kSigModelSubscriptionList:
    case op::kVendorModelSubscriptionList:
    case op::kLpnPollTimeoutStatus:
    case op::kHeartbeatPublicationStatus:
    case op::kHeartbeatSubscriptionStatus:
    case op::kModelAppStatus:
    case op::kNetKeyStatus:
    case op::kNetKeyList:
    case op::kNodeIdentityStatus:
    case op::kNodeResetStatus:
    case op::kSigModelAppList:
    case op::kVendorModelAppList:
      return true;
    default:
      return false;
  }
}

Error ConfigClient::request(Address dst, NetKeyIndex net_idx, const ConfigMessage& message,
                            Callback callback) {
  const Opcode opcode = configOpcode(message);
  const auto status_opcode = configStatusOpcodeFor(opcode);
  if (!status_opcode) return Error::kInvalidArgs;
  auto slot =
      std::find_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.used; });
  if (slot == pending_.end()) return Error::kNoBufs;
  const bool local = access_.elementOf(dst).has_value();
  if (!local && keys_.remoteDevKey(dst) == nullptr) return Error::kNotFound;
  const Bytes params = encodeConfigParams(message);
  MessageTx tx;
  tx.element = 0;
  tx.dst = dst;
  tx.net_idx = net_idx;
  tx.app_idx = local ? kDevKeyLocal : kDevKeyRemote;
  tx.opcode = opcode;
  tx.params = params;
  auto sent = access_.send(tx);
  if (!sent.ok()) {
    ++stats_.send_failed;
    return sent.error();
  }
  ++stats_.requests;
  slot->used = true;
  slot->dst = dst;
  slot->status_opcode = *status_opcode;
  slot->deadline = platform_.timers->now() + timeout;
  slot->callback = std::move(callback);
  arm();
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "request");
  return Error::kNone;
}

void ConfigClient::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                             Opcode opcode, ByteSpan params) {
  auto msg = parseConfigMessage(opcode, params);
  if (!msg.ok()) return;
  if (on_status) on_status(ctx.src, *msg);
  // The oldest request to this node that this status answers.
  Pending* match = nullptr;
  for (Pending& p : pending_) {
    if (p.used && p.dst == ctx.src && p.status_opcode == opcode &&
        (match == nullptr || p.deadline < match->deadline)) {
      match = &p;
    }
  }
  if (match == nullptr) {
    ++stats_.unmatched;
    return;
  }
  ++stats_.statuses;
  Callback cb = std::move(match->callback);
  *match = Pending{};
  arm();
  if (cb) cb(Error::kNone, ctx.src, &*msg);
}

void ConfigClient::arm() {
  LocalTime next = kLocalTimeNever;
  for (const Pending& p : pending_) {
    if (p.used) next = std::min(next, p.deadline);
  }
  if (next == kLocalTimeNever) {
    platform_.timers->stop(timer_);
  } else {
    platform_.timers->startAt(timer_, next);
  }
}

void ConfigClient::onTimer() {
  const LocalTime now = platform_.timers->now();
  for (Pending& p : pending_) {
    if (!p.used || p.deadline > now) continue;
    ++stats_.timeouts;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "timeout");
    Callback cb = std::move(p.callback);
    const Address dst = p.dst;
    p = Pending{};
    if (cb) cb(Error::kTimeout, dst, nullptr);
  }
  arm();
}

}  // namespace lpm::btmesh
