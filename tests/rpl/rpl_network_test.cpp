// The RPL engine over an in-memory link graph (rpl_bus.hpp): DODAG formation with the
// RFC 8180 §5.1.2 ranks, 50-node random networks in non-storing and storing mode,
// parent loss, leaf nodes, global repair, DAO acknowledgments and the RPI checks.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <queue>

#include "lpmesh/rpl/rpl.hpp"
#include "tests/rpl/rpl_bus.hpp"

namespace lpm::rpl {
namespace {

using test::RplBus;

RplConfig baseConfig(Mop mop = Mop::kNonStoring) {
  RplConfig c;
  c.mop = mop;
  return c;
}

/// 0 - 1 - 2 - ... - (n-1), every link numTx 100 / numTxAck 75.
void buildLine(RplBus& bus, const RplConfig& config) {
  for (std::size_t i = 0; i + 1 < bus.size(); ++i)
    bus.link(i, i + 1, {100, 75});
  bus.build(0, config);
}

/// Random positions in a 100 x 100 square, links shorter than `range`; numTxAck falls
/// from 100 to 70 with distance. Node 0 (the root) sits in a corner so that the DODAG
/// is several hops deep. Retries seeds until the graph is connected.
void buildRandom(RplBus& bus, const RplConfig& config, std::uint64_t seed, double range = 30) {
  for (std::uint64_t attempt = 0;; ++attempt) {
    Rng rng(seed + attempt * 7919);
    std::vector<std::pair<double, double>> pos(bus.size());
    pos[0] = {5, 5};
    for (std::size_t i = 1; i < bus.size(); ++i)
      pos[i] = {rng.uniform(0, 100), rng.uniform(0, 100)};
    std::vector<std::vector<std::size_t>> adj(bus.size());
    std::vector<std::tuple<std::size_t, std::size_t, std::uint32_t>> edges;
    for (std::size_t a = 0; a < bus.size(); ++a) {
      for (std::size_t b = a + 1; b < bus.size(); ++b) {
        const double d = std::hypot(pos[a].first - pos[b].first, pos[a].second - pos[b].second);
        if (d >= range) continue;
        adj[a].push_back(b);
        adj[b].push_back(a);
        edges.emplace_back(a, b, static_cast<std::uint32_t>(100 - 30 * d / range));
      }
    }
    std::vector<bool> seen(bus.size());
    std::queue<std::size_t> q;
    q.push(0);
    seen[0] = true;
    std::size_t count = 1;
    while (!q.empty()) {
      const std::size_t x = q.front();
      q.pop();
      for (std::size_t y : adj[x]) {
        if (!seen[y]) {
          seen[y] = true;
          ++count;
          q.push(y);
        }
      }
    }
    if (count != bus.size()) continue;
    for (const auto& [a, b, ack] : edges)
      bus.link(a, b, {100, ack});
    bus.build(0, config, seed);
    return;
  }
}

/// Every live node is joined, its preferred-parent chain reaches the root through
/// neighbours with strictly decreasing ranks (loop-free), and data packets travel up
/// from it and down to it.
void expectReachableBothWays(RplBus& bus, const std::string& what) {
  SCOPED_TRACE(what);
  const ipv6::Address root_addr = bus.rpl(0).dodagId();
  std::vector<std::uint32_t> up_ids;
  std::vector<std::uint32_t> down_ids;
  for (std::size_t i = 1; i < bus.size(); ++i) {
    if (!bus.alive(i)) continue;
    SCOPED_TRACE(i);
    ASSERT_TRUE(bus.rpl(i).joined());
    const auto path = bus.upwardPath(i);
    ASSERT_FALSE(path.empty()) << "no loop-free parent chain";
    for (std::size_t k = 0; k + 1 < path.size(); ++k) {
      EXPECT_TRUE(bus.alive(path[k + 1]));
      EXPECT_GT(bus.rpl(path[k]).rank(), bus.rpl(path[k + 1]).rank());
    }
    if (bus.rpl(0).mop() == Mop::kNonStoring) {
      std::vector<ipv6::Address> hops;
      ASSERT_EQ(bus.rpl(0).sourceRoute(bus.globalOf(i), hops), Error::kNone);
      ASSERT_EQ(hops.back(), bus.globalOf(i));
      std::size_t prev = 0;
      for (const auto& h : hops) {
        const auto y = bus.nodeByAddress(h);
        ASSERT_TRUE(y.has_value());
        EXPECT_TRUE(bus.adjacent(prev, *y)) << prev << " -> " << *y;
        prev = *y;
      }
    }
    up_ids.push_back(bus.sendData(i, root_addr));
    down_ids.push_back(bus.sendData(0, bus.globalOf(i)));
  }
  bus.clock().advance(seconds(5));
  for (std::size_t k = 0; k < up_ids.size(); ++k) {
    ASSERT_TRUE(bus.delivered.count(up_ids[k])) << "up " << k << " " << bus.dropped[up_ids[k]];
    EXPECT_EQ(bus.delivered[up_ids[k]].first, 0U);
    ASSERT_TRUE(bus.delivered.count(down_ids[k]))
        << "down " << k << " " << bus.dropped[down_ids[k]];
  }
}

// RFC 8180 §5.1.2 Figure 4: a 5-hop line, numTx 100 / numTxAck 75 on every link.
TEST(RplNetwork, Rfc8180Figure4Ranks) {
  RplBus bus(6);
  buildLine(bus, baseConfig());
  bus.startAll();
  bus.clock().advance(seconds(60));
  const std::uint16_t ranks[] = {256, 768, 1280, 1792, 2304, 2816};
  const std::uint8_t join_metrics[] = {0, 2, 4, 6, 8, 10};
  for (std::size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(bus.rpl(i).joined());
    EXPECT_EQ(bus.rpl(i).rank(), ranks[i]);
    EXPECT_EQ(of0::dagRank(bus.rpl(i).rank()), 2 * i + 1);
    ASSERT_TRUE(bus.rpl(i).joinMetric().has_value());
    EXPECT_EQ(*bus.rpl(i).joinMetric(), join_metrics[i]);
    if (i > 0) {
      EXPECT_EQ(bus.rpl(i).preferredParent(), RplBus::linkLocalOf(i - 1));
      EXPECT_TRUE(bus.rpl(i).daoAcknowledged());
    }
  }
  expectReachableBothWays(bus, "line");
  // The root's DAO parent table gives the full source route to the end of the line.
  std::vector<ipv6::Address> hops;
  ASSERT_EQ(bus.rpl(0).sourceRoute(bus.globalOf(5), hops), Error::kNone);
  ASSERT_EQ(hops.size(), 5U);
  for (std::size_t k = 0; k < 5; ++k)
    EXPECT_EQ(hops[k], bus.globalOf(k + 1));
}

// No rank, no Join Metric (RFC 8180 §6.3); the root's is 0 (§6.1).
TEST(RplNetwork, JoinMetricOnlyWithRank) {
  RplBus bus(2);
  buildLine(bus, baseConfig());
  EXPECT_FALSE(bus.rpl(1).joinMetric().has_value());
  EXPECT_FALSE(bus.rpl(1).hasRank());
  bus.startAll();
  EXPECT_EQ(bus.rpl(0).joinMetric(), std::optional<std::uint8_t>(0));
  EXPECT_FALSE(bus.rpl(1).joinMetric().has_value());
  bus.clock().advance(seconds(5));
  EXPECT_EQ(bus.rpl(1).joinMetric(), std::optional<std::uint8_t>(2));
}

void randomNetwork(Mop mop, std::uint64_t seed) {
  RplBus bus(50);
  buildRandom(bus, baseConfig(mop), seed);
  bus.startAll();
  bus.clock().advance(seconds(120));
  expectReachableBothWays(bus, "formed");
  std::size_t deepest = 0;
  for (std::size_t i = 1; i < bus.size(); ++i)
    deepest = std::max(deepest, bus.upwardPath(i).size() - 1);
  EXPECT_GE(deepest, 3U);  // a real multi-hop DODAG
  std::cout << "depth " << deepest << " rpl messages " << bus.rpl_messages() << "\n";
  // Storing mode: every node's table reaches its whole sub-DODAG hop by hop.
  if (mop != Mop::kNonStoring) {
    for (std::size_t i = 1; i < bus.size(); ++i) {
      std::size_t cur = 0;
      for (int hops = 0; cur != i; ++hops) {
        ASSERT_LT(hops, 50) << "loop towards " << i;
        const NextHop h = bus.rpl(cur).route(bus.globalOf(i));
        ASSERT_EQ(h.kind, NextHop::Kind::kDown) << "at " << cur << " for " << i;
        const auto y = bus.nodeByLinkLocal(h.neighbor);
        ASSERT_TRUE(y && bus.adjacent(cur, *y));
        cur = *y;
      }
    }
  }

  // Kill a router that has children; they must re-parent and everything stays reachable.
  std::map<std::size_t, int> children;
  for (std::size_t i = 1; i < bus.size(); ++i) {
    const auto p = bus.rpl(i).preferredParent();
    const auto y = bus.nodeByLinkLocal(*p);
    if (*y != 0) ++children[*y];
  }
  std::size_t victim = 0;
  int most = 0;
  for (const auto& [n, c] : children) {
    if (c > most) {
      most = c;
      victim = n;
    }
  }
  ASSERT_NE(victim, 0U);
  std::vector<std::size_t> orphans;
  for (std::size_t i = 1; i < bus.size(); ++i) {
    if (bus.rpl(i).preferredParent() == RplBus::linkLocalOf(victim)) orphans.push_back(i);
  }
  std::cout << "victim " << victim << " orphans " << orphans.size() << "\n";
  bus.kill(victim);
  // Application traffic upward every 10 s lets the children notice the dead parent.
  for (int round = 0; round < 30; ++round) {
    for (std::size_t i = 1; i < bus.size(); ++i) {
      if (bus.alive(i) && bus.rpl(i).joined()) bus.sendData(i, bus.rpl(0).dodagId());
    }
    bus.clock().advance(seconds(10));
  }
  for (std::size_t o : orphans) {
    SCOPED_TRACE(o);
    EXPECT_TRUE(bus.rpl(o).joined());
    EXPECT_NE(bus.rpl(o).preferredParent(), RplBus::linkLocalOf(victim));
    EXPECT_GE(bus.rpl(o).stats().parent_changes + bus.rpl(o).stats().local_repairs, 1U);
  }
  bus.delivered.clear();
  expectReachableBothWays(bus, "after parent loss");
}

TEST(RplNetwork, RandomFiftyNodesNonStoring) {
  randomNetwork(Mop::kNonStoring, 11);
}

TEST(RplNetwork, RandomFiftyNodesStoring) {
  randomNetwork(Mop::kStoringNoMulticast, 23);
}

TEST(RplNetwork, LeafNodeNeverAdvertisesARank) {
  RplBus bus(4);
  buildLine(bus, baseConfig());
  bus.setLeaf(3, baseConfig());
  bus.startAll();
  bus.clock().advance(seconds(60));
  EXPECT_TRUE(bus.rpl(3).joined());
  EXPECT_EQ(bus.rpl(3).rank(), 1792);  // its own rank, for itself only
  EXPECT_FALSE(bus.rpl(3).hasRank());
  EXPECT_FALSE(bus.rpl(3).joinMetric().has_value());
  EXPECT_EQ(bus.rpl(3).stats().dio_tx, 0U);
  EXPECT_GT(bus.rpl(3).stats().dao_tx, 0U);
  EXPECT_TRUE(bus.rpl(3).daoAcknowledged());
  expectReachableBothWays(bus, "leaf");
}

TEST(RplNetwork, LeafCannotBeAParent) {
  // 0 - 1 - 2 where 1 is a leaf: 2 never joins.
  RplBus bus(3);
  buildLine(bus, baseConfig());
  bus.setLeaf(1, baseConfig());
  bus.startAll();
  bus.clock().advance(seconds(120));
  EXPECT_TRUE(bus.rpl(1).joined());
  EXPECT_FALSE(bus.rpl(2).joined());
  EXPECT_GT(bus.rpl(2).stats().dis_tx, 1U);
}

TEST(RplNetwork, GlobalRepairNewVersion) {
  RplBus bus(6);
  buildLine(bus, baseConfig());
  bus.startAll();
  bus.clock().advance(seconds(60));
  const std::uint8_t v = bus.rpl(0).version();
  ASSERT_EQ(bus.rpl(0).globalRepair(), Error::kNone);
  bus.clock().advance(seconds(60));
  for (std::size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(bus.rpl(i).version(), lollipop::increment(v));
    EXPECT_TRUE(bus.rpl(i).joined());
  }
  EXPECT_EQ(bus.rpl(5).stats().global_repairs, 1U);
  expectReachableBothWays(bus, "after global repair");
}

TEST(RplNetwork, DtsnIncrementRefreshesDaos) {
  RplBus bus(4);
  buildLine(bus, baseConfig());
  bus.startAll();
  bus.clock().advance(seconds(60));
  const auto before = bus.rpl(3).stats().dao_tx;
  ASSERT_EQ(bus.rpl(0).requestDaoRefresh(), Error::kNone);
  bus.clock().advance(seconds(60));
  EXPECT_GT(bus.rpl(3).stats().dao_tx, before);
  EXPECT_TRUE(bus.rpl(3).daoAcknowledged());
}

TEST(RplNetwork, DaoRetransmittedUntilAcknowledged) {
  RplBus bus(3);
  buildLine(bus, baseConfig());
  int dropped = 0;
  // Lose the first two DAOs node 2 sends towards the root.
  bus.drop_hook = [&](std::size_t from, std::size_t, const RplBus::Packet& p) {
    if (from != 2 || p.data_id || p.icmp.size() < 2 || p.icmp[1] != code::kDao) return false;
    return dropped++ < 2;
  };
  bus.startAll();
  bus.clock().advance(seconds(60));
  EXPECT_EQ(dropped, 3);
  EXPECT_EQ(bus.rpl(2).stats().dao_retransmissions, 2U);
  EXPECT_TRUE(bus.rpl(2).daoAcknowledged());
  expectReachableBothWays(bus, "after retransmissions");
}

TEST(RplNetwork, RouteLifetimeExpires) {
  RplConfig c = baseConfig(Mop::kStoringNoMulticast);
  c.dodag.default_lifetime = 10;
  c.dodag.lifetime_unit = 6;  // 60 s
  RplBus bus(3);
  buildLine(bus, c);
  bus.startAll();
  bus.clock().advance(seconds(40));
  ASSERT_NE(bus.rpl(1).routes().find(bus.globalOf(2)), nullptr);
  // Refreshes keep the route alive well past one lifetime.
  bus.clock().advance(seconds(300));
  ASSERT_NE(bus.rpl(1).routes().find(bus.globalOf(2)), nullptr);
  ASSERT_NE(bus.rpl(0).routes().find(bus.globalOf(2)), nullptr);
  // Without refreshes (node 2 gone) the routes expire after the lifetime.
  bus.kill(2);
  bus.clock().advance(seconds(61));
  EXPECT_EQ(bus.rpl(1).routes().find(bus.globalOf(2)), nullptr);
  EXPECT_EQ(bus.rpl(0).routes().find(bus.globalOf(2)), nullptr);
}

TEST(RplNetwork, MulticastDisResetsTrickle) {
  RplBus bus(2);
  buildLine(bus, baseConfig());
  bus.rpl(0).start();
  bus.clock().advance(seconds(600));
  ASSERT_GT(bus.rpl(0).trickle().interval(), seconds(100));
  const auto resets = bus.rpl(0).trickle().stats().resets;
  bus.rpl(1).start();  // its DIS resets the root's timer: it joins within seconds
  bus.clock().advance(seconds(3));
  EXPECT_EQ(bus.rpl(0).trickle().stats().resets, resets + 1);
  EXPECT_TRUE(bus.rpl(1).joined());
}

}  // namespace
}  // namespace lpm::rpl
