// A scenario as plain data: what the YAML file says, checked, before any world exists
// (issue #2 §5). loader.hpp builds it; runner.hpp turns it into a sim::World.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/scenario/scenario_error.hpp"
#include "lpmesh/scenario/stack_registry.hpp"
#include "lpmesh/sim/world.hpp"

namespace lpm::scenario {

enum class TopologyKind : std::uint8_t {
  kExplicit,  ///< positions listed in the scenario
  kGrid,      ///< rows x cols, row-major node ids
  kRandom,    ///< uniform in a box, optional minimum spacing
  kCsv,       ///< positions from a CSV file (x,y[,z], optional leading id column)
};

struct TopologyConfig {
  TopologyKind kind = TopologyKind::kExplicit;
  std::vector<sim::Vec3> positions;  ///< kExplicit and kCsv (read at load time)
  std::uint32_t rows = 0, cols = 0;  ///< kGrid
  double spacing_x = 10.0, spacing_y = 10.0;
  sim::Vec3 origin;                  ///< kGrid and kRandom: corner of the grid / box
  std::uint32_t count = 0;           ///< kRandom
  sim::Vec3 box{100.0, 100.0, 0.0};  ///< kRandom: size of the box
  double min_spacing_m = 0.0;        ///< kRandom: 0 = none
  /// kRandom placement and drift: a fixed seed, else the run's seed.
  std::optional<std::uint64_t> seed;
  /// Each node's clock drift is drawn uniformly in [-drift_ppm, +drift_ppm].
  double drift_ppm = 0.0;
  std::string csv_file;  ///< kCsv, as resolved
  SourceMark mark;       ///< where the section is, for generation errors

  /// Number of nodes, known without generating positions.
  std::uint32_t nodeCount() const;
};

/// One `stacks:` entry: a stack kind on a set of nodes.
struct StackEntry {
  std::string kind;
  std::string name;           ///< defaults to "<kind>#<index>"
  std::vector<NodeId> nodes;  ///< sorted, unique
  std::shared_ptr<const StackConfig> config;
  SourceMark mark;
};

enum class FaultKind : std::uint8_t { kReboot, kPowerOff, kPowerOn, kJammer };

struct Fault {
  FaultKind kind = FaultKind::kReboot;
  SimTime at{};               ///< reboot / power off / power on / jammer start
  std::vector<NodeId> nodes;  ///< node faults
  // Jammer:
  SimTime until{};
  double center_mhz = 2480.0;
  double power_dbm = 0.0;
  sim::Vec3 position;
  std::string label;  ///< "802.15.4 ch 26", "BLE ch 38", "2440 MHz"
  SourceMark mark;
};

struct OutputConfig {
  std::string dir;  ///< empty: runs/<scenario name>
  bool pcap_802154 = true;
  bool pcap_ble = true;
  double distance_bin_m = 5.0;  ///< bin width of PRR-against-distance tables
};

struct Scenario {
  std::string file;  ///< as given to the loader
  std::string name;  ///< `name:` or the file's stem
  std::string description;
  std::uint64_t seed = 1;
  Duration duration = seconds(60);
  TopologyConfig topology;
  sim::PropagationConfig propagation;
  std::string link_table_file;  ///< resolved path when propagation is a link table
  sim::PhyConfig phy;
  std::vector<StackEntry> stacks;
  std::vector<Fault> faults;
  OutputConfig outputs;

  std::uint32_t nodeCount() const { return topology.nodeCount(); }
};

}  // namespace lpm::scenario
