// libFuzzer target: a 6TiSCH node's reading of RFC 8138 page-1 payloads (6LoRHs, then
// LOWPAN_IPHC). A decoded packet re-encoded for the same link decodes to the same packet.
#include <cstdint>
#include <cstdlib>

#include "lpmesh/sixtisch/routed_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lpm;
  sixlowpan::ContextTable contexts;
  (void)contexts.set(0, ipv6::Prefix::make(ipv6::Address::literal("fd00::"), 64));
  sixtisch::LinkContext link;
  link.l2_src = sixlowpan::LinkAddress::fromExtended({2, 0, 0, 0, 0, 0, 0, 1});
  link.l2_dst = sixlowpan::LinkAddress::fromExtended({2, 0, 0, 0, 0, 0, 0, 2});
  link.contexts = &contexts;
  link.root = ipv6::Address::literal("fd00::1");
  auto p = sixtisch::decodePage1(ByteSpan(data, size), link);
  if (!p) return 0;
  auto again = sixtisch::encodeRoutedPacket(*p, link);
  if (!again) return 0;  // e.g. more SRH hops than one 6LoRH run carries
  auto q = sixtisch::decodePage1(*again, link);
  if (!q.ok() && p->hasArtefacts()) std::abort();
  if (q.ok() && (q->datagram != p->datagram || q->srh != p->srh || q->rpi != p->rpi ||
                 q->encapsulator != p->encapsulator)) {
    std::abort();
  }
  return 0;
}
