#include "lpmesh/scenario/units.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace lpm::scenario {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ns;
};

// Two-letter suffixes before "s" so "250ms" is not read as "250m" seconds. No bare "m":
// in a scenario it would read as metres.
constexpr std::array<Unit, 6> kUnits{{
    {"min", 60'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
    {"h", 3'600'000'000'000},
    {"s", 1'000'000'000},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Duration> parseDuration(std::string_view text) {
  std::string_view s = trim(text);
  std::int64_t unit_ns = 1'000'000'000;  // plain number: seconds
  for (const Unit& u : kUnits) {
    if (s.size() > u.suffix.size() && s.substr(s.size() - u.suffix.size()) == u.suffix) {
      unit_ns = u.ns;
      s = trim(s.substr(0, s.size() - u.suffix.size()));
      break;
    }
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;

  // Exact decimal: value = digits * unit_ns / 10^fraction_digits, in 128-bit arithmetic.
  __extension__ typedef unsigned __int128 U128;
  U128 mantissa = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (char c : s) {
    if (c == '.') {
      if (seen_point) return std::nullopt;
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    seen_digit = true;
    if (mantissa > (U128{1} << 100)) return std::nullopt;  // absurdly long
    mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
    if (seen_point) ++fraction_digits;
  }
  if (!seen_digit) return std::nullopt;
  U128 value = mantissa * static_cast<U128>(unit_ns);
  U128 scale = 1;
  for (int i = 0; i < fraction_digits; ++i) {
    scale *= 10;
    if (scale > (U128{1} << 100)) return std::nullopt;
  }
  if (value % scale != 0) return std::nullopt;  // finer than a nanosecond
  value /= scale;
  if (value > static_cast<U128>(std::numeric_limits<std::int64_t>::max() / 2)) {
    return std::nullopt;  // keep sums of times clear of overflow
  }
  return Duration{static_cast<std::int64_t>(value)};
}

std::string formatDuration(Duration d) {
  const std::int64_t ns = d.count();
  if (ns == 0) return "0s";
  constexpr std::array<Unit, 6> kOut{{{"h", 3'600'000'000'000},
                                      {"min", 60'000'000'000},
                                      {"s", 1'000'000'000},
                                      {"ms", 1'000'000},
                                      {"us", 1'000},
                                      {"ns", 1}}};
  for (const Unit& u : kOut) {
    if (ns % u.ns == 0) return std::to_string(ns / u.ns) + std::string(u.suffix);
  }
  return std::to_string(ns) + "ns";
}

}  // namespace lpm::scenario
