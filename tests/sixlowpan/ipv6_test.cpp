// lpmesh/ipv6 codecs (their tests live with the 6LoWPAN suite, which links lpm_ipv6).
#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/ipv6/checksum.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/icmpv6.hpp"
#include "lpmesh/ipv6/nd.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::ipv6 {
namespace {

Address A(const char* s) {
  return Address::literal(s);
}

TEST(Address, ParseAndFormatRfc5952) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"::", "::"},
      {"::1", "::1"},
      {"fe80::211:2233:4455:6678", "fe80::211:2233:4455:6678"},
      {"FE80:0:0:0:0211:2233:4455:6678", "fe80::211:2233:4455:6678"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // first of equal runs
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // longest run
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // a single 0 group stays
      {"ff02::1:ff00:1", "ff02::1:ff00:1"},
      {"::ffff:192.0.2.1", "::ffff:c000:201"},
      {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
      {"1::", "1::"},
  };
  for (const auto& c : cases) {
    auto a = Address::parse(c.in);
    ASSERT_TRUE(a.ok()) << c.in;
    EXPECT_EQ(a->toString(), c.out) << c.in;
    EXPECT_EQ(Address::parse(a->toString()).valueOr(Address{}), *a);
  }
  for (const char* bad : {"", ":", ":::", "1:2", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7:8:9",
                          "1:2:3:4:5:6:7::8:9", "::1.2.3", "::256.1.1.1", "1:", ":1::"}) {
    EXPECT_EQ(Address::parse(bad).error(), Error::kMalformed) << bad;
  }
}

TEST(Address, DerivedIidsAndHelpers) {
  // RFC 4944 §6 / the vectors' convention: the U/L bit of the EUI-64 is inverted.
  EXPECT_EQ(linkLocalFromEui64({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78}),
            A("fe80::211:2233:4455:6678"));
  EXPECT_EQ(linkLocalFromShort(0x0001), A("fe80::ff:fe00:1"));
  EXPECT_EQ(eui64FromIid(iidFromEui64({1, 2, 3, 4, 5, 6, 7, 8})), (Eui64{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_TRUE(isShortIid(A("fe80::ff:fe00:abcd").iid()));
  EXPECT_FALSE(isShortIid(A("fe80::1ff:fe00:abcd").iid()));
  EXPECT_EQ(solicitedNode(A("fd00::211:2233:4455:6678")), A("ff02::1:ff55:6678"));
  EXPECT_TRUE(kAllRplNodes.isMulticast());
  EXPECT_EQ(kAllRplNodes.toString(), "ff02::1a");
  EXPECT_EQ(A("ff05::fb").multicastScope(), 5);
  EXPECT_TRUE(A("fe80::1").isLinkLocal());
  EXPECT_TRUE(A("febf::1").isLinkLocal());
  EXPECT_FALSE(A("fec0::1").isLinkLocal());
  EXPECT_TRUE(A("::1").isLoopback());
  EXPECT_TRUE(Address{}.isUnspecified());
  EXPECT_EQ(Address::fromBytes(Bytes(15)).error(), Error::kTruncated);
  EXPECT_EQ(Address::fromBytes(Bytes(17)).error(), Error::kTrailing);
}

TEST(Prefix, ParseContainsAndOverlay) {
  auto p = Prefix::parse("2001:db8:ffff::1/36");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->toString(), "2001:db8:f000::/36");
  EXPECT_TRUE(p->contains(A("2001:db8:f123::9")));
  EXPECT_FALSE(p->contains(A("2001:db8:e123::9")));
  EXPECT_EQ(commonPrefixBits(A("2001:db8::"), A("2001:db9::")), 31);
  EXPECT_EQ(commonPrefixBits(A("::1"), A("::1")), 128);
  Address a = A("ffff:ffff::");
  overlayPrefix(a, A("0:0::"), 20);
  EXPECT_EQ(a, A("0:fff::"));
  EXPECT_EQ(Prefix::parse("fd00::/129").error(), Error::kMalformed);
  EXPECT_EQ(Prefix::parse("fd00::").error(), Error::kMalformed);
  EXPECT_EQ(Prefix::parse("fd00::/6a").error(), Error::kMalformed);
}

TEST(Header, EncodeParseAndDatagramWalk) {
  Header h;
  h.traffic_class = 0xb9;
  h.flow_label = 0x12345;
  h.next_header = proto::kIcmpv6;
  h.hop_limit = 64;
  h.src = A("fe80::211:2233:4455:6678");
  h.dst = A("fe80::211:2233:4455:6677");
  const Bytes payload(16, 0x55);
  auto dg = h.build(payload);
  ASSERT_TRUE(dg.ok());
  EXPECT_EQ(toHex(ByteSpan(*dg).first(8)),
            "6b912345"
            "00103a40");
  auto back = Header::parse(*dg);
  ASSERT_TRUE(back.ok());
  Header expect = h;
  expect.payload_length = 16;
  EXPECT_EQ(*back, expect);
  Bytes bad = *dg;
  bad[0] = 0x40;
  EXPECT_EQ(Header::parse(bad).error(), Error::kMalformed);
  EXPECT_EQ(Header::parse(ByteSpan(*dg).first(39)).error(), Error::kTruncated);
  h.flow_label = 0x100000;
  Bytes out;
  VectorWriter w(out);
  EXPECT_EQ(h.encode(w), Error::kInvalidArgs);

  // Chain: hop-by-hop (RPL option) -> fragment (first) -> destination options -> UDP.
  RplOption rpi;
  rpi.sender_rank = 512;
  Bytes chain = *rpi.buildHopByHop(proto::kFragment);
  FragmentHeader f{proto::kDestOptions, 0, true, 9};
  VectorWriter cw(chain);
  ASSERT_EQ(f.encode(cw), Error::kNone);
  auto dest = *buildOptionsHeader(proto::kUdp, {});
  chain.insert(chain.end(), dest.begin(), dest.end());
  const std::size_t upper = chain.size();
  chain.insert(chain.end(), 8, 0);
  Header ch;
  ch.next_header = proto::kHopByHop;
  auto cd = ch.build(chain);
  auto d = Datagram::parse(*cd);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->ext_count, 3U);
  EXPECT_EQ(d->ext[0].protocol, proto::kHopByHop);
  EXPECT_EQ(d->ext[1].protocol, proto::kFragment);
  EXPECT_EQ(d->ext[2].protocol, proto::kDestOptions);
  EXPECT_EQ(d->upper_protocol, proto::kUdp);
  EXPECT_EQ(d->upper_offset, Header::kSize + upper);
  // A header that claims more than is there.
  Bytes cut = *cd;
  cut[Header::kSize + 1] = 9;
  EXPECT_EQ(Datagram::parse(cut).error(), Error::kMalformed);
  Bytes longer = *cd;
  longer.push_back(0);
  EXPECT_EQ(Datagram::parse(longer).error(), Error::kTrailing);
  longer.resize(longer.size() - 2);
  EXPECT_EQ(Datagram::parse(longer).error(), Error::kTruncated);
}

TEST(ExtHeaders, RplOptionBothTypeNumbers) {
  RplOption o;
  o.down = true;
  o.forwarding_error = true;
  o.instance_id = 0x1e;
  o.sender_rank = 0x0300;
  auto hbh = o.buildHopByHop(proto::kUdp);
  ASSERT_TRUE(hbh.ok());
  EXPECT_EQ(toHex(*hbh),
            "110063"
            "04a01e0300");
  auto parsed = OptionsHeader::parse(*hbh);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->next_header, proto::kUdp);
  EXPECT_EQ(RplOption::find(*parsed).valueOr(RplOption{}), o);
  auto v9008 = o.buildHopByHop(proto::kUdp, option::kRplRfc9008);
  auto p2 = OptionsHeader::parse(*v9008);
  EXPECT_EQ(RplOption::find(*p2).valueOr(RplOption{}), o);
  // No RPL option: PadN only.
  auto empty = *buildOptionsHeader(proto::kUdp, {});
  EXPECT_EQ(toHex(empty),
            "1100"
            "0104"
            "00000000");
  EXPECT_EQ(RplOption::find(*OptionsHeader::parse(empty)).error(), Error::kNotFound);
  // An option running past the header, and a short header.
  Bytes bad = *hbh;
  bad[3] = 9;
  EXPECT_EQ(OptionsHeader::parse(bad).error(), Error::kMalformed);
  EXPECT_EQ(OptionsHeader::parse(ByteSpan(*hbh).first(7)).error(), Error::kTruncated);
  EXPECT_EQ(RplOption::parse(Bytes{0, 1, 2}).error(), Error::kTruncated);
}

TEST(ExtHeaders, SourceRoutingHeaderCompression) {
  // Root fd00::1 -> dst fd00::a via fd00::b, fd00::c (RFC 6554 §3): CmprI = CmprE = 15.
  const Address dst = A("fd00::a");
  auto srh = SourceRoutingHeader::make(proto::kIpv6, {A("fd00::b"), A("fd00::c")}, dst);
  ASSERT_TRUE(srh.ok());
  EXPECT_EQ(srh->cmpr_i, 15);
  EXPECT_EQ(srh->cmpr_e, 15);
  EXPECT_EQ(srh->pad, 6);
  EXPECT_EQ(srh->size(), 16U);
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(srh->encode(w, dst), Error::kNone);
  EXPECT_EQ(toHex(out),
            "29010302"
            "ff600000"
            "0b0c000000000000");
  auto back = SourceRoutingHeader::parse(out, dst);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->addresses, srh->addresses);
  EXPECT_EQ(back->segments_left, 2);
  EXPECT_EQ(back->next_header, proto::kIpv6);

  // Mixed: the last hop shares less with the destination than the others.
  auto mixed = SourceRoutingHeader::make(
      proto::kNoNext, {A("2001:db8::1:2"), A("2001:db8::1:3"), A("2001:db8:9::1")},
      A("2001:db8::1:1"));
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->cmpr_i, 15);
  EXPECT_EQ(mixed->cmpr_e, 5);
  Bytes m;
  VectorWriter mw(m);
  ASSERT_EQ(mixed->encode(mw, A("2001:db8::1:1")), Error::kNone);
  EXPECT_EQ(m.size() % 8, 0U);
  auto mb = SourceRoutingHeader::parse(m, A("2001:db8::1:1"));
  ASSERT_TRUE(mb.ok());
  EXPECT_EQ(mb->addresses, mixed->addresses);

  // Wrong reference at encode; inconsistent lengths at parse; another routing type.
  Bytes tmp;
  VectorWriter tw(tmp);
  EXPECT_EQ(srh->encode(tw, A("fd01::a")), Error::kInvalidArgs);
  Bytes bad = out;
  bad[4] = 0xef;  // CmprI 14: the address area no longer divides into 2-byte addresses
  EXPECT_EQ(SourceRoutingHeader::parse(bad, dst).error(), Error::kMalformed);
  bad = out;
  bad[3] = 3;  // Segments Left > n
  EXPECT_EQ(SourceRoutingHeader::parse(bad, dst).error(), Error::kMalformed);
  bad = out;
  bad[2] = 0;
  EXPECT_EQ(SourceRoutingHeader::parse(bad, dst).error(), Error::kUnsupported);
  EXPECT_EQ(SourceRoutingHeader::parse(ByteSpan(out).first(12), dst).error(), Error::kTruncated);
  EXPECT_EQ(SourceRoutingHeader::make(0, {}, dst).error(), Error::kInvalidArgs);
}

TEST(ExtHeaders, FragmentHeaderAndEncapsulation) {
  FragmentHeader f{proto::kUdp, 0x1abc, true, 0xdeadbeef};
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(f.encode(w), Error::kNone);
  EXPECT_EQ(toHex(out), "1100d5e1deadbeef");
  EXPECT_EQ(FragmentHeader::parse(out).valueOr(FragmentHeader{}), f);
  EXPECT_EQ(FragmentHeader::parse(ByteSpan(out).first(7)).error(), Error::kTruncated);
  f.offset_units = 0x2000;
  EXPECT_EQ(f.encode(w), Error::kInvalidArgs);

  Header inner;
  inner.src = A("fd00::2");
  inner.dst = A("fd00::3");
  auto in = *inner.build(Bytes{1, 2});
  auto enc = encapsulate(A("fd00::1"), A("fd00::2"), 63, in);
  ASSERT_TRUE(enc.ok());
  auto d = Datagram::parse(*enc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->upper_protocol, proto::kIpv6);
  EXPECT_EQ(d->header.hop_limit, 63);
  EXPECT_TRUE(Datagram::parse(ByteSpan(*enc).subspan(d->upper_offset)).ok());
}

TEST(Udp, ChecksumFromVector) {
  // sixlowpan-iphc.json "UDP NHC ports inline": checksum e616 over 5683 -> 5683.
  const Address s = A("fe80::211:2233:4455:6678");
  const Address d = A("fe80::211:2233:4455:6677");
  auto msg = buildUdp(s, d, 5683, 5683, Bytes{0x40, 0x01, 0x12, 0x34});
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(toHex(*msg),
            "16331633000ce616"
            "40011234");
  auto p = UdpDatagram::parse(s, d, *msg);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->header.src_port, 5683);
  EXPECT_EQ(p->payload.size(), 4U);
  Bytes bad = *msg;
  bad.back() ^= 1;
  EXPECT_EQ(UdpDatagram::parse(s, d, bad).error(), Error::kMalformed);
  bad = *msg;
  bad[6] = bad[7] = 0;  // zero checksum is not allowed over IPv6
  EXPECT_EQ(UdpDatagram::parse(s, d, bad).error(), Error::kMalformed);
  EXPECT_EQ(UdpDatagram::parse(s, d, ByteSpan(*msg).first(11)).error(), Error::kTruncated);
  Bytes longer = *msg;
  longer.push_back(0);
  EXPECT_EQ(UdpDatagram::parse(s, d, longer).error(), Error::kTrailing);
  EXPECT_EQ(UdpDatagram::parse(s, d, ByteSpan(*msg).first(7)).error(), Error::kTruncated);
}

TEST(Icmpv6, RplMessageChecksumsFromVectors) {
  // rpl-messages.json: each ICMPv6 message's checksum over the uncompressed addresses.
  const auto file = test::loadVectorFile("sixtisch/rpl-messages.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    const auto& in = v.at("inputs");
    const Address s = A(in.at("ipv6_src").get<std::string>().c_str());
    const Address d = A(in.at("ipv6_dst").get<std::string>().c_str());
    auto msg =
        buildIcmpv6(s, d, in.at("icmpv6_type").get<std::uint8_t>(),
                    in.at("icmpv6_code").get<std::uint8_t>(), test::hexField(in.at("rpl_body")));
    ASSERT_TRUE(msg.ok());
    EXPECT_EQ(toHex(*msg), v.at("expected").at("icmpv6_message").get<std::string>());
    auto p = Icmpv6Message::parse(s, d, *msg);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->type, icmp::kRpl);
    EXPECT_EQ(p->body.size(), msg->size() - 4);
    EXPECT_EQ(Icmpv6Message::parse(s, A("::9"), *msg).error(), Error::kMalformed);
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(Icmpv6, EchoRoundTrip) {
  const Address s = A("fd00::1");
  const Address d = A("fd00::2");
  const Bytes data = {1, 2, 3};
  auto msg = buildEcho(s, d, false, Echo{7, 9, data});
  ASSERT_TRUE(msg.ok());
  auto p = Icmpv6Message::parse(s, d, *msg);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->type, icmp::kEchoRequest);
  auto e = Echo::parse(p->body);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->identifier, 7);
  EXPECT_EQ(e->sequence, 9);
  EXPECT_EQ(Bytes(e->data.begin(), e->data.end()), data);
  EXPECT_EQ(Icmpv6Message::parseUnchecked(Bytes{1, 2, 3}).error(), Error::kTruncated);
  EXPECT_EQ(Echo::parse(Bytes{1, 2, 3}).error(), Error::kTruncated);
  // Checksum verifies to zero over the whole message and pseudo-header.
  EXPECT_EQ(upperLayerChecksum(s, d, proto::kIcmpv6, *msg), 0);
}

TEST(Nd, NeighborSolicitationWithEaroRoundTrip) {
  NeighborSolicitation ns;
  ns.target = A("fd00::211:2233:4455:6678");
  ns.options.source_ll =
      LinkLayerAddressOption::fromEui64({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78});
  AddressRegistrationOption earo;
  earo.t = true;
  earo.r = true;
  earo.i_field = 1;
  earo.opaque = 0x42;
  earo.tid = 0x99;
  earo.lifetime = 120;
  earo.rovr_size = 16;
  for (std::uint8_t i = 0; i < 16; ++i)
    earo.rovr[i] = i;
  ns.options.aro = earo;
  Bytes body;
  VectorWriter w(body);
  ASSERT_EQ(ns.encode(w), Error::kNone);
  // reserved, target, SLLAO (len 2: EUI-64 + 6 zero bytes), EARO (len 3).
  EXPECT_EQ(toHex(ByteSpan(body).subspan(20, 16)),
            "0102001122334455667800000000"
            "0000");
  EXPECT_EQ(toHex(ByteSpan(body).subspan(36, 8)), "2103004207990078");
  auto back = NeighborSolicitation::parse(body);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->target, ns.target);
  EXPECT_EQ(back->options, ns.options);
}

TEST(Nd, AdvertisementAndRouterMessages) {
  NeighborAdvertisement na;
  na.router = true;
  na.solicited = true;
  na.target = A("fd00::5");
  na.options.target_ll = LinkLayerAddressOption::fromShort(0x1234);
  AddressRegistrationOption aro;  // RFC 6775 ARO: T clear, EUI-64
  aro.status = static_cast<std::uint8_t>(AroStatus::kNeighborCacheFull);
  aro.lifetime = 5;
  aro.rovr = {8, 7, 6, 5, 4, 3, 2, 1};
  na.options.aro = aro;
  Bytes body;
  VectorWriter w(body);
  ASSERT_EQ(na.encode(w), Error::kNone);
  EXPECT_EQ(toHex(ByteSpan(body).first(4)), "c0000000");
  EXPECT_EQ(toHex(ByteSpan(body).subspan(20, 8)), "0201123400000000");
  auto back = NeighborAdvertisement::parse(body);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->router);
  EXPECT_TRUE(back->solicited);
  EXPECT_FALSE(back->override_flag);
  EXPECT_EQ(back->options, na.options);

  RouterAdvertisement ra;
  ra.cur_hop_limit = 64;
  ra.managed = true;
  ra.router_lifetime = 1800;
  ra.options.prefix_info =
      PrefixInformationOption{64, false, true, 0xffffffff, 0x7fffffff, A("fd00::")};
  ra.options.contexts.push_back(SixLowpanContextOption{64, true, 0, 60, A("fd00::")});
  ra.options.contexts.push_back(SixLowpanContextOption{80, false, 3, 60, A("2001:db8:0:0:1::")});
  ra.options.abro = AuthoritativeBorderRouterOption{0x00020001, 0, A("fd00::1")};
  Bytes rab;
  VectorWriter rw(rab);
  ASSERT_EQ(ra.encode(rw), Error::kNone);
  auto rb = RouterAdvertisement::parse(rab);
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->options, ra.options);
  EXPECT_TRUE(rb->managed);
  EXPECT_EQ(rb->router_lifetime, 1800);

  RouterSolicitation rs;
  rs.options.source_ll = LinkLayerAddressOption::fromShort(0x0001);
  Bytes rsb;
  VectorWriter sw(rsb);
  ASSERT_EQ(rs.encode(sw), Error::kNone);
  EXPECT_EQ(toHex(rsb),
            "00000000"
            "0101000100000000");
  EXPECT_EQ(RouterSolicitation::parse(rsb)->options, rs.options);
}

TEST(Nd, BadOptions) {
  const Bytes target(16, 0);
  auto ns_with = [&](Bytes opts) {
    Bytes b(4, 0);
    b.insert(b.end(), target.begin(), target.end());
    b.insert(b.end(), opts.begin(), opts.end());
    return NeighborSolicitation::parse(b);
  };
  EXPECT_EQ(ns_with({1, 0}).error(), Error::kMalformed);        // zero length
  EXPECT_EQ(ns_with({1, 2, 0, 0}).error(), Error::kTruncated);  // runs past end
  EXPECT_EQ(
      ns_with({1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).error(),
      Error::kMalformed);                                                    // SLLAO of 24 bytes
  EXPECT_EQ(ns_with({33, 1, 0, 0, 0, 0, 0, 0}).error(), Error::kMalformed);  // ARO too short
  EXPECT_EQ(
      ns_with({33, 3, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8}).error(),
      Error::kMalformed);                                // long ROVR without T
  EXPECT_TRUE(ns_with({99, 1, 0, 0, 0, 0, 0, 0}).ok());  // unknown option skipped
  EXPECT_EQ(NeighborSolicitation::parse(Bytes(19, 0)).error(), Error::kTruncated);
  EXPECT_EQ(NeighborAdvertisement::parse(Bytes(3, 0)).error(), Error::kTruncated);
  EXPECT_EQ(RouterAdvertisement::parse(Bytes(11, 0)).error(), Error::kTruncated);
  AddressRegistrationOption bad;
  bad.rovr_size = 12;
  NdOptions o;
  o.aro = bad;
  Bytes out;
  VectorWriter w(out);
  EXPECT_EQ(o.encode(w), Error::kInvalidArgs);
}

TEST(Checksum, OddLengthAndFolding) {
  ChecksumAccumulator acc;
  acc.add(Bytes{0xff, 0xff, 0xff, 0xff, 0x01});
  // 0xffff + 0xffff + 0x0100 = 0x200fe -> folded 0x0100 -> complement 0xfeff.
  EXPECT_EQ(acc.finish(), 0xfeff);
}

}  // namespace
}  // namespace lpm::ipv6
