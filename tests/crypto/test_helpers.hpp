// Small helpers for the crypto tests: hex literals and byte comparisons.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "lpmesh/core/hex.hpp"

namespace lpm::crypto::test {

/// Hex text (spaces allowed) to bytes; a typo in a vector fails the test at once.
inline Bytes hex(std::string_view text) {
  auto bytes = parseHex(text);
  EXPECT_TRUE(bytes.ok()) << "bad hex literal: " << text;
  return bytes.ok() ? std::move(bytes).value() : Bytes{};
}

template <std::size_t N>
std::array<std::uint8_t, N> hexArray(std::string_view text) {
  auto a = parseHexArray<N>(text);
  EXPECT_TRUE(a.ok()) << "bad hex literal of " << N << " bytes: " << text;
  return a.ok() ? *a : std::array<std::uint8_t, N>{};
}

inline Bytes ascii(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

inline std::string hexOf(ByteSpan data) {
  return toHex(data);
}

}  // namespace lpm::crypto::test
