// The `tsch` stack kind (issue #4 §4): an IEEE 802.15.4 TSCH network in the RFC 8180
// minimal configuration. One `stacks:` entry is one network: a PAN coordinator and the
// nodes that join it, the schedule and timers, keys and joining mode, an optional
// static time-source tree, and raw data traffic to the coordinator in the minimal cell.
//
//   - kind: tsch
//     nodes: 0-19
//     coordinator: 0
//     slotframe_length: 101
//     eb_period: 16s
//     security: {enabled: true, join_mode: k1k2}   # k1k2 | k1 | none
//     traffic: {period: 30s, size: 16}
//     static_tree: auto        # or a map child: parent, e.g. {1: 0, 2: 1}
//
// Reported (summary.json "stacks.tsch"): time to synchronise per node (first EB heard to
// synchronised), synchronised nodes at the end, desynchronisations, MAC counters and
// PDR, end-to-end PDR of the traffic, drops by reason, radio duty cycle of its nodes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "lpmesh/ieee802154/tsch_config.hpp"
#include "lpmesh/ieee802154/tsch_node.hpp"
#include "lpmesh/scenario/stack_registry.hpp"

namespace lpm::scenario {

/// How time sources are chosen.
enum class TschTreeMode : std::uint8_t {
  kNone,      ///< by Join Metric among the EBs heard (RFC 8180 §6.2)
  kExplicit,  ///< child -> parent as listed
  kAuto,      ///< shortest-hop tree over links at least `tree_min_rx_dbm` strong
};

struct TschKindParams {
  ieee802154::TschConfig mac;  ///< `coordinator` is set per node
  NodeId coordinator = 0;
  ieee802154::TschTrafficConfig traffic;  ///< destination filled in per run
  TschTreeMode tree = TschTreeMode::kNone;
  std::map<NodeId, NodeId> parents;  ///< kExplicit
  double tree_min_rx_dbm = -85.0;    ///< kAuto
};

class TschKindConfig final : public StackConfig {
 public:
  explicit TschKindConfig(TschKindParams params) : params_(std::move(params)) {}
  const TschKindParams& params() const { return params_; }
  Radios radios() const override;
  std::string describe() const override;

 private:
  TschKindParams params_;
};

/// A static time-source tree over `nodes` rooted at `root`: breadth-first over the
/// links whose received power at `tx_power_dbm` is at least `min_rx_dbm` both ways, each
/// node taking the strongest link into the previous layer. Nodes it cannot reach are
/// left out.
std::map<NodeId, NodeId> buildStaticTree(const sim::World& world, const std::vector<NodeId>& nodes,
                                         NodeId root, double min_rx_dbm, double tx_power_dbm);

std::unique_ptr<StackKind> makeTschKind();

}  // namespace lpm::scenario
