// IV Update procedure and IV Index Recovery (Mesh Protocol 1.1 §3.11.5; the rules as
// Zephyr net.c applies them).
//
// States (stored in KeyStore::ivIndex() as Zephyr does: `index` is the IV Index beacons
// carry, the node transmits with index - 1 while an update is in progress):
//  - Normal operation, IV Index n: transmit and beacon n.
//  - IV Update in progress, IV Index n+1: beacon n+1 with the IV Update flag, transmit
//    with n, accept n and n+1.
// Transitions:
//  - Normal -> in progress: a beacon (n+1, IV Update) or this node initiating (SEQ near
//    exhaustion: NodeConfig::iv_update_seq_limit, or initiate()), only after the minimum
//    time in Normal (96 h).
//  - In progress -> Normal: a beacon (n+1, Normal), or the minimum time (96 h) spent in
//    progress, whichever first, never before the minimum time. SEQ restarts at 0.
//  - IV Index Recovery: a beacon with an IV Index up to 42 above the current one that is
//    not a regular step (a bigger jump, or n+1 with the same flag) sets the state from
//    the beacon, clears the replay protection list; at most once per 192 h.
//  - Beacons with an older IV Index, or more than 42 above, are ignored.
//
// Test mode (§3.11.5.1 "IV Update test mode", NodeConfig::iv_update_test_mode): the minimum
// durations are replaced by IvUpdateTiming::test_min_state_duration (default 0: no
// minimum), so scenarios can run IV Updates in seconds; every other rule is unchanged.
#pragma once

#include <cstdint>
#include <functional>

#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/btmesh/replay_protection.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// Largest IV Index step a beacon may make the node take (§3.11.5: recovery up to +42).
inline constexpr std::uint32_t kMaxIvRecovery = 42;

struct IvUpdateTiming {
  /// Minimum time in each state before leaving it (§3.11.5: 96 hours).
  Duration min_state_duration = seconds(std::int64_t{96} * 3600);
  /// The same minimum in test mode (scenarios set it to a few seconds).
  Duration test_min_state_duration = Duration{0};
  /// How often the elapsed time is persisted (Zephyr: every hour; the restart after a
  /// reboot keeps at most this much too little).
  Duration persist_interval = seconds(3600);
};

struct IvUpdateStats {
  std::uint32_t entered_in_progress = 0;
  std::uint32_t returned_to_normal = 0;
  std::uint32_t recoveries = 0;
  std::uint32_t initiated = 0;
  std::uint32_t ignored_too_early = 0;  ///< a transition refused by the minimum duration
  std::uint32_t ignored_out_of_range = 0;
  std::uint32_t recovery_refused = 0;  ///< a second recovery within 2 x minimum
};

class IvUpdate final : public NetworkListener {
 public:
  /// Registers as the network's listener (SEQ limit). `rpl` may be null.
  IvUpdate(const platform::Platform& platform, const NodeConfig& config, Network& network,
           KeyStore& keys, ReplayProtectionList* rpl, IvUpdateTiming timing = {});
  ~IvUpdate() override;
  IvUpdate(const IvUpdate&) = delete;
  IvUpdate& operator=(const IvUpdate&) = delete;

  /// Restores the time spent in the current state from settings and arms the timer. A
  /// node provisioned during an IV Update (no stored time) may follow a Normal beacon at
  /// once, as §3.11.5 allows for a node added in that state; its own timer still waits
  /// the minimum duration.
  void start();

  /// The IV Index and IV Update flag of an authenticated beacon of the primary subnet
  /// (or of any subnet when the node has no primary one). Returns true when the state
  /// changed.
  bool onBeacon(std::uint32_t iv_index, bool iv_update);

  /// This node starts an IV Update: kInvalidState while one is in progress, kBusy before
  /// the minimum time in Normal has passed (the request is remembered and retried).
  Error initiate();
  /// Leaves the in-progress state (test command): kInvalidState when in Normal, kBusy
  /// before the minimum time.
  Error complete();

  bool testMode() const { return test_mode_; }
  void setTestMode(bool on) { test_mode_ = on; }
  /// Minimum time in a state, as currently applied (test mode included).
  Duration minStateDuration() const;
  /// Time spent in the current state.
  Duration timeInState() const;
  /// This node initiated the running update: it beacons even with the Beacon state off.
  bool initiator() const { return initiator_; }
  std::uint32_t ivIndex() const { return keys_.ivIndex().index; }
  bool inProgress() const { return keys_.ivIndex().update_in_progress; }

  /// Called after every change of the IV Index state (beacons want to go out at once).
  std::function<void()> on_change;

  const IvUpdateStats& stats() const { return stats_; }

  // NetworkListener
  void onSeqLimitReached() override;

 private:
  void enter(std::uint32_t index, bool in_progress);
  bool minimumReached() const;
  void onTimer();
  void arm();
  void persist();

  const platform::Platform& platform_;
  Network& network_;
  KeyStore& keys_;
  ReplayProtectionList* rpl_;
  IvUpdateTiming timing_;
  bool test_mode_ = false;
  bool initiator_ = false;
  bool initiate_pending_ = false;
  bool recovered_ = false;  ///< a recovery happened and 2 x minimum has not passed since
  bool provisioned_in_progress_ = false;  ///< may leave the in-progress state at once
  Duration carried_{0};  ///< time in state before state_entered_ (restored on boot)
  LocalTime state_entered_{};
  LocalTime recovery_time_{};
  IvUpdateStats stats_{};
  platform::Timer timer_{this, &platform::Timer::thunk<&IvUpdate::onTimer>};
};

}  // namespace lpm::btmesh
