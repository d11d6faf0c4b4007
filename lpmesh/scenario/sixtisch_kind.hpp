// The `sixtisch` stack kind (issue #5 §4): a 6TiSCH network (RFC 8180) of one root (6LBR,
// DODAG root, PAN coordinator) and nodes that join it over TSCH, form an RPL DODAG and
// exchange IPv6 traffic. One `stacks:` entry is one network.
//
//   - kind: sixtisch
//     nodes: all
//     root: 0
//     mop: non_storing            # or storing
//     prefix: fd00::/64
//     slotframe_length: 101
//     eb_period: 16s
//     max_eb_delay: 180s          # RFC 8180 Figure 5 parameters
//     num_neighbours_to_wait: 2
//     parent_switch_threshold: 640
//     num_upperlayer_packets: 1
//     max_join_time: 300s
//     security: {enabled: true, join_mode: k1k2, k1: <hex>, k2: <hex>}
//     rpl: {dio_interval_min: 3, dio_interval_doublings: 20, dio_redundancy: 10, ...}
//     leaves: [7, 8]
//     enrollment: {pan_priority: 128, proxy_priority: 0, network_id_length: 8}
//     traffic: {period: 60s, ping_period: 300s, size: 16}
//
// Reported (summary.json "stacks.sixtisch"), per network: time from power-on to
// synchronised, to a rank, and to downward reachability (DAO acknowledged), each as
// count / median / p90 / max over the nodes; upward (UDP to the root) and downward (root
// pings) delivery ratio and latency; DIO / DIS / DAO / EB counts; parent changes and
// local repairs; EBs built before a rank (must be 0); radio duty cycle and charge; and
// the RPL tree (parent and rank of every node) as JSON.
#pragma once

#include <memory>

#include "lpmesh/scenario/scenario_error.hpp"
#include "lpmesh/scenario/stack_registry.hpp"
#include "lpmesh/sixtisch/node.hpp"

namespace lpm::scenario {

struct SixtischKindParams {
  sixtisch::SixtischConfig node;  ///< `root` is set per node
  NodeId root = 0;
  std::vector<NodeId> leaves;
};

class SixtischKindConfig final : public StackConfig {
 public:
  SixtischKindConfig(SixtischKindParams params, SourceMark root_mark)
      : params_(std::move(params)), root_mark_(root_mark) {}
  const SixtischKindParams& params() const { return params_; }
  const SourceMark& rootMark() const { return root_mark_; }
  Radios radios() const override;
  std::string describe() const override;

 private:
  SixtischKindParams params_;
  SourceMark root_mark_;
};

std::unique_ptr<StackKind> makeSixtischKind();

}  // namespace lpm::scenario
