#include "lpmesh/core/bytes.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"

namespace lpm {
namespace {

TEST(ByteReader, ReadsBigAndLittleEndian) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b};
  ByteReader r(data);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16be(), 0x0203);
  EXPECT_EQ(r.u16le(), 0x0504);
  EXPECT_EQ(r.u24be(), 0x060708u);
  EXPECT_EQ(r.u24le(), 0x0b0a09u);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.atEnd());
  EXPECT_EQ(r.expectEnd(), Error::kNone);
}

TEST(ByteReader, ShortReadIsStickyAndZero) {
  const Bytes data = {0xaa, 0xbb, 0xcc};
  ByteReader r(data);
  EXPECT_EQ(r.u16be(), 0xaabb);
  EXPECT_EQ(r.u32le(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::kTruncated);
  EXPECT_EQ(r.u8(), 0);  // sticky: the remaining byte is not returned after a failure
  EXPECT_TRUE(r.bytes(1).empty());
  EXPECT_EQ(r.expectEnd(), Error::kTruncated);
}

TEST(ByteReader, TrailingBytesReported) {
  const Bytes data = {1, 2, 3};
  ByteReader r(data);
  (void)r.u16le();
  EXPECT_EQ(r.expectEnd(), Error::kTrailing);
}

TEST(ByteReader, FortyAndSixtyFourBit) {
  const Bytes data = {0xa0, 0x86, 0x01, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8};
  ByteReader r(data);
  EXPECT_EQ(r.u40le(), 100000u);  // RFC 8180 A.1 ASN encoding
  EXPECT_EQ(r.u64be(), 0x0102030405060708ULL);
  EXPECT_TRUE(r.ok());
}

TEST(ByteWriter, FixedBufferOverflowIsTooLong) {
  std::array<std::uint8_t, 4> buf{};
  ByteWriter w(buf);
  w.u16be(0x1234);
  w.u16le(0x5678);
  EXPECT_TRUE(w.ok());
  w.u8(9);
  EXPECT_EQ(w.error(), Error::kTooLong);
  EXPECT_EQ(w.size(), 4u);
  EXPECT_EQ(toHex(w.written()), "12347856");
}

TEST(VectorWriter, AppendsAfterExistingContent) {
  Bytes out = {0xff};
  VectorWriter w(out);
  w.u32be(0xdeadbeef);
  w.u40le(100000);
  w.fill(0, 2);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.size(), 11u);
  EXPECT_EQ(toHex(out), "ffdeadbeefa08601000000" "00");
}

TEST(RoundTrip, AllWidthsBothOrders) {
  for (std::size_t n = 1; n <= 8; ++n) {
    const std::uint64_t v = 0x0123456789abcdefULL & (n == 8 ? ~0ULL : ((1ULL << (8 * n)) - 1));
    Bytes out;
    VectorWriter w(out);
    w.uintBe(v, n);
    w.uintLe(v, n);
    ByteReader r(out);
    EXPECT_EQ(r.uintBe(n), v) << n;
    EXPECT_EQ(r.uintLe(n), v) << n;
    EXPECT_EQ(r.expectEnd(), Error::kNone);
  }
}

TEST(Bits, GetAndSet) {
  EXPECT_EQ(bits::get<std::uint16_t>(0xabcd, 4, 8), 0xbc);
  EXPECT_EQ(bits::set<std::uint16_t>(0x0000, 11, 4, 0xf), 0x7800);
  EXPECT_EQ(bits::set<std::uint8_t>(0xff, 0, 3, 0), 0xf8);
  EXPECT_TRUE(bits::test(0x80, 7));
  EXPECT_FALSE(bits::test(0x80, 6));
}

TEST(Hex, ParseAndPrint) {
  auto b = parseHex("0x00 11:22-33_44");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(toHex(*b), "0011223344");
  EXPECT_EQ(parseHex("abc").error(), Error::kMalformed);
  EXPECT_EQ(parseHex("zz").error(), Error::kMalformed);
  EXPECT_EQ(parseHex("a b").error(), Error::kMalformed);
  EXPECT_TRUE(parseHex("").ok());
  auto arr = parseHexArray<2>("BEEF");
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ((*arr)[0], 0xbe);
  EXPECT_EQ(parseHexArray<3>("beef").error(), Error::kMalformed);
}

}  // namespace
}  // namespace lpm
