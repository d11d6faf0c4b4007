// Configuration message codecs (config_messages.hpp), Composition Data page 0
// (composition.hpp) and the 1.1 bridge / directed forwarding configuration messages
// (foundation_v11_messages.hpp) against the §8 sample data and by round trip.
#include "lpmesh/btmesh/config_messages.hpp"

#include <gtest/gtest.h>

#include "lpmesh/btmesh/composition.hpp"
#include "lpmesh/btmesh/foundation_v11_messages.hpp"
#include "tests/btmesh/test_util.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::btmesh {
namespace {

using test::hex;
using test::hexOf;

const nlohmann::json* findVector(const std::vector<nlohmann::json>& list, std::string_view prefix) {
  for (const auto& v : list) {
    if (std::string(v["name"]).rfind(prefix, 0) == 0) return &v;
  }
  return nullptr;
}

// --- §8.3 messages #6 and #16 ------------------------------------------------------------

TEST(BtmeshConfigMessages, AppKeyAddOfMessage6) {
  const auto list = test::vectorList(test::loadVectorFile("btmesh/messages.json"));
  const auto* v = findVector(list, "Message #6");
  ASSERT_NE(v, nullptr);
  const Bytes payload = test::hexField((*v)["inputs"]["access_payload"]);
  auto m = parseConfigAccessMessage(payload);
  ASSERT_TRUE(m.ok()) << errorName(m.error());
  ASSERT_TRUE(std::holds_alternative<ConfigAppKeyAdd>(*m));
  const auto& add = std::get<ConfigAppKeyAdd>(*m);
  EXPECT_EQ(add.net_idx, 0x456);
  EXPECT_EQ(add.app_idx, 0x123);
  EXPECT_EQ(add.key, test::kSampleAppKey);
  EXPECT_EQ(encodeConfigMessage(*m), payload);
  ConfigAppKeyAdd built{0x456, 0x123, test::kSampleAppKey};
  EXPECT_EQ(encodeAccessPayload(built), payload);
}

TEST(BtmeshConfigMessages, AppKeyStatusOfMessage16) {
  const auto list = test::vectorList(test::loadVectorFile("btmesh/messages.json"));
  const auto* v = findVector(list, "Message #16");
  ASSERT_NE(v, nullptr);
  const Bytes payload = test::hexField((*v)["inputs"]["access_payload"]);
  auto m = parseConfigAccessMessage(payload);
  ASSERT_TRUE(m.ok());
  const auto& st = std::get<ConfigAppKeyStatus>(*m);
  EXPECT_EQ(st.status, ConfigStatus::kSuccess);
  EXPECT_EQ(st.net_idx, 0x456);
  EXPECT_EQ(st.app_idx, 0x123);
  EXPECT_EQ(encodeConfigMessage(*m), payload);
}

// --- field helpers -----------------------------------------------------------------------

TEST(BtmeshConfigMessages, KeyIndexListsPackInPairs) {
  Bytes out;
  VectorWriter w(out);
  writeKeyIndexList(w, {0x123, 0x456, 0x789});
  EXPECT_EQ(hexOf(out), "2361458907");
  ByteReader r(out);
  EXPECT_EQ(readKeyIndexList(r), (std::vector<std::uint16_t>{0x123, 0x456, 0x789}));
  EXPECT_TRUE(r.ok());
  // 4 octets cannot be pairs plus an odd index.
  const Bytes bad = hex("23614589");
  ByteReader r2(bad);
  (void)readKeyIndexList(r2);
  EXPECT_EQ(r2.error(), Error::kMalformed);
  // An odd last index with RFU bits set.
  const Bytes rfu = hex("0010");
  ByteReader r3(rfu);
  (void)readKeyIndexList(r3);
  EXPECT_EQ(r3.error(), Error::kMalformed);
}

TEST(BtmeshConfigMessages, HeartbeatLogs) {
  EXPECT_EQ(heartbeatLogToValue(0, true), 0U);
  EXPECT_EQ(heartbeatLogToValue(1, true), 1U);
  EXPECT_EQ(heartbeatLogToValue(5, false), 16U);
  EXPECT_EQ(heartbeatLogToValue(0x11, false), 65536U);
  EXPECT_EQ(heartbeatLogToValue(0x11, true), 0xFFFFU);
  EXPECT_EQ(heartbeatLogToValue(0xFF, true), 0xFFFFU);
  EXPECT_FALSE(heartbeatLogToValue(0xFF, false).has_value());
  EXPECT_FALSE(heartbeatLogToValue(0x12, true).has_value());
  EXPECT_EQ(heartbeatValueToLog(0), 0);
  EXPECT_EQ(heartbeatValueToLog(1), 1);
  EXPECT_EQ(heartbeatValueToLog(2), 2);
  EXPECT_EQ(heartbeatValueToLog(3), 2);
  EXPECT_EQ(heartbeatValueToLog(4), 3);
  EXPECT_EQ(heartbeatValueToLog(0x8000), 0x10);
  EXPECT_EQ(heartbeatValueToLog(0xFFFF), 0xFF);
  EXPECT_EQ(heartbeatValueToLog(65536), 0x11);
}

// --- every message round-trips; malformed ones are rejected -------------------------------

std::vector<ConfigMessage> sampleMessages() {
  const LabelUuid label{0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
                        0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1};
  const ModelId sig = ModelId::sig(0x1000);
  const ModelId vnd = ModelId::vendor(0x003F, 0x002A);
  PublicationFields pf{0x123, true, 7, PublishPeriod{10, 1}, PublishRetransmit{2, 3}};
  return {
      ConfigAppKeyAdd{0x001, 0xFFF, test::kSampleAppKey},
      ConfigAppKeyUpdate{0x002, 0x003, test::kSampleAppKey},
      ConfigCompositionDataStatus{0, hex("0c001a00")},
      ConfigModelPublicationSet{0x0100, 0xC001, pf, sig},
      ConfigHeartbeatPublicationStatus{ConfigStatus::kSuccess, 0xC000, 3, 4, 5, 0x000F, 0x001},
      ConfigAppKeyDelete{0x001, 0x002},
      ConfigAppKeyGet{0x00A},
      ConfigAppKeyList{ConfigStatus::kSuccess, 0x001, {1, 2, 3}},
      ConfigAppKeyStatus{ConfigStatus::kInvalidNetKeyIndex, 1, 2},
      ConfigCompositionDataGet{0xFF},
      ConfigBeaconGet{},
      ConfigBeaconSet{1},
      ConfigBeaconStatus{0},
      ConfigDefaultTtlGet{},
      ConfigDefaultTtlSet{5},
      ConfigDefaultTtlStatus{5},
      ConfigFriendGet{},
      ConfigFriendSet{1},
      ConfigFriendStatus{2},
      ConfigGattProxyGet{},
      ConfigGattProxySet{0},
      ConfigGattProxyStatus{2},
      ConfigKeyRefreshPhaseGet{0x010},
      ConfigKeyRefreshPhaseSet{0x010, 2},
      ConfigKeyRefreshPhaseStatus{ConfigStatus::kSuccess, 0x010, 1},
      ConfigModelPublicationGet{0x0100, vnd},
      ConfigModelPublicationStatus{ConfigStatus::kSuccess, 0x0100, 0x8123, pf, vnd},
      ConfigModelPublicationVirtualAddressSet{0x0100, label, pf, sig},
      ConfigModelSubscriptionAdd{0x0100, 0xC000, sig},
      ConfigModelSubscriptionDelete{0x0100, 0xC000, vnd},
      ConfigModelSubscriptionDeleteAll{0x0101, sig},
      ConfigModelSubscriptionOverwrite{0x0100, 0xC002, sig},
      ConfigModelSubscriptionStatus{ConfigStatus::kInvalidAddress, 0x0100, 0x0001, sig},
      ConfigModelSubscriptionVirtualAddressAdd{0x0100, label, sig},
      ConfigModelSubscriptionVirtualAddressDelete{0x0100, label, vnd},
      ConfigModelSubscriptionVirtualAddressOverwrite{0x0100, label, sig},
      ConfigNetworkTransmitGet{},
      ConfigNetworkTransmitSet{0x21},
      ConfigNetworkTransmitStatus{0x21},
      ConfigRelayGet{},
      ConfigRelaySet{1, TransmitState{3, 4}},
      ConfigRelayStatus{2, TransmitState{0, 0}},
      ConfigSigModelSubscriptionGet{0x0100, sig},
      ConfigSigModelSubscriptionList{ConfigStatus::kSuccess, 0x0100, sig, {0xC000, 0x8001}},
      ConfigVendorModelSubscriptionGet{0x0100, vnd},
      ConfigVendorModelSubscriptionList{ConfigStatus::kSuccess, 0x0100, vnd, {}},
      ConfigLpnPollTimeoutGet{0x0200},
      ConfigLpnPollTimeoutStatus{0x0200, 0x34BBFF},
      ConfigHeartbeatPublicationGet{},
      ConfigHeartbeatPublicationSet{0xC000, 0xFF, 0x11, 0x7F, 0x0003, 0x0FFF},
      ConfigHeartbeatSubscriptionGet{},
      ConfigHeartbeatSubscriptionSet{0x0001, 0xC000, 0x10},
      ConfigHeartbeatSubscriptionStatus{ConfigStatus::kSuccess, 1, 0xC000, 3, 4, 1, 7},
      ConfigModelAppBind{0x0100, 0x123, sig},
      ConfigModelAppStatus{ConfigStatus::kCannotBind, 0x0100, 0x123, vnd},
      ConfigModelAppUnbind{0x0100, 0x123, vnd},
      ConfigNetKeyAdd{0x0FFF, test::kSampleNetKey},
      ConfigNetKeyDelete{0x001},
      ConfigNetKeyGet{},
      ConfigNetKeyList{{0, 1, 0xFFF, 4}},
      ConfigNetKeyStatus{ConfigStatus::kKeyIndexAlreadyStored, 0x001},
      ConfigNetKeyUpdate{0x001, test::kSampleNetKey},
      ConfigNodeIdentityGet{0x001},
      ConfigNodeIdentitySet{0x001, 1},
      ConfigNodeIdentityStatus{ConfigStatus::kSuccess, 0x001, 2},
      ConfigNodeReset{},
      ConfigNodeResetStatus{},
      ConfigSigModelAppGet{0x0100, sig},
      ConfigSigModelAppList{ConfigStatus::kSuccess, 0x0100, sig, {1, 2, 3}},
      ConfigVendorModelAppGet{0x0100, vnd},
      ConfigVendorModelAppList{ConfigStatus::kInvalidModel, 0x0100, vnd, {7}},
  };
}

TEST(BtmeshConfigMessages, EveryMessageRoundTrips) {
  const auto messages = sampleMessages();
  EXPECT_EQ(messages.size(), std::variant_size_v<ConfigMessage>);
  for (const ConfigMessage& m : messages) {
    const Bytes wire = encodeConfigMessage(m);
    auto back = parseConfigAccessMessage(wire);
    ASSERT_TRUE(back.ok()) << std::hex << configOpcode(m) << " " << errorName(back.error());
    EXPECT_EQ(back->index(), m.index()) << std::hex << configOpcode(m);
    EXPECT_TRUE(*back == m) << std::hex << configOpcode(m) << " " << hexOf(wire);
    // One octet short or long is rejected (empty messages cannot be shorter).
    const Bytes params = encodeConfigParams(m);
    Bytes longer = params;
    longer.push_back(0);
    auto too_long = parseConfigMessage(configOpcode(m), longer);
    const bool free_length = std::holds_alternative<ConfigCompositionDataStatus>(m);
    // A key index list one octet longer can be a valid list again (2 + 1 = one pair).
    const bool key_list = std::holds_alternative<ConfigAppKeyList>(m) ||
                          std::holds_alternative<ConfigNetKeyList>(m) ||
                          std::holds_alternative<ConfigSigModelAppList>(m) ||
                          std::holds_alternative<ConfigVendorModelAppList>(m);
    if (!free_length && !key_list) {
      EXPECT_FALSE(too_long.ok()) << std::hex << configOpcode(m);
    }
    if (!params.empty() && !free_length) {
      const Bytes shorter(params.begin(), params.end() - 1);
      // Lists may lose one element and stay valid only when the shortened list is still
      // a whole number of entries; none of the samples end that way.
      EXPECT_FALSE(parseConfigMessage(configOpcode(m), shorter).ok())
          << std::hex << configOpcode(m) << " " << hexOf(shorter);
    }
  }
}

TEST(BtmeshConfigMessages, MalformedFieldsAreRejected) {
  // NetKey index with RFU bits.
  EXPECT_EQ(parseConfigMessage(op::kNetKeyDelete, hex("0010")).error(), Error::kMalformed);
  // Model identifier of 3 octets.
  EXPECT_EQ(parseConfigMessage(op::kModelAppBind, hex("0001230000100f")).error(),
            Error::kMalformed);
  // A SIG Get with a vendor-sized identifier, a vendor Get with a SIG-sized one.
  EXPECT_FALSE(parseConfigMessage(op::kSigModelAppGet, hex("000100000010")).ok());
  EXPECT_FALSE(parseConfigMessage(op::kVendorModelAppGet, hex("00010010")).ok());
  // Publication AppKeyIndex word with RFU bits 13-15.
  EXPECT_EQ(parseConfigMessage(op::kModelPublicationSet, hex("000101c023e107ff000010")).error(),
            Error::kMalformed);
  // Not a configuration opcode.
  EXPECT_EQ(parseConfigMessage(0x8201, {}).error(), Error::kUnsupported);
  EXPECT_EQ(parseConfigAccessMessage({}).error(), Error::kTruncated);
  // Subscription list of odd length.
  EXPECT_EQ(parseConfigMessage(op::kSigModelSubscriptionList, hex("00000100100001c0")).error(),
            Error::kMalformed);
}

TEST(BtmeshConfigMessages, ModelPublicationLayout) {
  // §4.3.2.16 field order: ElementAddress, PublishAddress, AppKeyIndex|Cred, TTL, Period,
  // Retransmit, ModelIdentifier; little-endian.
  ConfigModelPublicationSet m{
      0x0102, 0xC003,
      PublicationFields{0x456, true, 0x05, PublishPeriod{0x0A, 1}, PublishRetransmit{2, 1}},
      ModelId::vendor(0x003F, 0x002A)};
  EXPECT_EQ(hexOf(encodeAccessPayload(m)),
            "03020103c0561405"
            "4a"
            "0a"
            "3f002a00");
}

// --- Composition Data page 0 ----------------------------------------------------------------

TEST(BtmeshComposition, Page0OfTheSampleData) {
  const auto list = test::vectorList(test::loadVectorFile("btmesh/composition.json"));
  const auto* v = findVector(list, "Composition Data Page 0");
  ASSERT_NE(v, nullptr);
  const Bytes expected = test::hexField((*v)["expected"]["page0"]);

  // From a description of the node.
  CompositionPage0 c;
  c.cid = 0x000C;
  c.pid = 0x001A;
  c.vid = 0x0001;
  c.crpl = 0x0008;
  c.features = 0x0003;
  c.elements.push_back(CompositionPage0::Element{
      0x0100, {0x0000, 0x8000, 0x0001, 0x1000, 0x1003}, {ModelId::vendor(0x003F, 0x002A)}});
  auto enc = c.encode();
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(hexOf(*enc), hexOf(expected));
  auto back = CompositionPage0::parse(expected);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, c);

  // Every field of the vector's inputs reads back.
  const auto& in = (*v)["inputs"];
  auto u16 = [](const nlohmann::json& j) {
    const Bytes b = test::hexField(j);
    return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
  };
  EXPECT_EQ(back->cid, u16(in["CID"]));
  EXPECT_EQ(back->pid, u16(in["PID"]));
  EXPECT_EQ(back->vid, u16(in["VID"]));
  EXPECT_EQ(back->crpl, u16(in["CRPL"]));
  EXPECT_EQ(back->features, u16(in["Features"]));
  EXPECT_EQ(back->elements[0].location, u16(in["Loc"]));
  ASSERT_EQ(back->elements[0].sig_models.size(), in["SIG_models"].size());
  for (std::size_t i = 0; i < in["SIG_models"].size(); ++i)
    EXPECT_EQ(back->elements[0].sig_models[i], u16(in["SIG_models"][i]));
}

TEST(BtmeshComposition, MalformedPagesAreRejected) {
  EXPECT_EQ(CompositionPage0::parse(hex("0c001a00010008000300")).ok(), true);  // no elements
  EXPECT_EQ(CompositionPage0::parse(hex("0c001a000100080003")).error(), Error::kTruncated);
  // NumS = 2 but one model.
  EXPECT_EQ(CompositionPage0::parse(hex("0c001a00010008000300"
                                        "0000"
                                        "0200"
                                        "0000"))
                .error(),
            Error::kTruncated);
  // Vendor model with Company ID 0xFFFF.
  EXPECT_EQ(CompositionPage0::parse(hex("0c001a00010008000300"
                                        "0000"
                                        "0001"
                                        "ffff0100"))
                .error(),
            Error::kMalformed);
}

// --- 1.1 bridge and directed forwarding configuration messages -----------------------------

TEST(BtmeshFoundationV11, EverySampleMessageDecodesAndEncodesBack) {
  const auto list = test::vectorList(test::loadVectorFile("btmesh/messages_v11.json"));
  std::size_t checked = 0;
  for (const auto& v : list) {
    if (!v["inputs"].contains("access_payload")) continue;
    const Bytes payload = test::hexField(v["inputs"]["access_payload"]);
    auto m = parseFoundationV11AccessMessage(payload);
    ASSERT_TRUE(m.ok()) << v["name"] << " " << errorName(m.error());
    EXPECT_EQ(hexOf(encodeFoundationV11Message(*m)), hexOf(payload)) << v["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 25U);
}

TEST(BtmeshFoundationV11, SampleFieldsAreRead) {
  auto add = parseFoundationV11AccessMessage(hex("80b402236145aa0abb0b"));
  ASSERT_TRUE(add.ok());
  const auto& a = std::get<BridgingTableAdd>(*add);
  EXPECT_EQ(a.directions, 2);
  EXPECT_EQ(a.net_idx1, 0x123);
  EXPECT_EQ(a.net_idx2, 0x456);
  EXPECT_EQ(a.address1, 0x0AAA);
  EXPECT_EQ(a.address2, 0x0BBB);

  auto list = parseFoundationV11AccessMessage(hex("80b8311200236145239178"));
  ASSERT_TRUE(list.ok());
  const auto& l = std::get<BridgedSubnetsList>(*list);
  EXPECT_EQ(l.filter, 1);
  EXPECT_EQ(l.net_idx, 0x123);
  ASSERT_EQ(l.subnets.size(), 2U);
  EXPECT_EQ(l.subnets[1], (std::pair<NetKeyIndex, NetKeyIndex>{0x123, 0x789}));

  auto dc = parseFoundationV11AccessMessage(hex("807d0023010100020201"));
  ASSERT_TRUE(dc.ok());
  const auto& d = std::get<DirectedControlStatus>(*dc);
  EXPECT_EQ(d.net_idx, 0x123);
  EXPECT_EQ(d.state.directed_forwarding, 1);
  EXPECT_EQ(d.state.directed_proxy, 2);
  EXPECT_EQ(d.state.directed_friend, 1);

  auto timing = parseFoundationV11AccessMessage(hex("80a92c01f40101"));
  ASSERT_TRUE(timing.ok());
  const auto& t = std::get<PathDiscoveryTimingControlStatus>(*timing);
  EXPECT_EQ(t.path_monitoring_interval, 300);
  EXPECT_EQ(t.path_discovery_retry_interval, 500);
  EXPECT_TRUE(t.path_discovery_interval_30s);
  EXPECT_FALSE(t.lane_discovery_guard_interval_10s);

  auto size = parseFoundationV11AccessMessage(hex("80bc0001"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(std::get<BridgingTableSizeStatus>(*size).size, 0x0100);
}

TEST(BtmeshFoundationV11, MalformedMessagesAreRejected) {
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("80b402236145aa0abb")).error(), Error::kTruncated);
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("80b20101")).error(), Error::kTrailing);
  // Bridged Subnets Get with the prohibited bits 2-3 set.
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("80b73d1200")).error(), Error::kMalformed);
  // Bridged Subnets List with a partial pair.
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("80b83112002361")).error(), Error::kMalformed);
  // Path Metric with RFU bits.
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("807f2301e0")).error(), Error::kMalformed);
  // Path Discovery Timing Control with RFU flag bits.
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("80a82c01f40104")).error(), Error::kMalformed);
  EXPECT_EQ(parseFoundationV11AccessMessage(hex("8000")).error(), Error::kUnsupported);
}

}  // namespace
}  // namespace lpm::btmesh
