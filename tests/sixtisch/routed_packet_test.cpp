#include "lpmesh/sixtisch/routed_packet.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "lpmesh/sixlowpan/lorh.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::sixtisch {
namespace {

LinkContext linkOf(const nlohmann::json& in, const sixlowpan::ContextTable& contexts) {
  LinkContext l;
  const Bytes src = test::hexField(in.at("l2_src"));
  const Bytes dst = test::hexField(in.at("l2_dst"));
  Eui64 s{}, d{};
  std::copy(src.begin(), src.end(), s.begin());
  std::copy(dst.begin(), dst.end(), d.begin());
  l.l2_src = sixlowpan::LinkAddress::fromExtended(s);
  l.l2_dst = sixlowpan::LinkAddress::fromExtended(d);
  l.contexts = &contexts;
  l.root = ipv6::Address::literal("fd00::1");
  return l;
}

// rfc8138-6lorh.json: each page-1 payload decodes to a routed packet that re-encodes to
// the same bytes (the 6LoRHs in the order SRH, RPI, IP-in-IP, then the IPHC).
TEST(RoutedPacket, Rfc8138Vectors) {
  const auto file = test::loadVectorFile("sixtisch/rfc8138-6lorh.json");
  sixlowpan::ContextTable contexts;
  ASSERT_EQ(contexts.set(0, ipv6::Prefix::make(ipv6::Address::literal("fd00::"), 64)),
            Error::kNone);
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const LinkContext link = linkOf(v.at("inputs"), contexts);
    const Bytes payload = test::hexField(v.at("expected").at("lowpan_payload"));
    auto p = decodePage1(payload, link);
    ASSERT_TRUE(p.ok()) << errorName(p.error());
    ASSERT_TRUE(p->rpi.has_value());
    auto h = ipv6::Header::parse(p->datagram);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->src.toString(), v.at("tshark_fields").at("ipv6.src").get<std::string>());
    EXPECT_EQ(h->dst.toString(), v.at("tshark_fields").at("ipv6.dst").get<std::string>());
    if (!p->srh.empty()) {
      // The downward vector: one source-route hop (the destination), RPI down from the
      // root's rank 256, and the root as elided encapsulator with hop limit 64.
      ASSERT_EQ(p->srh.size(), 1U);
      EXPECT_EQ(p->srh[0], h->dst);
      EXPECT_TRUE(p->rpi->down);
      EXPECT_EQ(p->rpi->sender_rank, 256);
      ASSERT_TRUE(p->encapsulator.has_value());
      EXPECT_EQ(*p->encapsulator, link.root);
      EXPECT_EQ(p->outer_hop_limit, 64);
    } else {
      EXPECT_FALSE(p->rpi->down);
      EXPECT_EQ(p->rpi->sender_rank, 768);
    }
    // Re-encoding gives the same bytes when the compact form was used (I/K set).
    auto again = encodeRoutedPacket(*p, link);
    ASSERT_TRUE(again.ok());
    const auto lorh = sixlowpan::RpiLorh::compact(*p->rpi);
    if (lorh.instance_elided && lorh.rank_compressed &&
        (payload[1] & 0x03) == 0x03 /* the vector used I=1 K=1 */) {
      EXPECT_EQ(toHex(*again), toHex(payload));
    } else {
      auto q = decodePage1(*again, link);
      ASSERT_TRUE(q.ok());
      EXPECT_EQ(q->datagram, p->datagram);
      EXPECT_EQ(q->rpi, p->rpi);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(RoutedPacket, PlainIphcWithoutArtefacts) {
  sixlowpan::ContextTable contexts;
  LinkContext link;
  link.l2_src = sixlowpan::LinkAddress::fromExtended({2, 0, 0, 0, 0, 0, 0, 1});
  link.l2_dst = sixlowpan::LinkAddress::fromShort(0xffff, 0xabcd);
  link.contexts = &contexts;
  ipv6::Header h;
  h.next_header = ipv6::proto::kUdp;
  h.src = ipv6::linkLocalFromEui64({2, 0, 0, 0, 0, 0, 0, 1});
  h.dst = ipv6::kAllRplNodes;
  auto udp = ipv6::buildUdp(h.src, h.dst, 0xf0b0, 0xf0b1, Bytes{1, 2, 3});
  ASSERT_TRUE(udp.ok());
  RoutedPacket p;
  p.datagram = *h.build(*udp);
  auto out = encodeRoutedPacket(p, link);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0] & 0xe0, 0x60);  // LOWPAN_IPHC, no page switch
  EXPECT_EQ(decodePage1(*out, link).error(), Error::kMalformed);
  auto d = sixlowpan::decompress(*out, link.l2_src, link.l2_dst, contexts);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, p.datagram);
}

TEST(RoutedPacket, SourceRouteAndTunnelRoundTrip) {
  sixlowpan::ContextTable contexts;
  ASSERT_EQ(contexts.set(0, ipv6::Prefix::make(ipv6::Address::literal("fd00::"), 64)),
            Error::kNone);
  LinkContext link;
  link.l2_src = sixlowpan::LinkAddress::fromExtended({2, 0, 0, 0, 0, 0, 0, 1});
  link.l2_dst = sixlowpan::LinkAddress::fromExtended({2, 0, 0, 0, 0, 0, 0, 5});
  link.contexts = &contexts;
  link.root = ipv6::Address::literal("fd00::1");
  ipv6::Header h;
  h.next_header = ipv6::proto::kUdp;
  h.src = ipv6::Address::literal("fd00::9");
  h.dst = ipv6::Address::literal("fd00::7");
  auto udp = ipv6::buildUdp(h.src, h.dst, 0xf0b0, 0xf0b0, Bytes(20, 0x5a));
  RoutedPacket p;
  p.datagram = *h.build(*udp);
  p.srh = {ipv6::Address::literal("fd00::5"), ipv6::Address::literal("fd00::6"),
           ipv6::Address::literal("fd00::7")};
  ipv6::RplOption rpi;
  rpi.down = true;
  rpi.sender_rank = 256;
  p.rpi = rpi;
  p.encapsulator = link.root;
  p.outer_hop_limit = 63;
  sixlowpan::CompressInfo info;
  auto out = encodeRoutedPacket(p, link, &info);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)[0], 0xf1);
  // Hops differing from the previous one in the last byte only: one 1-byte SRH-6LoRH.
  EXPECT_EQ((*out)[1], 0x82);  // critical, 3 hops
  EXPECT_EQ((*out)[2], 0x00);  // type 0
  auto q = decodePage1(*out, link);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->datagram, p.datagram);
  EXPECT_EQ(q->srh, p.srh);
  EXPECT_EQ(q->rpi, p.rpi);
  EXPECT_EQ(q->encapsulator, p.encapsulator);
  EXPECT_EQ(q->outer_hop_limit, 63);
  // Cut inside the 6LoRHs or the compressed headers: an error, never a packet. (A cut in
  // the payload cannot be seen: IPHC takes the lengths from the frame.)
  for (std::size_t n = 1; n < info.compressed_header_size; ++n) {
    EXPECT_FALSE(decodePage1(ByteSpan(*out).first(n), link).ok()) << n;
  }
}

}  // namespace
}  // namespace lpm::sixtisch
