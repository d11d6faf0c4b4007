#include "lpmesh/btmesh/heartbeat.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.hb";

Duration periodOf(std::uint8_t period_log) {
  return seconds(static_cast<std::int64_t>(heartbeatLogToValue(period_log, false).value_or(0)));
}
}  // namespace

HeartbeatService::HeartbeatService(const platform::Platform& platform, Network& network,
                                   UpperTransport& upper, KeyStore& keys)
    : platform_(platform), network_(network), upper_(upper), keys_(keys) {
  (void)upper_.addControlHandler(this);
}

HeartbeatService::~HeartbeatService() {
  upper_.removeControlHandler(this);
  platform_.timers->stop(pub_timer_);
  platform_.timers->stop(sub_timer_);
}

std::uint16_t HeartbeatService::activeFeatures() const {
  const NetworkStates& s = network_.states();
  std::uint16_t f = 0;
  if (s.relay == FeatureState::kEnabled) f |= Heartbeat::kRelay;
  if (s.proxy == FeatureState::kEnabled) f |= Heartbeat::kProxy;
  if (s.friend_feature == FeatureState::kEnabled) f |= Heartbeat::kFriend;
  if (low_power_) f |= Heartbeat::kLowPower;
  return f;
}

ConfigStatus HeartbeatService::setPublication(const ConfigHeartbeatPublicationSet& set) {
  if (isVirtual(set.destination)) return ConfigStatus::kInvalidAddress;
  platform_.timers->stop(pub_timer_);
  if (set.destination == kUnassignedAddress) {
    // §4.2.17.1: publication off; every other field reads back as 0.
    pub_ = HeartbeatPublication{};
    return ConfigStatus::kSuccess;
  }
  if (keys_.subnet(set.net_idx) == nullptr) return ConfigStatus::kInvalidNetKeyIndex;
  pub_.destination = set.destination;
  pub_.count = static_cast<std::uint16_t>(heartbeatLogToValue(set.count_log, true).value_or(0));
  pub_.period_log = set.period_log;
  pub_.ttl = set.ttl;
  pub_.features = static_cast<std::uint16_t>(set.features & 0x000FU);
  pub_.net_idx = set.net_idx;
  // §4.4.1.2.?: the first periodic Heartbeat goes out as soon as possible.
  if (pub_.count != 0 && pub_.period_log != 0) platform_.timers->start(pub_timer_, Duration{0});
  return ConfigStatus::kSuccess;
}

ConfigStatus HeartbeatService::setSubscription(const ConfigHeartbeatSubscriptionSet& set) {
  platform_.timers->stop(sub_timer_);
  sub_active_ = false;
  if (set.source == kUnassignedAddress || set.destination == kUnassignedAddress) {
    sub_ = HeartbeatSubscription{};
    return ConfigStatus::kSuccess;
  }
  if (set.period_log == 0) {
    // Counting stops; the results of the last period stay readable.
    sub_.period_log = 0;
    return ConfigStatus::kSuccess;
  }
  sub_.source = set.source;
  sub_.destination = set.destination;
  sub_.period_log = set.period_log;
  sub_.count = 0;
  sub_.min_hops = 0x7F;  // as Zephyr: lowered by the first Heartbeat
  sub_.max_hops = 0;
  sub_active_ = true;
  sub_end_ = platform_.timers->now() + periodOf(set.period_log);
  platform_.timers->startAt(sub_timer_, sub_end_);
  return ConfigStatus::kSuccess;
}

std::uint32_t HeartbeatService::subscriptionRemaining() const {
  if (!sub_active_) return 0;
  const Duration left = sub_end_ - platform_.timers->now();
  if (left <= Duration{0}) return 0;
  // Whole seconds, rounded up: a period that has started but not ended is not 0.
  return static_cast<std::uint32_t>((left.count() + 999'999'999) / 1'000'000'000);
}

ConfigHeartbeatPublicationStatus HeartbeatService::publicationStatus(ConfigStatus status) const {
  ConfigHeartbeatPublicationStatus s;
  s.status = status;
  s.destination = pub_.destination;
  s.count_log = heartbeatValueToLog(pub_.count);
  s.period_log = pub_.period_log;
  s.ttl = pub_.ttl;
  s.features = pub_.features;
  s.net_idx = pub_.net_idx;
  return s;
}

ConfigHeartbeatSubscriptionStatus HeartbeatService::subscriptionStatus(ConfigStatus status) const {
  ConfigHeartbeatSubscriptionStatus s;
  s.status = status;
  s.source = sub_.source;
  s.destination = sub_.destination;
  s.period_log = heartbeatValueToLog(subscriptionRemaining());
  s.count_log = heartbeatValueToLog(sub_.count);
  s.min_hops = sub_.min_hops;
  s.max_hops = sub_.max_hops;
  return s;
}

void HeartbeatService::setLowPowerActive(bool active) {
  const std::uint16_t before = activeFeatures();
  low_power_ = active;
  onFeaturesChanged(before);
}

void HeartbeatService::onFeaturesChanged(std::uint16_t previous_features) {
  const std::uint16_t changed = static_cast<std::uint16_t>(previous_features ^ activeFeatures());
  // §3.6.7.2: a change of a feature named in the publication's Features triggers one
  // Heartbeat, whatever the count and period.
  if (pub_.destination == kUnassignedAddress || (changed & pub_.features) == 0) return;
  if (send(true)) ++stats_.sent_triggered;
}

bool HeartbeatService::listensTo(Address address) const {
  return sub_active_ && sub_.destination == address && isGroup(address);
}

void HeartbeatService::onSubnetDeleted(NetKeyIndex net_idx) {
  if (pub_.destination != kUnassignedAddress && pub_.net_idx == net_idx) {
    platform_.timers->stop(pub_timer_);
    pub_ = HeartbeatPublication{};
  }
}

bool HeartbeatService::send(bool triggered) {
  if (keys_.subnet(pub_.net_idx) == nullptr) return false;
  Heartbeat msg;
  msg.init_ttl = pub_.ttl;
  msg.features = activeFeatures();
  const Bytes params = msg.encode();
  ControlTx tx;
  tx.net_idx = pub_.net_idx;
  tx.src = network_.primaryAddress();
  tx.dst = pub_.destination;
  tx.ttl = pub_.ttl;
  tx.opcode = static_cast<std::uint8_t>(ControlOpcode::kHeartbeat);
  tx.params = params;
  auto r = upper_.sendControl(tx);
  if (!r.ok()) {
    ++stats_.send_failed;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "send_failed");
    return false;
  }
  ++stats_.sent;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx,
                  triggered ? "triggered" : "periodic");
  return true;
}

void HeartbeatService::onPublishTimer() {
  if (pub_.destination == kUnassignedAddress || pub_.count == 0 || pub_.period_log == 0) return;
  if (keys_.subnet(pub_.net_idx) == nullptr) {
    pub_ = HeartbeatPublication{};
    return;
  }
  (void)send(false);
  if (pub_.count != 0xFFFF) --pub_.count;
  if (pub_.count != 0) platform_.timers->start(pub_timer_, periodOf(pub_.period_log));
}

void HeartbeatService::onSubscriptionTimer() {
  // §4.2.18.3: the period ran out; Count and the hop counts stay readable.
  sub_active_ = false;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState, "subscription_ended");
}

void HeartbeatService::onControlMessage(const ControlRx& rx) {
  if (rx.opcode != static_cast<std::uint8_t>(ControlOpcode::kHeartbeat)) return;
  auto msg = Heartbeat::parse(rx.params);
  if (!msg.ok()) return;
  if (!sub_active_ || rx.src != sub_.source || rx.dst != sub_.destination) {
    ++stats_.ignored;
    return;
  }
  // §4.2.18: hops = InitTTL - RxTTL + 1 (1 when received directly with TTL 0... as sent).
  const std::uint8_t hops = rx.ttl > msg->init_ttl ? std::uint8_t{1} : msg->hops(rx.ttl);
  sub_.min_hops = std::min(sub_.min_hops, hops);
  sub_.max_hops = std::max(sub_.max_hops, hops);
  if (sub_.count < 0xFFFF) ++sub_.count;
  ++stats_.received;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "heartbeat", hops);
  if (on_heartbeat) on_heartbeat(HeartbeatEvent{rx.src, rx.dst, hops, msg->features});
}

}  // namespace lpm::btmesh
