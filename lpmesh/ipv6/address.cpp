#include "lpmesh/ipv6/address.hpp"

#include <algorithm>
#include <cstring>

namespace lpm::ipv6 {
namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Dotted-quad IPv4 (RFC 4291 §2.2 form 3), decimal without leading zeros beyond "0".
bool parseIpv4(std::string_view text, std::uint8_t out[4]) {
  int part = 0;
  std::size_t i = 0;
  while (part < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    unsigned value = 0;
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      if (value > 255 || i - start >= 3) return false;
      ++i;
    }
    if (i - start > 1 && text[start] == '0') return false;
    out[part++] = static_cast<std::uint8_t>(value);
    if (part < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  return i == text.size();
}

}  // namespace

Result<Address> Address::fromBytes(ByteSpan data) {
  if (data.size() < kSize) return Error::kTruncated;
  if (data.size() > kSize) return Error::kTrailing;
  Address a;
  std::memcpy(a.bytes.data(), data.data(), kSize);
  return a;
}

Result<Address> Address::parse(std::string_view text) {
  // Groups before and after "::" are collected separately, then joined.
  std::array<std::uint16_t, 8> head{};
  std::array<std::uint16_t, 8> tail{};
  std::size_t n_head = 0;
  std::size_t n_tail = 0;
  bool seen_gap = false;
  std::size_t i = 0;
  if (text.empty()) return Error::kMalformed;
  if (text.substr(0, 2) == "::") {
    seen_gap = true;
    i = 2;
  } else if (text[0] == ':') {
    return Error::kMalformed;
  }
  while (i < text.size()) {
    // An embedded IPv4 address may close the text (at most 6 groups before it).
    const std::size_t next_sep = text.find(':', i);
    const std::string_view token =
        text.substr(i, next_sep == std::string_view::npos ? std::string_view::npos : next_sep - i);
    if (token.find('.') != std::string_view::npos) {
      if (next_sep != std::string_view::npos) return Error::kMalformed;
      std::uint8_t v4[4];
      if (!parseIpv4(token, v4)) return Error::kMalformed;
      auto& groups = seen_gap ? tail : head;
      auto& n = seen_gap ? n_tail : n_head;
      if (n + 2 > 8) return Error::kMalformed;
      groups[n++] = static_cast<std::uint16_t>((v4[0] << 8) | v4[1]);
      groups[n++] = static_cast<std::uint16_t>((v4[2] << 8) | v4[3]);
      i = text.size();
      break;
    }
    if (token.empty() || token.size() > 4) return Error::kMalformed;
    unsigned value = 0;
    for (char c : token) {
      const int d = hexDigit(c);
      if (d < 0) return Error::kMalformed;
      value = (value << 4) | static_cast<unsigned>(d);
    }
    auto& groups = seen_gap ? tail : head;
    auto& n = seen_gap ? n_tail : n_head;
    if (n >= 8) return Error::kMalformed;
    groups[n++] = static_cast<std::uint16_t>(value);
    i += token.size();
    if (i == text.size()) break;
    // text[i] == ':'
    if (i + 1 < text.size() && text[i + 1] == ':') {
      if (seen_gap) return Error::kMalformed;
      seen_gap = true;
      i += 2;
    } else {
      ++i;
      if (i == text.size()) return Error::kMalformed;  // trailing single ':'
    }
  }
  const std::size_t total = n_head + n_tail;
  if (seen_gap ? total > 7 : total != 8) return Error::kMalformed;
  std::array<std::uint16_t, 8> groups{};
  std::copy_n(head.begin(), n_head, groups.begin());
  std::copy_n(tail.begin(), n_tail, groups.begin() + static_cast<std::ptrdiff_t>(8 - n_tail));
  Address a;
  for (std::size_t g = 0; g < 8; ++g) {
    a.bytes[2 * g] = static_cast<std::uint8_t>(groups[g] >> 8);
    a.bytes[2 * g + 1] = static_cast<std::uint8_t>(groups[g]);
  }
  return a;
}

Address Address::literal(std::string_view text) {
  return parse(text).valueOr(Address{});
}

Address Address::fromPrefixAndIid(const Address& prefix64, const Iid& iid) {
  Address a = prefix64;
  std::copy(iid.begin(), iid.end(), a.bytes.begin() + 8);
  return a;
}

std::string Address::toString() const {
  std::array<std::uint16_t, 8> g{};
  for (std::size_t i = 0; i < 8; ++i) {
    g[i] = static_cast<std::uint16_t>((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  }
  // RFC 5952 §4.2: the longest run of two or more zero groups, the first on a tie.
  std::size_t best_start = 8;
  std::size_t best_len = 0;
  for (std::size_t i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && g[j] == 0)
      ++j;
    if (j - i > best_len) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best_start = 8;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8;) {
    if (i == best_start) {
      out += "::";
      i += best_len;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    const std::uint16_t v = g[i];
    bool leading = true;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (v >> shift) & 0xfU;
      if (leading && nibble == 0 && shift != 0) continue;
      leading = false;
      out += kDigits[nibble];
    }
    ++i;
  }
  return out;
}

bool Address::isUnspecified() const {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

bool Address::isLoopback() const {
  return std::all_of(bytes.begin(), bytes.end() - 1, [](std::uint8_t b) { return b == 0; }) &&
         bytes[15] == 1;
}

Iid Address::iid() const {
  Iid out{};
  std::copy(bytes.begin() + 8, bytes.end(), out.begin());
  return out;
}

Result<Prefix> Prefix::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return Error::kMalformed;
  auto addr = Address::parse(text.substr(0, slash));
  if (!addr) return addr.error();
  const std::string_view len_text = text.substr(slash + 1);
  if (len_text.empty() || len_text.size() > 3) return Error::kMalformed;
  unsigned len = 0;
  for (char c : len_text) {
    if (c < '0' || c > '9') return Error::kMalformed;
    len = len * 10 + static_cast<unsigned>(c - '0');
  }
  if (len > 128) return Error::kMalformed;
  return make(*addr, static_cast<std::uint8_t>(len));
}

Prefix Prefix::make(const Address& address, std::uint8_t length) {
  Prefix p;
  p.length = std::min<std::uint8_t>(length, 128);
  overlayPrefix(p.address, address, p.length);
  return p;
}

bool Prefix::contains(const Address& a) const {
  return commonPrefixBits(address, a) >= length;
}

std::string Prefix::toString() const {
  return address.toString() + "/" + std::to_string(length);
}

std::uint8_t commonPrefixBits(const Address& a, const Address& b) {
  for (std::size_t i = 0; i < 16; ++i) {
    const auto diff = static_cast<std::uint8_t>(a.bytes[i] ^ b.bytes[i]);
    if (diff != 0) {
      unsigned n = 0;
      for (unsigned bit = 0x80; (diff & bit) == 0; bit >>= 1)
        ++n;
      return static_cast<std::uint8_t>(i * 8 + n);
    }
  }
  return 128;
}

void overlayPrefix(Address& to, const Address& from, std::uint8_t bits) {
  const std::size_t full = std::min<std::size_t>(bits / 8U, 16);
  std::copy_n(from.bytes.begin(), full, to.bytes.begin());
  const unsigned rem = bits % 8U;
  if (rem != 0 && full < 16) {
    const auto mask = static_cast<std::uint8_t>(0xff00U >> rem);
    to.bytes[full] =
        static_cast<std::uint8_t>((from.bytes[full] & mask) | (to.bytes[full] & ~mask));
  }
}

Iid iidFromEui64(const Eui64& eui64) {
  Iid iid = eui64;
  iid[0] ^= 0x02;
  return iid;
}

Iid iidFromShort(std::uint16_t short_address) {
  return {0x00,
          0x00,
          0x00,
          0xff,
          0xfe,
          0x00,
          static_cast<std::uint8_t>(short_address >> 8),
          static_cast<std::uint8_t>(short_address)};
}

Eui64 eui64FromIid(const Iid& iid) {
  Eui64 e = iid;
  e[0] ^= 0x02;
  return e;
}

bool isShortIid(const Iid& iid) {
  return iid[0] == 0 && iid[1] == 0 && iid[2] == 0 && iid[3] == 0xff && iid[4] == 0xfe &&
         iid[5] == 0;
}

Address linkLocal(const Iid& iid) {
  return Address::fromPrefixAndIid(kLinkLocalPrefix, iid);
}
Address linkLocalFromEui64(const Eui64& eui64) {
  return linkLocal(iidFromEui64(eui64));
}
Address linkLocalFromShort(std::uint16_t short_address) {
  return linkLocal(iidFromShort(short_address));
}

Address solicitedNode(const Address& a) {
  Address s{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff}};
  s.bytes[13] = a.bytes[13];
  s.bytes[14] = a.bytes[14];
  s.bytes[15] = a.bytes[15];
  return s;
}

}  // namespace lpm::ipv6
