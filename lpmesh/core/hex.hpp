// Hex text <-> bytes, for CLIs, logs, vectors and tests.
#pragma once

#include <string>
#include <string_view>

#include "lpmesh/core/bytes.hpp"

namespace lpm {

/// Lower-case hex, no separators.
std::string toHex(ByteSpan data);

/// Parses hex digits; accepts an optional "0x" prefix and ignores spaces, tabs, ':', '-'
/// and '_' between byte pairs. Odd digit counts or other characters give kMalformed.
Result<Bytes> parseHex(std::string_view text);

/// parseHex into a fixed-size array; kMalformed unless exactly N bytes.
template <std::size_t N>
Result<std::array<std::uint8_t, N>> parseHexArray(std::string_view text) {
  auto bytes = parseHex(text);
  if (!bytes) return bytes.error();
  if (bytes->size() != N) return Error::kMalformed;
  std::array<std::uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace lpm
