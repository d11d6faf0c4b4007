// Small helpers shared by the btmesh tests: hex literals and the §8 sample keys.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "lpmesh/btmesh/security.hpp"
#include "lpmesh/core/hex.hpp"

namespace lpm::test {

/// Hex text -> bytes; fails the test on bad hex.
inline Bytes hex(std::string_view text) {
  auto b = parseHex(text);
  EXPECT_TRUE(b.ok()) << text;
  return b.ok() ? *b : Bytes{};
}

/// Hex text -> 16-byte key.
inline btmesh::Key key128(std::string_view text) {
  auto k = parseHexArray<16>(text);
  EXPECT_TRUE(k.ok()) << text;
  return k.ok() ? *k : btmesh::Key{};
}

inline std::string hexOf(ByteSpan b) {
  return toHex(b);
}

// Mesh Protocol 1.1 §8.3 sample keys.
inline const btmesh::Key kSampleNetKey = key128("7dd7364cd842ad18c17c2b820c84c3d6");
inline const btmesh::Key kSampleAppKey = key128("63964771734fbd76e3b40519d1d94a48");
inline const btmesh::Key kSampleDevKey = key128("9d6dd0e96eb25dc19a40ed9914f8f03f");
inline constexpr std::uint32_t kSampleIvIndex = 0x12345678;

}  // namespace lpm::test
