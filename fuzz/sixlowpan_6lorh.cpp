// Fuzz target for the RFC 8138 6LoRH parser (lpm::sixlowpan::parsePage1): any input
// is rejected with an Error or parsed, and a parsed page-1 payload rebuilds to exactly
// the same bytes.
#include <cstddef>
#include <cstdint>

#include "lpmesh/sixlowpan/lorh.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpm::ByteSpan in(data, size);
  auto p = lpm::sixlowpan::parsePage1(in);
  if (!p) return 0;
  auto rebuilt = lpm::sixlowpan::buildPage1(p->headers, p->rest);
  if (!rebuilt || *rebuilt != lpm::Bytes(in.begin(), in.end())) __builtin_trap();
  // Expanding source routes never reads past what was parsed.
  std::vector<lpm::sixlowpan::SrhLorh> srhs;
  for (const auto& h : p->headers) {
    if (const auto* s = std::get_if<lpm::sixlowpan::SrhLorh>(&h)) srhs.push_back(*s);
  }
  const auto hops = lpm::sixlowpan::expandSrh(srhs, lpm::ipv6::Address{});
  const auto again = lpm::sixlowpan::compressSrh(hops, lpm::ipv6::Address{});
  if (lpm::sixlowpan::expandSrh(again, lpm::ipv6::Address{}) != hops) __builtin_trap();
  return 0;
}
