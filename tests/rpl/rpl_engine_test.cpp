// One RPL engine fed by hand: hysteresis (RFC 8180 §6.4), the ETX limit, neighbour
// unreachability, poisoning, RPI loop detection and DIS handling.
#include <gtest/gtest.h>

#include <map>

#include "lpmesh/rpl/rpl.hpp"
#include "tests/rpl/test_clock.hpp"

namespace lpm::rpl {
namespace {

class FakeLink final : public RplLink {
 public:
  struct Sent {
    ipv6::Address dst;
    Message message;
  };
  Error sendRpl(const ipv6::Address& dst, const Message& message) override {
    sent.push_back({dst, message});
    return Error::kNone;
  }
  std::optional<LinkMetrics> linkMetrics(const ipv6::Address& neighbor) const override {
    auto it = metrics.find(neighbor);
    if (it == metrics.end()) return std::nullopt;
    return it->second;
  }
  void onRplEvent(RplEvent e) override { events.push_back(e); }

  template <class T>
  std::vector<std::pair<ipv6::Address, T>> sentOf() const {
    std::vector<std::pair<ipv6::Address, T>> out;
    for (const Sent& s : sent) {
      if (const T* m = std::get_if<T>(&s.message)) out.emplace_back(s.dst, *m);
    }
    return out;
  }

  std::vector<Sent> sent;
  std::map<ipv6::Address, LinkMetrics> metrics;
  std::vector<RplEvent> events;
};

const ipv6::Address kRootId = ipv6::Address::literal("fd00::1");
const ipv6::Address kA = ipv6::Address::literal("fe80::a");
const ipv6::Address kB = ipv6::Address::literal("fe80::b");
const ipv6::Address kC = ipv6::Address::literal("fe80::c");

struct Fixture {
  test::TestClock clock;
  Rng rng{42};
  platform::Platform platform{};
  FakeLink link;
  std::unique_ptr<Rpl> rpl;

  explicit Fixture(RplConfig config = {}) {
    platform.timers = &clock;
    platform.random = &rng;
    config.iid = ipv6::Iid{0, 0, 0, 0, 0, 0, 0, 0x99};
    rpl = std::make_unique<Rpl>(platform, config, link);
    rpl->start();
  }

  Dio dio(std::uint16_t rank, std::uint8_t version = 240, std::uint8_t dtsn = 240) const {
    Dio d;
    d.instance_id = 0;
    d.version = version;
    d.rank = rank;
    d.grounded = true;
    d.mop = Mop::kNonStoring;
    d.dtsn = dtsn;
    d.dodag_id = kRootId;
    d.options.add(DodagConfiguration{});
    PrefixInformation pio;
    pio.prefix_length = 64;
    pio.autonomous = true;
    pio.prefix = ipv6::Address::literal("fd00::");
    d.options.add(pio);
    return d;
  }
  void hear(const ipv6::Address& from, const Dio& d) {
    rpl->receive(from, ipv6::kAllRplNodes, Message{d});
  }
};

TEST(RplEngine, JoinsOnFirstDioAndComputesOf0Rank) {
  Fixture f;
  EXPECT_FALSE(f.rpl->joined());
  f.link.metrics[kA] = {100, 75};
  f.hear(kA, f.dio(256));
  EXPECT_TRUE(f.rpl->joined());
  EXPECT_EQ(f.rpl->rank(), 768);
  EXPECT_EQ(f.rpl->preferredParent(), kA);
  EXPECT_EQ(f.rpl->joinMetric(), std::optional<std::uint8_t>(2));
  ASSERT_TRUE(f.rpl->globalAddress().has_value());
  EXPECT_EQ(*f.rpl->globalAddress(), ipv6::Address::literal("fd00::99"));
  // The DAO follows after DelayDAO, to the root, with the parent's global address.
  f.clock.advance(seconds(2));
  const auto daos = f.link.sentOf<Dao>();
  ASSERT_EQ(daos.size(), 1U);
  EXPECT_EQ(daos[0].first, kRootId);
  const auto* transit = daos[0].second.options.find<TransitInformation>();
  ASSERT_NE(transit, nullptr);
  EXPECT_EQ(transit->parent, ipv6::Address::literal("fd00::a"));
  const auto* target = daos[0].second.options.find<Target>();
  ASSERT_NE(target, nullptr);
  EXPECT_EQ(target->prefix, ipv6::Address::literal("fd00::99"));
}

TEST(RplEngine, UnknownLinkUsesDefaultEtx) {
  Fixture f;
  f.hear(kA, f.dio(256));  // no statistics yet: ETX 2 -> Sp 4 -> +1024
  EXPECT_EQ(f.rpl->rank(), 256 + 1024);
}

TEST(RplEngine, EtxAboveThreeIsNotAParent) {
  Fixture f;
  f.link.metrics[kA] = {301, 100};
  f.hear(kA, f.dio(256));
  EXPECT_FALSE(f.rpl->joined());
  f.link.metrics[kA] = {300, 100};  // exactly 3 is acceptable (Sp 7)
  f.hear(kA, f.dio(256));
  EXPECT_TRUE(f.rpl->joined());
  EXPECT_EQ(f.rpl->rank(), 256 + 7 * 256);
}

// RFC 8180 §6.4: switch only when the candidate's path is better by more than 640.
TEST(RplEngine, HysteresisKeepsParentWithin640) {
  Fixture f;
  f.link.metrics[kA] = {100, 75};
  f.link.metrics[kB] = {100, 75};
  f.hear(kA, f.dio(768));  // via A: 1280
  ASSERT_EQ(f.rpl->rank(), 1280);
  f.hear(kB, f.dio(256));  // via B: 768, better by 512 <= 640: stay
  EXPECT_EQ(f.rpl->preferredParent(), kA);
  EXPECT_EQ(f.rpl->rank(), 1280);
  EXPECT_EQ(f.rpl->stats().parent_changes, 0U);
  // B becomes an ETX-1 link: via B 512, better by 768 > 640: switch.
  f.link.metrics[kB] = {100, 100};
  f.rpl->onLinkMetricsChanged();
  EXPECT_EQ(f.rpl->preferredParent(), kB);
  EXPECT_EQ(f.rpl->rank(), 512);
  EXPECT_EQ(f.rpl->stats().parent_changes, 1U);
  // The parent set keeps A as an alternate only if its DAGRank is lower than ours: 768 (3)
  // is not lower than 512 (2).
  EXPECT_EQ(f.rpl->parentSet().size(), 1U);
}

TEST(RplEngine, HysteresisExactThresholdDoesNotSwitch) {
  Fixture f;
  f.link.metrics[kA] = {100, 100};  // +256
  f.link.metrics[kB] = {100, 100};
  f.hear(kA, f.dio(1152));  // 1408
  f.hear(kB, f.dio(512));   // 768: better by exactly 640, not more
  EXPECT_EQ(f.rpl->preferredParent(), kA);
  f.hear(kB, f.dio(511));  // 767: better by 641
  EXPECT_EQ(f.rpl->preferredParent(), kB);
}

TEST(RplEngine, DegradedParentIsLeftEvenWithinThreshold) {
  Fixture f;
  f.link.metrics[kA] = {100, 100};
  f.link.metrics[kB] = {100, 100};
  f.hear(kA, f.dio(256));  // 512
  f.hear(kB, f.dio(300));  // 556, no switch
  EXPECT_EQ(f.rpl->preferredParent(), kA);
  f.link.metrics[kA] = {400, 100};  // ETX 4: A no longer acceptable
  f.rpl->onLinkMetricsChanged();
  EXPECT_EQ(f.rpl->preferredParent(), kB);
  EXPECT_EQ(f.rpl->rank(), 556);
}

TEST(RplEngine, RepeatedTxFailuresMakeParentUnreachable) {
  RplConfig c;
  c.max_consecutive_failures = 3;
  Fixture f(c);
  f.link.metrics[kA] = {100, 100};
  f.link.metrics[kB] = {100, 75};
  f.hear(kA, f.dio(256));
  f.hear(kB, f.dio(256));
  ASSERT_EQ(f.rpl->preferredParent(), kA);
  f.rpl->onUnicastResult(kA, false);
  f.rpl->onUnicastResult(kA, true);  // an ACK clears the count
  f.rpl->onUnicastResult(kA, false);
  f.rpl->onUnicastResult(kA, false);
  EXPECT_EQ(f.rpl->preferredParent(), kA);
  f.rpl->onUnicastResult(kA, false);
  EXPECT_EQ(f.rpl->preferredParent(), kB);
  // A's DIOs within the hold do not bring it back.
  f.hear(kA, f.dio(256));
  EXPECT_EQ(f.rpl->preferredParent(), kB);
  // After the hold, a DIO makes it a candidate again (and it is better by > 640? no:
  // 512 vs 768, better by 256: B stays).
  f.clock.advance(seconds(61));
  f.hear(kA, f.dio(256));
  EXPECT_EQ(f.rpl->preferredParent(), kB);
  EXPECT_TRUE(f.rpl->findNeighbor(kA)->unreachable_since == std::nullopt);
}

// RFC 6550 §8.2.2.5: with no parent left the node detaches, poisons (INFINITE_RANK DIO),
// holds, then solicits DIOs and rejoins.
TEST(RplEngine, LocalRepairPoisonsThenRejoins) {
  Fixture f;
  f.link.metrics[kA] = {100, 75};
  f.hear(kA, f.dio(256));
  ASSERT_TRUE(f.rpl->joined());
  f.clock.advance(seconds(30));
  f.link.sent.clear();
  f.hear(kA, f.dio(kInfiniteRank));  // the parent poisons its sub-DODAG
  EXPECT_FALSE(f.rpl->joined());
  EXPECT_FALSE(f.rpl->hasRank());
  EXPECT_FALSE(f.rpl->joinMetric().has_value());
  EXPECT_EQ(f.rpl->rank(), kInfiniteRank);
  EXPECT_EQ(f.rpl->stats().local_repairs, 1U);
  f.clock.advance(seconds(1));
  const auto dios = f.link.sentOf<Dio>();
  ASSERT_FALSE(dios.empty());
  EXPECT_EQ(dios.front().second.rank, kInfiniteRank);
  // DIOs during the hold are ignored.
  f.hear(kA, f.dio(256));
  EXPECT_FALSE(f.rpl->joined());
  f.clock.advance(seconds(5));
  // After the hold: what is known of A (rank 256) is used at once.
  EXPECT_TRUE(f.rpl->joined());
  EXPECT_EQ(f.rpl->rank(), 768);
}

TEST(RplEngine, DetachesWithOnlyHigherRankNeighbours) {
  Fixture f;
  f.link.metrics[kA] = {100, 75};
  f.link.metrics[kC] = {100, 75};
  f.hear(kA, f.dio(256));
  ASSERT_EQ(f.rpl->rank(), 768);
  f.hear(kC, f.dio(1280));  // a child of ours: never a parent while we hold rank 768
  f.hear(kA, f.dio(kInfiniteRank));
  EXPECT_FALSE(f.rpl->joined());
}

// RFC 6550 §11.2.2.2 rank checks with the RPI.
TEST(RplEngine, RpiLoopDetection) {
  Fixture f;
  f.link.metrics[kA] = {100, 75};
  f.hear(kA, f.dio(256));
  ASSERT_EQ(f.rpl->rank(), 768);
  // Up from a child (rank 1280): consistent; SenderRank rewritten.
  ipv6::RplOption up;
  up.sender_rank = 1280;
  EXPECT_EQ(f.rpl->processRpi(up, false), RpiVerdict::kForward);
  EXPECT_FALSE(up.rank_error);
  EXPECT_EQ(up.sender_rank, 768);
  EXPECT_FALSE(up.down);
  // "Up" but from a lower rank: inconsistent, R set and forwarded.
  ipv6::RplOption bad;
  bad.sender_rank = 256;
  EXPECT_EQ(f.rpl->processRpi(bad, false), RpiVerdict::kForward);
  EXPECT_TRUE(bad.rank_error);
  EXPECT_EQ(f.rpl->stats().rank_errors, 1U);
  // A second inconsistency on the same packet: dropped.
  bad.sender_rank = 256;
  EXPECT_EQ(f.rpl->processRpi(bad, false), RpiVerdict::kDrop);
  EXPECT_EQ(f.rpl->stats().loop_drops, 1U);
  // "Down" from a higher rank is inconsistent too.
  ipv6::RplOption down;
  down.down = true;
  down.sender_rank = 2000;
  EXPECT_EQ(f.rpl->processRpi(down, true), RpiVerdict::kForward);
  EXPECT_TRUE(down.rank_error);
  // Equal DAGRank is not an error.
  ipv6::RplOption same;
  same.sender_rank = 800;
  EXPECT_EQ(f.rpl->processRpi(same, false), RpiVerdict::kForward);
  EXPECT_FALSE(same.rank_error);
}

TEST(RplEngine, DisHandling) {
  RplConfig c;
  c.root = true;
  Fixture f(c);
  f.clock.advance(seconds(300));
  f.link.sent.clear();
  // Unicast DIS: a unicast DIO back, no reset.
  const auto resets = f.rpl->trickle().stats().resets;
  f.rpl->receive(kA, f.rpl->linkLocal(), Message{Dis{}});
  auto dios = f.link.sentOf<Dio>();
  ASSERT_EQ(dios.size(), 1U);
  EXPECT_EQ(dios[0].first, kA);
  EXPECT_EQ(dios[0].second.rank, 256);
  ASSERT_NE(dios[0].second.options.find<DodagConfiguration>(), nullptr);
  ASSERT_NE(dios[0].second.options.find<PrefixInformation>(), nullptr);
  EXPECT_EQ(f.rpl->trickle().stats().resets, resets);
  // Multicast DIS with a Solicited Information option that does not match: ignored.
  Dis dis;
  SolicitedInformation sio;
  sio.match_instance = true;
  sio.instance_id = 7;
  dis.options.add(sio);
  f.rpl->receive(kA, ipv6::kAllRplNodes, Message{dis});
  EXPECT_EQ(f.rpl->trickle().stats().resets, resets);
  // Plain multicast DIS: reset.
  f.rpl->receive(kA, ipv6::kAllRplNodes, Message{Dis{}});
  EXPECT_EQ(f.rpl->trickle().stats().resets, resets + 1);
}

TEST(RplEngine, IgnoresNonOf0Dodag) {
  Fixture f;
  f.link.metrics[kA] = {100, 75};
  Dio d = f.dio(256);
  d.options.list.clear();
  DodagConfiguration cfg;
  cfg.ocp = 1;  // MRHOF
  d.options.add(cfg);
  f.hear(kA, d);
  EXPECT_FALSE(f.rpl->joined());
  EXPECT_EQ(f.rpl->stats().rx_dropped, 1U);
}

TEST(RplEngine, DioWithoutConfigurationAsksForIt) {
  Fixture f;
  Dio d = f.dio(256);
  d.options.list.clear();
  f.hear(kA, d);
  EXPECT_FALSE(f.rpl->joined());
  const auto dis = f.link.sentOf<Dis>();
  ASSERT_FALSE(dis.empty());
  EXPECT_EQ(dis.back().first, kA);
}

TEST(RplEngine, ReceiveIcmpChecksChecksum) {
  Fixture f;
  f.link.metrics[kA] = {100, 75};
  auto icmp = buildIcmpv6Message(kA, ipv6::kAllRplNodes, Message{f.dio(256)});
  ASSERT_TRUE(icmp.ok());
  Bytes bad = *icmp;
  bad[2] ^= 1;
  EXPECT_EQ(f.rpl->receiveIcmp(kA, ipv6::kAllRplNodes, bad), Error::kMalformed);
  EXPECT_FALSE(f.rpl->joined());
  EXPECT_EQ(f.rpl->receiveIcmp(kA, ipv6::kAllRplNodes, *icmp), Error::kNone);
  EXPECT_TRUE(f.rpl->joined());
}

TEST(RplEngine, RootSourceRouteAndLoopDetection) {
  RplConfig c;
  c.root = true;
  Fixture f(c);
  const ipv6::Address root = f.rpl->dodagId();
  const ipv6::Address n1 = ipv6::Address::literal("fd00::11");
  const ipv6::Address n2 = ipv6::Address::literal("fd00::22");
  const ipv6::Address n3 = ipv6::Address::literal("fd00::33");
  auto dao = [&](const ipv6::Address& target, const ipv6::Address& parent, std::uint8_t seq) {
    Dao d;
    d.ack_requested = true;
    d.sequence = seq;
    Target t;
    t.prefix = target;
    TransitInformation tr;
    tr.path_sequence = seq;
    tr.path_lifetime = 0xff;
    tr.parent = parent;
    d.options.add(t);
    d.options.add(tr);
    f.rpl->receive(target, root, Message{d});
  };
  dao(n1, root, 1);
  dao(n2, n1, 1);
  dao(n3, n2, 1);
  EXPECT_EQ(f.rpl->stats().dao_ack_tx, 3U);
  EXPECT_EQ(f.link.sentOf<DaoAck>().back().first, n3);
  std::vector<ipv6::Address> hops;
  ASSERT_EQ(f.rpl->sourceRoute(n3, hops), Error::kNone);
  EXPECT_EQ(hops, (std::vector<ipv6::Address>{n1, n2, n3}));
  EXPECT_EQ(f.rpl->route(n3).kind, NextHop::Kind::kSourceRoute);
  // A stale path sequence does not overwrite.
  dao(n1, n3, 0);
  ASSERT_EQ(f.rpl->sourceRoute(n3, hops), Error::kNone);
  // A newer one making a loop n1 -> n3 -> n2 -> n1 is refused when routing.
  dao(n1, n3, 2);
  EXPECT_EQ(f.rpl->sourceRoute(n3, hops), Error::kMalformed);
  EXPECT_EQ(f.rpl->sourceRoute(ipv6::Address::literal("fd00::44"), hops), Error::kNotFound);
  EXPECT_EQ(f.rpl->route(ipv6::Address::literal("fd00::44")).kind, NextHop::Kind::kNone);
}

}  // namespace
}  // namespace lpm::rpl
