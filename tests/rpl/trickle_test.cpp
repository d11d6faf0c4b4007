#include "lpmesh/rpl/trickle.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "lpmesh/rpl/lollipop.hpp"
#include "tests/rpl/test_clock.hpp"

namespace lpm::rpl {
namespace {

struct Recorder {
  test::TestClock* clock = nullptr;
  std::vector<LocalTime> sent;
  static void fn(void* self) {
    auto* r = static_cast<Recorder*>(self);
    r->sent.push_back(r->clock->now());
  }
};

TEST(TrickleParams, Rfc6550Defaults) {
  const TrickleParams p = TrickleParams::fromRpl(3, 20, 10);
  EXPECT_EQ(p.imin, millis(8));
  EXPECT_EQ(p.imax(), millis(8) * (1 << 20));  // 8388.608 s
  EXPECT_EQ(p.k, 10);
  // Absurd exponents saturate instead of overflowing.
  EXPECT_GT(TrickleParams::fromRpl(200, 255, 1).imax(), seconds(1'000'000));
}

// RFC 6206 §4.2: each interval I doubles up to Imax; t is in [I/2, I).
TEST(Trickle, IntervalDoublingAndTransmitTimes) {
  test::TestClock clock;
  Rng rng(7);
  Recorder rec;
  rec.clock = &clock;
  Trickle t(clock, rng, &rec, &Recorder::fn);
  TrickleParams p;
  p.imin = millis(8);
  p.doublings = 3;  // Imax = 64 ms
  p.k = 1;
  t.start(p);
  std::vector<Duration> expect = {millis(8),  millis(16), millis(32),
                                  millis(64), millis(64), millis(64)};
  LocalTime begin = clock.now();
  for (Duration i : expect) {
    EXPECT_EQ(t.interval(), i);
    EXPECT_GE(t.transmitTime() - begin, i / 2);
    EXPECT_LT(t.transmitTime() - begin, i);
    EXPECT_EQ(t.intervalEnd() - begin, i);
    clock.runUntil(t.intervalEnd() - nanos(1));
    begin = t.intervalEnd();
    clock.runUntil(begin);
  }
  EXPECT_EQ(rec.sent.size(), expect.size());
  EXPECT_EQ(t.stats().transmissions, expect.size());
  EXPECT_EQ(t.stats().intervals, expect.size() + 1);
}

TEST(Trickle, InconsistencyResetsToImin) {
  test::TestClock clock;
  Rng rng(3);
  Recorder rec;
  rec.clock = &clock;
  Trickle t(clock, rng, &rec, &Recorder::fn);
  t.start(TrickleParams::fromRpl(3, 20, 10));
  clock.advance(seconds(10));
  EXPECT_GT(t.interval(), seconds(4));
  t.inconsistent();
  EXPECT_EQ(t.interval(), millis(8));
  EXPECT_EQ(t.stats().resets, 1U);
  EXPECT_EQ(t.counter(), 0U);
  // At Imin an inconsistency changes nothing (RFC 6206 §4.2 step 6).
  const LocalTime end = t.intervalEnd();
  t.inconsistent();
  EXPECT_EQ(t.intervalEnd(), end);
  EXPECT_EQ(t.stats().resets, 1U);
}

TEST(Trickle, SuppressionCounter) {
  test::TestClock clock;
  Rng rng(5);
  Recorder rec;
  rec.clock = &clock;
  Trickle t(clock, rng, &rec, &Recorder::fn);
  TrickleParams p;
  p.imin = millis(100);
  p.doublings = 0;
  p.k = 2;
  t.start(p);
  // Two consistent messages before t: suppressed.
  t.consistent();
  t.consistent();
  clock.runUntil(t.intervalEnd());
  EXPECT_EQ(rec.sent.size(), 0U);
  EXPECT_EQ(t.stats().suppressed, 1U);
  // One is not enough to suppress with k = 2.
  t.consistent();
  clock.runUntil(t.intervalEnd());
  EXPECT_EQ(rec.sent.size(), 1U);
  // k = 0: never suppressed.
  p.k = 0;
  t.start(p);
  for (int i = 0; i < 50; ++i)
    t.consistent();
  clock.runUntil(t.intervalEnd());
  EXPECT_EQ(rec.sent.size(), 2U);
}

TEST(Trickle, StopCancelsEverything) {
  test::TestClock clock;
  Rng rng(1);
  Recorder rec;
  rec.clock = &clock;
  Trickle t(clock, rng, &rec, &Recorder::fn);
  t.start(TrickleParams::fromRpl(3, 2, 10));
  t.stop();
  clock.advance(seconds(5));
  EXPECT_TRUE(rec.sent.empty());
  EXPECT_EQ(clock.pending(), 0U);
  t.inconsistent();  // ignored while stopped
  EXPECT_EQ(clock.pending(), 0U);
}

// RFC 6550 §7.2 lollipop counters.
TEST(Lollipop, IncrementAndCompare) {
  using lollipop::compare;
  using lollipop::Order;
  EXPECT_EQ(lollipop::increment(240), 241);
  EXPECT_EQ(lollipop::increment(255), 0);
  EXPECT_EQ(lollipop::increment(127), 0);
  EXPECT_EQ(compare(241, 240), Order::kGreater);
  EXPECT_EQ(compare(240, 241), Order::kLess);
  EXPECT_EQ(compare(5, 5), Order::kEqual);
  // Linear 250 vs circular 3: 256 + 3 - 250 = 9 <= 16, so 3 is newer.
  EXPECT_EQ(compare(3, 250), Order::kGreater);
  EXPECT_EQ(compare(250, 3), Order::kLess);
  // Linear 200 vs circular 3: 59 > 16, so 200 is newer.
  EXPECT_EQ(compare(200, 3), Order::kGreater);
  // Circular wrap: 1 follows 126.
  EXPECT_EQ(compare(1, 126), Order::kGreater);
  EXPECT_EQ(compare(126, 1), Order::kLess);
  // Too far apart in one region: not comparable (counted as newer by newer()).
  EXPECT_EQ(compare(10, 60), Order::kNotComparable);
  EXPECT_EQ(compare(130, 200), Order::kNotComparable);
  EXPECT_TRUE(lollipop::newer(10, 60));
  EXPECT_FALSE(lollipop::newer(240, 241));
}

}  // namespace
}  // namespace lpm::rpl
