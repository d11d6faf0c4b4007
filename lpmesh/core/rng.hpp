// Deterministic random streams (DESIGN.md "Determinism").
//
// Every draw in a run comes from an Rng derived from (scenario seed, node id, stream
// tag), so adding a node or a stream never shifts the numbers another one sees. The
// generator is xoshiro256** seeded through SplitMix64; distributions are implemented
// here (not with <random>'s, whose algorithms differ between standard libraries) so
// a seed gives the same numbers with every compiler.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>

#include "lpmesh/core/ids.hpp"

namespace lpm {

__extension__ typedef unsigned __int128 Uint128;

/// SplitMix64 step: also a good 64-bit mixing function.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Stream tags: one per independent consumer of randomness on a node.
enum class RngStream : std::uint32_t {
  kStack = 1,        ///< the node's protocol stacks (platform random source)
  kPhy = 2,          ///< bit errors, capture decisions at this node's receiver
  kMac = 3,          ///< advertising delays, backoffs drawn by the simulated controller
  kTraffic = 4,      ///< application traffic generators
  kPlacement = 5,    ///< topology generation (world stream, node = kInvalidNode)
  kShadowing = 6,    ///< per-link shadowing (world stream)
  kFault = 7,        ///< fault injection
  kCrypto = 8,       ///< key-pair generation
};

class Rng {
 public:
  /// The stream for (seed, node, tag).
  static Rng forStream(std::uint64_t seed, NodeId node, RngStream tag) {
    std::uint64_t s = seed;
    std::uint64_t a = splitmix64(s);
    std::uint64_t mix = a ^ (std::uint64_t{node} * 0xd6e8feb86659fd93ULL) ^
                        (std::uint64_t{static_cast<std::uint32_t>(tag)} << 40);
    return Rng(mix);
  }

  explicit Rng(std::uint64_t seed = 0) {
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint32_t nextU32() { return static_cast<std::uint32_t>(next() >> 32); }

  /// Uniform integer in [0, bound) without modulo bias (Lemire). bound 0 gives 0.
  std::uint64_t below(std::uint64_t bound) {
    if (bound == 0) return 0;
    Uint128 m = static_cast<Uint128>(next()) * bound;
    auto low = static_cast<std::uint64_t>(m);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<Uint128>(next()) * bound;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  /// Uniform integer in [lo, hi] (inclusive).
  std::int64_t uniformInt(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<std::int64_t>(span == 0 ? next() : below(span));
  }
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }
  /// Standard normal (Marsaglia polar method; one value per call, no cached spare).
  double normal() {
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * std::sqrt(-2.0 * std::log(s) / s);
  }
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }
  void fill(std::span<std::uint8_t> out) {
    std::size_t i = 0;
    while (i < out.size()) {
      std::uint64_t v = next();
      for (int k = 0; k < 8 && i < out.size(); ++k, ++i) {
        out[i] = static_cast<std::uint8_t>(v);
        v >>= 8;
      }
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace lpm
