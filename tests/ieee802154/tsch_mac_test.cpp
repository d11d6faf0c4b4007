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
