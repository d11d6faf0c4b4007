// TSCH floor benchmark (issue #4 §6): 1,000 nodes on a 40 x 25 grid, 10 m apart
// (a 400 m x 250 m floor), the PAN coordinator in the middle, every node synchronised
// along a static time-source tree (shortest-hop tree over links of at least -98 dBm,
// lpm::scenario::buildStaticTree), RFC 8180 minimal schedule with a 101-slot slotframe
// (one shared cell per 1.01 s), EBs and keep-alives only (no data traffic).
//
// Radio: -25 dBm, log-distance 40 dB at 1 m, exponent 3, 4 dB shadowing, so each node
// hears ~8 neighbours above the -100 dBm sensitivity (and ~30 within the -110 dBm
// pruning threshold); the medium's neighbour lists assume -25 dBm (phy.max_tx_power_dbm).
// Static tree links: at least -98 dBm both ways. Clocks: uniform ±30 ppm.
// MAC: EB_PERIOD 30 s, keep-alive 12 s (60 s once the drift is learnt), desync 120 s,
// NUM_NEIGHBOURS_TO_WAIT 1 (the tree fixes the time source).
//
// Phases: formation (cold start, every node scanning, until all are synchronised or
// 12 simulated hours), then the measured steady state: one simulated hour.
// Counters:
//  - sim_per_wall: simulated seconds per wall second in the steady state (goal >= 1000);
//  - node_slots_per_s: nodes x 10 ms slots simulated per wall second, the unit of
//    sixtisch.md §13 (the Python 6TiSCH simulator: ~0.3 M);
//  - sim_per_cpu: the same per CPU second of this process (the machine may be shared);
//  - BM_SlotBaseline is the baseline of the same run: the same nodes waking for the same
//    cell and listening the same 2.2 ms with no MAC at all; sim_per_cpu of the two gives
//    what the MAC costs beyond the simulator's own work;
//  - bytes_per_node: RSS growth per node over building and forming the network (goal
//    <= 16 KiB), malloc_trim before both readings;
//  - synced_end, desyncs (steady state), formation_sim_s, formation_wall_s, events_per_s.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/ieee802154/tsch_node.hpp"
#include "lpmesh/scenario/tsch_kind.hpp"
#include "lpmesh/sim/world.hpp"

namespace {

using lpm::Duration;
using lpm::Eui64;
using lpm::micros;
using lpm::NodeId;
using lpm::seconds;
using lpm::SimTime;
namespace ieee = lpm::ieee802154;
namespace platform = lpm::platform;
namespace sim = lpm::sim;

constexpr int kRows = 25;
constexpr int kCols = 40;
constexpr double kSpacing = 10.0;
constexpr std::int8_t kTxPower = -25;

std::size_t residentBytes() {
  long pages = 0;
  long resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// Process CPU time: the machine may be shared, so wall time alone can mislead.
double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wallSeconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

sim::WorldConfig floorConfig() {
  sim::WorldConfig c;
  c.seed = 42;
  c.propagation.kind = sim::PropagationKind::kLogDistance;
  c.propagation.pl_d0_db = 40.0;
  c.propagation.exponent = 3.0;
  c.propagation.shadowing_sigma_db = 4.0;
  c.phy.max_tx_power_dbm = kTxPower;
  return c;
}

/// Adds the grid's nodes with ±30 ppm clocks; returns the coordinator (middle) id.
NodeId addFloorNodes(sim::World& w) {
  lpm::Rng rng(7);
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < kCols; ++c) {
      sim::NodeConfig n;
      n.position = sim::Vec3{c * kSpacing, r * kSpacing, 0.0};
      n.drift_ppm = rng.uniform(-30.0, 30.0);
      w.addNode(n);
    }
  }
  w.finalizeTopology();
  return static_cast<NodeId>((kRows / 2) * kCols + kCols / 2);
}

class Observer final : public ieee::TschNodeObserver {
 public:
  explicit Observer(std::size_t n) : live(n, nullptr) {}
  void onDesynchronized(NodeId) override { ++desyncs; }
  void onStopped(NodeId node, const ieee::TschStats&) override { live[node] = nullptr; }
  std::size_t synced() const {
    std::size_t k = 0;
    for (const ieee::TschNode* t : live)
      if (t != nullptr && t->mac().isSynchronized()) ++k;
    return k;
  }
  std::vector<ieee::TschNode*> live;
  std::uint64_t desyncs = 0;
};

void BM_TschFloor(benchmark::State& state) {
  const bool secured = state.range(0) != 0;
  double sim_per_wall = 0, node_slots = 0, bytes_per_node = 0, synced_end = 0, desyncs = 0,
         formation_sim = 0, formation_wall = 0, events_per_s = 0, steady_wall = 0, sim_per_cpu = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const std::size_t rss_before = residentBytes();
    auto world = std::make_unique<sim::World>(floorConfig());
    const NodeId coord = addFloorNodes(*world);
    const std::size_t n = world->nodeCount();
    std::vector<NodeId> all(n);
    for (NodeId i = 0; i < n; ++i)
      all[i] = i;
    const auto tree = lpm::scenario::buildStaticTree(*world, all, coord, -98.0, kTxPower);
    Observer obs(n);
    ieee::TschConfig cfg;
    cfg.slotframe_length = 101;
    cfg.eb_period = seconds(30);
    cfg.num_neighbours_to_wait = 1;
    cfg.tx_power_dbm = kTxPower;
    cfg.security.enabled = secured;
    for (NodeId id = 0; id < n; ++id) {
      ieee::TschConfig c = cfg;
      c.coordinator = id == coord;
      std::optional<Eui64> parent;
      if (auto it = tree.find(id); it != tree.end()) {
        parent = world->platform(it->second).radio802154->eui64();
      }
      world->setStackFactory(id, [c, parent, id, &obs](platform::Platform& p) {
        std::vector<std::unique_ptr<platform::Stack>> v;
        auto s = std::make_unique<ieee::TschNode>(p, c, parent, ieee::TschTrafficConfig{}, &obs);
        obs.live[id] = s.get();
        v.push_back(std::move(s));
        return v;
      });
      world->powerOn(id, SimTime{});
    }
    // Formation.
    const auto t0 = std::chrono::steady_clock::now();
    SimTime t{};
    const std::size_t reachable = tree.size() + 1;
    while (t < SimTime{seconds(12 * 3600)}) {
      t += seconds(60);
      world->runUntil(t);
      if (obs.synced() == n) break;
    }
    formation_sim = lpm::toSeconds(t.time_since_epoch());
    formation_wall = wallSeconds(t0);
    malloc_trim(0);
    bytes_per_node = static_cast<double>(residentBytes() - rss_before) / static_cast<double>(n);
    // Steady state.
    const std::uint64_t desyncs_before = obs.desyncs;
    const std::uint64_t events_before = world->kernel().eventsExecuted();
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = cpuSeconds();
    world->runUntil(t + seconds(3600));
    steady_wall = wallSeconds(t1);
    sim_per_cpu = 3600.0 / (cpuSeconds() - c1);
    sim_per_wall = 3600.0 / steady_wall;
    node_slots = static_cast<double>(n) * 3600.0 / 0.010 / steady_wall;
    events_per_s =
        static_cast<double>(world->kernel().eventsExecuted() - events_before) / steady_wall;
    desyncs = static_cast<double>(obs.desyncs - desyncs_before);
    synced_end = static_cast<double>(obs.synced());
    std::printf(
        "tsch floor (%s): %zu nodes, tree covers %zu, formation %.0f sim s in %.1f wall s; "
        "steady 3600 sim s in %.2f wall s = %.0fx real time (%.0fx per CPU s), %.2f M "
        "node-slots/s, "
        "%.0f B/node, synced %.0f, desyncs %.0f\n",
        secured ? "K1/K2" : "no security", n, reachable, formation_sim, formation_wall, steady_wall,
        sim_per_wall, sim_per_cpu, node_slots / 1e6, bytes_per_node, synced_end, desyncs);
    std::fflush(stdout);
    world.reset();  // before `obs`: the stacks report to it as they go
  }
  state.counters["sim_per_wall"] = sim_per_wall;
  state.counters["sim_per_cpu"] = sim_per_cpu;
  state.counters["node_slots_per_s"] = node_slots;
  state.counters["bytes_per_node"] = bytes_per_node;
  state.counters["synced_end"] = synced_end;
  state.counters["desyncs"] = desyncs;
  state.counters["formation_sim_s"] = formation_sim;
  state.counters["formation_wall_s"] = formation_wall;
  state.counters["events_per_s"] = events_per_s;
  state.counters["steady_wall_s"] = steady_wall;
}
BENCHMARK(BM_TschFloor)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

/// The simulator's floor for the same duty cycle: each node wakes at its minimal cell
/// (every 1.01 s, random phase), listens 2.2 ms on the hopping channel, and sleeps.
class SlotBaselineStack final : public platform::Stack {
 public:
  explicit SlotBaselineStack(platform::Platform& p) : p_(p) {}
  ~SlotBaselineStack() override { p_.timers->stop(timer_); }
  void start() override {
    next_ = p_.timers->now() + Duration{static_cast<std::int64_t>(p_.random->below(1'010'000'000))};
    p_.timers->startAt(timer_, next_);
  }

 private:
  void onTimer() {
    if (!listening_) {
      (void)p_.radio802154->receive(ieee::kDefaultHoppingSequence[asn_ % 16]);
      asn_ += 101;
      listening_ = true;
      p_.timers->startAt(timer_, next_ + micros(2200));
    } else {
      p_.radio802154->sleep();
      listening_ = false;
      next_ += micros(1'010'000);
      p_.timers->startAt(timer_, next_);
    }
  }
  platform::Platform& p_;
  lpm::LocalTime next_{};
  std::uint64_t asn_ = 0;
  bool listening_ = false;
  platform::Timer timer_{this, &platform::Timer::thunk<&SlotBaselineStack::onTimer>};
};

void BM_SlotBaseline(benchmark::State& state) {
  double sim_per_wall = 0, sim_per_cpu = 0;
  for (auto _ : state) {
    auto world = std::make_unique<sim::World>(floorConfig());
    addFloorNodes(*world);
    for (NodeId id = 0; id < world->nodeCount(); ++id) {
      world->setStackFactory(id, [](platform::Platform& p) {
        std::vector<std::unique_ptr<platform::Stack>> v;
        v.push_back(std::make_unique<SlotBaselineStack>(p));
        return v;
      });
      world->powerOn(id, SimTime{});
    }
    world->runUntil(SimTime{seconds(60)});
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = cpuSeconds();
    world->runUntil(SimTime{seconds(60 + 3600)});
    sim_per_wall = 3600.0 / wallSeconds(t1);
    sim_per_cpu = 3600.0 / (cpuSeconds() - c1);
    std::printf("slot baseline: %.0fx real time (%.0fx per CPU s)\n", sim_per_wall, sim_per_cpu);
    std::fflush(stdout);
  }
  state.counters["sim_per_wall"] = sim_per_wall;
  state.counters["sim_per_cpu"] = sim_per_cpu;
}
BENCHMARK(BM_SlotBaseline)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
