// The shared 2.4 GHz medium: transmissions, listeners, SINR over each frame, bit errors,
// capture, half-duplex, energy-detect, radio-state energy accounting and the captures
// (issue #2 §3 "Reception", "Radio states", "Cost").
//
// A *port* is one radio of one node (its 802.15.4 radio or its BLE radio). The radio
// implementations (radio_802154.hpp, ble_controller.hpp) drive their port through this
// class and are called back through PortClient.
//
// Reception model:
//  - A port listening on a channel locks onto the first frame of its own PHY and
//    channel whose preamble it hears: power >= sensitivity and signal-to-interference
//    ratio at that moment >= capture_threshold_db. Frames already on air when it
//    started listening are never received (only counted as interference).
//  - Every other overlapping signal is interference, weighted by the spectral overlap
//    factor (phy_model.hpp). The frame is cut into segments at every change of the
//    interference; in each segment SINR = S / (N + ΣI), N = kTB + noise figure. The
//    locked frame is lost to collision if in any segment S/ΣI < capture_threshold_db
//    (stronger-first capture; two equal-power frames are both lost). Otherwise each
//    payload segment contributes (1 - BER(SINR))^bits (802.15.4 payload = PSDU bits;
//    BLE = header + payload + CRC bits) and one uniform draw from the receiving node's
//    RngStream::kPhy stream decides the frame. There is no re-synchronisation on a
//    later, stronger frame.
//  - A failed frame counts as lost to collision if interference was present during it,
//    else as lost to noise. Frames arriving while the port transmits, prepares to
//    transmit, or is locked on another frame count as missed (busy).
//  - Half-duplex: a transmitting port hears nothing; starting to transmit aborts a
//    reception (rx_aborted).
//  - The two radios of one node do not interfere with each other (no self-link).
//  - Cost: a transmission visits only its sender's neighbour list (receivers within the
//    pruning threshold, built once) and, of those, only ports tuned to a channel where
//    the weighted power reaches prune_below_dbm. No heap allocation per frame in steady
//    state: transmission records are pooled, with the PSDU stored inline.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/sim/kernel.hpp"
#include "lpmesh/sim/pcap.hpp"
#include "lpmesh/sim/phy_model.hpp"
#include "lpmesh/sim/propagation.hpp"
#include "lpmesh/sim/world.hpp"

namespace lpm::sim {

inline constexpr std::uint32_t kNoPort = 0xFFFFFFFFu;
/// Largest frame kept inline: an 802.15.4 PSDU (127); BLE legacy PDUs are <= 42 with CRC.
inline constexpr std::size_t kMaxFrameBytes = 127;
/// Time from the SHR start to the end of the SFD (preamble 4 + SFD 1 bytes).
inline constexpr Duration k802154SfdEnd = micros(160);
/// Time before the first payload bit: 802.15.4 SHR + PHR (6 bytes); BLE preamble + AA.
inline constexpr Duration kSync802154 = micros(192);
inline constexpr Duration kSyncBle = micros(40);

/// One transmission on the medium (pooled).
struct TxRecord {
  std::uint64_t seq = 0;     ///< global order of transmission starts
  std::uint32_t sender = 0;  ///< node id, or node count + jammer index
  std::uint32_t sender_port = kNoPort;
  SignalKind kind = SignalKind::k802154;
  std::uint8_t channel = 0;  ///< 802.15.4 channel 11..26, BLE RF channel 0..39
  std::int32_t freq_khz = 0;
  double tx_dbm = 0.0;
  SimTime start{};
  SimTime payload_start{};
  SimTime end{};
  std::optional<std::uint64_t> asn;  ///< recorded in the capture only
  std::uint16_t len = 0;             ///< bytes in `data`
  /// 802.15.4: PSDU (MPDU + FCS). BLE: PDU header + payload + CRC-24.
  std::array<std::uint8_t, kMaxFrameBytes> data{};
  // --- medium bookkeeping ---
  std::uint32_t pool_index = 0;
  std::uint32_t active_index = 0;
  bool active = false;
  EventId end_event{};
  /// Ports that took this signal into their interference list (may hold stale entries).
  std::vector<std::uint32_t> engaged;

  std::span<const std::uint8_t> bytes() const { return {data.data(), len}; }
};

/// What the receiver measured for a delivered frame.
struct RxMeasure {
  double rssi_dbm = 0.0;     ///< received signal power
  double min_sinr_db = 0.0;  ///< lowest SINR over the frame (LQI)
};

/// The radio implementation that owns a port.
class PortClient {
 public:
  virtual ~PortClient() = default;
  /// A frame was received correctly; called at its end. `tx` is valid during the call.
  virtual void onFrameReceived(const TxRecord& tx, const RxMeasure& measure) = 0;
  /// This port's transmission ended (fully sent, or aborted when `aborted`).
  virtual void onTransmitEnd(const TxRecord& tx, bool aborted) = 0;
};

/// Medium-wide counters for summaries.
struct MediumStats {
  std::uint64_t transmissions = 0;
  std::uint64_t signal_visits = 0;  ///< (transmission, port) pairs engaged
  std::uint64_t deliveries = 0;
};

class Medium {
 public:
  Medium(Kernel& kernel, const PhyConfig& phy);
  ~Medium();
  Medium(const Medium&) = delete;
  Medium& operator=(const Medium&) = delete;

  /// Registers a radio of `node`. `stats` and `phy_rng` outlive the medium's use.
  std::uint32_t addPort(NodeId node, Phy phy, PortClient* client, Rng* phy_rng, RadioStats* stats);
  void setPortClient(std::uint32_t port, PortClient* client);
  /// Installs the static topology (after every node's ports exist).
  void setTopology(NeighborTable table, const Propagation* propagation, std::size_t node_count);
  void setCaptures(PcapWriter* pcap_802154, PcapWriter* pcap_ble);
  void setBleCrcCheckedFlag(bool on) { ble_crc_flag_ = on; }

  // --- port state ---
  /// Receiver on at `freq_khz` (state kRx). `lockable` false: the receiver measures
  /// energy but takes no frame (CCA, turnaround, energy detect). Changing frequency or
  /// becoming unlockable aborts a reception in progress.
  void listen(std::uint32_t port, std::int32_t freq_khz, bool lockable);
  /// Radio on (charged as kRx) but taking and measuring nothing: a synthesizer
  /// re-tuning between the PDUs of an advertising event. Cheaper than listen().
  void holdRx(std::uint32_t port);
  /// Receiver off: kSleep or kOff. Aborts a reception; a transmission must have ended.
  void stopListening(std::uint32_t port, RadioState state);
  RadioState state(std::uint32_t port) const { return ports_[port].state; }

  /// A record to fill (kind, channel, freq_khz, tx_dbm, len, data, asn) before startTx.
  TxRecord& allocTx();
  /// Returns a record that was allocated but never put on air.
  void releaseTx(TxRecord& rec);
  /// Puts `rec` on air now from `port` (state kTx until its end). The medium sets the
  /// times, writes the capture, and calls the port's onTransmitEnd at the end.
  void startTx(std::uint32_t port, TxRecord& rec);
  /// Cuts the port's ongoing transmission short now (power off / sleep).
  void abortTx(std::uint32_t port);
  bool isTransmitting(std::uint32_t port) const { return ports_[port].tx != nullptr; }

  /// Registers a jammer: returns its sender id (node count + index); `reach` = the
  /// nodes it reaches and the gains, sorted by node id.
  std::uint32_t addJammer(std::vector<Neighbor> reach);
  /// The jammer `sender` transmits on `freq_khz` from now until `until`.
  void startJammer(std::uint32_t sender, std::int32_t freq_khz, double power_dbm, SimTime until);

  // --- energy detection ---
  /// Energy in the port's receive channel (signals + noise), dBm; the port must listen.
  double energyDbm(std::uint32_t port) const;
  /// Starts tracking the highest energy; returns nothing.
  void beginEnergyMeasure(std::uint32_t port);
  /// Highest energy (signals + noise, dBm) since beginEnergyMeasure; stops tracking.
  double endEnergyMeasure(std::uint32_t port);

  /// Brings the port's time-in-state and charge up to now.
  void flushEnergy(std::uint32_t port);

  const PhyConfig& phy() const { return phy_; }
  const MediumStats& stats() const { return stats_; }
  double noiseMw(Phy phy) const { return noise_mw_[static_cast<std::size_t>(phy)]; }
  std::size_t activeCount() const { return active_.size(); }
  std::size_t poolSize() const { return pool_.size(); }
  std::size_t memoryBytes() const;
  NodeId portNode(std::uint32_t port) const { return ports_[port].node; }
  /// Gain of the static link from node `from` to node `to`, if they are neighbours.
  std::optional<double> topologyGain(NodeId from, NodeId to) const { return table_.find(from, to); }

 private:
  struct Incoming {
    TxRecord* tx;
    double mw;  ///< power after the overlap factor
  };
  struct Reception {
    TxRecord* tx = nullptr;
    double signal_mw = 0.0;
    double rssi_dbm = 0.0;
    SimTime seg_start{};
    double log_psr = 0.0;
    double min_sinr_db = 1e9;
    bool interfered = false;
    bool collided = false;
  };
  struct Port {
    NodeId node = 0;
    Phy phy = Phy::k802154;
    RadioState state = RadioState::kOff;
    bool lockable = false;
    bool measuring = false;
    std::int32_t freq_khz = 0;  ///< listening or transmitting frequency; 0 = none
    PortClient* client = nullptr;
    Rng* rng = nullptr;
    RadioStats* stats = nullptr;
    SimTime state_since{};
    TxRecord* tx = nullptr;  ///< own transmission on air
    Reception rx;
    double interference_mw = 0.0;  ///< Σ incoming excluding the locked frame
    double ed_max_mw = 0.0;
    TxRecord* pending_delivery = nullptr;
    RxMeasure pending_measure;
    std::vector<Incoming> incoming;
  };

  static void onTxEndEvent(void* self, std::uint64_t pool_index);
  void endTx(TxRecord& rec, bool aborted);
  void setState(Port& p, RadioState s);
  void addSignal(std::uint32_t pi, TxRecord& rec, double rx_dbm, double mw, bool may_lock);
  void removeSignal(std::uint32_t pi, TxRecord& rec, bool aborted);
  void closeSegment(Port& p, SimTime t);
  void recomputeInterference(Port& p);
  void abortReception(Port& p);
  void clearIncoming(Port& p);
  void rebuildIncoming(std::uint32_t pi);
  double overlapDb(Phy rx, SignalKind tx, std::int32_t delta_khz) const;
  NeighborList reachOf(std::uint32_t sender) const;
  std::optional<double> gainFrom(std::uint32_t sender, NodeId node) const;
  void engage(TxRecord& rec, bool may_lock);
  double sensitivityDbm(Phy phy) const;
  double totalIncomingMw(const Port& p) const;
  void capture(const TxRecord& rec);

  Kernel& kernel_;
  PhyConfig phy_;
  std::array<double, kPhyCount> noise_mw_{};
  double capture_ratio_ = 1.0;
  std::vector<Port> ports_;
  /// ports_by_node_[node * 2 + phy], kNoPort when absent.
  std::vector<std::uint32_t> ports_by_node_;
  NeighborTable table_;
  const Propagation* propagation_ = nullptr;
  std::size_t node_count_ = 0;
  std::vector<NeighborTable> jammer_reach_;  ///< one single-sender table per jammer
  std::vector<std::unique_ptr<TxRecord>> pool_;
  std::vector<std::uint32_t> free_;
  std::vector<TxRecord*> active_;
  std::uint64_t next_seq_ = 0;
  /// Overlap factor (dB) for integer-MHz centre spacings 0..80, by [rx phy][signal kind].
  std::array<std::array<std::array<double, 81>, 3>, kPhyCount> overlap_db_{};
  PcapWriter* pcap_802154_ = nullptr;
  PcapWriter* pcap_ble_ = nullptr;
  bool ble_crc_flag_ = true;
  MediumStats stats_;
};

}  // namespace lpm::sim
