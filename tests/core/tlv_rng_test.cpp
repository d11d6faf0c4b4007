#include <gtest/gtest.h>

#include <set>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/hex.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/core/tlv.hpp"

namespace lpm {
namespace {

TEST(Tlv, IterateFindAndAppend) {
  Bytes buf;
  VectorWriter w(buf);
  const Bytes a = {1, 2, 3};
  const Bytes b = {};
  ASSERT_EQ(appendTlv(w, TlvFormat::simple(), 7, a), Error::kNone);
  ASSERT_EQ(appendTlv(w, TlvFormat::simple(), 9, b), Error::kNone);
  EXPECT_EQ(toHex(buf), "07030102030900");
  auto t = findTlv(buf, TlvFormat::simple(), 9);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->value.empty());
  EXPECT_EQ(findTlv(buf, TlvFormat::simple(), 8).error(), Error::kNotFound);
  EXPECT_EQ(validateTlvs(buf, TlvFormat::simple()), Error::kNone);
  buf.pop_back();  // length byte of the second TLV gone
  EXPECT_EQ(validateTlvs(buf, TlvFormat::simple()), Error::kTruncated);
  EXPECT_EQ(findTlv(buf, TlvFormat::simple(), 9).error(), Error::kTruncated);
}

TEST(Tlv, MeshcopExtendedLength) {
  Bytes value(300, 0xab);
  Bytes buf;
  VectorWriter w(buf);
  ASSERT_EQ(appendTlv(w, TlvFormat::meshcop(), 0x80, value), Error::kNone);
  EXPECT_EQ(toHex(ByteSpan(buf).first(4)), "80ff012c");
  auto t = findTlv(buf, TlvFormat::meshcop(), 0x80);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->value.size(), 300u);
}

TEST(Tlv, RplPad1HasNoLength) {
  const Bytes buf = {0x00, 0x01, 0x01, 0x00, 0x04, 0x01, 0xaa};  // Pad1, PadN(1), opt 4
  auto t = findTlv(buf, TlvFormat::rplOption(), 4);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(toHex(t->value), "aa");
}

TEST(Tlv, TypedDefinition) {
  using Channel = TlvDef<0, BeInt<std::uint32_t, 3>>;
  Bytes buf;
  VectorWriter w(buf);
  ASSERT_EQ(Channel::append(w, TlvFormat::simple(), {0x00000b}), Error::kNone);
  EXPECT_EQ(toHex(buf), "000300000b");
  auto v = Channel::find(buf, TlvFormat::simple());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->value, 11u);
  const Bytes bad = {0x00, 0x02, 0x00, 0x0b};
  EXPECT_EQ(Channel::find(bad, TlvFormat::simple()).error(), Error::kTruncated);
}

TEST(Result, ValueOrError) {
  Result<int> ok = 5;
  Result<int> bad = Error::kNoBufs;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), Error::kNoBufs);
  EXPECT_EQ(bad.valueOr(3), 3);
  EXPECT_EQ(errorName(Error::kAuthFailed), "auth_failed");
}

TEST(Rng, SameSeedSameStream) {
  Rng a = Rng::forStream(42, 7, RngStream::kStack);
  Rng b = Rng::forStream(42, 7, RngStream::kStack);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(Rng, StreamsDifferByNodeTagAndSeed) {
  std::set<std::uint64_t> firsts;
  for (std::uint64_t seed : {1ULL, 2ULL}) {
    for (NodeId node : {0U, 1U, 2U}) {
      for (auto tag : {RngStream::kStack, RngStream::kPhy}) {
        firsts.insert(Rng::forStream(seed, node, tag).next());
      }
    }
  }
  EXPECT_EQ(firsts.size(), 12u);
}

TEST(Rng, KnownSequenceIsStable) {
  // Pinned so that a change of generator (which would change every scenario's output)
  // is noticed.
  Rng r(0);
  const std::uint64_t first = r.next();
  Rng again(0);
  EXPECT_EQ(again.next(), first);
  EXPECT_EQ(first, 0x99ec5f36cb75f2b4ULL);
}

TEST(Rng, DistributionsInRange) {
  Rng r(123);
  double sum = 0;
  double sq = 0;
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) {
    const auto v = r.uniformInt(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const double n = r.normal();
    sum += n;
    sq += n * n;
  }
  EXPECT_NEAR(sum / kN, 0.0, 0.01);
  EXPECT_NEAR(sq / kN, 1.0, 0.02);
  EXPECT_EQ(r.below(0), 0u);
}

TEST(Time, UnitsAndConversions) {
  EXPECT_EQ(micros(32).count(), 32000);
  EXPECT_EQ(toMicros(millis(10)), 10000);
  EXPECT_DOUBLE_EQ(toSeconds(seconds(3)), 3.0);
  EXPECT_LT(simTime(seconds(1)), kSimTimeNever);
}

}  // namespace
}  // namespace lpm
