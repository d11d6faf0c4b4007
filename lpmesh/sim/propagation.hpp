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

/// One entry of a sender's neighbour list: a receiving node and the link gain.
struct Neighbor {
  std::uint32_t node;
  float gain_db;
};

/// Directed neighbour lists in one compact array (CSR), each sorted by node id.
/// Senders are nodes 0..N-1 followed by jammers (N + j); receivers are nodes only.
class NeighborTable {
 public:
  std::span<const Neighbor> of(std::uint32_t sender) const {
    if (sender + 1 >= offsets_.size()) return {};
    return {entries_.data() + offsets_[sender], entries_.data() + offsets_[sender + 1]};
  }
  /// The gain from `sender` to `receiver`, if they are neighbours (binary search).
  std::optional<float> find(std::uint32_t sender, std::uint32_t receiver) const;
  std::size_t senderCount() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t entryCount() const { return entries_.size(); }
  std::size_t memoryBytes() const {
    return offsets_.capacity() * sizeof(std::uint32_t) + entries_.capacity() * sizeof(Neighbor);
  }

  /// Builds from per-sender unsorted lists (sorted here).
  static NeighborTable fromLists(std::vector<std::vector<Neighbor>>& lists);

 private:
  std::vector<std::uint32_t> offsets_;
  std::vector<Neighbor> entries_;
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
