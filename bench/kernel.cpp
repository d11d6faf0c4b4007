// Event-kernel throughput: the hold model (simulation.md §3). P events are pending; each
// executed event schedules one new event at now + delay, so the queue size stays P.
// items_per_second = events executed per wall second.
//
// Delays: uniform integer in [0, 200] ns (mean 100 ns), drawn from a deterministic
// lpm::Rng with one multiply per draw, so the queue dominates the measurement. The *Exp
// variants draw Exp(mean 100 ns) instead (a log per draw, as in the fact sheet's table).
// With ~P/100 events per nanosecond many events share a time: FIFO ties are exercised.
//
// BM_StdPriorityQueueHoldModel is the baseline: the same workload over
// std::priority_queue of a POD (time, seq, fn, ctx), the usual lean binary heap, so the
// report reads as a ratio within one run.
#include "lpmesh/sim/kernel.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <queue>
#include <vector>

#include "lpmesh/core/rng.hpp"

namespace {

using lpm::Duration;
using lpm::Rng;
using lpm::sim::EventFn;
using lpm::sim::Kernel;

constexpr std::uint64_t kMaxDelayNs = 200;
constexpr double kMeanDelayNs = 100.0;
constexpr std::uint64_t kWideMaxDelayNs = 10'000'000;

enum class Delays { kUniform, kExponential, kWide };

template <Delays kDelays>
std::int64_t drawDelay(Rng& rng) {
  if constexpr (kDelays == Delays::kExponential) {
    return static_cast<std::int64_t>(rng.exponential(kMeanDelayNs));
  } else if constexpr (kDelays == Delays::kWide) {
    return static_cast<std::int64_t>(rng.below(kWideMaxDelayNs + 1));
  } else {
    return static_cast<std::int64_t>(rng.below(kMaxDelayNs + 1));
  }
}

template <Delays kDelays>
struct KernelHold {
  Kernel kernel;
  Rng rng{42};

  static void onEvent(void* ctx, std::uint64_t /*arg*/) {
    auto* self = static_cast<KernelHold*>(ctx);
    self->kernel.scheduleIn(Duration{drawDelay<kDelays>(self->rng)}, &KernelHold::onEvent, self);
  }
};

template <Delays kDelays>
void kernelHoldModel(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  KernelHold<kDelays> hold;
  for (std::size_t i = 0; i < pending; ++i) {
    hold.kernel.scheduleIn(Duration{drawDelay<kDelays>(hold.rng)}, &KernelHold<kDelays>::onEvent,
                           &hold);
  }
  // Warm up into the steady state (slab and wheel populated).
  for (std::size_t i = 0; i < 4 * pending; ++i)
    hold.kernel.step();
  constexpr int kBatch = 1024;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i)
      hold.kernel.step();
  }
  if (hold.kernel.pendingCount() != pending) state.SkipWithError("pending count drifted");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch);
}

/// The baseline queue: a binary heap of POD entries ordered by (time, seq).
template <Delays kDelays>
struct PqHold {
  struct Entry {
    std::int64_t time;
    std::uint64_t seq;
    EventFn fn;
    void* context;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.time != b.time ? a.time > b.time : a.seq > b.seq;
    }
  };
  std::priority_queue<Entry, std::vector<Entry>, Later> queue;
  std::int64_t now = 0;
  std::uint64_t seq = 0;
  Rng rng{42};

  void scheduleIn(std::int64_t delay, EventFn fn, void* context) {
    queue.push(Entry{now + delay, seq++, fn, context});
  }
  void step() {
    const Entry e = queue.top();
    queue.pop();
    now = e.time;
    e.fn(e.context, 0);
  }
  static void onEvent(void* ctx, std::uint64_t /*arg*/) {
    auto* self = static_cast<PqHold*>(ctx);
    self->scheduleIn(drawDelay<kDelays>(self->rng), &PqHold::onEvent, self);
  }
};

template <Delays kDelays>
void stdPriorityQueueHoldModel(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  PqHold<kDelays> hold;
  std::vector<typename PqHold<kDelays>::Entry> storage;
  storage.reserve(pending + 1);
  hold.queue = decltype(hold.queue)({}, std::move(storage));
  for (std::size_t i = 0; i < pending; ++i) {
    hold.scheduleIn(drawDelay<kDelays>(hold.rng), &PqHold<kDelays>::onEvent, &hold);
  }
  for (std::size_t i = 0; i < 4 * pending; ++i)
    hold.step();
  constexpr int kBatch = 1024;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i)
      hold.step();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch);
}

void BM_KernelHoldModel(benchmark::State& state) {
  kernelHoldModel<Delays::kUniform>(state);
}
void BM_StdPriorityQueueHoldModel(benchmark::State& state) {
  stdPriorityQueueHoldModel<Delays::kUniform>(state);
}
void BM_KernelHoldModelExp(benchmark::State& state) {
  kernelHoldModel<Delays::kExponential>(state);
}
void BM_StdPriorityQueueHoldModelExp(benchmark::State& state) {
  stdPriorityQueueHoldModel<Delays::kExponential>(state);
}
void BM_KernelHoldModelWide(benchmark::State& state) {
  kernelHoldModel<Delays::kWide>(state);
}
void BM_StdPriorityQueueHoldModelWide(benchmark::State& state) {
  stdPriorityQueueHoldModel<Delays::kWide>(state);
}

BENCHMARK(BM_KernelHoldModel)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_StdPriorityQueueHoldModel)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_KernelHoldModelExp)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_StdPriorityQueueHoldModelExp)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_KernelHoldModelWide)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_StdPriorityQueueHoldModelWide)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000);

void noop(void*, std::uint64_t) {}

/// Schedules an event at a random future time and cancels it, with `pending` other
/// events in the queue (as a MAC arming and disarming an ack timeout).
/// items_per_second = schedule + cancel pairs.
void BM_KernelScheduleCancel(benchmark::State& state) {
  const auto pending = static_cast<std::size_t>(state.range(0));
  Kernel kernel;
  Rng rng{7};
  for (std::size_t i = 0; i < pending; ++i) {
    kernel.scheduleIn(Duration{static_cast<std::int64_t>(rng.below(1'000'000))}, &noop, nullptr);
  }
  constexpr int kBatch = 1024;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      const auto id = kernel.scheduleIn(Duration{static_cast<std::int64_t>(rng.below(1'000'000))},
                                        &noop, nullptr);
      benchmark::DoNotOptimize(kernel.cancel(id));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch);
}
BENCHMARK(BM_KernelScheduleCancel)->Arg(0)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
