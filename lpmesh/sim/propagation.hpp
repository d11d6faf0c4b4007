// Propagation models and the static neighbour table of the medium (issue #2 §3
// "Propagation", "Cost per transmission proportional to the receivers that can hear it").
//
// Gains are in dB relative to the transmit power (gain = -path loss), so a receiver
// sees tx_dbm + gain. Path loss is taken as frequency-independent across the 80 MHz
// band (log-distance has no frequency term; the spread is < 0.3 dB in free space).
//  - Unit disk: gain = unit_disk_rx_dbm (the power at 0 dBm tx) inside range_m, no link
//    outside.
//  - Log-distance: gain = -(pl_d0 + 10 n log10(max(d, d0) / d0) + X), X the link's
//    shadowing: σ·N(0,1) from a hash of (seed, min(a,b), max(a,b)), so it is symmetric
//    and does not depend on the order nodes were added or on any other draw; clamped
//    to ±4σ so the grid search radius is exact.
//  - Link table: per directed pair, a path loss or a PRR (PRR links get gain
//    unit_disk_rx_dbm and are delivered with that probability when otherwise clean).
//    Pairs missing from the table have no link. Jammers are placed geometrically even
//    then: they use the log-distance mean (no shadowing).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lpmesh/sim/world.hpp"

namespace lpm::sim {

/// One entry of a neighbour list while it is built (and of a jammer's reach).
struct Neighbor {
  std::uint32_t node;
  float gain_db;
};

/// Gains are stored in centi-dB (int16: ±327 dB, 0.005 dB rounding) to keep an entry at
/// 6 bytes; a 10,000-node world holds millions of them.
inline constexpr double kGainStepDb = 0.01;

/// A sender's neighbour list: parallel arrays of receiving node ids (ascending) and
/// link gains.
struct NeighborList {
  const std::uint32_t* nodes = nullptr;
  const std::int16_t* gains_cdb = nullptr;
  std::size_t size = 0;
  double gainDb(std::size_t i) const { return static_cast<double>(gains_cdb[i]) * kGainStepDb; }
};

/// Directed neighbour lists of all nodes in one compact structure (CSR, structure of
/// arrays), each sorted by node id.
class NeighborTable {
 public:
  NeighborList of(std::uint32_t sender) const {
    if (static_cast<std::size_t>(sender) + 1 >= offsets_.size()) return {};
    const std::uint32_t b = offsets_[sender];
    return {nodes_.data() + b, gains_.data() + b, offsets_[sender + 1] - b};
  }
  /// The gain from `sender` to `receiver`, if they are neighbours (binary search).
  std::optional<double> find(std::uint32_t sender, std::uint32_t receiver) const;
  std::size_t senderCount() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t entryCount() const { return nodes_.size(); }
  std::size_t memoryBytes() const {
    return offsets_.capacity() * sizeof(std::uint32_t) + nodes_.capacity() * sizeof(std::uint32_t) +
           gains_.capacity() * sizeof(std::int16_t);
  }
  /// Quantises a gain as stored (centi-dB, rounded).
  static std::int16_t quantize(double gain_db);

  /// Builds from per-sender unsorted lists (sorted here; a later duplicate wins).
  static NeighborTable fromLists(std::vector<std::vector<Neighbor>>& lists);

 private:
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> nodes_;
  std::vector<std::int16_t> gains_;
};

/// Statistics of a neighbour-table build, reported in summaries.
struct TopologyStats {
  std::uint64_t pairs_evaluated = 0;  ///< gain computations (spatial grid candidates)
  std::uint64_t links = 0;            ///< directed neighbour entries kept
  double build_seconds = 0.0;         ///< wall time (informational, not deterministic)
  double grid_cell_m = 0.0;           ///< 0 when no grid was used
};

class Propagation {
 public:
  Propagation(const PropagationConfig& config, std::uint64_t seed);

  /// Mean log-distance path loss at distance `d_m` (no shadowing).
  double meanPathLossDb(double d_m) const;
  /// Symmetric shadowing of the pair (a, b), dB (0 unless log-distance with σ > 0).
  double shadowingDb(std::uint32_t a, std::uint32_t b) const;
  /// Gain between nodes a and b at the given positions (geometric models only).
  std::optional<double> geometricGainDb(std::uint32_t a, const Vec3& pa, std::uint32_t b,
                                        const Vec3& pb) const;
  /// Distance beyond which no geometric link can have gain >= min_gain_db.
  double maxRangeM(double min_gain_db) const;

  /// Builds the neighbour table of the nodes: receivers with gain >= min_gain_db. Uses
  /// a uniform spatial grid (cells of the maximum range), so the work is
  /// O(N · neighbours), not O(N²).
  NeighborTable build(std::span<const Vec3> nodes, double min_gain_db, TopologyStats* stats) const;
  /// The nodes a jammer (sender id `sender`, at `position`) reaches with gain >=
  /// min_gain_db, sorted by node id (a plain O(N) scan: jammers are few).
  std::vector<Neighbor> reach(std::uint32_t sender, const Vec3& position,
                              std::span<const Vec3> nodes, double min_gain_db) const;

  /// PRR of a link-table PRR link, if (from, to) is one.
  std::optional<double> linkPrr(std::uint32_t from, std::uint32_t to) const;

  const PropagationConfig& config() const { return config_; }

 private:
  PropagationConfig config_;
  std::uint64_t seed_;
  /// (from << 32 | to, prr), sorted.
  std::vector<std::pair<std::uint64_t, double>> prr_links_;
};

}  // namespace lpm::sim
