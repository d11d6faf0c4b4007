// IV Update procedure and IV Index Recovery (iv_update.hpp): the state machine on one
// node with the real 96-hour rule and with the test mode, SEQ-exhaustion trigger,
// persistence across a reboot, and an update spreading over a small mesh by beacons.
#include "lpmesh/btmesh/iv_update.hpp"

#include <gtest/gtest.h>

#include "tests/btmesh/models_bus.hpp"

namespace lpm::btmesh {
namespace {

using test::ModelsBus;

constexpr Duration kHour = seconds(3600);
constexpr std::uint32_t kIv = test::kSampleIvIndex;

class IvUpdateTest : public ::testing::Test {
 protected:
  void build(NodeConfig config = {}, IvUpdateTiming timing = {}) {
    FoundationOptions o;
    o.iv_update_timing = timing;
    bus_.add(0x0001, config, o);
    bus_.start();
  }
  IvUpdate& ivu() { return bus_.nodes[0]->f().ivUpdate(); }
  Node& node() { return bus_.nodes[0]->n(); }
  IvIndexState iv() { return node().keys().ivIndex(); }
  std::uint32_t sendSome(int n) {
    std::uint32_t last = 0;
    for (int i = 0; i < n; ++i) {
      auto s = node().network().allocateSeq(0x0001);
      EXPECT_TRUE(s.ok());
      last = s->seq;
    }
    return last;
  }

  ModelsBus bus_;
};

TEST_F(IvUpdateTest, NormalToInProgressToNormalWithThe96HourRule) {
  build();
  sendSome(10);
  // Just provisioned in Normal operation: 96 h before an update may start.
  EXPECT_FALSE(ivu().onBeacon(kIv + 1, true));
  EXPECT_EQ(ivu().stats().ignored_too_early, 1U);
  bus_.run(95 * kHour);
  EXPECT_FALSE(ivu().onBeacon(kIv + 1, true));
  bus_.run(kHour);
  EXPECT_TRUE(ivu().onBeacon(kIv + 1, true));
  EXPECT_EQ(iv().index, kIv + 1);
  EXPECT_TRUE(iv().update_in_progress);
  // Still transmitting with the old IV Index and the running SEQ.
  EXPECT_EQ(iv().txIndex(), kIv);
  auto s = node().network().allocateSeq(0x0001);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->iv_index, kIv);
  EXPECT_EQ(s->seq, 10U);

  // A Normal beacon before 96 h in progress is ignored...
  bus_.run(10 * kHour);
  EXPECT_FALSE(ivu().onBeacon(kIv + 1, false));
  EXPECT_TRUE(iv().update_in_progress);
  // ...and after 96 h the node returns to Normal by itself.
  bus_.run(86 * kHour + seconds(1));
  EXPECT_FALSE(iv().update_in_progress);
  EXPECT_EQ(iv().index, kIv + 1);
  auto s2 = node().network().allocateSeq(0x0001);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->iv_index, kIv + 1);
  EXPECT_EQ(s2->seq, 0U);  // §3.11.5: SEQ restarts with the new IV Index
  EXPECT_EQ(ivu().stats().entered_in_progress, 1U);
  EXPECT_EQ(ivu().stats().returned_to_normal, 1U);
  // Another update needs 96 h in Normal again.
  EXPECT_FALSE(ivu().onBeacon(kIv + 2, true));
}

TEST_F(IvUpdateTest, NormalBeaconEndsTheUpdateAfterTheMinimum) {
  build();
  bus_.run(96 * kHour);
  ASSERT_TRUE(ivu().onBeacon(kIv + 1, true));
  bus_.run(96 * kHour - seconds(5));
  EXPECT_TRUE(iv().update_in_progress);
  // Same IV Index with the flag set again changes nothing; an older one is ignored.
  EXPECT_FALSE(ivu().onBeacon(kIv + 1, true));
  EXPECT_FALSE(ivu().onBeacon(kIv, false));
  EXPECT_EQ(ivu().stats().ignored_out_of_range, 1U);
  bus_.run(seconds(5));
  // The timer got there first at exactly 96 h; a beacon now confirms the state.
  EXPECT_FALSE(iv().update_in_progress);
  EXPECT_FALSE(ivu().onBeacon(kIv + 1, false));
}

TEST_F(IvUpdateTest, RecoveryUpTo42AtMostOncePer192Hours) {
  build();
  ASSERT_EQ(node().replayList().accept(0x0777, kIv, 5), Error::kNone);
  EXPECT_FALSE(ivu().onBeacon(kIv + 43, false));  // beyond +42
  EXPECT_FALSE(ivu().onBeacon(kIv - 1, false));   // older
  EXPECT_EQ(ivu().stats().ignored_out_of_range, 2U);
  // A jump of 5: no minimum duration applies.
  EXPECT_TRUE(ivu().onBeacon(kIv + 5, false));
  EXPECT_EQ(iv().index, kIv + 5);
  EXPECT_FALSE(iv().update_in_progress);
  EXPECT_EQ(ivu().stats().recoveries, 1U);
  EXPECT_EQ(node().replayList().size(), 0U);  // the replay list starts afresh
  // n+1 with the same (Normal) flag is a recovery too: refused within 192 h.
  bus_.run(191 * kHour);
  EXPECT_FALSE(ivu().onBeacon(kIv + 6, false));
  EXPECT_EQ(ivu().stats().recovery_refused, 1U);
  bus_.run(kHour);
  EXPECT_TRUE(ivu().onBeacon(kIv + 6, false));
  EXPECT_EQ(iv().index, kIv + 6);
  // Recovery into an update in progress takes the beacon's state.
  bus_.run(192 * kHour);
  EXPECT_TRUE(ivu().onBeacon(kIv + 9, true));
  EXPECT_EQ(iv().index, kIv + 9);
  EXPECT_TRUE(iv().update_in_progress);
  EXPECT_EQ(iv().txIndex(), kIv + 8);
}

TEST_F(IvUpdateTest, SeqExhaustionStartsAnUpdate) {
  NodeConfig cfg;
  cfg.iv_update_seq_limit = 20;
  build(cfg);
  bus_.nodes[0]->f().beacons().setSecureBeaconEnabled(false);
  sendSome(30);  // crosses the limit before 96 h: the request waits
  EXPECT_FALSE(iv().update_in_progress);
  EXPECT_EQ(ivu().initiate(), Error::kBusy);
  const std::size_t beacons_before = bus_.nodes[0]->beacons_sent;
  bus_.run(96 * kHour + seconds(1));
  EXPECT_TRUE(iv().update_in_progress);
  EXPECT_EQ(iv().index, kIv + 1);
  EXPECT_TRUE(ivu().initiator());
  EXPECT_EQ(ivu().stats().initiated, 1U);
  // The initiator beacons even with the Beacon state off.
  bus_.run(seconds(30));
  EXPECT_GT(bus_.nodes[0]->beacons_sent, beacons_before);
  EXPECT_EQ(ivu().initiate(), Error::kInvalidState);
}

TEST_F(IvUpdateTest, TestModeDropsTheMinimum) {
  NodeConfig cfg;
  cfg.iv_update_test_mode = true;
  build(cfg);
  EXPECT_TRUE(ivu().testMode());
  EXPECT_EQ(ivu().minStateDuration(), Duration{0});
  ASSERT_EQ(ivu().initiate(), Error::kNone);
  EXPECT_TRUE(iv().update_in_progress);
  ASSERT_EQ(ivu().complete(), Error::kNone);
  EXPECT_FALSE(iv().update_in_progress);
  EXPECT_EQ(iv().index, kIv + 1);
  EXPECT_EQ(ivu().complete(), Error::kInvalidState);
  // Beacons too are followed at once.
  EXPECT_TRUE(ivu().onBeacon(kIv + 2, true));
  EXPECT_TRUE(ivu().onBeacon(kIv + 2, false));
  EXPECT_EQ(iv().index, kIv + 2);
}

TEST_F(IvUpdateTest, ShortenedTestModeDurations) {
  NodeConfig cfg;
  cfg.iv_update_test_mode = true;
  IvUpdateTiming t;
  t.test_min_state_duration = seconds(30);
  build(cfg, t);
  EXPECT_EQ(ivu().initiate(), Error::kBusy);
  bus_.run(seconds(31));  // the pending request goes through
  EXPECT_TRUE(iv().update_in_progress);
  bus_.run(seconds(30));
  EXPECT_FALSE(iv().update_in_progress);
  EXPECT_EQ(iv().index, kIv + 1);
}

TEST_F(IvUpdateTest, TimeInStateSurvivesAReboot) {
  build();
  bus_.run(50 * kHour);
  // Reboot: a new Node and Foundation over the same settings.
  auto& b = *bus_.nodes[0];
  b.foundation.reset();
  b.node.reset();
  NodeProvisioning p;
  p.primary_address = 0x0001;
  p.dev_key = test::busDevKey(0x0001);
  p.iv_index = kIv;
  p.net_keys.push_back({0, test::kSampleNetKey});
  b.node = std::make_unique<Node>(b.fp.platform(), NodeConfig{}, p);
  b.foundation = std::make_unique<Foundation>(*b.node);
  b.node->start();
  b.foundation->start();
  EXPECT_GE(b.foundation->ivUpdate().timeInState(), 50 * kHour);
  bus_.run(46 * kHour);
  EXPECT_TRUE(b.foundation->ivUpdate().onBeacon(kIv + 1, true));
  // The IV state is persisted too: a second reboot comes back in progress.
  b.foundation.reset();
  b.node.reset();
  b.node = std::make_unique<Node>(b.fp.platform(), NodeConfig{}, p);
  EXPECT_EQ(b.node->keys().ivIndex().index, kIv + 1);
  EXPECT_TRUE(b.node->keys().ivIndex().update_in_progress);
  b.node.reset();
}

// An update started by one node reaches every node of a 2x4 grid through Secure Network
// beacons (relayed by nobody: each node beacons the state it has adopted).
TEST(IvUpdateMesh, UpdateSpreadsByBeacons) {
  ModelsBus bus;
  NodeConfig cfg;
  cfg.iv_update_test_mode = true;
  FoundationOptions o;
  o.iv_update_timing.test_min_state_duration = seconds(60);
  for (Address a = 1; a <= 8; ++a)
    bus.add(a, cfg, o);
  // 2 x 4 grid: node i hears i±1 in its row and the node above/below.
  bus.reachable = [](std::size_t f, std::size_t t) {
    const long fr = static_cast<long>(f / 4), fc = static_cast<long>(f % 4);
    const long tr = static_cast<long>(t / 4), tc = static_cast<long>(t % 4);
    return std::abs(fr - tr) + std::abs(fc - tc) == 1;
  };
  bus.start();
  bus.run(seconds(61));
  ASSERT_EQ(bus.nodes[0]->f().ivUpdate().initiate(), Error::kNone);
  bus.run(seconds(30));
  for (auto& n : bus.nodes) {
    EXPECT_EQ(n->n().keys().ivIndex().index, kIv + 1) << n->index;
    EXPECT_TRUE(n->n().keys().ivIndex().update_in_progress) << n->index;
  }
  bus.run(seconds(120));
  for (auto& n : bus.nodes) {
    EXPECT_EQ(n->n().keys().ivIndex().index, kIv + 1) << n->index;
    EXPECT_FALSE(n->n().keys().ivIndex().update_in_progress) << n->index;
    EXPECT_EQ(n->f().ivUpdate().stats().recoveries, 0U) << n->index;
  }
  // A node cut off during the update catches up by recovery when it hears beacons again.
  std::vector<bool> cut(8, false);
  cut[7] = true;
  bus.reachable = [&cut](std::size_t f, std::size_t t) {
    if (cut[f] || cut[t]) return false;
    const long fr = static_cast<long>(f / 4), fc = static_cast<long>(f % 4);
    const long tr = static_cast<long>(t / 4), tc = static_cast<long>(t % 4);
    return std::abs(fr - tr) + std::abs(fc - tc) == 1;
  };
  bus.run(seconds(61));
  ASSERT_EQ(bus.nodes[0]->f().ivUpdate().initiate(), Error::kNone);
  bus.run(seconds(200));
  EXPECT_EQ(bus.nodes[0]->n().keys().ivIndex().index, kIv + 2);
  EXPECT_EQ(bus.nodes[7]->n().keys().ivIndex().index, kIv + 1);
  cut[7] = false;
  bus.run(seconds(30));
  EXPECT_EQ(bus.nodes[7]->n().keys().ivIndex().index, kIv + 2);
  EXPECT_EQ(bus.nodes[7]->f().ivUpdate().stats().recoveries, 1U);
}

}  // namespace
}  // namespace lpm::btmesh
