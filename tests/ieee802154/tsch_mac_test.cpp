// TSCH MAC on the simulator: joining, slot timing, synchronisation, ACKs, retries,
// queues, keep-alives and EB handling, with small worlds whose outcome is exact.
#include "lpmesh/ieee802154/tsch_mac.hpp"

#include <gtest/gtest.h>

#include "tests/ieee802154/tsch_harness.hpp"

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;
using test::unitDiskWorld;

TschConfig coordinatorConfig() {
  TschConfig c;
  c.coordinator = true;
  c.slotframe_length = 11;
  c.eb_period = seconds(2);
  return c;
}

TschConfig nodeConfig() {
  TschConfig c = coordinatorConfig();
  c.coordinator = false;
  c.num_neighbours_to_wait = 1;
  return c;
}

TEST(TschMac, NodeJoinsCoordinatorAndAdoptsItsSchedule) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, coordinatorConfig());
  h.setup(node, nodeConfig());
  h.powerAll();
  h.run(seconds(60));

  ASSERT_NE(h.node(node), nullptr);
  TschMac& m = h.mac(node);
  EXPECT_TRUE(m.isSynchronized());
  EXPECT_EQ(m.timeSource(), h.eui(coord));
  EXPECT_EQ(h.synced[node], 1);
  EXPECT_EQ(h.desynced[node], 0);
  ASSERT_TRUE(h.time_to_sync[node].has_value());
  // NUM_NEIGHBOURS_TO_WAIT = 1: synchronised on the first EB.
  EXPECT_EQ(*h.time_to_sync[node], Duration{0});
  EXPECT_EQ(m.schedule(), TschSchedule::minimal(11));
  // Both agree on the ASN (to within the slot under way).
  EXPECT_EQ(m.currentAsn(), h.mac(coord).currentAsn());
  // Announces Join Metric 1 and sends EBs itself.
  EXPECT_EQ(h.node(node)->joinMetric(), 1);
  EXPECT_GT(m.stats().eb_tx, 10U);
  EXPECT_GT(h.mac(coord).stats().eb_rx, 10U);
}

TEST(TschMac, DataIsAcknowledgedAndDelivered) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, coordinatorConfig());
  TschTrafficConfig traffic;
  traffic.period = seconds(1);
  traffic.destination = h.eui(coord);
  h.setup(node, nodeConfig(), std::nullopt, traffic);
  h.powerAll();
  h.run(seconds(120));

  EXPECT_GT(h.generated[node], 90);
  EXPECT_EQ(h.done_failed[node], 0);
  EXPECT_EQ(static_cast<int>(h.distinctReceived(coord, node)), h.done_ok[node]);
  const TschStats& s = h.mac(node).stats();
  EXPECT_EQ(s.packets_failed, 0U);
  // Attempts that met an EB of the coordinator in the one shared cell are retried.
  EXPECT_EQ(s.data_tx, s.data_tx_acked + s.retries);
  EXPECT_LT(s.retries * 5, s.data_tx);
  EXPECT_EQ(h.mac(coord).stats().ack_tx, s.data_tx_acked);
}

}  // namespace
}  // namespace lpm::ieee802154

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;
using test::unitDiskWorld;

TschConfig coordinator11() {
  TschConfig c;
  c.coordinator = true;
  c.slotframe_length = 11;
  c.eb_period = seconds(2);
  return c;
}

TschConfig node11() {
  TschConfig c = coordinator11();
  c.coordinator = false;
  c.num_neighbours_to_wait = 1;
  return c;
}

TEST(TschMacRetries, FourAttemptsThenNoAck) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, coordinator11());
  h.setup(node, node11());
  h.powerAll();
  const Eui64 nobody = {0x02, 0, 0, 0, 0, 0, 0x99, 0x99};
  std::optional<Error> result;
  h.at(seconds(30), [&] {
    ASSERT_TRUE(h.mac(node).isSynchronized());
    auto handle = h.mac(node).send(nobody, Bytes{1, 2, 3});
    ASSERT_TRUE(handle.ok());
  });
  h.run(seconds(90));
  const TschStats& s = h.mac(node).stats();
  EXPECT_EQ(h.done_failed[node], 1);
  EXPECT_EQ(s.packets_failed, 1U);
  EXPECT_EQ(s.upper_failed, 1U);
  // Keep-alives to the coordinator are acknowledged; the lost packet used 4 attempts.
  EXPECT_EQ(s.data_tx - s.data_tx_acked, 4U + (s.retries - 3U));
  const TschNeighbor* n = h.mac(node).findNeighbor(nobody);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->num_tx, 4U);
  EXPECT_EQ(n->num_tx_ack, 0U);
}

TEST(TschMacRetries, RetriesBackOffOverSharedCells) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, coordinator11());
  TschConfig nc = node11();
  nc.min_be = 3;  // every backoff window is 0..7 shared cells
  nc.max_be = 3;
  nc.eb_period = Duration{0};
  nc.ka_period = seconds(600);
  nc.ka_period_compensated = seconds(600);
  nc.desync_timeout = seconds(1200);
  h.setup(node, nc);
  h.powerAll();
  std::vector<std::int64_t> attempts_at;
  h.world.setTraceSink([&](SimTime t, NodeId n, const platform::TraceEvent& e) {
    if (n == node && e.kind == platform::TraceKind::kTx && e.reason == "data") {
      attempts_at.push_back(t.time_since_epoch().count());
    }
  });
  h.at(seconds(30), [&] {
    ASSERT_TRUE(h.mac(node).isSynchronized());
    ASSERT_TRUE(h.mac(node).send(Eui64{0x02, 0, 0, 0, 0, 0, 0x99, 0x99}, Bytes{1}).ok());
  });
  h.run(seconds(60));
  ASSERT_EQ(attempts_at.size(), 4U);
  const std::int64_t cell_ns = 11 * 10'000'000;  // one shared cell per 11-slot slotframe
  bool waited = false;
  for (std::size_t i = 1; i < attempts_at.size(); ++i) {
    const double gap =
        static_cast<double>(attempts_at[i] - attempts_at[i - 1]) / static_cast<double>(cell_ns);
    // 15.4-2015 §6.2.5.3: the next attempt comes 1 + backoff shared cells later.
    EXPECT_GE(gap, 0.99);
    EXPECT_LE(gap, 8.01);
    waited = waited || gap > 1.5;
  }
  EXPECT_TRUE(waited);
  EXPECT_EQ(h.done_failed[node], 1);
}

TEST(TschMacQueues, OnePacketPerNeighbourDuringJoinThenMore) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, coordinator11());
  TschConfig cfg = node11();
  cfg.max_join_time = seconds(60);
  cfg.per_neighbor_queue = 3;
  h.setup(node, cfg);
  h.powerAll();
  std::vector<Error> during, after;
  h.at(seconds(20), [&] {
    ASSERT_TRUE(h.mac(node).isSynchronized());
    for (int i = 0; i < 3; ++i)
      during.push_back(h.mac(node).send(h.eui(coord), Bytes{1}).error());
  });
  h.at(seconds(100), [&] {
    for (int i = 0; i < 4; ++i)
      after.push_back(h.mac(node).send(h.eui(coord), Bytes{2}).error());
  });
  h.run(seconds(120));
  // §7.2: NUM_UPPERLAYER_PACKETS (1) while joining.
  EXPECT_EQ(during, (std::vector<Error>{Error::kNone, Error::kNoBufs, Error::kNoBufs}));
  EXPECT_EQ(after, (std::vector<Error>{Error::kNone, Error::kNone, Error::kNone, Error::kNoBufs}));
  EXPECT_EQ(h.mac(node).stats().drop_queue_full, 3U);
  EXPECT_EQ(h.done_ok[node], 4);
  // Not synchronised: nothing can be queued; too long: rejected.
  EXPECT_EQ(h.mac(node).send(h.eui(coord), Bytes(200, 0)).error(), Error::kTooLong);
}

TEST(TschMacQueues, BroadcastGoesOnceToEveryNeighbour) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId a = h.add(10, 0);
  const NodeId b = h.add(0, 10);
  h.setup(coord, coordinator11());
  TschConfig nc = node11();
  nc.eb_period = Duration{0};  // nothing else on air in the cell
  h.setup(a, nc);
  h.setup(b, nc);
  h.powerAll();
  h.at(seconds(30), [&] {
    Bytes payload(8, 0);
    payload[0] = static_cast<std::uint8_t>(coord);
    payload[4] = 7;  // counter 7
    ASSERT_TRUE(h.mac(coord).send(std::nullopt, payload).ok());
  });
  h.run(seconds(40));
  EXPECT_EQ(h.mac(coord).stats().broadcast_tx, 1U);
  EXPECT_EQ(h.done_ok[coord], 1);
  EXPECT_EQ(h.distinctReceived(a, coord), 1U);
  EXPECT_EQ(h.distinctReceived(b, coord), 1U);
}

/// A coordinator whose routing layer allows EBs only during the first `eb_window`
/// (RFC 8180 §6.3 through TschUpperLayer::joinMetric).
class EbWindowCoordinator final : public platform::Stack, public TschUpperLayer {
 public:
  EbWindowCoordinator(platform::Platform& p, const TschConfig& c, Duration eb_window)
      : p_(p), window_(eb_window), mac_(p, c, *this) {}
  void start() override { mac_.start(); }
  std::optional<std::uint8_t> joinMetric() const override {
    if (p_.timers->now().time_since_epoch() < window_) return 0;
    return std::nullopt;
  }
  TschMac& mac() { return mac_; }

 private:
  platform::Platform& p_;
  Duration window_;
  TschMac mac_;
};

TEST(TschMacSync, KeepAlivesHoldSynchronisationWithoutEbs) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0, 40.0);
  const NodeId node = h.add(10, 0, -40.0);
  TschConfig cc = coordinator11();
  EbWindowCoordinator* coordinator = nullptr;
  h.world.setStackFactory(coord, [&](platform::Platform& p) {
    std::vector<std::unique_ptr<platform::Stack>> v;
    auto s = std::make_unique<EbWindowCoordinator>(p, cc, seconds(60));
    coordinator = s.get();
    v.push_back(std::move(s));
    return v;
  });
  TschConfig nc = node11();
  nc.eb_period = Duration{0};  // the node sends none
  h.setup(node, nc);
  h.powerAll();
  std::uint64_t ebs_at_120 = 0;
  h.at(seconds(120), [&] { ebs_at_120 = coordinator->mac().stats().eb_tx; });
  h.run(seconds(1800));
  ASSERT_TRUE(h.mac(node).isSynchronized());
  EXPECT_EQ(h.desynced[node], 0);
  EXPECT_EQ(coordinator->mac().stats().eb_tx, ebs_at_120);  // no EB after the window
  const TschStats& s = h.mac(node).stats();
  // 80 ppm apart: keep-alives every 12 s until the drift is learnt, then every 60 s.
  EXPECT_GE(s.ka_tx, 25U);
  EXPECT_LE(s.ka_tx, 60U);
  EXPECT_EQ(coordinator->mac().stats().ka_rx, s.packets_ok);
  // The node's clock (-40 ppm) runs 80 ppm slow against the coordinator's (+40 ppm).
  EXPECT_NEAR(static_cast<double>(h.mac(node).driftEstimatePpb()), -80'000.0, 1'000.0);
  EXPECT_LT(s.max_abs_correction_learnt_ns, 50'000);
}

TEST(TschMacSync, DesynchronisesWhenTheTimeSourceFallsSilentAndRejoins) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  h.setup(coord, coordinator11());
  TschConfig nc = node11();
  nc.desync_timeout = seconds(30);
  h.setup(node, nc);
  h.powerAll();
  h.world.powerOff(coord, SimTime{seconds(60)});
  h.world.powerOn(coord, SimTime{seconds(200)});
  std::optional<TschState> at_150;
  h.at(seconds(150), [&] { at_150 = h.mac(node).state(); });
  h.run(seconds(300));
  EXPECT_EQ(at_150, TschState::kScanning);
  EXPECT_EQ(h.desynced[node], 1);
  EXPECT_EQ(h.synced[node], 2);
  EXPECT_TRUE(h.mac(node).isSynchronized());
  EXPECT_EQ(h.mac(node).stats().desyncs, 1U);
}

TEST(TschMacDutyCycle, IdleSlotsCostNothing) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  TschConfig cc = coordinator11();
  cc.slotframe_length = 101;
  cc.eb_period = seconds(16);
  h.setup(coord, cc);
  TschConfig nc = cc;
  nc.coordinator = false;
  nc.num_neighbours_to_wait = 1;
  h.setup(node, nc);
  h.powerAll();
  // Joining can take minutes (one EB channel in 16 per cell): measure from 900 s.
  h.run(seconds(900));
  ASSERT_TRUE(h.mac(node).isSynchronized());
  const std::uint64_t slots_before = h.mac(node).stats().slots_active;
  const auto on_time = [&] {
    const sim::RadioStats& rs = h.world.radioStats(node);
    return rs.time_in_state[static_cast<int>(sim::RadioState::kRx)] +
           rs.time_in_state[static_cast<int>(sim::RadioState::kTx)];
  };
  const Duration on_before = on_time();
  h.run(seconds(1500));
  const std::uint64_t slotframes = 600'000 / 1010 + 1;
  // Only the minimal cell is visited: one active slot per slotframe.
  const std::uint64_t slots = h.mac(node).stats().slots_active - slots_before;
  EXPECT_LE(slots, slotframes);
  EXPECT_GE(slots, slotframes - 1);
  const double duty = toSeconds(on_time() - on_before) / 600.0;
  // RFC 8180 §4.1: below 0.99 % for 101 slots; idle listening is 2.2 ms per 1.01 s.
  EXPECT_LT(duty, 0.0099);
  EXPECT_GT(duty, 0.0020);
}

}  // namespace
}  // namespace lpm::ieee802154

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;
using test::unitDiskWorld;

TEST(TschMacJoin, AdoptsCustomTimeslotTemplateAndHoppingSequenceFromTheEb) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  TschConfig cc;
  cc.coordinator = true;
  cc.slotframe_length = 11;
  cc.eb_period = seconds(2);
  // RFC 8180 A.2 template (15 ms slots), announced in the full Timeslot IE.
  cc.timeslot_template_id = 1;
  cc.timing = TimeslotTiming{2700, 128, 3180, 1680, 1200, 1500, 3300, 600, 192, 2400, 4256, 15000};
  cc.hopping_sequence_id = 1;
  cc.hopping_sequence = {15, 20, 25, 26};
  h.setup(coord, cc);
  TschConfig nc;  // defaults: template 0, 16-channel sequence
  nc.num_neighbours_to_wait = 1;
  TschTrafficConfig traffic;
  traffic.period = seconds(2);
  traffic.destination = h.eui(coord);
  h.setup(node, nc, std::nullopt, traffic);
  h.powerAll();
  h.run(seconds(180));
  ASSERT_TRUE(h.mac(node).isSynchronized());
  EXPECT_EQ(h.mac(node).timing(), cc.timing);
  EXPECT_EQ(std::vector<std::uint8_t>(h.mac(node).hoppingSequence().begin(),
                                      h.mac(node).hoppingSequence().end()),
            cc.hopping_sequence);
  EXPECT_EQ(h.mac(node).currentAsn(), h.mac(coord).currentAsn());
  EXPECT_GT(h.done_ok[node], 40);
  EXPECT_EQ(h.done_failed[node], 0);
  EXPECT_EQ(static_cast<int>(h.distinctReceived(coord, node)), h.done_ok[node]);
}

TEST(TschMacJoin, WithoutSlotframeAndLinkIeTheConfiguredMinimalScheduleIsUsed) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId node = h.add(10, 0);
  TschConfig cc;
  cc.coordinator = true;
  cc.slotframe_length = 13;
  cc.eb_period = seconds(2);
  cc.eb_slotframe_link_ie = false;
  h.setup(coord, cc);
  TschConfig nc = cc;
  nc.coordinator = false;
  nc.num_neighbours_to_wait = 1;
  TschTrafficConfig traffic;
  traffic.period = seconds(3);
  traffic.destination = h.eui(coord);
  h.setup(node, nc, std::nullopt, traffic);
  h.powerAll();
  h.run(seconds(120));
  ASSERT_TRUE(h.mac(node).isSynchronized());
  EXPECT_EQ(h.mac(node).schedule(), TschSchedule::minimal(13));
  EXPECT_GT(h.done_ok[node], 20);
}

TEST(TschMacJoin, EbsThatTryToChangeTheScheduleAreIgnored) {
  TschHarness h(unitDiskWorld());
  const NodeId coord = h.add(0, 0);
  const NodeId rogue = h.add(0, 5);
  const NodeId node = h.add(10, 0);
  TschConfig cc;
  cc.coordinator = true;
  cc.slotframe_length = 11;
  cc.eb_period = seconds(2);
  h.setup(coord, cc);
  // Same PAN, same ASN timeline (both start at 0 without drift), another schedule.
  TschConfig rc = cc;
  TschSchedule other = TschSchedule::minimal(11);
  TschLink extra;
  extra.timeslot = 5;
  extra.options = kLinkTx | kLinkRx | kLinkShared;
  ASSERT_EQ(other.addLink(0, extra), Error::kNone);
  rc.schedule = other;
  h.setup(rogue, rc);
  TschConfig nc = cc;
  nc.coordinator = false;
  nc.num_neighbours_to_wait = 1;
  nc.eb_period = Duration{0};
  h.setup(node, nc, coord);  // static tree: the coordinator is the time source
  h.powerAll();
  h.run(seconds(120));
  ASSERT_TRUE(h.mac(node).isSynchronized());
  EXPECT_EQ(h.mac(node).timeSource(), h.eui(coord));
  EXPECT_EQ(h.mac(node).schedule(), TschSchedule::minimal(11));
  EXPECT_GT(h.mac(node).stats().drop_eb_config, 5U);
}

}  // namespace
}  // namespace lpm::ieee802154
