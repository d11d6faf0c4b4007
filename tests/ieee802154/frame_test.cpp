// Frame codec: addressing and PAN ID compression, sequence number suppression, IE
// termination rules, FCS, and rejection of reserved or inconsistent input.
#include "lpmesh/ieee802154/frame.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "tests/ieee802154/builders.hpp"

namespace lpm::ieee802154 {
namespace {

using namespace lpm::ieee802154::test;

constexpr AddrMode kModes[] = {AddrMode::kNone, AddrMode::kShort, AddrMode::kExtended};

MacAddress sampleAddress(AddrMode m, int which) {
  if (m == AddrMode::kShort)
    return MacAddress::fromShort(static_cast<std::uint16_t>(0x1200 + which));
  if (m == AddrMode::kExtended) {
    return MacAddress::fromExtended(
        {0x00, 0x12, 0x4b, 0x00, 0x01, 0x02, 0x03, static_cast<std::uint8_t>(which)});
  }
  return MacAddress::none();
}

std::size_t addrLen(AddrMode m) {
  return m == AddrMode::kShort ? 2 : m == AddrMode::kExtended ? 8 : 0;
}

// 15.4-2015 Table 7-2 written out row by row: dst, src, compression -> dst PAN, src PAN.
struct Row {
  AddrMode dst;
  AddrMode src;
  bool comp;
  bool dst_pan;
  bool src_pan;
};
constexpr AddrMode kN = AddrMode::kNone;
constexpr AddrMode kS = AddrMode::kShort;
constexpr AddrMode kE = AddrMode::kExtended;
constexpr Row kTable72[] = {
    {kN, kN, false, false, false}, {kN, kN, true, true, false},  {kS, kN, false, true, false},
    {kE, kN, false, true, false},  {kS, kN, true, false, false}, {kE, kN, true, false, false},
    {kN, kS, false, false, true},  {kN, kE, false, false, true}, {kN, kS, true, false, false},
    {kN, kE, true, false, false},  {kE, kE, false, true, false}, {kE, kE, true, false, false},
    {kS, kS, false, true, true},   {kS, kE, false, true, true},  {kE, kS, false, true, true},
    {kS, kE, true, true, false},   {kE, kS, true, true, false},  {kS, kS, true, true, false},
};

TEST(Ieee802154Frame, PanIdCompressionTable72AllCombinations) {
  for (const Row& row : kTable72) {
    SCOPED_TRACE(testing::Message()
                 << "dst " << int(row.dst) << " src " << int(row.src) << " comp " << row.comp);
    const PanIdPresence p = panIdPresence(FrameVersion::k2015, row.dst, row.src, row.comp);
    EXPECT_TRUE(p.valid);
    EXPECT_EQ(p.dst, row.dst_pan);
    EXPECT_EQ(p.src, row.src_pan);
    auto comp =
        choosePanIdCompression(FrameVersion::k2015, row.dst, row.src, row.dst_pan, row.src_pan);
    ASSERT_TRUE(comp.ok());
    EXPECT_EQ(*comp, row.comp);

    for (bool seq_suppressed : {false, true}) {
      Frame f;
      f.type = FrameType::kData;
      f.seq = seq_suppressed ? 0 : 0x5a;  // not on the wire when suppressed
      f.seq_suppressed = seq_suppressed;
      f.pan_id_compression = row.comp;
      f.dst = sampleAddress(row.dst, 1);
      f.src = sampleAddress(row.src, 2);
      if (row.dst_pan) f.dst_pan = 0xabcd;
      if (row.src_pan) f.src_pan = 0x1234;
      f.payload = {0xde, 0xad};
      auto bytes = f.encode();
      ASSERT_TRUE(bytes.ok()) << errorName(bytes.error());
      const std::size_t expected = 2U + (seq_suppressed ? 0U : 1U) + (row.dst_pan ? 2U : 0U) +
                                   addrLen(row.dst) + (row.src_pan ? 2U : 0U) + addrLen(row.src) +
                                   2U;
      EXPECT_EQ(bytes->size(), expected);
      auto back = Frame::parse(*bytes);
      ASSERT_TRUE(back.ok()) << errorName(back.error());
      EXPECT_EQ(*back, f);
      // A PAN ID where the table has none is refused by the encoder.
      Frame bad = f;
      if (!row.src_pan) {
        bad.src_pan = 0x7777;
        EXPECT_EQ(bad.encode().error(), Error::kInvalidArgs);
      }
    }
  }
}

TEST(Ieee802154Frame, PanIdCompression2006Rule) {
  for (AddrMode d : kModes) {
    for (AddrMode s : kModes) {
      for (bool comp : {false, true}) {
        const PanIdPresence p = panIdPresence(FrameVersion::k2006, d, s, comp);
        const bool both = d != AddrMode::kNone && s != AddrMode::kNone;
        EXPECT_EQ(p.valid, !comp || both);
        if (!p.valid) continue;
        EXPECT_EQ(p.dst, d != AddrMode::kNone);
        EXPECT_EQ(p.src, s != AddrMode::kNone && !comp);
        for (FrameVersion v : {FrameVersion::k2003, FrameVersion::k2006}) {
          Frame f;
          f.version = v;
          f.type = FrameType::kData;
          f.seq = 1;
          f.pan_id_compression = comp;
          f.dst = sampleAddress(d, 3);
          f.src = sampleAddress(s, 4);
          if (p.dst) f.dst_pan = 0x0102;
          if (p.src) f.src_pan = 0x0304;
          f.payload = {1, 2, 3};
          auto bytes = f.encode();
          ASSERT_TRUE(bytes.ok());
          auto back = Frame::parse(*bytes);
          ASSERT_TRUE(back.ok());
          EXPECT_EQ(*back, f);
        }
      }
    }
  }
  // Compression with only a destination: Wireshark and 2006 both refuse it.
  EXPECT_EQ(Frame::parse(hexBytes("4108"
                                  "01"
                                  "cdab"
                                  "ffff"))
                .error(),
            Error::kMalformed);
}

TEST(Ieee802154Frame, ImmediateAck2006) {
  const Bytes ack = hexBytes("020017");  // ACK, version 0, seq 0x17
  auto f = Frame::parse(ack);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->type, FrameType::kAck);
  EXPECT_EQ(f->version, FrameVersion::k2003);
  EXPECT_EQ(f->seq, 0x17);
  EXPECT_TRUE(f->dst.isNone());
  EXPECT_EQ(toHex(f->encode().value()), "020017");
  // Frame pending bit.
  auto p = Frame::parse(hexBytes("121042"));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->frame_pending);
  EXPECT_EQ(p->version, FrameVersion::k2006);
}

TEST(Ieee802154Frame, ExtendedAddressByteOrder) {
  Frame f;
  f.type = FrameType::kData;
  f.seq = 9;
  f.pan_id_compression = true;
  f.dst_pan = 0xabcd;
  f.dst = MacAddress::fromShort(0xffff);
  f.src = MacAddress::fromExtended(eui("0011223344556677"));
  // The wire carries the EUI-64 least significant byte first.
  EXPECT_EQ(toHex(f.encode().value()), "41e809cdabffff7766554433221100");
}

TEST(Ieee802154Frame, HeaderTerminationRules) {
  Frame f;
  f.type = FrameType::kData;
  f.seq = 1;
  f.dst = MacAddress::fromShort(0x0001);
  f.dst_pan = 0x0abc;
  f.header_ies.emplace_back(TimeCorrectionIe{5, false, 0});
  // Header IEs then payload: HT2 (7f 3f 80 => 0x3f80).
  f.payload = {0xaa, 0xbb};
  Bytes b = f.encode().value();
  EXPECT_EQ(toHex(b),
            "012a"
            "01"
            "bc0a"
            "0100"
            "020f0500"
            "803f"
            "aabb");
  EXPECT_EQ(effectiveHeaderTermination(f), HeaderTermination::kHt2);
  EXPECT_EQ(Frame::parse(b).value(), f);

  // Header IEs only: no termination.
  f.payload.clear();
  b = f.encode().value();
  EXPECT_EQ(toHex(b),
            "012a"
            "01"
            "bc0a"
            "0100"
            "020f0500");
  EXPECT_EQ(Frame::parse(b).value(), f);

  // Header IEs, payload IEs and payload: HT1, payload IEs, payload termination.
  f.payload = {0xcc};
  f.payload_ies.emplace_back(IetfIe{0x01, {0x02, 0x03}});
  b = f.encode().value();
  EXPECT_EQ(toHex(b),
            "012a"
            "01"
            "bc0a"
            "0100"
            "020f0500"
            "003f"
            "03a8"
            "010203"
            "00f8"
            "cc");
  EXPECT_EQ(effectivePayloadTermination(f), PayloadTermination::kPresent);
  auto back = Frame::parse(b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, f);
  const auto& ietf = std::get<IetfIe>(back->payload_ies[0]);
  EXPECT_EQ(ietf.sub_id, 0x01);
  EXPECT_EQ(toHex(ietf.content), "0203");

  // Payload IEs without payload: no payload termination.
  f.payload.clear();
  b = f.encode().value();
  EXPECT_EQ(toHex(b),
            "012a"
            "01"
            "bc0a"
            "0100"
            "020f0500"
            "003f"
            "03a8"
            "010203");
  EXPECT_EQ(Frame::parse(b).value(), f);
}

TEST(Ieee802154Frame, RedundantTerminationsRoundTrip) {
  // Each of these carries a termination the automatic rule would not write.
  const char* frames[] = {
      "012a"
      "01"
      "bc0a"
      "0100"
      "020f0500"
      "803f",  // HT2 with nothing after
      "012a"
      "01"
      "bc0a"
      "0100"
      "803f"
      "aabb",  // HT2 as the only header IE
      "012a"
      "01"
      "bc0a"
      "0100"
      "003f"
      "00f8"
      "aabb",  // HT1, PT, payload
      "012a"
      "01"
      "bc0a"
      "0100"
      "003f"
      "03a8010203"
      "00f8",  // PT with no payload after
  };
  for (const char* hex : frames) {
    SCOPED_TRACE(hex);
    const Bytes b = hexBytes(hex);
    auto f = Frame::parse(b);
    ASSERT_TRUE(f.ok()) << errorName(f.error());
    auto again = f->encode();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(toHex(*again), hex);
  }
}

TEST(Ieee802154Frame, InconsistentTerminationsRefused) {
  Frame f;
  f.type = FrameType::kData;
  f.dst = MacAddress::fromShort(1);
  f.dst_pan = 2;
  f.header_ies.emplace_back(UnknownHeaderIe{0x22, {1}});
  f.payload = {1};
  f.header_termination = HeaderTermination::kNone;  // payload would be read as an IE
  EXPECT_EQ(f.encode().error(), Error::kInvalidArgs);
  f.header_termination = HeaderTermination::kHt1;  // HT1 without payload IEs or PT
  EXPECT_EQ(f.encode().error(), Error::kInvalidArgs);
  f.payload_termination = PayloadTermination::kPresent;
  EXPECT_TRUE(f.encode().ok());
  f.header_termination = HeaderTermination::kHt2;  // PT without HT1
  EXPECT_EQ(f.encode().error(), Error::kInvalidArgs);
  f.payload_termination = PayloadTermination::kAuto;
  f.payload_ies.emplace_back(IetfIe{1, {}});  // payload IEs after HT2
  EXPECT_EQ(f.encode().error(), Error::kInvalidArgs);
  // IEs on a 2006 frame.
  Frame g;
  g.version = FrameVersion::k2006;
  g.header_ies.emplace_back(TimeCorrectionIe{});
  EXPECT_EQ(g.encode().error(), Error::kInvalidArgs);
  g.header_ies.clear();
  g.seq_suppressed = true;
  EXPECT_EQ(g.encode().error(), Error::kInvalidArgs);
}

TEST(Ieee802154Frame, UnknownIesKeptRaw) {
  Frame f;
  f.type = FrameType::kData;
  f.seq = 3;
  f.dst = MacAddress::fromShort(0x0102);
  f.dst_pan = 0x0304;
  f.header_ies.emplace_back(UnknownHeaderIe{0x1a, {0x11, 0x22, 0x33, 0x44}});  // CSL
  MlmeIe mlme;
  mlme.sub_ies.emplace_back(UnknownSubIe{false, 0x1e, {0x07}});          // EB filter
  mlme.sub_ies.emplace_back(UnknownSubIe{true, 0x0a, {1, 2, 3, 4, 5}});  // long
  f.payload_ies.emplace_back(mlme);
  f.payload_ies.emplace_back(UnknownPayloadIe{0x2, {0x9a, 0x0b, 0x00, 0x42}});  // vendor
  f.payload = {0x41};
  auto b = f.encode();
  ASSERT_TRUE(b.ok());
  auto back = Frame::parse(*b);
  ASSERT_TRUE(back.ok()) << errorName(back.error());
  EXPECT_EQ(*back, f);
  EXPECT_EQ(back->encode().value(), *b);
}

TEST(Ieee802154Frame, TimeslotIeForms) {
  // RFC 8180 A.2 25-byte form, and the 27-byte form with 3-byte MaxTx/TimeslotLength.
  TimeslotTiming t;
  t.max_tx = 0x012345;
  t.timeslot_length = 0x020000;
  t.wide_fields = true;
  MlmeIe m;
  m.sub_ies.emplace_back(TschTimeslotIe{7, t});
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(encodePayloadIe(w, PayloadIe{m}), Error::kNone);
  EXPECT_EQ(out.size(), 2U + 2U + 27U);
  EXPECT_EQ(out[2], 27);  // sub-IE length
  std::vector<PayloadIe> back;
  bool term = false;
  ASSERT_TRUE(parsePayloadIeList(out, back, term).ok());
  EXPECT_EQ(std::get<MlmeIe>(back[0]), m);
  // 16-bit fields cannot carry a value above 0xffff.
  t.wide_fields = false;
  m.sub_ies[0] = TschTimeslotIe{7, t};
  Bytes out2;
  VectorWriter w2(out2);
  EXPECT_EQ(encodePayloadIe(w2, PayloadIe{m}), Error::kInvalidArgs);
  // Other lengths are malformed.
  EXPECT_EQ(parseTschTimeslot(hexBytes("0001")).error(), Error::kMalformed);
  EXPECT_EQ(parseTschTimeslot({}).error(), Error::kMalformed);
}

TEST(Ieee802154Frame, ChannelHoppingForms) {
  // Full form with the standard's 2-byte entries.
  ChannelHoppingIe ch{1, ChannelHoppingFull{0, 16, 0x07fff800, {}, {16, 17, 23, 18}, 2, false}};
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(encodeMlmeSubIe(w, MlmeSubIe{ch}), Error::kNone);
  EXPECT_EQ(toHex(out),
            "14c8"
            "01"
            "00"
            "1000"
            "00f8ff07"
            "0400"
            "1000110017001200"
            "0200");
  auto back = parseMlmeContent(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<ChannelHoppingIe>(back->sub_ies[0]), ch);
  // Contiki-NG's one-byte entries.
  ChannelHoppingIe cng{1, ChannelHoppingFull{0, 0, 0, {}, {15, 25, 26, 20}, 0, true}};
  Bytes out2;
  VectorWriter w2(out2);
  ASSERT_EQ(encodeMlmeSubIe(w2, MlmeSubIe{cng}), Error::kNone);
  EXPECT_EQ(toHex(out2),
            "10c8"
            "01"
            "00"
            "0000"
            "00000000"
            "0400"
            "0f191a14"
            "0000");
  back = parseMlmeContent(out2);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<ChannelHoppingIe>(back->sub_ies[0]), cng);
  // Extended bitmap of 2 bytes before the sequence length.
  const Bytes with_bitmap = hexBytes(
      "09"
      "09"
      "2300"
      "00000000"
      "ff07"
      "0200"
      "01000200"
      "0000");
  auto bm = parseChannelHopping(with_bitmap);
  ASSERT_TRUE(bm.ok());
  ASSERT_TRUE(bm->full.has_value());
  EXPECT_EQ(toHex(bm->full->extended_bitmap), "ff07");
  EXPECT_EQ(bm->full->sequence, (std::vector<std::uint16_t>{1, 2}));
  // Lengths that fit no layout.
  EXPECT_EQ(parseChannelHopping(hexBytes("0100")).error(), Error::kMalformed);
  EXPECT_EQ(parseChannelHopping(hexBytes("01000000000000000500010203")).error(), Error::kMalformed);
}

TEST(Ieee802154Frame, SlotframeAndLinkSeveral) {
  TschSlotframeLinkIe sfl;
  sfl.slotframes.push_back(SlotframeInfo{0, 101, {LinkInfo{0, 0, 0x0f}, LinkInfo{5, 3, kLinkTx}}});
  sfl.slotframes.push_back(SlotframeInfo{1, 7, {}});
  MlmeIe m;
  m.sub_ies.emplace_back(sfl);
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(encodePayloadIe(w, PayloadIe{m}), Error::kNone);
  auto back = parseMlmeContent(ByteSpan(out).subspan(2));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<TschSlotframeLinkIe>(back->sub_ies[0]), sfl);
  // Link count larger than the content.
  EXPECT_EQ(parseTschSlotframeLink(hexBytes("01"
                                            "00"
                                            "6500"
                                            "02"
                                            "0000000f"))
                .error(),
            Error::kMalformed);
  // Trailing byte.
  EXPECT_EQ(parseTschSlotframeLink(hexBytes("01"
                                            "00"
                                            "6500"
                                            "00"
                                            "ff"))
                .error(),
            Error::kMalformed);
}

TEST(Ieee802154Frame, TimeCorrectionReservedBitsKept) {
  // Bits 12-14 set (a sender sign-extending into them): kept and re-emitted.
  auto tc = TimeCorrectionIe::parse(hexBytes("9cff"));
  ASSERT_TRUE(tc.ok());
  EXPECT_EQ(tc->time_correction_us, -100);
  EXPECT_TRUE(tc->nack);
  EXPECT_EQ(tc->reserved_bits, 7);
  Bytes out;
  VectorWriter w(out);
  ASSERT_EQ(encodeHeaderIe(w, HeaderIe{*tc}), Error::kNone);
  EXPECT_EQ(toHex(out), "020f9cff");
  // Out of the 12-bit range.
  Bytes out2;
  VectorWriter w2(out2);
  EXPECT_EQ(encodeHeaderIe(w2, HeaderIe{TimeCorrectionIe{2048, false, 0}}), Error::kInvalidArgs);
}

TEST(Ieee802154Frame, ReservedValuesRejected) {
  // Frame types 4..7.
  for (unsigned type = 4; type < 8; ++type) {
    const Bytes b = {static_cast<std::uint8_t>(0x40 | type), 0x28, 0x01, 0xcd, 0xab, 0xff, 0xff};
    EXPECT_EQ(Frame::parse(b).error(), Error::kUnsupported) << type;
  }
  // Frame version 3.
  EXPECT_EQ(Frame::parse(hexBytes("4138"
                                  "01"
                                  "cdab"
                                  "ffff"))
                .error(),
            Error::kUnsupported);
  // Reserved addressing mode 1 (destination, then source).
  EXPECT_EQ(Frame::parse(hexBytes("4124"
                                  "01"
                                  "cdab"
                                  "ff"))
                .error(),
            Error::kMalformed);
  EXPECT_EQ(Frame::parse(hexBytes("0160"
                                  "01"
                                  "cdab"
                                  "ff"))
                .error(),
            Error::kMalformed);
  // Reserved frame control bit 7.
  EXPECT_EQ(Frame::parse(hexBytes("c128"
                                  "01"
                                  "cdab"
                                  "ffff"))
                .error(),
            Error::kMalformed);
  // Sequence number suppression / IE Present on a 2006 frame.
  EXPECT_EQ(Frame::parse(hexBytes("4119"
                                  "cdab"
                                  "ffff"))
                .error(),
            Error::kMalformed);
  EXPECT_EQ(Frame::parse(hexBytes("411a"
                                  "01"
                                  "cdab"
                                  "ffff"
                                  "003f"))
                .error(),
            Error::kMalformed);
  // 2003 security.
  EXPECT_EQ(Frame::parse(hexBytes("4908"
                                  "01"
                                  "cdab"
                                  "ffff"
                                  "00"))
                .error(),
            Error::kUnsupported);
  // Reserved bit 7 of the security control field.
  EXPECT_EQ(Frame::parse(hexBytes("49e8"
                                  "01"
                                  "cdab"
                                  "ffff"
                                  "7766554433221100"
                                  "e901"
                                  "00000000"))
                .error(),
            Error::kMalformed);
  // A 2006 command frame without its command ID.
  EXPECT_EQ(Frame::parse(hexBytes("0398"
                                  "01"
                                  "cdab"
                                  "ffff"
                                  "3412"
                                  "0100"))
                .error(),
            Error::kTruncated);
}

TEST(Ieee802154Frame, IeLengthsOverrunning) {
  const std::string mhr =
      "012a"
      "01"
      "bc0a"
      "0100";  // data, IE present
  // Header IE longer than the frame.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "050f0500")).error(), Error::kTruncated);
  // A payload-IE descriptor where a header IE must be.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "00a8")).error(), Error::kMalformed);
  // A termination IE with content.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "013f00")).error(), Error::kMalformed);
  // Time Correction IE of 3 bytes.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "030f000000")).error(), Error::kMalformed);
  // Payload IE longer than the frame.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "0a88"
                                        "061a"))
                .error(),
            Error::kTruncated);
  // Sub-IE longer than its MLME IE (MLME length 4, Sync sub-IE claims 6).
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "0488"
                                        "061a0000"))
                .error(),
            Error::kMalformed);
  // One dangling byte inside the MLME IE.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "0188"
                                        "00"))
                .error(),
            Error::kMalformed);
  // Sync sub-IE of 5 bytes.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "0788"
                                        "051a0000000000"))
                .error(),
            Error::kMalformed);
  // A header-IE descriptor inside the payload IE list.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "020f0000"))
                .error(),
            Error::kMalformed);
  // Empty IETF IE (no sub-ID).
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "00a8"))
                .error(),
            Error::kMalformed);
  // Payload termination with content.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f"
                                        "01f8"
                                        "00"))
                .error(),
            Error::kMalformed);
  // HT1 and nothing after.
  EXPECT_EQ(Frame::parse(hexBytes(mhr + "003f")).error(), Error::kTruncated);
}

void expectEveryTruncationRejected(const Bytes& full) {
  ASSERT_TRUE(Frame::parse(full).ok());
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto r = Frame::parse(ByteSpan(full).first(n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n
                         << " bytes accepted: " << toHex(ByteSpan(full).first(n));
    EXPECT_TRUE(r.error() == Error::kTruncated || r.error() == Error::kMalformed)
        << n << ": " << errorName(r.error());
  }
}

TEST(Ieee802154Frame, EveryTruncationRejected) {
  expectEveryTruncationRejected(
      hexBytes("40aa00cdabffff0100003f1a88061aa08601000002011c0001c8000a1b0100650001000000000f"));
  expectEveryTruncationRejected(hexBytes(
      "40aa00cdabffff0100003f3288061aa08601000002191c018c0a80006c0c9006b004dc05e40c5802c00060"
      "09a010983a01c8000a1b0100650001000000000f"));
  expectEveryTruncationRejected(hexBytes("422e427866554433221100020f9c0f"));
  // Secured EB (MIC-32) and secured Enh-ACK.
  expectEveryTruncationRejected(hexBytes(
      "48ea00cdabffff77665544332211006901003f1a88061aa08601000000011c0001c8000a1b0100650001000"
      "000000f9d358db0"));
  expectEveryTruncationRejected(hexBytes("4a2e0777665544332211006d02020f1e00c4dc87f6"));
  // A data frame: every cut inside the MHR is rejected (cuts in the payload are frames).
  const Bytes data = hexBytes(
      "41d8"
      "05"
      "cdab"
      "1122"
      "7766554433221100"
      "aabbcc");
  for (std::size_t n = 0; n < data.size() - 3; ++n) {
    EXPECT_EQ(Frame::parse(ByteSpan(data).first(n)).error(), Error::kTruncated) << n;
  }
}

TEST(Ieee802154Frame, FixedBufferTooSmall) {
  const Frame eb = minimalEb(MacAddress::fromShort(1), 5, 0);
  std::array<std::uint8_t, 20> small{};
  EXPECT_EQ(eb.encode(MutableByteSpan(small)).error(), Error::kTooLong);
  std::array<std::uint8_t, 127> big{};
  auto n = eb.encode(MutableByteSpan(big));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(toHex(ByteSpan(big).first(*n)), toHex(eb.encode().value()));
}

TEST(Ieee802154Frame, OversizeIeRefused) {
  Frame f;
  f.type = FrameType::kData;
  f.dst = MacAddress::fromShort(1);
  f.dst_pan = 1;
  f.header_ies.emplace_back(UnknownHeaderIe{0x20, Bytes(128, 0)});
  EXPECT_EQ(f.encode().error(), Error::kTooLong);
  f.header_ies.clear();
  MlmeIe m;
  m.sub_ies.emplace_back(UnknownSubIe{false, 0x30, Bytes(256, 0)});
  f.payload_ies.emplace_back(m);
  EXPECT_EQ(f.encode().error(), Error::kTooLong);
}

TEST(Ieee802154Frame, FcsAppendAndStrip) {
  const Bytes mpdu = hexBytes("422e427866554433221100020f9c0f");
  const Bytes psdu = appendFcs(mpdu);
  EXPECT_EQ(toHex(ByteSpan(psdu).last(2)), "1416");
  auto stripped = stripFcs(psdu);
  ASSERT_TRUE(stripped.ok());
  EXPECT_EQ(Bytes(stripped->begin(), stripped->end()), mpdu);
  Bytes bad = psdu;
  bad[3] ^= 0x01;
  EXPECT_EQ(stripFcs(bad).error(), Error::kMalformed);
  EXPECT_EQ(stripFcs(hexBytes("14")).error(), Error::kTruncated);
}

TEST(Ieee802154Frame, Legacy2006BeaconFields) {
  // Superframe spec, GTS with 2 descriptors, 1 short + 1 extended pending address.
  const Bytes payload = hexBytes(
      "ffcf"
      "82"
      "01"
      "34120f"
      "78561f"
      "11"
      "0100"
      "0807060504030201"
      "ab");
  auto n = legacyBeaconFieldsLength(payload);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, payload.size() - 1);
  EXPECT_EQ(legacyBeaconFieldsLength(ByteSpan(payload).first(10)).error(), Error::kTruncated);
  Frame b;
  b.type = FrameType::kBeacon;
  b.version = FrameVersion::k2006;
  b.src = MacAddress::fromShort(0);
  b.src_pan = 0x1234;
  b.payload = payload;
  auto bytes = b.encode();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(Frame::parse(*bytes).value(), b);
  // A beacon whose fields are cut short is rejected.
  b.payload.resize(3);
  EXPECT_EQ(b.encode().error(), Error::kTruncated);
}

}  // namespace
}  // namespace lpm::ieee802154
