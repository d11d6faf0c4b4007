// The discrete-event kernel: integer-ns virtual time, events ordered by
// (time, scheduling order), cancellable one-shot events, run until a time or a
// predicate, stop (issue #2 §3, DESIGN.md "Determinism" and "Performance").
//
// Events are plain data: a function pointer, a context pointer and a 64-bit
// argument, so scheduling never allocates in steady state. Nodes coalesce their own
// timers and keep one kernel event each for their earliest timer (see node_timers.hpp).
//
// The queue is a hierarchical timing wheel over the 64-bit time: level L has 64 slots,
// one per value of the 6-bit digit L of the time. An event sits at the level of the
// most significant digit in which its time differs from the wheel's cursor (a time <=
// every pending time), so level 0 slots hold exactly one time each. Each slot is a
// doubly linked FIFO of event records taken from a slab with a free list. Ordering is
// exact without comparing keys: a slot only ever receives events in increasing
// scheduling order (direct inserts carry the newest sequence number, and a coarse slot
// is cascaded into the finer levels only when those are empty, preserving its order),
// so the head of the first non-empty level-0 slot is always the (time, seq) minimum.
// Schedule, cancel and pop are O(1); each event is cascaded at most once per level it
// skips (11 levels for 64 bits, in practice one or two).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "lpmesh/core/time.hpp"

namespace lpm::sim {

using EventFn = void (*)(void* context, std::uint64_t arg);

/// Handle of a scheduled event. A default-constructed one refers to nothing. Handles
/// carry the slab slot's generation, so a handle to an event that already ran or was
/// cancelled stays stale after the slot is reused (until the 32-bit generation wraps).
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
  EventId schedule(SimTime at, EventFn fn, void* context, std::uint64_t arg = 0) {
    const std::uint32_t idx = allocate();
    Record& r = records_[idx];
    const std::int64_t t =
        at < now_ ? now_.time_since_epoch().count() : at.time_since_epoch().count();
    // An empty queue lets the cursor jump to now(): fewer levels to cascade through.
    if (pending_ == 0) cursor_ = static_cast<std::uint64_t>(now_.time_since_epoch().count());
    r.time = static_cast<std::uint64_t>(t);
    r.fn = fn;
    r.context = context;
    r.arg = arg;
    link(idx);
    ++pending_;
    return EventId{idx, r.generation};
  }
  EventId scheduleIn(Duration delay, EventFn fn, void* context, std::uint64_t arg = 0) {
    return schedule(now_ + delay, fn, context, arg);
  }
  /// Cancels a pending event; false if it already ran, was cancelled, or is invalid.
  bool cancel(EventId id) {
    if (!isPending(id)) return false;
    unlink(id.slot);
    release(id.slot);
    --pending_;
    return true;
  }
  bool isPending(EventId id) const {
    return id.slot < records_.size() && records_[id.slot].generation == id.generation &&
           records_[id.slot].bucket != kFreeBucket;
  }

  /// Runs every event with time <= end, then sets now() to end (unless stopped, or end
  /// is kSimTimeNever: then now() stays at the last event's time).
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
  bool step(SimTime end = kSimTimeNever) {
    if (pending_ == 0) return false;
    if (levelEmpty(0) && !cascadeUpTo(static_cast<std::uint64_t>(end.time_since_epoch().count()))) {
      return false;
    }
    const std::uint32_t digit = firstSlot(0);
    Bucket& b = buckets_[digit];
    const std::uint32_t idx = b.head;
    Record& r = records_[idx];
    if (r.time > static_cast<std::uint64_t>(end.time_since_epoch().count())) return false;
    b.head = r.next;
    if (r.next == kNil) {
      b.tail = kNil;
      clearSlot(0, digit);
    } else {
      // The new head's prev is left stale (a head's prev is never read), so popping
      // does not write to it; it is fetched now for the next pop.
      __builtin_prefetch(&records_[r.next]);
    }
    cursor_ = r.time;
    now_ = SimTime{Duration{static_cast<std::int64_t>(r.time)}};
    const EventFn fn = r.fn;
    void* const context = r.context;
    const std::uint64_t arg = r.arg;
    // Released before the call: the event is no longer pending inside its own handler,
    // and the record it frees is the first one a rescheduling handler gets back.
    release(idx);
    --pending_;
    ++executed_;
    fn(context, arg);
    return true;
  }
  /// Makes the current run*() return after the event that called it.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  std::uint64_t eventsExecuted() const { return executed_; }
  std::size_t pendingCount() const { return pending_; }
  /// Time of the earliest pending event, kSimTimeNever when none.
  SimTime nextEventTime();

 private:
  // 6-bit digits (one bitmap word per level) measured best for µs..s delays, the
  // simulator's mix; 8-bit digits are ~25 % faster only when all delays are < 256 ns.
  static constexpr unsigned kBits = 6;
  static constexpr unsigned kSlots = 1u << kBits;
  static constexpr unsigned kLevels = (64 + kBits - 1) / kBits;
  static constexpr unsigned kWords = (kSlots + 63) / 64;  ///< bitmap words per level
  static constexpr std::uint32_t kNil = 0xFFFFFFFFu;
  static constexpr std::uint32_t kFreeBucket = 0xFFFFFFFFu;

  struct Record {
    std::uint64_t time;
    EventFn fn;
    void* context;
    std::uint64_t arg;
    std::uint32_t next;        ///< in its bucket, or in the free list
    std::uint32_t prev;        ///< in its bucket; meaningless while it is the head
    std::uint32_t generation;  ///< bumped on every release
    std::uint32_t bucket;      ///< level * kSlots + digit; kFreeBucket when free
  };
  struct Bucket {
    std::uint32_t head = kNil;
    std::uint32_t tail = kNil;
  };

  std::uint32_t allocate() {
    if (free_head_ != kNil) {
      const std::uint32_t idx = free_head_;
      free_head_ = records_[idx].next;
      return idx;
    }
    return grow();
  }
  void release(std::uint32_t idx) {
    Record& r = records_[idx];
    ++r.generation;
    r.bucket = kFreeBucket;
    r.next = free_head_;
    free_head_ = idx;
  }
  /// Appends record idx to the tail of the slot its time belongs to.
  void link(std::uint32_t idx) {
    Record& r = records_[idx];
    const std::uint64_t diff = r.time ^ cursor_;
    const unsigned level = static_cast<unsigned>(std::bit_width(diff | 1u) - 1) / kBits;
    const auto digit = static_cast<std::uint32_t>(r.time >> (level * kBits)) & (kSlots - 1);
    const std::uint32_t bi = level * kSlots + digit;
    Bucket& b = buckets_[bi];
    r.bucket = bi;
    r.next = kNil;
    r.prev = b.tail;
    if (b.tail == kNil) {
      b.head = idx;
      occupied_[level * kWords + digit / 64] |= std::uint64_t{1} << (digit % 64);
    } else {
      records_[b.tail].next = idx;
    }
    b.tail = idx;
  }
  void unlink(std::uint32_t idx) {
    Record& r = records_[idx];
    Bucket& b = buckets_[r.bucket];
    if (b.head == idx) {
      // The head's prev is stale: never follow it.
      b.head = r.next;
      if (r.next == kNil) {
        b.tail = kNil;
        clearSlot(r.bucket / kSlots, r.bucket % kSlots);
      }
      return;
    }
    records_[r.prev].next = r.next;
    if (r.next == kNil) {
      b.tail = r.prev;
    } else {
      records_[r.next].prev = r.prev;
    }
  }
  bool levelEmpty(unsigned level) const {
    std::uint64_t any = 0;
    for (unsigned w = 0; w < kWords; ++w)
      any |= occupied_[level * kWords + w];
    return any == 0;
  }
  /// First non-empty slot of a non-empty level.
  std::uint32_t firstSlot(unsigned level) const {
    unsigned w = 0;
    while (w + 1 < kWords && occupied_[level * kWords + w] == 0)
      ++w;
    return w * 64 + static_cast<std::uint32_t>(std::countr_zero(occupied_[level * kWords + w]));
  }
  void clearSlot(unsigned level, std::uint32_t digit) {
    occupied_[level * kWords + digit / 64] &= ~(std::uint64_t{1} << (digit % 64));
  }
  std::uint32_t grow();
  /// Moves the earliest non-empty coarse slot down until level 0 holds an event, if
  /// the earliest event is at or before `end`; false (nothing moved) when it is later.
  /// The cursor so never passes an event that will not run in this step, which keeps
  /// cursor_ <= now_ between calls, so every time schedule() accepts is >= cursor_.
  /// Requires pending_ > 0 and level 0 empty.
  bool cascadeUpTo(std::uint64_t end);
  /// Lowest non-empty level above 0 and its first slot; requires level 0 empty.
  void firstCoarseSlot(unsigned& level, std::uint32_t& digit) const;
  /// Earliest time in the list of bucket bi (coarse lists are in seq, not time, order).
  std::uint64_t minTimeIn(std::uint32_t bi) const;

  std::vector<Record> records_;
  std::uint32_t free_head_ = kNil;
  /// <= every pending time and <= now_; digits above an event's level match it.
  std::uint64_t cursor_ = 0;
  /// Bit d of level L (word L * kWords + d / 64): slot (L, d) is non-empty.
  std::array<std::uint64_t, std::size_t{kLevels} * kWords> occupied_{};
  std::array<Bucket, std::size_t{kLevels} * kSlots> buckets_{};
  SimTime now_{};
  std::uint64_t executed_ = 0;
  std::size_t pending_ = 0;
  bool stopped_ = false;
};

}  // namespace lpm::sim
