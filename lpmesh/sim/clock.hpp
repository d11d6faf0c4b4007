// A node's drifting clock: maps simulated true time to the node's LocalClock and back
// (issue #2 §3 "own clock drift (ppm, per node)").
//
// local = (sim - boot) * (1 + drift_ppb / 1e9). A reboot restarts the local clock at 0,
// as a device's timer does. All arithmetic is integer (128-bit intermediates).
#pragma once

#include <cstdint>

#include "lpmesh/core/time.hpp"

namespace lpm::sim {

class NodeClock {
 public:
  NodeClock() = default;
  /// drift in parts per billion (30 ppm = 30'000 ppb); boot = sim time the clock reads 0.
  NodeClock(std::int64_t drift_ppb, SimTime boot) : drift_ppb_(drift_ppb), boot_(boot) {}

  std::int64_t driftPpb() const { return drift_ppb_; }
  SimTime bootTime() const { return boot_; }
  void reboot(SimTime at) { boot_ = at; }

  LocalTime toLocal(SimTime t) const {
    const auto e = static_cast<Int128>((t - boot_).count());
    const Int128 local = e + (e * drift_ppb_) / kBillion;
    return LocalTime{Duration{static_cast<std::int64_t>(local)}};
  }
  /// The earliest sim time whose local reading is >= `l` (so a timer never fires early).
  SimTime toSim(LocalTime l) const {
    if (l == kLocalTimeNever) return kSimTimeNever;
    const auto lc = static_cast<Int128>(l.time_since_epoch().count());
    const Int128 denom = kBillion + drift_ppb_;
    // e = ceil(lc * 1e9 / denom), then step until toLocal(e) >= l (at most a few steps).
    Int128 num = lc * kBillion;
    Int128 e = num / denom;
    if (e * denom < num) ++e;
    SimTime t = boot_ + Duration{static_cast<std::int64_t>(e)};
    while (toLocal(t) < l) t += Duration{1};
    while (t > boot_ && toLocal(t - Duration{1}) >= l) t -= Duration{1};
    return t;
  }

 private:
  __extension__ typedef __int128 Int128;
  static constexpr std::int64_t kBillion = 1'000'000'000;
  std::int64_t drift_ppb_ = 0;
  SimTime boot_{};
};

}  // namespace lpm::sim
