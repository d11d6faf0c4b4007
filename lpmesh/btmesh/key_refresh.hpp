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
#include <functional>
#include <optional>

#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

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

}  // namespace lpm::btmesh
