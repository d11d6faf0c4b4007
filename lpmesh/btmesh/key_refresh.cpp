#include "lpmesh/btmesh/key_refresh.hpp"

#include "lpmesh/btmesh/config_client.hpp"

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.kr";
}  // namespace

bool KeyRefresh::move(NetKeyIndex net_idx, KeyRefreshPhase phase) {
  if (keys_.setKeyRefreshPhase(net_idx, phase) != Error::kNone) return false;
  const Subnet* s = keys_.subnet(net_idx);
  const KeyRefreshPhase now = s != nullptr ? s->phase : KeyRefreshPhase::kNormal;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState,
                  now == KeyRefreshPhase::kPhase2 ? "phase2" : "normal", net_idx);
  if (on_change) on_change(net_idx, now);
  return true;
}

bool KeyRefresh::onBeacon(NetKeyIndex net_idx, bool key_refresh_flag, bool new_key) {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr || !new_key) return false;
  if (s->phase == KeyRefreshPhase::kPhase1 && key_refresh_flag) {
    return move(net_idx, KeyRefreshPhase::kPhase2);
  }
  if (s->hasNewKey() && !key_refresh_flag) return move(net_idx, KeyRefreshPhase::kPhase3);
  return false;
}

std::optional<KeyRefresh::SetOutcome> KeyRefresh::setPhase(NetKeyIndex net_idx,
                                                           std::uint8_t transition) {
  if (transition != 0x02 && transition != 0x03) return std::nullopt;
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr) return SetOutcome{ConfigStatus::kInvalidNetKeyIndex, 0};
  const auto current = s->phase;
  if (transition == 0x02) {
    // Phase 0 -> 2 is prohibited; 2 -> 2 is no change.
    if (current == KeyRefreshPhase::kNormal) return std::nullopt;
    if (current == KeyRefreshPhase::kPhase1) (void)move(net_idx, KeyRefreshPhase::kPhase2);
  } else if (current != KeyRefreshPhase::kNormal) {
    // Transition 0x03 from phase 1 or 2 revokes the old keys; in phase 0 it changes nothing.
    (void)move(net_idx, KeyRefreshPhase::kPhase3);
  }
  const Subnet* after = keys_.subnet(net_idx);
  return SetOutcome{
      ConfigStatus::kSuccess,
      static_cast<std::uint8_t>(after != nullptr ? after->phase : KeyRefreshPhase::kNormal)};
}

std::optional<KeyRefreshPhase> KeyRefresh::phase(NetKeyIndex net_idx) const {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr) return std::nullopt;
  return s->phase;
}

// ---------------------------------------------------------------------------------------
// Manager

KeyRefreshManager::KeyRefreshManager(const platform::Platform& platform, ConfigClient& client,
                                     KeyStore& own_keys, KeyRefresh& own)
    : platform_(platform), client_(client), keys_(own_keys), own_(own) {}

KeyRefreshManager::~KeyRefreshManager() {
  platform_.timers->stop(retry_timer_);
}

Error KeyRefreshManager::start(const KeyRefreshPlan& plan, std::function<void(Error)> done) {
  if (step_ == Step::kPhase1 || step_ == Step::kPhase2 || step_ == Step::kPhase3) {
    return Error::kInvalidState;
  }
  const Subnet* s = keys_.subnet(plan.net_idx);
  if (s == nullptr) return Error::kNotFound;
  if (s->phase != KeyRefreshPhase::kNormal) return Error::kInvalidState;
  for (const auto& [app_idx, key] : plan.new_app_keys) {
    const AppKey* a = keys_.appKey(app_idx);
    if (a == nullptr || a->net_idx != plan.net_idx) return Error::kNotFound;
  }
  plan_ = plan;
  done_ = std::move(done);
  failed_node_ = 0;
  // Phase 1 on the manager itself: it keeps transmitting with the old keys.
  LPM_TRY(keys_.updateNetKey(plan.net_idx, plan.new_net_key));
  for (const auto& [app_idx, key] : plan.new_app_keys)
    LPM_TRY(keys_.updateAppKey(app_idx, plan.net_idx, key));
  step_ = Step::kPhase1;
  queue_.clear();
  for (Address node : plan.nodes) {
    queue_.push_back(Work{node, ConfigNetKeyUpdate{plan.net_idx, plan.new_net_key}});
    for (const auto& [app_idx, key] : plan.new_app_keys)
      queue_.push_back(Work{node, ConfigAppKeyUpdate{plan.net_idx, app_idx, key}});
  }
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState, "manager_phase1",
                  plan.net_idx);
  sendNext();
  return Error::kNone;
}

void KeyRefreshManager::nextPhase() {
  const std::uint8_t transition = step_ == Step::kPhase1 ? 0x02 : 0x03;
  if (step_ == Step::kPhase3) {
    finish(Error::kNone);
    return;
  }
  step_ = step_ == Step::kPhase1 ? Step::kPhase2 : Step::kPhase3;
  // The manager moves first: its beacons then carry the new phase (§3.11.4.2-3).
  (void)own_.setPhase(plan_.net_idx, transition);
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState,
                  step_ == Step::kPhase2 ? "manager_phase2" : "manager_phase3", plan_.net_idx);
  for (Address node : plan_.nodes) {
    if (plan_.use_phase_set) {
      queue_.push_back(Work{node, ConfigKeyRefreshPhaseSet{plan_.net_idx, transition}});
    } else {
      queue_.push_back(Work{node, ConfigKeyRefreshPhaseGet{plan_.net_idx}});
    }
  }
  if (!plan_.use_phase_set) {
    // Give the beacons time to do the work before the first question.
    platform_.timers->start(retry_timer_, beacon_wait);
    return;
  }
  sendNext();
}

void KeyRefreshManager::sendNext() {
  if (queue_.empty()) {
    nextPhase();
    return;
  }
  Work& w = queue_.front();
  ++w.tries;
  const Error e = client_.request(
      w.dst, plan_.net_idx, w.message,
      [this](Error result, Address, const ConfigMessage* status) { onStatus(result, status); });
  if (e != Error::kNone) onStatus(e, nullptr);
}

void KeyRefreshManager::onStatus(Error result, const ConfigMessage* status) {
  if (queue_.empty()) return;
  Work& w = queue_.front();
  if (result != Error::kNone || status == nullptr) {
    if (w.tries < attempts) {
      sendNext();
    } else {
      failed_node_ = w.dst;
      finish(result == Error::kNone ? Error::kTimeout : result);
    }
    return;
  }
  // The phase every node must report once this step is through.
  const std::uint8_t wanted = step_ == Step::kPhase2 ? 2 : 0;
  bool ok = false;
  bool retry_later = false;
  if (const auto* n = std::get_if<ConfigNetKeyStatus>(status)) {
    ok = n->status == ConfigStatus::kSuccess;
  } else if (const auto* a = std::get_if<ConfigAppKeyStatus>(status)) {
    ok = a->status == ConfigStatus::kSuccess;
  } else if (const auto* k = std::get_if<ConfigKeyRefreshPhaseStatus>(status)) {
    ok = k->status == ConfigStatus::kSuccess && k->phase == wanted;
    // Beacon mode: a node that has not followed yet is asked again later.
    retry_later = !plan_.use_phase_set && k->status == ConfigStatus::kSuccess && !ok;
  }
  if (retry_later && w.tries < beacon_polls) {
    platform_.timers->start(retry_timer_, beacon_wait);
    return;
  }
  if (!ok) {
    failed_node_ = w.dst;
    finish(Error::kInvalidState);
    return;
  }
  queue_.pop_front();
  sendNext();
}

void KeyRefreshManager::onRetryTimer() {
  if (step_ == Step::kPhase1 || step_ == Step::kPhase2 || step_ == Step::kPhase3) sendNext();
}

void KeyRefreshManager::finish(Error result) {
  queue_.clear();
  platform_.timers->stop(retry_timer_);
  step_ = result == Error::kNone ? Step::kDone : Step::kFailed;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState,
                  result == Error::kNone ? "manager_done" : "manager_failed", plan_.net_idx);
  if (done_) {
    auto cb = std::move(done_);
    done_ = nullptr;
    cb(result);
  }
}

}  // namespace lpm::btmesh
