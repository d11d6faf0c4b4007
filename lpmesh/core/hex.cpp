#include "lpmesh/core/hex.hpp"

namespace lpm {

std::string toHex(ByteSpan data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

namespace {
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool isSeparator(char c) { return c == ' ' || c == '\t' || c == ':' || c == '-' || c == '_' || c == '\n'; }
}  // namespace

Result<Bytes> parseHex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  Bytes out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (char c : text) {
    if (isSeparator(c)) {
      if (high >= 0) return Error::kMalformed;  // separator inside a byte
      continue;
    }
    const int n = nibble(c);
    if (n < 0) return Error::kMalformed;
    if (high < 0) {
      high = n;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | n));
      high = -1;
    }
  }
  if (high >= 0) return Error::kMalformed;
  return out;
}

}  // namespace lpm
