// Durations and times as written in scenarios: "10s", "250ms", "1.5min", "1h", "100us",
// "20ns"; a plain number is seconds. Parsed exactly into integer nanoseconds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lpmesh/core/time.hpp"

namespace lpm::scenario {

/// Parses a non-negative duration; nullopt when the text is not one (or overflows).
std::optional<Duration> parseDuration(std::string_view text);

/// Shortest exact text for a duration with the largest unit that divides it:
/// 60 s -> "1min", 1.5 s -> "1500ms", 0 -> "0s".
std::string formatDuration(Duration d);

}  // namespace lpm::scenario
