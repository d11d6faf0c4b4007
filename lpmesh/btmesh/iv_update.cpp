#include "lpmesh/btmesh/iv_update.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.ivu";
constexpr std::string_view kSettingsKey = "btmesh/ivu";

std::int64_t toMillis(Duration d) {
  return duration_cast<std::chrono::milliseconds>(d).count();
}
}  // namespace

IvUpdate::IvUpdate(const platform::Platform& platform, const NodeConfig& config, Network& network,
                   KeyStore& keys, ReplayProtectionList* rpl, IvUpdateTiming timing)
    : platform_(platform),
      network_(network),
      keys_(keys),
      rpl_(rpl),
      timing_(timing),
      test_mode_(config.iv_update_test_mode) {
  network_.setListener(this);
}

IvUpdate::~IvUpdate() {
  platform_.timers->stop(timer_);
  network_.setListener(nullptr);
}

Duration IvUpdate::minStateDuration() const {
  return test_mode_ ? timing_.test_min_state_duration : timing_.min_state_duration;
}

Duration IvUpdate::timeInState() const {
  return carried_ + (platform_.timers->now() - state_entered_);
}

bool IvUpdate::minimumReached() const {
  return timeInState() >= minStateDuration();
}

void IvUpdate::start() {
  state_entered_ = platform_.timers->now();
  carried_ = Duration{0};
  bool restored = false;
  if (platform_.settings != nullptr) {
    if (auto v = platform_.settings->get(kSettingsKey); v.ok() && v->size() == 17) {
      ByteReader r(*v);
      carried_ = millis(static_cast<std::int64_t>(r.u64be()));
      recovered_ = r.u8() != 0;
      const Duration since_recovery = millis(static_cast<std::int64_t>(r.u64be()));
      recovery_time_ = state_entered_ - since_recovery;
      restored = r.ok();
    }
  }
  // §3.11.5: a node provisioned during an IV Update is not held in that state for the
  // minimum time; one provisioned in Normal operation is.
  if (!restored && keys_.ivIndex().update_in_progress) provisioned_in_progress_ = true;
  arm();
}

void IvUpdate::persist() {
  if (platform_.settings == nullptr) return;
  std::array<std::uint8_t, 17> buf{};
  ByteWriter w(buf);
  w.u64be(static_cast<std::uint64_t>(toMillis(timeInState())));
  w.u8(recovered_ ? 1 : 0);
  w.u64be(static_cast<std::uint64_t>(toMillis(platform_.timers->now() - recovery_time_)));
  (void)platform_.settings->set(kSettingsKey, buf);
}

void IvUpdate::arm() {
  const LocalTime now = platform_.timers->now();
  LocalTime next = now + timing_.persist_interval;
  const bool wants_minimum = keys_.ivIndex().update_in_progress || initiate_pending_;
  if (wants_minimum) {
    const Duration left = minStateDuration() - timeInState();
    next = std::min(next, now + std::max(left, Duration{0}));
  }
  platform_.timers->startAt(timer_, next);
}

void IvUpdate::onTimer() {
  if (minimumReached()) {
    if (keys_.ivIndex().update_in_progress) {
      // §3.11.5: leave the in-progress state once its minimum duration has passed; this
      // node then beacons the Normal state for the others.
      initiator_ = true;
      enter(keys_.ivIndex().index, false);
      return;
    }
    if (initiate_pending_) {
      (void)initiate();
      return;
    }
  }
  persist();
  arm();
}

void IvUpdate::enter(std::uint32_t index, bool in_progress) {
  const bool was_in_progress = keys_.ivIndex().update_in_progress;
  network_.setIvIndex(index, in_progress);
  if (in_progress && !was_in_progress) {
    ++stats_.entered_in_progress;
    // Entries two IV Indexes old can never match again (§3.9.8).
    if (rpl_ != nullptr) rpl_->onIvIndexChanged(index);
  } else if (!in_progress && was_in_progress) {
    ++stats_.returned_to_normal;
  }
  carried_ = Duration{0};
  provisioned_in_progress_ = false;
  state_entered_ = platform_.timers->now();
  persist();
  arm();
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState,
                  in_progress ? "in_progress" : "normal", static_cast<std::int64_t>(index));
  if (on_change) on_change();
}

bool IvUpdate::onBeacon(std::uint32_t iv_index, bool iv_update) {
  const IvIndexState cur = keys_.ivIndex();
  if (iv_index < cur.index || std::uint64_t{iv_index} > std::uint64_t{cur.index} + kMaxIvRecovery) {
    ++stats_.ignored_out_of_range;
    return false;
  }
  const bool same_state = cur.update_in_progress == iv_update;
  // The network caught up with the update this node started: it no longer has to beacon
  // on its own.
  if (initiator_ && same_state && iv_index == cur.index) initiator_ = false;
  // (n, Normal) -> (n, in progress) would restart a finished update.
  if (iv_index == cur.index && iv_update) return false;

  const std::uint64_t step = std::uint64_t{iv_index} - cur.index + (same_state ? 1U : 0U);
  if (step > 1) {
    // IV Index Recovery: at most once per 2 x the minimum state duration (192 h).
    if (recovered_ && platform_.timers->now() - recovery_time_ < 2 * minStateDuration()) {
      ++stats_.recovery_refused;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "recovery_too_soon");
      return false;
    }
    recovered_ = true;
    recovery_time_ = platform_.timers->now();
    initiator_ = false;
    initiate_pending_ = false;
    ++stats_.recoveries;
    if (rpl_ != nullptr) rpl_->clear();
    enter(iv_index, iv_update);
    return true;
  }
  if (same_state) return false;
  if (!minimumReached() && !provisioned_in_progress_) {
    ++stats_.ignored_too_early;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "before_minimum");
    return false;
  }
  if (iv_update) {
    recovered_ = false;
    enter(iv_index, true);
  } else {
    enter(cur.index, false);
  }
  return true;
}

Error IvUpdate::initiate() {
  if (keys_.ivIndex().update_in_progress) return Error::kInvalidState;
  if (!minimumReached()) {
    initiate_pending_ = true;
    arm();
    return Error::kBusy;
  }
  initiate_pending_ = false;
  initiator_ = true;
  recovered_ = false;
  ++stats_.initiated;
  enter(keys_.ivIndex().index + 1, true);
  return Error::kNone;
}

Error IvUpdate::complete() {
  if (!keys_.ivIndex().update_in_progress) return Error::kInvalidState;
  if (!minimumReached() && !provisioned_in_progress_) return Error::kBusy;
  initiator_ = true;
  enter(keys_.ivIndex().index, false);
  return Error::kNone;
}

void IvUpdate::onSeqLimitReached() {
  if (!keys_.ivIndex().update_in_progress) (void)initiate();
}

}  // namespace lpm::btmesh
