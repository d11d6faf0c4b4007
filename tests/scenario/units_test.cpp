#include "lpmesh/scenario/units.hpp"

#include <gtest/gtest.h>

namespace lpm::scenario {
namespace {

TEST(ParseDuration, AcceptsUnitsAndPlainSeconds) {
  EXPECT_EQ(parseDuration("10s"), seconds(10));
  EXPECT_EQ(parseDuration("250ms"), millis(250));
  EXPECT_EQ(parseDuration("1h"), seconds(3600));
  EXPECT_EQ(parseDuration("100us"), micros(100));
  EXPECT_EQ(parseDuration("20ns"), nanos(20));
  EXPECT_EQ(parseDuration("1.5min"), seconds(90));
  EXPECT_EQ(parseDuration("2"), seconds(2));
  EXPECT_EQ(parseDuration("0.1"), millis(100));  // exact, no binary rounding
  EXPECT_EQ(parseDuration("0.000000001"), nanos(1));
  EXPECT_EQ(parseDuration(" 5 s "), seconds(5));
  EXPECT_EQ(parseDuration("+3ms"), millis(3));
  EXPECT_EQ(parseDuration("0"), Duration{0});
  EXPECT_EQ(parseDuration(".5s"), millis(500));
}

TEST(ParseDuration, RejectsBadText) {
  for (const char* bad : {"", "s", "abc", "10x", "-1s", "1.2.3s", "0.5ns", "1e3s", "5m", "1 0s",
                          "ms10", "99999999999999999999h"}) {
    EXPECT_FALSE(parseDuration(bad).has_value()) << bad;
  }
}

TEST(FormatDuration, UsesTheLargestExactUnit) {
  EXPECT_EQ(formatDuration(Duration{0}), "0s");
  EXPECT_EQ(formatDuration(seconds(60)), "1min");
  EXPECT_EQ(formatDuration(seconds(7200)), "2h");
  EXPECT_EQ(formatDuration(millis(1500)), "1500ms");
  EXPECT_EQ(formatDuration(micros(7)), "7us");
  EXPECT_EQ(formatDuration(nanos(1001)), "1001ns");
  for (Duration d : {seconds(45), millis(250), micros(100), seconds(5400)}) {
    EXPECT_EQ(parseDuration(formatDuration(d)), d);
  }
}

}  // namespace
}  // namespace lpm::scenario
