// Medium set-up and per-frame cost.
//
// BM_NeighborTableGrid/N: building the static neighbour table of N nodes at random
// positions (one per 800 m², log-distance 40 dB + 30 log10 d, σ 4 dB, links kept down to
// -110 dBm at 0 dBm) with the spatial grid of Propagation::build.
// BM_NeighborTableAllPairs/N: the same links by evaluating every pair, the O(N²)
// reference (issue #2: acceptable only if under 1-2 s at 10,000 nodes).
// items_per_second = node pairs per wall second in both, so the ratio is the speed-up.
//
// BM_MediumFrame/k: one sender, k listeners in range on the same channel, frames
// back to back; items_per_second = frames; the per-listener cost is the slope over k.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/platform/platform.hpp"
#include "lpmesh/sim/propagation.hpp"
#include "lpmesh/sim/world.hpp"

namespace {

using lpm::Rng;
using lpm::SimTime;
namespace sim = lpm::sim;
namespace platform = lpm::platform;

constexpr double kAreaPerNode = 800.0;

sim::PropagationConfig logDistance() {
  sim::PropagationConfig pc;
  pc.kind = sim::PropagationKind::kLogDistance;
  pc.pl_d0_db = 40.0;
  pc.exponent = 3.0;
  pc.shadowing_sigma_db = 4.0;
  return pc;
}

std::vector<sim::Vec3> positions(std::size_t n) {
  const double side = std::sqrt(static_cast<double>(n) * kAreaPerNode);
  Rng rng(1);
  std::vector<sim::Vec3> out(n);
  for (auto& p : out)
    p = sim::Vec3{rng.uniform(0.0, side), rng.uniform(0.0, side), 0.0};
  return out;
}

void BM_NeighborTableGrid(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto pos = positions(n);
  const sim::Propagation prop(logDistance(), 1);
  std::size_t links = 0;
  for (auto _ : state) {
    sim::TopologyStats st;
    const sim::NeighborTable t = prop.build(pos, -110.0, &st);
    links = t.entryCount();
    benchmark::DoNotOptimize(links);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n * (n - 1) / 2));
  state.counters["links_per_node"] = static_cast<double>(links) / static_cast<double>(n);
}
BENCHMARK(BM_NeighborTableGrid)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_NeighborTableAllPairs(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto pos = positions(n);
  const sim::Propagation prop(logDistance(), 1);
  std::size_t links = 0;
  for (auto _ : state) {
    links = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      for (std::uint32_t j = i + 1; j < n; ++j) {
        const auto g = prop.geometricGainDb(i, pos[i], j, pos[j]);
        if (g && *g >= -110.0) links += 2;
      }
    }
    benchmark::DoNotOptimize(links);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n * (n - 1) / 2));
  state.counters["links_per_node"] = static_cast<double>(links) / static_cast<double>(n);
}
BENCHMARK(BM_NeighborTableAllPairs)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

class Sender final : public platform::Radio802154Client {
 public:
  explicit Sender(platform::Radio802154& r) : radio_(r) { frame_.resize(48, 0x5A); }
  void send() {
    platform::Tx802154 tx;
    tx.channel = 11;
    tx.mpdu = frame_;
    (void)radio_.transmit(tx);
  }
  void onTxDone(platform::TxStatus /*status*/, lpm::LocalTime /*sfd*/) override {
    ++sent;
    send();
  }
  void onRx(const platform::Rx802154& /*frame*/) override {}
  std::uint64_t sent = 0;

 private:
  platform::Radio802154& radio_;
  std::vector<std::uint8_t> frame_;
};

void BM_MediumFrame(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  sim::WorldConfig c;
  c.propagation = logDistance();
  c.propagation.shadowing_sigma_db = 0.0;
  sim::World w(c);
  w.addNode(sim::NodeConfig{});
  Rng rng(2);
  for (std::size_t i = 0; i < k; ++i) {
    sim::NodeConfig nc;
    nc.position = sim::Vec3{rng.uniform(-40.0, 40.0), rng.uniform(-40.0, 40.0), 0.0};
    w.addNode(nc);
  }
  w.finalizeTopology();
  for (lpm::NodeId i = 0; i <= k; ++i)
    w.powerOn(i, SimTime{});
  w.runUntil(SimTime{});
  for (lpm::NodeId i = 1; i <= k; ++i)
    (void)w.platform(i).radio802154->receive(11);
  Sender sender(*w.platform(0).radio802154);
  w.platform(0).radio802154->setClient(&sender);
  sender.send();
  lpm::Duration t{0};
  for (auto _ : state) {
    t += lpm::seconds(1);
    w.runUntil(SimTime{t});
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(sender.sent));
  state.counters["listener_visits"] =
      benchmark::Counter(static_cast<double>(sender.sent * k), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MediumFrame)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
