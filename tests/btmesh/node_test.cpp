// Nodes talking over a fake medium: delivery to elements and models (unicast, group,
// virtual with colliding labels, fixed groups, key bindings, device keys), replies and
// their delays, publication with retransmissions and periods, relaying, SAR over a lossy
// link, replay protection and SEQ continuity across reboots.
#include "lpmesh/btmesh/node.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "tests/btmesh/fake_platform.hpp"
#include "tests/btmesh/fake_wire.hpp"
#include "tests/btmesh/test_util.hpp"

namespace lpm::btmesh {
namespace {

using test::hex;

constexpr std::uint16_t kCompany = 0x05F1;
const Opcode kPing = opcode3(0x01, kCompany);
const Opcode kPong = opcode3(0x02, kCompany);
const Opcode kNote = opcode3(0x03, kCompany);
const LabelUuid kLabelX = test::key128("e394e7c1c51472116836193099345362");  // -> 0x809d
const LabelUuid kLabelY = test::key128("5e495ad944dfaec062d80ded1682d17d");  // -> 0x809d

/// Records messages; answers kPing with kPong carrying the same parameters.
class TestModel final : public ModelHandler {
 public:
  struct Got {
    Opcode opcode;
    Bytes params;
    MessageContext ctx;
    LocalTime at;
  };
  explicit TestModel(const platform::Timers* clock = nullptr) : clock_(clock) {}
  bool handles(Opcode op) const override { return op == kPing || op == kPong || op == kNote; }
  void onMessage(Access& access, Model&, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override {
    got.push_back(Got{opcode, Bytes(params.begin(), params.end()), ctx,
                      clock_ != nullptr ? clock_->now() : LocalTime{}});
    if (opcode == kPing) {
      EXPECT_EQ(access.reply(ctx, kPong, params), Error::kNone);
    }
  }
  bool onPeriodicPublish(Model&, Opcode& opcode, Bytes& params) override {
    opcode = kNote;
    params = {static_cast<std::uint8_t>(++periodic)};
    return true;
  }
  std::vector<Got> got;
  int periodic = 0;

 private:
  const platform::Timers* clock_;
};

/// A Node with one AppKey, on a shared clock, with settings that survive reboot().
struct TestNode {
  TestNode(test::FakeTimers& clock, test::FakeWire& wire, Address address, NodeConfig config = {},
           std::uint8_t elements = 1)
      : clock_(clock), wire_(wire), address_(address), config_(config), elements_(elements) {
    build();
    port = wire_.attach(*bearer, node->network(), iface);
  }
  ~TestNode() { wire_.detach(port); }

  void build() {
    fp = std::make_unique<test::FakePlatform>(&clock_, &settings, address_);
    bearer = std::make_unique<test::FakeBearer>(BearerType::kAdvertising, &clock_);
    NodeProvisioning p;
    p.primary_address = address_;
    p.dev_key = test::key128("00112233445566778899aabbccddee00");
    p.dev_key[15] = static_cast<std::uint8_t>(address_);
    p.iv_index = 0x100;
    p.net_keys.push_back({0, test::kSampleNetKey});
    p.app_keys.push_back({0, 0, test::kSampleAppKey});
    p.app_keys.push_back({1, 0, test::key128("0f0e0d0c0b0a09080706050403020100")});
    node = std::make_unique<Node>(fp->platform(), config_, p);
    models.clear();
    for (std::uint8_t e = 0; e < elements_; ++e) {
      models.push_back(std::make_unique<TestModel>(&clock_));
      Model& m = node->access().addModel(e, ModelId::vendor(kCompany, 0x0001), models.back().get());
      EXPECT_EQ(node->access().bind(m, 0), Error::kNone);
    }
    node->start();
    iface = *node->network().addInterface(bearer.get());
  }
  /// Destroys the node and builds a new one over the same settings.
  void reboot() {
    wire_.detach(port);
    node.reset();
    build();
    wire_.replace(port, *bearer, node->network(), iface);
  }

  Model& model(std::uint8_t element = 0) {
    return *node->access().findModel(element, ModelId::vendor(kCompany, 0x0001));
  }
  Result<std::uint32_t> send(Address dst, Opcode op, ByteSpan params, AppKeyIndex app = 0,
                             std::optional<LabelUuid> label = std::nullopt) {
    MessageTx tx;
    tx.dst = dst;
    tx.label = label;
    tx.app_idx = app;
    tx.opcode = op;
    tx.params = params;
    return node->access().send(tx);
  }

  test::FakeTimers& clock_;
  test::FakeWire& wire_;
  Address address_;
  NodeConfig config_;
  std::uint8_t elements_;
  test::FakeSettings settings;
  std::unique_ptr<test::FakePlatform> fp;
  std::unique_ptr<test::FakeBearer> bearer;
  std::unique_ptr<Node> node;
  std::vector<std::unique_ptr<TestModel>> models;
  InterfaceId iface = 0;
  std::size_t port = 0;
};

TEST(BtmeshNode, UnicastRequestGetsAReplyAfterTheResponseDelay) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002);
  const Bytes params = hex("0102");
  ASSERT_TRUE(a.send(0x0002, kPing, params).ok());
  clock.runAll(seconds(1));
  ASSERT_EQ(b.models[0]->got.size(), 1u);
  EXPECT_EQ(b.models[0]->got[0].ctx.src, 0x0001);
  EXPECT_EQ(b.models[0]->got[0].ctx.app_idx, 0);
  EXPECT_EQ(b.models[0]->got[0].ctx.recv_ttl, a.node->config().default_ttl);
  ASSERT_EQ(a.models[0]->got.size(), 1u);
  EXPECT_EQ(a.models[0]->got[0].opcode, kPong);
  EXPECT_EQ(a.models[0]->got[0].params, params);
  EXPECT_EQ(a.models[0]->got[0].ctx.src, 0x0002);
  // §3.7.3.1: 20..50 ms after the request (plus the 1 ms fake medium).
  const Duration delay = a.models[0]->got[0].at - b.models[0]->got[0].at;
  EXPECT_GE(delay, millis(20) + millis(1));
  EXPECT_LE(delay, millis(50) + millis(1));
}

TEST(BtmeshNode, UnicastReachesOnlyTheAddressedElement) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0010, {}, 3);
  ASSERT_TRUE(a.send(0x0011, kNote, hex("aa")).ok());
  clock.runAll(seconds(1));
  EXPECT_TRUE(b.models[0]->got.empty());
  ASSERT_EQ(b.models[1]->got.size(), 1u);
  EXPECT_EQ(b.models[1]->got[0].ctx.element, 1);
  EXPECT_TRUE(b.models[2]->got.empty());
  ASSERT_TRUE(a.send(0x0013, kNote, hex("aa")).ok());  // no such element
  clock.runAll(seconds(1));
  EXPECT_EQ(b.node->access().stats().delivered, 1u);
}

TEST(BtmeshNode, GroupAndVirtualSubscriptionsWithCollidingLabels) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0010, {}, 2);
  ASSERT_EQ(virtualAddress(kLabelX), 0x809d);
  ASSERT_EQ(virtualAddress(kLabelY), 0x809d);
  Access& access = b.node->access();
  ASSERT_EQ(access.subscribe(b.model(0), 0xC001), Error::kNone);
  ASSERT_EQ(access.subscribe(b.model(1), 0xC001), Error::kNone);
  ASSERT_EQ(access.subscribeVirtual(b.model(0), kLabelX), Error::kNone);
  EXPECT_EQ(access.subscribe(b.model(0), kAllNodes), Error::kInvalidArgs);
  EXPECT_EQ(access.subscribe(b.model(0), 0x0005), Error::kInvalidArgs);

  ASSERT_TRUE(a.send(0xC001, kNote, hex("01")).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 1u);
  EXPECT_EQ(b.models[1]->got.size(), 1u) << "every subscribed element gets a group message";

  // Same virtual address, other label: authentication fails for every label B knows.
  ASSERT_TRUE(a.send(0x809d, kNote, hex("02"), 0, kLabelY).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 1u);
  EXPECT_EQ(b.node->upperTransport().stats().drop_auth, 1u);

  ASSERT_TRUE(a.send(0x809d, kNote, hex("03"), 0, kLabelX).ok());
  clock.runAll(seconds(1));
  ASSERT_EQ(b.models[0]->got.size(), 2u);
  EXPECT_EQ(b.models[0]->got[1].ctx.label, kLabelX);
  EXPECT_EQ(b.models[1]->got.size(), 1u);

  // Element 1 subscribes to the colliding label: it gets only that label's messages.
  ASSERT_EQ(access.subscribeVirtual(b.model(1), kLabelY), Error::kNone);
  ASSERT_TRUE(a.send(0x809d, kNote, hex("04"), 0, kLabelY).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 2u);
  ASSERT_EQ(b.models[1]->got.size(), 2u);
  EXPECT_EQ(b.models[1]->got[1].ctx.label, kLabelY);

  ASSERT_EQ(access.unsubscribeVirtual(b.model(0), kLabelX), Error::kNone);
  EXPECT_EQ(b.node->keys().findLabel(kLabelX), nullptr) << "last reference released";
  EXPECT_NE(b.node->keys().findLabel(kLabelY), nullptr);
}

TEST(BtmeshNode, ModelsNeedTheirKeyBinding) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002);
  TestModel config_like(&clock);
  // A device-key model on B (added before start would be usual; add to element 0 now).
  b.node->access().addModel(0, ModelId::vendor(kCompany, 0x0002), &config_like, true);
  ASSERT_TRUE(a.send(0x0002, kNote, hex("01"), /*app=*/1).ok());  // AppKey 1: not bound
  clock.runAll(seconds(1));
  EXPECT_TRUE(b.models[0]->got.empty());
  EXPECT_TRUE(config_like.got.empty());
  EXPECT_EQ(b.node->access().stats().drop_no_model, 1u);
  ASSERT_EQ(b.node->access().bind(b.model(), 1), Error::kNone);
  EXPECT_EQ(b.node->access().bind(b.model(), 9), Error::kNotFound);
  ASSERT_TRUE(a.send(0x0002, kNote, hex("02"), 1).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 1u);

  // Device key: A knows B's device key as a remote key.
  ASSERT_EQ(a.node->keys().setRemoteDevKey(0x0002, b.node->keys().devKey()), Error::kNone);
  ASSERT_TRUE(a.send(0x0002, kNote, hex("03"), kDevKeyRemote).ok());
  clock.runAll(seconds(1));
  ASSERT_EQ(config_like.got.size(), 1u);
  EXPECT_EQ(config_like.got[0].ctx.app_idx, kDevKeyLocal);
  EXPECT_EQ(b.models[0]->got.size(), 1u) << "AppKey models never see device-key messages";
  EXPECT_EQ(a.send(0xC001, kNote, hex("03"), kDevKeyRemote).error(), Error::kInvalidArgs);
}

TEST(BtmeshNode, FixedGroupAddressesFollowFeatures) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0010, {}, 2);
  ASSERT_TRUE(a.send(kAllNodes, kNote, hex("01")).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 1u) << "primary element";
  EXPECT_TRUE(b.models[1]->got.empty());
  ASSERT_TRUE(a.send(kAllRelays, kNote, hex("02")).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 2u) << "relay enabled by default";
  b.node->network().states().relay = FeatureState::kDisabled;
  ASSERT_TRUE(a.send(kAllRelays, kNote, hex("03")).ok());
  ASSERT_TRUE(a.send(kAllFriends, kNote, hex("04")).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 2u);
}

TEST(BtmeshNode, PublicationWithRetransmissions) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002);
  ASSERT_EQ(b.node->access().subscribe(b.model(), 0xC002), Error::kNone);
  Publication p;
  p.address = 0xC002;
  p.app_idx = 0;
  p.ttl = 5;
  p.retransmit = PublishRetransmit{2, 1};  // 2 more, 100 ms apart
  ASSERT_EQ(a.node->access().setPublication(a.model(), p), Error::kNone);
  const LocalTime start = clock.now();
  ASSERT_TRUE(a.node->access().publish(a.model(), kNote, hex("aa")).ok());
  clock.runAll(seconds(1));
  ASSERT_EQ(a.bearer->sent.size(), 3u);
  EXPECT_EQ(a.bearer->sent[0].time - start, Duration{0});
  EXPECT_EQ(a.bearer->sent[1].time - start, millis(100));
  EXPECT_EQ(a.bearer->sent[2].time - start, millis(200));
  EXPECT_EQ(a.bearer->sent[0].header.ttl, 5);
  EXPECT_NE(a.bearer->sent[0].header.seq, a.bearer->sent[1].header.seq) << "new SEQ each";
  EXPECT_EQ(b.models[0]->got.size(), 3u);

  EXPECT_EQ(a.node->access().setPublication(a.model(), Publication{0xC003, {}, 7}),
            Error::kNotFound)
      << "unknown AppKey";
  Publication v;
  v.address = 0x809d;
  EXPECT_EQ(a.node->access().setPublication(a.model(), v), Error::kInvalidArgs) << "no label";
  v.label = kLabelX;
  EXPECT_EQ(a.node->access().setPublication(a.model(), v), Error::kNone);
  EXPECT_NE(a.node->keys().findLabel(kLabelX), nullptr);
  EXPECT_EQ(a.node->access().setPublication(a.model(), Publication{}), Error::kNone);
  EXPECT_EQ(a.node->keys().findLabel(kLabelX), nullptr);
  EXPECT_EQ(a.node->access().publish(a.model(), kNote, hex("aa")).error(), Error::kInvalidState);
}

TEST(BtmeshNode, PeriodicPublication) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002);
  ASSERT_EQ(b.node->access().subscribe(b.model(), 0xC002), Error::kNone);
  Publication p;
  p.address = 0xC002;
  p.period = PublishPeriod{1, 1};  // every second
  ASSERT_EQ(a.node->access().setPublication(a.model(), p), Error::kNone);
  clock.advance(millis(3500));
  EXPECT_EQ(a.models[0]->periodic, 3);
  ASSERT_EQ(b.models[0]->got.size(), 3u);
  EXPECT_EQ(b.models[0]->got[2].params, Bytes{3});
  ASSERT_EQ(a.node->access().setPublication(a.model(), Publication{}), Error::kNone);
  clock.advance(seconds(5));
  EXPECT_EQ(a.models[0]->periodic, 3) << "cleared publication stops the period";
}

TEST(BtmeshNode, RelaysCarryMessagesAlongALine) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode r(clock, wire, 0x0002);
  TestNode b(clock, wire, 0x0003);
  // Line a - r - b: a and b do not hear each other.
  wire.reachable = [](std::size_t from, std::size_t to) {
    return (from == 0 && to == 1) || (from == 1 && to == 0) || (from == 1 && to == 2) ||
           (from == 2 && to == 1);
  };
  ASSERT_TRUE(a.send(0x0003, kPing, hex("55")).ok());
  clock.runAll(seconds(1));
  ASSERT_EQ(b.models[0]->got.size(), 1u);
  EXPECT_EQ(b.models[0]->got[0].ctx.recv_ttl, a.node->config().default_ttl - 1);
  ASSERT_EQ(a.models[0]->got.size(), 1u) << "the reply comes back through the relay";
  EXPECT_EQ(r.node->network().stats().relayed, 2u);
  EXPECT_TRUE(r.models[0]->got.empty());

  r.node->network().states().relay = FeatureState::kDisabled;
  ASSERT_TRUE(a.send(0x0003, kNote, hex("56")).ok());
  clock.runAll(seconds(1));
  EXPECT_EQ(b.models[0]->got.size(), 1u) << "nothing without a relay";
}

TEST(BtmeshNode, SegmentedMessageOverALossyLink) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002);
  struct Done final : AccessListener {
    void onSendDone(std::uint32_t id, Error e) override { results.emplace_back(id, e); }
    std::vector<std::pair<std::uint32_t, Error>> results;
  } done;
  a.node->access().setListener(&done);
  Rng loss(7);
  double loss_rate = 0.1;
  wire.drop = [&](std::size_t, std::size_t, const test::FakeBearer::Sent&) {
    return loss.bernoulli(loss_rate);
  };
  Bytes big(377);  // 377 + 3 opcode octets = 380: the largest access message (32 segments)
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<std::uint8_t>(i);
  auto id = a.send(0x0002, kNote, big);
  ASSERT_TRUE(id.ok());
  EXPECT_NE(*id, 0u);
  clock.runAll(seconds(60));
  ASSERT_EQ(done.results.size(), 1u);
  EXPECT_EQ(done.results[0], std::make_pair(*id, Error::kNone));
  ASSERT_EQ(b.models[0]->got.size(), 1u);
  EXPECT_EQ(b.models[0]->got[0].params, big);
  EXPECT_TRUE(b.models[0]->got[0].ctx.segmented);
  EXPECT_GT(a.node->lowerTransport().stats().tx_segment_retransmissions, 0u);

  loss_rate = 0.7;  // far beyond what the SAR limits can repair
  auto id2 = a.send(0x0002, kNote, big);
  ASSERT_TRUE(id2.ok());
  clock.runAll(seconds(60));
  ASSERT_EQ(done.results.size(), 2u);
  EXPECT_EQ(done.results[1], std::make_pair(*id2, Error::kTimeout));
  EXPECT_EQ(b.models[0]->got.size(), 1u);
  EXPECT_EQ(a.node->access().stats().tx_failed, 1u);
}

TEST(BtmeshNode, CapturedPduInjectedAgainIsRejected) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  NodeConfig small_cache;
  small_cache.msg_cache_size = 2;
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002, small_cache);
  ASSERT_TRUE(a.send(0x0002, kNote, hex("01")).ok());
  clock.runAll(seconds(1));
  ASSERT_EQ(a.bearer->sent.size(), 1u);
  const Bytes captured = a.bearer->sent[0].pdu;
  ASSERT_EQ(b.models[0]->got.size(), 1u);

  b.node->network().receive(b.iface, captured, -40);  // network cache
  EXPECT_EQ(b.node->network().stats().drop_cache, 1u);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(a.send(0x0002, kNote, hex("02")).ok());
  clock.runAll(seconds(1));
  b.node->network().receive(b.iface, captured, -40);  // evicted from the cache: RPL
  EXPECT_EQ(b.node->lowerTransport().stats().rx_replay, 1u);

  b.reboot();  // fresh cache, stored replay protection list
  b.node->network().receive(b.iface, captured, -40);
  EXPECT_EQ(b.node->lowerTransport().stats().rx_replay, 1u);
  EXPECT_TRUE(b.models[0]->got.empty());
}

TEST(BtmeshNode, RebootNeverReusesSequenceNumbers) {
  test::FakeTimers clock;
  test::FakeWire wire(clock);
  TestNode a(clock, wire, 0x0001);
  TestNode b(clock, wire, 0x0002);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(a.send(0x0002, kNote, hex("01")).ok());
  clock.runAll(seconds(1));
  const std::uint32_t last_before = a.bearer->sent.back().header.seq;
  a.reboot();
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(a.send(0x0002, kNote, hex("02")).ok());
  clock.runAll(seconds(1));
  EXPECT_GT(a.bearer->sent.front().header.seq, last_before);
  EXPECT_EQ(b.models[0]->got.size(), 6u) << "nothing rejected as a replay";
  EXPECT_EQ(b.node->lowerTransport().stats().rx_replay, 0u);
}

}  // namespace
}  // namespace lpm::btmesh
