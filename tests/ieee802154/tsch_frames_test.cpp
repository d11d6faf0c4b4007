// TSCH frame builders against RFC 8180 Appendix A (rfc8180-appendix-a.json): the EB IEs
// (A.1, A.2 corrected), the Enhanced ACK with Time Correction (A.3) and the auxiliary
// security headers (A.4).
#include "lpmesh/ieee802154/tsch_frames.hpp"

#include <gtest/gtest.h>

#include "lpmesh/core/hex.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::ieee802154 {
namespace {

const Eui64 kSource = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};

const nlohmann::json& vector(const std::string& name) {
  static const nlohmann::json file = lpm::test::loadVectorFile("sixtisch/rfc8180-appendix-a.json");
  static const std::vector<nlohmann::json> list = lpm::test::vectorList(file);
  for (const auto& v : list) {
    if (v["name"] == name) return v;
  }
  ADD_FAILURE() << "no vector " << name;
  static const nlohmann::json empty;
  return empty;
}

EbContent minimalContent(std::uint64_t asn, std::uint8_t jm) {
  EbContent c;
  c.sync = {asn, jm};
  TschSlotframeLinkIe sfl;
  sfl.slotframes.push_back(SlotframeInfo{0, 101, {LinkInfo{0, 0, 0x0f}}});
  c.slotframe_link = sfl;
  return c;
}

// MHR of an EB with an extended source: FC, seq, dst PAN, dst 0xffff, source EUI-64.
constexpr std::size_t kEbMhrExtended = 2 + 1 + 2 + 2 + 8;

Bytes iesOf(const Frame& f) {
  const Bytes b = f.encode().value();
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(kEbMhrExtended), b.end());
}

TEST(TschFrames, EbCarriesTheRfc8180A1Ies) {
  for (const char* name : {"rfc8180-a1-eb-default-template-ies asn=0 jm=0",
                           "rfc8180-a1-eb-default-template-ies asn=100000 jm=2"}) {
    const auto& v = vector(name);
    const Frame eb =
        buildEb(kSource, 0xabcd, 0, minimalContent(v["inputs"]["asn"], v["inputs"]["join_metric"]),
                std::nullopt);
    EXPECT_EQ(toHex(iesOf(eb)), v["expected"]["ies"].get<std::string>()) << name;
    // Frame version 2, beacon, destination PAN present, source PAN absent (§4.5.1).
    const Bytes b = eb.encode().value();
    EXPECT_EQ(b[0] & 0x07, 0);
    EXPECT_EQ((b[1] >> 4) & 0x03, 2);
    EXPECT_EQ(b[3], 0xcd);
    EXPECT_EQ(b[4], 0xab);
    EXPECT_EQ(b[5], 0xff);
    EXPECT_EQ(b[6], 0xff);
  }
}

TEST(TschFrames, EbWithCustomTimeslotMatchesCorrectedA2) {
  const auto& v = vector("rfc8180-a2-eb-custom-timeslot-ies (corrected Len2)");
  EbContent c = minimalContent(100000, 2);
  TimeslotTiming t;
  t.cca_offset = 2700;
  t.cca = 128;
  t.tx_offset = 3180;
  t.rx_offset = 1680;
  t.rx_ack_delay = 1200;
  t.tx_ack_delay = 1500;
  t.rx_wait = 3300;
  t.ack_wait = 600;
  t.rx_tx = 192;
  t.max_ack = 2400;
  t.max_tx = 4256;
  t.timeslot_length = 15000;
  c.timeslot = TschTimeslotIe{1, t};
  const Frame eb = buildEb(kSource, 0xabcd, 0, c, std::nullopt);
  EXPECT_EQ(toHex(iesOf(eb)), v["expected"]["ies"].get<std::string>());
}

TEST(TschFrames, EbRoundTripsThroughParseEb) {
  EbContent c = minimalContent(0x12'3456'789a, 7);
  ChannelHoppingFull full;
  full.number_of_channels = 4;
  full.sequence = {15, 20, 25, 26};
  c.hopping = ChannelHoppingIe{1, full};
  const Frame eb = buildEb(kSource, 0xabcd, 9, c, std::nullopt);
  const Frame parsed = Frame::parse(eb.encode().value()).value();
  const auto back = parseEb(parsed);
  ASSERT_TRUE(back.ok()) << errorName(back.error());
  EXPECT_EQ(*back, c);
  EXPECT_EQ(parsed.src.extended, kSource);

  // Without the Slotframe and Link IE (as Contiki-NG sends it).
  c.slotframe_link.reset();
  const auto bare =
      parseEb(Frame::parse(buildEb(kSource, 1, 0, c, std::nullopt).encode().value()).value());
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->slotframe_link.has_value());
}

TEST(TschFrames, ParseEbRejectsOtherFrames) {
  const Frame data = buildData(kSource, std::nullopt, 0xabcd, 1, Bytes{1, 2}, std::nullopt);
  EXPECT_EQ(parseEb(data).error(), Error::kDropped);
  Frame eb = buildEb(kSource, 0xabcd, 0, minimalContent(1, 1), std::nullopt);
  eb.payload_ies.clear();
  EXPECT_EQ(parseEb(eb).error(), Error::kNotFound);
}

TEST(TschFrames, EnhancedAckIsTheRfc8180A3Frame) {
  const auto& v = vector("enhanced-ack with time correction -100us");
  const Eui64 dst = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x78};
  const Frame ack = buildEnhancedAck(dst, 66, -100, false, std::nullopt);
  EXPECT_EQ(toHex(ack.encode().value()), v["expected"]["frame_without_fcs"].get<std::string>());
  for (const char* name :
       {"rfc8180-a3-eack-time-correction-ie +0 us", "rfc8180-a3-eack-time-correction-ie +100 us",
        "rfc8180-a3-eack-time-correction-ie -100 us NACK",
        "rfc8180-a3-eack-time-correction-ie -2048 us NACK"}) {
    const auto& tv = vector(name);
    const Frame a = buildEnhancedAck(dst, 1, tv["inputs"]["time_correction_us"],
                                     tv["inputs"]["nack"], std::nullopt);
    const std::string hex = toHex(a.encode().value());
    EXPECT_EQ(hex.substr(hex.size() - 8), tv["expected"]["header_ie"].get<std::string>()) << name;
  }
}

TEST(TschFrames, SecurityHeadersAreTheRfc8180A4Ones) {
  EXPECT_EQ(toHex(tschSecurityHeader(SecurityLevel::kEncMic32, 1).encode()),
            vector("rfc8180-a4-aux-security-header ENC-MIC-32 key index 1")["expected"]
                                                                           ["aux_security_header"]
                                                                               .get<std::string>());
  EXPECT_EQ(toHex(tschSecurityHeader(SecurityLevel::kEncMic32, 2).encode()), "6d02");
  // EB with K1, MIC-32 (sixtisch.md §4).
  EXPECT_EQ(toHex(tschSecurityHeader(SecurityLevel::kMic32, 1).encode()), "6901");
}

TEST(TschFrames, DataFramesAndKeepAlives) {
  const Eui64 dst = {0x02, 0, 0, 0, 0, 0, 0, 1};
  const Frame uni = buildData(kSource, dst, 0xabcd, 5, Bytes{0xaa}, std::nullopt);
  const Frame p = Frame::parse(uni.encode().value()).value();
  EXPECT_TRUE(p.ack_request);
  EXPECT_EQ(p.dst.extended, dst);
  EXPECT_EQ(p.src.extended, kSource);
  EXPECT_EQ(p.dst_pan, 0xabcd);
  EXPECT_FALSE(p.src_pan.has_value());
  EXPECT_EQ(p.seq, 5);
  const Frame bc = buildData(kSource, std::nullopt, 0xabcd, 6, Bytes{}, std::nullopt);
  const Frame q = Frame::parse(bc.encode().value()).value();
  EXPECT_FALSE(q.ack_request);
  EXPECT_EQ(q.dst.short_addr, kBroadcastShortAddr);
  EXPECT_TRUE(q.payload.empty());
}

TEST(TschFrames, TimeCorrectionIsClampedTo12Bits) {
  EXPECT_EQ(clampTimeCorrectionUs(5000), 2047);
  EXPECT_EQ(clampTimeCorrectionUs(-5000), -2048);
  EXPECT_EQ(clampTimeCorrectionUs(-7), -7);
}

}  // namespace
}  // namespace lpm::ieee802154
