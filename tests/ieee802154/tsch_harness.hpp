// A simulated world of TSCH nodes for the TSCH tests: nodes with positions and clock
// drift, one TschNode stack each, and an observer that records what the nodes report.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "lpmesh/ieee802154/tsch_node.hpp"
#include "lpmesh/sim/world.hpp"

namespace lpm::ieee802154::test {

/// Unit-disk world: every node within `range_m` hears every other at -60 dBm.
inline sim::WorldConfig unitDiskWorld(std::uint64_t seed = 1, double range_m = 50.0) {
  sim::WorldConfig c;
  c.seed = seed;
  c.propagation.kind = sim::PropagationKind::kUnitDisk;
  c.propagation.range_m = range_m;
  c.propagation.unit_disk_rx_dbm = -60.0;
  return c;
}

class TschHarness : public TschNodeObserver {
 public:
  explicit TschHarness(const sim::WorldConfig& config) : world(config) {}

  NodeId add(double x, double y, double drift_ppm = 0.0) {
    sim::NodeConfig nc;
    nc.position = sim::Vec3{x, y, 0.0};
    nc.drift_ppm = drift_ppm;
    const NodeId id = world.addNode(nc);
    nodes_.push_back(nullptr);
    synced.push_back(0);
    desynced.push_back(0);
    time_to_sync.emplace_back();
    done_ok.push_back(0);
    done_failed.push_back(0);
    generated.push_back(0);
    final_stats.emplace_back();
    return id;
  }

  Eui64 eui(NodeId id) { return world.platform(id).radio802154->eui64(); }

  /// Installs the node's stack factory.
  void setup(NodeId id, const TschConfig& config, std::optional<NodeId> time_source = {},
             const TschTrafficConfig& traffic = {}) {
    std::optional<Eui64> fixed;
    if (time_source) fixed = eui(*time_source);
    world.setStackFactory(id, [this, id, config, fixed, traffic](platform::Platform& p) {
      std::vector<std::unique_ptr<platform::Stack>> v;
      auto node = std::make_unique<TschNode>(p, config, fixed, traffic, this);
      nodes_[id] = node.get();
      v.push_back(std::move(node));
      return v;
    });
  }

  void powerAll(SimTime at = SimTime{}) {
    for (NodeId i = 0; i < world.nodeCount(); ++i)
      world.powerOn(i, at);
  }

  /// The live stack of a node (null while it is off).
  TschNode* node(NodeId id) { return nodes_[id]; }
  TschMac& mac(NodeId id) { return nodes_[id]->mac(); }

  void run(Duration until) { world.runUntil(SimTime{until}); }

  /// Runs `fn` at simulated time `t`.
  void at(Duration t, std::function<void()> fn) {
    actions_.push_back(std::move(fn));
    world.kernel().schedule(SimTime{t}, &TschHarness::runAction, this, actions_.size() - 1);
  }

  /// Received traffic packets: (receiver, origin) -> distinct counters.
  std::map<std::pair<NodeId, NodeId>, std::map<std::uint32_t, int>> received;

  std::size_t distinctReceived(NodeId receiver, NodeId origin) const {
    auto it = received.find({receiver, origin});
    return it == received.end() ? 0 : it->second.size();
  }

  // TschNodeObserver
  void onSynchronized(NodeId node, std::optional<Duration> tts, Duration) override {
    ++synced[node];
    if (tts) time_to_sync[node] = *tts;
  }
  void onDesynchronized(NodeId node) override { ++desynced[node]; }
  void onPacketGenerated(NodeId node, std::uint32_t, bool) override { ++generated[node]; }
  void onPacketDone(NodeId node, Error status, std::uint8_t) override {
    if (status == Error::kNone) {
      ++done_ok[node];
    } else {
      ++done_failed[node];
    }
  }
  void onPacketReceived(NodeId node, NodeId origin, std::uint32_t counter) override {
    ++received[{node, origin}][counter];
  }
  void onStopped(NodeId node, const TschStats& stats) override {
    final_stats[node] = stats;
    nodes_[node] = nullptr;
  }

  std::vector<int> synced, desynced;
  std::vector<std::optional<Duration>> time_to_sync;
  std::vector<int> done_ok, done_failed, generated;
  std::vector<TschStats> final_stats;

 private:
  static void runAction(void* self, std::uint64_t index) {
    static_cast<TschHarness*>(self)->actions_[static_cast<std::size_t>(index)]();
  }

  std::vector<TschNode*> nodes_;
  std::deque<std::function<void()>> actions_;

 public:
  /// Declared last: destroyed first, while the stacks can still report to the members.
  sim::World world;
};

}  // namespace lpm::ieee802154::test
