#include "lpmesh/scenario/sixtisch_kind.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/scenario/config.hpp"
#include "lpmesh/scenario/units.hpp"
#include "lpmesh/scenario/yaml_reader.hpp"

namespace lpm::scenario {

namespace {

using sixtisch::SixtischConfig;
using sixtisch::SixtischNode;

double round4(double v) {
  return std::round(v * 1e4) / 1e4;
}

nlohmann::ordered_json distribution(std::vector<double> v) {
  nlohmann::ordered_json j;
  j["count"] = v.size();
  if (v.empty()) return j;
  std::sort(v.begin(), v.end());
  const auto at = [&](double q) {
    return v[static_cast<std::size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
  };
  j["median"] = round4(at(0.5));
  j["p90"] = round4(at(0.9));
  j["max"] = round4(v.back());
  return j;
}

std::string distText(const nlohmann::ordered_json& d) {
  if (d["count"].get<std::size_t>() == 0) return "none";
  return fmt::format("n {} median {:.2f} p90 {:.2f} max {:.2f}", d["count"].get<std::size_t>(),
                     d["median"].get<double>(), d["p90"].get<double>(), d["max"].get<double>());
}

double ratio(std::uint64_t num, std::uint64_t den) {
  return den == 0 ? 0.0 : round4(static_cast<double>(num) / static_cast<double>(den));
}

crypto::Key128 parseKey(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
  auto key = parseHexArray<16>(ctx.string(node, what));
  if (!key) ctx.fail(node, what + ": expected 16 bytes of hex");
  return *key;
}

void parseRpl(const YamlContext& ctx, const YAML::Node& node, const std::string& what,
              rpl::RplConfig& r) {
  MapReader m(ctx, node, what);
  rpl::DodagConfiguration& d = r.dodag;
  d.dio_interval_min =
      static_cast<std::uint8_t>(m.integer("dio_interval_min", d.dio_interval_min, 0, 40));
  d.dio_interval_doublings = static_cast<std::uint8_t>(
      m.integer("dio_interval_doublings", d.dio_interval_doublings, 0, 255));
  d.dio_redundancy_constant =
      static_cast<std::uint8_t>(m.integer("dio_redundancy", d.dio_redundancy_constant, 0, 255));
  d.min_hop_rank_increase = static_cast<std::uint16_t>(
      m.integer("min_hop_rank_increase", d.min_hop_rank_increase, 1, 0xffff));
  d.max_rank_increase =
      static_cast<std::uint16_t>(m.integer("max_rank_increase", d.max_rank_increase, 0, 0xffff));
  d.default_lifetime =
      static_cast<std::uint8_t>(m.integer("default_lifetime", d.default_lifetime, 1, 255));
  d.lifetime_unit =
      static_cast<std::uint16_t>(m.integer("lifetime_unit", d.lifetime_unit, 1, 0xffff));
  r.instance_id = static_cast<std::uint8_t>(m.integer("instance_id", r.instance_id, 0, 127));
  r.dao_ack = m.boolean("dao_ack", r.dao_ack);
  r.dao_delay = m.duration("dao_delay", r.dao_delay);
  r.dao_ack_timeout = m.duration("dao_ack_timeout", r.dao_ack_timeout, millis(10));
  r.dis_interval = m.duration("dis_interval", r.dis_interval, millis(100));
  r.max_consecutive_failures = static_cast<std::uint8_t>(
      m.integer("max_consecutive_failures", r.max_consecutive_failures, 1, 255));
  r.unreachable_hold = m.duration("unreachable_hold", r.unreachable_hold);
  r.max_neighbors = static_cast<std::size_t>(m.integer("max_neighbors", 32, 2, 1024));
  r.max_routes = static_cast<std::size_t>(m.integer("max_routes", 256, 1, 100000));
  m.finish();
}

class SixtischKind final : public StackKind {
 public:
  std::string_view name() const override { return "sixtisch"; }
  std::shared_ptr<const StackConfig> parse(MapReader& e) const override;
  std::unique_ptr<KindRun> startRun(const RunContext& context) const override;
};

std::shared_ptr<const StackConfig> SixtischKind::parse(MapReader& e) const {
  const YamlContext& ctx = e.context();
  const std::string& w = e.what();
  SixtischKindParams p;
  SixtischConfig& c = p.node;
  ieee802154::TschConfig& m = c.tsch;
  const SourceMark root_mark = ctx.mark(e.required("root"));
  p.root = static_cast<NodeId>(e.requiredInteger("root", 0, 0xfffffffe));
  if (const YAML::Node mop = e.get("mop"); mop.IsDefined()) {
    c.rpl.mop = ctx.choice(mop, w + ".mop", {"non_storing", "storing"}) == "storing"
                    ? rpl::Mop::kStoringNoMulticast
                    : rpl::Mop::kNonStoring;
  }
  if (const YAML::Node pfx = e.get("prefix"); pfx.IsDefined()) {
    auto parsed = ipv6::Prefix::parse(ctx.string(pfx, w + ".prefix"));
    if (!parsed || parsed->length != 64) ctx.fail(pfx, w + ".prefix: expected an IPv6 /64 prefix");
    c.rpl.prefix = *parsed;
  }
  // TSCH (RFC 8180 §4, Figure 5).
  m.pan_id = static_cast<std::uint16_t>(e.integer("pan_id", m.pan_id, 0, 0xfffe));
  m.tx_power_dbm = static_cast<std::int8_t>(e.integer("tx_power_dbm", 0, -40, 20));
  m.slotframe_length =
      static_cast<std::uint16_t>(e.integer("slotframe_length", m.slotframe_length, 1, 65535));
  m.eb_period = e.duration("eb_period", m.eb_period);
  m.ka_period = e.duration("ka_period", m.ka_period, millis(10));
  m.desync_timeout = e.duration("desync_timeout", m.desync_timeout, millis(10));
  m.max_eb_delay = e.duration("max_eb_delay", m.max_eb_delay);
  m.num_neighbours_to_wait = static_cast<std::uint32_t>(
      e.integer("num_neighbours_to_wait", m.num_neighbours_to_wait, 1, 64));
  m.num_upperlayer_packets = static_cast<std::uint32_t>(
      e.integer("num_upperlayer_packets", m.num_upperlayer_packets, 1, 64));
  m.max_join_time = e.duration("max_join_time", m.max_join_time);
  m.max_frame_retries =
      static_cast<std::uint8_t>(e.integer("max_frame_retries", m.max_frame_retries, 0, 7));
  m.queue_capacity = static_cast<std::size_t>(e.integer("queue_capacity", 16, 1, 256));
  m.per_neighbor_queue = static_cast<std::size_t>(e.integer("per_neighbor_queue", 4, 1, 64));
  m.max_neighbors = static_cast<std::size_t>(e.integer("max_neighbors", 32, 2, 256));
  c.rpl.parent_switch_threshold = static_cast<std::uint16_t>(
      e.integer("parent_switch_threshold", c.rpl.parent_switch_threshold, 0, 0xffff));
  if (const YAML::Node s = e.get("security"); s.IsDefined()) {
    MapReader sec(ctx, s, w + ".security");
    m.security.enabled = sec.boolean("enabled", true);
    if (const YAML::Node mode = sec.get("join_mode"); mode.IsDefined()) {
      const std::string v = ctx.choice(mode, w + ".security.join_mode", {"k1k2", "k1", "none"});
      m.security.join_mode = v == "k1k2" ? ieee802154::JoinKeyMode::kK1K2
                             : v == "k1" ? ieee802154::JoinKeyMode::kK1Only
                                         : ieee802154::JoinKeyMode::kNone;
    }
    if (const YAML::Node k = sec.get("k1"); k.IsDefined()) {
      m.security.k1 = parseKey(ctx, k, w + ".security.k1");
    }
    if (const YAML::Node k = sec.get("k2"); k.IsDefined()) {
      m.security.k2 = parseKey(ctx, k, w + ".security.k2");
    }
    sec.finish();
  }
  if (const YAML::Node r = e.get("rpl"); r.IsDefined()) parseRpl(ctx, r, w + ".rpl", c.rpl);
  if (const YAML::Node l = e.get("leaves"); l.IsDefined()) {
    if (!l.IsSequence()) ctx.fail(l, w + ".leaves: expected a list of node ids");
    for (const auto& id : l) {
      p.leaves.push_back(static_cast<NodeId>(ctx.integer(id, w + ".leaves", 0, 0xfffffffe)));
    }
    std::sort(p.leaves.begin(), p.leaves.end());
  }
  if (const YAML::Node en = e.get("enrollment"); en.IsDefined()) {
    MapReader r(ctx, en, w + ".enrollment");
    c.enrollment_ie = r.boolean("enabled", true);
    c.pan_priority = static_cast<std::uint8_t>(r.integer("pan_priority", c.pan_priority, 0, 255));
    c.proxy_priority =
        static_cast<std::uint8_t>(r.integer("proxy_priority", c.proxy_priority, 0, 0x7f));
    c.network_id_length = static_cast<std::size_t>(
        r.integer("network_id_length", static_cast<std::int64_t>(c.network_id_length), 1, 16));
    if (const YAML::Node id = r.get("network_id"); id.IsDefined()) {
      auto bytes = parseHex(ctx.string(id, w + ".enrollment.network_id"));
      if (!bytes || bytes->empty() || bytes->size() > sixtisch::kMaxNetworkId) {
        ctx.fail(id, w + ".enrollment.network_id: expected 1..16 bytes of hex");
      }
      c.network_id = *bytes;
    }
    c.join_give_up = r.duration("give_up_after", c.join_give_up);
    r.finish();
  }
  if (const YAML::Node t = e.get("traffic"); t.IsDefined()) {
    MapReader tr(ctx, t, w + ".traffic");
    c.traffic.up_period = tr.duration("period", Duration{0});
    c.traffic.down_period = tr.duration("ping_period", Duration{0});
    c.traffic.payload_size = static_cast<std::size_t>(tr.integer("size", 16, 8, 80));
    c.traffic.start_delay = tr.duration("start", Duration{0});
    tr.finish();
  }
  return std::make_shared<SixtischKindConfig>(std::move(p), root_mark);
}

/// One network (one `stacks:` entry) during a run.
struct Network {
  const StackEntry* entry = nullptr;
  const SixtischKindParams* params = nullptr;
  NodeId root = 0;
};

/// Per-run accounting of every sixtisch node: the observer of all SixtischNode instances.
class SixtischRun final : public KindRun, public sixtisch::SixtischObserver {
 public:
  explicit SixtischRun(const RunContext& context);

  std::unique_ptr<platform::Stack> create(NodeId node, const StackEntry& entry,
                                          platform::Platform& platform) override;
  void finish() override;
  void addNodeTraffic(NodeId node, NodeTraffic& traffic) const override;
  void report(nlohmann::ordered_json& out, std::string& text) const override;

  void onSynchronized(NodeId node) override;
  void onDesynchronized(NodeId node) override;
  void onRankChanged(NodeId node, std::uint16_t rank) override;
  void onParentChanged(NodeId node, std::optional<Eui64> parent) override;
  void onDaoAcked(NodeId node) override;
  void onEbBuilt(NodeId node, bool had_rank) override;
  void onUpSent(NodeId node, std::uint32_t seq) override;
  void onUpReceived(NodeId root, NodeId origin, std::uint32_t seq) override;
  void onDownSent(NodeId root, const Eui64& target, std::uint16_t seq) override;
  void onDownReceived(NodeId node, std::uint16_t seq) override;
  void onStopped(NodeId node, const SixtischNode& stack) override;

 private:
  struct NodeState {
    std::int32_t network = -1;
    bool root = false;
    SixtischNode* live = nullptr;
    SimTime powered_at{};
    std::optional<double> sync_s, rank_s, down_s;  ///< first of each since power-on
    std::uint32_t seq_base = 0;                    ///< upward sequence offset per instance
    std::vector<SimTime> up_sent;                  ///< by global sequence
    std::vector<std::uint8_t> up_seen;
    std::uint64_t up_received = 0;
    std::uint64_t down_sent = 0, down_received = 0;
    std::vector<double> up_latency_s, down_latency_s;
    std::uint32_t syncs = 0, desyncs = 0;
    std::uint64_t eb_before_rank = 0;
    std::optional<NodeId> parent;
    std::uint16_t rank = rpl::kInfiniteRank;
    rpl::RplStats rpl_closed, rpl_final;
    ieee802154::TschStats mac_closed, mac_final;
    sixtisch::SixtischStats node_closed, node_final;
    double duty_cycle = 0.0;
    double charge_mc = 0.0;
  };
  struct Ping {
    NodeId target = 0;
    SimTime sent{};
    bool received = false;
  };

  std::optional<NodeId> idOf(const Eui64& eui) const;
  static void addRpl(rpl::RplStats& a, const rpl::RplStats& b);
  static void addMac(ieee802154::TschStats& a, const ieee802154::TschStats& b);
  static void addNode(sixtisch::SixtischStats& a, const sixtisch::SixtischStats& b);

  sim::World& world_;
  std::vector<Network> networks_;
  std::vector<NodeState> nodes_;
  std::map<Eui64, NodeId> by_eui_;
  std::map<std::pair<NodeId, std::uint16_t>, Ping> pings_;  ///< (root, seq)
  bool finished_ = false;
};

SixtischRun::SixtischRun(const RunContext& context) : world_(context.world) {
  nodes_.resize(context.positions.size());
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    if (world_.platform(id).radio802154 != nullptr) {
      by_eui_[world_.platform(id).radio802154->eui64()] = id;
    }
  }
  for (const StackEntry& entry : context.scenario.stacks) {
    if (entry.kind != "sixtisch") continue;
    const auto& cfg = static_cast<const SixtischKindConfig&>(*entry.config);
    const SixtischKindParams& p = cfg.params();
    if (!std::binary_search(entry.nodes.begin(), entry.nodes.end(), p.root)) {
      throw ScenarioError(cfg.rootMark(), entry.name + ".root: node " + std::to_string(p.root) +
                                              " is not one of the entry's nodes");
    }
    Network net;
    net.entry = &entry;
    net.params = &p;
    net.root = p.root;
    const auto index = static_cast<std::int32_t>(networks_.size());
    for (NodeId id : entry.nodes) {
      nodes_[id].network = index;
      nodes_[id].root = id == p.root;
    }
    networks_.push_back(net);
  }
}

std::optional<NodeId> SixtischRun::idOf(const Eui64& eui) const {
  auto it = by_eui_.find(eui);
  if (it == by_eui_.end()) return std::nullopt;
  return it->second;
}

std::unique_ptr<platform::Stack> SixtischRun::create(NodeId node, const StackEntry& /*entry*/,
                                                     platform::Platform& platform) {
  NodeState& s = nodes_[node];
  const Network& net = networks_[static_cast<std::size_t>(s.network)];
  SixtischConfig c = net.params->node;
  c.root = s.root;
  c.rpl.leaf = std::binary_search(net.params->leaves.begin(), net.params->leaves.end(), node);
  s.powered_at = world_.now();
  s.seq_base = static_cast<std::uint32_t>(s.up_sent.size());
  s.rank = rpl::kInfiniteRank;
  s.parent.reset();
  auto stack = std::make_unique<SixtischNode>(platform, c, this);
  s.live = stack.get();
  return stack;
}

void SixtischRun::onSynchronized(NodeId node) {
  NodeState& s = nodes_[node];
  ++s.syncs;
  if (!s.sync_s) s.sync_s = toSeconds(world_.now() - s.powered_at);
}

void SixtischRun::onDesynchronized(NodeId node) {
  ++nodes_[node].desyncs;
}

void SixtischRun::onRankChanged(NodeId node, std::uint16_t rank) {
  NodeState& s = nodes_[node];
  s.rank = rank;
  if (rank != rpl::kInfiniteRank && !s.rank_s) s.rank_s = toSeconds(world_.now() - s.powered_at);
}

void SixtischRun::onParentChanged(NodeId node, std::optional<Eui64> parent) {
  nodes_[node].parent = parent ? idOf(*parent) : std::nullopt;
}

void SixtischRun::onDaoAcked(NodeId node) {
  NodeState& s = nodes_[node];
  if (!s.down_s) s.down_s = toSeconds(world_.now() - s.powered_at);
}

void SixtischRun::onEbBuilt(NodeId node, bool had_rank) {
  if (!had_rank) ++nodes_[node].eb_before_rank;
}

void SixtischRun::onUpSent(NodeId node, std::uint32_t seq) {
  NodeState& s = nodes_[node];
  const std::size_t g = std::size_t{s.seq_base} + seq;
  if (s.up_sent.size() <= g) {
    s.up_sent.resize(g + 1, kSimTimeNever);
    s.up_seen.resize(g + 1, 0);
  }
  s.up_sent[g] = world_.now();
}

void SixtischRun::onUpReceived(NodeId /*root*/, NodeId origin, std::uint32_t seq) {
  if (origin >= nodes_.size()) return;
  NodeState& o = nodes_[origin];
  const std::size_t g = std::size_t{o.seq_base} + seq;
  if (g >= o.up_sent.size() || o.up_seen[g] != 0 || o.up_sent[g] == kSimTimeNever) return;
  o.up_seen[g] = 1;
  ++o.up_received;
  o.up_latency_s.push_back(toSeconds(world_.now() - o.up_sent[g]));
}

void SixtischRun::onDownSent(NodeId root, const Eui64& target, std::uint16_t seq) {
  const auto id = idOf(target);
  if (!id) return;
  ++nodes_[*id].down_sent;
  pings_[{root, seq}] = Ping{*id, world_.now(), false};
}

void SixtischRun::onDownReceived(NodeId node, std::uint16_t seq) {
  const NodeState& s = nodes_[node];
  if (s.network < 0) return;
  const NodeId root = networks_[static_cast<std::size_t>(s.network)].root;
  auto it = pings_.find({root, seq});
  if (it == pings_.end() || it->second.target != node || it->second.received) return;
  it->second.received = true;
  ++nodes_[node].down_received;
  nodes_[node].down_latency_s.push_back(toSeconds(world_.now() - it->second.sent));
}

void SixtischRun::addRpl(rpl::RplStats& a, const rpl::RplStats& b) {
  a.dio_tx += b.dio_tx;
  a.dio_rx += b.dio_rx;
  a.dis_tx += b.dis_tx;
  a.dao_tx += b.dao_tx;
  a.dao_ack_tx += b.dao_ack_tx;
  a.dao_retransmissions += b.dao_retransmissions;
  a.dao_failed += b.dao_failed;
  a.parent_changes += b.parent_changes;
  a.local_repairs += b.local_repairs;
  a.rank_errors += b.rank_errors;
  a.loop_drops += b.loop_drops;
}

void SixtischRun::addMac(ieee802154::TschStats& a, const ieee802154::TschStats& b) {
  a.eb_tx += b.eb_tx;
  a.ka_tx += b.ka_tx;
  a.data_tx += b.data_tx;
  a.data_tx_acked += b.data_tx_acked;
  a.broadcast_tx += b.broadcast_tx;
  a.drop_queue_full += b.drop_queue_full;
}

void SixtischRun::addNode(sixtisch::SixtischStats& a, const sixtisch::SixtischStats& b) {
  a.ip_forwarded += b.ip_forwarded;
  a.drop_no_route += b.drop_no_route;
  a.drop_too_big += b.drop_too_big;
  a.drop_mac_queue += b.drop_mac_queue;
  a.drop_loop += b.drop_loop;
  a.up_sent += b.up_sent;
}

void SixtischRun::onStopped(NodeId node, const SixtischNode& stack) {
  NodeState& s = nodes_[node];
  s.live = nullptr;
  if (finished_) return;
  addRpl(s.rpl_closed, stack.rplStats());
  addMac(s.mac_closed, stack.mac().stats());
  addNode(s.node_closed, stack.stats());
}

void SixtischRun::finish() {
  for (NodeId id = 0; id < nodes_.size(); ++id) {
    NodeState& s = nodes_[id];
    if (s.network < 0) continue;
    s.rpl_final = s.rpl_closed;
    s.mac_final = s.mac_closed;
    s.node_final = s.node_closed;
    if (s.live != nullptr) {
      addRpl(s.rpl_final, s.live->rplStats());
      addMac(s.mac_final, s.live->mac().stats());
      addNode(s.node_final, s.live->stats());
    }
    const sim::RadioStats& r = world_.radioStats(id);
    Duration total{0};
    for (const Duration d : r.time_in_state)
      total += d;
    const Duration on = r.time_in_state[static_cast<int>(sim::RadioState::kRx)] +
                        r.time_in_state[static_cast<int>(sim::RadioState::kTx)];
    s.duty_cycle = total.count() > 0 ? toSeconds(on) / toSeconds(total) : 0.0;
    s.charge_mc = r.charge_mc;
  }
  finished_ = true;
}

void SixtischRun::addNodeTraffic(NodeId node, NodeTraffic& traffic) const {
  const NodeState& s = nodes_[node];
  traffic.sent += s.up_sent.size();
  traffic.received += s.down_received;
}

void SixtischRun::report(nlohmann::ordered_json& out, std::string& text) const {
  out["definition"] =
      "time_to_sync / time_to_rank / time_to_reachable_down: power-on -> synchronised / "
      "first finite RPL rank / first DAO acknowledged (s), per node, first occurrence; "
      "up: UDP packets to the root, pdr = distinct received / sent; down: root echo "
      "requests, pdr = received at the target / sent; latencies in s";
  nlohmann::ordered_json nets = nlohmann::ordered_json::array();
  for (const Network& net : networks_) {
    std::vector<double> sync, rank, down, up_lat, down_lat;
    std::uint64_t up_sent = 0, up_recv = 0, down_sent = 0, down_recv = 0, synced_end = 0,
                  joined_end = 0, eb_before_rank = 0;
    rpl::RplStats rs;
    ieee802154::TschStats ms;
    sixtisch::SixtischStats ns;
    double duty_sum = 0.0, duty_max = 0.0, charge_sum = 0.0;
    nlohmann::ordered_json tree = nlohmann::ordered_json::array();
    nlohmann::ordered_json per_node = nlohmann::ordered_json::array();
    for (NodeId id : net.entry->nodes) {
      const NodeState& s = nodes_[id];
      if (!s.root) {
        if (s.sync_s) sync.push_back(*s.sync_s);
        if (s.rank_s) rank.push_back(*s.rank_s);
        if (s.down_s) down.push_back(*s.down_s);
      }
      up_lat.insert(up_lat.end(), s.up_latency_s.begin(), s.up_latency_s.end());
      down_lat.insert(down_lat.end(), s.down_latency_s.begin(), s.down_latency_s.end());
      up_sent += s.up_sent.size();
      up_recv += s.up_received;
      down_sent += s.down_sent;
      down_recv += s.down_received;
      eb_before_rank += s.eb_before_rank;
      addRpl(rs, s.rpl_final);
      addMac(ms, s.mac_final);
      addNode(ns, s.node_final);
      duty_sum += s.duty_cycle;
      duty_max = std::max(duty_max, s.duty_cycle);
      charge_sum += s.charge_mc;
      const bool synced = s.live != nullptr && s.live->mac().isSynchronized();
      const bool joined = s.live != nullptr && s.live->rpl() != nullptr && s.live->rpl()->joined();
      if (synced) ++synced_end;
      if (joined) ++joined_end;
      nlohmann::ordered_json t;
      t["id"] = id;
      if (s.root) {
        t["parent"] = nullptr;
      } else if (joined && s.parent) {
        t["parent"] = *s.parent;
      } else {
        t["parent"] = nullptr;
      }
      t["rank"] = joined || s.root ? nlohmann::ordered_json(s.live->rpl()->rank())
                                   : nlohmann::ordered_json();
      tree.push_back(t);
      nlohmann::ordered_json row;
      row["id"] = id;
      row["role"] = s.root ? "root" : "node";
      row["synced"] = synced;
      row["joined"] = joined;
      row["time_to_sync_s"] =
          s.sync_s ? nlohmann::ordered_json(round4(*s.sync_s)) : nlohmann::ordered_json();
      row["time_to_rank_s"] =
          s.rank_s ? nlohmann::ordered_json(round4(*s.rank_s)) : nlohmann::ordered_json();
      row["time_to_reachable_down_s"] =
          s.down_s ? nlohmann::ordered_json(round4(*s.down_s)) : nlohmann::ordered_json();
      row["up_pdr"] = ratio(s.up_received, s.up_sent.size());
      row["down_pdr"] = ratio(s.down_received, s.down_sent);
      row["dio_tx"] = s.rpl_final.dio_tx;
      row["dao_tx"] = s.rpl_final.dao_tx;
      row["eb_tx"] = s.mac_final.eb_tx;
      row["parent_changes"] = s.rpl_final.parent_changes;
      row["desyncs"] = s.desyncs;
      row["duty_cycle"] = round4(s.duty_cycle);
      row["charge_mc"] = round4(s.charge_mc);
      per_node.push_back(row);
    }
    const std::size_t count = net.entry->nodes.size();
    nlohmann::ordered_json j;
    j["name"] = net.entry->name;
    j["root"] = net.root;
    j["nodes"] = count;
    j["mop"] = net.params->node.rpl.mop == rpl::Mop::kNonStoring ? "non_storing" : "storing";
    j["synchronised_at_end"] = synced_end;
    j["joined_at_end"] = joined_end;
    j["time_to_sync_s"] = distribution(sync);
    j["time_to_rank_s"] = distribution(rank);
    j["time_to_reachable_down_s"] = distribution(down);
    j["up"] = {{"sent", up_sent},
               {"received", up_recv},
               {"pdr", ratio(up_recv, up_sent)},
               {"latency_s", distribution(up_lat)}};
    j["down"] = {{"sent", down_sent},
                 {"received", down_recv},
                 {"pdr", ratio(down_recv, down_sent)},
                 {"latency_s", distribution(down_lat)}};
    j["control"] = {{"dio_tx", rs.dio_tx},
                    {"dis_tx", rs.dis_tx},
                    {"dao_tx", rs.dao_tx},
                    {"dao_ack_tx", rs.dao_ack_tx},
                    {"dao_retransmissions", rs.dao_retransmissions},
                    {"dao_failed", rs.dao_failed},
                    {"eb_tx", ms.eb_tx},
                    {"keepalive_tx", ms.ka_tx}};
    j["parent_changes"] = rs.parent_changes;
    j["local_repairs"] = rs.local_repairs;
    j["eb_before_rank"] = eb_before_rank;
    j["rank_errors"] = rs.rank_errors;
    j["drops"] = {{"no_route", ns.drop_no_route},
                  {"too_big", ns.drop_too_big},
                  {"mac_queue", ns.drop_mac_queue},
                  {"loop", ns.drop_loop + rs.loop_drops}};
    j["mac"] = {{"unicast_attempts", ms.data_tx},
                {"acked", ms.data_tx_acked},
                {"etx", ratio(ms.data_tx, ms.data_tx_acked)}};
    j["duty_cycle"] = {{"mean", round4(count > 0 ? duty_sum / static_cast<double>(count) : 0.0)},
                       {"max", round4(duty_max)}};
    j["charge_mc"] = {{"total", round4(charge_sum)},
                      {"mean", round4(count > 0 ? charge_sum / static_cast<double>(count) : 0.0)}};
    j["rpl_tree"] = tree;
    j["per_node"] = per_node;
    nets.push_back(j);

    text += fmt::format("\n6TiSCH network {} (root {}, {} nodes, {})\n", net.entry->name, net.root,
                        count, j["mop"].get<std::string>());
    text += fmt::format("  synchronised {}/{}, joined {}/{}, EBs before a rank {}\n", synced_end,
                        count, joined_end, count, eb_before_rank);
    text += fmt::format("  time to sync (s): {}\n", distText(j["time_to_sync_s"]));
    text += fmt::format("  time to rank (s): {}\n", distText(j["time_to_rank_s"]));
    text +=
        fmt::format("  time to reachable down (s): {}\n", distText(j["time_to_reachable_down_s"]));
    text += fmt::format("  up: {}/{} PDR {:.4f}, latency {}\n", up_recv, up_sent,
                        ratio(up_recv, up_sent), distText(j["up"]["latency_s"]));
    text += fmt::format("  down: {}/{} PDR {:.4f}, latency {}\n", down_recv, down_sent,
                        ratio(down_recv, down_sent), distText(j["down"]["latency_s"]));
    text +=
        fmt::format("  DIO {} DIS {} DAO {} EB {}; parent changes {}, local repairs {}\n",
                    rs.dio_tx, rs.dis_tx, rs.dao_tx, ms.eb_tx, rs.parent_changes, rs.local_repairs);
    text += fmt::format("  duty cycle: mean {:.4f}% max {:.4f}%\n",
                        100.0 * (count > 0 ? duty_sum / static_cast<double>(count) : 0.0),
                        100.0 * duty_max);
  }
  out["networks"] = nets;
}

std::unique_ptr<KindRun> SixtischKind::startRun(const RunContext& context) const {
  return std::make_unique<SixtischRun>(context);
}

}  // namespace

Radios SixtischKindConfig::radios() const {
  Radios r;
  r.ieee802154 = true;
  return r;
}

std::string SixtischKindConfig::describe() const {
  const auto& n = params_.node;
  return fmt::format("6tisch root {}, {} mode, slotframe {} x {} us, EB every {}", params_.root,
                     n.rpl.mop == rpl::Mop::kNonStoring ? "non-storing" : "storing",
                     n.tsch.slotframe_length, n.tsch.timing.timeslot_length,
                     formatDuration(n.tsch.eb_period));
}

std::unique_ptr<StackKind> makeSixtischKind() {
  return std::make_unique<SixtischKind>();
}

}  // namespace lpm::scenario
