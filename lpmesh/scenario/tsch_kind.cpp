#include "lpmesh/scenario/tsch_kind.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/scenario/config.hpp"
#include "lpmesh/scenario/units.hpp"
#include "lpmesh/scenario/yaml_reader.hpp"

namespace lpm::scenario {

namespace {

using ieee802154::JoinKeyMode;
using ieee802154::TschConfig;
using ieee802154::TschNode;
using ieee802154::TschStats;

struct ParsedExtras {
  SourceMark coordinator_mark;
  std::vector<std::pair<SourceMark, NodeId>> tree_marks;  ///< where each listed node is
};

/// Parameters plus where things were written, for errors found at run start.
class TschKindConfigWithMarks final : public StackConfig {
 public:
  TschKindConfigWithMarks(TschKindParams params, ParsedExtras extras)
      : config_(std::move(params)), extras_(std::move(extras)) {}
  const TschKindParams& params() const { return config_.params(); }
  const ParsedExtras& extras() const { return extras_; }
  Radios radios() const override { return config_.radios(); }
  std::string describe() const override { return config_.describe(); }

 private:
  TschKindConfig config_;
  ParsedExtras extras_;
};

crypto::Key128 parseKey(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
  auto key = parseHexArray<16>(ctx.string(node, what));
  if (!key) ctx.fail(node, what + ": expected 16 bytes of hex");
  return *key;
}

void parseTimeslot(const YamlContext& ctx, const YAML::Node& node, const std::string& what,
                   TschConfig& m) {
  MapReader t(ctx, node, what);
  m.timeslot_template_id = static_cast<std::uint8_t>(t.integer("template_id", 0, 0, 255));
  ieee802154::TimeslotTiming& d = m.timing;
  const auto us = [&](std::string_view key, std::uint16_t fallback) {
    return static_cast<std::uint16_t>(t.integer(key, fallback, 0, 65535));
  };
  d.cca_offset = us("cca_offset_us", d.cca_offset);
  d.cca = us("cca_us", d.cca);
  d.tx_offset = us("tx_offset_us", d.tx_offset);
  d.rx_offset = us("rx_offset_us", d.rx_offset);
  d.rx_ack_delay = us("rx_ack_delay_us", d.rx_ack_delay);
  d.tx_ack_delay = us("tx_ack_delay_us", d.tx_ack_delay);
  d.rx_wait = us("rx_wait_us", d.rx_wait);
  d.ack_wait = us("ack_wait_us", d.ack_wait);
  d.rx_tx = us("rx_tx_us", d.rx_tx);
  d.max_ack = us("max_ack_us", d.max_ack);
  d.max_tx = static_cast<std::uint32_t>(t.integer("max_tx_us", d.max_tx, 0, 65535));
  d.timeslot_length =
      static_cast<std::uint32_t>(t.integer("length_us", d.timeslot_length, 1000, 65535));
  m.eb_full_timeslot = t.boolean("announce_full", m.timeslot_template_id != 0);
  t.finish();
  if (d.rx_offset + d.rx_wait > d.timeslot_length || d.tx_offset >= d.timeslot_length ||
      d.rx_offset > d.tx_offset) {
    ctx.fail(node, what + ": rx_offset <= tx_offset < length and rx_offset + rx_wait <= length");
  }
  if (m.timeslot_template_id != 0 && !m.eb_full_timeslot) {
    ctx.fail(node, what + ".announce_full: a template other than 0 must be announced in full");
  }
}

void parseHopping(const YamlContext& ctx, const YAML::Node& node, const std::string& what,
                  TschConfig& m) {
  MapReader h(ctx, node, what);
  m.hopping_sequence_id = static_cast<std::uint8_t>(h.integer("sequence_id", 0, 0, 255));
  if (const YAML::Node seq = h.get("sequence"); seq.IsDefined()) {
    if (!seq.IsSequence() || seq.size() == 0) ctx.fail(seq, what + ".sequence: expected a list");
    m.hopping_sequence.clear();
    for (const auto& c : seq) {
      m.hopping_sequence.push_back(static_cast<std::uint8_t>(ctx.integer(
          c, what + ".sequence", platform::k802154MinChannel, platform::k802154MaxChannel)));
    }
  }
  m.eb_full_hopping = h.boolean("announce_full", m.hopping_sequence_id != 0);
  h.finish();
  if (m.hopping_sequence_id != 0 && !m.eb_full_hopping) {
    ctx.fail(node, what + ".announce_full: a sequence other than 0 must be announced in full");
  }
}

void parseSecurity(const YamlContext& ctx, const YAML::Node& node, const std::string& what,
                   TschConfig& m) {
  MapReader s(ctx, node, what);
  m.security.enabled = s.boolean("enabled", true);
  if (const YAML::Node mode = s.get("join_mode"); mode.IsDefined()) {
    const std::string v = ctx.choice(mode, what + ".join_mode", {"k1k2", "k1", "none"});
    m.security.join_mode = v == "k1k2" ? JoinKeyMode::kK1K2
                           : v == "k1" ? JoinKeyMode::kK1Only
                                       : JoinKeyMode::kNone;
  }
  if (const YAML::Node k = s.get("k1"); k.IsDefined())
    m.security.k1 = parseKey(ctx, k, what + ".k1");
  if (const YAML::Node k = s.get("k2"); k.IsDefined())
    m.security.k2 = parseKey(ctx, k, what + ".k2");
  m.security.k1_index = static_cast<std::uint8_t>(s.integer("k1_index", 1, 0, 255));
  m.security.k2_index = static_cast<std::uint8_t>(s.integer("k2_index", 2, 0, 255));
  s.finish();
  if (m.security.k1_index == m.security.k2_index) {
    ctx.fail(node, what + ": k1_index and k2_index must differ");
  }
}

class TschKind final : public StackKind {
 public:
  std::string_view name() const override { return "tsch"; }
  std::shared_ptr<const StackConfig> parse(MapReader& e) const override;
  std::unique_ptr<KindRun> startRun(const RunContext& context) const override;
};

std::shared_ptr<const StackConfig> TschKind::parse(MapReader& e) const {
  const YamlContext& ctx = e.context();
  const std::string& w = e.what();
  TschKindParams p;
  ParsedExtras extras;
  TschConfig& m = p.mac;
  extras.coordinator_mark = ctx.mark(e.required("coordinator"));
  p.coordinator = static_cast<NodeId>(e.requiredInteger("coordinator", 0, 0xfffffffe));
  m.pan_id = static_cast<std::uint16_t>(e.integer("pan_id", m.pan_id, 0, 0xfffe));
  m.tx_power_dbm = static_cast<std::int8_t>(e.integer("tx_power_dbm", 0, -40, 20));
  m.slotframe_length =
      static_cast<std::uint16_t>(e.integer("slotframe_length", m.slotframe_length, 1, 65535));
  m.eb_period = e.duration("eb_period", m.eb_period);
  m.ka_period = e.duration("ka_period", m.ka_period, millis(10));
  m.ka_period_compensated = e.duration("ka_period_compensated", m.ka_period_compensated);
  m.desync_timeout = e.duration("desync_timeout", m.desync_timeout, millis(10));
  m.max_eb_delay = e.duration("max_eb_delay", m.max_eb_delay);
  m.num_neighbours_to_wait = static_cast<std::uint32_t>(
      e.integer("num_neighbours_to_wait", m.num_neighbours_to_wait, 1, 64));
  m.num_upperlayer_packets = static_cast<std::uint32_t>(
      e.integer("num_upperlayer_packets", m.num_upperlayer_packets, 1, 64));
  m.max_join_time = e.duration("max_join_time", m.max_join_time);
  m.scan_dwell = e.duration("scan_dwell", m.scan_dwell, millis(1));
  m.min_be = static_cast<std::uint8_t>(e.integer("min_be", m.min_be, 0, 15));
  m.max_be = static_cast<std::uint8_t>(e.integer("max_be", m.max_be, 0, 15));
  if (m.min_be > m.max_be) e.fail(w + ": min_be must not exceed max_be");
  m.max_frame_retries =
      static_cast<std::uint8_t>(e.integer("max_frame_retries", m.max_frame_retries, 0, 7));
  m.cca = e.boolean("cca", m.cca);
  m.eb_slotframe_link_ie = e.boolean("eb_slotframe_link_ie", m.eb_slotframe_link_ie);
  m.eack_source_address = e.boolean("eack_source_address", m.eack_source_address);
  m.adaptive_timesync = e.boolean("adaptive_timesync", m.adaptive_timesync);
  m.timesync_offset_gain = e.number("timesync_offset_gain", m.timesync_offset_gain, 0.05, 1.0);
  m.timesync_rate_gain = e.number("timesync_rate_gain", m.timesync_rate_gain, 0.0, 1.0);
  m.queue_capacity = static_cast<std::size_t>(e.integer("queue_capacity", 8, 1, 64));
  m.per_neighbor_queue = static_cast<std::size_t>(e.integer("per_neighbor_queue", 4, 1, 64));
  m.max_neighbors = static_cast<std::size_t>(e.integer("max_neighbors", 16, 1, 256));
  if (const YAML::Node t = e.get("timeslot"); t.IsDefined())
    parseTimeslot(ctx, t, w + ".timeslot", m);
  if (const YAML::Node h = e.get("hopping"); h.IsDefined()) parseHopping(ctx, h, w + ".hopping", m);
  if (const YAML::Node s = e.get("security"); s.IsDefined()) {
    parseSecurity(ctx, s, w + ".security", m);
  }
  if (const YAML::Node t = e.get("traffic"); t.IsDefined()) {
    MapReader tr(ctx, t, w + ".traffic");
    p.traffic.period = tr.duration("period", seconds(30), millis(10));
    p.traffic.start_delay = tr.duration("start", Duration{0});
    p.traffic.payload_size = static_cast<std::size_t>(
        tr.integer("size", 8, static_cast<std::int64_t>(ieee802154::kTschTrafficHeader), 100));
    tr.finish();
  }
  if (const YAML::Node tree = e.get("static_tree"); tree.IsDefined()) {
    if (tree.IsScalar()) {
      ctx.choice(tree, w + ".static_tree", {"auto"});
      p.tree = TschTreeMode::kAuto;
    } else if (tree.IsMap()) {
      p.tree = TschTreeMode::kExplicit;
      for (const auto& kv : tree) {
        const auto child =
            static_cast<NodeId>(ctx.integer(kv.first, w + ".static_tree (child)", 0, 0xfffffffe));
        const auto parent =
            static_cast<NodeId>(ctx.integer(kv.second, w + ".static_tree (parent)", 0, 0xfffffffe));
        if (child == parent)
          ctx.fail(kv.first, w + ".static_tree: a node cannot be its own time source");
        if (!p.parents.emplace(child, parent).second) {
          ctx.fail(kv.first, w + ".static_tree: node " + std::to_string(child) + " listed twice");
        }
        extras.tree_marks.emplace_back(ctx.mark(kv.first), child);
        extras.tree_marks.emplace_back(ctx.mark(kv.second), parent);
      }
    } else {
      ctx.fail(tree, w + ".static_tree: expected auto or a map child: parent");
    }
  }
  p.tree_min_rx_dbm = e.number("static_tree_min_rx_dbm", p.tree_min_rx_dbm, -130.0, 20.0);
  return std::make_shared<TschKindConfigWithMarks>(std::move(p), std::move(extras));
}

double round4(double v) {
  return std::round(v * 1e4) / 1e4;
}
double round6(double v) {
  return std::round(v * 1e6) / 1e6;
}

/// One network (one `stacks:` entry) during a run.
struct Network {
  const StackEntry* entry = nullptr;
  const TschKindParams* params = nullptr;
  Eui64 coordinator_eui{};
  std::map<NodeId, NodeId> parents;
};

/// Per-run accounting of every tsch node: an observer of all TschNode instances.
class TschRun final : public KindRun, public ieee802154::TschNodeObserver {
 public:
  explicit TschRun(const RunContext& context);

  std::unique_ptr<platform::Stack> create(NodeId node, const StackEntry& entry,
                                          platform::Platform& platform) override;
  void finish() override;
  void addNodeTraffic(NodeId node, NodeTraffic& traffic) const override;
  void report(nlohmann::ordered_json& out, std::string& text) const override;

  void onSynchronized(NodeId node, std::optional<Duration> time_to_sync,
                      Duration since_power_on) override;
  void onDesynchronized(NodeId node) override;
  void onPacketGenerated(NodeId node, std::uint32_t counter, bool queued) override;
  void onPacketDone(NodeId node, Error status, std::uint8_t attempts) override;
  void onPacketReceived(NodeId node, NodeId origin, std::uint32_t counter) override;
  void onStopped(NodeId node, const TschStats& stats) override;

 private:
  struct NodeState {
    std::int32_t network = -1;
    TschNode* live = nullptr;
    bool coordinator = false;
    std::optional<NodeId> parent;
    std::vector<double> time_to_sync_s;
    std::vector<double> join_time_s;  ///< power-on (or reboot) -> synchronised
    std::uint32_t syncs = 0, desyncs = 0;
    std::uint64_t generated = 0, queued = 0, acked = 0, failed = 0, received = 0;
    std::uint64_t delivered = 0;     ///< distinct packets of this origin at its coordinator
    std::vector<std::uint8_t> seen;  ///< per counter, as origin
    TschStats closed;                ///< summed over instances already destroyed
    TschStats final_stats;           ///< closed + the live instance at finish()
    double duty_cycle = 0.0;
  };

  static void add(TschStats& into, const TschStats& s);

  sim::World& world_;
  std::vector<Network> networks_;
  std::vector<NodeState> nodes_;
  bool finished_ = false;
};

TschRun::TschRun(const RunContext& context) : world_(context.world) {
  nodes_.resize(context.positions.size());
  for (const StackEntry& entry : context.scenario.stacks) {
    if (entry.kind != "tsch") continue;
    const auto& cfg = static_cast<const TschKindConfigWithMarks&>(*entry.config);
    const TschKindParams& p = cfg.params();
    if (!std::binary_search(entry.nodes.begin(), entry.nodes.end(), p.coordinator)) {
      throw ScenarioError(cfg.extras().coordinator_mark, entry.name + ".coordinator: node " +
                                                             std::to_string(p.coordinator) +
                                                             " is not one of the entry's nodes");
    }
    Network net;
    net.entry = &entry;
    net.params = &p;
    net.coordinator_eui = world_.platform(p.coordinator).radio802154->eui64();
    if (p.tree == TschTreeMode::kExplicit) {
      for (const auto& [mark, id] : cfg.extras().tree_marks) {
        if (!std::binary_search(entry.nodes.begin(), entry.nodes.end(), id)) {
          throw ScenarioError(mark, entry.name + ".static_tree: node " + std::to_string(id) +
                                        " is not one of the entry's nodes");
        }
      }
      net.parents = p.parents;
    } else if (p.tree == TschTreeMode::kAuto) {
      net.parents = buildStaticTree(world_, entry.nodes, p.coordinator, p.tree_min_rx_dbm,
                                    static_cast<double>(p.mac.tx_power_dbm));
    }
    const auto index = static_cast<std::int32_t>(networks_.size());
    for (NodeId id : entry.nodes) {
      NodeState& s = nodes_[id];
      s.network = index;
      s.coordinator = id == p.coordinator;
      if (auto it = net.parents.find(id); it != net.parents.end()) s.parent = it->second;
    }
    networks_.push_back(std::move(net));
  }
}

std::unique_ptr<platform::Stack> TschRun::create(NodeId node, const StackEntry& /*entry*/,
                                                 platform::Platform& platform) {
  NodeState& s = nodes_[node];
  const Network& net = networks_[static_cast<std::size_t>(s.network)];
  TschConfig mac = net.params->mac;
  mac.coordinator = s.coordinator;
  std::optional<Eui64> fixed;
  if (s.parent) fixed = world_.platform(*s.parent).radio802154->eui64();
  ieee802154::TschTrafficConfig traffic = net.params->traffic;
  traffic.destination = net.coordinator_eui;
  if (s.coordinator) traffic.period = Duration{0};
  auto stack = std::make_unique<TschNode>(platform, mac, fixed, traffic, this);
  s.live = stack.get();
  return stack;
}

void TschRun::add(TschStats& into, const TschStats& s) {
  into.syncs += s.syncs;
  into.desyncs += s.desyncs;
  into.total_time_synced += s.total_time_synced;
  into.eb_tx += s.eb_tx;
  into.eb_rx += s.eb_rx;
  into.ka_tx += s.ka_tx;
  into.data_tx += s.data_tx;
  into.data_tx_acked += s.data_tx_acked;
  into.broadcast_tx += s.broadcast_tx;
  into.retries += s.retries;
  into.packets_ok += s.packets_ok;
  into.packets_failed += s.packets_failed;
  into.upper_ok += s.upper_ok;
  into.upper_failed += s.upper_failed;
  into.ack_tx += s.ack_tx;
  into.data_rx += s.data_rx;
  into.ka_rx += s.ka_rx;
  into.drop_queue_full += s.drop_queue_full;
  into.drop_security += s.drop_security;
  into.drop_malformed += s.drop_malformed;
  into.drop_duplicate += s.drop_duplicate;
  into.drop_eb_config += s.drop_eb_config;
  into.drop_asn_mismatch += s.drop_asn_mismatch;
  into.drop_neighbor_full += s.drop_neighbor_full;
  into.sync_corrections += s.sync_corrections;
  into.max_abs_correction_ns = std::max(into.max_abs_correction_ns, s.max_abs_correction_ns);
  into.max_abs_correction_learnt_ns =
      std::max(into.max_abs_correction_learnt_ns, s.max_abs_correction_learnt_ns);
  into.slots_active += s.slots_active;
}

void TschRun::onSynchronized(NodeId node, std::optional<Duration> time_to_sync,
                             Duration since_power_on) {
  NodeState& s = nodes_[node];
  ++s.syncs;
  if (!time_to_sync) return;  // the coordinator
  s.time_to_sync_s.push_back(toSeconds(*time_to_sync));
  s.join_time_s.push_back(toSeconds(since_power_on));
}

void TschRun::onDesynchronized(NodeId node) {
  ++nodes_[node].desyncs;
}

void TschRun::onPacketGenerated(NodeId node, std::uint32_t /*counter*/, bool queued) {
  ++nodes_[node].generated;
  if (queued) ++nodes_[node].queued;
}

void TschRun::onPacketDone(NodeId node, Error status, std::uint8_t /*attempts*/) {
  if (status == Error::kNone) {
    ++nodes_[node].acked;
  } else {
    ++nodes_[node].failed;
  }
}

void TschRun::onPacketReceived(NodeId node, NodeId origin, std::uint32_t counter) {
  ++nodes_[node].received;
  if (origin >= nodes_.size() || !nodes_[node].coordinator) return;
  NodeState& o = nodes_[origin];
  if (o.network != nodes_[node].network) return;
  if (o.seen.size() <= counter) o.seen.resize(static_cast<std::size_t>(counter) + 1, 0);
  if (o.seen[counter] == 0) {
    o.seen[counter] = 1;
    ++o.delivered;
  }
}

void TschRun::onStopped(NodeId node, const TschStats& stats) {
  NodeState& s = nodes_[node];
  s.live = nullptr;
  if (!finished_) add(s.closed, stats);
}

void TschRun::finish() {
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    NodeState& s = nodes_[id];
    if (s.network < 0) continue;
    s.final_stats = s.closed;
    if (s.live != nullptr) add(s.final_stats, s.live->mac().stats());
    const sim::RadioStats& r = world_.radioStats(id);
    Duration total{0};
    for (const Duration d : r.time_in_state)
      total += d;
    const Duration on = r.time_in_state[static_cast<int>(sim::RadioState::kRx)] +
                        r.time_in_state[static_cast<int>(sim::RadioState::kTx)];
    s.duty_cycle = total.count() > 0 ? toSeconds(on) / toSeconds(total) : 0.0;
  }
  finished_ = true;
}

void TschRun::addNodeTraffic(NodeId node, NodeTraffic& traffic) const {
  const NodeState& s = nodes_[node];
  traffic.sent += s.generated;
  traffic.received += s.received;
}

nlohmann::ordered_json distribution(std::vector<double> v) {
  nlohmann::ordered_json j;
  j["count"] = v.size();
  if (v.empty()) return j;
  std::sort(v.begin(), v.end());
  double sum = 0.0;
  for (double x : v)
    sum += x;
  const auto at = [&](double q) {
    return v[static_cast<std::size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
  };
  j["mean"] = round4(sum / static_cast<double>(v.size()));
  j["median"] = round4(at(0.5));
  j["p90"] = round4(at(0.9));
  j["max"] = round4(v.back());
  return j;
}

double ratio(std::uint64_t num, std::uint64_t den) {
  return den == 0 ? 0.0 : round4(static_cast<double>(num) / static_cast<double>(den));
}

void TschRun::report(nlohmann::ordered_json& out, std::string& text) const {
  out["definition"] =
      "time_to_sync: first EB heard -> synchronised, per (re)join; uptime_at_sync: power-on "
      "-> synchronised; mac.pdr: unicast packets "
      "acknowledged within macMaxFrameRetries+1 attempts / packets that finished; "
      "traffic.pdr: distinct packets at the coordinator / packets generated";
  nlohmann::ordered_json nets = nlohmann::ordered_json::array();
  for (std::size_t n = 0; n < networks_.size(); ++n) {
    const Network& net = networks_[n];
    TschStats sum;
    std::vector<double> tts, joins;
    std::uint64_t generated = 0, queued = 0, delivered = 0, desyncs = 0, synced_end = 0, never = 0;
    double duty_sum = 0.0, duty_max = 0.0;
    nlohmann::ordered_json per_node = nlohmann::ordered_json::array();
    for (NodeId id : net.entry->nodes) {
      const NodeState& s = nodes_[id];
      add(sum, s.final_stats);
      tts.insert(tts.end(), s.time_to_sync_s.begin(), s.time_to_sync_s.end());
      joins.insert(joins.end(), s.join_time_s.begin(), s.join_time_s.end());
      generated += s.generated;
      queued += s.queued;
      delivered += s.delivered;
      desyncs += s.desyncs;
      const bool synced = s.live != nullptr && s.live->mac().isSynchronized();
      if (synced) ++synced_end;
      if (s.syncs == 0) ++never;
      duty_sum += s.duty_cycle;
      duty_max = std::max(duty_max, s.duty_cycle);
      nlohmann::ordered_json row;
      row["id"] = id;
      row["role"] = s.coordinator ? "coordinator" : "node";
      if (s.parent) row["time_source"] = *s.parent;
      row["synchronized"] = synced;
      row["time_to_sync_s"] = s.time_to_sync_s.empty()
                                  ? nlohmann::ordered_json(nullptr)
                                  : nlohmann::ordered_json(round4(s.time_to_sync_s.front()));
      row["desyncs"] = s.desyncs;
      row["generated"] = s.generated;
      row["delivered"] = s.delivered;
      row["mac_retries"] = s.final_stats.retries;
      row["duty_cycle"] = round6(s.duty_cycle);
      per_node.push_back(std::move(row));
    }
    const std::size_t count = net.entry->nodes.size();
    nlohmann::ordered_json j;
    j["name"] = net.entry->name;
    j["coordinator"] = net.params->coordinator;
    j["nodes"] = count;
    j["synchronized_at_end"] = synced_end;
    j["never_synchronized"] = never;
    j["time_to_sync_s"] = distribution(tts);
    j["uptime_at_sync_s"] = distribution(joins);
    j["desyncs"] = desyncs;
    j["traffic"] = {{"generated", generated},
                    {"queued", queued},
                    {"delivered", delivered},
                    {"pdr", ratio(delivered, generated)}};
    j["mac"] = {{"eb_tx", sum.eb_tx},
                {"eb_rx", sum.eb_rx},
                {"keepalive_tx", sum.ka_tx},
                {"unicast_attempts", sum.data_tx},
                {"unicast_acked", sum.data_tx_acked},
                {"retries", sum.retries},
                {"packets_ok", sum.packets_ok},
                {"packets_failed", sum.packets_failed},
                {"pdr", ratio(sum.packets_ok, sum.packets_ok + sum.packets_failed)},
                {"max_abs_correction_us", sum.max_abs_correction_ns / 1000},
                {"max_abs_correction_compensated_us", sum.max_abs_correction_learnt_ns / 1000}};
    j["drops"] = {{"queue_full", sum.drop_queue_full},
                  {"security", sum.drop_security},
                  {"malformed", sum.drop_malformed},
                  {"duplicate", sum.drop_duplicate},
                  {"eb_config_change", sum.drop_eb_config},
                  {"asn_mismatch", sum.drop_asn_mismatch},
                  {"neighbor_table_full", sum.drop_neighbor_full}};
    j["duty_cycle"] = {{"mean", round6(count == 0 ? 0.0 : duty_sum / static_cast<double>(count))},
                       {"max", round6(duty_max)}};
    j["per_node"] = std::move(per_node);

    text += fmt::format("\nTSCH network {} (coordinator {}, {} nodes)\n", net.entry->name,
                        net.params->coordinator, count);
    const auto& t = j["time_to_sync_s"];
    text += fmt::format("  synchronised at end {}/{}, never {}, desyncs {}\n", synced_end, count,
                        never, desyncs);
    if (!tts.empty()) {
      const auto& u = j["uptime_at_sync_s"];
      text += fmt::format(
          "  time to sync (first EB -> synchronised, s): mean {} median {} p90 {} max {}\n",
          t["mean"].get<double>(), t["median"].get<double>(), t["p90"].get<double>(),
          t["max"].get<double>());
      text += fmt::format(
          "  uptime at sync (power-on -> synchronised, s): mean {} median {} p90 {} max {}\n",
          u["mean"].get<double>(), u["median"].get<double>(), u["p90"].get<double>(),
          u["max"].get<double>());
    }
    text += fmt::format("  traffic: generated {} delivered {} PDR {:.4f}\n", generated, delivered,
                        ratio(delivered, generated));
    text += fmt::format(
        "  MAC: EB tx {} KA tx {} unicast attempts {} acked {} retries {} packets ok {} failed "
        "{} PDR {:.4f}\n",
        sum.eb_tx, sum.ka_tx, sum.data_tx, sum.data_tx_acked, sum.retries, sum.packets_ok,
        sum.packets_failed, ratio(sum.packets_ok, sum.packets_ok + sum.packets_failed));
    text += fmt::format(
        "  drops: queue_full {} security {} malformed {} duplicate {} eb_config {} asn {} "
        "nbr_full {}\n",
        sum.drop_queue_full, sum.drop_security, sum.drop_malformed, sum.drop_duplicate,
        sum.drop_eb_config, sum.drop_asn_mismatch, sum.drop_neighbor_full);
    text += fmt::format("  duty cycle: mean {:.4f}% max {:.4f}%\n",
                        100.0 * (count == 0 ? 0.0 : duty_sum / static_cast<double>(count)),
                        100.0 * duty_max);
    nets.push_back(std::move(j));
  }
  out["networks"] = std::move(nets);
}

std::unique_ptr<KindRun> TschKind::startRun(const RunContext& context) const {
  return std::make_unique<TschRun>(context);
}

}  // namespace

Radios TschKindConfig::radios() const {
  Radios r;
  r.ieee802154 = true;
  return r;
}

std::string TschKindConfig::describe() const {
  const TschConfig& m = params_.mac;
  std::string out =
      fmt::format("tsch PAN {:#06x}, coordinator {}, slotframe {} x {} us, EB every {}", m.pan_id,
                  params_.coordinator, m.slotframe_length, m.timing.timeslot_length,
                  formatDuration(m.eb_period));
  if (m.security.enabled) {
    out += m.security.join_mode == JoinKeyMode::kK1K2     ? ", K1+K2"
           : m.security.join_mode == JoinKeyMode::kK1Only ? ", K1 only"
                                                          : ", no keys";
  }
  if (params_.traffic.period.count() > 0) {
    out += ", traffic every " + formatDuration(params_.traffic.period);
  }
  if (params_.tree == TschTreeMode::kAuto) out += ", static tree (auto)";
  if (params_.tree == TschTreeMode::kExplicit) out += ", static tree";
  return out;
}

std::map<NodeId, NodeId> buildStaticTree(const sim::World& world, const std::vector<NodeId>& nodes,
                                         NodeId root, double min_rx_dbm, double tx_power_dbm) {
  std::map<NodeId, NodeId> parents;
  std::vector<NodeId> layer = {root};
  std::vector<NodeId> rest;
  for (NodeId id : nodes) {
    if (id != root) rest.push_back(id);
  }
  const auto strength = [&](NodeId a, NodeId b) {
    const auto ab = world.linkRxPowerDbm(a, b);
    const auto ba = world.linkRxPowerDbm(b, a);
    if (!ab || !ba) return -std::numeric_limits<double>::infinity();
    // linkRxPowerDbm is the power at 0 dBm.
    return std::min(*ab, *ba) + tx_power_dbm;
  };
  while (!layer.empty() && !rest.empty()) {
    std::vector<NodeId> next, still;
    for (NodeId id : rest) {
      double best = -std::numeric_limits<double>::infinity();
      std::optional<NodeId> parent;
      for (NodeId cand : layer) {
        const double s = strength(id, cand);
        if (s >= min_rx_dbm && s > best) {
          best = s;
          parent = cand;
        }
      }
      if (parent) {
        parents[id] = *parent;
        next.push_back(id);
      } else {
        still.push_back(id);
      }
    }
    layer = std::move(next);
    rest = std::move(still);
  }
  return parents;
}

std::unique_ptr<StackKind> makeTschKind() {
  return std::make_unique<TschKind>();
}

}  // namespace lpm::scenario
