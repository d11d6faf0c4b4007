// Node placement from a scenario's topology section: explicit positions, a grid, uniform
// random in a box (optional minimum spacing), or a CSV file. Deterministic per seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lpmesh/scenario/config.hpp"
#include "lpmesh/scenario/csv.hpp"

namespace lpm::scenario {

struct NodePlacement {
  sim::Vec3 position;
  double drift_ppm = 0.0;
};

/// Places every node. `run_seed` is used unless the topology pins its own seed. Throws
/// ScenarioError (at the topology section) when random placement cannot honour the
/// minimum spacing.
std::vector<NodePlacement> placeNodes(const TopologyConfig& topology, std::uint64_t run_seed);

/// Positions from CSV: a header naming the columns (x, y, optional z, optional leading id;
/// when id is present the rows must be 0, 1, 2, ... in order), then one row per node.
std::vector<sim::Vec3> parsePositionsCsv(const CsvFile& csv);

double distance(const sim::Vec3& a, const sim::Vec3& b);

}  // namespace lpm::scenario
