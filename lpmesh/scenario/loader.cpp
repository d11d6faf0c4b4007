#include "lpmesh/scenario/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lpmesh/scenario/csv.hpp"
#include "lpmesh/scenario/link_table.hpp"
#include "lpmesh/scenario/topology.hpp"
#include "lpmesh/scenario/units.hpp"
#include "lpmesh/scenario/yaml_reader.hpp"

namespace lpm::scenario {

double channel802154Mhz(int channel) {
  return 2405.0 + 5.0 * (channel - 11);
}

double channelBleMhz(int channel) {
  // Core Vol 6 Part B §1.4.1: RF channel k at 2402 + 2k MHz; the channel index skips
  // the advertising RF channels 0, 12 and 39.
  if (channel == 37) return 2402.0;
  if (channel == 38) return 2426.0;
  if (channel == 39) return 2480.0;
  if (channel <= 10) return 2404.0 + 2.0 * channel;
  return 2428.0 + 2.0 * (channel - 11);
}

namespace {

constexpr std::uint32_t kMaxNodes = 100'000;

class Loader {
 public:
  Loader(const YamlContext& ctx, std::string base_dir, const StackRegistry& registry)
      : ctx_(ctx), base_dir_(std::move(base_dir)), registry_(registry) {}

  Scenario load(const YAML::Node& root);

 private:
  void topology(const YAML::Node& node);
  void propagation(const YAML::Node& node);
  void phy(const YAML::Node& node);
  void stacks(const YAML::Node& node);
  void faults(const YAML::Node& node);
  void outputs(const YAML::Node& node);
  std::vector<NodeId> nodeSelector(const YAML::Node& node, const std::string& what) const;
  sim::Vec3 vec(const YAML::Node& node, const std::string& what) const {
    const std::vector<double> v = ctx_.vector3(node, what);
    return sim::Vec3{v[0], v[1], v[2]};
  }
  std::string resolve(const std::string& path) const {
    if (path.empty() || path.front() == '/' || base_dir_.empty()) return path;
    return (std::filesystem::path(base_dir_) / path).lexically_normal().string();
  }
  SimTime time(MapReader& m, std::string_view key, bool required);

  const YamlContext& ctx_;
  std::string base_dir_;
  const StackRegistry& registry_;
  Scenario s_;
  bool max_tx_power_set_ = false;
};

Scenario Loader::load(const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) {
    throw ScenarioError(SourceMark{ctx_.file(), 1, 1}, "empty scenario");
  }
  MapReader m(ctx_, root, "");
  s_.file = ctx_.file();
  s_.name = std::filesystem::path(ctx_.file()).stem().string();
  s_.name = m.string("name", s_.name);
  s_.description = m.has("description") ? ctx_.string(m.get("description"), "description") : "";
  if (m.has("seed")) s_.seed = ctx_.unsignedInteger(m.get("seed"), "seed");
  s_.duration = ctx_.duration(m.required("duration"), "duration", micros(1));
  topology(m.required("topology"));
  if (m.has("propagation")) propagation(m.get("propagation"));
  if (m.has("phy")) phy(m.get("phy"));
  stacks(m.required("stacks"));
  if (!max_tx_power_set_) {
    // Size the neighbour lists for the loudest stack, so no transmission is pruned
    // harder than prune_below_dbm says.
    for (const StackEntry& e : s_.stacks) {
      if (const auto p = e.config->maxTxPowerDbm(); p && *p > s_.phy.max_tx_power_dbm) {
        s_.phy.max_tx_power_dbm = *p;
      }
    }
  }
  if (m.has("faults")) faults(m.get("faults"));
  if (m.has("outputs")) outputs(m.get("outputs"));
  m.finish();
  return std::move(s_);
}

void Loader::topology(const YAML::Node& node) {
  MapReader m(ctx_, node, "topology");
  TopologyConfig& t = s_.topology;
  t.mark = ctx_.mark(node);
  const std::array<std::string_view, 4> forms{"positions", "grid", "random", "csv"};
  std::string_view chosen;
  for (std::string_view f : forms) {
    if (!m.has(f)) continue;
    if (!chosen.empty()) {
      ctx_.fail(m.get(f), "topology: give only one of positions, grid, random, csv (both " +
                              std::string(chosen) + " and " + std::string(f) + " given)");
    }
    chosen = f;
  }
  if (chosen.empty()) m.fail("topology: missing one of positions, grid, random, csv");
  if (m.has("seed")) t.seed = ctx_.unsignedInteger(m.get("seed"), "topology.seed");
  t.drift_ppm = m.number("drift_ppm", 0.0, 0.0, 1000.0);

  if (chosen == "positions") {
    t.kind = TopologyKind::kExplicit;
    const YAML::Node list = m.get("positions");
    if (!list.IsSequence() || list.size() == 0) {
      ctx_.fail(list, "topology.positions: expected a non-empty list of [x, y] or [x, y, z]");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      t.positions.push_back(vec(list[i], "topology.positions[" + std::to_string(i) + "]"));
    }
  } else if (chosen == "grid") {
    t.kind = TopologyKind::kGrid;
    MapReader g(ctx_, m.get("grid"), "topology.grid");
    t.rows = static_cast<std::uint32_t>(g.requiredInteger("rows", 1, kMaxNodes));
    t.cols = static_cast<std::uint32_t>(g.requiredInteger("cols", 1, kMaxNodes));
    const YAML::Node sp = g.required("spacing");
    if (sp.IsSequence()) {
      if (sp.size() != 2) ctx_.fail(sp, "topology.grid.spacing: expected a number or [dx, dy]");
      t.spacing_x = ctx_.number(sp[0], "topology.grid.spacing", 0.0, 1e6);
      t.spacing_y = ctx_.number(sp[1], "topology.grid.spacing", 0.0, 1e6);
    } else {
      t.spacing_x = t.spacing_y = ctx_.number(sp, "topology.grid.spacing", 0.0, 1e6);
    }
    if (g.has("origin")) t.origin = vec(g.get("origin"), "topology.grid.origin");
    g.finish();
    if (std::uint64_t{t.rows} * t.cols > kMaxNodes) {
      g.fail("topology.grid: " + std::to_string(std::uint64_t{t.rows} * t.cols) +
             " nodes is more than the limit of " + std::to_string(kMaxNodes));
    }
  } else if (chosen == "random") {
    t.kind = TopologyKind::kRandom;
    MapReader r(ctx_, m.get("random"), "topology.random");
    t.count = static_cast<std::uint32_t>(r.requiredInteger("count", 1, kMaxNodes));
    const YAML::Node size = r.required("size");
    if (size.IsSequence()) {
      t.box = vec(size, "topology.random.size");
    } else {
      const double side = ctx_.number(size, "topology.random.size", 0.0, 1e7);
      t.box = sim::Vec3{side, side, 0.0};
    }
    if (t.box.x < 0 || t.box.y < 0 || t.box.z < 0) {
      ctx_.fail(size, "topology.random.size: sizes must not be negative");
    }
    t.min_spacing_m = r.number("min_spacing", 0.0, 0.0, 1e6);
    if (r.has("origin")) t.origin = vec(r.get("origin"), "topology.random.origin");
    r.finish();
  } else {
    t.kind = TopologyKind::kCsv;
    const YAML::Node f = m.get("csv");
    t.csv_file = resolve(ctx_.string(f, "topology.csv"));
    t.positions = parsePositionsCsv(readCsvFile(t.csv_file, ctx_.mark(f)));
    if (t.positions.size() > kMaxNodes) {
      ctx_.fail(f, "topology.csv: more than " + std::to_string(kMaxNodes) + " nodes");
    }
  }
  m.finish();
}

void Loader::propagation(const YAML::Node& node) {
  MapReader m(ctx_, node, "propagation");
  sim::PropagationConfig& p = s_.propagation;
  const std::string model = ctx_.choice(m.required("model"), "propagation.model",
                                        {"unit_disk", "log_distance", "link_table"});
  // Which keys each model takes; a key of another model is an error, not ignored.
  const std::vector<std::pair<std::string_view, std::string_view>> owner{
      {"range_m", "unit_disk"},     {"rx_dbm", "unit_disk"},
      {"pl_d0_db", "log_distance"}, {"d0_m", "log_distance"},
      {"exponent", "log_distance"}, {"shadowing_sigma_db", "log_distance"},
      {"file", "link_table"},
  };
  for (const auto& [key, owner_model] : owner) {
    if (owner_model != model && m.has(key)) {
      ctx_.fail(m.get(key), "propagation." + std::string(key) + ": does not apply to model " +
                                model + " (it belongs to " + std::string(owner_model) + ")");
    }
  }
  if (model == "unit_disk") {
    p.kind = sim::PropagationKind::kUnitDisk;
    p.range_m = m.requiredNumber("range_m", 0.0, 1e6);
    p.unit_disk_rx_dbm = m.number("rx_dbm", p.unit_disk_rx_dbm, -150.0, 30.0);
  } else if (model == "log_distance") {
    p.kind = sim::PropagationKind::kLogDistance;
    p.pl_d0_db = m.number("pl_d0_db", p.pl_d0_db, 0.0, 200.0);
    p.d0_m = m.number("d0_m", p.d0_m, 0.01, 1000.0);
    p.exponent = m.number("exponent", p.exponent, 1.0, 8.0);
    p.shadowing_sigma_db = m.number("shadowing_sigma_db", p.shadowing_sigma_db, 0.0, 30.0);
  } else {
    p.kind = sim::PropagationKind::kLinkTable;
    const YAML::Node f = m.required("file");
    s_.link_table_file = resolve(ctx_.string(f, "propagation.file"));
    p.links = parseLinkTable(readCsvFile(s_.link_table_file, ctx_.mark(f)), s_.nodeCount());
  }
  m.finish();
}

void Loader::phy(const YAML::Node& node) {
  MapReader m(ctx_, node, "phy");
  sim::PhyConfig& p = s_.phy;
  p.noise_figure_db = m.number("noise_figure_db", p.noise_figure_db, 0.0, 30.0);
  p.sensitivity_802154_dbm =
      m.number("sensitivity_802154_dbm", p.sensitivity_802154_dbm, -130.0, -40.0);
  p.sensitivity_ble_dbm = m.number("sensitivity_ble_dbm", p.sensitivity_ble_dbm, -130.0, -40.0);
  p.capture_threshold_db = m.number("capture_threshold_db", p.capture_threshold_db, 0.0, 40.0);
  p.prune_below_dbm = m.number("prune_below_dbm", p.prune_below_dbm, -200.0, -40.0);
  p.cca_threshold_dbm =
      static_cast<std::int8_t>(m.integer("cca_threshold_dbm", p.cca_threshold_dbm, -110, -20));
  max_tx_power_set_ = m.has("max_tx_power_dbm");
  p.max_tx_power_dbm = m.number("max_tx_power_dbm", p.max_tx_power_dbm, -40.0, 30.0);
  p.voltage_v = m.number("voltage_v", p.voltage_v, 0.5, 12.0);
  p.current_tx_ma = m.number("current_tx_ma", p.current_tx_ma, 0.0, 1000.0);
  p.current_rx_ma = m.number("current_rx_ma", p.current_rx_ma, 0.0, 1000.0);
  p.current_sleep_ma = m.number("current_sleep_ma", p.current_sleep_ma, 0.0, 1000.0);
  p.current_off_ma = m.number("current_off_ma", p.current_off_ma, 0.0, 1000.0);
  m.finish();
}

std::vector<NodeId> Loader::nodeSelector(const YAML::Node& node, const std::string& what) const {
  const std::uint32_t n = s_.nodeCount();
  std::vector<NodeId> out;
  const auto add_id = [&](const YAML::Node& at, std::int64_t v) {
    if (v < 0 || v >= static_cast<std::int64_t>(n)) {
      ctx_.fail(at, what + ": node " + std::to_string(v) + " does not exist (the topology has " +
                        std::to_string(n) + " nodes, 0.." + std::to_string(n == 0 ? 0 : n - 1) +
                        ")");
    }
    out.push_back(static_cast<NodeId>(v));
  };
  // "3", "0-24", "0-9,20-29": ids and inclusive ranges.
  const auto add_text = [&](const YAML::Node& at, const std::string& text) {
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::size_t comma = text.find(',', pos);
      if (comma == std::string::npos) comma = text.size();
      std::string part = text.substr(pos, comma - pos);
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      const std::size_t dash = part.find('-', 1);
      const auto parse = [&](const std::string& s) -> std::int64_t {
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) {
          ctx_.fail(at, what + ": expected all, a node id, a range such as 0-24, or a list, got '" +
                            text + "'");
        }
        return v;
      };
      if (dash == std::string::npos) {
        add_id(at, parse(part));
      } else {
        const std::int64_t lo = parse(part.substr(0, dash));
        const std::int64_t hi = parse(part.substr(dash + 1));
        if (hi < lo) ctx_.fail(at, what + ": empty range '" + part + "'");
        add_id(at, lo);
        add_id(at, hi);
        out.pop_back();
        out.pop_back();
        for (std::int64_t v = lo; v <= hi; ++v)
          out.push_back(static_cast<NodeId>(v));
      }
      pos = comma + 1;
    }
  };
  if (node.IsScalar()) {
    if (node.Scalar() == "all") {
      for (NodeId i = 0; i < n; ++i)
        out.push_back(i);
    } else {
      add_text(node, node.Scalar());
    }
  } else if (node.IsSequence() && node.size() > 0) {
    for (const auto& item : node) {
      if (!item.IsScalar()) ctx_.fail(item, what + ": expected a node id or a range");
      add_text(item, item.Scalar());
    }
  } else {
    ctx_.fail(node, what + ": expected all, a node id, a range such as 0-24, or a list");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void Loader::stacks(const YAML::Node& node) {
  if (!node.IsSequence() || node.size() == 0) {
    ctx_.fail(node, "stacks: expected a list of stack entries (- kind: beacon ...)");
  }
  std::vector<Radios> used(s_.nodeCount());
  std::vector<std::string> kinds;
  for (std::string_view k : registry_.names())
    kinds.emplace_back(k);
  std::vector<std::string_view> kind_views(kinds.begin(), kinds.end());
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string what = "stacks[" + std::to_string(i) + "]";
    MapReader e(ctx_, node[i], what);
    StackEntry entry;
    entry.mark = ctx_.mark(node[i]);
    entry.kind = ctx_.choice(e.required("kind"), what + ".kind", kind_views);
    entry.name = e.string("name", entry.kind + "#" + std::to_string(i));
    const YAML::Node nodes = e.get("nodes");
    entry.nodes = nodes.IsDefined() ? nodeSelector(nodes, what + ".nodes")
                                    : nodeSelector(YAML::Node("all"), what + ".nodes");
    entry.config = registry_.find(entry.kind)->parse(e);
    e.finish();
    for (const StackEntry& other : s_.stacks) {
      if (other.name == entry.name) {
        ctx_.fail(e.get("name"), what + ".name: '" + entry.name + "' is already used");
      }
    }
    const Radios r = entry.config->radios();
    for (NodeId id : entry.nodes) {
      if ((r.ieee802154 && used[id].ieee802154) || (r.ble && used[id].ble)) {
        ctx_.fail(nodes.IsDefined() ? nodes : node[i],
                  what + ".nodes: node " + std::to_string(id) +
                      " already runs a stack on the same radio");
      }
      used[id].ieee802154 = used[id].ieee802154 || r.ieee802154;
      used[id].ble = used[id].ble || r.ble;
    }
    s_.stacks.push_back(std::move(entry));
  }
}

SimTime Loader::time(MapReader& m, std::string_view key, bool required) {
  const YAML::Node v = required ? m.required(key) : m.get(key);
  if (!v.IsDefined()) return simTime(s_.duration);
  const Duration d = ctx_.duration(v, m.what() + "." + std::string(key));
  if (d > s_.duration) {
    ctx_.fail(v, m.what() + "." + std::string(key) + ": " + v.Scalar() +
                     " is after the end of the run (duration " + formatDuration(s_.duration) + ")");
  }
  return simTime(d);
}

void Loader::faults(const YAML::Node& node) {
  if (!node.IsSequence()) ctx_.fail(node, "faults: expected a list");
  const std::array<std::pair<std::string_view, FaultKind>, 5> kinds{{
      {"reboot", FaultKind::kReboot},
      {"power_off", FaultKind::kPowerOff},
      {"kill", FaultKind::kPowerOff},
      {"power_on", FaultKind::kPowerOn},
      {"jammer", FaultKind::kJammer},
  }};
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string what = "faults[" + std::to_string(i) + "]";
    MapReader m(ctx_, node[i], what);
    Fault f;
    f.mark = ctx_.mark(node[i]);
    std::string_view chosen;
    for (const auto& [key, kind] : kinds) {
      if (!m.has(key)) continue;
      if (!chosen.empty()) {
        ctx_.fail(m.get(key), what + ": one fault per entry (both " + std::string(chosen) +
                                  " and " + std::string(key) + " given)");
      }
      chosen = key;
      f.kind = kind;
    }
    if (chosen.empty()) m.fail(what + ": missing one of reboot, power_off, kill, power_on, jammer");
    if (f.kind != FaultKind::kJammer) {
      f.nodes = nodeSelector(m.get(chosen), what + "." + std::string(chosen));
      f.at = time(m, "at", true);
    } else {
      MapReader j(ctx_, m.get("jammer"), what + ".jammer");
      const std::array<std::string_view, 3> where{"channel", "ble_channel", "frequency_mhz"};
      int given = 0;
      for (std::string_view w : where)
        given += j.has(w) ? 1 : 0;
      if (given != 1)
        j.fail(what +
               ".jammer: give exactly one of channel (802.15.4), "
               "ble_channel, frequency_mhz");
      if (j.has("channel")) {
        const auto ch = j.requiredInteger("channel", 11, 26);
        f.center_mhz = channel802154Mhz(static_cast<int>(ch));
        f.label = "802.15.4 ch " + std::to_string(ch);
      } else if (j.has("ble_channel")) {
        const auto ch = j.requiredInteger("ble_channel", 0, 39);
        f.center_mhz = channelBleMhz(static_cast<int>(ch));
        f.label = "BLE ch " + std::to_string(ch);
      } else {
        f.center_mhz = j.requiredNumber("frequency_mhz", 2400.0, 2483.5);
        f.label = fmt::format("{:g} MHz", f.center_mhz);
      }
      f.position = vec(j.required("position"), what + ".jammer.position");
      f.power_dbm = j.number("power_dbm", 0.0, -30.0, 30.0);
      j.finish();
      f.at = time(m, "from", true);
      f.until = time(m, "to", false);
      if (f.until <= f.at) ctx_.fail(m.get("to"), what + ".to: must be after from");
    }
    m.finish();
    s_.faults.push_back(std::move(f));
  }
}

void Loader::outputs(const YAML::Node& node) {
  MapReader m(ctx_, node, "outputs");
  s_.outputs.dir = m.string("dir", "");
  if (const YAML::Node pcap = m.get("pcap"); pcap.IsDefined()) {
    if (pcap.IsMap()) {
      MapReader p(ctx_, pcap, "outputs.pcap");
      s_.outputs.pcap_802154 = p.boolean("ieee802154", true);
      s_.outputs.pcap_ble = p.boolean("ble", true);
      p.finish();
    } else {
      s_.outputs.pcap_802154 = s_.outputs.pcap_ble = ctx_.boolean(pcap, "outputs.pcap");
    }
  }
  s_.outputs.distance_bin_m = m.number("distance_bin_m", 5.0, 0.1, 1e5);
  m.finish();
}

}  // namespace

Scenario loadScenarioText(const std::string& text, const std::string& file,
                          const std::string& base_dir, const StackRegistry& registry) {
  const YamlContext ctx(file);
  const YAML::Node root = parseYaml(ctx, text);
  Loader loader(ctx, base_dir, registry);
  return loader.load(root);
}

Scenario loadScenarioFile(const std::string& path, const StackRegistry& registry) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(SourceMark{path, 0, 0}, "cannot read the scenario file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return loadScenarioText(ss.str(), path, std::filesystem::path(path).parent_path().string(),
                          registry);
}

}  // namespace lpm::scenario
