#include "lpmesh/sixlowpan/lorh.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "lpmesh/sixlowpan/iphc.hpp"
#include "tests/sixlowpan/helpers.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::sixlowpan {
namespace {

using test::addr;
using test::hexField;

// Every rfc8138-6lorh.json vector: the page-1 payload parses to the 6LoRH fields tshark
// reported, the inner IPHC decompresses to the reported addresses with a good UDP
// checksum, and rebuilding gives the same bytes.
TEST(LorhVectors, ParseDecompressRebuild) {
  const auto file = test::loadVectorFile("sixtisch/rfc8138-6lorh.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    const auto& in = v.at("inputs");
    const auto& tf = v.at("tshark_fields");
    const Bytes payload = hexField(v.at("expected").at("lowpan_payload"));
    const Bytes frame = hexField(v.at("expected").at("mac_frame_without_fcs"));
    EXPECT_EQ(toHex(test::lowpanPayload(frame)), toHex(payload));

    auto p1 = parsePage1(payload);
    ASSERT_TRUE(p1.ok()) << errorName(p1.error());
    const RpiLorh* rpi = nullptr;
    std::string types;
    for (const Lorh& l : p1->headers) {
      if (!types.empty()) types += ",";
      if (const auto* r = std::get_if<RpiLorh>(&l)) {
        rpi = r;
        types += "0x0005";
      } else if (const auto* s = std::get_if<SrhLorh>(&l)) {
        types += "0x000" + std::to_string(s->type);
      } else if (const auto* ip = std::get_if<IpInIpLorh>(&l)) {
        types += "0x0006";
        EXPECT_EQ(ip->hop_limit,
                  std::stoi(tf.at("6lowpan.rhhop.limit").get<std::string>(), nullptr, 16));
        EXPECT_TRUE(ip->encapsulator.empty());
      }
    }
    EXPECT_EQ(types, tf.at("6lowpan.rhtype").get<std::string>());
    ASSERT_NE(rpi, nullptr);
    EXPECT_EQ(rpi->instance_elided, tf.at("6lowpan.6loRH.bitI").get<std::string>() == "1");
    EXPECT_EQ(rpi->rank_compressed, tf.at("6lowpan.6loRH.bitK").get<std::string>() == "1");
    EXPECT_EQ(rpi->instance_id,
              std::stoi(tf.at("6lowpan.rpl.instance").get<std::string>(), nullptr, 16));
    const int shown_rank = std::stoi(tf.at("6lowpan.sender.rank").get<std::string>(), nullptr, 16);
    EXPECT_EQ(rpi->rank, rpi->rank_compressed ? shown_rank << 8 : shown_rank);

    const LinkAddress src = test::linkAddressFromJson(in.at("l2_src"));
    const LinkAddress dst = test::linkAddressFromJson(in.at("l2_dst"));
    ContextTable ctx;
    ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse(in.at("context0").get<std::string>())), Error::kNone);
    auto inner = decompress(p1->rest, src, dst, ctx);
    ASSERT_TRUE(inner.ok()) << errorName(inner.error());
    auto dg = ipv6::Datagram::parse(*inner);
    ASSERT_TRUE(dg.ok());
    EXPECT_EQ(dg->header.src.toString(), tf.at("ipv6.src").get<std::string>());
    EXPECT_EQ(dg->header.dst.toString(), tf.at("ipv6.dst").get<std::string>());
    EXPECT_TRUE(ipv6::UdpDatagram::parse(dg->header.src, dg->header.dst,
                                         ByteSpan(*inner).subspan(dg->upper_offset))
                    .ok());

    auto again = compress(*inner, src, dst, ctx);
    ASSERT_TRUE(again.ok());
    auto rebuilt = buildPage1(p1->headers, *again);
    ASSERT_TRUE(rebuilt.ok());
    EXPECT_EQ(toHex(*rebuilt), toHex(payload));
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(Lorh, DownwardVectorSrhExpandsFromRoot) {
  // Vector 3: one 8-byte hop 0211:2233:4455:6678 relative to the root fd00::...:6677.
  const Bytes payload = hexField("f180030211223344556678930501a106407e77f3211de86869");
  auto p1 = parsePage1(payload);
  ASSERT_TRUE(p1.ok());
  const auto& srh = std::get<SrhLorh>(p1->headers.at(0));
  EXPECT_EQ(srh.hopCount(), 1U);
  const ipv6::Address root = addr("fd00::211:2233:4455:6677");
  const auto hops = expandSrh({srh}, root);
  ASSERT_EQ(hops.size(), 1U);
  EXPECT_EQ(hops[0], addr("fd00::211:2233:4455:6678"));
  const auto& ip = std::get<IpInIpLorh>(p1->headers.at(2));
  EXPECT_EQ(ip.expand(root), root);
  const auto& rpi = std::get<RpiLorh>(p1->headers.at(1));
  EXPECT_TRUE(rpi.down);
  EXPECT_EQ(rpi.toRplOption().sender_rank, 256);
}

TEST(Lorh, CompactFormsAndSrhCompression) {
  ipv6::RplOption o;
  o.instance_id = 0;
  o.sender_rank = 0x0300;
  RpiLorh r = RpiLorh::compact(o);
  EXPECT_TRUE(r.instance_elided);
  EXPECT_TRUE(r.rank_compressed);
  auto page = buildPage1({r}, Bytes{0x7e});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(toHex(*page), "f18305037e");
  o.instance_id = 0x1e;
  o.sender_rank = 0x0301;
  o.forwarding_error = true;
  r = RpiLorh::compact(o);
  page = buildPage1({r}, {});
  EXPECT_EQ(toHex(*page),
            "f18405"
            "1e"
            "0301");
  EXPECT_EQ(r.toRplOption(), o);

  // Hops sharing more and more with the previous one pick smaller types.
  const ipv6::Address root = addr("2001:db8::1");
  const std::vector<ipv6::Address> hops = {addr("2001:db8::1:2:3:4"), addr("2001:db8::1:2:3:5"),
                                           addr("2001:db8::1:2:3:6"), addr("2001:db8::1:2:9:9"),
                                           addr("fd00::1")};
  const auto srhs = compressSrh(hops, root);
  ASSERT_EQ(srhs.size(), 4U);
  EXPECT_EQ(srhs[0].type, 3);  // 8 bytes: differs from the root in the IID
  EXPECT_EQ(srhs[1].type, 0);  // two 1-byte hops
  EXPECT_EQ(srhs[1].hopCount(), 2U);
  EXPECT_EQ(srhs[2].type, 2);  // 4 bytes
  EXPECT_EQ(srhs[3].type, 4);  // a different prefix: 16 bytes
  EXPECT_EQ(expandSrh(srhs, root), hops);
  std::vector<Lorh> hs(srhs.begin(), srhs.end());
  auto built = buildPage1(hs, {});
  ASSERT_TRUE(built.ok());
  auto back = parsePage1(*built);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->headers, hs);

  const IpInIpLorh enc = IpInIpLorh::compact(63, addr("2001:db8::1:2"), root);
  EXPECT_EQ(enc.encapsulator.size(), 8U);
  EXPECT_EQ(enc.expand(root), addr("2001:db8::1:2"));
  EXPECT_EQ(IpInIpLorh::compact(63, root, root).encapsulator.size(), 0U);
}

TEST(LorhNegative, BadInput) {
  // Not page 1.
  EXPECT_EQ(parsePage1(Bytes{0xf0, 0x7e}).error(), Error::kMalformed);
  EXPECT_EQ(parsePage1(Bytes{}).error(), Error::kTruncated);
  // Unknown critical type 9.
  EXPECT_EQ(parsePage1(Bytes{0xf1, 0x80, 0x09, 0x00}).error(), Error::kUnsupported);
  // Unknown elective type 9 is kept and skipped over.
  auto e = parsePage1(Bytes{0xf1, 0xa2, 0x09, 0xaa, 0xbb, 0x7e});
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->headers.size(), 1U);
  EXPECT_EQ(std::get<ElectiveLorh>(e->headers[0]).content, (Bytes{0xaa, 0xbb}));
  EXPECT_EQ(e->rest.size(), 1U);
  // IP-in-IP with a 3-byte encapsulator.
  EXPECT_EQ(parsePage1(Bytes{0xf1, 0xa4, 0x06, 0x40, 1, 2, 3}).error(), Error::kMalformed);
  EXPECT_EQ(parsePage1(Bytes{0xf1, 0xa0, 0x06}).error(), Error::kMalformed);
  // Truncations of every vector.
  const auto file = test::loadVectorFile("sixtisch/rfc8138-6lorh.json");
  for (const auto& v : test::vectorList(file)) {
    const Bytes payload = hexField(v.at("expected").at("lowpan_payload"));
    auto full = parsePage1(payload);
    ASSERT_TRUE(full.ok());
    const std::size_t lorh_end = payload.size() - full->rest.size();
    for (std::size_t n = 1; n < lorh_end; ++n) {
      auto p = parsePage1(ByteSpan(payload).first(n));
      // A cut can only end cleanly between two headers.
      if (p.ok()) {
        EXPECT_LT(p->headers.size(), full->headers.size());
      } else {
        EXPECT_EQ(p.error(), Error::kTruncated);
      }
    }
  }
  // Encoding refuses what the format cannot carry.
  RpiLorh r;
  r.instance_elided = true;
  r.instance_id = 3;
  Bytes out;
  VectorWriter w(out);
  EXPECT_EQ(encodeLorhs({r}, w), Error::kInvalidArgs);
  SrhLorh s;
  s.type = 1;
  s.hop_bytes = {1, 2, 3};
  EXPECT_EQ(encodeLorhs({s}, w), Error::kInvalidArgs);
  IpInIpLorh ip;
  ip.encapsulator = {1, 2, 3};
  EXPECT_EQ(encodeLorhs({ip}, w), Error::kInvalidArgs);
}

}  // namespace
}  // namespace lpm::sixlowpan
