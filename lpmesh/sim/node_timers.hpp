// The platform timer service of one simulated node (DESIGN.md "The platform contract",
// issue #2 §3): one-shot platform::Timer objects on the node's drifting NodeClock.
//
// Timers are coalesced per node: the node keeps its armed timers in its own small heap,
// ordered by (local fire time, arming order), and only the earliest one is in the
// kernel's queue, as a single kernel event. The kernel thus holds about one event per
// node however many timers the stacks run (simulation.md §3: the queue stays ~N).
// Each expiry is its own kernel event, so timers due at the same local time fire in
// arming order, one per event, each after whatever else was queued at that instant.
//
// Lifetime rules (the world follows them at power-off and reboot):
//  1. stopAll() first: it stops every running timer (marks each Timer stopped, so a
//     stack destructor that stops its timers finds them stopped) and drops every
//     pointer to a Timer. From then on the service is halted: startAt() is ignored, so
//     a destructor that arms a timer cannot leave a dangling pointer behind.
//  2. Then destroy the stacks (and with them their Timer objects).
//  3. At power-on, setClock() (or resume()) ends the halt; the new stacks start timers.
// Neither stopAll() after the stacks are gone nor the destructor touches a Timer. Do not
// destroy a NodeTimers from inside one of its own timer handlers; the Kernel must
// outlive it.
#pragma once

#include <cstdint>
#include <vector>

#include "lpmesh/core/time.hpp"
#include "lpmesh/platform/timer.hpp"
#include "lpmesh/sim/clock.hpp"
#include "lpmesh/sim/kernel.hpp"

namespace lpm::sim {

class NodeTimers final : public platform::Timers {
 public:
  explicit NodeTimers(Kernel& kernel, NodeClock clock = {});
  /// Cancels the kernel event; does not touch Timer objects (see the lifetime rules).
  ~NodeTimers() override;
  NodeTimers(const NodeTimers&) = delete;
  NodeTimers& operator=(const NodeTimers&) = delete;

  /// The node's local clock reading now.
  LocalTime now() const override { return clock_.toLocal(kernel_.now()); }
  /// Arms or re-arms `timer` for local time `at`; a past time fires after the current
  /// event. Re-arming counts as a new arming for the tie order. Ignored while halted.
  void startAt(platform::Timer& timer, LocalTime at) override;
  /// Stops `timer` if it runs on this service; harmless otherwise.
  void stop(platform::Timer& timer) override;

  /// Power-off / reboot: every timer stops without firing, and the service halts until
  /// setClock() or resume(). Must be called while the Timer objects still exist.
  void stopAll();
  /// Ends a halt without changing the clock.
  void resume() { halted_ = false; }
  bool halted() const { return halted_; }

  /// Installs the node's clock (power-on and reboot: NodeClock(drift, boot = now) makes
  /// the local clock restart at 0) and ends a halt. Running timers keep their local fire
  /// times, converted through the new clock.
  void setClock(const NodeClock& clock);
  const NodeClock& clock() const { return clock_; }

  /// Number of running timers.
  std::size_t runningCount() const { return heap_.size(); }
  /// Sim time of this node's kernel event (its earliest timer), kSimTimeNever if none.
  SimTime nextFireTime() const { return kernel_.isPending(event_) ? event_at_ : kSimTimeNever; }
  /// Timer expiries dispatched so far.
  std::uint64_t firedCount() const { return fired_; }

 private:
  struct Entry {
    LocalTime at;
    std::uint64_t order = 0;
    platform::Timer* timer = nullptr;
  };
  static bool before(const Entry& a, const Entry& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  }

  static void onEvent(void* context, std::uint64_t arg);
  void dispatch();
  /// Keeps the kernel event in step with the heap's head.
  void rearm();
  void place(std::size_t index);
  void siftUp(std::size_t index);
  void siftDown(std::size_t index);
  void removeAt(std::size_t index);

  Kernel& kernel_;
  NodeClock clock_;
  std::vector<Entry> heap_;
  std::uint64_t next_order_ = 0;
  std::uint64_t fired_ = 0;
  EventId event_;
  SimTime event_at_ = kSimTimeNever;         ///< sim time event_ is scheduled for
  LocalTime event_local_ = kLocalTimeNever;  ///< the head's local time event_ was armed for
  bool dispatching_ = false;
  bool halted_ = false;
};

}  // namespace lpm::sim
