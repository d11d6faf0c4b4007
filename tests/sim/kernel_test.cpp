#include "lpmesh/sim/kernel.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "lpmesh/core/rng.hpp"

namespace lpm::sim {
namespace {

SimTime at(std::int64_t ns) {
  return SimTime{Duration{ns}};
}

/// Records (time, arg) of every event it runs.
struct Recorder {
  Kernel* kernel = nullptr;
  std::vector<std::pair<std::int64_t, std::uint64_t>> ran;

  static void record(void* ctx, std::uint64_t arg) {
    auto* self = static_cast<Recorder*>(ctx);
    self->ran.emplace_back(self->kernel->now().time_since_epoch().count(), arg);
  }
  std::vector<std::uint64_t> args() const {
    std::vector<std::uint64_t> out;
    for (const auto& [t, a] : ran)
      out.push_back(a);
    return out;
  }
};

TEST(Kernel, RunsEventsInTimeOrder) {
  Kernel k;
  Recorder rec{&k, {}};
  // Spread over several wheel levels: ns, µs, ms, s, hours.
  const std::int64_t times[] = {5'000'000'000, 7,     3'600'000'000'000, 1'000, 64,     63,
                                4'095,         4'096, 1'000'000,         0,     262'144};
  for (std::uint64_t i = 0; i < std::size(times); ++i) {
    k.schedule(at(times[i]), &Recorder::record, &rec, i);
  }
  EXPECT_EQ(k.pendingCount(), std::size(times));
  k.runUntil(kSimTimeNever);
  ASSERT_EQ(rec.ran.size(), std::size(times));
  for (std::size_t i = 1; i < rec.ran.size(); ++i) {
    EXPECT_LT(rec.ran[i - 1].first, rec.ran[i].first);
  }
  for (const auto& [t, a] : rec.ran)
    EXPECT_EQ(t, times[a]);
  EXPECT_EQ(k.now(), at(3'600'000'000'000));
  EXPECT_EQ(k.eventsExecuted(), std::size(times));
  EXPECT_EQ(k.pendingCount(), 0u);
}

TEST(Kernel, FifoAtEqualTimes) {
  Kernel k;
  Recorder rec{&k, {}};
  // Interleave two times, inserted out of order, plus far events landing in coarse
  // slots that are cascaded: equal times must still come out in scheduling order.
  for (std::uint64_t i = 0; i < 200; ++i) {
    k.schedule(at(i % 2 == 0 ? 1'000'000 : 500), &Recorder::record, &rec, i);
  }
  k.runUntil(kSimTimeNever);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t i = 1; i < 200; i += 2)
    expected.push_back(i);
  for (std::uint64_t i = 0; i < 200; i += 2)
    expected.push_back(i);
  EXPECT_EQ(rec.args(), expected);
}

struct Chain {
  Kernel* kernel = nullptr;
  std::vector<std::uint64_t> order;
  static void run(void* ctx, std::uint64_t arg) {
    auto* self = static_cast<Chain*>(ctx);
    self->order.push_back(arg);
    // The first two events each schedule one more at the current time: those run after
    // everything already queued at this time, in the order they were scheduled.
    if (arg < 2) self->kernel->schedule(self->kernel->now(), &Chain::run, self, arg + 10);
    // And one in the past: clamped to now, so also queued behind.
    if (arg == 10) self->kernel->schedule(at(0), &Chain::run, self, 99);
  }
};

TEST(Kernel, FifoForEventsScheduledFromInsideEventsAtCurrentTime) {
  Kernel k;
  Chain c{&k, {}};
  for (std::uint64_t i = 0; i < 4; ++i)
    k.schedule(at(100), &Chain::run, &c, i);
  k.schedule(at(101), &Chain::run, &c, 50);
  k.runUntil(kSimTimeNever);
  EXPECT_EQ(c.order, (std::vector<std::uint64_t>{0, 1, 2, 3, 10, 11, 99, 50}));
}

TEST(Kernel, PastTimesAreClampedToNow) {
  Kernel k;
  Recorder rec{&k, {}};
  k.schedule(at(1000), &Recorder::record, &rec, 1);
  k.runUntil(at(2000));
  EXPECT_EQ(k.now(), at(2000));
  k.schedule(at(10), &Recorder::record, &rec, 2);
  k.scheduleIn(Duration{-5}, &Recorder::record, &rec, 3);
  EXPECT_EQ(k.nextEventTime(), at(2000));
  k.runUntil(kSimTimeNever);
  ASSERT_EQ(rec.ran.size(), 3u);
  EXPECT_EQ(rec.ran[1], (std::pair<std::int64_t, std::uint64_t>{2000, 2}));
  EXPECT_EQ(rec.ran[2], (std::pair<std::int64_t, std::uint64_t>{2000, 3}));
}

TEST(Kernel, CancelBeforeRun) {
  Kernel k;
  Recorder rec{&k, {}};
  const EventId a = k.schedule(at(10), &Recorder::record, &rec, 1);
  const EventId b = k.schedule(at(20), &Recorder::record, &rec, 2);
  const EventId c = k.schedule(at(5'000'000), &Recorder::record, &rec, 3);
  EXPECT_TRUE(k.isPending(b));
  EXPECT_TRUE(k.cancel(b));
  EXPECT_FALSE(k.isPending(b));
  EXPECT_TRUE(k.cancel(c));  // a coarse-level event
  EXPECT_EQ(k.pendingCount(), 1u);
  k.runUntil(kSimTimeNever);
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{1}));
  EXPECT_FALSE(k.isPending(a));
}

TEST(Kernel, CancelOfRunEventDoubleCancelAndInvalidHandle) {
  Kernel k;
  Recorder rec{&k, {}};
  const EventId a = k.schedule(at(10), &Recorder::record, &rec, 1);
  k.runUntil(at(10));
  EXPECT_FALSE(k.cancel(a));  // already ran
  const EventId b = k.schedule(at(30), &Recorder::record, &rec, 2);
  EXPECT_TRUE(k.cancel(b));
  EXPECT_FALSE(k.cancel(b));  // double cancel
  EXPECT_FALSE(k.cancel(EventId{}));
  EXPECT_FALSE(k.isPending(EventId{}));
  EXPECT_FALSE(k.cancel(EventId{12345, 0}));  // slot never allocated
  EXPECT_EQ(k.pendingCount(), 0u);
}

TEST(Kernel, StaleHandleAfterSlotReuse) {
  Kernel k;
  Recorder rec{&k, {}};
  const EventId a = k.schedule(at(10), &Recorder::record, &rec, 1);
  EXPECT_TRUE(k.cancel(a));
  const EventId b = k.schedule(at(20), &Recorder::record, &rec, 2);
  ASSERT_EQ(b.slot, a.slot);  // the free list hands the slot back
  EXPECT_NE(b.generation, a.generation);
  EXPECT_FALSE(k.isPending(a));
  EXPECT_FALSE(k.cancel(a));  // must not cancel b
  EXPECT_TRUE(k.isPending(b));
  k.runUntil(kSimTimeNever);
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{2}));

  // Same after the slot's event ran rather than being cancelled.
  const EventId c = k.schedule(at(30), &Recorder::record, &rec, 3);
  EXPECT_EQ(c.slot, a.slot);
  EXPECT_FALSE(k.cancel(b));
  EXPECT_TRUE(k.isPending(c));
}

struct SelfCancel {
  Kernel* kernel = nullptr;
  EventId self;
  EventId other;
  bool cancelled_self = true;
  bool cancelled_other = false;
  static void run(void* ctx, std::uint64_t) {
    auto* s = static_cast<SelfCancel*>(ctx);
    s->cancelled_self = s->kernel->cancel(s->self);
    s->cancelled_other = s->kernel->cancel(s->other);
  }
  static void never(void*, std::uint64_t) { ADD_FAILURE() << "cancelled event ran"; }
};

TEST(Kernel, CancelFromInsideEvents) {
  Kernel k;
  SelfCancel s{&k, {}, {}};
  s.self = k.schedule(at(10), &SelfCancel::run, &s);
  s.other = k.schedule(at(10), &SelfCancel::never, &s);
  k.runUntil(kSimTimeNever);
  EXPECT_FALSE(s.cancelled_self);  // an event is no longer pending inside its handler
  EXPECT_TRUE(s.cancelled_other);
  EXPECT_EQ(k.eventsExecuted(), 1u);
}

TEST(Kernel, RunUntilLeavesNowAtEnd) {
  Kernel k;
  Recorder rec{&k, {}};
  k.schedule(at(100), &Recorder::record, &rec, 1);
  k.schedule(at(250), &Recorder::record, &rec, 2);
  k.schedule(at(251), &Recorder::record, &rec, 3);
  k.schedule(at(9'000'000), &Recorder::record, &rec, 4);
  k.runUntil(at(250));  // inclusive
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(k.now(), at(250));
  k.runUntil(at(1'000'000));
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(k.now(), at(1'000'000));
  // Scheduling between now and a coarse event that a previous run inspected.
  k.schedule(at(1'000'001), &Recorder::record, &rec, 5);
  k.runUntil(at(5'000'000));
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{1, 2, 3, 5}));
  EXPECT_EQ(k.now(), at(5'000'000));
  EXPECT_EQ(k.nextEventTime(), at(9'000'000));
  k.runUntil(at(20'000'000));
  EXPECT_EQ(k.now(), at(20'000'000));
  EXPECT_EQ(k.pendingCount(), 0u);
  // Empty queue: time still advances.
  k.runUntil(at(30'000'000));
  EXPECT_EQ(k.now(), at(30'000'000));
}

TEST(Kernel, StepRespectsEnd) {
  Kernel k;
  Recorder rec{&k, {}};
  k.schedule(at(1'000'000), &Recorder::record, &rec, 1);
  EXPECT_FALSE(k.step(at(999'999)));
  EXPECT_EQ(k.now(), at(0));
  // A later step must still accept events before the one it looked at.
  k.schedule(at(5), &Recorder::record, &rec, 2);
  EXPECT_TRUE(k.step(at(999'999)));
  EXPECT_EQ(k.now(), at(5));
  EXPECT_TRUE(k.step());
  EXPECT_EQ(k.now(), at(1'000'000));
  EXPECT_FALSE(k.step());
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{2, 1}));
}

TEST(Kernel, RunWhilePredicate) {
  Kernel k;
  Recorder rec{&k, {}};
  for (std::uint64_t i = 0; i < 10; ++i)
    k.schedule(at(static_cast<std::int64_t>(i) * 10), &Recorder::record, &rec, i);
  k.runWhile([&] { return rec.ran.size() < 4; });
  EXPECT_EQ(rec.ran.size(), 4u);
  EXPECT_EQ(k.now(), at(30));  // runWhile does not move time past the last event
  k.runWhile([] { return true; }, at(65));
  EXPECT_EQ(rec.ran.size(), 7u);
  EXPECT_EQ(k.now(), at(60));
  k.runWhile([] { return true; });
  EXPECT_EQ(rec.ran.size(), 10u);
}

struct Stopper {
  Kernel* kernel = nullptr;
  int runs = 0;
  static void run(void* ctx, std::uint64_t arg) {
    auto* s = static_cast<Stopper*>(ctx);
    ++s->runs;
    if (arg == 1) s->kernel->stop();
  }
};

TEST(Kernel, StopFromInsideEvent) {
  Kernel k;
  Stopper s{&k, 0};
  k.schedule(at(10), &Stopper::run, &s, 0);
  k.schedule(at(20), &Stopper::run, &s, 1);
  k.schedule(at(20), &Stopper::run, &s, 0);
  k.schedule(at(30), &Stopper::run, &s, 0);
  k.runUntil(at(100));
  EXPECT_EQ(s.runs, 2);
  EXPECT_TRUE(k.stopped());
  EXPECT_EQ(k.now(), at(20));  // stopped: time stays at the stopping event
  EXPECT_EQ(k.pendingCount(), 2u);
  k.runUntil(at(100));  // a new run clears the stop
  EXPECT_FALSE(k.stopped());
  EXPECT_EQ(s.runs, 4);
  EXPECT_EQ(k.now(), at(100));

  k.schedule(at(200), &Stopper::run, &s, 1);
  k.schedule(at(300), &Stopper::run, &s, 0);
  k.runWhile([] { return true; });
  EXPECT_EQ(s.runs, 5);
  EXPECT_EQ(k.now(), at(200));
}

TEST(Kernel, PendingCountAndNextEventTime) {
  Kernel k;
  Recorder rec{&k, {}};
  EXPECT_EQ(k.pendingCount(), 0u);
  EXPECT_EQ(k.nextEventTime(), kSimTimeNever);
  const EventId far = k.schedule(at(7'777'777'777), &Recorder::record, &rec, 1);
  EXPECT_EQ(k.nextEventTime(), at(7'777'777'777));
  k.schedule(at(7'000'000'001), &Recorder::record, &rec, 2);
  k.schedule(at(7'000'000'000), &Recorder::record, &rec, 3);
  EXPECT_EQ(k.nextEventTime(), at(7'000'000'000));
  EXPECT_EQ(k.pendingCount(), 3u);
  k.schedule(at(3), &Recorder::record, &rec, 4);
  EXPECT_EQ(k.nextEventTime(), at(3));
  EXPECT_TRUE(k.step());
  EXPECT_EQ(k.nextEventTime(), at(7'000'000'000));
  EXPECT_TRUE(k.cancel(far));
  EXPECT_EQ(k.pendingCount(), 2u);
  k.runUntil(kSimTimeNever);
  EXPECT_EQ(k.pendingCount(), 0u);
  EXPECT_EQ(k.nextEventTime(), kSimTimeNever);
  EXPECT_EQ(k.now(), at(7'000'000'001));
}

TEST(Kernel, FarFutureAndNeverTimes) {
  Kernel k;
  Recorder rec{&k, {}};
  k.schedule(kSimTimeNever, &Recorder::record, &rec, 1);
  k.schedule(at(INT64_MAX - 1), &Recorder::record, &rec, 2);
  k.schedule(at(1), &Recorder::record, &rec, 3);
  k.runUntil(at(1'000'000'000'000'000'000));
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{3}));
  EXPECT_TRUE(k.step());
  EXPECT_TRUE(k.step());
  EXPECT_EQ(rec.args(), (std::vector<std::uint64_t>{3, 2, 1}));
  EXPECT_EQ(k.now(), kSimTimeNever);
}

TEST(Kernel, SlabIsReusedInSteadyState) {
  // A hold model: the pending count stays constant, so the slab never grows past it.
  struct Hold {
    Kernel* kernel = nullptr;
    Rng rng{7};
    static void run(void* ctx, std::uint64_t) {
      auto* h = static_cast<Hold*>(ctx);
      h->kernel->scheduleIn(Duration{h->rng.uniformInt(0, 5000)}, &Hold::run, h);
    }
  };
  Kernel k;
  Hold h{&k};
  std::uint32_t max_slot = 0;
  for (int i = 0; i < 500; ++i)
    max_slot = std::max(max_slot, k.scheduleIn(Duration{i}, &Hold::run, &h).slot);
  k.runWhile([&] { return k.eventsExecuted() < 100'000; });
  EXPECT_EQ(k.pendingCount(), 500u);
  const EventId probe = k.scheduleIn(Duration{1}, &Hold::run, &h);
  EXPECT_LE(probe.slot, 500u);  // from the free list, not a new record
  EXPECT_LT(max_slot, 500u);
}

// ---- randomized comparison against a std::multimap model -----------------------------

/// Drives the kernel and a reference model side by side. The model is a multimap keyed by
/// time: equal keys keep their insertion order, which is the kernel's FIFO rule.
class ModelCheck {
 public:
  explicit ModelCheck(std::uint64_t seed) : rng_(seed) {}

  void scheduleBoth(std::int64_t t) {
    const std::uint64_t tag = entries_.size();
    const SimTime when = at(t);
    const EventId id = kernel_.schedule(when, &ModelCheck::onEvent, this, tag);
    const std::int64_t clamped = std::max(t, kernel_.now().time_since_epoch().count());
    entries_.push_back(Entry{id, model_.emplace(clamped, tag), true});
  }

  std::int64_t randomTime() {
    const std::int64_t now = kernel_.now().time_since_epoch().count();
    // Mostly near-future (many equal times), some far (coarse levels), some past.
    switch (rng_.below(8)) {
      case 0:
        return now;
      case 1:
        return now - rng_.uniformInt(0, 1000);
      case 2:
        return now + rng_.uniformInt(0, 1'000'000'000);
      case 3:
        return now + rng_.uniformInt(0, 100'000'000'000'000);
      default:
        return now + rng_.uniformInt(0, 300);
    }
  }

  void run(int ops) {
    for (int op = 0; op < ops; ++op) {
      const std::uint64_t kind = rng_.below(100);
      if (kind < 45) {
        scheduleBoth(randomTime());
      } else if (kind < 65 && !entries_.empty()) {
        Entry& e = entries_[rng_.below(entries_.size())];
        const bool expect = e.live;
        ASSERT_EQ(kernel_.isPending(e.id), expect);
        ASSERT_EQ(kernel_.cancel(e.id), expect);
        if (expect) {
          model_.erase(e.it);
          e.live = false;
        }
      } else if (kind < 92) {
        const bool expect = !model_.empty();
        ASSERT_EQ(kernel_.step(), expect);
      } else if (kind < 97) {
        const SimTime end = kernel_.now() + Duration{rng_.uniformInt(0, 2000)};
        kernel_.runUntil(end);
        ASSERT_EQ(kernel_.now(), end);
        ASSERT_TRUE(model_.empty() || model_.begin()->first > end.time_since_epoch().count());
      } else {
        const SimTime expect = model_.empty() ? kSimTimeNever : at(model_.begin()->first);
        ASSERT_EQ(kernel_.nextEventTime(), expect);
      }
      ASSERT_EQ(kernel_.pendingCount(), model_.size());
      ASSERT_FALSE(failed_);
    }
    // Drain and compare the rest.
    kernel_.runUntil(kSimTimeNever);
    EXPECT_TRUE(model_.empty());
    EXPECT_EQ(kernel_.pendingCount(), 0u);
    EXPECT_FALSE(failed_);
  }

  std::uint64_t executed() const { return kernel_.eventsExecuted(); }

 private:
  struct Entry {
    EventId id;
    std::multimap<std::int64_t, std::uint64_t>::iterator it;
    bool live;
  };

  static void onEvent(void* ctx, std::uint64_t tag) {
    auto* self = static_cast<ModelCheck*>(ctx);
    Kernel& k = self->kernel_;
    if (self->model_.empty()) {
      self->failed_ = true;
      ADD_FAILURE() << "kernel ran tag " << tag << " but the model is empty";
      return;
    }
    const auto first = self->model_.begin();
    if (first->second != tag || first->first != k.now().time_since_epoch().count()) {
      self->failed_ = true;
      ADD_FAILURE() << "kernel ran tag " << tag << " at " << k.now().time_since_epoch().count()
                    << ", model expected tag " << first->second << " at " << first->first;
      return;
    }
    self->model_.erase(first);
    self->entries_[tag].live = false;
    // Events scheduling events: at the current time (FIFO behind the queue) or later.
    const std::uint64_t r = self->rng_.below(4);
    if (r == 0) self->scheduleBoth(k.now().time_since_epoch().count());
    if (r == 1) self->scheduleBoth(self->randomTime());
  }

  Kernel kernel_;
  Rng rng_;
  std::multimap<std::int64_t, std::uint64_t> model_;
  std::vector<Entry> entries_;
  bool failed_ = false;
};

TEST(Kernel, MatchesMultimapModelOverRandomOperations) {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    ModelCheck check(seed);
    check.run(100'000);
    EXPECT_GT(check.executed(), 10'000u);
  }
}

}  // namespace
}  // namespace lpm::sim
