// tshark reads the capture of a TSCH run (LINKTYPE 283 with the ASN TLV on every frame):
// EBs, data frames, keep-alives and Enhanced ACKs, secured (K1 / K2) and not, decode
// without malformed packets or expert warnings, tshark verifies and decrypts the
// secured ones with the keys, and the values it reads equal the bytes the MACs sent.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ieee802154/frame.hpp"
#include "lpmesh/ieee802154/tsch_frames.hpp"
#include "tests/ieee802154/tsch_harness.hpp"

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;
using test::unitDiskWorld;

constexpr const char* kTshark = "/usr/bin/tshark";

/// One record of a LINKTYPE 283 capture.
struct TapFrame {
  std::optional<std::uint64_t> asn;
  std::uint16_t channel = 0;
  Bytes mpdu;  ///< FCS stripped (and checked)
};

/// Reads the simulator's nanosecond pcap of TAP records.
std::vector<TapFrame> readTapPcap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<TapFrame> out;
  ByteReader r(file);
  r.skip(20);
  EXPECT_EQ(r.u32le(), 283U);
  while (r.ok() && !r.atEnd()) {
    r.skip(8);
    const std::uint32_t len = r.u32le();
    r.skip(4);
    ByteReader rec(r.bytes(len));
    rec.skip(2);
    const std::uint16_t tap_len = rec.u16le();
    ByteReader tlvs(rec.bytes(tap_len - 4U));
    TapFrame f;
    while (tlvs.ok() && !tlvs.atEnd()) {
      const std::uint16_t type = tlvs.u16le();
      const std::uint16_t tlen = tlvs.u16le();
      ByteReader v(tlvs.bytes((tlen + 3U) & ~3U));
      if (type == 7) f.asn = v.u64le();
      if (type == 3) f.channel = v.u16le();
    }
    auto mpdu = stripFcs(rec.rest());
    EXPECT_TRUE(mpdu.ok());
    if (mpdu) f.mpdu.assign(mpdu->begin(), mpdu->end());
    out.push_back(std::move(f));
  }
  return out;
}

using Row = std::map<std::string, std::string>;

std::vector<Row> tsharkFields(const std::string& pcap, const std::vector<std::string>& fields,
                              const std::string& options) {
  std::string cmd = std::string(kTshark) + " -r '" + pcap + "' " + options +
                    " -T fields -E separator='|' -E aggregator=,";
  for (const auto& f : fields)
    cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::string text;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
      text.append(buf, n);
    pclose(p);
  }
  std::vector<Row> rows;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
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

/// Runs coordinator + 2 nodes with traffic and returns the capture's path.
std::string runCapture(const std::string& name, bool secured, bool eack_source) {
  sim::WorldConfig wc = unitDiskWorld(5);
  wc.pcap_802154_path = testing::TempDir() + "lpm_tsch_" + name + ".pcap";
  TschHarness h(wc);
  TschConfig cc;
  cc.coordinator = true;
  cc.slotframe_length = 11;
  cc.eb_period = seconds(2);
  cc.security.enabled = secured;
  cc.eack_source_address = eack_source;
  const NodeId coord = h.add(0, 0, 20.0);
  h.setup(coord, cc);
  TschConfig nc = cc;
  nc.coordinator = false;
  nc.num_neighbours_to_wait = 1;
  TschTrafficConfig traffic;
  traffic.period = seconds(1);
  traffic.destination = h.eui(coord);
  for (int i = 0; i < 2; ++i)
    h.setup(h.add(10.0 + i, 5.0 * i, -20.0), nc, coord, traffic);
  h.powerAll();
  h.run(seconds(90));
  h.world.closeCaptures();
  return wc.pcap_802154_path;
}

std::string hex0x(unsigned v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
  return buf;
}

/// What our decoder reads in a captured frame, as tshark prints it.
struct Expected {
  std::string frame_type, seq, tap_asn, sync_asn, join_metric, slotframe_size, link_options,
      time_correction, nack, sec_level, key_index, payload;
  bool ack_without_source = false;
};

Expected expectedOf(const TapFrame& rec) {
  Expected e;
  const Frame f = Frame::parse(rec.mpdu).value();
  e.frame_type = hex0x(static_cast<unsigned>(f.type), 4);
  e.seq = std::to_string(f.seq);
  e.tap_asn = rec.asn ? std::to_string(*rec.asn) : "";
  if (f.security) {
    e.sec_level = hex0x(static_cast<unsigned>(f.security->level), 2);
    e.key_index = hex0x(f.security->key_index, 2);
  }
  if (f.type == FrameType::kBeacon) {
    const EbContent c = parseEb(f).value();
    e.sync_asn = std::to_string(c.sync.asn);
    e.join_metric = std::to_string(c.sync.join_metric);
    e.slotframe_size = std::to_string(c.slotframe_link->slotframes.at(0).size);
    e.link_options = hex0x(c.slotframe_link->slotframes.at(0).links.at(0).options, 2);
  }
  if (f.type == FrameType::kAck) {
    const auto* tc = findHeaderIe<TimeCorrectionIe>(f.header_ies);
    e.time_correction = std::to_string(tc->time_correction_us);
    e.nack = tc->nack ? "1" : "0";
    e.ack_without_source = f.src.isNone() && f.security.has_value();
  }
  if (f.type == FrameType::kData) {
    Bytes payload = f.payload;
    if (f.security) {
      // Our own CCM* with the ASN nonce: the plaintext tshark must show.
      const Frame plain =
          unsecureFrame(f, kDefaultK2, tschNonce(f.src.extended, rec.asn.value())).value();
      payload = plain.payload;
    }
    e.payload = toHex(payload);
  }
  return e;
}

void checkCapture(const std::string& pcap, bool secured) {
  const std::vector<TapFrame> recs = readTapPcap(pcap);
  ASSERT_GT(recs.size(), 100U);
  const std::vector<std::string> fields = {"frame.number",
                                           "wpan.frame_type",
                                           "wpan.seq_no",
                                           "wpan.fcs_ok",
                                           "wpan-tap.asn",
                                           "wpan.tsch.asn",
                                           "wpan.tsch.join_metric",
                                           "wpan.tsch.slotframe_size",
                                           "wpan.tsch.link_options",
                                           "wpan.header_ie.time_correction.value",
                                           "wpan.nack",
                                           "wpan.aux_sec.sec_level",
                                           "wpan.aux_sec.key_index",
                                           "data.data",
                                           "_ws.malformed",
                                           "_ws.expert.message"};
  // Keys as Wireshark's UAT wants them; the raw payload has no upper protocol, so the
  // LwMesh heuristic (which claims any payload) is off.
  const std::string options =
      "--disable-protocol lwm "
      "-o 'uat:ieee802154_keys:\"" +
      toHex(kDefaultK1) +
      "\",\"1\",\"No hash\"' "
      "-o 'uat:ieee802154_keys:\"" +
      toHex(kDefaultK2) + "\",\"2\",\"No hash\"'";
  const std::vector<Row> rows = tsharkFields(pcap, fields, options);
  ASSERT_EQ(rows.size(), recs.size());
  std::set<std::string> types;
  std::size_t acks_checked = 0, data_checked = 0, ebs_checked = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const Row& r = rows[i];
    SCOPED_TRACE("frame " + r.at("frame.number"));
    const Expected e = expectedOf(recs[i]);
    types.insert(e.frame_type);
    EXPECT_EQ(r.at("wpan.fcs_ok"), "1");
    EXPECT_EQ(r.at("_ws.malformed"), "");
    // Every frame carries the ASN TLV.
    ASSERT_FALSE(e.tap_asn.empty());
    EXPECT_EQ(r.at("wpan-tap.asn"), e.tap_asn);
    EXPECT_EQ(r.at("wpan.frame_type"), e.frame_type);
    EXPECT_EQ(r.at("wpan.seq_no"), e.seq);
    EXPECT_EQ(r.at("wpan.aux_sec.sec_level"), e.sec_level);
    EXPECT_EQ(r.at("wpan.aux_sec.key_index"), e.key_index);
    if (secured) {
      EXPECT_FALSE(e.sec_level.empty());
    } else {
      EXPECT_TRUE(e.sec_level.empty());
    }
    if (e.ack_without_source) {
      // Known Wireshark limit (sixtisch.md §11): it cannot name the ACK's originator.
      EXPECT_EQ(r.at("_ws.expert.message"), "No extended source address - can't decrypt");
    } else {
      EXPECT_EQ(r.at("_ws.expert.message"), "");
    }
    if (e.frame_type == "0x0000") {
      ++ebs_checked;
      // The EB's Synchronization IE holds the slot's ASN, the one in the capture.
      EXPECT_EQ(e.sync_asn, e.tap_asn);
      EXPECT_EQ(r.at("wpan.tsch.asn"), e.sync_asn);
      EXPECT_EQ(r.at("wpan.tsch.join_metric"), e.join_metric);
      EXPECT_EQ(r.at("wpan.tsch.slotframe_size"), e.slotframe_size);
      EXPECT_EQ(e.slotframe_size, "11");
      EXPECT_EQ(r.at("wpan.tsch.link_options"), e.link_options);
      EXPECT_EQ(e.link_options, "0x0f");
    } else if (e.frame_type == "0x0002") {
      ++acks_checked;
      EXPECT_EQ(r.at("wpan.header_ie.time_correction.value"), e.time_correction);
      EXPECT_EQ(r.at("wpan.nack"), e.nack);
    } else if (e.frame_type == "0x0001") {
      // Keep-alives have no payload; traffic carries origin and counter, decrypted by
      // tshark with the ASN nonce when secured.
      EXPECT_EQ(r.at("data.data"), e.payload);
      if (!e.payload.empty()) ++data_checked;
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"0x0000", "0x0001", "0x0002"}));
  EXPECT_GT(ebs_checked, 30U);
  EXPECT_GT(data_checked, 50U);
  EXPECT_GT(acks_checked, 50U);
}

class TschTshark : public testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kTshark)) GTEST_SKIP() << "tshark not installed";
  }
};

TEST_F(TschTshark, UnsecuredRunDecodes) {
  checkCapture(runCapture("plain", false, false), false);
}

TEST_F(TschTshark, SecuredRunDecodesAndDecrypts) {
  checkCapture(runCapture("secured", true, false), true);
}

TEST_F(TschTshark, SecuredAcksWithSourceAddressAreVerifiedToo) {
  checkCapture(runCapture("secured_eack_src", true, true), true);
}

}  // namespace
}  // namespace lpm::ieee802154
