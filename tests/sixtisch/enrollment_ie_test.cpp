#include "lpmesh/sixtisch/enrollment_ie.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/ieee802154/frame.hpp"
#include "lpmesh/ieee802154/tsch_frames.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::sixtisch {
namespace {

// rfc9032-join-info-ie.json: content and IETF payload IE bytes, both directions.
TEST(EnrollmentIe, Vectors) {
  const auto file = test::loadVectorFile("sixtisch/rfc9032-join-info-ie.json");
  int checked = 0;
  for (const auto& v : test::vectorList(file)) {
    const auto& in = v.at("inputs");
    if (!in.contains("R")) continue;
    SCOPED_TRACE(v.at("name").get<std::string>());
    EnrollmentIe ie;
    ie.router = in.at("R").get<int>() == 1;
    ie.proxy_priority = in.at("proxy_prio").get<std::uint8_t>();
    ie.rank_priority = in.at("rank_priority").get<std::uint16_t>();
    ie.pan_priority = in.at("pan_priority").get<std::uint8_t>();
    if (!in.at("join_proxy_iid").is_null()) {
      const Bytes iid = test::hexField(in.at("join_proxy_iid"));
      ASSERT_EQ(iid.size(), 8U);
      ie.join_proxy_iid.emplace();
      std::copy(iid.begin(), iid.end(), ie.join_proxy_iid->begin());
    }
    EXPECT_EQ(ie.join_proxy_iid.has_value(), in.at("P").get<int>() == 1);
    ie.network_id = test::hexField(in.at("network_id"));

    const Bytes content = test::hexField(v.at("expected").at("ietf_ie_content"));
    ASSERT_EQ(content[0], kJoinInfoSubType);
    auto ietf = ie.toIetfIe();
    ASSERT_TRUE(ietf.ok());
    Bytes mine{ietf->sub_id};
    mine.insert(mine.end(), ietf->content.begin(), ietf->content.end());
    EXPECT_EQ(toHex(mine), toHex(content));
    EXPECT_EQ(ie.size() + 1, content.size());

    auto back = EnrollmentIe::parse(ByteSpan(content).subspan(1));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, ie);

    // As a payload IE (group 5) through the 802.15.4 IE codec.
    Bytes pie;
    VectorWriter w(pie);
    ASSERT_EQ(ieee802154::encodePayloadIe(w, ieee802154::PayloadIe{*ietf}), Error::kNone);
    EXPECT_EQ(toHex(pie), v.at("expected").at("payload_ie_group5").get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

// The probe frame: an RFC 8180 A.1 EB followed by the enrollment IE.
TEST(EnrollmentIe, InsideAnEnhancedBeacon) {
  const auto file = test::loadVectorFile("sixtisch/rfc9032-join-info-ie.json");
  Bytes frame;
  for (const auto& v : test::vectorList(file)) {
    if (v.at("expected").contains("frame_without_fcs")) {
      frame = test::hexField(v.at("expected").at("frame_without_fcs"));
    }
  }
  ASSERT_FALSE(frame.empty());
  auto f = ieee802154::Frame::parse(frame);
  ASSERT_TRUE(f.ok());
  auto eb = ieee802154::parseEb(*f);
  ASSERT_TRUE(eb.ok());
  EXPECT_EQ(eb->sync.asn, 100000U);
  ASSERT_EQ(eb->ietf.size(), 1U);
  auto ie = EnrollmentIe::find(eb->ietf);
  ASSERT_TRUE(ie.ok());
  EXPECT_TRUE(ie->router);
  EXPECT_EQ(ie->rank_priority, 1);
  EXPECT_EQ(ie->pan_priority, 1);
  EXPECT_EQ(toHex(ie->network_id), "2a8b5e3c1f0d4e6a");
  // An EB built from this content carries the IE after the MLME IE, as in the probe.
  const auto rebuilt = ieee802154::buildEb(f->src.extended, 0xabcd, 1, *eb, std::nullopt);
  ASSERT_EQ(rebuilt.payload_ies.size(), 2U);
  EXPECT_EQ(std::get<ieee802154::IetfIe>(rebuilt.payload_ies[1]), eb->ietf[0]);
  EXPECT_EQ(EnrollmentIe::find(eb->ietf, 0x01).error(), Error::kNotFound);
}

TEST(EnrollmentIe, RejectsBadInput) {
  EXPECT_EQ(EnrollmentIe::parse(Bytes{0x80, 0x00, 0x01}).error(), Error::kTruncated);
  // P = 1 needs 8 more octets.
  EXPECT_EQ(EnrollmentIe::parse(Bytes{0x40, 0x00, 0x01, 0x01, 1, 2, 3}).error(), Error::kTruncated);
  Bytes long_id(4 + 17, 0);
  EXPECT_EQ(EnrollmentIe::parse(long_id).error(), Error::kTooLong);
  // Reserved bits are ignored.
  auto r = EnrollmentIe::parse(Bytes{0x38, 0x00, 0x05, 0x07});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->router);
  EXPECT_EQ(r->proxy_priority, 0);
  EXPECT_EQ(r->rank_priority, 5);
  EXPECT_EQ(r->pan_priority, 7);

  Bytes out;
  VectorWriter w(out);
  EnrollmentIe bad;
  bad.proxy_priority = 0x80;
  EXPECT_EQ(bad.encode(w), Error::kInvalidArgs);
  bad.proxy_priority = 0;
  bad.rank_priority = 0x1000;
  EXPECT_EQ(bad.encode(w), Error::kInvalidArgs);
  bad.rank_priority = 0;
  bad.network_id.assign(17, 1);
  EXPECT_EQ(bad.encode(w), Error::kInvalidArgs);
}

TEST(EnrollmentIe, DefaultNetworkIdIsTruncatedSha256OfThePrefix) {
  const auto prefix = ipv6::Address::literal("fd00::");
  const Bytes id = defaultNetworkId(prefix, 8);
  // SHA-256 of fd00000000000000 (8 octets).
  const auto digest = crypto::sha256(Bytes{0xfd, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(toHex(id), toHex(ByteSpan(digest.data(), 8)));
  EXPECT_EQ(defaultNetworkId(prefix, 16).size(), 16U);
  EXPECT_EQ(defaultNetworkId(prefix, 40).size(), 16U);
  // Only the /64 counts.
  EXPECT_EQ(defaultNetworkId(ipv6::Address::literal("fd00::1234"), 8), id);
  EXPECT_NE(defaultNetworkId(ipv6::Address::literal("fd01::"), 8), id);
}

}  // namespace
}  // namespace lpm::sixtisch
