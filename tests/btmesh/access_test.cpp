// Access layer (Mesh 1.1 §3.7): opcode formats, the 1.1 configuration messages of
// messages_v11.json as access-layer encodings, and the publication state encodings.
#include "lpmesh/btmesh/access.hpp"

#include <gtest/gtest.h>

#include "tests/btmesh/test_util.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::btmesh {
namespace {

using test::hex;
using test::hexOf;

TEST(BtmeshAccessMessage, OneTwoAndThreeOctetOpcodes) {
  const Bytes one = hex("0400000000");  // Health Current Status (Message #18)
  auto m1 = AccessMessage::parse(one);
  ASSERT_TRUE(m1.ok());
  EXPECT_EQ(m1->opcode, opcode1(0x04));
  EXPECT_EQ(hexOf(m1->params), "00000000");

  const Bytes two = hex("800300563412");  // Config AppKey Status (Message #16)
  auto m2 = AccessMessage::parse(two);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->opcode, opcode2(0x80, 0x03));
  EXPECT_EQ(m2->opcode, 0x8003u);
  EXPECT_EQ(hexOf(m2->params), "00563412");

  const Bytes three = hex("d50a0048656c6c6f");  // vendor 0x15, company 0x000a (Message #21)
  auto m3 = AccessMessage::parse(three);
  ASSERT_TRUE(m3.ok());
  EXPECT_EQ(m3->opcode, opcode3(0x15, 0x000a));
  EXPECT_EQ(opcodeSize(m3->opcode), 3u);
  EXPECT_EQ(hexOf(m3->params), "48656c6c6f");

  for (const Bytes* raw : {&one, &two, &three}) {
    auto m = AccessMessage::parse(*raw);
    Bytes out;
    ASSERT_EQ(m->encode(out), Error::kNone);
    EXPECT_EQ(out, *raw);
  }
  Bytes out;
  ASSERT_EQ((AccessMessage{opcode3(0x2a, 0x000a), {}}.encode(out)), Error::kNone);
  EXPECT_EQ(hexOf(out), "ea0a00");  // Message #24's opcode
}

TEST(BtmeshAccessMessage, RejectsBadOpcodes) {
  EXPECT_EQ(AccessMessage::parse({}).error(), Error::kTruncated);
  EXPECT_EQ(AccessMessage::parse(hex("7f00")).error(), Error::kUnsupported) << "RFU";
  EXPECT_EQ(AccessMessage::parse(hex("80")).error(), Error::kTruncated);
  EXPECT_EQ(AccessMessage::parse(hex("c00a")).error(), Error::kTruncated);
  Bytes out;
  EXPECT_EQ((AccessMessage{0x7F, {}}.encode(out)), Error::kInvalidArgs);
  EXPECT_EQ((AccessMessage{0x7F00, {}}.encode(out)), Error::kInvalidArgs);
  EXPECT_EQ((AccessMessage{0x1000000, {}}.encode(out)), Error::kInvalidArgs);
  EXPECT_EQ(opcodeSize(0xC000), 0u);
}

TEST(BtmeshAccessMessage, MeshV11ConfigurationMessagesAsAccessEncodings) {
  const auto vectors = test::vectorList(test::loadVectorFile("btmesh/messages_v11.json"));
  int access_messages = 0;
  for (const auto& v : vectors) {
    if (!v["inputs"].contains("access_payload")) continue;
    const Bytes raw = test::hexField(v["inputs"]["access_payload"]);
    auto m = AccessMessage::parse(raw);
    ASSERT_TRUE(m.ok()) << v["name"];
    // Subnet bridge (§4.3.?: 0x80B1..0x80BC) and directed forwarding (0x807B..0x80AF)
    // configuration messages all use 2-octet opcodes.
    EXPECT_EQ(opcodeSize(m->opcode), 2u) << v["name"];
    EXPECT_GE(m->opcode, 0x807Bu);
    EXPECT_LE(m->opcode, 0x80BCu);
    Bytes out;
    ASSERT_EQ(m->encode(out), Error::kNone);
    EXPECT_EQ(out, raw);
    ++access_messages;
  }
  EXPECT_EQ(access_messages, 25);

  // BRIDGING_TABLE_ADD: Directions, NetKeyIndex1 | NetKeyIndex2 << 12 (3 octets LE),
  // Address1, Address2 (LE).
  for (const auto& v : vectors) {
    if (v["name"] != "BRIDGING_TABLE_ADD") continue;
    const Bytes raw = test::hexField(v["inputs"]["access_payload"]);
    auto m = AccessMessage::parse(raw);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->opcode, 0x80B4u);
    ByteReader r(m->params);
    EXPECT_EQ(r.u8(), 0x02);
    const std::uint32_t indexes = r.u24le();
    EXPECT_EQ(indexes & 0xFFFU, 0x123u);
    EXPECT_EQ(indexes >> 12, 0x456u);
    EXPECT_EQ(r.u16le(), 0x0AAA);
    EXPECT_EQ(r.u16le(), 0x0BBB);
    EXPECT_EQ(r.expectEnd(), Error::kNone);
  }
}

TEST(BtmeshAccessStates, PublishPeriodAndRetransmit) {
  EXPECT_EQ(PublishPeriod::decode(0x41).duration(), seconds(1));    // 1 x 1 s
  EXPECT_EQ(PublishPeriod::decode(0x0A).duration(), millis(1000));  // 10 x 100 ms
  EXPECT_EQ(PublishPeriod::decode(0x82).duration(), seconds(20));
  EXPECT_EQ(PublishPeriod::decode(0xC1).duration(), seconds(600));
  EXPECT_EQ(PublishPeriod::decode(0xC1).encode(), 0xC1);
  EXPECT_EQ(PublishPeriod{}.duration(), Duration{0});
  const PublishRetransmit r = PublishRetransmit::decode(0x0A);  // count 2, steps 1
  EXPECT_EQ(r.count, 2);
  EXPECT_EQ(r.interval(), millis(100));
  EXPECT_EQ(r.encode(), 0x0A);
  EXPECT_EQ(TransmitState::decode(0x0A).transmissions(), 3u);
  EXPECT_EQ(TransmitState::decode(0x0A).interval(), millis(20));
  EXPECT_EQ((TransmitState{2, 1}).encode(), 0x0A);
}

}  // namespace
}  // namespace lpm::btmesh
