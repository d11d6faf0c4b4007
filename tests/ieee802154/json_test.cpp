// JSON view used by `lpmesh decode 802154`.
#include "lpmesh/ieee802154/json.hpp"

#include <gtest/gtest.h>

#include "tests/ieee802154/builders.hpp"

namespace lpm::ieee802154 {
namespace {

using namespace lpm::ieee802154::test;

TEST(Ieee802154Json, MinimalEb) {
  const Bytes eb =
      hexBytes("40aa00cdabffff0100003f1a88061aa08601000002011c0001c8000a1b0100650001000000000f");
  const Json j = decodeToJson(eb);
  ASSERT_TRUE(j.contains("frame")) << j.dump();
  const Json& f = j["frame"];
  EXPECT_EQ(f["frame_type"], "beacon");
  EXPECT_EQ(f["frame_version"], "2015");
  EXPECT_EQ(f["frame_control"], "0xaa40");
  EXPECT_EQ(f["dst_pan"], "0xabcd");
  EXPECT_EQ(f["dst_addr"], "0xffff");
  EXPECT_EQ(f["src_addr"], "0x0001");
  EXPECT_FALSE(f.contains("src_pan"));
  EXPECT_EQ(f["header_termination"], "ht1");
  const Json& subs = f["payload_ies"][0]["sub_ies"];
  ASSERT_EQ(subs.size(), 4U);
  EXPECT_EQ(subs[0]["name"], "tsch_synchronization");
  EXPECT_EQ(subs[0]["asn"], 100000);
  EXPECT_EQ(subs[0]["join_metric"], 2);
  EXPECT_EQ(subs[1]["template_id"], 0);
  EXPECT_EQ(subs[2]["hopping_sequence_id"], 0);
  EXPECT_EQ(subs[3]["slotframes"][0]["size"], 101);
  EXPECT_EQ(subs[3]["slotframes"][0]["links"][0]["options"]["value"], 15);
  EXPECT_EQ(subs[3]["slotframes"][0]["links"][0]["options"]["timekeeping"], true);
  // Field order is wire order.
  EXPECT_EQ(f.begin().key(), "frame_control");
}

TEST(Ieee802154Json, FcsChecked) {
  DecodeOptions o;
  o.with_fcs = true;
  Json j = decodeToJson(hexBytes("422e427866554433221100020f9c0f1416"), o);
  EXPECT_EQ(j["fcs"]["ok"], true);
  EXPECT_EQ(j["frame"]["header_ies"][0]["time_correction_us"], -100);
  j = decodeToJson(hexBytes("422e427866554433221100020f9c0f1417"), o);
  EXPECT_EQ(j["fcs"]["ok"], false);
}

TEST(Ieee802154Json, SecuredEbLeapOfFaith) {
  const Bytes eb = hexBytes(
      "48ea00cdabffff77665544332211006901003f1a88061aa08601000000011c0001c8000a1b0100650001000"
      "000000f9d358db0");
  DecodeOptions o;
  o.keys.emplace_back(1, key128("365469534348206d696e696d616c3135"));
  const Json j = decodeToJson(eb, o);
  EXPECT_EQ(j["frame"]["aux_security"]["security_level"], 1);
  EXPECT_EQ(j["frame"]["aux_security"]["key_index"], 1);
  EXPECT_EQ(j["frame"]["mic"], "9d358db0");
  EXPECT_EQ(j["security"]["asn_source"], "tsch_synchronization_ie");
  EXPECT_EQ(j["security"]["status"], "verified");
  EXPECT_EQ(j["security"]["nonce"], "001122334455667700000186a0");
  // Wrong key.
  o.keys[0].second[0] ^= 1;
  EXPECT_EQ(decodeToJson(eb, o)["security"]["status"], "auth_failed");
  // No key with that index.
  o.keys[0].first = 2;
  EXPECT_EQ(decodeToJson(eb, o)["security"]["status"], "no_key");
}

TEST(Ieee802154Json, SecuredDataDecrypted) {
  const Bytes data = hexBytes(
      "49e807cdabffff77665544332211006d0270e1ca14fe3f5b8592c879c6c6974eeb025e21d60178acbcc60e"
      "e49a1518828e0daa59ee4fec8fb6696b2aeac8bf7f4c85e8914aaa089dbe6ab09c8c8337db372897271167c"
      "2b926a0d46eaad7b20f0e9ede908e");
  DecodeOptions o;
  o.keys.emplace_back(2, key128("deadbeeffacecafedeadbeeffacecafe"));
  Json j = decodeToJson(data, o);
  EXPECT_EQ(j["security"]["status"], "no_asn");
  EXPECT_TRUE(j["frame"].contains("encrypted_payload"));
  o.asn = 100123;
  j = decodeToJson(data, o);
  EXPECT_EQ(j["security"]["status"], "verified");
  EXPECT_EQ(j["decrypted"]["payload"].get<std::string>().substr(0, 8), "7a3b3a1a");
}

TEST(Ieee802154Json, SecuredAckNeedsOriginator) {
  const Bytes ack = hexBytes("4a2e0777665544332211006d02020f1e00c4dc87f6");
  DecodeOptions o;
  o.keys.emplace_back(2, key128("deadbeeffacecafedeadbeeffacecafe"));
  o.asn = 100123;
  EXPECT_EQ(decodeToJson(ack, o)["security"]["status"], "no_originator");
  o.originator = eui("0011223344556678");
  const Json j = decodeToJson(ack, o);
  EXPECT_EQ(j["security"]["status"], "verified");
  EXPECT_EQ(j["decrypted"]["header_ies"][0]["time_correction_us"], 30);
}

TEST(Ieee802154Json, ErrorsReported) {
  EXPECT_EQ(decodeToJson(hexBytes("40aa00cdabffff0100003f"))["error"], "truncated");
  EXPECT_EQ(decodeToJson(hexBytes("4f"))["error"], "truncated");
  EXPECT_EQ(decodeToJson(hexBytes("4428"))["error"], "unsupported");
  DecodeOptions o;
  o.with_fcs = true;
  EXPECT_EQ(decodeToJson(hexBytes("01"), o)["error"], "truncated");
}

}  // namespace
}  // namespace lpm::ieee802154
