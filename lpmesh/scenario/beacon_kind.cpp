#include "lpmesh/scenario/beacon_kind.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include "lpmesh/scenario/config.hpp"
#include "lpmesh/scenario/topology.hpp"
#include "lpmesh/scenario/units.hpp"
#include "lpmesh/scenario/yaml_reader.hpp"

namespace lpm::scenario {
namespace {

constexpr std::size_t phyIndex(BeaconPhy phy) {
  return phy == BeaconPhy::kIeee802154 ? 0 : 1;
}
constexpr std::array<const char*, 2> kPhyKey{"ieee802154", "ble"};
constexpr std::array<const char*, 2> kPhyLabel{"802.15.4", "BLE"};

std::string channelMapText(std::uint8_t map) {
  std::string out;
  for (unsigned i = 0; i < 3; ++i) {
    if (((static_cast<unsigned>(map) >> i) & 1U) != 0)
      out += (out.empty() ? "" : "/") + std::to_string(37U + i);
  }
  return out;
}

class BeaconKind final : public StackKind {
 public:
  std::string_view name() const override { return "beacon"; }
  std::shared_ptr<const StackConfig> parse(MapReader& e) const override;
  std::unique_ptr<KindRun> startRun(const RunContext& context) const override;
};

std::shared_ptr<const StackConfig> BeaconKind::parse(MapReader& e) const {
  const YamlContext& ctx = e.context();
  BeaconParams p;
  const std::string phy = ctx.choice(e.required("phy"), e.what() + ".phy", {"ieee802154", "ble"});
  p.phy = phy == "ble" ? BeaconPhy::kBle : BeaconPhy::kIeee802154;
  // Keys that belong to the other PHY are errors, not silently ignored.
  const auto reject = [&](std::string_view key, const char* hint) {
    if (const YAML::Node v = e.get(key); v.IsDefined()) {
      ctx.fail(v, e.what() + "." + std::string(key) + ": does not apply to phy " + phy + " (" +
                      hint + ")");
    }
  };
  if (p.phy == BeaconPhy::kIeee802154) {
    reject("channels", "use channel: 11..26");
    p.channel = static_cast<std::uint8_t>(
        e.integer("channel", 26, platform::k802154MinChannel, platform::k802154MaxChannel));
    p.size = static_cast<std::size_t>(
        e.integer("size", 32, static_cast<std::int64_t>(kBeacon802154MinSize),
                  static_cast<std::int64_t>(platform::k802154MaxMpdu)));
    p.pan_id = static_cast<std::uint16_t>(e.integer("pan_id", 0xabcd, 0, 0xfffe));
    p.cca = e.boolean("cca", false);
  } else {
    reject("channel", "use channels: [37, 38, 39]");
    reject("pan_id", "802.15.4 only");
    reject("cca", "802.15.4 only");
    p.ble_channel_map = 0x07;
    if (const YAML::Node ch = e.get("channels"); ch.IsDefined()) {
      if (!ch.IsSequence() || ch.size() == 0) {
        ctx.fail(ch, e.what() + ".channels: expected a non-empty list of 37, 38, 39");
      }
      p.ble_channel_map = 0;
      for (const auto& c : ch) {
        const auto v = ctx.integer(c, e.what() + ".channels", 37, 39);
        const auto bit = static_cast<std::uint8_t>(1U << (v - 37));
        if ((p.ble_channel_map & bit) != 0) {
          ctx.fail(c, e.what() + ".channels: channel " + std::to_string(v) + " listed twice");
        }
        p.ble_channel_map = static_cast<std::uint8_t>(p.ble_channel_map | bit);
      }
    }
    p.size =
        static_cast<std::size_t>(e.integer("size", 20, static_cast<std::int64_t>(kBeaconBleMinSize),
                                           static_cast<std::int64_t>(platform::kBleMaxAdvData)));
  }
  // BLE: advInterval is at least 20 ms (Core Vol 6 Part B §4.4.2.2.1).
  const Duration min_period = p.phy == BeaconPhy::kBle ? millis(20) : millis(5);
  p.period = e.duration("period", seconds(1), min_period);
  p.jitter = e.duration("jitter", Duration{0});
  if (p.jitter >= p.period) {
    ctx.fail(e.get("jitter"), e.what() + ".jitter: must be shorter than the period (" +
                                  formatDuration(p.period) + ")");
  }
  p.start_delay = e.duration("start", Duration{0});
  p.tx_power_dbm = static_cast<std::int8_t>(e.integer("tx_power_dbm", 0, -40, 20));
  return std::make_shared<BeaconConfig>(p);
}

/// Per-run accounting of every beacon instance (see beacon_kind.hpp for the definitions).
class BeaconRun final : public KindRun, public BeaconObserver {
 public:
  explicit BeaconRun(const RunContext& context);

  std::unique_ptr<platform::Stack> create(NodeId node, const StackEntry& entry,
                                          platform::Platform& platform) override;
  void finish() override;
  void addNodeTraffic(NodeId node, NodeTraffic& traffic) const override;
  void report(nlohmann::ordered_json& out, std::string& text) const override;

  void onBeaconUp(NodeId node, BeaconPhy phy) override;
  void onBeaconDown(NodeId node, BeaconPhy phy) override;
  void onBeaconSent(NodeId node, BeaconPhy phy, std::uint32_t counter) override;
  void onBeaconSkipped(NodeId node, BeaconPhy phy) override;
  void onBeaconReceived(NodeId receiver, BeaconPhy phy, BeaconId beacon,
                        std::int8_t rssi_dbm) override;

 private:
  static constexpr std::int32_t kNotMember = -1;

  struct PhyState {
    std::vector<NodeId> members;
    std::vector<std::int32_t> listen;  ///< per node: channel (802.15.4) / channel map (BLE)
    std::vector<std::uint8_t> up;
    std::vector<std::uint64_t> sent, skipped, received, duplicates, pending;
    /// Per receiver: highest counter heard from each sender (counters only grow).
    std::vector<std::unordered_map<NodeId, std::uint32_t>> last_heard;
    std::vector<std::uint64_t> expected_bins, received_bins;
  };

  bool hears(std::size_t phy, NodeId from, NodeId to) const;
  std::size_t bin(NodeId a, NodeId b) const;
  /// Attributes pending sends to bins with the current set of powered-on listeners.
  void flush(std::size_t phy);
  static void bump(std::vector<std::uint64_t>& bins, std::size_t index, std::uint64_t n);

  std::vector<sim::Vec3> positions_;
  double bin_m_;
  std::array<PhyState, 2> phys_;
};

BeaconRun::BeaconRun(const RunContext& context)
    : positions_(context.positions), bin_m_(context.scenario.outputs.distance_bin_m) {
  const std::size_t n = positions_.size();
  for (PhyState& s : phys_) {
    s.listen.assign(n, kNotMember);
    s.up.assign(n, 0);
    s.sent.assign(n, 0);
    s.skipped.assign(n, 0);
    s.received.assign(n, 0);
    s.duplicates.assign(n, 0);
    s.pending.assign(n, 0);
    s.last_heard.resize(n);
  }
  for (const StackEntry& entry : context.scenario.stacks) {
    if (entry.kind != "beacon") continue;
    const auto& params = static_cast<const BeaconConfig&>(*entry.config).params();
    PhyState& s = phys_[phyIndex(params.phy)];
    for (NodeId node : entry.nodes) {
      s.listen[node] =
          params.phy == BeaconPhy::kIeee802154 ? params.channel : params.ble_channel_map;
    }
  }
  for (PhyState& s : phys_) {
    for (NodeId i = 0; i < n; ++i) {
      if (s.listen[i] != kNotMember) s.members.push_back(i);
    }
  }
}

std::unique_ptr<platform::Stack> BeaconRun::create(NodeId /*node*/, const StackEntry& entry,
                                                   platform::Platform& platform) {
  const auto& params = static_cast<const BeaconConfig&>(*entry.config).params();
  return std::make_unique<BeaconApp>(platform, params, this);
}

bool BeaconRun::hears(std::size_t phy, NodeId from, NodeId to) const {
  const PhyState& s = phys_[phy];
  if (from == to || s.listen[to] == kNotMember || s.up[to] == 0) return false;
  return phy == 0 ? s.listen[from] == s.listen[to] : (s.listen[from] & s.listen[to]) != 0;
}

std::size_t BeaconRun::bin(NodeId a, NodeId b) const {
  return static_cast<std::size_t>(std::floor(distance(positions_[a], positions_[b]) / bin_m_));
}

void BeaconRun::bump(std::vector<std::uint64_t>& bins, std::size_t index, std::uint64_t n) {
  if (bins.size() <= index) bins.resize(index + 1, 0);
  bins[index] += n;
}

void BeaconRun::flush(std::size_t phy) {
  PhyState& s = phys_[phy];
  for (NodeId from : s.members) {
    if (s.pending[from] == 0) continue;
    for (NodeId to : s.members) {
      if (hears(phy, from, to)) bump(s.expected_bins, bin(from, to), s.pending[from]);
    }
    s.pending[from] = 0;
  }
}

void BeaconRun::onBeaconUp(NodeId node, BeaconPhy phy) {
  const std::size_t p = phyIndex(phy);
  flush(p);
  phys_[p].up[node] = 1;
}

void BeaconRun::onBeaconDown(NodeId node, BeaconPhy phy) {
  const std::size_t p = phyIndex(phy);
  flush(p);
  phys_[p].up[node] = 0;
}

void BeaconRun::onBeaconSent(NodeId node, BeaconPhy phy, std::uint32_t /*counter*/) {
  PhyState& s = phys_[phyIndex(phy)];
  ++s.sent[node];
  ++s.pending[node];
}

void BeaconRun::onBeaconSkipped(NodeId node, BeaconPhy phy) {
  ++phys_[phyIndex(phy)].skipped[node];
}

void BeaconRun::onBeaconReceived(NodeId receiver, BeaconPhy phy, BeaconId beacon,
                                 std::int8_t /*rssi_dbm*/) {
  PhyState& s = phys_[phyIndex(phy)];
  if (beacon.node >= positions_.size() || beacon.node == receiver) return;
  auto [it, first] = s.last_heard[receiver].try_emplace(beacon.node, beacon.counter);
  if (!first) {
    if (beacon.counter <= it->second) {
      ++s.duplicates[receiver];
      return;
    }
    it->second = beacon.counter;
  }
  ++s.received[receiver];
  bump(s.received_bins, bin(beacon.node, receiver), 1);
}

void BeaconRun::finish() {
  flush(0);
  flush(1);
}

void BeaconRun::addNodeTraffic(NodeId node, NodeTraffic& traffic) const {
  for (const PhyState& s : phys_) {
    traffic.sent += s.sent[node];
    traffic.received += s.received[node];
  }
}

namespace {

double ratio(std::uint64_t num, std::uint64_t den) {
  if (den == 0) return 0.0;
  // Four decimals: enough for a PRR, and stable text in summary.json.
  return std::round(static_cast<double>(num) / static_cast<double>(den) * 1e4) / 1e4;
}

std::uint64_t sum(const std::vector<std::uint64_t>& v) {
  std::uint64_t t = 0;
  for (std::uint64_t x : v)
    t += x;
  return t;
}

}  // namespace

void BeaconRun::report(nlohmann::ordered_json& out, std::string& text) const {
  out["definition"] =
      "expected: for each beacon sent, each other powered-on beacon node of the same PHY "
      "and channel; received: beacons its app decoded (once per beacon)";
  out["distance_bin_m"] = bin_m_;
  std::size_t max_bins = 0;
  for (std::size_t p = 0; p < phys_.size(); ++p) {
    const PhyState& s = phys_[p];
    if (s.members.empty()) continue;
    nlohmann::ordered_json j;
    j["nodes"] = s.members.size();
    j["sent"] = sum(s.sent);
    j["skipped"] = sum(s.skipped);
    j["expected"] = sum(s.expected_bins);
    j["received"] = sum(s.received_bins);
    j["duplicates"] = sum(s.duplicates);
    j["prr"] = ratio(sum(s.received_bins), sum(s.expected_bins));
    nlohmann::ordered_json bins = nlohmann::ordered_json::array();
    const std::size_t nb = std::max(s.expected_bins.size(), s.received_bins.size());
    for (std::size_t b = 0; b < nb; ++b) {
      const std::uint64_t e = b < s.expected_bins.size() ? s.expected_bins[b] : 0;
      const std::uint64_t r = b < s.received_bins.size() ? s.received_bins[b] : 0;
      if (e == 0 && r == 0) continue;
      nlohmann::ordered_json row;
      row["from_m"] = static_cast<double>(b) * bin_m_;
      row["to_m"] = static_cast<double>(b + 1) * bin_m_;
      row["expected"] = e;
      row["received"] = r;
      row["prr"] = ratio(r, e);
      bins.push_back(std::move(row));
    }
    j["prr_by_distance"] = std::move(bins);
    out[kPhyKey[p]] = std::move(j);
    max_bins = std::max(max_bins, nb);
  }

  text +=
      "\nBeacon PRR against distance (expected = beacons sent x listeners on the same "
      "PHY/channel)\n";
  text += fmt::format("  {:>13}", "distance");
  for (std::size_t p = 0; p < phys_.size(); ++p) {
    if (phys_[p].members.empty()) continue;
    text += fmt::format(" | {:>8} {:>9} {:>9} {:>6}", kPhyLabel[p], "expected", "received", "PRR");
  }
  text += "\n";
  for (std::size_t b = 0; b < max_bins; ++b) {
    bool any = false;
    for (const PhyState& s : phys_) {
      if (b < s.expected_bins.size() && s.expected_bins[b] > 0) any = true;
    }
    if (!any) continue;
    text += fmt::format("  {:>13}", fmt::format("{:g}-{:g} m", static_cast<double>(b) * bin_m_,
                                                static_cast<double>(b + 1) * bin_m_));
    for (const PhyState& s : phys_) {
      if (s.members.empty()) continue;
      const std::uint64_t e = b < s.expected_bins.size() ? s.expected_bins[b] : 0;
      const std::uint64_t r = b < s.received_bins.size() ? s.received_bins[b] : 0;
      if (e == 0) {
        text += fmt::format(" | {:>8} {:>9} {:>9} {:>6}", "", "-", "-", "-");
      } else {
        text += fmt::format(" | {:>8} {:>9} {:>9} {:>6.3f}", "", e, r, ratio(r, e));
      }
    }
    text += "\n";
  }
  text += fmt::format("  {:>13}", "all");
  for (const PhyState& s : phys_) {
    if (s.members.empty()) continue;
    const std::uint64_t e = sum(s.expected_bins), r = sum(s.received_bins);
    text += fmt::format(" | {:>8} {:>9} {:>9} {:>6.3f}", "", e, r, ratio(r, e));
  }
  text += "\n  beacons sent:";
  for (std::size_t p = 0; p < phys_.size(); ++p) {
    const PhyState& s = phys_[p];
    if (s.members.empty()) continue;
    text += fmt::format(" {} {} ({} skipped){}", kPhyLabel[p], sum(s.sent), sum(s.skipped),
                        p + 1 < phys_.size() && !phys_[p + 1].members.empty() ? "," : "");
  }
  text += "\n";
}

std::unique_ptr<KindRun> BeaconKind::startRun(const RunContext& context) const {
  return std::make_unique<BeaconRun>(context);
}

}  // namespace

Radios BeaconConfig::radios() const {
  Radios r;
  r.ieee802154 = params_.phy == BeaconPhy::kIeee802154;
  r.ble = params_.phy == BeaconPhy::kBle;
  return r;
}

std::string BeaconConfig::describe() const {
  std::string where = params_.phy == BeaconPhy::kIeee802154
                          ? "802.15.4 ch " + std::to_string(params_.channel)
                          : "BLE ch " + channelMapText(params_.ble_channel_map);
  std::string out = "beacon on " + where + " every " + formatDuration(params_.period);
  if (params_.jitter.count() > 0) out += " (+0.." + formatDuration(params_.jitter) + ")";
  return out + ", " + std::to_string(params_.size) + " B";
}

std::unique_ptr<StackKind> makeBeaconKind() {
  return std::make_unique<BeaconKind>();
}

}  // namespace lpm::scenario
