// 6TiSCH networks in the simulator: formation (RFC 8180 §6), OF0 ranks over lossy links
// (§5.1.2), reachability up and down in non-storing and storing mode, parent loss, EB
// timing and the enrollment IE in EBs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
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

/// Per-node state, printed when LPM_DUMP is set (debugging aid).
void dump(Harness& h) {
  if (std::getenv("LPM_DUMP") == nullptr) return;
  for (NodeId i = 0; i < h.world.nodeCount(); ++i) {
    SixtischNode* n = h.node(i);
    if (n == nullptr) {
      std::cout << i << " off\n";
      continue;
    }
    const auto r = n->rplStats();
    const auto& m = n->mac().stats();
    const auto& s = n->stats();
    std::cout << i << " sync " << n->mac().isSynchronized() << " joined "
              << (n->rpl() && n->rpl()->joined()) << " rank " << (n->rpl() ? n->rpl()->rank() : 0)
              << " parent " << (h.parent[i] ? static_cast<int>(*h.parent[i]) : -1) << " desync "
              << h.desyncs[i] << " pchg " << r.parent_changes << " lrep " << r.local_repairs
              << " dio " << r.dio_tx << "/" << r.dio_rx << " dis " << r.dis_tx << " dao "
              << r.dao_tx << " ack " << r.dao_ack_rx << " fail " << r.dao_failed << " up "
              << h.up_received[i].size() << "/" << h.up_sent[i] << " noroute " << s.drop_no_route
              << " big " << s.drop_too_big << " q " << s.drop_mac_queue << " mal "
              << s.drop_malformed << " loop " << s.drop_loop << " fwd " << s.ip_forwarded
              << " macq " << m.drop_queue_full << " upfail " << m.upper_failed << " routes "
              << (n->rpl() ? n->rpl()->routes().size() : 0) << " ebtx " << m.eb_tx << " bctx "
              << m.broadcast_tx << " datatx " << m.data_tx << "/" << m.data_tx_acked << " katx "
              << m.ka_tx << " retries " << m.retries << " dioskip " << s.dio_skipped << "\n";
  }
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

/// 50 nodes at random in a 100 m square (root in a corner), unit-disk links of 30 m;
/// seeds are retried until the graph is connected.
void placeRandom(Harness& h, std::size_t n, std::uint64_t seed, double range) {
  Rng rng(seed);
  std::vector<std::pair<double, double>> pos(n);
  for (;;) {
    pos[0] = {5, 5};
    for (std::size_t i = 1; i < n; ++i)
      pos[i] = {rng.uniform(0, 100), rng.uniform(0, 100)};
    std::vector<bool> seen(n);
    std::vector<std::size_t> stack{0};
    seen[0] = true;
    std::size_t count = 1;
    while (!stack.empty()) {
      const std::size_t x = stack.back();
      stack.pop_back();
      for (std::size_t y = 0; y < n; ++y) {
        if (seen[y] ||
            std::hypot(pos[x].first - pos[y].first, pos[x].second - pos[y].second) >= range) {
          continue;
        }
        seen[y] = true;
        ++count;
        stack.push_back(y);
      }
    }
    if (count == n) break;
  }
  for (const auto& [x, y] : pos)
    h.add(x, y);
}

void randomNetwork(rpl::Mop mop, std::uint64_t seed) {
  const double range = 30.0;
  Harness h(unitDisk(range, seed));
  placeRandom(h, 50, seed, range);
  SixtischConfig c = test::fastConfig();
  c.rpl.mop = mop;
  // The minimal schedule gives the whole neighbourhood of the root one shared cell per
  // 70 ms slotframe: traffic that converges there must stay well below it.
  c.tsch.slotframe_length = 7;
  c.traffic.up_period = seconds(120);
  c.traffic.down_period = seconds(300);
  setupAll(h, c);
  h.powerAll();
  h.run(seconds(3600));
  dump(h);
  // Upward losses come from collisions in the shared cells (no scheduling function).
  expectFormedAndReachable(h, 0.8, "formed");
  std::size_t deepest = 0;
  for (NodeId i = 1; i < 50; ++i)
    deepest = std::max(deepest, h.upwardPath(i).size() - 1);
  EXPECT_GE(deepest, 3U);
  if (mop != rpl::Mop::kNonStoring) {
    // Storing mode: the tables lead from the root to every node hop by hop.
    for (NodeId i = 1; i < 50; ++i) {
      const ipv6::Address dst = *h.node(i)->rpl()->globalAddress();
      NodeId cur = 0;
      for (int hops = 0; cur != i; ++hops) {
        ASSERT_LT(hops, 50) << "loop towards " << i;
        const rpl::NextHop nh = h.node(cur)->rpl()->route(dst);
        ASSERT_EQ(nh.kind, rpl::NextHop::Kind::kDown) << "at " << cur << " for " << i;
        const auto next = h.idOf(ipv6::eui64FromIid(nh.neighbor.iid()));
        ASSERT_TRUE(next.has_value());
        cur = *next;
      }
    }
  }
  std::uint64_t dio = 0, dao = 0, eb = 0;
  for (NodeId i = 0; i < 50; ++i) {
    dio += h.node(i)->rplStats().dio_tx;
    dao += h.node(i)->rplStats().dao_tx;
    eb += h.node(i)->mac().stats().eb_tx;
    EXPECT_EQ(h.eb_without_rank[i], 0);
  }
  std::cout << "depth " << deepest << " DIO " << dio << " DAO " << dao << " EB " << eb << "\n";

  // Kill the router with the most children: they re-parent and stay synchronised.
  std::map<NodeId, int> children;
  for (NodeId i = 1; i < 50; ++i) {
    if (h.parent[i] && *h.parent[i] != 0) ++children[*h.parent[i]];
  }
  NodeId victim = 0;
  int most = 0;
  for (const auto& [n, k] : children) {
    if (k > most) {
      most = k;
      victim = n;
    }
  }
  ASSERT_NE(victim, 0U);
  std::vector<NodeId> orphans;
  for (NodeId i = 1; i < 50; ++i) {
    if (h.parent[i] == victim) orphans.push_back(i);
  }
  std::map<NodeId, std::pair<std::size_t, std::size_t>> before;
  for (NodeId i = 1; i < 50; ++i)
    before[i] = {h.up_received[i].size(), h.echo_replies[i].size()};
  const std::vector<int> desyncs_before = h.desyncs;
  h.world.powerOff(victim, h.world.now());
  h.run(seconds(3600 + 1800));
  dump(h);
  std::cout << "victim " << victim << " orphans " << orphans.size() << "\n";
  for (NodeId o : orphans) {
    SCOPED_TRACE(o);
    ASSERT_NE(h.node(o), nullptr);
    EXPECT_NE(h.parent[o], std::optional<NodeId>(victim));
    EXPECT_EQ(h.desyncs[o], desyncs_before[o]) << "lost synchronisation";
    EXPECT_NE(h.node(o)->mac().timeSource(), h.eui(victim));
  }
  for (NodeId i = 1; i < 50; ++i) {
    if (i == victim) continue;
    SCOPED_TRACE(i);
    EXPECT_FALSE(h.upwardPath(i).empty());
    EXPECT_GT(h.up_received[i].size(), before[i].first) << "nothing up after the loss";
    EXPECT_GT(h.echo_replies[i].size(), before[i].second) << "no ping answered after the loss";
  }
}

TEST(SixtischNetwork, RandomFiftyNodesNonStoring) {
  randomNetwork(rpl::Mop::kNonStoring, 5);
}

TEST(SixtischNetwork, RandomFiftyNodesStoring) {
  randomNetwork(rpl::Mop::kStoringNoMulticast, 9);
}

// RFC 8180 §6.2: a node that loses every time-source neighbour desynchronises, drops
// its RPL state and joins again once a neighbour is back.
TEST(SixtischNetwork, LosingEveryTimeSourceMeansResync) {
  Harness h(unitDisk(25, 4));
  for (int i = 0; i < 3; ++i)
    h.add(20.0 * i, 0);  // 0 - 1 - 2
  SixtischConfig c = test::fastConfig();
  c.traffic.up_period = seconds(30);
  setupAll(h, c);
  h.powerAll();
  h.run(seconds(900));
  ASSERT_TRUE(h.node(2)->rpl()->joined());
  ASSERT_EQ(h.desyncs[2], 0);
  h.world.powerOff(1, h.world.now());
  h.run(seconds(900 + 400));
  EXPECT_GE(h.desyncs[2], 1);
  EXPECT_FALSE(h.node(2)->mac().isSynchronized());
  EXPECT_EQ(h.node(2)->rpl(), nullptr);  // no RPL without synchronisation
  const auto received = h.up_received[2].size();
  h.world.powerOn(1, h.world.now());
  h.run(seconds(900 + 400 + 1800));
  EXPECT_TRUE(h.node(2)->mac().isSynchronized());
  ASSERT_NE(h.node(2)->rpl(), nullptr);
  EXPECT_TRUE(h.node(2)->rpl()->joined());
  EXPECT_EQ(h.parent[2], std::optional<NodeId>(1));
  EXPECT_GT(h.up_received[2].size(), received);
}

// RFC 8180 §6.3: no EB before a rank. A leaf (RFC 8180 §5.2) never advertises one, so
// it never sends EBs; every router's first EB follows its rank. The enrollment IE of
// every router carries the root's network ID (SHA-256 of the prefix, RFC 9032) and PAN
// priority, learnt from the DIOs.
TEST(SixtischNetwork, NoEbBeforeRankAndEnrollmentIe) {
  Harness h(unitDisk(30, 3));
  for (int i = 0; i < 5; ++i)
    h.add(20.0 * i, 0);  // a line: each node hears its neighbours
  h.add(80, 15);         // node 5, a leaf next to node 4
  SixtischConfig c = test::fastConfig();
  c.pan_priority = 0x21;
  c.traffic.up_period = seconds(30);
  c.traffic.down_period = seconds(60);
  for (NodeId i = 0; i < 6; ++i) {
    SixtischConfig ci = c;
    ci.root = i == 0;
    ci.rpl.leaf = i == 5;
    h.setup(i, ci);
  }
  h.powerAll();
  h.run(seconds(1800));
  const Bytes network_id = defaultNetworkId(c.rpl.prefix.address, 8);
  for (NodeId i = 0; i < 6; ++i) {
    SCOPED_TRACE(i);
    ASSERT_NE(h.node(i), nullptr);
    EXPECT_EQ(h.eb_without_rank[i], 0);
    if (i == 5) {
      EXPECT_TRUE(h.node(i)->rpl()->joined());
      EXPECT_FALSE(h.node(i)->rpl()->hasRank());
      EXPECT_EQ(h.node(i)->mac().stats().eb_tx, 0U);
      EXPECT_FALSE(h.first_eb_at[i].has_value());
      EXPECT_FALSE(h.echo_replies[i].empty());  // a leaf is still reachable downward
      continue;
    }
    EXPECT_GT(h.node(i)->mac().stats().eb_tx, 0U);
    ASSERT_TRUE(h.first_eb_at[i].has_value());
    if (i > 0) {
      ASSERT_TRUE(h.rank_at[i].has_value());
      EXPECT_GE(*h.first_eb_at[i], *h.rank_at[i]);
      EXPECT_GE(*h.rank_at[i], *h.sync_at[i]);
    }
    const auto ie = h.node(i)->enrollmentIe();
    ASSERT_TRUE(ie.has_value());
    EXPECT_TRUE(ie->router);
    EXPECT_EQ(ie->pan_priority, 0x21);
    EXPECT_EQ(ie->network_id, network_id);
    EXPECT_EQ(ie->proxy_priority, c.proxy_priority);
    // Rank priority: DAGRank x 16 plus the queue load (< 16).
    EXPECT_EQ(ie->rank_priority / 16, rpl::of0::dagRank(h.node(i)->rpl()->rank()));
  }
}

}  // namespace

// Pledge behaviour with the RFC 9032 enrollment IE (node.hpp chooseTimeSource()).
TEST(SixtischEnrollment, PledgeChoosesByPanPriorityAndSkipsNeverProxies) {
  sim::WorldConfig wc;
  sim::World world(wc);
  world.addNode(sim::NodeConfig{});
  world.finalizeTopology();
  SixtischConfig c;
  SixtischNode node(world.platform(0), c, nullptr);
  auto candidate = [](std::uint8_t jm, std::int8_t rssi, std::optional<EnrollmentIe> ie) {
    ieee802154::TschCandidate cand;
    cand.eb.sync.join_metric = jm;
    cand.rssi_dbm = rssi;
    if (ie) cand.eb.ietf.push_back(*ie->toIetfIe());
    return cand;
  };
  EnrollmentIe a;
  a.proxy_priority = 0;
  a.pan_priority = 0x80;
  a.network_id = {1, 2, 3};
  EnrollmentIe b = a;
  b.pan_priority = 0x10;  // another PAN, preferred
  b.network_id = {4, 5, 6};
  EnrollmentIe never = a;
  never.proxy_priority = kProxyPriorityNever;
  // Never a proxy: not acceptable to a pledge.
  EXPECT_FALSE(node.acceptsTimeSource(candidate(0, -50, never)));
  EXPECT_TRUE(node.acceptsTimeSource(candidate(0, -50, a)));
  EXPECT_TRUE(node.acceptsTimeSource(candidate(0, -50, std::nullopt)));  // no IE
  // Lower PAN priority wins over a lower Join Metric; within a PAN, Join Metric, then RSSI.
  std::vector<ieee802154::TschCandidate> cands{candidate(0, -40, a), candidate(3, -80, b),
                                               candidate(2, -60, b)};
  EXPECT_EQ(node.chooseTimeSource(cands), std::optional<std::size_t>(2));
  std::vector<ieee802154::TschCandidate> same{candidate(1, -70, a), candidate(1, -50, a),
                                              candidate(2, -30, a)};
  EXPECT_EQ(node.chooseTimeSource(same), std::optional<std::size_t>(1));
}

// A pledge whose PAN gives no rank in time gives it up and skips its network ID.
TEST(SixtischEnrollment, TriedNetworkIsSkipped) {
  // The root's first DIO comes only after about 2^20 ms and the pledge does not solicit
  // one: synchronised, it has no rank when its 60 s run out.
  sim::WorldConfig wc;
  wc.propagation.kind = sim::PropagationKind::kUnitDisk;
  wc.propagation.range_m = 30;
  Harness h(wc);
  h.add(0, 0);
  h.add(10, 0);
  SixtischConfig root = test::fastConfig();
  root.root = true;
  root.network_id = Bytes{0xaa, 0xbb};
  root.rpl.dodag.dio_interval_min = 20;
  root.rpl.dodag.dio_redundancy_constant = 1;
  SixtischConfig pledge = test::fastConfig();
  pledge.join_give_up = seconds(60);
  pledge.rpl.dis_interval = seconds(3600);
  pledge.rpl.dis_start_jitter = seconds(3600);
  h.setup(0, root);
  h.setup(1, pledge);
  h.powerAll();
  h.run(seconds(900));
  ASSERT_NE(h.node(1), nullptr);
  EXPECT_EQ(h.node(1)->stats().networks_given_up, 1U);
  ASSERT_EQ(h.node(1)->triedNetworks().size(), 1U);
  EXPECT_EQ(h.node(1)->triedNetworks()[0], (Bytes{0xaa, 0xbb}));
  // It does not synchronise to that network again.
  EXPECT_FALSE(h.node(1)->mac().isSynchronized());
  EXPECT_EQ(h.sync_at[1].has_value(), true);
}

}  // namespace lpm::sixtisch
