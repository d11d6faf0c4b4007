// The discrete-event kernel: integer-ns virtual time, events ordered by
// (time, scheduling order), cancellable one-shot events, run until a time or a
// predicate, stop (issue #2 §3, DESIGN.md "Determinism" and "Performance").
//
// Events are plain data: a function pointer, a context pointer and a 64-bit
// argument, so scheduling never allocates in steady state. Nodes coalesce their own
// timers and keep one kernel event each for their earliest timer (see node.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "lpmesh/core/time.hpp"

namespace lpm::sim {

using EventFn = void (*)(void* context, std::uint64_t arg);

/// Handle of a scheduled event. A default-constructed one refers to nothing.
struct EventId {
  std::uint32_t slot = 0xFFFFFFFFu;
  std::uint32_t generation = 0;
  bool valid() const { return slot != 0xFFFFFFFFu; }
};

class Kernel {
 public:
  Kernel();
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  SimTime now() const { return now_; }

  /// Schedules fn(context, arg) at `at` (clamped to now() if earlier). Events at the
  /// same time run in the order they were scheduled.
  EventId schedule(SimTime at, EventFn fn, void* context, std::uint64_t arg = 0);
  EventId scheduleIn(Duration delay, EventFn fn, void* context, std::uint64_t arg = 0) {
    return schedule(now_ + delay, fn, context, arg);
  }
  /// Cancels a pending event; false if it already ran, was cancelled, or is invalid.
  bool cancel(EventId id);
  bool isPending(EventId id) const;

  /// Runs every event with time <= end, then sets now() to end (unless stopped).
  void runUntil(SimTime end);
  /// Runs events while `keep_going()` is true before each one and time <= end.
  template <class Pred>
  void runWhile(Pred keep_going, SimTime end = kSimTimeNever) {
    stopped_ = false;
    while (!stopped_ && keep_going()) {
      if (!step(end)) break;
    }
  }
  /// Runs the next event if its time is <= end; false when there is none.
  bool step(SimTime end = kSimTimeNever);
  /// Makes the current run*() return after the event that called it.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  std::uint64_t eventsExecuted() const { return executed_; }
  std::size_t pendingCount() const { return pending_; }
  /// Time of the earliest pending event, kSimTimeNever when none.
  SimTime nextEventTime();

 private:
  struct Impl;
  Impl* impl_;
  SimTime now_{};
  std::uint64_t executed_ = 0;
  std::size_t pending_ = 0;
  bool stopped_ = false;
};

}  // namespace lpm::sim
