// 6TiSCH network speed (issue #5 §4): N motes at random (one per 300 m², unit-disk links
// of 30 m), root in the middle, RPL non-storing, minimal schedule with a 7-slot slotframe,
// one UDP packet per node to the root every 2 minutes and a root ping to each node every
// 5 minutes, 30 simulated minutes from power-on (formation included). Counter
// sim_seconds is simulated seconds per wall second (the real-time factor); joined is the
// fraction of nodes with an RPL rank at the end; up_pdr the upward delivery ratio.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/sim/world.hpp"
#include "lpmesh/sixtisch/node.hpp"

namespace {

using lpm::NodeId;

class Counter final : public lpm::sixtisch::SixtischObserver {
 public:
  void onUpSent(NodeId, std::uint32_t) override { ++sent; }
  void onUpReceived(NodeId, NodeId, std::uint32_t) override { ++received; }
  std::uint64_t sent = 0, received = 0;
};

void BM_SixtischFormation(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  double joined = 0, pdr = 0;
  for (auto _ : state) {
    Counter counter;
    std::vector<lpm::sixtisch::SixtischNode*> stacks(n, nullptr);
    {
      lpm::sim::WorldConfig wc;
      wc.seed = 11;
      wc.propagation.kind = lpm::sim::PropagationKind::kUnitDisk;
      wc.propagation.range_m = 30;
      lpm::sim::World world(wc);
      const double side = std::sqrt(300.0 * static_cast<double>(n));
      lpm::Rng rng(5);
      for (std::size_t i = 0; i < n; ++i) {
        lpm::sim::NodeConfig nc;
        nc.position = i == 0 ? lpm::sim::Vec3{side / 2, side / 2, 0}
                             : lpm::sim::Vec3{rng.uniform(0, side), rng.uniform(0, side), 0};
        world.addNode(nc);
      }
      for (NodeId i = 0; i < n; ++i) {
        lpm::sixtisch::SixtischConfig c;
        c.root = i == 0;
        c.tsch.slotframe_length = 7;
        c.tsch.num_neighbours_to_wait = 1;
        c.tsch.max_eb_delay = lpm::seconds(30);
        c.tsch.queue_capacity = 16;
        c.traffic.up_period = lpm::seconds(120);
        c.traffic.down_period = lpm::seconds(300);
        world.setStackFactory(i, [&, i, c](lpm::platform::Platform& p) {
          std::vector<std::unique_ptr<lpm::platform::Stack>> v;
          auto s = std::make_unique<lpm::sixtisch::SixtischNode>(p, c, &counter);
          stacks[i] = s.get();
          v.push_back(std::move(s));
          return v;
        });
        world.powerOn(i, lpm::SimTime{});
      }
      world.runUntil(lpm::SimTime{lpm::seconds(1800)});
      std::size_t j = 0;
      for (auto* s : stacks) {
        if (s != nullptr && s->rpl() != nullptr && s->rpl()->joined()) ++j;
      }
      joined = static_cast<double>(j) / static_cast<double>(n);
      pdr = counter.sent == 0
                ? 0
                : static_cast<double>(counter.received) / static_cast<double>(counter.sent);
    }
  }
  state.counters["sim_seconds"] = benchmark::Counter(
      1800.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["joined"] = joined;
  state.counters["up_pdr"] = pdr;
}
BENCHMARK(BM_SixtischFormation)
    ->Arg(10)
    ->Arg(50)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
