// tshark as an independent reader: frames built by our encoder (and secured by our
// CCM*) are written to a LINKTYPE 283 pcap with ASN TLVs, and tshark must decode them
// without malformed packets or expert warnings, read the same field values, and verify
// / decrypt the K1 and K2 frames given the keys.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ieee802154/security.hpp"
#include "tests/ieee802154/builders.hpp"
#include "tests/ieee802154/tap_pcap.hpp"

namespace lpm::ieee802154 {
namespace {

using namespace lpm::ieee802154::test;

constexpr const char* kTshark = "/usr/bin/tshark";
constexpr crypto::Key128 kK1 = hexArray<16>("365469534348206d696e696d616c3135");
constexpr crypto::Key128 kK2 = hexArray<16>("deadbeeffacecafedeadbeeffacecafe");
constexpr Eui64 kCoord = hexArray<8>("0011223344556677");
constexpr Eui64 kNode = hexArray<8>("0011223344556678");

// One tshark output row: field name -> value (comma-joined when repeated).
using Row = std::map<std::string, std::string>;

std::string runCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  pclose(p);
  return out;
}

std::vector<Row> tsharkFields(const std::string& pcap, const std::vector<std::string>& fields,
                              const std::string& options) {
  std::string cmd = std::string(kTshark) + " -r '" + pcap + "' " + options +
                    " -T fields -E separator='|' -E aggregator=,";
  for (const auto& f : fields)
    cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::vector<Row> rows;
  std::istringstream in(runCommand(cmd));
  std::string line;
  while (std::getline(in, line)) {
    Row row;
    std::size_t start = 0;
    for (const auto& f : fields) {
      const std::size_t bar = line.find('|', start);
      row[f] = line.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      start = bar == std::string::npos ? line.size() : bar + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string keysOption(const crypto::Key128& k1, const crypto::Key128& k2) {
  return "-o 'uat:ieee802154_keys:\"" + toHex(k1) + "\",\"1\",\"No hash\"' " +
         "-o 'uat:ieee802154_keys:\"" + toHex(k2) + "\",\"2\",\"No hash\"'";
}

Bytes encodeOrFail(const Frame& f) {
  auto b = f.encode();
  EXPECT_TRUE(b.ok()) << errorName(b.error());
  return b.ok() ? *b : Bytes{};
}

Frame secure(const Frame& plain, const crypto::Key128& key, const Eui64& originator,
             std::uint64_t asn) {
  auto s = secureFrame(plain, key, tschNonce(originator, asn));
  EXPECT_TRUE(s.ok()) << errorName(s.error());
  return s.ok() ? *s : plain;
}

// The RFC 8180 example DIO behind 6LoWPAN IPHC (tsch-security.json).
Bytes dioPayload() {
  return hexBytes(
      "7a3b3a1a9b01eb4c00f0010088f00000fd000000000000000211223344556677040e0014030a070001000000"
      "00ffffff081e4040ffffffffffffffff00000000fd000000000000000000000000000000");
}

Frame dataFrame(std::uint8_t seq) {
  Frame f;
  f.type = FrameType::kData;
  f.seq = seq;
  f.pan_id_compression = true;
  f.dst_pan = 0xabcd;
  f.dst = MacAddress::fromShort(kBroadcastShortAddr);
  f.src = MacAddress::fromExtended(kCoord);
  f.payload = dioPayload();
  return f;
}

class TsharkTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kTshark)) GTEST_SKIP() << "tshark not installed";
  }

  std::string writePcap(const std::string& name, const std::vector<TapRecord>& records) {
    std::string path = testing::TempDir() + "lpm_ieee802154_" + name + ".pcap";
    const Bytes pcap = tapPcap(records);
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(pcap.data()),
              static_cast<std::streamsize>(pcap.size()));
    return path;
  }
};

TEST_F(TsharkTest, UnsecuredFramesReadBack) {
  // 1: EB with the minimal schedule, short source.
  const Frame eb = minimalEb(MacAddress::fromShort(0x0001), 100000, 2);
  // 2: EB with the A.2 custom (25-byte) timeslot and a 7-slot slotframe.
  Frame eb_custom = minimalEb(MacAddress::fromExtended(kCoord), 123456789, 5, 9);
  auto& mlme = std::get<MlmeIe>(eb_custom.payload_ies[0]);
  TimeslotTiming t;
  t.cca_offset = 2700;
  t.tx_offset = 3180;
  t.timeslot_length = 15000;
  mlme.sub_ies[1] = TschTimeslotIe{1, t};
  std::get<TschSlotframeLinkIe>(mlme.sub_ies[3]).slotframes[0].size = 7;
  // 3: EB with the 27-byte timeslot form and a full Channel Hopping IE.
  Frame eb_wide = minimalEb(MacAddress::fromShort(0x0002), 42, 1, 10);
  auto& mlme_wide = std::get<MlmeIe>(eb_wide.payload_ies[0]);
  TimeslotTiming tw;
  tw.max_tx = 70000;
  tw.timeslot_length = 80000;
  tw.wide_fields = true;
  mlme_wide.sub_ies[1] = TschTimeslotIe{2, tw};
  mlme_wide.sub_ies[2] = ChannelHoppingIe{
      1, ChannelHoppingFull{0, 16, 0x07fff800, {}, {16, 17, 23, 18, 26, 15}, 0, false}};
  // 4: unsecured data frame (broadcast DIO).
  const Frame data = dataFrame(7);
  // 5, 6: Enh-ACKs with time corrections.
  const Frame ack = enhancedAck(0x42, kNode, -100, false);
  const Frame nack = enhancedAck(0x43, kNode, 2047, true);
  // 7: data frame with a 6P ADD request in an IETF IE (draft sub-ID 0xC9, the only one
  // tshark 4.0 dissects): HT1 + payload IE + PT + payload.
  Frame sixp = dataFrame(8);
  sixp.dst = MacAddress::fromExtended(kNode);
  sixp.pan_id_compression = true;
  sixp.dst_pan.reset();
  sixp.payload_ies.emplace_back(IetfIe{0xc9, hexBytes("00"
                                                      "01"
                                                      "01"
                                                      "05"
                                                      "0000"
                                                      "01"
                                                      "02"
                                                      "0a000300"
                                                      "16000500")});

  const std::vector<TapRecord> recs = {
      {encodeOrFail(eb), 100000, 11},   {encodeOrFail(eb_custom), 123456789, 20},
      {encodeOrFail(eb_wide), 42, 26},  {encodeOrFail(data), 100123, 15},
      {encodeOrFail(ack), 100001, 11},  {encodeOrFail(nack), 100002, 12},
      {encodeOrFail(sixp), 100003, 13},
  };
  const std::string pcap = writePcap("plain", recs);
  const std::vector<std::string> fields = {"frame.number",
                                           "wpan.frame_type",
                                           "wpan.seq_no",
                                           "wpan.fcs_ok",
                                           "wpan-tap.asn",
                                           "wpan-tap.ch_num",
                                           "wpan.tsch.asn",
                                           "wpan.tsch.join_metric",
                                           "wpan.tsch.slotframe_size",
                                           "wpan.tsch.link_options",
                                           "wpan.tsch.timeslot.id",
                                           "wpan.tsch.timeslot.max_tx",
                                           "wpan.tsch.timeslot.length",
                                           "wpan.tsch.hopping_sequence_id",
                                           "wpan.header_ie.time_correction.value",
                                           "wpan.nack",
                                           "wpan.6top_code",
                                           "wpan.6top_seqnum",
                                           "wpan.6top_num_cells",
                                           "wpan.ietf_ie.sub_id",
                                           "icmpv6.rpl.dio.rank",
                                           "_ws.malformed",
                                           "_ws.expert.message"};
  const auto rows = tsharkFields(pcap, fields, "");
  ASSERT_EQ(rows.size(), recs.size());
  for (const Row& r : rows) {
    SCOPED_TRACE("frame " + r.at("frame.number"));
    EXPECT_EQ(r.at("wpan.fcs_ok"), "1");
    EXPECT_EQ(r.at("_ws.malformed"), "");
    EXPECT_EQ(r.at("_ws.expert.message"), "");
  }
  EXPECT_EQ(rows[0].at("wpan.tsch.asn"), "100000");
  EXPECT_EQ(rows[0].at("wpan.tsch.join_metric"), "2");
  EXPECT_EQ(rows[0].at("wpan.tsch.slotframe_size"), "101");
  EXPECT_EQ(rows[0].at("wpan.tsch.link_options"), "0x0f");
  EXPECT_EQ(rows[0].at("wpan.tsch.timeslot.id"), "0x00");
  EXPECT_EQ(rows[0].at("wpan.tsch.hopping_sequence_id"), "0x00");
  EXPECT_EQ(rows[0].at("wpan-tap.asn"), "100000");
  EXPECT_EQ(rows[1].at("wpan.tsch.asn"), "123456789");
  EXPECT_EQ(rows[1].at("wpan.tsch.join_metric"), "5");
  EXPECT_EQ(rows[1].at("wpan.tsch.slotframe_size"), "7");
  EXPECT_EQ(rows[1].at("wpan.tsch.timeslot.id"), "0x01");
  EXPECT_EQ(rows[1].at("wpan.tsch.timeslot.length"), "15000");
  EXPECT_EQ(rows[1].at("wpan.tsch.timeslot.max_tx"), "4256");
  EXPECT_EQ(rows[1].at("wpan-tap.ch_num"), "20");
  EXPECT_EQ(rows[2].at("wpan.tsch.timeslot.max_tx"), "70000");
  EXPECT_EQ(rows[2].at("wpan.tsch.timeslot.length"), "80000");
  EXPECT_EQ(rows[2].at("wpan.tsch.hopping_sequence_id"), "0x01");
  EXPECT_EQ(rows[3].at("wpan.seq_no"), "7");
  EXPECT_EQ(rows[3].at("icmpv6.rpl.dio.rank"), "256");
  EXPECT_EQ(rows[4].at("wpan.header_ie.time_correction.value"), "-100");
  EXPECT_EQ(rows[4].at("wpan.nack"), "0");
  EXPECT_EQ(rows[4].at("wpan.seq_no"), "66");
  EXPECT_EQ(rows[5].at("wpan.header_ie.time_correction.value"), "2047");
  EXPECT_EQ(rows[5].at("wpan.nack"), "1");
  EXPECT_EQ(rows[6].at("wpan.ietf_ie.sub_id"), "201");
  EXPECT_EQ(rows[6].at("wpan.6top_code"), "0x01");
  EXPECT_EQ(rows[6].at("wpan.6top_seqnum"), "5");
  EXPECT_EQ(rows[6].at("wpan.6top_num_cells"), "2");
  EXPECT_EQ(rows[6].at("icmpv6.rpl.dio.rank"), "256");
}

TEST_F(TsharkTest, SecuredFramesVerifiedAndDecrypted) {
  // K1 EB (MIC-32) from the coordinator's extended address.
  Frame eb = minimalEb(MacAddress::fromExtended(kCoord), 100000, 0);
  eb.security = tschAux(SecurityLevel::kMic32, 1);
  const Frame seb = secure(eb, kK1, kCoord, 100000);
  // K2 data (ENC-MIC-32) carrying the DIO.
  Frame data = dataFrame(7);
  data.security = tschAux(SecurityLevel::kEncMic32, 2);
  const Frame sdata = secure(data, kK2, kCoord, 100123);
  // K2 data frame with header and payload IEs, all of it protected (ENC-MIC-64).
  Frame rich = dataFrame(9);
  rich.security = tschAux(SecurityLevel::kEncMic64, 2);
  rich.header_ies.emplace_back(TimeCorrectionIe{-7, false, 0});
  rich.payload_ies.emplace_back(IetfIe{0xc9, hexBytes("00"
                                                      "01"
                                                      "01"
                                                      "06"
                                                      "0000"
                                                      "01"
                                                      "01"
                                                      "0a000300")});
  const Frame srich = secure(rich, kK2, kCoord, 100200);
  // K2 Enh-ACK (no source address: tshark cannot build the nonce).
  Frame ack = enhancedAck(7, kCoord, 30, false);
  ack.security = tschAux(SecurityLevel::kEncMic32, 2);
  const Frame sack = secure(ack, kK2, kNode, 100123);

  const std::vector<TapRecord> recs = {{encodeOrFail(seb), 100000, 11},
                                       {encodeOrFail(sdata), 100123, 12},
                                       {encodeOrFail(srich), 100200, 13},
                                       {encodeOrFail(sack), 100123, 12}};
  const std::string pcap = writePcap("secured", recs);
  const std::vector<std::string> fields = {"frame.number",
                                           "wpan.fcs_ok",
                                           "wpan.aux_sec.sec_level",
                                           "wpan.aux_sec.key_index",
                                           "wpan.aux_sec.key_id_mode",
                                           "wpan.aux_sec.asn_in_nonce",
                                           "wpan.aux_sec.frame_counter_suppression",
                                           "wpan.key_number",
                                           "wpan.tsch.asn",
                                           "wpan.tsch.join_metric",
                                           "wpan.tsch.slotframe_size",
                                           "wpan.tsch.link_options",
                                           "wpan.header_ie.time_correction.value",
                                           "wpan.6top_seqnum",
                                           "icmpv6.rpl.dio.rank",
                                           "icmpv6.checksum.status",
                                           "_ws.malformed",
                                           "_ws.expert.message"};
  const auto rows = tsharkFields(pcap, fields, keysOption(kK1, kK2));
  ASSERT_EQ(rows.size(), recs.size());
  for (const Row& r : rows) {
    SCOPED_TRACE("frame " + r.at("frame.number"));
    EXPECT_EQ(r.at("wpan.fcs_ok"), "1");
    EXPECT_EQ(r.at("_ws.malformed"), "");
    EXPECT_EQ(r.at("wpan.aux_sec.key_id_mode"), "0x01");
    EXPECT_EQ(r.at("wpan.aux_sec.asn_in_nonce"), "1");
    EXPECT_EQ(r.at("wpan.aux_sec.frame_counter_suppression"), "1");
  }
  // EB: MIC verified with K1 (first UAT row = key number 0).
  EXPECT_EQ(rows[0].at("wpan.aux_sec.sec_level"), "0x01");
  EXPECT_EQ(rows[0].at("wpan.aux_sec.key_index"), "0x01");
  EXPECT_EQ(rows[0].at("wpan.key_number"), "0");
  EXPECT_EQ(rows[0].at("wpan.tsch.asn"), "100000");
  EXPECT_EQ(rows[0].at("wpan.tsch.join_metric"), "0");
  EXPECT_EQ(rows[0].at("wpan.tsch.slotframe_size"), "101");
  EXPECT_EQ(rows[0].at("wpan.tsch.link_options"), "0x0f");
  EXPECT_EQ(rows[0].at("_ws.expert.message"), "");
  // Data: decrypted with K2, the DIO inside is read and its checksum is good.
  EXPECT_EQ(rows[1].at("wpan.aux_sec.sec_level"), "0x05");
  EXPECT_EQ(rows[1].at("wpan.aux_sec.key_index"), "0x02");
  EXPECT_EQ(rows[1].at("wpan.key_number"), "1");
  EXPECT_EQ(rows[1].at("icmpv6.rpl.dio.rank"), "256");
  EXPECT_EQ(rows[1].at("icmpv6.checksum.status"), "1");  // Good
  EXPECT_EQ(rows[1].at("_ws.expert.message"), "");
  // Encrypted payload IEs come out as we put them in.
  EXPECT_EQ(rows[2].at("wpan.aux_sec.sec_level"), "0x06");
  EXPECT_EQ(rows[2].at("wpan.key_number"), "1");
  EXPECT_EQ(rows[2].at("wpan.header_ie.time_correction.value"), "-7");
  EXPECT_EQ(rows[2].at("wpan.6top_seqnum"), "6");
  EXPECT_EQ(rows[2].at("icmpv6.rpl.dio.rank"), "256");
  EXPECT_EQ(rows[2].at("_ws.expert.message"), "");
  // Enh-ACK: header fields read, decryption impossible without a source address.
  EXPECT_EQ(rows[3].at("wpan.header_ie.time_correction.value"), "30");
  EXPECT_EQ(rows[3].at("wpan.aux_sec.sec_level"), "0x05");
  EXPECT_EQ(rows[3].at("wpan.aux_sec.key_index"), "0x02");
  EXPECT_EQ(rows[3].at("_ws.expert.message"), "No extended source address - can't decrypt");

  // Negative control: with a wrong K1 and K2 tshark rejects our MICs.
  crypto::Key128 bad1 = kK1;
  bad1[15] ^= 0x01;
  crypto::Key128 bad2 = kK2;
  bad2[0] ^= 0x80;
  const auto bad = tsharkFields(pcap, fields, keysOption(bad1, bad2));
  ASSERT_EQ(bad.size(), recs.size());
  // (tshark 4.0 tries every key and, when none verifies, reports that none is set.)
  for (std::size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(bad[i].at("wpan.key_number"), "");
    EXPECT_EQ(bad[i].at("icmpv6.rpl.dio.rank"), "");
    const std::string& msg = bad[i].at("_ws.expert.message");
    EXPECT_TRUE(msg.find("MIC check failed") != std::string::npos ||
                msg.find("No encryption key set") != std::string::npos)
        << msg;
  }
}

}  // namespace
}  // namespace lpm::ieee802154
