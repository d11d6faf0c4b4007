#include "lpmesh/scenario/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>

#include "lpmesh/scenario/units.hpp"

namespace lpm::scenario {
namespace {

const char* propagationName(sim::PropagationKind k) {
  switch (k) {
    case sim::PropagationKind::kUnitDisk:
      return "unit_disk";
    case sim::PropagationKind::kLogDistance:
      return "log_distance";
    case sim::PropagationKind::kLinkTable:
      return "link_table";
  }
  return "?";
}

/// Fraction of the time the radio(s) spent receiving or sending.
double dutyCycle(const sim::RadioStats& r) {
  Duration total{0};
  for (Duration d : r.time_in_state)
    total += d;
  const Duration active = r.time_in_state[static_cast<std::size_t>(sim::RadioState::kRx)] +
                          r.time_in_state[static_cast<std::size_t>(sim::RadioState::kTx)];
  return total.count() > 0
             ? static_cast<double>(active.count()) / static_cast<double>(total.count())
             : 0.0;
}

/// Exact seconds of a time (toSeconds multiplies by 1e-9, which is not exact in binary).
double secondsOf(Duration d) {
  return static_cast<double>(d.count()) / 1e9;
}

/// Rounds for stable, readable JSON (the underlying values are deterministic anyway).
double round6(double v) {
  return std::round(v * 1e6) / 1e6;
}

}  // namespace

Runner::Runner(const Scenario& scenario, const RunOptions& options, const StackRegistry& registry)
    : scenario_(scenario),
      seed_(options.seed.value_or(scenario.seed)),
      end_(simTime(options.until.value_or(scenario.duration))),
      out_dir_(options.out_dir) {
  placement_ = placeNodes(scenario.topology, seed_);
  const std::size_t n = placement_.size();
  positions_.reserve(n);
  for (const NodePlacement& p : placement_)
    positions_.push_back(p.position);

  radios_.assign(n, Radios{});
  bool any_802154 = false, any_ble = false;
  for (const StackEntry& e : scenario.stacks) {
    const Radios r = e.config->radios();
    for (NodeId id : e.nodes) {
      radios_[id].ieee802154 = radios_[id].ieee802154 || r.ieee802154;
      radios_[id].ble = radios_[id].ble || r.ble;
    }
    any_802154 = any_802154 || r.ieee802154;
    any_ble = any_ble || r.ble;
  }

  sim::WorldConfig wc;
  wc.seed = seed_;
  wc.propagation = scenario.propagation;
  wc.phy = scenario.phy;
  if (!out_dir_.empty()) {
    std::filesystem::create_directories(out_dir_);
    const auto path = [&](const char* name) {
      return (std::filesystem::path(out_dir_) / name).string();
    };
    if (scenario.outputs.pcap_802154 && any_802154) {
      wc.pcap_802154_path = path("ieee802154.pcap");
      pcaps_.push_back(wc.pcap_802154_path);
    }
    if (scenario.outputs.pcap_ble && any_ble) {
      wc.pcap_ble_path = path("ble.pcap");
      pcaps_.push_back(wc.pcap_ble_path);
    }
  }
  world_ = std::make_unique<sim::World>(wc);
  for (NodeId id = 0; id < n; ++id) {
    sim::NodeConfig nc;
    nc.position = placement_[id].position;
    nc.drift_ppm = placement_[id].drift_ppm;
    nc.radio802154 = radios_[id].ieee802154;
    nc.ble = radios_[id].ble;
    world_->addNode(nc);
  }
  world_->finalizeTopology();

  // One run state per stack kind present, in order of first appearance.
  const RunContext context{scenario, seed_, positions_, *world_};
  std::vector<std::size_t> entry_kind(scenario.stacks.size());
  for (std::size_t i = 0; i < scenario.stacks.size(); ++i) {
    const std::string& kind = scenario.stacks[i].kind;
    auto it = std::find(kind_names_.begin(), kind_names_.end(), kind);
    if (it == kind_names_.end()) {
      kind_names_.push_back(kind);
      kind_runs_.push_back(registry.find(kind)->startRun(context));
      it = kind_names_.end() - 1;
    }
    entry_kind[i] = static_cast<std::size_t>(it - kind_names_.begin());
  }
  std::vector<std::vector<std::size_t>> node_entries(n);
  for (std::size_t i = 0; i < scenario.stacks.size(); ++i) {
    for (NodeId id : scenario.stacks[i].nodes)
      node_entries[id].push_back(i);
  }
  for (NodeId id = 0; id < n; ++id) {
    std::vector<std::pair<KindRun*, const StackEntry*>> parts;
    for (std::size_t i : node_entries[id]) {
      parts.emplace_back(kind_runs_[entry_kind[i]].get(), &scenario.stacks[i]);
    }
    world_->setStackFactory(id, [id, parts](platform::Platform& platform) {
      std::vector<std::unique_ptr<platform::Stack>> stacks;
      stacks.reserve(parts.size());
      for (const auto& [run, entry] : parts)
        stacks.push_back(run->create(id, *entry, platform));
      return stacks;
    });
  }

  // Power: every node is on from t = 0, except one whose first power fault is a
  // power_on (it boots then).
  std::vector<const Fault*> node_faults;
  for (const Fault& f : scenario.faults) {
    if (f.kind != FaultKind::kJammer) node_faults.push_back(&f);
  }
  std::stable_sort(node_faults.begin(), node_faults.end(),
                   [](const Fault* a, const Fault* b) { return a->at < b->at; });
  std::vector<std::uint8_t> starts_off(n, 0), seen(n, 0);
  for (const Fault* f : node_faults) {
    for (NodeId id : f->nodes) {
      if (seen[id] == 0) starts_off[id] = f->kind == FaultKind::kPowerOn ? 1 : 0;
      seen[id] = 1;
    }
  }
  for (NodeId id = 0; id < n; ++id) {
    if (starts_off[id] == 0) world_->powerOn(id, SimTime{});
  }
  for (const Fault* f : node_faults) {
    for (NodeId id : f->nodes) {
      switch (f->kind) {
        case FaultKind::kReboot:
          world_->reboot(id, f->at);
          break;
        case FaultKind::kPowerOff:
          world_->powerOff(id, f->at);
          break;
        case FaultKind::kPowerOn:
          world_->powerOn(id, f->at);
          break;
        case FaultKind::kJammer:
          break;
      }
    }
  }
  for (const Fault& f : scenario.faults) {
    if (f.kind == FaultKind::kJammer) {
      world_->addJammer(f.position, f.center_mhz, f.power_dbm, f.at, f.until);
    }
  }
}

Runner::~Runner() = default;

SimTime Runner::now() const {
  return world_->now();
}

std::uint64_t Runner::events() const {
  return world_->kernel().eventsExecuted();
}

void Runner::runUntil(SimTime t) {
  if (finished_) return;
  world_->runUntil(std::min(t, end_));
}

std::string Runner::radiosOf(NodeId id) const {
  const Radios& r = radios_[id];
  if (r.ieee802154 && r.ble) return "ieee802154+ble";
  if (r.ieee802154) return "ieee802154";
  if (r.ble) return "ble";
  return "none";
}

NodeRow Runner::nodeRow(NodeId id) const {
  NodeRow row;
  row.id = id;
  row.position = positions_[id];
  row.phy = radiosOf(id);
  for (const auto& run : kind_runs_)
    run->addNodeTraffic(id, row.traffic);
  row.radio = world_->radioStats(id);
  row.duty_cycle = dutyCycle(row.radio);
  return row;
}

RunOutputs Runner::finish() {
  RunOutputs out;
  if (!finished_) {
    for (const auto& run : kind_runs_)
      run->finish();
    world_->closeCaptures();
    finished_ = true;
  }
  const std::size_t n = positions_.size();
  std::vector<NodeRow> rows;
  rows.reserve(n);
  for (NodeId id = 0; id < n; ++id)
    rows.push_back(nodeRow(id));

  // summary.json: ordered keys, no wall-clock values.
  nlohmann::ordered_json& s = out.summary;
  s["scenario"] = {{"name", scenario_.name}, {"file", scenario_.file}};
  if (!scenario_.description.empty()) s["scenario"]["description"] = scenario_.description;
  s["seed"] = seed_;
  s["duration_s"] = secondsOf(end_.time_since_epoch());
  s["simulated_s"] = secondsOf(now().time_since_epoch());
  s["nodes"] = n;
  s["events"] = events();

  nlohmann::ordered_json prop;
  prop["model"] = propagationName(scenario_.propagation.kind);
  switch (scenario_.propagation.kind) {
    case sim::PropagationKind::kUnitDisk:
      prop["range_m"] = scenario_.propagation.range_m;
      prop["rx_dbm"] = scenario_.propagation.unit_disk_rx_dbm;
      break;
    case sim::PropagationKind::kLogDistance:
      prop["pl_d0_db"] = scenario_.propagation.pl_d0_db;
      prop["d0_m"] = scenario_.propagation.d0_m;
      prop["exponent"] = scenario_.propagation.exponent;
      prop["shadowing_sigma_db"] = scenario_.propagation.shadowing_sigma_db;
      break;
    case sim::PropagationKind::kLinkTable:
      prop["file"] = scenario_.link_table_file;
      prop["links"] = scenario_.propagation.links.size();
      break;
  }
  s["propagation"] = std::move(prop);

  const sim::MediumSummary ms = world_->mediumSummary();
  nlohmann::ordered_json medium;
  medium["prune_below_dbm"] = ms.prune_below_dbm;
  medium["max_tx_power_dbm"] = ms.max_tx_power_dbm;
  const std::uint64_t pairs = static_cast<std::uint64_t>(n) * (n == 0 ? 0 : n - 1);
  medium["directed_pairs"] = pairs;
  medium["pairs_linked"] = ms.neighbor_links;
  medium["pairs_pruned"] = pairs - std::min(pairs, ms.neighbor_links);
  medium["mean_neighbors"] = round6(ms.mean_neighbors);
  medium["pairs_evaluated"] = ms.pairs_evaluated;
  medium["transmissions"] = ms.transmissions;
  medium["signal_visits"] = ms.signal_visits;
  medium["deliveries"] = ms.deliveries;
  s["medium"] = std::move(medium);

  // Per PHY: radio counters of every node that has that radio.
  std::array<PhyTotals, 2> totals{};
  constexpr std::array<sim::Phy, 2> kPhys{sim::Phy::k802154, sim::Phy::kBle};
  constexpr std::array<const char*, 2> kPhyKeys{"ieee802154", "ble"};
  for (std::size_t p = 0; p < kPhys.size(); ++p) {
    PhyTotals& t = totals[p];
    for (NodeId id = 0; id < n; ++id) {
      if (!(p == 0 ? radios_[id].ieee802154 : radios_[id].ble)) continue;
      const sim::RadioStats& r = world_->radioStats(id, kPhys[p]);
      ++t.nodes;
      t.tx_frames += r.tx_frames;
      t.rx_ok += r.rx_ok;
      t.lost_collision += r.rx_lost_collision;
      t.lost_noise += r.rx_lost_noise;
      t.missed_busy += r.rx_missed_busy;
      t.aborted += r.rx_aborted;
      t.cca_busy += r.cca_busy;
      t.duty_cycle_sum += dutyCycle(r);
      t.charge_mc += r.charge_mc;
    }
  }
  nlohmann::ordered_json phys = nlohmann::ordered_json::object();
  for (std::size_t p = 0; p < kPhys.size(); ++p) {
    const PhyTotals& t = totals[p];
    if (t.nodes == 0) continue;
    phys[kPhyKeys[p]] = {
        {"nodes", t.nodes},
        {"tx_frames", t.tx_frames},
        {"rx_ok", t.rx_ok},
        {"lost_collision", t.lost_collision},
        {"lost_noise", t.lost_noise},
        {"missed_busy", t.missed_busy},
        {"aborted", t.aborted},
        {"cca_busy", t.cca_busy},
        {"mean_duty_cycle", round6(t.duty_cycle_sum / static_cast<double>(t.nodes))},
        {"charge_mc", round6(t.charge_mc)}};
  }
  s["phys"] = std::move(phys);

  std::string stack_text;
  nlohmann::ordered_json stacks = nlohmann::ordered_json::object();
  for (std::size_t k = 0; k < kind_runs_.size(); ++k) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    kind_runs_[k]->report(j, stack_text);
    stacks[kind_names_[k]] = std::move(j);
  }
  s["stacks"] = std::move(stacks);

  nlohmann::ordered_json node_list = nlohmann::ordered_json::array();
  out.nodes_csv =
      "id,x,y,z,phy,sent,received,lost_collision,lost_noise,duty_cycle,charge_mc,tx_frames,"
      "rx_ok,missed_busy,aborted\n";
  for (const NodeRow& r : rows) {
    node_list.push_back({{"id", r.id},
                         {"x", round6(r.position.x)},
                         {"y", round6(r.position.y)},
                         {"z", round6(r.position.z)},
                         {"phy", r.phy},
                         {"sent", r.traffic.sent},
                         {"received", r.traffic.received},
                         {"lost_collision", r.radio.rx_lost_collision},
                         {"lost_noise", r.radio.rx_lost_noise},
                         {"duty_cycle", round6(r.duty_cycle)},
                         {"charge_mc", round6(r.radio.charge_mc)},
                         {"tx_frames", r.radio.tx_frames},
                         {"rx_ok", r.radio.rx_ok},
                         {"missed_busy", r.radio.rx_missed_busy},
                         {"aborted", r.radio.rx_aborted}});
    out.nodes_csv += fmt::format(
        "{},{:.3f},{:.3f},{:.3f},{},{},{},{},{},{:.6f},{:.4f},{},{},{},{}\n", r.id, r.position.x,
        r.position.y, r.position.z, r.phy, r.traffic.sent, r.traffic.received,
        r.radio.rx_lost_collision, r.radio.rx_lost_noise, r.duty_cycle, r.radio.charge_mc,
        r.radio.tx_frames, r.radio.rx_ok, r.radio.rx_missed_busy, r.radio.rx_aborted);
  }
  s["node_rows"] = std::move(node_list);

  // The printed table.
  std::string& t = out.table;
  t += fmt::format("lpmesh run: {} (seed {}), {} simulated, {} nodes, {} events\n", scenario_.name,
                   seed_, formatDuration(now().time_since_epoch()), n, events());
  t += fmt::format("\n  {:<10} {:>5} {:>9} {:>9} {:>9} {:>10} {:>9} {:>7} {:>7} {:>10}\n", "PHY",
                   "nodes", "tx frames", "rx ok", "lost coll", "lost noise", "missed", "aborted",
                   "duty %", "charge mC");
  constexpr std::array<const char*, 2> kPhyLabels{"802.15.4", "BLE"};
  for (std::size_t p = 0; p < totals.size(); ++p) {
    const PhyTotals& pt = totals[p];
    if (pt.nodes == 0) continue;
    t += fmt::format("  {:<10} {:>5} {:>9} {:>9} {:>9} {:>10} {:>9} {:>7} {:>7.2f} {:>10.1f}\n",
                     kPhyLabels[p], pt.nodes, pt.tx_frames, pt.rx_ok, pt.lost_collision,
                     pt.lost_noise, pt.missed_busy, pt.aborted,
                     100.0 * pt.duty_cycle_sum / static_cast<double>(pt.nodes), pt.charge_mc);
  }
  t += stack_text;
  out.pcaps = pcaps_;
  return out;
}

}  // namespace lpm::scenario
