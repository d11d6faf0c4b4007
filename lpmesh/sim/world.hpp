// A simulated world: the kernel, the shared 2.4 GHz medium, and the nodes with their
// platform implementations (issue #2 §3-§4). The scenario layer builds one from YAML;
// tests and benchmarks build them directly.
//
// Use: addNode() for every node, finalizeTopology() (builds the static neighbour lists;
// runUntil() does it if needed), setStackFactory() / powerOn() per node, addJammer()
// at any time, runUntil(). Node ids are 0..N-1 in the order of addNode(). Models and
// their numbers: medium.hpp (reception), phy_model.hpp (PHYs, spectrum, BER),
// propagation.hpp, radio_802154.hpp, ble_controller.hpp, pcap.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/platform/platform.hpp"
#include "lpmesh/sim/kernel.hpp"
#include "lpmesh/sim/node_log.hpp"
#include "lpmesh/sim/phy_model.hpp"

namespace lpm::sim {

struct Vec3 {
  double x = 0, y = 0, z = 0;
};

enum class PropagationKind : std::uint8_t {
  kUnitDisk,     ///< full power inside `range_m`, nothing outside
  kLogDistance,  ///< PL(d) = pl_d0 + 10 n log10(d / d0) + X_sigma (per link, symmetric, seeded)
  kLinkTable,    ///< explicit per directed pair, from CSV (path loss dB or PRR)
};

struct LinkTableEntry {
  NodeId from = 0;
  NodeId to = 0;
  std::optional<double> path_loss_db;  ///< one of the two is set
  std::optional<double> prr;           ///< 0..1: frame delivered with this probability
};

struct PropagationConfig {
  PropagationKind kind = PropagationKind::kLogDistance;
  double range_m = 30.0;            ///< unit disk
  double unit_disk_rx_dbm = -60.0;  ///< received power inside the disk
  double pl_d0_db = 40.0;           ///< path loss at d0 (≈ free space at 1 m, 2.4 GHz)
  double d0_m = 1.0;
  double exponent = 3.0;
  double shadowing_sigma_db = 4.0;
  std::vector<LinkTableEntry> links;  ///< kLinkTable; missing pairs cannot hear each other
};

struct PhyConfig {
  double noise_figure_db = 6.0;            ///< added to kTB thermal noise
  double sensitivity_802154_dbm = -100.0;  ///< below: not even detected
  double sensitivity_ble_dbm = -95.0;
  double capture_threshold_db = 3.0;  ///< SINR margin for the first frame to survive
  /// Signals weaker than this are not delivered to a receiver at all, not even as
  /// interference: the explicit pruning threshold (issue #2: reported in the summary).
  double prune_below_dbm = -110.0;
  std::int8_t cca_threshold_dbm = -75;
  /// Transmit power the neighbour lists are built for: they keep every receiver that
  /// sees a signal of this power at or above prune_below_dbm. A louder transmission is
  /// not clamped, but reaches only those receivers, so its effective pruning threshold
  /// is prune_below_dbm + (tx power - this). 0 dBm is the default output power of
  /// OpenThread and Zephyr's BLE controller; raise it for louder nodes (memory and
  /// per-frame work grow with the neighbour count).
  double max_tx_power_dbm = 0.0;
  /// Currents (mA) at the supply voltage, for energy accounting.
  double voltage_v = 3.0;
  double current_tx_ma = 8.7, current_rx_ma = 7.9, current_sleep_ma = 0.0013, current_off_ma = 0.0;
};

enum class RadioState : std::uint8_t { kOff, kSleep, kRx, kTx };

/// Per-node counters kept by the simulator (not by stacks).
struct RadioStats {
  std::uint64_t tx_frames = 0;
  std::uint64_t rx_ok = 0;              ///< delivered to the stack
  std::uint64_t rx_lost_collision = 0;  ///< failed with interference present
  std::uint64_t rx_lost_noise = 0;      ///< failed with noise alone (bit errors)
  std::uint64_t rx_missed_busy = 0;     ///< arrived while transmitting / locked on another frame
  /// Reception cut short: the receiver retuned, slept or started to transmit, or the
  /// sender stopped mid-frame.
  std::uint64_t rx_aborted = 0;
  std::uint64_t cca_busy = 0;
  std::array<Duration, 4> time_in_state{};  ///< by RadioState
  double charge_mc = 0.0;                   ///< millicoulombs
};

struct NodeConfig {
  Vec3 position;
  double drift_ppm = 0.0;
  bool radio802154 = true;
  bool ble = false;
  std::optional<Eui64> eui64;  ///< default derived from the node id
  std::optional<BleAddress> ble_address;
};

struct WorldConfig {
  std::uint64_t seed = 1;
  PropagationConfig propagation;
  PhyConfig phy;
  std::string pcap_802154_path;  ///< empty = no capture
  std::string pcap_ble_path;     ///< empty = no capture
  /// Mark BLE captures "CRC checked and valid" in the pseudo-header; false lets the
  /// reader compute the CRC-24 itself (tests use that to verify ours).
  bool pcap_ble_crc_checked_flag = true;
  platform::LogLevel log_level = platform::LogLevel::kWarn;
  std::size_t log_capacity = 100'000;  ///< records kept in memory when no log sink is set
};

/// Medium-wide figures for summaries: the pruning threshold and its effect are explicit.
struct MediumSummary {
  double prune_below_dbm = 0.0;      ///< signals weaker than this are ignored entirely
  double max_tx_power_dbm = 0.0;     ///< neighbour lists are built for this transmit power
  std::uint64_t neighbor_links = 0;  ///< directed node pairs kept
  double mean_neighbors = 0.0;       ///< links per node
  std::uint64_t pairs_evaluated = 0;
  double topology_build_seconds = 0.0;  ///< wall time (not deterministic)
  std::uint64_t transmissions = 0;      ///< frames put on air (both PHYs, no jammers)
  std::uint64_t signal_visits = 0;      ///< (transmission, listening radio) pairs evaluated
  std::uint64_t deliveries = 0;         ///< frames delivered to a radio
  std::size_t medium_bytes = 0;         ///< memory held by the medium (approximate)
};

/// Builds the stack(s) of a node, at power-on and after every reboot.
using StackFactory =
    std::function<std::vector<std::unique_ptr<platform::Stack>>(platform::Platform&)>;

class World {
 public:
  explicit World(WorldConfig config);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  NodeId addNode(const NodeConfig& config);
  std::size_t nodeCount() const;
  /// Called once all nodes are added (builds neighbour sets), before the first run;
  /// runUntil() calls it if needed. No node may be added afterwards.
  void finalizeTopology();

  void setStackFactory(NodeId node, StackFactory factory);
  /// Powers the node on at `at`: a fresh stack instance from its factory.
  void powerOn(NodeId node, SimTime at);
  /// Powers the node off at `at`: stacks destroyed, radio off, timers cancelled.
  void powerOff(NodeId node, SimTime at);
  /// Off then on at `at`: everything but platform Settings is lost.
  void reboot(NodeId node, SimTime at);

  /// A jammer: continuous transmission on `center_mhz` (2 MHz wide) from `position`.
  /// May be added before or after finalizeTopology().
  void addJammer(Vec3 position, double center_mhz, double power_dbm, SimTime from, SimTime to);

  Kernel& kernel();
  SimTime now() const;
  void runUntil(SimTime end);

  /// Counters of both radios of the node added together; time_in_state and charge are
  /// summed over its radios (each radio's time in states sums to the run time). The
  /// reference is valid until the next call of this overload.
  const RadioStats& radioStats(NodeId node) const;
  /// Counters of one radio of the node (zeros if it has no such radio).
  const RadioStats& radioStats(NodeId node, Phy phy) const;
  /// Charge × supply voltage, millijoules, both radios.
  double energyMillijoules(NodeId node) const;
  bool isPowered(NodeId node) const;
  /// The node's local clock now.
  LocalTime localTime(NodeId node) const;
  /// Trace counters of a node, sorted by (layer, kind, reason); kept across reboots.
  const std::vector<TraceCount>& traceCounters(NodeId node) const;
  /// Observes every trace event of every node as it happens.
  void setTraceSink(TraceSink sink);
  /// Receives every log record at or above the configured level (instead of the list).
  void setLogSink(LogSink sink);
  const std::vector<LogRecord>& logRecords() const;
  MediumSummary mediumSummary() const;
  platform::Platform& platform(NodeId node);
  const NodeConfig& nodeConfig(NodeId node) const;

  /// Received power (dBm) from `from` at `to` on the 802.15.4 band, including shadowing;
  /// nullopt when below the pruning threshold / no link.
  std::optional<double> linkRxPowerDbm(NodeId from, NodeId to) const;

  /// Flushes and closes captures.
  void closeCaptures();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lpm::sim
