#include "lpmesh/sim/propagation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>

#include "lpmesh/core/rng.hpp"

namespace lpm::sim {

namespace {

constexpr double kShadowClampSigmas = 4.0;

double distance(const Vec3& a, const Vec3& b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  const double dz = a.z - b.z;
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

}  // namespace

std::optional<double> NeighborTable::find(std::uint32_t sender, std::uint32_t receiver) const {
  const NeighborList list = of(sender);
  const std::uint32_t* end = list.nodes + list.size;
  const std::uint32_t* it = std::lower_bound(list.nodes, end, receiver);
  if (it == end || *it != receiver) return std::nullopt;
  return list.gainDb(static_cast<std::size_t>(it - list.nodes));
}

std::int16_t NeighborTable::quantize(double gain_db) {
  const double c = std::round(gain_db / kGainStepDb);
  return static_cast<std::int16_t>(std::clamp(c, -32768.0, 32767.0));
}

NeighborTable NeighborTable::fromLists(std::vector<std::vector<Neighbor>>& lists) {
  NeighborTable t;
  std::size_t total = 0;
  for (auto& l : lists) {
    // Stable, so a later duplicate (link table) follows the earlier one; keep the last.
    std::stable_sort(l.begin(), l.end(),
                     [](const Neighbor& a, const Neighbor& b) { return a.node < b.node; });
    std::size_t out = 0;
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (out > 0 && l[out - 1].node == l[i].node) {
        l[out - 1] = l[i];
      } else {
        l[out++] = l[i];
      }
    }
    l.resize(out);
    total += out;
  }
  t.offsets_.reserve(lists.size() + 1);
  t.nodes_.reserve(total);
  t.gains_.reserve(total);
  t.offsets_.push_back(0);
  for (auto& l : lists) {
    for (const Neighbor& nb : l) {
      t.nodes_.push_back(nb.node);
      t.gains_.push_back(quantize(nb.gain_db));
    }
    t.offsets_.push_back(static_cast<std::uint32_t>(t.nodes_.size()));
    std::vector<Neighbor>().swap(l);
  }
  return t;
}

Propagation::Propagation(const PropagationConfig& config, std::uint64_t seed)
    : config_(config), seed_(seed) {
  if (config_.kind == PropagationKind::kLinkTable) {
    // Every entry, so a later path-loss entry for the same pair cancels an earlier PRR.
    for (const auto& e : config_.links) {
      prr_links_.emplace_back((std::uint64_t{e.from} << 32) | e.to,
                              e.prr ? std::clamp(*e.prr, 0.0, 1.0) : -1.0);
    }
    std::stable_sort(prr_links_.begin(), prr_links_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
}

double Propagation::meanPathLossDb(double d_m) const {
  const double d = std::max(d_m, config_.d0_m);
  return config_.pl_d0_db + 10.0 * config_.exponent * std::log10(d / config_.d0_m);
}

double Propagation::shadowingDb(std::uint32_t a, std::uint32_t b) const {
  const double sigma = config_.shadowing_sigma_db;
  if (config_.kind != PropagationKind::kLogDistance || sigma <= 0.0) return 0.0;
  const std::uint32_t lo = std::min(a, b);
  const std::uint32_t hi = std::max(a, b);
  // A stream of its own per unordered pair: (seed, kShadowing, lo, hi) -> two uniforms.
  std::uint64_t state =
      seed_ ^ (std::uint64_t{static_cast<std::uint32_t>(RngStream::kShadowing)} << 56);
  state = splitmix64(state) ^ ((std::uint64_t{lo} << 32) | hi);
  const std::uint64_t r1 = splitmix64(state);
  const std::uint64_t r2 = splitmix64(state);
  // Box-Muller; u1 in (0, 1] so the log is finite.
  const double u1 = (static_cast<double>(r1 >> 11) + 1.0) * 0x1.0p-53;
  const double u2 = static_cast<double>(r2 >> 11) * 0x1.0p-53;
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  return sigma * std::clamp(z, -kShadowClampSigmas, kShadowClampSigmas);
}

std::optional<double> Propagation::geometricGainDb(std::uint32_t a, const Vec3& pa, std::uint32_t b,
                                                   const Vec3& pb) const {
  const double d = distance(pa, pb);
  switch (config_.kind) {
    case PropagationKind::kUnitDisk:
      if (d > config_.range_m) return std::nullopt;
      return config_.unit_disk_rx_dbm;
    case PropagationKind::kLogDistance:
      return -(meanPathLossDb(d) + shadowingDb(a, b));
    case PropagationKind::kLinkTable:
      return -meanPathLossDb(d);
  }
  return std::nullopt;
}

double Propagation::maxRangeM(double min_gain_db) const {
  switch (config_.kind) {
    case PropagationKind::kUnitDisk:
      return config_.unit_disk_rx_dbm >= min_gain_db ? config_.range_m : 0.0;
    case PropagationKind::kLogDistance:
    case PropagationKind::kLinkTable: {
      const double sigma = config_.kind == PropagationKind::kLogDistance
                               ? std::max(config_.shadowing_sigma_db, 0.0)
                               : 0.0;
      const double budget = -min_gain_db - config_.pl_d0_db + kShadowClampSigmas * sigma;
      if (budget < 0.0) return config_.d0_m;  // only links closer than d0 can qualify
      return config_.d0_m * std::pow(10.0, budget / (10.0 * config_.exponent));
    }
  }
  return 0.0;
}

NeighborTable Propagation::build(std::span<const Vec3> nodes, double node_min_gain_db,
                                 TopologyStats* stats) const {
  const auto wall_start = std::chrono::steady_clock::now();
  const std::size_t n = nodes.size();
  std::vector<std::vector<Neighbor>> lists(n);
  TopologyStats st;

  if (config_.kind == PropagationKind::kLinkTable) {
    for (const auto& e : config_.links) {
      if (e.from >= n || e.to >= n || e.from == e.to) continue;
      const double gain = e.path_loss_db ? -*e.path_loss_db : config_.unit_disk_rx_dbm;
      ++st.pairs_evaluated;
      if (gain >= node_min_gain_db) {
        lists[e.from].push_back(Neighbor{e.to, static_cast<float>(gain)});
      }
    }
  } else if (n > 0) {
    const double range = maxRangeM(node_min_gain_db);
    double min_x = nodes[0].x, max_x = nodes[0].x, min_y = nodes[0].y, max_y = nodes[0].y;
    for (const auto& p : nodes) {
      min_x = std::min(min_x, p.x);
      max_x = std::max(max_x, p.x);
      min_y = std::min(min_y, p.y);
      max_y = std::max(max_y, p.y);
    }
    // Cells at least `range` wide, so the 3x3 block around a cell covers every
    // candidate; widened if needed to keep the cell count near 4 per node.
    double cell = std::max(range, 1e-3);
    const double extent_x = max_x - min_x;
    const double extent_y = max_y - min_y;
    const double max_cells = 4.0 * static_cast<double>(n) + 16.0;
    while ((std::floor(extent_x / cell) + 1.0) * (std::floor(extent_y / cell) + 1.0) > max_cells) {
      cell *= 1.5;
    }
    st.grid_cell_m = cell;
    const auto nx = static_cast<std::size_t>(std::floor(extent_x / cell)) + 1;
    const auto ny = static_cast<std::size_t>(std::floor(extent_y / cell)) + 1;
    auto cell_of = [&](const Vec3& p, std::size_t& cx, std::size_t& cy) {
      cx = std::min(nx - 1, static_cast<std::size_t>((p.x - min_x) / cell));
      cy = std::min(ny - 1, static_cast<std::size_t>((p.y - min_y) / cell));
    };
    // Counting sort of node ids by cell (ids stay ascending inside a cell).
    std::vector<std::uint32_t> cell_start(nx * ny + 1, 0);
    std::vector<std::uint32_t> node_cell(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t cx = 0, cy = 0;
      cell_of(nodes[i], cx, cy);
      node_cell[i] = static_cast<std::uint32_t>(cy * nx + cx);
      ++cell_start[node_cell[i] + 1];
    }
    for (std::size_t c = 0; c < nx * ny; ++c)
      cell_start[c + 1] += cell_start[c];
    std::vector<std::uint32_t> cell_nodes(n);
    {
      std::vector<std::uint32_t> fill(cell_start.begin(), cell_start.end() - 1);
      for (std::size_t i = 0; i < n; ++i)
        cell_nodes[fill[node_cell[i]]++] = static_cast<std::uint32_t>(i);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t cx = node_cell[i] % nx;
      const std::size_t cy = node_cell[i] / nx;
      for (std::size_t yy = cy == 0 ? 0 : cy - 1; yy <= std::min(ny - 1, cy + 1); ++yy) {
        for (std::size_t xx = cx == 0 ? 0 : cx - 1; xx <= std::min(nx - 1, cx + 1); ++xx) {
          const std::size_t c = yy * nx + xx;
          for (std::uint32_t k = cell_start[c]; k < cell_start[c + 1]; ++k) {
            const std::uint32_t j = cell_nodes[k];
            if (j <= i) continue;
            if (distance(nodes[i], nodes[j]) > range) continue;
            ++st.pairs_evaluated;
            const auto gain = geometricGainDb(static_cast<std::uint32_t>(i), nodes[i], j, nodes[j]);
            if (!gain || *gain < node_min_gain_db) continue;
            const auto g = static_cast<float>(*gain);
            lists[i].push_back(Neighbor{j, g});
            lists[j].push_back(Neighbor{static_cast<std::uint32_t>(i), g});
          }
        }
      }
    }
  }

  NeighborTable table = NeighborTable::fromLists(lists);
  st.links = table.entryCount();
  st.build_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  if (stats != nullptr) *stats = st;
  return table;
}

std::vector<Neighbor> Propagation::reach(std::uint32_t sender, const Vec3& position,
                                         std::span<const Vec3> nodes, double min_gain_db) const {
  std::vector<Neighbor> out;
  const double range = maxRangeM(min_gain_db);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (distance(position, nodes[i]) > range) continue;
    const auto gain = geometricGainDb(sender, position, static_cast<std::uint32_t>(i), nodes[i]);
    if (gain && *gain >= min_gain_db) {
      out.push_back(Neighbor{static_cast<std::uint32_t>(i), static_cast<float>(*gain)});
    }
  }
  return out;
}

std::optional<double> Propagation::linkPrr(std::uint32_t from, std::uint32_t to) const {
  if (prr_links_.empty()) return std::nullopt;
  const std::uint64_t key = (std::uint64_t{from} << 32) | to;
  auto it = std::upper_bound(prr_links_.begin(), prr_links_.end(), key,
                             [](std::uint64_t k, const auto& e) { return k < e.first; });
  if (it == prr_links_.begin()) return std::nullopt;
  --it;  // the last entry with this key wins, as in the neighbour table
  if (it->first != key || it->second < 0.0) return std::nullopt;
  return it->second;
}

}  // namespace lpm::sim
