#include "lpmesh/sixlowpan/fragment.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "tests/sixlowpan/helpers.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::sixlowpan {
namespace {

using test::addr;
using test::hexField;

const LinkAddress kSrc =
    LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78});
const LinkAddress kDst =
    LinkAddress::fromExtended({0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});

LocalTime at(std::int64_t s) {
  return LocalTime{seconds(s)};
}

Bytes udpDatagram(const ipv6::Address& src, const ipv6::Address& dst, std::uint16_t sp,
                  std::uint16_t dp, ByteSpan payload) {
  ipv6::Header h;
  h.src = src;
  h.dst = dst;
  h.next_header = ipv6::proto::kUdp;
  h.hop_limit = 64;
  return *h.build(*ipv6::buildUdp(src, dst, sp, dp, payload));
}

TEST(FragVectors, Rfc4944Frag1FragN) {
  const auto file = test::loadVectorFile("sixtisch/sixlowpan-frag.json");
  const auto v = test::vectorList(file).at(0);
  const auto& in = v.at("inputs");
  const auto& ex = v.at("expected");
  ContextTable ctx;
  ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse(in.at("context0").get<std::string>())), Error::kNone);
  const Bytes dg =
      udpDatagram(addr(in.at("ipv6_src").get<std::string>().c_str()),
                  addr(in.at("ipv6_dst").get<std::string>().c_str()),
                  in.at("udp_ports")[0].get<std::uint16_t>(),
                  in.at("udp_ports")[1].get<std::uint16_t>(), hexField(in.at("udp_payload")));
  ASSERT_EQ(dg.size(), ex.at("datagram_size").get<std::size_t>());

  Bytes compressed;
  auto info = compress(dg, kSrc, kDst, ctx, compressed);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->uncompressed_header_size, 48U);

  const Bytes frag1 = hexField(ex.at("frag1"));
  const Bytes fragn = hexField(ex.at("fragn"));
  // The vector's first frame had room for 66..73 bytes, its second for the rest.
  Fragmenter f(compressed, *info, in.at("datagram_tag").get<std::uint16_t>());
  Bytes out1;
  ASSERT_EQ(f.next(72, out1), Error::kNone);
  EXPECT_EQ(toHex(out1), toHex(frag1));
  EXPECT_FALSE(f.done());
  Bytes outn;
  ASSERT_EQ(f.next(127, outn), Error::kNone);
  EXPECT_EQ(toHex(outn), toHex(fragn));
  EXPECT_TRUE(f.done());
  EXPECT_EQ(toHex(ByteSpan(outn).first(5)), ex.at("fragn_header").get<std::string>());
  EXPECT_EQ(outn[4], ex.at("fragn_offset_units").get<int>());

  // Reassembly in either order gives the datagram back.
  for (bool reverse : {false, true}) {
    Reassembler r;
    auto a = r.add(reverse ? fragn : frag1, kSrc, kDst, ctx, at(0));
    ASSERT_TRUE(a.ok()) << errorName(a.error());
    EXPECT_FALSE(a->complete);
    auto b = r.add(reverse ? frag1 : fragn, kSrc, kDst, ctx, at(1));
    ASSERT_TRUE(b.ok()) << errorName(b.error());
    ASSERT_TRUE(b->complete);
    EXPECT_EQ(toHex(b->datagram), toHex(dg));
    EXPECT_EQ(r.stats().completed, 1U);
    EXPECT_EQ(r.inProgress(), 0U);
  }
}

TEST(FragVectors, HeaderEncodings) {
  const auto file = test::loadVectorFile("sixtisch/sixlowpan-frag.json");
  const auto v = test::vectorList(file).at(1);
  FragHeader h;
  h.datagram_size = v.at("inputs").at("datagram_size").get<std::uint16_t>();
  h.tag = v.at("inputs").at("datagram_tag").get<std::uint16_t>();
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(h.encode(w), Error::kNone);
  EXPECT_EQ(toHex(out), v.at("expected").at("frag1_header").get<std::string>());
  auto p = FragHeader::parse(out);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, h);

  // OpenThread's fragment header vectors (thread/lowpan.json).
  const auto ot = test::loadVectorFile("thread/lowpan.json");
  int checked = 0;
  for (const auto& tv : test::vectorList(ot)) {
    if (!tv.at("expected").contains("frag_header")) continue;
    FragHeader th;
    th.datagram_size = tv.at("inputs").at("datagram_size").get<std::uint16_t>();
    th.tag = static_cast<std::uint16_t>(
        std::stoul(tv.at("inputs").at("tag").get<std::string>(), nullptr, 16));
    const auto off = tv.at("inputs").at("offset_bytes").get<std::size_t>();
    th.first = off == 0;
    th.offset_units = static_cast<std::uint8_t>(off / 8);
    Bytes b;
    VectorWriter bw(b);
    ASSERT_EQ(th.encode(bw), Error::kNone);
    EXPECT_EQ(toHex(b), tv.at("expected").at("frag_header").get<std::string>());
    auto back = FragHeader::parse(b);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, th);
    EXPECT_EQ(back->offsetBytes(), off);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

TEST(Fragmenter, SmallDatagramNotFragmented) {
  const Bytes dg = udpDatagram(ipv6::linkLocal(*kSrc.iid()), ipv6::linkLocal(*kDst.iid()), 1, 2,
                               Bytes(10, 0xaa));
  Bytes c;
  auto info = compress(dg, kSrc, kDst, {}, c);
  ASSERT_TRUE(info.ok());
  auto frames = fragment(c, *info, 7, 102);
  ASSERT_TRUE(frames.ok());
  ASSERT_EQ(frames->size(), 1U);
  EXPECT_EQ(frames->front(), c);
}

TEST(Fragmenter, TooLargeOrHeaderDoesNotFit) {
  const Bytes big = udpDatagram(addr("2001:db8::1"), addr("2001:db8::2"), 1, 2, Bytes(2100, 1));
  Bytes c;
  auto info = compress(big, kSrc, kDst, {}, c);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(fragment(c, *info, 1, 100).error(), Error::kTooLong);
  const Bytes dg = udpDatagram(addr("2001:db8::1"), addr("2001:db8::2"), 1, 2, Bytes(300, 1));
  Bytes c2;
  auto info2 = compress(dg, kSrc, kDst, {}, c2);
  ASSERT_TRUE(info2.ok());
  // 4-byte FRAG1 + 42 bytes of compressed headers do not fit 40 bytes.
  EXPECT_EQ(fragment(c2, *info2, 1, 40).error(), Error::kTooLong);
  Fragmenter f(c2, *info2, 1);
  Bytes out;
  ASSERT_EQ(f.next(100, out), Error::kNone);
  EXPECT_EQ(f.next(5, out), Error::kTooLong);  // no room for any data after FRAGN
}

// Property: random datagrams, random frame sizes, fragments delivered shuffled with
// duplicates, always reassemble to the original.
TEST(FragmentProperty, RandomDatagramsReassemble) {
  Rng rng(4944);
  ContextTable ctx;
  ASSERT_EQ(ctx.set(0, *ipv6::Prefix::parse("fd00::/64")), Error::kNone);
  Reassembler r(ReassemblerConfig{2, 1280, seconds(60)});
  for (int iter = 0; iter < 300; ++iter) {
    Bytes payload(rng.below(1100));
    rng.fill(payload);
    const bool global = rng.below(2) == 0;
    const ipv6::Address s = global ? addr("fd00::211:2233:4455:6678") : addr("2001:db8::99");
    const ipv6::Address d = global ? addr("fd00::211:2233:4455:6677") : addr("fe80::1:2");
    const Bytes dg = udpDatagram(s, d, static_cast<std::uint16_t>(rng.next()),
                                 static_cast<std::uint16_t>(rng.next()), payload);
    Bytes c;
    auto info = compress(dg, kSrc, kDst, ctx, c);
    ASSERT_TRUE(info.ok());
    const std::size_t mtu = 60 + rng.below(60);
    const auto tag = static_cast<std::uint16_t>(iter);
    auto frames = fragment(c, *info, tag, mtu);
    ASSERT_TRUE(frames.ok()) << errorName(frames.error());
    if (frames->size() == 1) {
      auto back = decompress(frames->front(), kSrc, kDst, ctx);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, dg);
      continue;
    }
    std::size_t expected_offset = 0;
    for (const Bytes& f : *frames) {
      ASSERT_LE(f.size(), mtu);
      auto h = FragHeader::parse(f);
      ASSERT_TRUE(h.ok());
      EXPECT_EQ(h->datagram_size, dg.size());
      EXPECT_EQ(h->offsetBytes(), expected_offset);
      expected_offset =
          h->first ? info->uncompressed_header_size + f.size() - 4 - info->compressed_header_size
                   : expected_offset + f.size() - 5;
    }
    EXPECT_EQ(expected_offset, dg.size());
    std::vector<Bytes> order = *frames;
    for (std::size_t i = order.size(); i > 1; --i)
      std::swap(order[i - 1], order[rng.below(i)]);
    // A duplicate of an earlier fragment, before the datagram completes (one arriving
    // after completion would start a new reassembly that times out).
    const Bytes dup = order[0];
    order.insert(order.begin() + 1 + static_cast<std::ptrdiff_t>(rng.below(order.size() - 1)), dup);
    bool done = false;
    for (const Bytes& f : order) {
      auto res = r.add(f, kSrc, kDst, ctx, at(iter));
      ASSERT_TRUE(res.ok()) << errorName(res.error());
      if (res->complete) {
        EXPECT_FALSE(done);
        EXPECT_EQ(toHex(res->datagram), toHex(dg));
        done = true;
      }
    }
    EXPECT_TRUE(done);
    EXPECT_EQ(r.inProgress(), 0U);
  }
  EXPECT_EQ(r.stats().no_bufs, 0U);
  EXPECT_EQ(r.stats().overlaps, 0U);
  EXPECT_GT(r.stats().duplicates, 0U);
}

// ---------------------------------------------------------------------------
// Reassembly failure modes

struct Frames {
  Bytes datagram;
  std::vector<Bytes> frames;
};

Frames makeFrames(std::uint16_t tag, std::size_t payload_size, std::size_t mtu = 80) {
  Frames f;
  Bytes payload(payload_size);
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<std::uint8_t>(i);
  f.datagram = udpDatagram(ipv6::linkLocal(*kSrc.iid()), ipv6::linkLocal(*kDst.iid()), 0xf0b1,
                           0xf0b2, payload);
  Bytes c;
  auto info = compress(f.datagram, kSrc, kDst, {}, c);
  f.frames = *fragment(c, *info, tag, mtu);
  return f;
}

TEST(ReassemblerNegative, TimeoutDiscardsPartialDatagram) {
  Reassembler r;
  const Frames f = makeFrames(1, 200);
  ASSERT_GE(f.frames.size(), 3U);
  ASSERT_TRUE(r.add(f.frames[0], kSrc, kDst, {}, at(0)).ok());
  EXPECT_EQ(r.nextExpiry(), at(60));
  r.expire(at(59));
  EXPECT_EQ(r.inProgress(), 1U);
  r.expire(at(60));
  EXPECT_EQ(r.inProgress(), 0U);
  EXPECT_EQ(r.stats().timeouts, 1U);
  // The rest arrives too late: a new reassembly starts and never completes.
  for (std::size_t i = 1; i < f.frames.size(); ++i) {
    auto res = r.add(f.frames[i], kSrc, kDst, {}, at(61));
    ASSERT_TRUE(res.ok());
    EXPECT_FALSE(res->complete);
  }
  EXPECT_EQ(r.stats().completed, 0U);
}

TEST(ReassemblerNegative, BufferExhaustionIsCounted) {
  Reassembler r(ReassemblerConfig{2, 1280, seconds(60)});
  const Frames a = makeFrames(1, 200);
  const Frames b = makeFrames(2, 200);
  const Frames c = makeFrames(3, 200);
  ASSERT_TRUE(r.add(a.frames[0], kSrc, kDst, {}, at(0)).ok());
  ASSERT_TRUE(r.add(b.frames[0], kSrc, kDst, {}, at(0)).ok());
  EXPECT_EQ(r.add(c.frames[0], kSrc, kDst, {}, at(0)).error(), Error::kNoBufs);
  EXPECT_EQ(r.stats().no_bufs, 1U);
  // Finishing one frees its buffer for the third datagram.
  for (std::size_t i = 1; i < a.frames.size(); ++i) {
    ASSERT_TRUE(r.add(a.frames[i], kSrc, kDst, {}, at(1)).ok());
  }
  EXPECT_EQ(r.stats().completed, 1U);
  EXPECT_TRUE(r.add(c.frames[0], kSrc, kDst, {}, at(1)).ok());
}

TEST(ReassemblerNegative, DatagramLargerThanBuffers) {
  Reassembler r(ReassemblerConfig{2, 256, seconds(60)});
  const Frames a = makeFrames(1, 400);
  EXPECT_EQ(r.add(a.frames[0], kSrc, kDst, {}, at(0)).error(), Error::kTooLong);
  EXPECT_EQ(r.stats().too_big, 1U);
}

TEST(ReassemblerNegative, ConflictingOverlapDiscardsReassembly) {
  Reassembler r;
  const Frames f = makeFrames(9, 200);
  ASSERT_GE(f.frames.size(), 3U);
  ASSERT_TRUE(r.add(f.frames[0], kSrc, kDst, {}, at(0)).ok());
  ASSERT_TRUE(r.add(f.frames[1], kSrc, kDst, {}, at(0)).ok());
  // Same offset, different content.
  Bytes bad = f.frames[1];
  bad.back() ^= 0xff;
  EXPECT_EQ(r.add(bad, kSrc, kDst, {}, at(0)).error(), Error::kDropped);
  EXPECT_EQ(r.stats().overlaps, 1U);
  EXPECT_EQ(r.inProgress(), 0U);
  // A fragment straddling held data (offset moved back by one unit).
  ASSERT_TRUE(r.add(f.frames[0], kSrc, kDst, {}, at(0)).ok());
  ASSERT_TRUE(r.add(f.frames[1], kSrc, kDst, {}, at(0)).ok());
  Bytes straddle = f.frames[2];
  straddle[4] = static_cast<std::uint8_t>(straddle[4] - 1);
  EXPECT_EQ(r.add(straddle, kSrc, kDst, {}, at(0)).error(), Error::kDropped);
  EXPECT_EQ(r.stats().overlaps, 2U);
  // An identical copy is only a duplicate.
  ASSERT_TRUE(r.add(f.frames[0], kSrc, kDst, {}, at(0)).ok());
  auto dup = r.add(f.frames[0], kSrc, kDst, {}, at(0));
  ASSERT_TRUE(dup.ok());
  EXPECT_FALSE(dup->complete);
  EXPECT_EQ(r.stats().duplicates, 1U);
}

TEST(ReassemblerNegative, DifferentSourcesAndTagsAreSeparate) {
  Reassembler r;
  const Frames f = makeFrames(5, 200);
  const LinkAddress other = LinkAddress::fromShort(0x99);
  ASSERT_TRUE(r.add(f.frames[0], kSrc, kDst, {}, at(0)).ok());
  // Same tag from another sender: FRAG1 decompresses differently (IID from its L2).
  ASSERT_TRUE(r.add(f.frames[0], other, kDst, {}, at(0)).ok());
  EXPECT_EQ(r.inProgress(), 2U);
}

TEST(ReassemblerNegative, MalformedFragments) {
  Reassembler r;
  const Frames f = makeFrames(3, 200);
  // Not a fragment header.
  EXPECT_EQ(r.add(Bytes{0x7a, 0x33, 0x3a}, kSrc, kDst, {}, at(0)).error(), Error::kMalformed);
  // Truncated headers.
  EXPECT_EQ(r.add(Bytes{0xc0, 0xc6, 0x12}, kSrc, kDst, {}, at(0)).error(), Error::kTruncated);
  EXPECT_EQ(r.add(Bytes{0xe0, 0xc6, 0x12, 0x34}, kSrc, kDst, {}, at(0)).error(), Error::kTruncated);
  // FRAGN at offset 0.
  EXPECT_EQ(
      r.add(Bytes{0xe0, 0xc6, 0x12, 0x34, 0x00, 1, 2, 3, 4, 5, 6, 7, 8}, kSrc, kDst, {}, at(0))
          .error(),
      Error::kMalformed);
  // A FRAGN running past the declared size.
  Bytes past = f.frames.back();
  past[4] = static_cast<std::uint8_t>(past[4] + 8);
  EXPECT_EQ(r.add(past, kSrc, kDst, {}, at(0)).error(), Error::kMalformed);
  // A middle fragment not ending on an 8-byte boundary.
  Bytes ragged = f.frames[1];
  ragged.pop_back();
  EXPECT_EQ(r.add(ragged, kSrc, kDst, {}, at(0)).error(), Error::kMalformed);
  // A FRAG1 whose compressed header is cut.
  EXPECT_EQ(r.add(Bytes{0xc0, 0xc6, 0x12, 0x34, 0x7a}, kSrc, kDst, {}, at(0)).error(),
            Error::kTruncated);
  // A FRAG1 whose headers decompress to more than the declared size.
  EXPECT_EQ(
      r.add(Bytes{0xc0, 0x10, 0x12, 0x34, 0x7e, 0x33, 0xf3, 0x12, 0, 0}, kSrc, kDst, {}, at(0))
          .error(),
      Error::kMalformed);
  EXPECT_EQ(r.inProgress(), 0U);
  EXPECT_EQ(r.stats().malformed, 8U);
}

}  // namespace
}  // namespace lpm::sixlowpan
