#include "lpmesh/sixlowpan/iphc.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/icmpv6.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "tests/sixlowpan/helpers.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::sixlowpan {
namespace {

using ipv6::Address;
using test::addr;
using test::hexField;

// Every sixlowpan-iphc.json vector built from an IPv6 header: the MAC payload
// decompresses to the IPv6 datagram, and compressing that datagram gives the payload
// back byte for byte.
TEST(IphcVectors, DecompressThenRecompress) {
  const auto file = test::loadVectorFile("sixtisch/sixlowpan-iphc.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    const auto& in = v.at("inputs");
    if (!in.contains("ipv6_header")) continue;
    SCOPED_TRACE(v.at("name").get<std::string>());
    const Bytes header = hexField(in.at("ipv6_header"));
    const Bytes frame = hexField(v.at("expected").at("mac_frame_without_fcs"));
    const Bytes compressed_header = hexField(v.at("expected").at("compressed_header"));
    const ByteSpan lowpan = test::lowpanPayload(frame);
    ASSERT_GE(lowpan.size(), compressed_header.size());
    EXPECT_EQ(toHex(lowpan.first(compressed_header.size())), toHex(compressed_header));

    const LinkAddress src = test::linkAddressFromJson(in.at("l2_src"));
    const LinkAddress dst = test::linkAddressFromJson(in.at("l2_dst"));
    const ContextTable ctx = test::contextsFromJson(in.at("contexts"));

    // Expected datagram: the IPv6 header, the UDP header if any, then the bytes the
    // compressed form carries verbatim.
    Bytes expected = header;
    std::size_t verbatim_from = compressed_header.size();
    if (!in.at("l4").is_null()) {
      const Bytes l4 = hexField(in.at("l4"));
      expected.insert(expected.end(), l4.begin(), l4.end());
    }
    expected.insert(expected.end(), lowpan.begin() + static_cast<std::ptrdiff_t>(verbatim_from),
                    lowpan.end());

    auto d = decompress(lowpan, src, dst, ctx);
    ASSERT_TRUE(d.ok()) << errorName(d.error());
    EXPECT_EQ(toHex(*d), toHex(expected));

    auto c = compress(*d, src, dst, ctx);
    ASSERT_TRUE(c.ok()) << errorName(c.error());
    EXPECT_EQ(toHex(*c), toHex(lowpan));

    // The transport checksum in the vector is correct, so the datagram is a real one.
    auto dg = ipv6::Datagram::parse(*d);
    ASSERT_TRUE(dg.ok());
    const ByteSpan upper = ByteSpan(*d).subspan(dg->upper_offset);
    if (dg->upper_protocol == ipv6::proto::kUdp) {
      EXPECT_TRUE(ipv6::UdpDatagram::parse(dg->header.src, dg->header.dst, upper).ok());
    } else {
      EXPECT_TRUE(ipv6::Icmpv6Message::parse(dg->header.src, dg->header.dst, upper).ok());
    }
    ++checked;
  }
  EXPECT_EQ(checked, 16);
}

// RIOT's FRAG1 fixture: the IPHC inside decompresses to the stated header fields and
// recompresses to the same bytes (addresses inline, TF elided, NH inline, HLIM 64).
TEST(IphcVectors, RiotFirstFragmentHeader) {
  const auto file = test::loadVectorFile("sixtisch/sixlowpan-iphc.json");
  for (const auto& v : test::vectorList(file)) {
    if (!v.at("inputs").contains("datagram_size")) continue;
    const auto& in = v.at("inputs");
    const Bytes frag = hexField(v.at("expected").at("fragment_bytes"));
    const ByteSpan lowpan = ByteSpan(frag).subspan(4);
    Bytes out(lowpan.size() + kMaxHeaderExpansion);
    auto layout = decompressHeaders(lowpan, LinkAddress::none(), LinkAddress::none(), {}, out);
    ASSERT_TRUE(layout.ok()) << errorName(layout.error());
    EXPECT_EQ(layout->consumed, 2U + 1U + 32U);
    EXPECT_EQ(layout->header_size, 40U);
    auto h = ipv6::Header::parse(out);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->src, addr(in.at("ipv6_src").get<std::string>().c_str()));
    EXPECT_EQ(h->dst, addr(in.at("ipv6_dst").get<std::string>().c_str()));
    EXPECT_EQ(h->next_header, in.at("next_header").get<int>());
    EXPECT_EQ(h->hop_limit, in.at("hop_limit").get<int>());
    EXPECT_EQ(toHex(lowpan.first(2)), v.at("expected").at("iphc").get<std::string>());
    // The full datagram size (188) fixes the payload length once reassembled.
    out.resize(in.at("datagram_size").get<std::size_t>());
    ASSERT_EQ(finishDatagram(out, *layout), Error::kNone);
    EXPECT_EQ(out[4] << 8 | out[5], 188 - 40);
  }
}

// OpenThread's IPHC unit-test vectors (thread/lowpan.json).
TEST(IphcVectors, OpenThreadLowpan) {
  const auto file = test::loadVectorFile("thread/lowpan.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    if (!v.at("expected").contains("iphc")) continue;
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto& in = v.at("inputs");
    const LinkAddress src = test::linkAddressFromJson(in.at("mac_src"));
    const LinkAddress dst = test::linkAddressFromJson(in.at("mac_dst"));
    ContextTable ctx;
    ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse("fd00:cafe:face:1234::/64")), Error::kNone);
    ASSERT_EQ(ctx.set(1, *ipv6::Prefix::parse("2001:2:0:1::/64")), Error::kNone);
    ASSERT_EQ(ctx.set(2, *ipv6::Prefix::parse("2001:2:0:2::/64"), false), Error::kNone);
    ipv6::Header h;
    h.src = addr(in.at("ip6_src").get<std::string>().c_str());
    h.dst = addr(in.at("ip6_dst").get<std::string>().c_str());
    h.next_header = in.at("next_header").get<std::uint8_t>();
    h.hop_limit = in.at("hop_limit").get<std::uint8_t>();
    const Bytes payload = in.contains("payload") ? hexField(in.at("payload")) : Bytes{1, 2, 3, 4};
    auto dgram = h.build(payload);
    ASSERT_TRUE(dgram.ok());
    auto c = compress(*dgram, src, dst, ctx);
    ASSERT_TRUE(c.ok());
    const std::string expected_iphc = v.at("expected").at("iphc").get<std::string>();
    EXPECT_EQ(toHex(ByteSpan(*c).first(expected_iphc.size() / 2)), expected_iphc);
    auto d = decompress(*c, src, dst, ctx);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, *dgram);
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// ---------------------------------------------------------------------------
// Hand-checked encodings of the modes the vectors do not cover.

Bytes udpDatagram(const Address& src, const Address& dst, std::uint16_t sp, std::uint16_t dp,
                  ByteSpan payload, std::uint8_t hop_limit = 64) {
  ipv6::Header h;
  h.src = src;
  h.dst = dst;
  h.next_header = ipv6::proto::kUdp;
  h.hop_limit = hop_limit;
  return *h.build(*ipv6::buildUdp(src, dst, sp, dp, payload));
}

TEST(Iphc, ContextBasedSixteenBitAndSixtyFourBitForms) {
  ContextTable ctx;
  ASSERT_EQ(ctx.set(3, *ipv6::Prefix::parse("2001:db8:1:2::/64")), Error::kNone);
  const LinkAddress l2s = LinkAddress::fromShort(0x0001);
  const LinkAddress l2d = LinkAddress::fromShort(0x0002);
  const Bytes p = {0xaa};
  // Source: context 3, 16-bit IID; destination: context 3, 64-bit IID.
  auto dg =
      udpDatagram(addr("2001:db8:1:2::ff:fe00:33"), addr("2001:db8:1:2:1:2:3:4"), 1000, 2000, p);
  auto c = compress(dg, l2s, l2d, ctx);
  ASSERT_TRUE(c.ok());
  // 7e: TF 11, NH 1, HLIM 64; e5: CID 1, SAC 1, SAM 10, M 0, DAC 1, DAM 01; CID byte 33.
  EXPECT_EQ(toHex(ByteSpan(*c).first(2)), "7ee5");
  EXPECT_EQ(toHex(ByteSpan(*c).subspan(2, 1)), "33");
  EXPECT_EQ(toHex(ByteSpan(*c).subspan(3, 10)), "00330001000200030004");
  auto d = decompress(*c, l2s, l2d, ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, ContextLongerThan64BitsOverridesInlineBits) {
  // RFC 6282 §3.1.1: bits covered by the context are always taken from it.
  ContextTable ctx;
  ASSERT_EQ(ctx.set(1, *ipv6::Prefix::parse("2001:db8::1:0:0:0/80")), Error::kNone);
  const LinkAddress l2 = LinkAddress::fromExtended({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
  // IID from L2 is 0211:2233:4455:6677, but bits 64..79 come from the context (0001).
  const Address a = addr("2001:db8::1:2233:4455:6677");
  auto dg = udpDatagram(a, a, 5, 6, Bytes{});
  auto c = compress(dg, l2, l2, ctx);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(toHex(ByteSpan(*c).first(2)), "7ef7");  // SAM 11 and DAM 11 on context 1
  EXPECT_EQ(toHex(ByteSpan(*c).subspan(2, 1)), "11");
  auto d = decompress(*c, l2, l2, ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, StatefulMulticastUnicastPrefixBased) {
  // RFC 3306 address ff3e:0040:2001:0db8:0001:0002:1234:5678 with context 2001:db8:1:2::/64.
  ContextTable ctx;
  ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse("2001:db8:1:2::/64")), Error::kNone);
  const Address g = addr("ff3e:40:2001:db8:1:2:1234:5678");
  auto dg = udpDatagram(addr("fe80::1"), g, 7, 8, Bytes{1});
  auto c = compress(dg, LinkAddress::none(), LinkAddress::none(), ctx);
  ASSERT_TRUE(c.ok());
  // b1 = 0001 1100: SAM 01 (64-bit link-local), M 1, DAC 1, DAM 00; 6 inline bytes.
  EXPECT_EQ(toHex(ByteSpan(*c).first(2)), "7e1c");
  EXPECT_EQ(toHex(ByteSpan(*c).subspan(10, 6)), "3e0012345678");
  auto d = decompress(*c, LinkAddress::none(), LinkAddress::none(), ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, TrafficClassFlowLabelModeZeroOne) {
  ipv6::Header h;
  h.src = addr("fe80::1");
  h.dst = addr("fe80::2");
  h.next_header = 59;
  h.traffic_class = 0x03;  // ECN 3, DSCP 0 -> TF 01
  h.flow_label = 0xabcde;
  auto dg = *h.build(Bytes{});
  auto c = compress(dg, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(toHex(ByteSpan(*c).first(5)), "6a11cabcde");
  EXPECT_EQ((*c)[0] & 0x18, 0x08);
  auto d = decompress(*c, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, UdpPortForms) {
  const Address a = addr("fe80::1");
  const Address b = addr("fe80::2");
  struct Case {
    std::uint16_t sp, dp;
    const char* nhc;  // NHC byte and ports
  } cases[] = {
      {0xf0b1, 0xf0bf, "f31f"},     {1234, 0xf012, "f104d212"}, {0xf034, 5683, "f2341633"},
      {0xf034, 0xf056, "f1f03456"},  // both 0xF0xx: destination short form preferred
      {7, 8, "f000070008"},
  };
  for (const auto& tc : cases) {
    auto dg = udpDatagram(a, b, tc.sp, tc.dp, Bytes{9, 9});
    auto c = compress(dg, LinkAddress::none(), LinkAddress::none(), {});
    ASSERT_TRUE(c.ok());
    const std::string nhc = tc.nhc;
    // 2 IPHC bytes + 8 + 8 inline IIDs.
    EXPECT_EQ(toHex(ByteSpan(*c).subspan(18, nhc.size() / 2)), nhc);
    auto d = decompress(*c, LinkAddress::none(), LinkAddress::none(), {});
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, dg);
  }
}

TEST(Iphc, ElidedUdpChecksumIsRecomputed) {
  const LinkAddress l2s = LinkAddress::fromShort(1);
  const LinkAddress l2d = LinkAddress::fromShort(2);
  auto dg = udpDatagram(ipv6::linkLocalFromShort(1), ipv6::linkLocalFromShort(2), 0xf0b3, 0xf0b4,
                        Bytes{1, 2, 3, 4, 5});
  CompressOptions opt;
  opt.elide_udp_checksum = true;
  auto c = compress(dg, l2s, l2d, {}, opt);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(toHex(*c), "7e33f7340102030405");
  auto d = decompress(*c, l2s, l2d, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, HopByHopRplOptionAndUdpThroughNhc) {
  ipv6::RplOption rpi;
  rpi.instance_id = 0x1e;
  rpi.sender_rank = 768;
  const Address src = addr("fd00::211:2233:4455:6678");
  const Address dst = addr("fd00::1");
  auto udp = *ipv6::buildUdp(src, dst, 0xf0b1, 0xf0b2, Bytes{0x68, 0x69});
  auto hbh = *rpi.buildHopByHop(ipv6::proto::kUdp);
  ASSERT_EQ(hbh.size(), 8U);
  Bytes payload = hbh;
  payload.insert(payload.end(), udp.begin(), udp.end());
  ipv6::Header h;
  h.src = src;
  h.dst = dst;
  h.next_header = ipv6::proto::kHopByHop;
  auto dg = *h.build(payload);
  ContextTable ctx;
  ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse("fd00::/64")), Error::kNone);
  const LinkAddress l2s = LinkAddress::fromExtended({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78});
  auto c = compress(dg, l2s, LinkAddress::fromShort(0x1234), ctx);
  ASSERT_TRUE(c.ok());
  // NHC e1 (EID 0, NH 1), length 6, the RPL option (63 04 00 1e 0300), then UDP NHC.
  auto d = decompress(*c, l2s, LinkAddress::fromShort(0x1234), ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
  const std::string hex = toHex(*c);
  EXPECT_NE(hex.find("e1066304001e0300f312"), std::string::npos) << hex;
}

TEST(Iphc, TrailingPadNElidedAndRestored) {
  // A destination options header with one 2-byte option and a 4-byte PadN.
  Bytes opts;
  VectorWriter ow(opts);
  ASSERT_EQ(ipv6::appendOption(ow, 0x3e, Bytes{0xab, 0xcd}), Error::kNone);
  auto dest = *ipv6::buildOptionsHeader(ipv6::proto::kNoNext, opts);
  ASSERT_EQ(dest.size(), 8U);
  EXPECT_EQ(toHex(dest), "3b003e02abcd0100");
  ipv6::Header h;
  h.src = addr("fe80::1");
  h.dst = addr("fe80::2");
  h.next_header = ipv6::proto::kDestOptions;
  auto dg = *h.build(dest);
  auto c = compress(dg, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(c.ok());
  // NHC e6 (EID 3, NH 0), next header 3b, length 4, option bytes only.
  EXPECT_EQ(toHex(ByteSpan(*c).subspan(18)), "e63b043e02abcd");
  auto d = decompress(*c, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, Ipv6InIpv6InnerIidsFromOuterHeader) {
  const Address root = addr("fd00::1");
  const Address node = addr("fd00::211:2233:4455:6678");
  auto inner = udpDatagram(root, node, 0xf0b1, 0xf0b2, Bytes{1, 2, 3});
  auto outer = *ipv6::encapsulate(root, node, 64, inner);
  ContextTable ctx;
  ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse("fd00::/64")), Error::kNone);
  const LinkAddress l2 = LinkAddress::fromShort(7);
  auto c = compress(outer, l2, l2, ctx);
  ASSERT_TRUE(c.ok());
  // The inner header derives both IIDs from the outer addresses: EID 7 NHC (ee), then
  // 7e 77 (SAM 11, DAM 11 on context 0) and the UDP NHC.
  const std::string hex = toHex(*c);
  EXPECT_NE(hex.find("ee7e77f312"), std::string::npos) << hex;
  auto d = decompress(*c, l2, l2, ctx);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, outer);
}

TEST(Iphc, Ipv6FragmentHeaderNhc) {
  ipv6::FragmentHeader f;
  f.next_header = ipv6::proto::kUdp;
  f.offset_units = 0;
  f.more = true;
  f.identification = 0x01020304;
  Bytes payload;
  VectorWriter w(payload);
  ASSERT_EQ(f.encode(w), Error::kNone);
  // A first fragment's UDP header does not describe the remaining bytes: carried inline.
  const Bytes udp_part = {0x00, 0x07, 0x00, 0x08, 0x01, 0x00, 0x12, 0x34, 0xee, 0xee};
  payload.insert(payload.end(), udp_part.begin(), udp_part.end());
  ipv6::Header h;
  h.src = addr("fe80::1");
  h.dst = addr("fe80::2");
  h.next_header = ipv6::proto::kFragment;
  auto dg = *h.build(payload);
  auto c = compress(dg, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(toHex(ByteSpan(*c).subspan(18, 9)), "e41100000101020304");
  auto d = decompress(*c, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

TEST(Iphc, SourceRoutingHeaderThroughNhc) {
  const Address dst = addr("fd00::2");
  auto srh = ipv6::SourceRoutingHeader::make(ipv6::proto::kNoNext,
                                             {addr("fd00::3"), addr("fd00::4")}, dst);
  ASSERT_TRUE(srh.ok());
  Bytes rh;
  VectorWriter w(rh);
  ASSERT_EQ(srh->encode(w, dst), Error::kNone);
  ipv6::Header h;
  h.src = addr("fd00::1");
  h.dst = dst;
  h.next_header = ipv6::proto::kRouting;
  auto dg = *h.build(rh);
  auto c = compress(dg, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(c.ok());
  auto d = decompress(*c, LinkAddress::none(), LinkAddress::none(), {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

// ---------------------------------------------------------------------------
// Property test: random datagrams over every address form and context choice.

Address randomAddress(Rng& rng, const ContextTable& ctx, const LinkAddress& l2, bool dst) {
  Address a;
  switch (rng.below(dst ? 12 : 9)) {
    case 0:
      rng.fill(a.bytes);
      break;  // anything
    case 1:
      a = ipv6::linkLocal(l2.iid().value_or(ipv6::Iid{}));
      break;  // from L2
    case 2:
      a = ipv6::linkLocalFromShort(static_cast<std::uint16_t>(rng.next()));
      break;
    case 3: {
      ipv6::Iid iid;
      rng.fill(iid);
      a = ipv6::linkLocal(iid);
      break;
    }
    case 4:
    case 5:
    case 6: {  // under a context: L2-derived, short or random IID
      const auto cid = static_cast<std::uint8_t>(rng.below(4));
      const Context* c = ctx.find(cid);
      ipv6::Iid iid;
      rng.fill(iid);
      if (rng.below(3) == 0) iid = l2.iid().value_or(iid);
      if (rng.below(3) == 0) iid = ipv6::iidFromShort(static_cast<std::uint16_t>(rng.next()));
      a = Address::fromPrefixAndIid(Address{}, iid);
      if (c != nullptr) ipv6::overlayPrefix(a, c->prefix.address, c->prefix.length);
      break;
    }
    case 7:
      a = Address{};
      break;  // unspecified (a destination gets it inline)
    case 8:
      a = ipv6::linkLocal(ipv6::iidFromShort(0x1234));
      break;
    case 9: {  // multicast small forms
      a.bytes[0] = 0xff;
      a.bytes[1] = static_cast<std::uint8_t>(rng.below(3) == 0 ? 0x02 : rng.next());
      const std::size_t from = 11 + rng.below(5);
      for (std::size_t i = from; i < 16; ++i)
        a.bytes[i] = static_cast<std::uint8_t>(rng.next());
      break;
    }
    case 10: {  // RFC 3306 unicast-prefix-based multicast on context 0
      const Context* c = ctx.find(0);
      rng.fill(a.bytes);
      a.bytes[0] = 0xff;
      a.bytes[3] = c->prefix.length;
      std::copy_n(c->prefix.address.bytes.begin(), 8, a.bytes.begin() + 4);
      break;
    }
    default:
      rng.fill(a.bytes);
      a.bytes[0] = 0xff;
      break;
  }
  return a;
}

LinkAddress randomLink(Rng& rng) {
  switch (rng.below(3)) {
    case 0:
      return LinkAddress::none();
    case 1:
      return LinkAddress::fromShort(static_cast<std::uint16_t>(rng.next()));
    default: {
      Eui64 e;
      rng.fill(e);
      return LinkAddress::fromExtended(e);
    }
  }
}

TEST(IphcProperty, RandomDatagramsRoundTrip) {
  Rng rng(0x6c6f7770616eULL);
  ContextTable ctx;
  ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse("fd00:1:2:3::/64")), Error::kNone);
  ASSERT_EQ(ctx.set(1, *ipv6::Prefix::parse("2001:db8:aaaa::/48")), Error::kNone);
  ASSERT_EQ(ctx.set(2, *ipv6::Prefix::parse("2001:db8:bbbb:cccc:dddd::/80")), Error::kNone);
  ASSERT_EQ(ctx.set(3, *ipv6::Prefix::parse("2001:db8:eeee:ffff::/64"), false), Error::kNone);
  int forms_seen[4][4] = {};
  for (int iter = 0; iter < 4000; ++iter) {
    const LinkAddress l2s = randomLink(rng);
    const LinkAddress l2d = randomLink(rng);
    ipv6::Header h;
    h.src = randomAddress(rng, ctx, l2s, false);
    h.dst = randomAddress(rng, ctx, l2d, true);
    h.traffic_class = rng.below(2) == 0 ? 0 : static_cast<std::uint8_t>(rng.next());
    h.flow_label = rng.below(2) == 0 ? 0 : static_cast<std::uint32_t>(rng.next() & 0xfffff);
    static constexpr std::uint8_t kHops[] = {1, 64, 255, 17};
    h.hop_limit = kHops[rng.below(4)];
    Bytes payload(rng.below(40));
    rng.fill(payload);
    Bytes upper;
    const auto kind = rng.below(4);
    if (kind == 0) {
      const auto sp =
          static_cast<std::uint16_t>(rng.below(2) ? 0xf0b0 + rng.below(16) : rng.next());
      const auto dp =
          static_cast<std::uint16_t>(rng.below(2) ? 0xf000 + rng.below(256) : rng.next());
      upper = *ipv6::buildUdp(h.src, h.dst, sp, dp, payload);
      h.next_header = ipv6::proto::kUdp;
    } else if (kind == 1) {
      ipv6::RplOption rpi;
      rpi.instance_id = static_cast<std::uint8_t>(rng.next());
      rpi.sender_rank = static_cast<std::uint16_t>(rng.next());
      rpi.down = rng.below(2) == 0;
      upper = *rpi.buildHopByHop(ipv6::proto::kIcmpv6);
      upper.insert(upper.end(), payload.begin(), payload.end());
      h.next_header = ipv6::proto::kHopByHop;
    } else {
      upper = payload;
      h.next_header = static_cast<std::uint8_t>(kind == 2 ? ipv6::proto::kIcmpv6 : 59);
    }
    const Bytes dg = *h.build(upper);
    CompressOptions opt;
    opt.elide_udp_checksum = rng.below(4) == 0;
    auto c = compress(dg, l2s, l2d, ctx, opt);
    ASSERT_TRUE(c.ok()) << iter;
    auto d = decompress(*c, l2s, l2d, ctx);
    ASSERT_TRUE(d.ok()) << iter << " " << errorName(d.error()) << " " << toHex(*c);
    ASSERT_EQ(toHex(*d), toHex(dg)) << iter << " " << toHex(*c);
    // Recompressing the decompressed datagram gives the same bytes.
    auto c2 = compress(*d, l2s, l2d, ctx, opt);
    ASSERT_TRUE(c2.ok());
    ASSERT_EQ(*c2, *c);
    forms_seen[((*c)[1] >> 4) & 3][(*c)[1] & 3]++;
  }
  // Every SAM and every DAM value was produced.
  for (int sam = 0; sam < 4; ++sam) {
    int n = 0;
    for (int dam = 0; dam < 4; ++dam)
      n += forms_seen[sam][dam];
    EXPECT_GT(n, 0) << "SAM " << sam;
  }
  for (int dam = 0; dam < 4; ++dam) {
    int n = 0;
    for (int sam = 0; sam < 4; ++sam)
      n += forms_seen[sam][dam];
    EXPECT_GT(n, 0) << "DAM " << dam;
  }
}

// ---------------------------------------------------------------------------
// Bad input

TEST(IphcNegative, TruncationsAreRejected) {
  const auto file = test::loadVectorFile("sixtisch/sixlowpan-iphc.json");
  for (const auto& v : test::vectorList(file)) {
    const auto& in = v.at("inputs");
    if (!in.contains("ipv6_header")) continue;
    const Bytes header = hexField(v.at("expected").at("compressed_header"));
    const LinkAddress src = test::linkAddressFromJson(in.at("l2_src"));
    const LinkAddress dst = test::linkAddressFromJson(in.at("l2_dst"));
    const ContextTable ctx = test::contextsFromJson(in.at("contexts"));
    for (std::size_t n = 0; n < header.size(); ++n) {
      auto d = decompress(ByteSpan(header).first(n), src, dst, ctx);
      EXPECT_EQ(d.error(), Error::kTruncated) << v.at("name") << " cut at " << n;
    }
  }
}

TEST(IphcNegative, BadDispatchAndReservedModes) {
  EXPECT_EQ(decompress(Bytes{0x80, 0x00}, {}, {}, {}).error(), Error::kMalformed);
  EXPECT_EQ(decompress(Bytes{}, {}, {}, {}).error(), Error::kTruncated);
  EXPECT_EQ(decompress(Bytes{0xf1, 0x83, 0x05, 0x03}, {}, {}, {}).error(), Error::kUnsupported);
  const LinkAddress one = LinkAddress::fromShort(1);
  // DAC = 1, DAM = 00, M = 0 is reserved.
  EXPECT_EQ(decompress(Bytes{0x7b, 0x34, 0x3a}, one, one, {}).error(), Error::kUnsupported);
  // M = 1, DAC = 1, DAM = 01 is reserved.
  EXPECT_EQ(decompress(Bytes{0x7b, 0x3d, 0x3a}, one, one, {}).error(), Error::kUnsupported);
  // SAM = 11 with no link-layer source to derive from.
  EXPECT_EQ(decompress(Bytes{0x7b, 0x3b, 0x3a, 0x1a}, {}, {}, {}).error(), Error::kMalformed);
  // Context 5 unknown.
  EXPECT_EQ(decompress(Bytes{0x7b, 0xf3, 0x50, 0x3a}, LinkAddress::fromShort(1),
                       LinkAddress::fromShort(2), {})
                .error(),
            Error::kNotFound);
  // Reserved NHC EID 5, and an unknown NHC pattern.
  const LinkAddress s = LinkAddress::fromShort(1);
  EXPECT_EQ(decompress(Bytes{0x7f, 0x33, 0xea, 0x00}, s, s, {}).error(), Error::kUnsupported);
  EXPECT_EQ(decompress(Bytes{0x7f, 0x33, 0xf8, 0x00}, s, s, {}).error(), Error::kUnsupported);
  // EID 7 (IPv6) with NH = 1 is malformed.
  EXPECT_EQ(decompress(Bytes{0x7f, 0x33, 0xef, 0x7f, 0x33}, s, s, {}).error(), Error::kMalformed);
  // A routing header whose length is not a multiple of 8 once rebuilt.
  EXPECT_EQ(decompress(Bytes{0x7f, 0x33, 0xe2, 0x3b, 0x03, 0x03, 0x00, 0x00}, s, s, {}).error(),
            Error::kMalformed);
}

TEST(IphcNegative, CompressRejectsInconsistentDatagram) {
  ipv6::Header h;
  h.src = addr("fe80::1");
  h.dst = addr("fe80::2");
  Bytes dg = *h.build(Bytes{1, 2, 3});
  dg.push_back(4);  // more bytes than the payload length says
  EXPECT_EQ(compress(dg, {}, {}, {}).error(), Error::kTrailing);
  dg.resize(30);
  EXPECT_EQ(compress(dg, {}, {}, {}).error(), Error::kTruncated);
}

TEST(Iphc, UncompressedDispatch) {
  ipv6::Header h;
  h.src = addr("fe80::1");
  h.dst = addr("fe80::2");
  Bytes dg = *h.build(Bytes{1, 2, 3});
  Bytes lowpan = {0x41};
  lowpan.insert(lowpan.end(), dg.begin(), dg.end());
  auto d = decompress(lowpan, {}, {}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, dg);
}

}  // namespace
}  // namespace lpm::sixlowpan
