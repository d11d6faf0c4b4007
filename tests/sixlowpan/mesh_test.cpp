#include "lpmesh/sixlowpan/mesh.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/sixlowpan/dispatch.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::sixlowpan {
namespace {

TEST(MeshHeader, OpenThreadVector) {
  const auto file = test::loadVectorFile("thread/lowpan.json");
  for (const auto& v : test::vectorList(file)) {
    if (!v.at("expected").contains("mesh_header")) continue;
    const auto& in = v.at("inputs");
    MeshHeader h;
    h.originator = LinkAddress::fromShort(static_cast<std::uint16_t>(
        std::stoul(in.at("src_rloc16").get<std::string>(), nullptr, 16)));
    h.final_destination = LinkAddress::fromShort(static_cast<std::uint16_t>(
        std::stoul(in.at("dst_rloc16").get<std::string>(), nullptr, 16)));
    h.hops_left = in.at("hops_left").get<std::uint8_t>();
    Bytes out;
    VectorWriter w(out);
    ASSERT_EQ(h.encode(w), Error::kNone);
    EXPECT_EQ(toHex(out), v.at("expected").at("mesh_header").get<std::string>());
    EXPECT_EQ(h.size(), out.size());
    auto p = MeshHeader::parse(out);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, h);
    EXPECT_EQ(classifyDispatch(out[0]), DispatchKind::kMesh);
  }
}

TEST(MeshHeader, ExtendedAddressesAndDeepHops) {
  MeshHeader h;
  h.originator = LinkAddress::fromExtended({1, 2, 3, 4, 5, 6, 7, 8});
  h.final_destination = LinkAddress::fromShort(0xabcd);
  h.hops_left = 20;
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(h.encode(w), Error::kNone);
  // 10 V=0 F=1 1111, deep hops 20, EUI-64, short.
  EXPECT_EQ(toHex(out), "9f140102030405060708abcd");
  EXPECT_EQ(h.size(), out.size());
  auto p = MeshHeader::parse(out);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, h);
  for (std::size_t n = 0; n < out.size(); ++n) {
    EXPECT_EQ(MeshHeader::parse(ByteSpan(out).first(n)).error(), Error::kTruncated);
  }
  EXPECT_EQ(MeshHeader::parse(Bytes{0x41, 0, 0}).error(), Error::kMalformed);
  MeshHeader bad;
  Bytes b;
  VectorWriter bw(b);
  EXPECT_EQ(bad.encode(bw), Error::kInvalidArgs);
}

TEST(BroadcastHeader, RoundTrip) {
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(BroadcastHeader{0x42}.encode(w), Error::kNone);
  EXPECT_EQ(toHex(out), "5042");
  EXPECT_EQ(BroadcastHeader::parse(out)->sequence, 0x42);
  EXPECT_EQ(BroadcastHeader::parse(Bytes{0x50}).error(), Error::kTruncated);
  EXPECT_EQ(BroadcastHeader::parse(Bytes{0x51, 0}).error(), Error::kMalformed);
}

TEST(Dispatch, Classification) {
  EXPECT_EQ(classifyDispatch(0x00), DispatchKind::kNalp);
  EXPECT_EQ(classifyDispatch(0x41), DispatchKind::kIpv6);
  EXPECT_EQ(classifyDispatch(0x50), DispatchKind::kBc0);
  EXPECT_EQ(classifyDispatch(0x7a), DispatchKind::kIphc);
  EXPECT_EQ(classifyDispatch(0xb1), DispatchKind::kMesh);
  EXPECT_EQ(classifyDispatch(0xc0), DispatchKind::kFrag1);
  EXPECT_EQ(classifyDispatch(0xe7), DispatchKind::kFragN);
  EXPECT_EQ(classifyDispatch(0xf1), DispatchKind::kPage);
  EXPECT_EQ(classifyDispatch(0xc8), DispatchKind::kReserved);
  EXPECT_EQ(classifyDispatch(0x42), DispatchKind::kReserved);
}

}  // namespace
}  // namespace lpm::sixlowpan
