#include "lpmesh/scenario/beacon_app.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"

namespace lpm::scenario {
namespace {

TEST(BeaconFrame, Ieee802154LayoutAndRoundTrip) {
  const Bytes f = encodeBeacon802154(BeaconId{0x0102, 0x0a0b0c0d}, 0xabcd, 25);
  ASSERT_EQ(f.size(), 25u);
  // FCF 0x8841 (data, PAN ID compression, short/short), seq, PAN, dst 0xffff, src, magic,
  // node id, counter, zero filler.
  EXPECT_EQ(toHex(f), "41880dcdabffff02013f4c020100000d0c0b0a000000000000");
  const Result<BeaconId> id = decodeBeacon802154(f, 0xabcd);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->node, 0x0102u);
  EXPECT_EQ(id->counter, 0x0a0b0c0du);
}

TEST(BeaconFrame, Ieee802154SizeIsClamped) {
  EXPECT_EQ(encodeBeacon802154(BeaconId{1, 2}, 1, 3).size(), kBeacon802154MinSize);
  EXPECT_EQ(encodeBeacon802154(BeaconId{1, 2}, 1, 500).size(), 125u);
}

TEST(BeaconFrame, Ieee802154RejectsOtherFrames) {
  const Bytes good = encodeBeacon802154(BeaconId{7, 300}, 0x1234, 19);
  EXPECT_EQ(decodeBeacon802154(good, 0x4321).error(), Error::kMalformed);  // other PAN
  EXPECT_EQ(decodeBeacon802154(ByteSpan(good).first(18), 0x1234).error(), Error::kTruncated);
  for (std::size_t i : {0u, 2u, 5u, 7u, 9u, 11u}) {
    Bytes bad = good;
    bad[i] ^= 0x01;
    EXPECT_EQ(decodeBeacon802154(bad, 0x1234).error(), Error::kMalformed) << i;
  }
}

TEST(BeaconFrame, AdvDataLayoutAndRoundTrip) {
  const Bytes d = encodeBeaconAdvData(BeaconId{5, 9}, 16);
  ASSERT_EQ(d.size(), 16u);
  EXPECT_EQ(toHex(d), "0fffffff3f4c05000000090000000000");
  const Result<BeaconId> id = decodeBeaconAdvData(d);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->node, 5u);
  EXPECT_EQ(id->counter, 9u);
  EXPECT_EQ(encodeBeaconAdvData(BeaconId{1, 1}, 99).size(), 31u);
}

TEST(BeaconFrame, AdvDataFindsTheBeaconAmongOtherAdStructures) {
  Bytes d = parseHex("020106").value();  // Flags AD first
  const Bytes b = encodeBeaconAdvData(BeaconId{3, 4}, 14);
  d.insert(d.end(), b.begin(), b.end());
  const Result<BeaconId> id = decodeBeaconAdvData(d);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->node, 3u);
  EXPECT_EQ(decodeBeaconAdvData(parseHex("020106").value()).error(), Error::kNotFound);
  EXPECT_EQ(decodeBeaconAdvData(parseHex("0aff").value()).error(), Error::kMalformed);
  EXPECT_EQ(decodeBeaconAdvData(parseHex("0dff4c003f4c0500000009000000").value()).error(),
            Error::kNotFound);  // another company
}

}  // namespace
}  // namespace lpm::scenario
