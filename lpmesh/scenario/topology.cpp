#include "lpmesh/scenario/topology.hpp"

#include <cmath>

#include "lpmesh/core/rng.hpp"

namespace lpm::scenario {

std::uint32_t TopologyConfig::nodeCount() const {
  switch (kind) {
    case TopologyKind::kExplicit:
    case TopologyKind::kCsv:
      return static_cast<std::uint32_t>(positions.size());
    case TopologyKind::kGrid:
      return rows * cols;
    case TopologyKind::kRandom:
      return count;
  }
  return 0;
}

double distance(const sim::Vec3& a, const sim::Vec3& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

namespace {

// Rejection sampling gives up after this many candidates for one node.
constexpr int kMaxPlacementAttempts = 10'000;

std::vector<sim::Vec3> randomPositions(const TopologyConfig& t, std::uint64_t seed) {
  Rng rng = Rng::forStream(seed, kInvalidNode, RngStream::kPlacement);
  std::vector<sim::Vec3> out;
  out.reserve(t.count);
  const double min2 = t.min_spacing_m * t.min_spacing_m;
  for (std::uint32_t i = 0; i < t.count; ++i) {
    bool placed = false;
    for (int attempt = 0; attempt < kMaxPlacementAttempts && !placed; ++attempt) {
      sim::Vec3 p{t.origin.x + rng.uniform() * t.box.x, t.origin.y + rng.uniform() * t.box.y,
                  t.origin.z + rng.uniform() * t.box.z};
      placed = true;
      if (min2 > 0) {
        for (const sim::Vec3& q : out) {
          const double dx = p.x - q.x, dy = p.y - q.y, dz = p.z - q.z;
          if (dx * dx + dy * dy + dz * dz < min2) {
            placed = false;
            break;
          }
        }
      }
      if (placed) out.push_back(p);
    }
    if (!placed) {
      throw ScenarioError(t.mark, "topology: cannot place node " + std::to_string(i) + " of " +
                                      std::to_string(t.count) + " at least " +
                                      std::to_string(t.min_spacing_m) +
                                      " m from every other node; enlarge the box or lower "
                                      "min_spacing");
    }
  }
  return out;
}

}  // namespace

std::vector<NodePlacement> placeNodes(const TopologyConfig& t, std::uint64_t run_seed) {
  const std::uint64_t seed = t.seed.value_or(run_seed);
  std::vector<sim::Vec3> positions;
  switch (t.kind) {
    case TopologyKind::kExplicit:
    case TopologyKind::kCsv:
      positions = t.positions;
      break;
    case TopologyKind::kGrid:
      positions.reserve(std::size_t{t.rows} * t.cols);
      for (std::uint32_t r = 0; r < t.rows; ++r) {
        for (std::uint32_t c = 0; c < t.cols; ++c) {
          positions.push_back(
              sim::Vec3{t.origin.x + c * t.spacing_x, t.origin.y + r * t.spacing_y, t.origin.z});
        }
      }
      break;
    case TopologyKind::kRandom:
      positions = randomPositions(t, seed);
      break;
  }
  std::vector<NodePlacement> out(positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i) {
    out[i].position = positions[i];
    if (t.drift_ppm > 0) {
      Rng rng = Rng::forStream(seed, static_cast<NodeId>(i), RngStream::kPlacement);
      out[i].drift_ppm = rng.uniform(-t.drift_ppm, t.drift_ppm);
    }
  }
  return out;
}

std::vector<sim::Vec3> parsePositionsCsv(const CsvFile& csv) {
  if (csv.rows.empty()) {
    throw ScenarioError(SourceMark{csv.path, 1, 1},
                        "positions CSV: empty file (expected a header such as x,y,z)");
  }
  const CsvRow& header = csv.rows.front();
  int col_id = -1, col_x = -1, col_y = -1, col_z = -1;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const CsvField& f = header.fields[i];
    int* slot = f.text == "id"  ? &col_id
                : f.text == "x" ? &col_x
                : f.text == "y" ? &col_y
                : f.text == "z" ? &col_z
                                : nullptr;
    if (slot == nullptr) {
      throw ScenarioError(csv.mark(header, f),
                          "positions CSV: unknown column '" + f.text + "' (expected id, x, y, z)");
    }
    if (*slot >= 0) {
      throw ScenarioError(csv.mark(header, f), "positions CSV: column '" + f.text + "' twice");
    }
    *slot = static_cast<int>(i);
  }
  if (col_x < 0 || col_y < 0) {
    throw ScenarioError(csv.mark(header), "positions CSV: the header must name columns x and y");
  }
  std::vector<sim::Vec3> out;
  for (std::size_t r = 1; r < csv.rows.size(); ++r) {
    const CsvRow& row = csv.rows[r];
    if (row.fields.size() != header.fields.size()) {
      throw ScenarioError(csv.mark(row), "positions CSV: expected " +
                                             std::to_string(header.fields.size()) +
                                             " fields, got " + std::to_string(row.fields.size()));
    }
    const auto at = [&](int c) -> const CsvField& {
      return row.fields[static_cast<std::size_t>(c)];
    };
    if (col_id >= 0) {
      const long long id = csv.integer(row, at(col_id), "id", 0, 1'000'000);
      if (id != static_cast<long long>(out.size())) {
        throw ScenarioError(csv.mark(row, at(col_id)),
                            "positions CSV: expected id " + std::to_string(out.size()) +
                                " (ids are 0, 1, 2, ... in order), got " + at(col_id).text);
      }
    }
    sim::Vec3 p;
    p.x = csv.number(row, at(col_x), "x", -1e7, 1e7);
    p.y = csv.number(row, at(col_y), "y", -1e7, 1e7);
    if (col_z >= 0) p.z = csv.number(row, at(col_z), "z", -1e7, 1e7);
    out.push_back(p);
  }
  if (out.empty()) {
    throw ScenarioError(csv.mark(header), "positions CSV: no rows after the header");
  }
  return out;
}

}  // namespace lpm::scenario
