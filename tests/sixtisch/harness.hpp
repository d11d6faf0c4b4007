// A simulated world of 6TiSCH nodes for tests: one SixtischNode per node and an observer
// that records, in simulated time, what every node reports.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "lpmesh/sim/world.hpp"
#include "lpmesh/sixtisch/node.hpp"

namespace lpm::sixtisch::test {

/// A configuration that forms networks quickly in tests: 11-slot slotframe (9 shared
/// cells a second), EBs every 16 s, synchronising on the first acceptable EB
/// (NUM_NEIGHBOURS_TO_WAIT 1, as Contiki-NG does): a scanning node hears a given neighbour's EB
/// only when it listens on the channel that EB hops to.
inline SixtischConfig fastConfig() {
  SixtischConfig c;
  c.tsch.slotframe_length = 11;
  c.tsch.eb_period = seconds(16);
  c.tsch.queue_capacity = 16;
  c.tsch.num_neighbours_to_wait = 1;
  c.tsch.max_eb_delay = seconds(30);
  return c;
}

class Harness : public SixtischObserver {
 public:
  explicit Harness(const sim::WorldConfig& config) : world(config) {}

  NodeId add(double x, double y) {
    sim::NodeConfig nc;
    nc.position = sim::Vec3{x, y, 0.0};
    const NodeId id = world.addNode(nc);
    nodes_.push_back(nullptr);
    sync_at.emplace_back();
    rank_at.emplace_back();
    dao_at.emplace_back();
    first_eb_at.emplace_back();
    eb_without_rank.push_back(0);
    desyncs.push_back(0);
    parent_changes.push_back(0);
    parent.emplace_back();
    up_sent.push_back(0);
    final_rpl.emplace_back();
    final_mac.emplace_back();
    return id;
  }

  Eui64 eui(NodeId id) { return world.platform(id).radio802154->eui64(); }
  std::optional<NodeId> idOf(const Eui64& e) {
    for (NodeId i = 0; i < world.nodeCount(); ++i) {
      if (eui(i) == e) return i;
    }
    return std::nullopt;
  }

  void setup(NodeId id, const SixtischConfig& config) {
    world.setStackFactory(id, [this, id, config](platform::Platform& p) {
      std::vector<std::unique_ptr<platform::Stack>> v;
      auto node = std::make_unique<SixtischNode>(p, config, this);
      nodes_[id] = node.get();
      v.push_back(std::move(node));
      return v;
    });
  }
  void powerAll(SimTime at = SimTime{}) {
    for (NodeId i = 0; i < world.nodeCount(); ++i)
      world.powerOn(i, at);
  }
  SixtischNode* node(NodeId id) { return nodes_[id]; }
  void run(Duration until) { world.runUntil(SimTime{until}); }
  void at(Duration t, std::function<void()> fn) {
    actions_.push_back(std::move(fn));
    world.kernel().schedule(SimTime{t}, &Harness::runAction, this, actions_.size() - 1);
  }

  /// The parent chain from `id` to the root (node 0) by preferred parents; empty on a
  /// loop or a missing parent.
  std::vector<NodeId> upwardPath(NodeId id) {
    std::vector<NodeId> path{id};
    std::set<NodeId> seen{id};
    NodeId cur = id;
    while (!node(cur)->isRoot()) {
      const rpl::Rpl* r = node(cur)->rpl();
      if (r == nullptr || !r->preferredParent()) return {};
      const auto p = idOf(ipv6::eui64FromIid(r->preferredParent()->iid()));
      if (!p || seen.count(*p) != 0 || node(*p) == nullptr) return {};
      seen.insert(*p);
      path.push_back(*p);
      cur = *p;
    }
    return path;
  }

  // --- SixtischObserver ---
  void onSynchronized(NodeId n) override {
    if (!sync_at[n]) sync_at[n] = world.now();
  }
  void onDesynchronized(NodeId n) override { ++desyncs[n]; }
  void onRankChanged(NodeId n, std::uint16_t rank) override {
    if (rank != rpl::kInfiniteRank && !rank_at[n]) rank_at[n] = world.now();
  }
  void onParentChanged(NodeId n, std::optional<Eui64> p) override {
    ++parent_changes[n];
    parent[n] = p ? idOf(*p) : std::nullopt;
  }
  void onDaoAcked(NodeId n) override {
    if (!dao_at[n]) dao_at[n] = world.now();
  }
  void onEbBuilt(NodeId n, bool had_rank) override {
    if (!first_eb_at[n]) first_eb_at[n] = world.now();
    if (!had_rank) ++eb_without_rank[n];
  }
  void onUpSent(NodeId n, std::uint32_t) override { ++up_sent[n]; }
  void onUpReceived(NodeId, NodeId origin, std::uint32_t seq) override {
    up_received[origin].insert(seq);
  }
  void onDownSent(NodeId, const Eui64& target, std::uint16_t seq) override {
    if (const auto id = idOf(target)) down_sent[*id].insert(seq);
  }
  void onDownReceived(NodeId n, std::uint16_t seq) override { down_received[n].insert(seq); }
  void onEchoReply(NodeId, const Eui64& from, std::uint16_t seq) override {
    if (const auto id = idOf(from)) echo_replies[*id].insert(seq);
  }
  void onStopped(NodeId n, const SixtischNode& s) override {
    final_rpl[n] = s.rplStats();
    final_mac[n] = s.mac().stats();
    nodes_[n] = nullptr;
  }

  std::vector<std::optional<SimTime>> sync_at, rank_at, dao_at, first_eb_at;
  std::vector<int> eb_without_rank, desyncs, parent_changes;
  std::vector<std::optional<NodeId>> parent;
  std::vector<std::uint64_t> up_sent;
  std::map<NodeId, std::set<std::uint32_t>> up_received;
  std::map<NodeId, std::set<std::uint16_t>> down_sent, down_received, echo_replies;
  std::vector<rpl::RplStats> final_rpl;
  std::vector<ieee802154::TschStats> final_mac;

 private:
  static void runAction(void* self, std::uint64_t index) {
    static_cast<Harness*>(self)->actions_[static_cast<std::size_t>(index)]();
  }
  std::vector<SixtischNode*> nodes_;
  std::deque<std::function<void()>> actions_;

 public:
  /// Declared last: destroyed first, while the stacks can still report to the members.
  sim::World world;
};

}  // namespace lpm::sixtisch::test
