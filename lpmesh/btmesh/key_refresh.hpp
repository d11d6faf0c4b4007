// Key Refresh procedure (Mesh Protocol 1.1 §3.11.4) on a node: the phase transitions a
// Configuration Client drives (Key Refresh Phase Set, §4.3.2.55, Table 4.? transitions)
// and those Secure Network / Mesh Private beacons drive (§3.11.4.2-3): in phase 1 a beacon
// secured with the new NetKey and the Key Refresh flag set moves the subnet to phase 2; in
// phase 1 or 2 one secured with the new NetKey and the flag clear revokes the old keys
// (phase 3, back to Normal). Beacons secured with the old key never move a phase.
//
// Phase 0 -> 1 is the NetKey Update message (config_server.cpp); the keys and the phase
// itself live in KeyStore.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

class ConfigClient;

class KeyRefresh {
 public:
  KeyRefresh(const platform::Platform& platform, KeyStore& keys)
      : platform_(platform), keys_(keys) {}

  /// An authenticated beacon of subnet `net_idx`: its Key Refresh flag and whether it was
  /// secured with the subnet's new key. Returns true when the phase changed.
  bool onBeacon(NetKeyIndex net_idx, bool key_refresh_flag, bool new_key);

  /// Outcome of a Key Refresh Phase Set.
  struct SetOutcome {
    ConfigStatus status = ConfigStatus::kSuccess;
    std::uint8_t phase = 0;  ///< the phase after the transition (0 for an unknown subnet)
  };
  /// Applies Transition 0x02 or 0x03 (§4.3.2.55). std::nullopt for a prohibited
  /// transition value or phase combination: the message is ignored, as Zephyr does.
  std::optional<SetOutcome> setPhase(NetKeyIndex net_idx, std::uint8_t transition);

  /// Current phase of a subnet; std::nullopt when unknown.
  std::optional<KeyRefreshPhase> phase(NetKeyIndex net_idx) const;

  /// Called after every phase change (beacons go out at once, friends update LPNs).
  std::function<void(NetKeyIndex, KeyRefreshPhase)> on_change;

 private:
  bool move(NetKeyIndex net_idx, KeyRefreshPhase phase);

  const platform::Platform& platform_;
  KeyStore& keys_;
};

/// What a Key Refresh procedure replaces, and on which nodes.
struct KeyRefreshPlan {
  NetKeyIndex net_idx = 0;
  Key new_net_key{};
  /// AppKeys bound to the NetKey and their new values.
  std::vector<std::pair<AppKeyIndex, Key>> new_app_keys;
  /// Nodes that keep the subnet (a node left out is excluded from it: the point of the
  /// procedure). The manager's own node is not listed.
  std::vector<Address> nodes;
  /// true: phases 2 and 3 are set on every node with Key Refresh Phase Set. false: only
  /// the manager's beacons move the nodes; the manager confirms each with Key Refresh
  /// Phase Get (§3.11.4: either way is allowed).
  bool use_phase_set = true;
};

/// The Key Refresh procedure as the manager runs it (§3.11.4.1): phase 1 distributes the
/// new NetKey and AppKeys (NetKey Update, AppKey Update) to every node, phase 2 switches
/// transmission to the new keys, phase 3 revokes the old ones. Requests go one at a
/// time through the manager's Configuration Client, each retried on timeout.
class KeyRefreshManager {
 public:
  enum class Step : std::uint8_t { kIdle, kPhase1, kPhase2, kPhase3, kDone, kFailed };

  /// `own_keys` / `own` are the manager node's own KeyStore and KeyRefresh.
  KeyRefreshManager(const platform::Platform& platform, ConfigClient& client, KeyStore& own_keys,
                    KeyRefresh& own);
  ~KeyRefreshManager();
  KeyRefreshManager(const KeyRefreshManager&) = delete;
  KeyRefreshManager& operator=(const KeyRefreshManager&) = delete;

  /// Starts the procedure: kInvalidState while one runs or when the manager's own subnet
  /// is not in phase 0, kNotFound for an unknown NetKey or AppKey. `done` gets kNone, or
  /// kTimeout (a node did not answer after `retries` attempts) / kInvalidState (a node
  /// answered with an error status); failedNode() names the node.
  Error start(const KeyRefreshPlan& plan, std::function<void(Error)> done);

  Step step() const { return step_; }
  Address failedNode() const { return failed_node_; }
  /// Attempts per request (the first included).
  unsigned attempts = 3;
  /// With use_phase_set = false: how long to wait before asking a node again whether it
  /// followed the beacons, and how many times.
  Duration beacon_wait = seconds(10);
  unsigned beacon_polls = 12;

 private:
  struct Work {
    Address dst = 0;
    ConfigMessage message;
    unsigned tries = 0;
  };
  void nextPhase();
  void sendNext();
  void onStatus(Error result, const ConfigMessage* status);
  void finish(Error result);
  void onRetryTimer();

  const platform::Platform& platform_;
  ConfigClient& client_;
  KeyStore& keys_;
  KeyRefresh& own_;
  KeyRefreshPlan plan_{};
  std::function<void(Error)> done_;
  Step step_ = Step::kIdle;
  std::deque<Work> queue_;
  Address failed_node_ = 0;
  platform::Timer retry_timer_{this, &platform::Timer::thunk<&KeyRefreshManager::onRetryTimer>};
};

}  // namespace lpm::btmesh
