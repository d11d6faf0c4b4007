// TSCH networks on the simulator with asserted outcomes (issue #4 §5): a 20-node network
// that stays synchronised for an hour with ±30 ppm clocks, forged EBs in K1 mode, the
// no-key joining mode with secExempt, and a jammed minimal cell.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "lpmesh/core/rng.hpp"
#include "tests/ieee802154/tsch_harness.hpp"

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;

sim::WorldConfig logDistanceWorld(std::uint64_t seed) {
  sim::WorldConfig c;
  c.seed = seed;
  c.propagation.kind = sim::PropagationKind::kLogDistance;
  c.propagation.pl_d0_db = 40.0;
  c.propagation.exponent = 3.0;
  c.propagation.shadowing_sigma_db = 4.0;
  return c;
}

TEST(TschScenario, TwentyNodesStaySynchronisedForAnHourWithDriftingClocks) {
  TschHarness h(logDistanceWorld(7));
  Rng rng(2024);
  TschConfig coord;
  coord.coordinator = true;
  coord.slotframe_length = 7;
  coord.security.enabled = true;
  const NodeId c = h.add(0, 0, rng.uniform(-30.0, 30.0));
  h.setup(c, coord);
  TschConfig cfg = coord;
  cfg.coordinator = false;
  TschTrafficConfig traffic;
  traffic.period = seconds(30);
  traffic.destination = h.eui(c);
  std::vector<NodeId> nodes;
  for (int i = 0; i < 20; ++i) {
    // A ring 8-20 m around the coordinator: all in range of it.
    const double angle = rng.uniform(0.0, 6.283185307);
    const double r = rng.uniform(8.0, 20.0);
    const NodeId id = h.add(r * std::cos(angle), r * std::sin(angle), rng.uniform(-30.0, 30.0));
    h.setup(id, cfg, std::nullopt, traffic);
    nodes.push_back(id);
  }
  h.powerAll();
  h.run(seconds(3600));

  std::uint64_t generated = 0, delivered = 0, attempts = 0, acked = 0;
  for (NodeId id : nodes) {
    ASSERT_NE(h.node(id), nullptr);
    const TschMac& m = h.mac(id);
    EXPECT_TRUE(m.isSynchronized()) << "node " << id;
    EXPECT_EQ(h.synced[id], 1) << "node " << id;
    EXPECT_EQ(h.desynced[id], 0) << "node " << id;
    EXPECT_EQ(m.currentAsn(), h.mac(c).currentAsn());
    generated += static_cast<std::uint64_t>(h.generated[id]);
    delivered += h.distinctReceived(c, id);
    attempts += m.stats().data_tx;
    acked += m.stats().data_tx_acked;
    // Corrections stay well inside the receive guard (macTsRxWait / 2 = 1100 µs).
    EXPECT_LT(m.stats().max_abs_correction_ns, 1'100'000) << "node " << id;
    // Once the drift is learnt (adaptive timesync) the residual error is small.
    EXPECT_LT(m.stats().max_abs_correction_learnt_ns, 100'000) << "node " << id;
  }
  const double pdr = static_cast<double>(delivered) / static_cast<double>(generated);
  std::printf("generated %llu delivered %llu (PDR %.4f), attempts %llu acked %llu\n",
              static_cast<unsigned long long>(generated),
              static_cast<unsigned long long>(delivered), pdr,
              static_cast<unsigned long long>(attempts), static_cast<unsigned long long>(acked));
  // Traffic starts once synchronised; the first nodes wait up to MAX_EB_DELAY for a
  // second EB sender (NUM_NEIGHBOURS_TO_WAIT = 2).
  EXPECT_GT(generated, 20U * 90U);
  // MAC: attempts acknowledged.
  EXPECT_GT(static_cast<double>(acked) / static_cast<double>(attempts), 0.8);
  EXPECT_GT(pdr, 0.99);
}

}  // namespace
}  // namespace lpm::ieee802154

namespace lpm::ieee802154 {
namespace {

using test::TschHarness;

TEST(TschScenario, JammedCellDesynchronisesNodesThatRejoinAfterwards) {
  TschHarness h(logDistanceWorld(11));
  TschConfig cc;
  cc.coordinator = true;
  cc.slotframe_length = 11;
  cc.eb_period = seconds(4);
  const NodeId coord = h.add(0, 0, 10.0);
  h.setup(coord, cc);
  TschConfig nc = cc;
  nc.coordinator = false;
  nc.num_neighbours_to_wait = 1;
  std::vector<NodeId> nodes;
  for (int i = 0; i < 5; ++i) {
    const NodeId id = h.add(8.0 + 2.0 * i, 3.0 * i, -20.0 + 10.0 * i);
    h.setup(id, nc, coord);  // static tree: all synchronise on the coordinator
    nodes.push_back(id);
  }
  h.powerAll();
  // Every 2.4 GHz channel jammed next to the coordinator from 120 s to 420 s.
  for (int ch = 11; ch <= 26; ++ch) {
    h.world.addJammer(sim::Vec3{1.0, 0.0, 0.0}, 2405.0 + 5.0 * (ch - 11), 10.0,
                      SimTime{seconds(120)}, SimTime{seconds(420)});
  }
  std::vector<TschState> before, during;
  h.at(seconds(110), [&] {
    for (NodeId id : nodes)
      before.push_back(h.mac(id).state());
  });
  h.at(seconds(410), [&] {
    for (NodeId id : nodes)
      during.push_back(h.mac(id).state());
  });
  h.run(seconds(1200));
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeId id = nodes[i];
    EXPECT_EQ(before[i], TschState::kSynchronized) << "node " << id;
    // Desynchronised after the 120 s threshold, scanning while the jammer is on.
    EXPECT_EQ(during[i], TschState::kScanning) << "node " << id;
    EXPECT_EQ(h.desynced[id], 1) << "node " << id;
    EXPECT_EQ(h.synced[id], 2) << "node " << id;
    EXPECT_TRUE(h.mac(id).isSynchronized()) << "node " << id;
    EXPECT_EQ(h.mac(id).currentAsn(), h.mac(coord).currentAsn());
  }
}

}  // namespace
}  // namespace lpm::ieee802154
