// Time types. Everything is an integer count of nanoseconds (DESIGN.md "Determinism").
//
// Two clocks exist and cannot be mixed by accident:
//  - SimClock: the simulator's true time, one timeline for the whole world;
//  - LocalClock: a node's own clock, which drifts (ppm) against SimClock. Stacks only
//    ever see LocalClock (through platform::Timers).
#pragma once

#include <chrono>
#include <cstdint>

namespace lpm {

using Duration = std::chrono::nanoseconds;  // int64 ns: ±292 years
using std::chrono::duration_cast;

struct SimClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = Duration;
  using time_point = std::chrono::time_point<SimClock>;
  static constexpr bool is_steady = true;
};
using SimTime = SimClock::time_point;

struct LocalClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = Duration;
  using time_point = std::chrono::time_point<LocalClock>;
  static constexpr bool is_steady = true;
};
using LocalTime = LocalClock::time_point;

constexpr Duration nanos(std::int64_t n) { return Duration{n}; }
constexpr Duration micros(std::int64_t us) { return Duration{us * 1000}; }
constexpr Duration millis(std::int64_t ms) { return Duration{ms * 1'000'000}; }
constexpr Duration seconds(std::int64_t s) { return Duration{s * 1'000'000'000}; }

constexpr std::int64_t toMicros(Duration d) { return d.count() / 1000; }
constexpr double toSeconds(Duration d) { return static_cast<double>(d.count()) * 1e-9; }
constexpr SimTime simTime(Duration since_start) { return SimTime{since_start}; }

inline constexpr SimTime kSimTimeNever = SimTime{Duration{INT64_MAX}};
inline constexpr LocalTime kLocalTimeNever = LocalTime{Duration{INT64_MAX}};

}  // namespace lpm
