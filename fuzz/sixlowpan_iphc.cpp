// Fuzz target for RFC 6282 IPHC/NHC decompression (lpm::sixlowpan::decompress): any
// input is either rejected with an Error or decompresses to a datagram; a datagram
// that is well-formed must compress again and decompress back to itself.
#include <cstddef>
#include <cstdint>

#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/sixlowpan/iphc.hpp"

namespace {

using lpm::sixlowpan::LinkAddress;

LinkAddress linkFor(std::uint8_t selector, std::uint8_t salt) {
  switch (selector % 3) {
    case 1:
      return LinkAddress::fromShort(static_cast<std::uint16_t>(0x0100 | salt));
    case 2:
      return LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, salt});
    default:
      return LinkAddress::none();
  }
}

const lpm::sixlowpan::ContextTable& contexts() {
  static const lpm::sixlowpan::ContextTable t = [] {
    lpm::sixlowpan::ContextTable c;
    (void)c.set(0, *lpm::ipv6::Prefix::parse("fd00::/64"));
    (void)c.set(1, *lpm::ipv6::Prefix::parse("2001:db8:1::/48"));
    (void)c.set(2, *lpm::ipv6::Prefix::parse("2001:db8:2:3:4::/80"));
    (void)c.set(7, *lpm::ipv6::Prefix::parse("fd00:1::/64"), false);
    return c;
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const LinkAddress src = linkFor(data[0], 0x78);
  const LinkAddress dst = linkFor(static_cast<std::uint8_t>(data[0] >> 2), 0x77);
  const lpm::ByteSpan lowpan(data + 1, size - 1);
  auto d = lpm::sixlowpan::decompress(lowpan, src, dst, contexts());
  if (!d) return 0;
  auto c = lpm::sixlowpan::compress(*d, src, dst, contexts());
  if (!c) {
    // Only a datagram that is not well-formed (e.g. inline bytes announced as an
    // extension header that does not parse) may fail to compress.
    if (lpm::ipv6::Datagram::parse(*d).ok()) __builtin_trap();
    return 0;
  }
  auto again = lpm::sixlowpan::decompress(*c, src, dst, contexts());
  if (!again || *again != *d) __builtin_trap();
  return 0;
}
