// Fuzz target for the IEEE 802.15.4 auxiliary security header
// (lpm::ieee802154::AuxSecurityHeader): a header is refused with an Error or parsed,
// its size() equals the bytes consumed, and encode() gives those bytes back.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "lpmesh/ieee802154/aux_security.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using lpm::ieee802154::AuxSecurityHeader;
  lpm::ByteReader r(lpm::ByteSpan(data, size));
  auto h = AuxSecurityHeader::parse(r);
  if (!h) return 0;
  const std::size_t used = r.position();
  if (h->size() != used) __builtin_trap();
  const lpm::Bytes out = h->encode();
  if (out.size() != used || std::memcmp(out.data(), data, used) != 0) __builtin_trap();
  // The exact-length overload agrees.
  auto exact = AuxSecurityHeader::parse(lpm::ByteSpan(data, used));
  if (!exact || !(*exact == *h)) __builtin_trap();
  return 0;
}
