// Whole-world broadcast load (issue #2 §6): N nodes at random positions, each
// broadcasting a 50-byte 802.15.4 frame (48-byte MPDU + FCS) every second with a random
// phase, CCA before each frame (up to 4 retries after a random backoff of 0..7 unit
// periods), every radio listening on channel 11 in between. Stacks are a benchmark-local
// platform::Stack using only platform::Radio802154, Timers and Random.
//
// Geometry: log-distance (40 dB at 1 m, exponent 3, σ 4 dB shadowing), density one node
// per 800 m² (~48 nodes above the -100 dBm sensitivity around each one at 0 dBm, as in
// the 20 m grid of ns-3's lr-wpan scale test), 0 dBm, pruning at -110 dBm (default) or
// at the sensitivity (-100 dBm, the Arg's second value) to show the trade.
//
// Counters: frames_delivered and sim_seconds are rates per wall second (Google
// Benchmark kIsRate), so "sim_seconds" reads as the real-time factor; events = kernel
// events per wall second; rx_per_tx, visits_per_tx (listening radios a frame touched),
// neighbors (mean list length).
//
// allocs_per_frame: heap allocations (global operator new, counted in this program)
// per transmitted frame from simulated second 2 to the end, i.e. in steady state.
//
// BM_WorldMemory: RSS growth per node for a 10,000-node world of the same density after
// building it and running 1 simulated second (pools at steady state), with malloc_trim
// before both readings; medium_bytes_per_node is the medium's own accounting.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/platform/platform.hpp"
#include "lpmesh/sim/world.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

// Counting replacements of the global allocation functions (this program only). GCC
// cannot see that these new/delete are a matching malloc/free pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
  std::free(p);
}

namespace {

using lpm::Duration;
using lpm::LocalTime;
using lpm::micros;
using lpm::millis;
using lpm::NodeId;
using lpm::Rng;
using lpm::seconds;
using lpm::SimTime;
namespace platform = lpm::platform;
namespace sim = lpm::sim;

constexpr double kAreaPerNode = 800.0;  // m²

class BroadcastStack final : public platform::Stack, public platform::Radio802154Client {
 public:
  explicit BroadcastStack(platform::Platform& p) : p_(p) {}
  ~BroadcastStack() override { p_.timers->stop(timer_); }
  void start() override {
    p_.radio802154->setClient(this);
    (void)p_.radio802154->receive(kChannel);
    p_.timers->start(timer_, Duration{static_cast<std::int64_t>(p_.random->below(1'000'000'000))});
    // 802.15.4-2006 data frame, PAN ID compression, short addresses, broadcast.
    frame_ = {0x41,
              0x88,
              0,
              0xCD,
              0xAB,
              0xFF,
              0xFF,
              static_cast<std::uint8_t>(p_.node_id),
              static_cast<std::uint8_t>(p_.node_id >> 8)};
    frame_.resize(48, 0x5A);
  }
  void onTxDone(platform::TxStatus status, LocalTime /*sfd*/) override {
    if (status == platform::TxStatus::kChannelBusy && retries_ < 4) {
      ++retries_;
      const auto units = static_cast<std::int64_t>(p_.random->below(8));
      p_.timers->start(retry_, micros(320) * units);
    }
  }
  void onRx(const platform::Rx802154& /*frame*/) override {}

 private:
  static constexpr std::uint8_t kChannel = 11;
  void send() {
    platform::Tx802154 tx;
    tx.channel = kChannel;
    tx.mpdu = frame_;
    tx.cca = true;
    (void)p_.radio802154->transmit(tx);
  }
  void onTimer() {
    ++frame_[2];
    retries_ = 0;
    send();
    p_.timers->start(timer_, seconds(1));
  }
  void onRetry() { send(); }

  platform::Platform& p_;
  std::vector<std::uint8_t> frame_;
  int retries_ = 0;
  platform::Timer timer_{this, &platform::Timer::thunk<&BroadcastStack::onTimer>};
  platform::Timer retry_{this, &platform::Timer::thunk<&BroadcastStack::onRetry>};
};

std::unique_ptr<sim::World> buildWorld(std::size_t n, double prune_dbm, std::uint64_t seed) {
  sim::WorldConfig c;
  c.seed = seed;
  c.propagation.kind = sim::PropagationKind::kLogDistance;
  c.propagation.pl_d0_db = 40.0;
  c.propagation.exponent = 3.0;
  c.propagation.shadowing_sigma_db = 4.0;
  c.phy.prune_below_dbm = prune_dbm;
  auto w = std::make_unique<sim::World>(c);
  const double side = std::sqrt(static_cast<double>(n) * kAreaPerNode);
  Rng place(seed);
  for (std::size_t i = 0; i < n; ++i) {
    sim::NodeConfig nc;
    nc.position = sim::Vec3{place.uniform(0.0, side), place.uniform(0.0, side), 0.0};
    w->addNode(nc);
  }
  w->finalizeTopology();
  for (NodeId i = 0; i < n; ++i) {
    w->setStackFactory(i, [](platform::Platform& p) {
      std::vector<std::unique_ptr<platform::Stack>> v;
      v.push_back(std::make_unique<BroadcastStack>(p));
      return v;
    });
    w->powerOn(i, SimTime{});
  }
  return w;
}

void BM_WorldBroadcast(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const double prune = static_cast<double>(state.range(1));
  const Duration sim_time = seconds(n >= 10'000 ? 4 : 10);
  std::uint64_t delivered = 0, tx = 0, events = 0, visits = 0;
  std::uint64_t steady_allocs = 0, steady_tx = 0;
  double neighbors = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    auto w = buildWorld(n, prune, 1);
    const std::uint64_t events0 = w->kernel().eventsExecuted();
    state.ResumeTiming();
    w->runUntil(SimTime{seconds(2)});
    const std::uint64_t allocs0 = g_allocations.load();
    std::uint64_t tx0 = 0;
    for (NodeId i = 0; i < n; ++i)
      tx0 += w->radioStats(i).tx_frames;
    w->runUntil(SimTime{sim_time});
    steady_allocs += g_allocations.load() - allocs0;
    state.PauseTiming();
    std::uint64_t tx_iter = 0;
    for (NodeId i = 0; i < n; ++i) {
      const sim::RadioStats& s = w->radioStats(i);
      delivered += s.rx_ok;
      tx_iter += s.tx_frames;
    }
    tx += tx_iter;
    steady_tx += tx_iter - tx0;
    events += w->kernel().eventsExecuted() - events0;
    const sim::MediumSummary m = w->mediumSummary();
    visits += m.signal_visits;
    neighbors = m.mean_neighbors;
    w.reset();
    state.ResumeTiming();
  }
  state.counters["frames_delivered"] =
      benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
  state.counters["sim_seconds"] =
      benchmark::Counter(lpm::toSeconds(sim_time) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["events"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["rx_per_tx"] = static_cast<double>(delivered) / static_cast<double>(tx);
  state.counters["visits_per_tx"] = static_cast<double>(visits) / static_cast<double>(tx);
  state.counters["neighbors"] = neighbors;
  state.counters["allocs_per_frame"] = static_cast<double>(steady_allocs) /
                                       static_cast<double>(std::max<std::uint64_t>(steady_tx, 1));
}
BENCHMARK(BM_WorldBroadcast)
    ->Args({1000, -110})
    ->Args({1000, -100})
    ->Args({10000, -110})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

std::size_t residentBytes() {
  long pages = 0;
  long resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

void BM_WorldMemory(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  double per_node = 0.0, medium_per_node = 0.0, neighbors = 0.0, build_s = 0.0;
  for (auto _ : state) {
    malloc_trim(0);
    const std::size_t before = residentBytes();
    auto w = buildWorld(n, -110.0, 1);
    w->runUntil(SimTime{seconds(1)});
    malloc_trim(0);
    const std::size_t after = residentBytes();
    per_node = static_cast<double>(after - before) / static_cast<double>(n);
    const sim::MediumSummary m = w->mediumSummary();
    medium_per_node = static_cast<double>(m.medium_bytes) / static_cast<double>(n);
    neighbors = m.mean_neighbors;
    build_s = m.topology_build_seconds;
  }
  state.counters["bytes_per_node"] = per_node;
  state.counters["medium_bytes_per_node"] = medium_per_node;
  state.counters["neighbors"] = neighbors;
  state.counters["topology_build_s"] = build_s;
}
BENCHMARK(BM_WorldMemory)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
