// RPL sequence counters (RFC 6550 §7.2): 8-bit lollipop counters with a linear part
// 128..255 that is left for good, and a circular part 0..127 compared with serial
// number arithmetic (RFC 1982) within SEQUENCE_WINDOW.
#pragma once

#include <cstdint>

namespace lpm::rpl::lollipop {

inline constexpr std::uint8_t kSequenceWindow = 16;
/// Recommended initial value: 256 - SEQUENCE_WINDOW.
inline constexpr std::uint8_t kInit = 240;

/// The next value: 255 wraps to 0, 127 wraps to 0.
constexpr std::uint8_t increment(std::uint8_t v) {
  if (v == 127 || v == 255) return 0;
  return static_cast<std::uint8_t>(v + 1);
}

enum class Order : std::uint8_t { kEqual, kGreater, kLess, kNotComparable };

/// How `a` compares with `b` (kGreater: a is newer).
constexpr Order compare(std::uint8_t a, std::uint8_t b) {
  if (a == b) return Order::kEqual;
  const bool a_linear = a >= 128;
  const bool b_linear = b >= 128;
  if (a_linear && !b_linear) {
    // §7.2 rule 1: B in the circular region is newer unless it is too far ahead.
    return 256U + b - a <= kSequenceWindow ? Order::kLess : Order::kGreater;
  }
  if (!a_linear && b_linear) {
    return 256U + a - b <= kSequenceWindow ? Order::kGreater : Order::kLess;
  }
  if (a_linear) {
    const int d = int{a} - int{b};
    if (d > kSequenceWindow || d < -int{kSequenceWindow}) return Order::kNotComparable;
    return d > 0 ? Order::kGreater : Order::kLess;
  }
  // Both circular: serial arithmetic modulo 128.
  const unsigned fwd = (128U + a - b) % 128U;  // how far a is ahead of b
  if (fwd <= kSequenceWindow) return Order::kGreater;
  if (128U - fwd <= kSequenceWindow) return Order::kLess;
  return Order::kNotComparable;
}

/// True when `a` is newer than `b`; values that cannot be compared (a desynchronisation,
/// §7.2 rule 2b) count as newer so that the receiver resynchronises on them.
constexpr bool newer(std::uint8_t a, std::uint8_t b) {
  const Order o = compare(a, b);
  return o == Order::kGreater || o == Order::kNotComparable;
}

}  // namespace lpm::rpl::lollipop
