#include "lpmesh/sim/world.hpp"

#include <cmath>
#include <stdexcept>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/sim/ble_controller.hpp"
#include "lpmesh/sim/clock.hpp"
#include "lpmesh/sim/medium.hpp"
#include "lpmesh/sim/node_timers.hpp"
#include "lpmesh/sim/pcap.hpp"
#include "lpmesh/sim/propagation.hpp"
#include "lpmesh/sim/radio_802154.hpp"
#include "lpmesh/sim/settings_store.hpp"

namespace lpm::sim {

namespace {

Eui64 defaultEui64(NodeId id) {
  // Locally administered (U/L bit of the first octet set), node id in the low octets.
  return Eui64{0x02,
               0x00,
               0x00,
               0x00,
               static_cast<std::uint8_t>(id >> 24),
               static_cast<std::uint8_t>(id >> 16),
               static_cast<std::uint8_t>(id >> 8),
               static_cast<std::uint8_t>(id)};
}

BleAddress defaultBleAddress(NodeId id) {
  // Static random address: the two most significant bits set (Core Vol 6 Part B §1.3.2.1).
  return BleAddress{0xC0,
                    0x00,
                    static_cast<std::uint8_t>(id >> 24),
                    static_cast<std::uint8_t>(id >> 16),
                    static_cast<std::uint8_t>(id >> 8),
                    static_cast<std::uint8_t>(id)};
}

enum PowerOp : std::uint64_t { kPowerOn = 0, kPowerOff = 1, kReboot = 2 };

}  // namespace

struct World::Impl {
  struct Node {
    Node(Impl& w, NodeId node_id, const NodeConfig& cfg)
        : id(node_id),
          config(cfg),
          clock(static_cast<std::int64_t>(std::llround(cfg.drift_ppm * 1000.0)), SimTime{}),
          stack_rng(Rng::forStream(w.config.seed, node_id, RngStream::kStack)),
          phy_rng(Rng::forStream(w.config.seed, node_id, RngStream::kPhy)),
          mac_rng(Rng::forStream(w.config.seed, node_id, RngStream::kMac)),
          timers(w.kernel, clock),
          log(w.hub, node_id),
          trace(w.hub, node_id) {}

    NodeId id;
    NodeConfig config;
    NodeClock clock;
    Rng stack_rng;
    Rng phy_rng;
    Rng mac_rng;
    NodeTimers timers;
    SettingsStore settings;
    NodeLog log;
    NodeTrace trace;
    std::unique_ptr<SimRadio802154> radio;
    std::unique_ptr<SimBleController> ble;
    platform::Platform platform;
    StackFactory factory;
    std::vector<std::unique_ptr<platform::Stack>> stacks;
    bool powered = false;
  };
  struct PendingJammer {
    Vec3 position;
    double center_mhz;
    double power_dbm;
    SimTime from;
    SimTime to;
  };

  explicit Impl(WorldConfig cfg)
      : config(std::move(cfg)),
        medium(kernel, config.phy),
        propagation(config.propagation, config.seed) {
    hub.kernel = &kernel;
    hub.level = config.log_level;
    hub.capacity = config.log_capacity;
    if (!config.pcap_802154_path.empty() &&
        pcap_802154.open(config.pcap_802154_path, kLinktype802154Tap) != Error::kNone) {
      throw std::runtime_error("cannot create " + config.pcap_802154_path);
    }
    if (!config.pcap_ble_path.empty() &&
        pcap_ble.open(config.pcap_ble_path, kLinktypeBleLlWithPhdr) != Error::kNone) {
      throw std::runtime_error("cannot create " + config.pcap_ble_path);
    }
    medium.setCaptures(&pcap_802154, &pcap_ble);
    medium.setBleCrcCheckedFlag(config.pcap_ble_crc_checked_flag);
  }

  Node& node(NodeId id) {
    if (id >= nodes.size()) throw std::out_of_range("no such node");
    return *nodes[id];
  }
  const Node& node(NodeId id) const {
    if (id >= nodes.size()) throw std::out_of_range("no such node");
    return *nodes[id];
  }

  static void onPowerEvent(void* self, std::uint64_t arg) {
    auto* w = static_cast<Impl*>(self);
    const auto id = static_cast<NodeId>(arg >> 8);
    switch (arg & 0xFF) {
      case kPowerOn:
        w->doPowerOn(w->node(id));
        break;
      case kPowerOff:
        w->doPowerOff(w->node(id));
        break;
      case kReboot:
        w->doPowerOff(w->node(id));
        w->doPowerOn(w->node(id));
        break;
      default:
        break;
    }
  }

  void doPowerOn(Node& n) {
    if (n.powered) return;
    n.powered = true;
    n.clock.reboot(kernel.now());  // the local clock restarts at 0
    n.timers.setClock(n.clock);    // and ends the halt of the last power-off
    if (n.radio) n.radio->powerOn();
    if (n.ble) n.ble->powerOn();
    if (n.factory) {
      n.stacks = n.factory(n.platform);
      for (auto& s : n.stacks) {
        if (s) s->start();
      }
    }
  }

  void doPowerOff(Node& n) {
    if (!n.powered) return;
    n.powered = false;
    // Timers first so nothing fires into a stack being destroyed; radio callbacks off;
    // then the stacks (their destructors may still use the platform); then the radios.
    n.timers.stopAll();
    if (n.radio) n.radio->setClient(nullptr);
    if (n.ble) n.ble->setClient(nullptr);
    n.stacks.clear();
    n.timers.stopAll();
    if (n.radio) n.radio->powerOff();
    if (n.ble) n.ble->powerOff();
  }

  void schedulePower(NodeId id, SimTime at, PowerOp op) {
    (void)node(id);
    kernel.schedule(at, &Impl::onPowerEvent, this, (std::uint64_t{id} << 8) | op);
  }

  static void onJammerStart(void* self, std::uint64_t index) {
    auto* w = static_cast<Impl*>(self);
    const auto& j = w->jammers[static_cast<std::size_t>(index)];
    w->medium.startJammer(w->jammer_senders[static_cast<std::size_t>(index)],
                          static_cast<std::int32_t>(std::lround(j.center_mhz * 1000.0)),
                          j.power_dbm, j.to);
  }

  void registerJammer(std::size_t index) {
    const PendingJammer& j = jammers[index];
    const auto sender = static_cast<std::uint32_t>(nodes.size() + index);
    auto reach =
        propagation.reach(sender, j.position, positions, config.phy.prune_below_dbm - j.power_dbm);
    jammer_senders.push_back(medium.addJammer(std::move(reach)));
    if (j.to > j.from) kernel.schedule(j.from, &Impl::onJammerStart, this, index);
  }

  void finalize() {
    if (finalized) return;
    finalized = true;
    positions.clear();
    positions.reserve(nodes.size());
    for (const auto& n : nodes)
      positions.push_back(n->config.position);
    NeighborTable table = propagation.build(
        positions, config.phy.prune_below_dbm - config.phy.max_tx_power_dbm, &topology);
    medium.setTopology(std::move(table), &propagation, nodes.size());
    for (std::size_t j = 0; j < jammers.size(); ++j)
      registerJammer(j);
  }

  void flushEnergy(const Node& n) {
    if (n.radio) medium.flushEnergy(n.radio->port());
    if (n.ble) medium.flushEnergy(n.ble->port());
  }

  WorldConfig config;
  Kernel kernel;
  LogHub hub;
  PcapWriter pcap_802154;
  PcapWriter pcap_ble;
  Medium medium;
  Propagation propagation;
  TopologyStats topology;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<Vec3> positions;
  std::vector<PendingJammer> jammers;
  std::vector<std::uint32_t> jammer_senders;
  bool finalized = false;
  RadioStats empty_stats{};
  RadioStats combined_scratch{};  ///< radioStats(node): valid until the next call
};

World::World(WorldConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

World::~World() {
  // Stacks go first, while the platform they point into still exists.
  for (auto& n : impl_->nodes) {
    n->timers.stopAll();
    if (n->radio) n->radio->setClient(nullptr);
    if (n->ble) n->ble->setClient(nullptr);
    n->stacks.clear();
  }
  closeCaptures();
}

NodeId World::addNode(const NodeConfig& config) {
  Impl& w = *impl_;
  if (w.finalized) throw std::logic_error("World::addNode after finalizeTopology");
  const auto id = static_cast<NodeId>(w.nodes.size());
  auto node = std::make_unique<Impl::Node>(w, id, config);
  Impl::Node& n = *node;
  n.platform.node_id = id;
  n.platform.timers = &n.timers;
  n.platform.random = &n.stack_rng;
  n.platform.settings = &n.settings;
  n.platform.log = &n.log;
  n.platform.trace = &n.trace;
  if (config.radio802154) {
    n.radio = std::make_unique<SimRadio802154>(w.kernel, w.medium, n.clock,
                                               config.eui64.value_or(defaultEui64(id)));
    n.radio->bindPort(
        w.medium.addPort(id, Phy::k802154, n.radio.get(), &n.phy_rng, &n.radio->stats()));
    n.platform.radio802154 = n.radio.get();
  }
  if (config.ble) {
    n.ble = std::make_unique<SimBleController>(w.kernel, w.medium, n.clock, n.mac_rng,
                                               config.ble_address.value_or(defaultBleAddress(id)));
    n.ble->bindPort(w.medium.addPort(id, Phy::kBle, n.ble.get(), &n.phy_rng, &n.ble->stats()));
    n.platform.ble = n.ble.get();
  }
  w.nodes.push_back(std::move(node));
  return id;
}

std::size_t World::nodeCount() const {
  return impl_->nodes.size();
}

void World::finalizeTopology() {
  impl_->finalize();
}

void World::setStackFactory(NodeId node, StackFactory factory) {
  impl_->node(node).factory = std::move(factory);
}

void World::powerOn(NodeId node, SimTime at) {
  impl_->schedulePower(node, at, kPowerOn);
}
void World::powerOff(NodeId node, SimTime at) {
  impl_->schedulePower(node, at, kPowerOff);
}
void World::reboot(NodeId node, SimTime at) {
  impl_->schedulePower(node, at, kReboot);
}

void World::addJammer(Vec3 position, double center_mhz, double power_dbm, SimTime from,
                      SimTime to) {
  Impl& w = *impl_;
  w.jammers.push_back(Impl::PendingJammer{position, center_mhz, power_dbm, from, to});
  if (w.finalized) w.registerJammer(w.jammers.size() - 1);
}

Kernel& World::kernel() {
  return impl_->kernel;
}
SimTime World::now() const {
  return impl_->kernel.now();
}

void World::runUntil(SimTime end) {
  impl_->finalize();
  impl_->kernel.runUntil(end);
}

const RadioStats& World::radioStats(NodeId node) const {
  Impl::Node& n = impl_->node(node);
  impl_->flushEnergy(n);
  RadioStats& c = impl_->combined_scratch;
  c = RadioStats{};
  for (const RadioStats* sp :
       {n.radio ? &n.radio->stats() : nullptr, n.ble ? &n.ble->stats() : nullptr}) {
    if (sp == nullptr) continue;
    const RadioStats& s = *sp;
    c.tx_frames += s.tx_frames;
    c.rx_ok += s.rx_ok;
    c.rx_lost_collision += s.rx_lost_collision;
    c.rx_lost_noise += s.rx_lost_noise;
    c.rx_missed_busy += s.rx_missed_busy;
    c.rx_aborted += s.rx_aborted;
    c.cca_busy += s.cca_busy;
    for (std::size_t i = 0; i < c.time_in_state.size(); ++i)
      c.time_in_state[i] += s.time_in_state[i];
    c.charge_mc += s.charge_mc;
  }
  return c;
}

const RadioStats& World::radioStats(NodeId node, Phy phy) const {
  Impl::Node& n = impl_->node(node);
  if ((phy == Phy::k802154 && !n.radio) || (phy == Phy::kBle && !n.ble)) return impl_->empty_stats;
  impl_->flushEnergy(n);
  return phy == Phy::k802154 ? n.radio->stats() : n.ble->stats();
}

double World::energyMillijoules(NodeId node) const {
  return radioStats(node).charge_mc * impl_->config.phy.voltage_v;
}

bool World::isPowered(NodeId node) const {
  return impl_->node(node).powered;
}

LocalTime World::localTime(NodeId node) const {
  return impl_->node(node).clock.toLocal(impl_->kernel.now());
}

const std::vector<TraceCount>& World::traceCounters(NodeId node) const {
  return impl_->node(node).trace.counters();
}

void World::setTraceSink(TraceSink sink) {
  impl_->hub.trace_sink = std::move(sink);
}
void World::setLogSink(LogSink sink) {
  impl_->hub.sink = std::move(sink);
}
const std::vector<LogRecord>& World::logRecords() const {
  return impl_->hub.records;
}

MediumSummary World::mediumSummary() const {
  const Impl& w = *impl_;
  MediumSummary s;
  s.prune_below_dbm = w.config.phy.prune_below_dbm;
  s.max_tx_power_dbm = w.config.phy.max_tx_power_dbm;
  s.neighbor_links = w.topology.links;
  s.mean_neighbors =
      w.nodes.empty() ? 0.0
                      : static_cast<double>(w.topology.links) / static_cast<double>(w.nodes.size());
  s.pairs_evaluated = w.topology.pairs_evaluated;
  s.topology_build_seconds = w.topology.build_seconds;
  s.transmissions = w.medium.stats().transmissions;
  s.signal_visits = w.medium.stats().signal_visits;
  s.deliveries = w.medium.stats().deliveries;
  s.medium_bytes = w.medium.memoryBytes();
  return s;
}

platform::Platform& World::platform(NodeId node) {
  return impl_->node(node).platform;
}

const NodeConfig& World::nodeConfig(NodeId node) const {
  return impl_->node(node).config;
}

std::optional<double> World::linkRxPowerDbm(NodeId from, NodeId to) const {
  Impl& w = *impl_;
  (void)w.node(from);
  (void)w.node(to);
  w.finalize();
  // The power at 0 dBm transmit power (the table may hold weaker links when
  // max_tx_power_dbm > 0).
  const auto gain = w.medium.topologyGain(from, to);
  if (!gain) return std::nullopt;
  const double rx = *gain;
  if (rx < w.config.phy.prune_below_dbm) return std::nullopt;
  return rx;
}

void World::closeCaptures() {
  impl_->pcap_802154.close();
  impl_->pcap_ble.close();
}

}  // namespace lpm::sim
