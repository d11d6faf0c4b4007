#include "lpmesh/sim/node_timers.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lpm::sim {
namespace {

using platform::Timer;

SimTime simAt(std::int64_t ns) {
  return SimTime{Duration{ns}};
}
LocalTime localAt(std::int64_t ns) {
  return LocalTime{Duration{ns}};
}

struct Firing {
  int id;
  std::int64_t sim_ns;
  std::int64_t local_ns;
};

/// A timer that logs its expiries and then runs an optional action.
struct LoggingTimer {
  LoggingTimer(int id_in, NodeTimers& timers_in, std::vector<Firing>& log_in)
      : id(id_in), timers(timers_in), log(log_in) {}
  static void onFire(void* ctx, Timer& /*timer*/) {
    auto* self = static_cast<LoggingTimer*>(ctx);
    self->log.push_back(
        Firing{self->id, self->sim_now(), self->timers.now().time_since_epoch().count()});
    if (self->action) self->action();
  }

  int id;
  NodeTimers& timers;
  std::vector<Firing>& log;
  std::function<std::int64_t()> sim_now;
  std::function<void()> action;
  Timer timer{this, &LoggingTimer::onFire};
};

class NodeTimersTest : public ::testing::Test {
 protected:
  LoggingTimer& make(NodeTimers& timers, int id) {
    owned_.push_back(std::make_unique<LoggingTimer>(id, timers, log_));
    owned_.back()->sim_now = [this] { return kernel_.now().time_since_epoch().count(); };
    return *owned_.back();
  }
  std::vector<int> firedIds() const {
    std::vector<int> ids;
    for (const auto& f : log_)
      ids.push_back(f.id);
    return ids;
  }

  Kernel kernel_;
  std::vector<Firing> log_;
  std::vector<std::unique_ptr<LoggingTimer>> owned_;
};

TEST_F(NodeTimersTest, LocalClockFollowsDrift) {
  NodeTimers fast(kernel_, NodeClock(100'000, SimTime{}));  // +100 ppm
  kernel_.runUntil(simAt(1'000'000'000));
  EXPECT_EQ(fast.now(), localAt(1'000'100'000));
}

TEST_F(NodeTimersTest, DriftingTimerFiresOnLocalTimeNeverEarly) {
  for (const std::int64_t ppb : {100'000, -100'000, 30'000, 0, 1}) {
    SCOPED_TRACE(ppb);
    Kernel kernel;
    const NodeClock clock(ppb, simAt(12'345));
    NodeTimers timers(kernel, clock);
    std::vector<Firing> log;
    LoggingTimer t(1, timers, log);
    t.sim_now = [&kernel] { return kernel.now().time_since_epoch().count(); };
    kernel.runUntil(simAt(12'345));
    timers.start(t.timer, seconds(1));
    EXPECT_EQ(t.timer.fireTime(), localAt(1'000'000'000));
    kernel.runUntil(simAt(5'000'000'000));
    ASSERT_EQ(log.size(), 1u);
    // Ideal sim duration 1 s / (1 + ppb * 1e-9), rounded up to the next ns.
    const double ideal = 1e9 / (1.0 + static_cast<double>(ppb) * 1e-9);
    const std::int64_t fired = log[0].sim_ns - 12'345;
    // (1.5: ceil to whole ns, plus the double's own error.)
    EXPECT_NEAR(static_cast<double>(fired), ideal, 1.5);
    // Never early, and not later than needed.
    EXPECT_GE(clock.toLocal(simAt(log[0].sim_ns)), localAt(1'000'000'000));
    EXPECT_LT(clock.toLocal(simAt(log[0].sim_ns - 1)), localAt(1'000'000'000));
    EXPECT_GE(log[0].local_ns, 1'000'000'000);
  }
}

TEST_F(NodeTimersTest, PlusHundredPpmOneSecondIsPoint9999SimSeconds) {
  NodeTimers timers(kernel_, NodeClock(100'000, SimTime{}));
  LoggingTimer& t = make(timers, 1);
  timers.start(t.timer, seconds(1));
  kernel_.runUntil(simAt(2'000'000'000));
  ASSERT_EQ(log_.size(), 1u);
  // 1e9 / 1.0001 = 999'900'009.999 ns: the first whole ns reading >= 1 s local.
  EXPECT_EQ(log_[0].sim_ns, 999'900'010);
}

TEST_F(NodeTimersTest, CoalescesIntoOneKernelEvent) {
  NodeTimers timers(kernel_, NodeClock(-20'000, SimTime{}));
  for (int i = 0; i < 1000; ++i) {
    LoggingTimer& t = make(timers, i);
    // Reverse time order, and each pair (2k, 2k + 1) shares a time.
    timers.startAt(t.timer, localAt(std::int64_t{1000 - i / 2} * 1000));
  }
  EXPECT_EQ(timers.runningCount(), 1000u);
  EXPECT_EQ(kernel_.pendingCount(), 1u);
  EXPECT_EQ(timers.nextFireTime(), NodeClock(-20'000, SimTime{}).toSim(localAt(501'000)));
  kernel_.runUntil(simAt(10'000'000));
  ASSERT_EQ(log_.size(), 1000u);
  EXPECT_EQ(kernel_.pendingCount(), 0u);
  EXPECT_EQ(timers.runningCount(), 0u);
  EXPECT_EQ(timers.firedCount(), 1000u);
  for (std::size_t i = 1; i < log_.size(); ++i) {
    EXPECT_LE(log_[i - 1].local_ns, log_[i].local_ns);
    if (log_[i - 1].sim_ns == log_[i].sim_ns) {
      // Same local time: arming order (the lower id was armed first).
      EXPECT_LT(log_[i - 1].id, log_[i].id);
    }
  }
}

TEST_F(NodeTimersTest, SameLocalTimeFiresInArmingOrder) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  LoggingTimer& b = make(timers, 2);
  LoggingTimer& c = make(timers, 3);
  LoggingTimer& d = make(timers, 4);
  timers.startAt(c.timer, localAt(500));
  timers.startAt(a.timer, localAt(500));
  timers.startAt(d.timer, localAt(400));
  timers.startAt(b.timer, localAt(500));
  timers.startAt(c.timer, localAt(500));  // re-arming makes it the newest arming
  kernel_.runUntil(simAt(1000));
  EXPECT_EQ(firedIds(), (std::vector<int>{4, 1, 2, 3}));
  EXPECT_EQ(log_[1].sim_ns, 500);
  EXPECT_EQ(log_[3].sim_ns, 500);
}

TEST_F(NodeTimersTest, ReArmEarlierAndLater) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  LoggingTimer& b = make(timers, 2);
  timers.start(a.timer, millis(10));
  timers.start(b.timer, millis(20));
  timers.start(a.timer, millis(5));  // earlier: the kernel event moves
  EXPECT_EQ(timers.nextFireTime(), simAt(5'000'000));
  EXPECT_EQ(kernel_.pendingCount(), 1u);
  kernel_.runUntil(simAt(6'000'000));
  EXPECT_EQ(firedIds(), (std::vector<int>{1}));
  timers.start(a.timer, millis(1));   // again, from 6 ms: due at 7 ms
  timers.start(b.timer, millis(30));  // later: b now due at 36 ms
  timers.start(a.timer, millis(40));  // a overtakes b: due at 46 ms
  EXPECT_EQ(timers.nextFireTime(), simAt(36'000'000));
  kernel_.runUntil(simAt(100'000'000));
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_EQ(firedIds(), (std::vector<int>{1, 2, 1}));
  EXPECT_EQ(log_[1].sim_ns, 36'000'000);
  EXPECT_EQ(log_[2].sim_ns, 46'000'000);
}

TEST_F(NodeTimersTest, StopPreventsFiring) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  LoggingTimer& b = make(timers, 2);
  LoggingTimer& c = make(timers, 3);
  timers.stop(a.timer);  // not running: harmless
  timers.start(a.timer, micros(10));
  timers.start(b.timer, micros(20));
  timers.start(c.timer, micros(30));
  EXPECT_TRUE(a.timer.isRunning());
  timers.stop(a.timer);  // the head: event moves to b
  EXPECT_FALSE(a.timer.isRunning());
  EXPECT_EQ(timers.nextFireTime(), simAt(20'000));
  timers.stop(c.timer);
  timers.stop(c.timer);
  EXPECT_EQ(timers.runningCount(), 1u);
  kernel_.runUntil(simAt(1'000'000));
  EXPECT_EQ(firedIds(), (std::vector<int>{2}));
  timers.stop(b.timer);  // stopped by firing already
  EXPECT_EQ(kernel_.pendingCount(), 0u);
  EXPECT_EQ(timers.nextFireTime(), kSimTimeNever);
}

TEST_F(NodeTimersTest, TimerRestartedInsideItsOwnHandler) {
  NodeTimers timers(kernel_, NodeClock(0, SimTime{}));
  LoggingTimer& p = make(timers, 1);
  int runs = 0;
  p.action = [&] {
    if (++runs < 5) timers.start(p.timer, millis(100));
  };
  timers.start(p.timer, millis(100));
  kernel_.runUntil(seconds(10) + SimTime{});
  ASSERT_EQ(log_.size(), 5u);
  for (std::size_t i = 0; i < log_.size(); ++i) {
    EXPECT_EQ(log_[i].sim_ns, static_cast<std::int64_t>(i + 1) * 100'000'000);
  }
  EXPECT_FALSE(p.timer.isRunning());
  EXPECT_EQ(kernel_.pendingCount(), 0u);
}

TEST_F(NodeTimersTest, HandlerStopsAndStartsOtherTimers) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  LoggingTimer& b = make(timers, 2);
  LoggingTimer& c = make(timers, 3);
  LoggingTimer& d = make(timers, 4);
  // a stops b (due at the same time, armed later) and arms d in the past: d is due
  // earlier than c, so it fires next, in a later kernel event at the same instant.
  a.action = [&] {
    timers.stop(b.timer);
    timers.startAt(d.timer, localAt(0));
  };
  timers.startAt(a.timer, localAt(1000));
  timers.startAt(b.timer, localAt(1000));
  timers.startAt(c.timer, localAt(1000));
  kernel_.runUntil(simAt(5000));
  EXPECT_EQ(firedIds(), (std::vector<int>{1, 4, 3}));
  for (const auto& f : log_)
    EXPECT_EQ(f.sim_ns, 1000);
}

TEST_F(NodeTimersTest, PastTimerFiresAfterCurrentEvent) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  std::vector<int> order;
  struct Probe {
    std::vector<int>* order;
    static void run(void* ctx, std::uint64_t arg) {
      static_cast<Probe*>(ctx)->order->push_back(static_cast<int>(arg));
    }
  } probe{&order};
  a.action = [&] { order.push_back(1); };
  kernel_.runUntil(simAt(100));
  kernel_.schedule(simAt(100), &Probe::run, &probe, 7);
  timers.startAt(a.timer, localAt(3));  // already past: as soon as possible, after 7
  kernel_.runUntil(simAt(200));
  EXPECT_EQ(order, (std::vector<int>{7, 1}));
  EXPECT_EQ(log_.at(0).sim_ns, 100);
}

struct FakeStack {
  FakeStack(NodeTimers& timers_in, std::vector<int>& fired_in, bool rearm_in_dtor)
      : timers(timers_in), fired(fired_in), rearm_in_destructor(rearm_in_dtor) {}
  ~FakeStack() {
    // Destructors may stop their timers (harmless after stopAll), and a careless one may
    // even start one: the halted service must not keep a pointer to it.
    timers.stop(retransmit);
    if (rearm_in_destructor) timers.start(poll, millis(1));
  }
  static void onRetransmit(void* ctx, Timer&) { static_cast<FakeStack*>(ctx)->fired.push_back(1); }
  static void onPoll(void* ctx, Timer&) { static_cast<FakeStack*>(ctx)->fired.push_back(2); }

  NodeTimers& timers;
  std::vector<int>& fired;
  bool rearm_in_destructor;
  Timer retransmit{this, &FakeStack::onRetransmit};
  Timer poll{this, &FakeStack::onPoll};
};

TEST_F(NodeTimersTest, StopAllThenDestroyStackIsSafe) {
  NodeTimers timers(kernel_);
  std::vector<int> fired;
  for (const bool rearm : {false, true}) {
    auto stack = std::make_unique<FakeStack>(timers, fired, rearm);
    timers.start(stack->retransmit, millis(5));
    timers.start(stack->poll, millis(7));
    kernel_.runUntil(kernel_.now() + millis(1));
    timers.stopAll();  // power off: the world's first step
    EXPECT_FALSE(stack->retransmit.isRunning());
    EXPECT_FALSE(stack->poll.isRunning());
    EXPECT_EQ(timers.runningCount(), 0u);
    EXPECT_EQ(kernel_.pendingCount(), 0u);
    EXPECT_TRUE(timers.halted());
    stack.reset();  // then the stacks go (ASan checks nothing touches them later)
    EXPECT_EQ(timers.runningCount(), 0u);
    kernel_.runUntil(kernel_.now() + seconds(1));
    EXPECT_TRUE(fired.empty());
    timers.stopAll();  // again, with the stack gone: touches no Timer
    timers.resume();
  }
}

TEST_F(NodeTimersTest, HaltedUntilSetClockOrResume) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  timers.stopAll();
  timers.start(a.timer, millis(1));
  EXPECT_FALSE(a.timer.isRunning());
  EXPECT_EQ(kernel_.pendingCount(), 0u);
  timers.resume();
  EXPECT_FALSE(timers.halted());
  timers.start(a.timer, millis(1));
  EXPECT_TRUE(a.timer.isRunning());
  timers.stopAll();
  timers.setClock(NodeClock(0, kernel_.now()));
  timers.start(a.timer, millis(1));
  EXPECT_TRUE(a.timer.isRunning());
  kernel_.runUntil(simAt(10'000'000));
  EXPECT_EQ(firedIds(), (std::vector<int>{1}));
}

TEST_F(NodeTimersTest, StopAllFromInsideAHandler) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  LoggingTimer& b = make(timers, 2);
  a.action = [&] { timers.stopAll(); };
  timers.startAt(a.timer, localAt(10));
  timers.startAt(b.timer, localAt(10));
  kernel_.runUntil(simAt(100));
  EXPECT_EQ(firedIds(), (std::vector<int>{1}));
  EXPECT_FALSE(b.timer.isRunning());
  EXPECT_EQ(kernel_.pendingCount(), 0u);
}

TEST_F(NodeTimersTest, RebootRestartsTheLocalClock) {
  const std::int64_t ppb = 50'000;  // +50 ppm
  NodeTimers timers(kernel_, NodeClock(ppb, SimTime{}));
  LoggingTimer& a = make(timers, 1);
  kernel_.runUntil(simAt(5'000'000'000));
  EXPECT_EQ(timers.now(), localAt(5'000'250'000));
  timers.start(a.timer, seconds(1));
  // Reboot at 5 s: timers stop, the clock reads 0 again.
  timers.stopAll();
  NodeClock rebooted = timers.clock();
  rebooted.reboot(kernel_.now());
  timers.setClock(rebooted);
  EXPECT_EQ(timers.now(), localAt(0));
  EXPECT_EQ(timers.clock().bootTime(), simAt(5'000'000'000));
  timers.start(a.timer, seconds(1));
  EXPECT_EQ(a.timer.fireTime(), localAt(1'000'000'000));
  kernel_.runUntil(simAt(10'000'000'000));
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_EQ(log_[0].sim_ns, 5'000'000'000 + 999'950'003);  // ceil(1e9 / 1.00005)
  EXPECT_EQ(log_[0].local_ns, 1'000'000'000);
}

TEST_F(NodeTimersTest, SetClockReconvertsRunningTimers) {
  NodeTimers timers(kernel_);
  LoggingTimer& a = make(timers, 1);
  timers.startAt(a.timer, localAt(1'000'000'000));
  EXPECT_EQ(timers.nextFireTime(), simAt(1'000'000'000));
  timers.setClock(NodeClock(-100'000, SimTime{}));  // now slow by 100 ppm
  EXPECT_EQ(kernel_.pendingCount(), 1u);
  kernel_.runUntil(simAt(2'000'000'000));
  ASSERT_EQ(log_.size(), 1u);
  // 1e9 / 0.9999 = 1'000'100'010.001 ns, but NodeClock truncates the drift term toward
  // zero, so at a negative drift 1'000'100'010 already reads 1 s.
  EXPECT_EQ(log_[0].sim_ns, 1'000'100'010);
  EXPECT_EQ(log_[0].local_ns, 1'000'000'000);
}

TEST_F(NodeTimersTest, NodesInterleaveBySimTime) {
  NodeTimers fast(kernel_, NodeClock(200'000, SimTime{}));
  NodeTimers slow(kernel_, NodeClock(-200'000, SimTime{}));
  LoggingTimer& f = make(fast, 1);
  LoggingTimer& s = make(slow, 2);
  LoggingTimer& f2 = make(fast, 3);
  slow.start(s.timer, seconds(1));
  fast.start(f.timer, seconds(1));
  fast.start(f2.timer, micros(999'900));  // 0.9999 s local on the fast node
  EXPECT_EQ(kernel_.pendingCount(), 2u);  // one event per node
  kernel_.runUntil(simAt(2'000'000'000));
  EXPECT_EQ(firedIds(), (std::vector<int>{3, 1, 2}));
}

}  // namespace
}  // namespace lpm::sim
