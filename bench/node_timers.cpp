// Node timer service throughput: N nodes, each with its own NodeTimers and clock, each
// re-arming one periodic platform::Timer from its handler (as a MAC or a beacon timer
// does). items_per_second = timer expiries per wall second.
//
// Periods: 10 ms each, random start phase in one period (lpm::Rng seed 1). Clocks: no
// drift (Arg 0), or a per-node drift uniform in ±40 ppm (Arg 1) — the conversion of
// every expiry through NodeClock::toSim/toLocal is then part of the cost.
// BM_KernelDirectPeriodic is the reference: the same expiries as bare kernel events,
// without the timer layer, so the overhead of the platform service reads as a ratio.
#include "lpmesh/sim/node_timers.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/sim/kernel.hpp"

namespace {

using lpm::Duration;
using lpm::Rng;
using lpm::SimTime;
using lpm::platform::Timer;
using lpm::sim::Kernel;
using lpm::sim::NodeClock;
using lpm::sim::NodeTimers;

constexpr Duration kPeriod = lpm::millis(10);

struct PeriodicNode {
  PeriodicNode(Kernel& kernel, NodeClock clock) : timers(kernel, clock) {}
  static void onTick(void* ctx, Timer& /*timer*/) {
    auto* self = static_cast<PeriodicNode*>(ctx);
    self->timers.startAt(self->tick, self->tick.fireTime() + kPeriod);
  }
  NodeTimers timers;
  Timer tick{this, &PeriodicNode::onTick};
};

void BM_NodeTimersPeriodic(benchmark::State& state) {
  const auto nodes = static_cast<std::size_t>(state.range(0));
  const bool drift = state.range(1) != 0;
  Kernel kernel;
  Rng rng{1};
  std::vector<std::unique_ptr<PeriodicNode>> all;
  all.reserve(nodes);
  for (std::size_t i = 0; i < nodes; ++i) {
    const std::int64_t ppb = drift ? rng.uniformInt(-40'000, 40'000) : 0;
    all.push_back(std::make_unique<PeriodicNode>(kernel, NodeClock(ppb, SimTime{})));
    PeriodicNode& n = *all.back();
    n.timers.start(n.tick, Duration{rng.uniformInt(0, kPeriod.count() - 1)});
  }
  for (std::size_t i = 0; i < 2 * nodes; ++i)
    kernel.step();
  constexpr int kBatch = 1024;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i)
      kernel.step();
  }
  if (kernel.pendingCount() != nodes) state.SkipWithError("one kernel event per node expected");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch);
  state.counters["sim_s_per_wall_s"] = benchmark::Counter(
      lpm::toSeconds(kernel.now().time_since_epoch()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_NodeTimersPeriodic)
    ->ArgNames({"nodes", "drift"})
    ->Args({10'000, 0})
    ->Args({10'000, 1})
    ->Args({1'000, 1});

struct DirectNode {
  Kernel* kernel;
  static void onTick(void* ctx, std::uint64_t /*arg*/) {
    auto* self = static_cast<DirectNode*>(ctx);
    self->kernel->scheduleIn(kPeriod, &DirectNode::onTick, self);
  }
};

void BM_KernelDirectPeriodic(benchmark::State& state) {
  const auto nodes = static_cast<std::size_t>(state.range(0));
  Kernel kernel;
  Rng rng{1};
  std::vector<DirectNode> all(nodes, DirectNode{&kernel});
  for (auto& n : all) {
    kernel.scheduleIn(Duration{rng.uniformInt(0, kPeriod.count() - 1)}, &DirectNode::onTick, &n);
  }
  for (std::size_t i = 0; i < 2 * nodes; ++i)
    kernel.step();
  constexpr int kBatch = 1024;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i)
      kernel.step();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch);
}
BENCHMARK(BM_KernelDirectPeriodic)->ArgName("nodes")->Arg(10'000);

}  // namespace

BENCHMARK_MAIN();
