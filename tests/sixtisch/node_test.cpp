// 6TiSCH networks in the simulator: formation (RFC 8180 §6), OF0 ranks over lossy links
// (§5.1.2), reachability up and down in non-storing and storing mode, parent loss, EB
// timing and the enrollment IE in EBs.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "tests/sixtisch/harness.hpp"

namespace lpm::sixtisch {
namespace {

using test::Harness;

sim::WorldConfig linkTableWorld(const std::vector<std::tuple<NodeId, NodeId, double>>& links,
                                std::uint64_t seed = 1) {
  sim::WorldConfig c;
  c.seed = seed;
  c.propagation.kind = sim::PropagationKind::kLinkTable;
  for (const auto& [a, b, prr] : links) {
    c.propagation.links.push_back({a, b, std::nullopt, prr});
    c.propagation.links.push_back({b, a, std::nullopt, prr});
  }
  return c;
}

[[maybe_unused]] sim::WorldConfig unitDisk(double range, std::uint64_t seed) {
  sim::WorldConfig c;
  c.seed = seed;
  c.propagation.kind = sim::PropagationKind::kUnitDisk;
  c.propagation.range_m = range;
  c.propagation.unit_disk_rx_dbm = -60.0;
  return c;
}

void setupAll(Harness& h, SixtischConfig base) {
  for (NodeId i = 0; i < h.world.nodeCount(); ++i) {
    SixtischConfig c = base;
    c.root = i == 0;
    h.setup(i, c);
  }
}

/// Everyone is synchronised, joined, on a loop-free parent chain to the root, its DAO was
/// acknowledged, its upward packets arrived and it answered the root's pings.
void expectFormedAndReachable(Harness& h, double min_pdr, const std::string& what) {
  SCOPED_TRACE(what);
  for (NodeId i = 1; i < h.world.nodeCount(); ++i) {
    if (h.node(i) == nullptr) continue;
    SCOPED_TRACE(i);
    ASSERT_TRUE(h.node(i)->mac().isSynchronized());
    ASSERT_NE(h.node(i)->rpl(), nullptr);
    EXPECT_TRUE(h.node(i)->rpl()->joined());
    EXPECT_FALSE(h.upwardPath(i).empty()) << "no loop-free parent chain";
    // The time source is the preferred parent (RFC 8180 §6.2).
    const auto pp = h.node(i)->rpl()->preferredParent();
    ASSERT_TRUE(pp.has_value());
    EXPECT_EQ(h.node(i)->mac().timeSource(), ipv6::eui64FromIid(pp->iid()));
    EXPECT_TRUE(h.dao_at[i].has_value());
    const double sent = static_cast<double>(h.up_sent[i]);
    if (sent > 0) {
      EXPECT_GE(static_cast<double>(h.up_received[i].size()) / sent, min_pdr);
    }
    EXPECT_FALSE(h.echo_replies[i].empty()) << "never answered a ping";
  }
}

// RFC 8180 §5.1.2: a 5-hop line where each link gives numTx 100 / numTxAck 75. A frame is
// acknowledged when it and its ACK both arrive: PRR sqrt(0.75) in each direction.
TEST(SixtischNetwork, FiveHopLineRanks) {
  const double prr = std::sqrt(0.75);
  Harness h(linkTableWorld({{0, 1, prr}, {1, 2, prr}, {2, 3, prr}, {3, 4, prr}, {4, 5, prr}}));
  for (int i = 0; i < 6; ++i)
    h.add(10.0 * i, 0);
  SixtischConfig c = test::fastConfig();
  // Light traffic and the RFC 8180 EB period: collisions in the one shared cell (hidden
  // terminals two hops apart, a receiver busy with its own EB) add to the link losses.
  c.tsch.eb_period = seconds(16);
  c.traffic.up_period = seconds(60);
  c.traffic.down_period = seconds(120);
  setupAll(h, c);
  h.powerAll();
  h.run(seconds(7200));
  expectFormedAndReachable(h, 0.8, "line");
  for (NodeId i = 1; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(h.upwardPath(i).size(), i + 1U);  // the line itself
    const auto* n = h.node(i)->mac().findNeighbor(h.eui(i - 1));
    ASSERT_NE(n, nullptr);
    const double etx = static_cast<double>(n->num_tx) / n->num_tx_ack;
    rpl::Rpl& r = *h.node(i)->rpl();
    r.onLinkMetricsChanged();  // rank from the counters as they are now
    const ipv6::Address parent = *r.preferredParent();
    const rpl::LinkMetrics m = r.linkEstimate(parent);
    const auto inc = rpl::of0::rankIncrease(m.num_tx, m.num_tx_ack);
    ASSERT_TRUE(inc.has_value());
    const std::uint16_t rank = r.rank();
    std::cout << "node " << i << " rank " << rank << " (Figure 4: " << 256 + 512 * i
              << ") parent ETX " << etx << " over " << n->num_tx << " attempts, increment " << *inc
              << "\n";
    // Link losses alone give ETX 4/3; the one shared cell adds collisions (a parent
    // busy sending, hidden terminals two hops apart), never fewer losses.
    EXPECT_GE(etx, 1.25);
    EXPECT_LE(etx, 2.0);
    EXPECT_GE(*inc, 448);  // Sp >= 1.75: ETX >= 1.25
    // OF0 exactly (RFC 8180 Figure 3): R(N) = R(P) + (3 ETX - 2) x 256.
    EXPECT_EQ(rank, rpl::of0::rankThrough(r.findNeighbor(parent)->rank, *inc));
    EXPECT_GT(rank, h.node(i - 1)->rpl()->rank());
    EXPECT_GE(rpl::of0::dagRank(rank), 2 * i + 1);
    EXPECT_EQ(h.node(i)->rpl()->joinMetric(), rpl::of0::dagRank(rank) - 1);
    EXPECT_EQ(h.eb_without_rank[i], 0);
    EXPECT_EQ(h.desyncs[i], 0);
  }
}

}  // namespace
}  // namespace lpm::sixtisch
