// Key Refresh (key_refresh.hpp): the phase rules for beacons and Key Refresh Phase Set on
// one node, and the whole procedure driven by a manager's Configuration Client on a small
// mesh — with Phase Set messages, with beacons only, and with an unreachable node.
#include "lpmesh/btmesh/key_refresh.hpp"

#include <gtest/gtest.h>

#include "tests/btmesh/models_bus.hpp"

namespace lpm::btmesh {
namespace {

using test::ModelsBus;

const Key kNewNetKey = test::key128("f7a2a44f8e8a8029064f173ddc1e2b00");
const Key kNewAppKey = test::key128("3216d1509884b533248541792b877f98");

TEST(KeyRefreshPhases, BeaconRules) {
  test::FakePlatform fp;
  KeyStore keys;
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  KeyRefresh kr(fp.platform(), keys);
  std::vector<KeyRefreshPhase> changes;
  kr.on_change = [&](NetKeyIndex, KeyRefreshPhase p) { changes.push_back(p); };

  EXPECT_FALSE(kr.onBeacon(0, true, false));  // phase 0: nothing moves it
  EXPECT_FALSE(kr.onBeacon(9, true, true));   // unknown subnet
  ASSERT_EQ(keys.updateNetKey(0, kNewNetKey), Error::kNone);
  EXPECT_FALSE(kr.onBeacon(0, true, false));  // old key: ignored
  EXPECT_TRUE(kr.onBeacon(0, true, true));    // new key, KR flag: phase 2
  EXPECT_EQ(kr.phase(0), KeyRefreshPhase::kPhase2);
  EXPECT_FALSE(kr.onBeacon(0, true, true));  // already there
  EXPECT_TRUE(kr.onBeacon(0, false, true));  // new key, flag clear: phase 3 -> normal
  EXPECT_EQ(kr.phase(0), KeyRefreshPhase::kNormal);
  EXPECT_EQ(keys.subnet(0)->keys[0].net_key, kNewNetKey);
  EXPECT_EQ(changes,
            (std::vector<KeyRefreshPhase>{KeyRefreshPhase::kPhase2, KeyRefreshPhase::kNormal}));

  // Phase 1 straight to 3 on a new-key beacon without the flag.
  ASSERT_EQ(keys.updateNetKey(0, test::kSampleNetKey), Error::kNone);
  EXPECT_TRUE(kr.onBeacon(0, false, true));
  EXPECT_EQ(kr.phase(0), KeyRefreshPhase::kNormal);
  EXPECT_EQ(keys.subnet(0)->keys[0].net_key, test::kSampleNetKey);
}

TEST(KeyRefreshPhases, PhaseSetTransitions) {
  test::FakePlatform fp;
  KeyStore keys;
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  ASSERT_EQ(keys.addAppKey(0, 0, test::kSampleAppKey), Error::kNone);
  KeyRefresh kr(fp.platform(), keys);
  EXPECT_FALSE(kr.setPhase(0, 0x01).has_value());
  EXPECT_FALSE(kr.setPhase(0, 0x02).has_value());  // 0 -> 2 prohibited
  auto noop = kr.setPhase(0, 0x03);
  ASSERT_TRUE(noop.has_value());
  EXPECT_EQ(noop->phase, 0);
  auto unknown = kr.setPhase(5, 0x02);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->status, ConfigStatus::kInvalidNetKeyIndex);

  ASSERT_EQ(keys.updateNetKey(0, kNewNetKey), Error::kNone);
  ASSERT_EQ(keys.updateAppKey(0, 0, kNewAppKey), Error::kNone);
  auto p2 = kr.setPhase(0, 0x02);
  ASSERT_TRUE(p2.has_value());
  EXPECT_EQ(p2->phase, 2);
  // From phase 2 the new AppKey transmits.
  auto tx = keys.appTxKey(0);
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(*tx->key, kNewAppKey);
  EXPECT_EQ(kr.setPhase(0, 0x02)->phase, 2);
  auto p3 = kr.setPhase(0, 0x03);
  ASSERT_TRUE(p3.has_value());
  EXPECT_EQ(p3->phase, 0);
  EXPECT_EQ(keys.appKey(0)->keys[0], kNewAppKey);
  EXPECT_FALSE(keys.appKey(0)->has_new);
}

/// A manager (0x0001) and five nodes on a line 0x0001 - 0x0002 - ... - 0x0006.
class KeyRefreshMesh : public ::testing::Test {
 protected:
  KeyRefreshMesh() {
    FoundationOptions manager;
    manager.config_client = true;
    for (Address a = 1; a <= 6; ++a)
      bus_.add(a, NodeConfig{}, a == 1 ? manager : FoundationOptions{});
    bus_.reachable = [this](std::size_t f, std::size_t t) {
      if (isolated_ >= 0 &&
          (f == static_cast<std::size_t>(isolated_) || t == static_cast<std::size_t>(isolated_))) {
        return false;
      }
      return (f > t ? f - t : t - f) == 1;
    };
    for (Address a = 2; a <= 6; ++a) {
      EXPECT_EQ(keys(0).setRemoteDevKey(a, test::busDevKey(a)), Error::kNone);
    }
    bus_.start();
    manager_ = std::make_unique<KeyRefreshManager>(bus_.nodes[0]->fp.platform(),
                                                   *bus_.nodes[0]->f().configClient(), keys(0),
                                                   bus_.nodes[0]->f().keyRefresh());
  }
  ~KeyRefreshMesh() override { manager_.reset(); }

  KeyStore& keys(std::size_t i) { return bus_.nodes[i]->n().keys(); }
  KeyRefreshPlan plan(std::initializer_list<Address> nodes) {
    KeyRefreshPlan p;
    p.net_idx = 0;
    p.new_net_key = kNewNetKey;
    p.new_app_keys = {{0, kNewAppKey}};
    p.nodes = nodes;
    return p;
  }
  /// Runs until the manager finishes; returns its result.
  Error runToEnd(Duration limit = seconds(600)) {
    const LocalTime end = bus_.clock.now() + limit;
    while (!result_ && bus_.clock.now() < end)
      bus_.run(millis(200));
    return result_.value_or(Error::kBusy);
  }
  /// Whether node i can hear an application message from node j (new keys in use).
  bool delivers(std::size_t from, std::size_t to) {
    const std::size_t before = bus_.nodes[to]->n().access().stats().rx;
    MessageTx tx;
    tx.dst = static_cast<Address>(to + 1);
    tx.app_idx = 0;
    tx.opcode = 0x8201;  // no model takes it; the access layer still counts it
    tx.ttl = 10;
    EXPECT_TRUE(bus_.nodes[from]->n().access().send(tx).ok());
    bus_.run(seconds(1));
    return bus_.nodes[to]->n().access().stats().rx > before;
  }

  ModelsBus bus_;
  std::unique_ptr<KeyRefreshManager> manager_;
  std::optional<Error> result_;
  int isolated_ = -1;
};

TEST_F(KeyRefreshMesh, PhaseSetDrivesEveryNode) {
  ASSERT_TRUE(delivers(5, 0));
  ASSERT_EQ(manager_->start(plan({2, 3, 4, 5, 6}), [&](Error e) { result_ = e; }), Error::kNone);
  EXPECT_EQ(manager_->step(), KeyRefreshManager::Step::kPhase1);
  EXPECT_EQ(runToEnd(), Error::kNone);
  EXPECT_EQ(manager_->step(), KeyRefreshManager::Step::kDone);
  for (std::size_t i = 0; i < 6; ++i) {
    const Subnet* s = keys(i).subnet(0);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->phase, KeyRefreshPhase::kNormal) << i;
    EXPECT_EQ(s->keys[0].net_key, kNewNetKey) << i;
    EXPECT_EQ(keys(i).appKey(0)->keys[0], kNewAppKey) << i;
  }
  // Traffic flows on the new keys, end to end through the relays.
  EXPECT_TRUE(delivers(5, 0));
  EXPECT_TRUE(delivers(0, 5));
  const auto& last = bus_.nodes[5]->bearer.sent.back();
  EXPECT_EQ(last.pdu[0] & 0x7F, floodingMaterial(kNewNetKey).nid);
}

TEST_F(KeyRefreshMesh, BeaconsAloneMoveThePhases) {
  auto p = plan({2, 3, 4, 5, 6});
  p.use_phase_set = false;
  manager_->beacon_wait = seconds(15);
  ASSERT_EQ(manager_->start(p, [&](Error e) { result_ = e; }), Error::kNone);
  for (int i = 0; i < 600 && manager_->step() == KeyRefreshManager::Step::kPhase1; ++i)
    bus_.run(millis(100));
  ASSERT_EQ(manager_->step(), KeyRefreshManager::Step::kPhase2);
  // Before the manager asks anyone (beacon_wait), its phase 2 beacon has crossed the
  // line: every node relays the news by beaconing its own new phase at once.
  bus_.run(seconds(14));
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_EQ(keys(i).subnet(0)->phase, KeyRefreshPhase::kPhase2) << i;
  EXPECT_EQ(runToEnd(), Error::kNone);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(keys(i).subnet(0)->phase, KeyRefreshPhase::kNormal) << i;
    EXPECT_EQ(keys(i).subnet(0)->keys[0].net_key, kNewNetKey) << i;
  }
  // No node got a Key Refresh Phase Set: only Gets were sent after phase 1.
  for (std::size_t i = 1; i < 6; ++i)
    EXPECT_GT(bus_.nodes[i]->f().beacons().stats().rx_secure, 0U);
  EXPECT_TRUE(delivers(5, 0));
}

TEST_F(KeyRefreshMesh, ExcludedNodeLosesTheNetwork) {
  // Node 0x0006 (the end of the line) is removed from the subnet.
  ASSERT_EQ(manager_->start(plan({2, 3, 4, 5}), [&](Error e) { result_ = e; }), Error::kNone);
  EXPECT_EQ(runToEnd(), Error::kNone);
  EXPECT_EQ(keys(5).subnet(0)->keys[0].net_key, test::kSampleNetKey);
  EXPECT_FALSE(delivers(5, 4));
  EXPECT_FALSE(delivers(4, 5));
  EXPECT_TRUE(delivers(4, 0));
}

TEST_F(KeyRefreshMesh, UnreachableNodeFailsTheProcedure) {
  isolated_ = 5;
  manager_->attempts = 2;
  ASSERT_EQ(manager_->start(plan({2, 3, 4, 5, 6}), [&](Error e) { result_ = e; }), Error::kNone);
  EXPECT_EQ(manager_->start(plan({2}), {}), Error::kInvalidState);
  EXPECT_EQ(runToEnd(), Error::kTimeout);
  EXPECT_EQ(manager_->failedNode(), 0x0006);
  EXPECT_EQ(manager_->step(), KeyRefreshManager::Step::kFailed);
  // The reachable nodes hold the new key in phase 1; the old one still works.
  EXPECT_EQ(keys(4).subnet(0)->phase, KeyRefreshPhase::kPhase1);
  EXPECT_TRUE(delivers(4, 0));
}

}  // namespace
}  // namespace lpm::btmesh
