// Configuration Server and Client over a two-node mesh: every configuration message is
// sent by the client, applied by the server and answered with the specified status code.
#include "lpmesh/btmesh/config_server.hpp"

#include <gtest/gtest.h>

#include "lpmesh/btmesh/config_client.hpp"
#include "tests/btmesh/models_bus.hpp"

namespace lpm::btmesh {
namespace {

using test::BusNode;
using test::ModelsBus;

constexpr Address kClientAddr = 0x0001;
constexpr Address kServerAddr = 0x0100;
constexpr Address kSecondElement = 0x0101;
const ModelId kOnOff = ModelId::sig(kGenericOnOffServerModelId);
const ModelId kVendor = ModelId::vendor(0x003F, 0x002A);
const LabelUuid kLabel{0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
                       0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1};

/// Records what reaches an application model.
class Sink final : public ModelHandler {
 public:
  bool handles(Opcode opcode) const override { return opcode == 0x8203 || opcode == 0xD50A00; }
  void onMessage(Access&, Model&, const MessageContext& ctx, Opcode, ByteSpan) override {
    got.push_back(ctx);
  }
  std::vector<MessageContext> got;
};

class ConfigServerTest : public ::testing::Test {
 protected:
  ConfigServerTest() {
    FoundationOptions client_opts;
    client_opts.config_client = true;
    client_ = &bus_.add(kClientAddr, NodeConfig{}, client_opts);
    NodeConfig server_cfg;
    server_cfg.subnet_count = 3;
    server_cfg.app_key_count = 3;
    server_cfg.model_subscription_count = 2;
    server_cfg.model_key_count = 2;
    server_ = &bus_.add(kServerAddr, server_cfg);
    // Element 0: Configuration Server, Health Server, Generic OnOff Server; element 1: a
    // vendor model.
    server_->n().access().addModel(0, kOnOff, &sink_);
    server_->n().access().addModel(1, kVendor, &sink_);
    EXPECT_EQ(client_->n().keys().setRemoteDevKey(kServerAddr, test::busDevKey(kServerAddr)),
              Error::kNone);
    bus_.start();
  }

  /// Sends a request and runs the clock until its status (or timeout).
  std::optional<ConfigMessage> ask(const ConfigMessage& request, NetKeyIndex net_idx = 0) {
    std::optional<ConfigMessage> got;
    bool done = false;
    Error result = Error::kNone;
    EXPECT_EQ(client().request(kServerAddr, net_idx, request,
                               [&](Error e, Address src, const ConfigMessage* status) {
                                 done = true;
                                 result = e;
                                 EXPECT_EQ(src, kServerAddr);
                                 if (status != nullptr) got = *status;
                               }),
              Error::kNone);
    for (int i = 0; i < 100 && !done; ++i)
      bus_.run(millis(100));
    EXPECT_TRUE(done);
    return got;
  }
  template <class T>
  T askFor(const ConfigMessage& request, NetKeyIndex net_idx = 0) {
    auto got = ask(request, net_idx);
    if (!got || !std::holds_alternative<T>(*got)) {
      ADD_FAILURE() << "no " << typeid(T).name() << " for opcode " << std::hex
                    << configOpcode(request);
      return T{};
    }
    return std::get<T>(*got);
  }
  /// A request the server must ignore: no status within the timeout.
  void expectIgnored(const ConfigMessage& request) {
    client().timeout = seconds(1);
    EXPECT_FALSE(ask(request).has_value()) << std::hex << configOpcode(request);
    client().timeout = ConfigClient::kDefaultTimeout;
  }

  ConfigClient& client() { return *client_->f().configClient(); }
  Node& server() { return server_->n(); }
  Model& onoffModel() { return *server().access().findModel(0, kOnOff); }

  ModelsBus bus_;
  BusNode* client_ = nullptr;
  BusNode* server_ = nullptr;
  Sink sink_;
};

TEST_F(ConfigServerTest, CompositionDataPage0) {
  auto st = askFor<ConfigCompositionDataStatus>(ConfigCompositionDataGet{0});
  EXPECT_EQ(st.page, 0);
  auto page = CompositionPage0::parse(st.data);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->crpl, server().config().replay_list_size);
  EXPECT_EQ(page->features, kFeatureRelay);
  ASSERT_EQ(page->elements.size(), 2U);
  EXPECT_EQ(page->elements[0].sig_models,
            (std::vector<std::uint16_t>{kConfigServerModelId, kHealthServerModelId,
                                        kGenericOnOffServerModelId}));
  EXPECT_EQ(page->elements[1].vendor_models, std::vector<ModelId>{kVendor});
  // Another page: the highest one below it, page 0.
  EXPECT_EQ(askFor<ConfigCompositionDataStatus>(ConfigCompositionDataGet{0x80}).page, 0);
}

TEST_F(ConfigServerTest, NodeStates) {
  auto& st = server().network().states();
  EXPECT_EQ(askFor<ConfigBeaconStatus>(ConfigBeaconGet{}).value, 1);
  EXPECT_EQ(askFor<ConfigBeaconStatus>(ConfigBeaconSet{0}).value, 0);
  EXPECT_FALSE(server_->f().beacons().secureBeaconEnabled());
  expectIgnored(ConfigBeaconSet{2});

  EXPECT_EQ(askFor<ConfigDefaultTtlStatus>(ConfigDefaultTtlSet{0x20}).value, 0x20);
  EXPECT_EQ(st.default_ttl, 0x20);
  expectIgnored(ConfigDefaultTtlSet{1});
  expectIgnored(ConfigDefaultTtlSet{0x80});
  EXPECT_EQ(askFor<ConfigDefaultTtlStatus>(ConfigDefaultTtlGet{}).value, 0x20);

  // Proxy and Friend are not supported by this node: status 2, nothing changes.
  EXPECT_EQ(askFor<ConfigGattProxyStatus>(ConfigGattProxySet{1}).value, 2);
  EXPECT_EQ(askFor<ConfigFriendStatus>(ConfigFriendSet{1}).value, 2);
  EXPECT_EQ(st.friend_feature, FeatureState::kNotSupported);
  expectIgnored(ConfigFriendSet{3});

  auto relay = askFor<ConfigRelayStatus>(ConfigRelaySet{0, TransmitState{4, 9}});
  EXPECT_EQ(relay.relay, 0);
  EXPECT_EQ(relay.retransmit, (TransmitState{4, 9}));
  EXPECT_EQ(st.relay, FeatureState::kDisabled);
  EXPECT_EQ(st.relay_retransmit, (TransmitState{4, 9}));
  expectIgnored(ConfigRelaySet{2, TransmitState{}});
  EXPECT_EQ(askFor<ConfigRelayStatus>(ConfigRelayGet{}).relay, 0);

  EXPECT_EQ(askFor<ConfigNetworkTransmitStatus>(ConfigNetworkTransmitSet{0x3A}).value, 0x3A);
  EXPECT_EQ(st.network_transmit, TransmitState::decode(0x3A));
  EXPECT_EQ(askFor<ConfigNetworkTransmitStatus>(ConfigNetworkTransmitGet{}).value, 0x3A);

  // Node Identity needs the proxy feature.
  auto ni = askFor<ConfigNodeIdentityStatus>(ConfigNodeIdentitySet{0, 1});
  EXPECT_EQ(ni.status, ConfigStatus::kSuccess);
  EXPECT_EQ(ni.identity, 2);
  EXPECT_EQ(askFor<ConfigNodeIdentityStatus>(ConfigNodeIdentityGet{5}).status,
            ConfigStatus::kInvalidNetKeyIndex);
  EXPECT_EQ(askFor<ConfigLpnPollTimeoutStatus>(ConfigLpnPollTimeoutGet{0x0200}).poll_timeout, 0U);
}

TEST_F(ConfigServerTest, NetKeys) {
  const Key k1 = test::key128("00112233445566778899aabbccddeeff");
  const Key k2 = test::key128("ffeeddccbbaa99887766554433221100");
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyAdd{1, k1}).status, ConfigStatus::kSuccess);
  EXPECT_NE(server().keys().subnet(1), nullptr);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyAdd{1, k1}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyAdd{1, k2}).status,
            ConfigStatus::kKeyIndexAlreadyStored);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyAdd{2, k2}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyAdd{3, k2}).status,
            ConfigStatus::kInsufficientResources);
  EXPECT_EQ(askFor<ConfigNetKeyList>(ConfigNetKeyGet{}).net_indexes,
            (std::vector<NetKeyIndex>{0, 1, 2}));

  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyUpdate{7, k1}).status,
            ConfigStatus::kInvalidNetKeyIndex);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyUpdate{1, k1}).status,
            ConfigStatus::kKeyIndexAlreadyStored);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyUpdate{1, k2}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(server().keys().subnet(1)->phase, KeyRefreshPhase::kPhase1);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyUpdate{1, k2}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyUpdate{1, k1}).status,
            ConfigStatus::kCannotUpdate);

  // Not the key the request travels on.
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyDelete{0}).status, ConfigStatus::kCannotRemove);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyDelete{2}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyDelete{2}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigNetKeyList>(ConfigNetKeyGet{}).net_indexes,
            (std::vector<NetKeyIndex>{0, 1}));
}

TEST_F(ConfigServerTest, AppKeys) {
  const Key a1 = test::key128("0102030405060708090a0b0c0d0e0f10");
  const Key a2 = test::key128("1112131415161718191a1b1c1d1e1f20");
  const Key n1 = test::key128("00112233445566778899aabbccddeeff");
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{5, 1, a1}).status,
            ConfigStatus::kInvalidNetKeyIndex);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{0, 1, a1}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{0, 1, a1}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{0, 1, a2}).status,
            ConfigStatus::kKeyIndexAlreadyStored);
  ASSERT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyAdd{1, n1}).status, ConfigStatus::kSuccess);
  // AppKey 1 lives on NetKey 0.
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{1, 1, a1}).status,
            ConfigStatus::kInvalidNetKeyIndex);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{1, 2, a2}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{1, 3, a2}).status,
            ConfigStatus::kInsufficientResources);

  auto list = askFor<ConfigAppKeyList>(ConfigAppKeyGet{0});
  EXPECT_EQ(list.status, ConfigStatus::kSuccess);
  EXPECT_EQ(list.app_indexes, (std::vector<AppKeyIndex>{0, 1}));
  EXPECT_EQ(askFor<ConfigAppKeyList>(ConfigAppKeyGet{9}).status, ConfigStatus::kInvalidNetKeyIndex);

  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{0, 1, a2}).status,
            ConfigStatus::kCannotUpdate);  // not in Key Refresh phase 1
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{0, 9, a2}).status,
            ConfigStatus::kInvalidAppKeyIndex);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{1, 1, a2}).status,
            ConfigStatus::kInvalidBinding);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{7, 1, a2}).status,
            ConfigStatus::kInvalidNetKeyIndex);
  ASSERT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyUpdate{0, n1}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{0, 1, a2}).status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{0, 1, a2}).status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyUpdate{0, 1, a1}).status,
            ConfigStatus::kKeyIndexAlreadyStored);

  // Delete: bound to another NetKey, absent (success), present (unbinds models).
  ASSERT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 1, kOnOff}).status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyDelete{1, 1}).status,
            ConfigStatus::kInvalidBinding);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyDelete{0, 6}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyDelete{0, 1}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(server().keys().appKey(1), nullptr);
  EXPECT_FALSE(onoffModel().boundTo(1));
  // Deleting NetKey 1 deletes AppKey 2 bound to it.
  EXPECT_EQ(askFor<ConfigNetKeyStatus>(ConfigNetKeyDelete{1}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(server().keys().appKey(2), nullptr);
}

TEST_F(ConfigServerTest, ModelAppBindings) {
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{0x0200, 0, kOnOff}).status,
            ConfigStatus::kInvalidAddress);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 0, kVendor}).status,
            ConfigStatus::kInvalidModel);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 9, kOnOff}).status,
            ConfigStatus::kInvalidAppKeyIndex);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(
                ConfigModelAppBind{kServerAddr, 0, ModelId::sig(kConfigServerModelId)})
                .status,
            ConfigStatus::kCannotBind);
  expectIgnored(ConfigModelAppBind{0xC000, 0, kOnOff});  // element address not unicast
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 0, kOnOff}).status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kSecondElement, 0, kVendor}).status,
            ConfigStatus::kSuccess);
  EXPECT_TRUE(onoffModel().boundTo(0));

  const Key a = test::key128("0102030405060708090a0b0c0d0e0f10");
  ASSERT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{0, 1, a}).status, ConfigStatus::kSuccess);
  ASSERT_EQ(askFor<ConfigAppKeyStatus>(ConfigAppKeyAdd{0, 2, a}).status, ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 1, kOnOff}).status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 2, kOnOff}).status,
            ConfigStatus::kInsufficientResources);  // model_key_count = 2

  auto sig = askFor<ConfigSigModelAppList>(ConfigSigModelAppGet{kServerAddr, kOnOff});
  EXPECT_EQ(sig.entries, (std::vector<std::uint16_t>{0, 1}));
  auto vnd = askFor<ConfigVendorModelAppList>(ConfigVendorModelAppGet{kSecondElement, kVendor});
  EXPECT_EQ(vnd.entries, (std::vector<std::uint16_t>{0}));
  EXPECT_EQ(askFor<ConfigSigModelAppList>(ConfigSigModelAppGet{kSecondElement, kOnOff}).status,
            ConfigStatus::kInvalidModel);

  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppUnbind{kServerAddr, 0, kOnOff}).status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppUnbind{kServerAddr, 0, kOnOff}).status,
            ConfigStatus::kSuccess);
  EXPECT_FALSE(onoffModel().boundTo(0));
}

TEST_F(ConfigServerTest, ModelSubscriptions) {
  auto add = [&](Address a) {
    return askFor<ConfigModelSubscriptionStatus>(
        ConfigModelSubscriptionAdd{kServerAddr, a, kOnOff});
  };
  EXPECT_EQ(add(0xC000).status, ConfigStatus::kSuccess);
  EXPECT_EQ(add(0xC000).status, ConfigStatus::kSuccess);
  EXPECT_EQ(add(0x0005).status, ConfigStatus::kInvalidAddress);
  EXPECT_EQ(add(kAllNodes).status, ConfigStatus::kInvalidAddress);
  EXPECT_EQ(add(kUnassignedAddress).status, ConfigStatus::kInvalidAddress);
  EXPECT_EQ(askFor<ConfigModelSubscriptionStatus>(
                ConfigModelSubscriptionAdd{kServerAddr, 0xC000, ModelId::sig(kConfigServerModelId)})
                .status,
            ConfigStatus::kNotASubscribeModel);
  EXPECT_EQ(askFor<ConfigModelSubscriptionStatus>(
                ConfigModelSubscriptionAdd{kServerAddr, 0xC000, ModelId::sig(0x1300)})
                .status,
            ConfigStatus::kInvalidModel);

  auto va = askFor<ConfigModelSubscriptionStatus>(
      ConfigModelSubscriptionVirtualAddressAdd{kServerAddr, kLabel, kOnOff});
  EXPECT_EQ(va.status, ConfigStatus::kSuccess);
  EXPECT_EQ(va.address, virtualAddress(kLabel));
  EXPECT_EQ(add(0xC001).status, ConfigStatus::kInsufficientResources);  // 2 entries per model

  auto list =
      askFor<ConfigSigModelSubscriptionList>(ConfigSigModelSubscriptionGet{kServerAddr, kOnOff});
  EXPECT_EQ(list.entries, (std::vector<std::uint16_t>{0xC000, virtualAddress(kLabel)}));
  EXPECT_TRUE(server().access().listensTo(0xC000));

  auto ow = askFor<ConfigModelSubscriptionStatus>(
      ConfigModelSubscriptionOverwrite{kServerAddr, 0xC002, kOnOff});
  EXPECT_EQ(ow.status, ConfigStatus::kSuccess);
  EXPECT_EQ(
      askFor<ConfigSigModelSubscriptionList>(ConfigSigModelSubscriptionGet{kServerAddr, kOnOff})
          .entries,
      (std::vector<std::uint16_t>{0xC002}));
  EXPECT_FALSE(server().access().listensTo(0xC000));
  EXPECT_TRUE(server().keys().labels().empty());  // the label's reference was released

  EXPECT_EQ(askFor<ConfigModelSubscriptionStatus>(
                ConfigModelSubscriptionDelete{kServerAddr, 0xC002, kOnOff})
                .status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigModelSubscriptionStatus>(
                ConfigModelSubscriptionVirtualAddressOverwrite{kServerAddr, kLabel, kOnOff})
                .status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigModelSubscriptionStatus>(
                ConfigModelSubscriptionVirtualAddressDelete{kServerAddr, kLabel, kOnOff})
                .status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(add(0xC003).status, ConfigStatus::kSuccess);
  auto all =
      askFor<ConfigModelSubscriptionStatus>(ConfigModelSubscriptionDeleteAll{kServerAddr, kOnOff});
  EXPECT_EQ(all.status, ConfigStatus::kSuccess);
  EXPECT_EQ(all.address, kUnassignedAddress);
  EXPECT_TRUE(onoffModel().subscriptions.empty());

  EXPECT_EQ(askFor<ConfigVendorModelSubscriptionList>(
                ConfigVendorModelSubscriptionGet{kSecondElement, kVendor})
                .status,
            ConfigStatus::kSuccess);
  EXPECT_EQ(askFor<ConfigSigModelSubscriptionList>(
                ConfigSigModelSubscriptionGet{kServerAddr, ModelId::sig(kConfigServerModelId)})
                .status,
            ConfigStatus::kNotASubscribeModel);
}

TEST_F(ConfigServerTest, ModelPublication) {
  const PublicationFields f{0, false, 5, PublishPeriod{0, 0}, PublishRetransmit{1, 2}};
  auto st = askFor<ConfigModelPublicationStatus>(
      ConfigModelPublicationSet{kServerAddr, 0xC005, f, kOnOff});
  EXPECT_EQ(st.status, ConfigStatus::kSuccess);
  EXPECT_EQ(st.publish_address, 0xC005);
  EXPECT_EQ(st.fields, f);
  EXPECT_EQ(onoffModel().publication.address, 0xC005);
  EXPECT_EQ(
      askFor<ConfigModelPublicationStatus>(ConfigModelPublicationGet{kServerAddr, kOnOff}).fields,
      f);

  PublicationFields bad_key = f;
  bad_key.app_idx = 9;
  EXPECT_EQ(askFor<ConfigModelPublicationStatus>(
                ConfigModelPublicationSet{kServerAddr, 0xC005, bad_key, kOnOff})
                .status,
            ConfigStatus::kInvalidAppKeyIndex);
  PublicationFields cred = f;
  cred.credential_flag = true;
  EXPECT_EQ(askFor<ConfigModelPublicationStatus>(
                ConfigModelPublicationSet{kServerAddr, 0xC005, cred, kOnOff})
                .status,
            ConfigStatus::kFeatureNotSupported);
  EXPECT_EQ(
      askFor<ConfigModelPublicationStatus>(
          ConfigModelPublicationSet{kServerAddr, 0xC005, f, ModelId::sig(kConfigServerModelId)})
          .status,
      ConfigStatus::kInvalidPublishParameters);
  auto wrong_element =
      askFor<ConfigModelPublicationStatus>(ConfigModelPublicationSet{0x0300, 0xC005, f, kOnOff});
  EXPECT_EQ(wrong_element.status, ConfigStatus::kInvalidAddress);
  EXPECT_EQ(wrong_element.publish_address, 0);  // fields zeroed on failure
  PublicationFields bad_ttl = f;
  bad_ttl.ttl = 0x80;
  expectIgnored(ConfigModelPublicationSet{kServerAddr, 0xC005, bad_ttl, kOnOff});
  expectIgnored(ConfigModelPublicationSet{kServerAddr, 0x8123, f, kOnOff});  // virtual, no label

  auto va = askFor<ConfigModelPublicationStatus>(
      ConfigModelPublicationVirtualAddressSet{kServerAddr, kLabel, f, kOnOff});
  EXPECT_EQ(va.status, ConfigStatus::kSuccess);
  EXPECT_EQ(va.publish_address, virtualAddress(kLabel));
  ASSERT_TRUE(onoffModel().publication.label.has_value());

  // Unassigned address: publication off, every field reads 0.
  auto off = askFor<ConfigModelPublicationStatus>(
      ConfigModelPublicationSet{kServerAddr, kUnassignedAddress, f, kOnOff});
  EXPECT_EQ(off.status, ConfigStatus::kSuccess);
  EXPECT_EQ(off.publish_address, 0);
  EXPECT_EQ(off.fields, PublicationFields{});
  EXPECT_TRUE(server().keys().labels().empty());
}

TEST_F(ConfigServerTest, ConfiguredModelReceivesTraffic) {
  // AppKey binding and group subscription through configuration, then a message from the
  // client node to the group reaches the model.
  ASSERT_EQ(askFor<ConfigModelAppStatus>(ConfigModelAppBind{kServerAddr, 0, kOnOff}).status,
            ConfigStatus::kSuccess);
  ASSERT_EQ(
      askFor<ConfigModelSubscriptionStatus>(ConfigModelSubscriptionAdd{kServerAddr, 0xC123, kOnOff})
          .status,
      ConfigStatus::kSuccess);
  MessageTx tx;
  tx.dst = 0xC123;
  tx.app_idx = 0;
  tx.opcode = 0x8203;
  const Bytes params{0x01, 0x07};
  tx.params = params;
  ASSERT_TRUE(client_->n().access().send(tx).ok());
  bus_.run(millis(100));
  ASSERT_EQ(sink_.got.size(), 1U);
  EXPECT_EQ(sink_.got[0].dst, 0xC123);
  EXPECT_EQ(sink_.got[0].src, kClientAddr);
}

TEST_F(ConfigServerTest, KeyRefreshPhaseMessages) {
  EXPECT_EQ(askFor<ConfigKeyRefreshPhaseStatus>(ConfigKeyRefreshPhaseGet{4}).status,
            ConfigStatus::kInvalidNetKeyIndex);
  auto st = askFor<ConfigKeyRefreshPhaseStatus>(ConfigKeyRefreshPhaseGet{0});
  EXPECT_EQ(st.status, ConfigStatus::kSuccess);
  EXPECT_EQ(st.phase, 0);
  expectIgnored(ConfigKeyRefreshPhaseSet{0, 2});  // 0 -> 2 prohibited
  expectIgnored(ConfigKeyRefreshPhaseSet{0, 1});  // transition 1 prohibited
  EXPECT_EQ(askFor<ConfigKeyRefreshPhaseStatus>(ConfigKeyRefreshPhaseSet{0, 3}).phase, 0);
  EXPECT_EQ(askFor<ConfigKeyRefreshPhaseStatus>(ConfigKeyRefreshPhaseSet{4, 3}).status,
            ConfigStatus::kInvalidNetKeyIndex);
}

TEST_F(ConfigServerTest, NodeReset) {
  auto got = ask(ConfigNodeReset{});
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(std::holds_alternative<ConfigNodeResetStatus>(*got));
  bus_.run(seconds(2));
  EXPECT_TRUE(server().keys().subnets().empty());
  EXPECT_TRUE(server().keys().appKeys().empty());
  EXPECT_TRUE(server_->settings.values().empty());
  // The node no longer answers.
  expectIgnored(ConfigBeaconGet{});
}

TEST_F(ConfigServerTest, ClientRejectsWhatItCannotSend) {
  EXPECT_EQ(client().request(kServerAddr, 0, ConfigBeaconStatus{1}), Error::kInvalidArgs);
  EXPECT_EQ(client().request(0x0777, 0, ConfigBeaconGet{}), Error::kNotFound);  // no dev key
}

}  // namespace
}  // namespace lpm::btmesh
