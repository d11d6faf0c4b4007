// IEEE 802.15.4-2015 TSCH MAC as RFC 8180 configures it (§4, §6, §7): scanning and
// joining on Enhanced Beacons, the slotted schedule with channel hopping, exact slot
// timing on the node's drifting clock, frame- and ACK-based synchronisation to the
// time-source neighbour with keep-alives and desynchronisation, shared-cell CSMA-CA
// with retransmissions, the §7.2 queues, the §7.1 neighbour table, EBs, and §4.6
// link-layer security with the three joining key modes.
//
// Duty cycling: the radio sleeps outside active slots, and an idle node does no work in
// slots where it has nothing scheduled: after each active slot the MAC computes the next
// one from the schedule (TschSchedule::nextActive) and arms a single timer for it.
//
// Slot timing (15.4-2015 §6.5.4.2, Figure 6-40a), `start` = the slot's local start:
//  - transmitter: SHR at start + macTsTxOffset (the radio's `at`), with a CCA before it
//    when configured; after the frame the receiver opens at end + macTsRxAckDelay for
//    macTsAckWait (kept open while energy shows an ACK under way, up to macTsMaxAck);
//  - receiver: on at start + macTsRxOffset for macTsRxWait; at the end of that guard it
//    stays on only while energy shows a frame under way (the radio reports frames at
//    their end), up to macTsMaxTx; the ACK's SHR goes out macTsTxAckDelay after the end
//    of the received frame.
// The expected SFD of a frame is start + macTsTxOffset + 160 µs (preamble and SFD);
// its measured SFD minus that is the timing error used for synchronisation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/ieee802154/frame.hpp"
#include "lpmesh/ieee802154/security.hpp"
#include "lpmesh/ieee802154/tsch_config.hpp"
#include "lpmesh/ieee802154/tsch_frames.hpp"
#include "lpmesh/ieee802154/tsch_schedule.hpp"
#include "lpmesh/ieee802154/tsch_upper.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::ieee802154 {

enum class TschState : std::uint8_t {
  kOff,
  kScanning,      ///< listening for EBs (and waiting for NUM_NEIGHBOURS_TO_WAIT)
  kSynchronized,  ///< following the schedule
};

/// Name of a state for traces and logs.
std::string_view tschStateName(TschState s);

/// One entry of the neighbour table (RFC 8180 §7.1) with the MAC's per-neighbour state.
struct TschNeighbor {
  Eui64 address{};
  std::uint32_t num_tx = 0;      ///< transmission attempts to it
  std::uint32_t num_tx_ack = 0;  ///< attempts it acknowledged
  std::uint32_t num_rx = 0;      ///< frames received from it
  std::optional<std::uint64_t> last_rx_asn;
  std::uint16_t routing_metric = 0xffff;  ///< Join Metric of its EBs; 0xffff unknown
  bool time_source = false;
  // 15.4-2015 §6.2.5.3 CSMA-CA state for shared links.
  std::uint8_t be = 0;
  std::uint16_t backoff = 0;                ///< shared links still to skip
  std::optional<std::uint8_t> last_rx_seq;  ///< duplicate detection
  // Queue (indices into the MAC's packet pool).
  std::uint16_t head = 0xffff;
  std::uint16_t tail = 0xffff;
  std::uint8_t queued = 0;
  std::uint8_t upper_queued = 0;
};

class TschMac final : public platform::Radio802154Client {
 public:
  /// `platform` must outlive the MAC and have an 802.15.4 radio, timers and a random
  /// source; `upper` must outlive it too.
  TschMac(platform::Platform& platform, const TschConfig& config, TschUpperLayer& upper);
  ~TschMac() override;
  TschMac(const TschMac&) = delete;
  TschMac& operator=(const TschMac&) = delete;

  /// Takes the radio: the coordinator starts the network at ASN 0, others scan.
  void start();
  /// Releases the radio and stops every timer; queued packets are dropped.
  void stop();

  /// Queues an upper-layer frame to `dest` (acknowledged, retried) or to everyone
  /// (empty `dest`: broadcast, sent once). Returns a handle for onSendDone.
  /// kInvalidState unless synchronised, kTooLong when the payload does not fit a frame,
  /// kNoBufs when the queue (or the neighbour's share, §7.2) is full.
  Result<std::uint32_t> send(const std::optional<Eui64>& dest, ByteSpan payload);

  /// Installs K1 and/or K2 learnt in a key distribution phase (RFC 8180 §4.6).
  Error installKeys(std::optional<crypto::Key128> k1, std::optional<crypto::Key128> k2);
  LinkSecurity& security() { return security_; }

  TschState state() const { return state_; }
  bool isSynchronized() const { return state_ == TschState::kSynchronized; }
  bool isCoordinator() const { return config_.coordinator; }
  /// The ASN of the slot under way now (meaningful when synchronised).
  std::uint64_t currentAsn() const;
  /// The local time slot `asn` starts (meaningful when synchronised).
  LocalTime slotStart(std::uint64_t asn) const;
  /// The time-source neighbour's address, when synchronised to one.
  std::optional<Eui64> timeSource() const;
  /// RFC 8180 §6.2: makes neighbour `address` the time source while synchronised (the
  /// routing layer follows its preferred parent). kInvalidState unless synchronised or
  /// on the coordinator, kNoBufs when the neighbour table has no room for it.
  Error setTimeSource(const Eui64& address);
  /// The learnt rate of this node's clock against the time source's, parts per billion
  /// (adaptive timesync): negative when this clock runs slow.
  std::int64_t driftEstimatePpb() const { return drift_ppb_; }
  Eui64 address() const { return self_; }
  const TschStats& stats() const { return stats_; }
  const TschSchedule& schedule() const { return schedule_; }
  /// The schedule, for a scheduling function or routing layer to add cells.
  TschSchedule& mutableSchedule() { return schedule_; }
  const std::vector<TschNeighbor>& neighbors() const { return neighbors_; }
  const TschNeighbor* findNeighbor(const Eui64& address) const;
  const TimeslotTiming& timing() const { return timing_; }
  std::span<const std::uint8_t> hoppingSequence() const { return hopping_; }
  const TschConfig& config() const { return config_; }
  /// Largest upper-layer payload a frame to `dest` can carry.
  std::size_t maxPayload(bool broadcast) const;
  /// The queue was changed from outside (schedule edited): recompute the next slot.
  void reschedule();

  // platform::Radio802154Client
  void onTxDone(platform::TxStatus status, LocalTime sfd_time) override;
  void onRx(const platform::Rx802154& frame) override;

 private:
  static constexpr std::uint16_t kNoIndex = 0xffff;

  enum class Phase : std::uint8_t {
    kIdle,          ///< asleep until the slot timer
    kRxWaitStart,   ///< woke before macTsRxOffset
    kRxListen,      ///< receiver on for the guard time
    kRxExtended,    ///< guard over, a frame seems under way
    kTx,            ///< frame handed to the radio
    kAckWaitStart,  ///< frame sent, waiting for macTsRxAckDelay
    kAckListen,
    kAckExtended,
    kAckTx,  ///< sending our ACK
  };

  struct Packet {
    std::uint16_t next = kNoIndex;
    std::uint16_t neighbor = kNoIndex;  ///< kNoIndex: broadcast queue
    bool in_use = false;
    bool keep_alive = false;
    std::uint8_t attempts = 0;
    std::uint8_t seq = 0;
    std::uint8_t len = 0;
    std::uint32_t handle = 0;
    std::uint64_t order = 0;
    std::array<std::uint8_t, platform::k802154MaxMpdu> payload{};
  };

  struct Queue {
    std::uint16_t head = kNoIndex;
    std::uint16_t tail = kNoIndex;
    std::uint8_t queued = 0;
  };

  /// What the current (or next) active slot does.
  struct Slot {
    std::uint64_t asn = 0;
    LocalTime start{};
    TschLink link;
    std::uint8_t channel = 11;
    std::uint16_t packet = kNoIndex;
    bool eb = false;
    bool secured = false;  ///< the frame we sent was secured
    std::uint8_t seq = 0;
    Eui64 peer{};  ///< destination of our unicast
    LocalTime tx_end{};
  };

  // --- state changes ---
  void startCoordinator();
  void startScanning();
  void syncTo(std::size_t candidate);
  void desynchronize();
  void decideTimeSource(bool timeout);

  // --- timers ---
  void onSlotTimer();
  void onEbTimer();
  void onScanTimer();
  void onJoinTimer();
  void armEbTimer(bool first);

  // --- slots ---
  void scheduleNext(std::uint64_t from_asn);
  void beginSlot();
  void endSlot();
  void housekeeping();
  Duration wakeOffset() const;
  bool linkWanted(const TschLink& link) const;
  std::uint16_t selectPacket(const TschLink& link, bool& eb) const;
  void decrementBackoffs(const TschLink& link, std::uint16_t chosen_neighbor);
  bool transmitSlotFrame();
  void startAckListen();
  void handleSlotRx(const platform::Rx802154& rx);
  void handleAck(const platform::Rx802154& rx);
  void handleScanRx(const platform::Rx802154& rx);
  void sendAck(const Frame& rx_frame, const Eui64& to, const platform::Rx802154& rx,
               bool secure_it);
  void applyCorrection(std::int64_t correction_ns);
  void resetTimesync(std::uint64_t asn);

  // --- queues ---
  Result<std::uint16_t> allocPacket(bool mac_generated);
  void enqueue(std::uint16_t index);
  void finishPacket(std::uint16_t index, Error status);
  void txSucceeded();
  void txFailed();
  void flushQueues();
  bool upperLimitReached(const TschNeighbor& n) const;

  // --- neighbours ---
  std::uint16_t neighborIndex(const Eui64& address) const;
  std::uint16_t touchNeighbor(const Eui64& address);

  // --- helpers ---
  void trace(platform::TraceKind kind, std::string_view reason, std::int64_t value = 1) const;
  void drop(std::string_view reason, std::uint64_t& counter);
  void setState(TschState s);
  std::uint64_t asnAt(LocalTime t) const;
  Duration slotLength() const { return micros(timing_.timeslot_length); }
  std::optional<AuxSecurityHeader> outgoingSecurity(FrameType type, const Eui64* dest) const;
  Result<std::size_t> encodeSecured(const Frame& plain, std::uint64_t asn);
  void installConfiguredKeys();

  platform::Platform& p_;
  platform::Radio802154& radio_;
  platform::Timers& timers_;
  TschConfig config_;
  TschUpperLayer& upper_;
  Eui64 self_;
  LinkSecurity security_;
  TschState state_ = TschState::kOff;
  TschStats stats_;

  // Adopted configuration.
  TschSchedule schedule_;
  TimeslotTiming timing_;
  std::vector<std::uint8_t> hopping_;
  EbContent eb_template_;  ///< timeslot, hopping and slotframe IEs we announce / adopted

  // Timekeeping: slot `ref_asn_` starts at `ref_time_`; slots last slotLength() x
  // (1 + drift_ppb_ / 1e9) local time.
  std::uint64_t ref_asn_ = 0;
  LocalTime ref_time_{};
  std::int64_t drift_ppb_ = 0;
  std::uint64_t last_corr_asn_ = 0;  ///< slot of the last correction (rate measurements)
  bool rate_anchor_valid_ = false;   ///< last_corr_asn_ may start a rate measurement
  bool offset_whole_next_ = true;    ///< apply the next correction whole
  std::uint32_t rate_updates_ = 0;
  std::int64_t residual_ns_ = 0;                  ///< part of the last correction left unapplied
  std::array<std::int64_t, 3> recent_corr_ns_{};  ///< magnitudes of the last corrections
  std::uint32_t corr_count_ = 0;
  bool drift_learnt_ = false;        ///< drift estimate converged (see drift_converged_below)
  std::uint64_t last_sync_asn_ = 0;  ///< last synchronisation on the time source
  std::uint64_t joined_asn_ = 0;
  std::uint64_t min_next_asn_ = 0;  ///< slots before it were already begun
  LocalTime synced_at_{};
  std::uint16_t time_source_ = kNoIndex;

  // Slot machine.
  Phase phase_ = Phase::kIdle;
  Slot slot_;
  std::array<std::uint8_t, platform::k802154MaxMpdu> tx_buf_{};

  // Queues and neighbours.
  std::vector<Packet> pool_;
  Queue broadcast_;
  std::vector<TschNeighbor> neighbors_;
  bool eb_pending_ = false;
  std::size_t packets_queued_ = 0;  ///< in every queue
  std::uint64_t next_order_ = 0;
  std::uint32_t next_handle_ = 1;
  std::uint8_t dsn_ = 0;
  std::uint8_t ebsn_ = 0;

  // Joining.
  std::vector<TschCandidate> candidates_;
  std::optional<Eui64> pending_target_;
  std::uint8_t scan_channel_ = 11;

  platform::Timer slot_timer_{this, &platform::Timer::thunk<&TschMac::onSlotTimer>};
  platform::Timer eb_timer_{this, &platform::Timer::thunk<&TschMac::onEbTimer>};
  platform::Timer scan_timer_{this, &platform::Timer::thunk<&TschMac::onScanTimer>};
  platform::Timer join_timer_{this, &platform::Timer::thunk<&TschMac::onJoinTimer>};
};

}  // namespace lpm::ieee802154
