// Runs a scenario: builds the sim::World (nodes, radios, propagation, stacks, faults,
// captures), advances it in chunks so a caller can show progress, and produces the
// outputs of `lpmesh run`: summary.json, nodes.csv and a printed summary table.
//
// Everything in these outputs is a function of the scenario and the seed only, so equal
// seeds give byte-identical files; wall-clock figures are left to the caller (run.json).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lpmesh/scenario/config.hpp"
#include "lpmesh/scenario/stack_registry.hpp"
#include "lpmesh/scenario/topology.hpp"
#include "lpmesh/sim/world.hpp"

namespace lpm::scenario {

struct RunOptions {
  std::optional<std::uint64_t> seed;  ///< overrides the scenario's seed
  std::optional<Duration> until;      ///< overrides the scenario's duration
  std::string out_dir;                ///< where captures go (created if missing)
};

/// Everything a run reports, as text ready to write.
struct RunOutputs {
  nlohmann::ordered_json summary;  ///< summary.json
  std::string nodes_csv;           ///< nodes.csv
  std::string table;               ///< the printed summary
  std::vector<std::string> pcaps;  ///< capture files written
};

/// One row of nodes.csv.
struct NodeRow {
  NodeId id = 0;
  sim::Vec3 position;
  std::string phy;  ///< "ieee802154", "ble", "ieee802154+ble" or "none"
  NodeTraffic traffic;
  sim::RadioStats radio;    ///< both radios added together
  double duty_cycle = 0.0;  ///< fraction of the run the radio(s) were receiving or sending
};

class Runner {
 public:
  /// Builds the world. Throws ScenarioError for problems found only now (placement).
  Runner(const Scenario& scenario, const RunOptions& options, const StackRegistry& registry);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  std::uint64_t seed() const { return seed_; }
  SimTime end() const { return end_; }
  SimTime now() const;
  bool done() const { return now() >= end_; }
  std::uint64_t events() const;
  /// Runs every event up to min(t, end()).
  void runUntil(SimTime t);
  /// Runs to the end in one go.
  void runToEnd() { runUntil(end_); }
  /// Ends the run (flushes captures, closes accounting) and builds the outputs.
  RunOutputs finish();

  const std::vector<NodePlacement>& placement() const { return placement_; }
  sim::World& world() { return *world_; }

 private:
  NodeRow nodeRow(NodeId id) const;
  std::string radiosOf(NodeId id) const;

  const Scenario& scenario_;
  std::uint64_t seed_;
  SimTime end_;
  std::string out_dir_;
  std::vector<NodePlacement> placement_;
  std::vector<sim::Vec3> positions_;
  std::vector<Radios> radios_;
  std::vector<std::string> pcaps_;
  /// Kind runs outlive the world: stacks report to them until they are destroyed.
  std::vector<std::string> kind_names_;
  std::vector<std::unique_ptr<KindRun>> kind_runs_;
  std::unique_ptr<sim::World> world_;
  bool finished_ = false;
};

/// Radio counters summed over the nodes that have one PHY.
struct PhyTotals {
  std::uint64_t nodes = 0, tx_frames = 0, rx_ok = 0, lost_collision = 0, lost_noise = 0,
                missed_busy = 0, aborted = 0, cca_busy = 0;
  double duty_cycle_sum = 0.0, charge_mc = 0.0;
};

}  // namespace lpm::scenario
