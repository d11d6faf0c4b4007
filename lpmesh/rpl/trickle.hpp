// The Trickle algorithm (RFC 6206 §4) on the node's one-shot timers, with the RPL
// parameters of RFC 6550 §8.3.1: Imin = 2^DIOIntervalMin ms, Imax = Imin x
// 2^DIOIntervalDoublings, k = DIORedundancyConstant.
//
// Two choices RFC 6206 leaves open, fixed here:
//  - start() begins at Imin (RFC 6206 §4.2 step 1 allows any I in [Imin, Imax]; RPL
//    implementations start at Imin so a new DODAG member advertises quickly);
//  - k == 0 means "never suppress" (RFC 6206 defines k as a natural number; Contiki-NG and
//    RFC 6550's DIORedundancyConstant of 0 are read the same way).
#pragma once

#include <cstdint>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/platform/timer.hpp"

namespace lpm::rpl {

/// Trickle parameters (RFC 6206 §4.1).
struct TrickleParams {
  Duration imin = millis(8);    ///< Imin: RFC 6550 default 2^3 ms
  std::uint8_t doublings = 20;  ///< Imax = Imin x 2^doublings
  std::uint8_t k = 10;          ///< redundancy constant; 0 = no suppression

  /// From RFC 6550 DODAG Configuration fields (Imin = 2^interval_min ms).
  static TrickleParams fromRpl(std::uint8_t interval_min, std::uint8_t doublings,
                               std::uint8_t redundancy);
  /// Imin x 2^doublings, saturated at about 100 years.
  Duration imax() const;
  friend bool operator==(const TrickleParams&, const TrickleParams&) = default;
};

/// Counters for tests and statistics.
struct TrickleStats {
  std::uint64_t intervals = 0;      ///< intervals begun
  std::uint64_t transmissions = 0;  ///< callbacks at t that were not suppressed
  std::uint64_t suppressed = 0;     ///< times t came with c >= k
  std::uint64_t resets = 0;         ///< inconsistencies that shrank I to Imin
};

class Trickle {
 public:
  /// `transmit(context)` is called at time t of an interval when not suppressed.
  using TransmitFn = void (*)(void* context);

  Trickle(platform::Timers& timers, Rng& rng, void* context, TransmitFn transmit);
  ~Trickle();
  Trickle(const Trickle&) = delete;
  Trickle& operator=(const Trickle&) = delete;

  /// Starts (or restarts) with I = Imin.
  void start(const TrickleParams& params);
  void stop();
  bool running() const { return running_; }

  /// RFC 6206 §4.2 step 3: a consistent transmission was heard (c += 1).
  void consistent() { ++counter_; }
  /// Step 6: an inconsistency. When I > Imin, I becomes Imin and a new interval begins;
  /// when I == Imin nothing changes. Ignored while stopped.
  void inconsistent();

  Duration interval() const { return interval_; }
  std::uint32_t counter() const { return counter_; }
  /// Time t of the current interval (node-local), meaningful while running.
  LocalTime transmitTime() const { return t_at_; }
  LocalTime intervalEnd() const { return end_at_; }
  const TrickleParams& params() const { return params_; }
  const TrickleStats& stats() const { return stats_; }

 private:
  void beginInterval();
  void onT();
  void onEnd();

  platform::Timers& timers_;
  Rng& rng_;
  void* context_;
  TransmitFn transmit_;
  TrickleParams params_;
  Duration imax_{};
  Duration interval_{};
  std::uint32_t counter_ = 0;
  bool running_ = false;
  LocalTime t_at_{};
  LocalTime end_at_{};
  TrickleStats stats_;
  platform::Timer t_timer_{this, &platform::Timer::thunk<&Trickle::onT>};
  platform::Timer end_timer_{this, &platform::Timer::thunk<&Trickle::onEnd>};
};

}  // namespace lpm::rpl
