// Objective Function Zero (RFC 6552) as RFC 8180 §5.1.1 configures it, as pure
// integer functions: rank increase from link statistics, rank, DAGRank, the join
// metric of RFC 8180 §6.1 and the parent-switch hysteresis of §6.4.
//
// The integer rule, fixed here once (the real-number formula, then truncation):
//   ETX = numTx / numTxAck, Sp = 3 * ETX - 2, clamped to [1, 9]
//   rank_increase = (Rf * Sp + Sr) * MinHopRankIncrease
// is computed as
//   step = (3 * numTx - 2 * numTxAck) * MinHopRankIncrease / numTxAck   (floor)
//   step clamped to [1, 9] * MinHopRankIncrease
//   rank_increase = Rf * step + Sr * MinHopRankIncrease   (saturating at 0xffff)
// which keeps Sp's fraction in rank units: numTx 100 / numTxAck 80 gives 448 (Sp 1.75),
// not the 256 that truncating Sp to an integer first would give.
#pragma once

#include <cstdint>
#include <optional>

namespace lpm::rpl::of0 {

inline constexpr std::uint16_t kMinHopRankIncrease = 256;  ///< RFC 8180 §5.1.1
inline constexpr std::uint16_t kRankFactor = 1;            ///< Rf
inline constexpr std::uint16_t kRankStretch = 0;           ///< Sr
inline constexpr std::uint16_t kMinStepOfRank = 1;
inline constexpr std::uint16_t kMaxStepOfRank = 9;
inline constexpr std::uint32_t kMaxEtxTimes = 3;  ///< no parent with ETX > 3 (RFC 8180 §5.1.1)
inline constexpr std::uint16_t kParentSwitchThreshold = 640;  ///< RFC 8180 §6.4
inline constexpr std::uint16_t kInfiniteRank = 0xffff;

/// OF0 parameters; the defaults are RFC 8180's.
struct Params {
  std::uint16_t min_hop_rank_increase = kMinHopRankIncrease;
  std::uint16_t rank_factor = kRankFactor;
  std::uint16_t rank_stretch = kRankStretch;
};

/// Whether a neighbour with these link statistics may be a parent: its ETX is known
/// (numTxAck > 0) and at most 3.
constexpr bool acceptableParent(std::uint32_t num_tx, std::uint32_t num_tx_ack) {
  return num_tx_ack != 0 && num_tx <= kMaxEtxTimes * num_tx_ack;
}

/// Sp * MinHopRankIncrease by the integer rule above (clamped to 1..9 steps).
constexpr std::uint32_t stepOfRankScaled(std::uint32_t num_tx, std::uint32_t num_tx_ack,
                                         const Params& p = {}) {
  const std::uint64_t mhri = p.min_hop_rank_increase;
  const std::uint64_t three_tx = 3ULL * num_tx;
  const std::uint64_t two_ack = 2ULL * num_tx_ack;
  std::uint64_t step = three_tx > two_ack ? (three_tx - two_ack) * mhri / num_tx_ack : 0;
  if (step < kMinStepOfRank * mhri) step = kMinStepOfRank * mhri;
  if (step > kMaxStepOfRank * mhri) step = kMaxStepOfRank * mhri;
  return static_cast<std::uint32_t>(step);
}

/// rank_increase for a link, or nullopt when the neighbour is not acceptable.
constexpr std::optional<std::uint16_t> rankIncrease(std::uint32_t num_tx, std::uint32_t num_tx_ack,
                                                    const Params& p = {}) {
  if (!acceptableParent(num_tx, num_tx_ack)) return std::nullopt;
  const std::uint64_t inc = std::uint64_t{p.rank_factor} * stepOfRankScaled(num_tx, num_tx_ack, p) +
                            std::uint64_t{p.rank_stretch} * p.min_hop_rank_increase;
  return static_cast<std::uint16_t>(inc > kInfiniteRank ? kInfiniteRank : inc);
}

/// R(N) = R(P) + rank_increase, saturating at INFINITE_RANK (RFC 6552 §4.1).
constexpr std::uint16_t rankThrough(std::uint16_t parent_rank, std::uint16_t increase) {
  const std::uint32_t r = std::uint32_t{parent_rank} + increase;
  return static_cast<std::uint16_t>(r > kInfiniteRank ? kInfiniteRank : r);
}

/// DAGRank(rank) = floor(rank / MinHopRankIncrease) (RFC 6550 §3.5.1).
constexpr std::uint16_t dagRank(std::uint16_t rank,
                                std::uint16_t min_hop_rank_increase = kMinHopRankIncrease) {
  if (min_hop_rank_increase == 0) return 0;
  return static_cast<std::uint16_t>(rank / min_hop_rank_increase);
}

/// Join Metric of the enhanced beacon = DAGRank(rank) - 1; the root (DAGRank 1) sends 0
/// (RFC 8180 §6.1).
constexpr std::uint16_t joinMetric(std::uint16_t rank,
                                   std::uint16_t min_hop_rank_increase = kMinHopRankIncrease) {
  const std::uint16_t d = dagRank(rank, min_hop_rank_increase);
  return d == 0 ? 0 : static_cast<std::uint16_t>(d - 1);
}

/// RFC 8180 §6.4 hysteresis: switch only when the candidate's path rank is lower than
/// the current one by more than the threshold.
constexpr bool shouldSwitchParent(std::uint16_t current_path_rank,
                                  std::uint16_t candidate_path_rank,
                                  std::uint16_t threshold = kParentSwitchThreshold) {
  return candidate_path_rank < current_path_rank &&
         current_path_rank - candidate_path_rank > threshold;
}

}  // namespace lpm::rpl::of0
