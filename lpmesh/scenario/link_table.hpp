// Link tables measured on a testbed and replayed in the simulator (issue #2 §3): a CSV
// with a header `from,to,path_loss_db` or `from,to,prr`, one row per directed pair.
// Pairs not listed cannot hear each other.
#pragma once

#include <cstdint>
#include <vector>

#include "lpmesh/scenario/csv.hpp"
#include "lpmesh/sim/world.hpp"

namespace lpm::scenario {

/// Checks and converts a link table: node ids below `node_count`, no self links, no pair
/// twice, path loss in [0, 250] dB, PRR in [0, 1]. Rows come out sorted by (from, to).
std::vector<sim::LinkTableEntry> parseLinkTable(const CsvFile& csv, std::uint32_t node_count);

}  // namespace lpm::scenario
