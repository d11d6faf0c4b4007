// Fuzz target for the RFC 4944 reassembler (lpm::sixlowpan::Reassembler): the input is
// a sequence of frames (1-byte length, 1-byte source selector, then the frame
// payload); every frame is either refused with an Error or accepted, buffers never
// exceed their bound, and a completed datagram has exactly its declared size.
#include <cstddef>
#include <cstdint>

#include "lpmesh/sixlowpan/fragment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using lpm::sixlowpan::LinkAddress;
  lpm::sixlowpan::ContextTable ctx;
  (void)ctx.set(0, *lpm::ipv6::Prefix::parse("fd00::/64"));
  lpm::sixlowpan::Reassembler r(lpm::sixlowpan::ReassemblerConfig{3, 640, lpm::seconds(60)});
  const LinkAddress dst = LinkAddress::fromShort(0x0001);
  std::size_t pos = 0;
  std::int64_t t = 0;
  while (pos + 2 <= size) {
    const std::size_t len = data[pos];
    const std::uint8_t sel = data[pos + 1];
    pos += 2;
    if (len > size - pos) break;
    const lpm::ByteSpan frame(data + pos, len);
    pos += len;
    t += sel >> 4;  // up to 15 s between frames: timeouts happen
    const LinkAddress src = (sel & 1) != 0
                                ? LinkAddress::fromShort(static_cast<std::uint16_t>(sel & 6))
                                : LinkAddress::fromExtended({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                                             static_cast<std::uint8_t>(sel & 6)});
    auto res = r.add(frame, src, dst, ctx, lpm::LocalTime{lpm::seconds(t)});
    if (r.inProgress() > r.config().buffers) __builtin_trap();
    if (!res || !res->complete) continue;
    auto hdr = lpm::sixlowpan::FragHeader::parse(frame);
    if (!hdr || res->datagram.size() != hdr->datagram_size) __builtin_trap();
  }
  const auto& s = r.stats();
  if (s.completed + s.duplicates + s.no_bufs + s.too_big + s.malformed + s.overlaps > s.fragments) {
    __builtin_trap();
  }
  return 0;
}
