// Mesh Private Beacon Server (private_beacon_server.hpp): its messages, and Private
// Beacon Set turning a node's Mesh Private beacons on for its neighbours to receive.
#include <gtest/gtest.h>

#include "lpmesh/btmesh/private_beacon_server.hpp"
#include "tests/btmesh/models_bus.hpp"

namespace lpm::btmesh {
namespace {

using test::ModelsBus;

TEST(PrivateBeaconFormat, MessagesRoundTrip) {
  const std::vector<PrivateBeaconMessage> all = {
      PrivateBeaconGet{},
      PrivateBeaconSet{1, std::nullopt},
      PrivateBeaconSet{0, 0x3C},
      PrivateBeaconStatus{1, 0x10},
      PrivateGattProxyGet{},
      PrivateGattProxySet{1},
      PrivateGattProxyStatus{2},
      PrivateNodeIdentityGet{0x123},
      PrivateNodeIdentitySet{0x123, 1},
      PrivateNodeIdentityStatus{ConfigStatus::kInvalidNetKeyIndex, 0x456, 0}};
  for (const auto& m : all) {
    const Opcode opcode =
        std::visit([](const auto& x) { return std::decay_t<decltype(x)>::kOpcode; }, m);
    Bytes params;
    std::visit([&](const auto& x) { x.encode(params); }, m);
    auto back = parsePrivateBeaconMessage(opcode, params);
    ASSERT_TRUE(back.ok()) << std::hex << opcode;
    EXPECT_TRUE(*back == m) << std::hex << opcode;
  }
  EXPECT_EQ(parsePrivateBeaconMessage(op::kPrivateBeaconSet, test::hex("010203")).error(),
            Error::kTrailing);
  EXPECT_EQ(parsePrivateBeaconMessage(op::kPrivateBeaconStatus, test::hex("01")).error(),
            Error::kTruncated);
  EXPECT_EQ(parsePrivateBeaconMessage(op::kPrivateNodeIdentityGet, test::hex("0010")).error(),
            Error::kMalformed);
}

/// Records the statuses a device-key model receives.
class StatusSink final : public ModelHandler {
 public:
  bool handles(Opcode opcode) const override {
    return opcode == op::kPrivateBeaconStatus || opcode == op::kPrivateGattProxyStatus ||
           opcode == op::kPrivateNodeIdentityStatus;
  }
  void onMessage(Access&, Model&, const MessageContext&, Opcode opcode, ByteSpan params) override {
    auto m = parsePrivateBeaconMessage(opcode, params);
    if (m.ok()) got.push_back(*m);
  }
  std::vector<PrivateBeaconMessage> got;
};

TEST(PrivateBeaconServerTest, SetTurnsPrivateBeaconsOn) {
  ModelsBus bus;
  auto& client = bus.add(0x0001);
  FoundationOptions o;
  o.private_beacon_server = true;
  auto& server = bus.add(0x0002, NodeConfig{}, o);
  StatusSink sink;
  client.n().access().addModel(0, ModelId::sig(kPrivateBeaconClientModelId), &sink, true);
  ASSERT_EQ(client.n().keys().setRemoteDevKey(0x0002, test::busDevKey(0x0002)), Error::kNone);
  bus.start();
  auto send = [&](const auto& m) {
    Bytes params;
    m.encode(params);
    MessageTx tx;
    tx.dst = 0x0002;
    tx.app_idx = kDevKeyRemote;
    tx.opcode = std::decay_t<decltype(m)>::kOpcode;
    tx.params = params;
    EXPECT_TRUE(client.n().access().send(tx).ok());
    bus.run(millis(200));
  };
  send(PrivateBeaconSet{1, 0});
  ASSERT_EQ(sink.got.size(), 1U);
  EXPECT_EQ(std::get<PrivateBeaconStatus>(sink.got[0]), (PrivateBeaconStatus{1, 0}));
  EXPECT_TRUE(server.f().beacons().privateBeaconEnabled());
  send(PrivateBeaconSet{2, std::nullopt});  // prohibited: no answer
  EXPECT_EQ(sink.got.size(), 1U);
  send(PrivateGattProxySet{1});
  ASSERT_EQ(sink.got.size(), 2U);
  EXPECT_EQ(std::get<PrivateGattProxyStatus>(sink.got[1]).value, 2);
  send(PrivateNodeIdentityGet{0x005});
  ASSERT_EQ(sink.got.size(), 3U);
  EXPECT_EQ(std::get<PrivateNodeIdentityStatus>(sink.got[2]).status,
            ConfigStatus::kInvalidNetKeyIndex);
  // The neighbour authenticates the Mesh Private beacons it now hears.
  bus.run(seconds(30));
  EXPECT_GT(client.f().beacons().stats().rx_private, 0U);
  EXPECT_EQ(server.f().privateBeaconServer()->handled(), 3U);
  EXPECT_EQ(server.f().privateBeaconServer()->ignored(), 1U);
}

}  // namespace
}  // namespace lpm::btmesh
