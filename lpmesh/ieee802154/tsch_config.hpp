// TSCH MAC parameters (RFC 8180 Figure 1 and Figure 5, 15.4-2015 §8.4.3.3) and the
// MAC's statistics. Every tunable has its specification default; a scenario can set all
// of them (lpmesh/scenario/tsch_kind.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/ieee802154/hopping.hpp"
#include "lpmesh/ieee802154/ie.hpp"
#include "lpmesh/ieee802154/security.hpp"
#include "lpmesh/ieee802154/tsch_schedule.hpp"

namespace lpm::ieee802154 {

/// The two RFC 8180 §4.6 keys as Contiki-NG pre-configures them (tsch-security.h): K1
/// = ASCII "6TiSCH minimal15", key index 1; K2 = deadbeeffacecafe x2, key index 2.
inline constexpr crypto::Key128 kDefaultK1 = {0x36, 0x54, 0x69, 0x53, 0x43, 0x48, 0x20, 0x6d,
                                              0x69, 0x6e, 0x69, 0x6d, 0x61, 0x6c, 0x31, 0x35};
inline constexpr crypto::Key128 kDefaultK2 = {0xde, 0xad, 0xbe, 0xef, 0xfa, 0xce, 0xca, 0xfe,
                                              0xde, 0xad, 0xbe, 0xef, 0xfa, 0xce, 0xca, 0xfe};

struct TschSecurityConfig {
  /// Frames are secured with the keys the node has (§4.6); false: nothing is secured
  /// and secured frames are dropped.
  bool enabled = false;
  JoinKeyMode join_mode = JoinKeyMode::kK1K2;
  crypto::Key128 k1 = kDefaultK1;
  crypto::Key128 k2 = kDefaultK2;
  std::uint8_t k1_index = 1;
  std::uint8_t k2_index = 2;
  SecurityLevel eb_level = SecurityLevel::kMic32;       ///< RFC 8180 §4.6: EBs MIC only
  SecurityLevel data_level = SecurityLevel::kEncMic32;  ///< data and ACK frames
};

struct TschConfig {
  /// The PAN coordinator: synchronised from the start, ASN 0, join metric 0.
  bool coordinator = false;
  std::uint16_t pan_id = 0xabcd;
  std::int8_t tx_power_dbm = 0;

  // --- schedule, timing and hopping (announced in EBs) ---
  /// Slotframe size of the RFC 8180 §4.1 minimal schedule: used by the coordinator, and
  /// by a joining node whose EB carries no Slotframe and Link IE.
  std::uint16_t slotframe_length = 101;
  /// Extra schedule of the coordinator (replaces the minimal one when set).
  std::optional<TschSchedule> schedule;
  std::uint8_t timeslot_template_id = 0;
  TimeslotTiming timing = kDefaultTimeslotTiming;
  /// Announce the timing in the full Timeslot IE (always done for a template id != 0).
  bool eb_full_timeslot = false;
  std::uint8_t hopping_sequence_id = 0;
  std::vector<std::uint8_t> hopping_sequence{kDefaultHoppingSequence.begin(),
                                             kDefaultHoppingSequence.end()};
  /// Announce the sequence in the full Channel Hopping IE (always done for an id != 0).
  bool eb_full_hopping = false;
  /// RFC 8180 §4.5.2 lists it; Contiki-NG omits it by default.
  bool eb_slotframe_link_ie = true;
  /// Put our extended address in Enhanced ACKs (RFC 8180 A.3 has none); lets a capture
  /// reader verify secured ACKs without knowing who sent them.
  bool eack_source_address = false;

  // --- RFC 8180 Figure 5 and timers ---
  Duration eb_period = seconds(16);          ///< EB_PERIOD (Contiki-NG TSCH_EB_PERIOD)
  Duration max_eb_delay = seconds(180);      ///< MAX_EB_DELAY
  std::uint32_t num_neighbours_to_wait = 2;  ///< NUM_NEIGHBOURS_TO_WAIT
  std::uint32_t num_upperlayer_packets = 1;  ///< NUM_UPPERLAYER_PACKETS (during join)
  Duration max_join_time = seconds(300);     ///< MAX_JOIN_TIME
  /// Keep-alive to the time source after this long without synchronising on it
  /// (Contiki-NG TSCH_KEEPALIVE_TIMEOUT 12 s).
  Duration ka_period = seconds(12);
  /// Keep-alive period once the drift against the time source is learnt and compensated
  /// (Contiki-NG TSCH_MAX_KEEPALIVE_TIMEOUT); used only with adaptive_timesync.
  Duration ka_period_compensated = seconds(60);
  /// Desynchronised after this long without synchronising on the time source
  /// (Contiki-NG TSCH_DESYNC_THRESHOLD: 2 x its 60 s longest keep-alive period).
  Duration desync_timeout = seconds(120);
  /// Scanning: time on one channel before moving to another.
  Duration scan_dwell = seconds(1);
  /// A time-source candidate's EB older than this is not used to synchronise: the node
  /// waits for that neighbour's next EB (the drift since could exceed the guard time).
  Duration sync_ref_max_age = seconds(4);

  // --- medium access (15.4-2015 §6.2.5.3, RFC 8180 §4.3) ---
  std::uint8_t min_be = 1;             ///< macMinBe (TSCH)
  std::uint8_t max_be = 7;             ///< macMaxBe (TSCH; Contiki-NG uses 5)
  std::uint8_t max_frame_retries = 3;  ///< RFC 8180 §4.3: 4 transmission attempts
  bool cca = false;                    ///< CCA at macTsCcaOffset before sending
  /// Energy above this at the end of a receive guard means a frame is under way: the
  /// receiver stays on for it (the radio reports frames only at their end).
  std::int8_t rx_detect_dbm = -100;

  // --- bounded resources ---
  std::size_t queue_capacity = 8;      ///< packets queued in total (EB not counted)
  std::size_t per_neighbor_queue = 4;  ///< upper-layer packets per neighbour after join
  std::size_t max_neighbors = 16;
  std::size_t max_candidates = 8;  ///< EB senders remembered while joining
  std::size_t max_slotframes = 4;
  std::size_t max_links = 32;

  // --- synchronisation ---
  /// Learn the drift against the time source and compensate it (as Contiki-NG's
  /// adaptive timesync); corrections then stay small between keep-alives.
  bool adaptive_timesync = true;
  /// Share of a measured timing error applied to the slot reference (the first one after
  /// joining is applied whole). Below 1 the loop low-passes its time source's jitter, so
  /// errors do not grow down a deep time-source tree.
  double timesync_offset_gain = 0.8;
  /// Share of the measured rate error folded into the drift estimate per correction
  /// (the first estimate is taken whole).
  double timesync_rate_gain = 0.08;
  /// Shortest span between two corrections that gives a rate measurement.
  Duration drift_min_interval = seconds(4);
  /// The drift counts as learnt (compensated keep-alive period) once the last three
  /// corrections were all smaller than this.
  Duration drift_converged_below = micros(100);

  TschSecurityConfig security;
};

/// MAC counters and measurements of one node (survive desynchronisation, not reboots).
struct TschStats {
  // Joining.
  std::uint32_t syncs = 0;                    ///< times the node became synchronised
  std::uint32_t desyncs = 0;                  ///< times it lost synchronisation
  std::optional<LocalTime> first_eb_time;     ///< first EB heard in the current scan
  std::optional<Duration> last_time_to_sync;  ///< first EB heard -> synchronised
  Duration total_time_synced{};               ///< closed synchronised periods
  // Transmissions.
  std::uint64_t eb_tx = 0;
  std::uint64_t eb_rx = 0;
  std::uint64_t ka_tx = 0;          ///< keep-alive attempts
  std::uint64_t data_tx = 0;        ///< unicast data attempts (incl. keep-alives)
  std::uint64_t data_tx_acked = 0;  ///< attempts answered by an ACK
  std::uint64_t broadcast_tx = 0;
  std::uint64_t retries = 0;         ///< attempts after the first
  std::uint64_t packets_ok = 0;      ///< unicast packets acknowledged (upper layer + KA)
  std::uint64_t packets_failed = 0;  ///< unicast packets that used every attempt
  std::uint64_t upper_ok = 0;        ///< upper-layer unicast packets acknowledged
  std::uint64_t upper_failed = 0;    ///< upper-layer packets dropped (no ACK, desync, flush)
  std::uint64_t ack_tx = 0;
  std::uint64_t data_rx = 0;  ///< data frames delivered upward
  std::uint64_t ka_rx = 0;
  // Drops by reason.
  std::uint64_t drop_queue_full = 0;
  std::uint64_t drop_security = 0;  ///< failed authentication or unsecured where keys exist
  std::uint64_t drop_malformed = 0;
  std::uint64_t drop_duplicate = 0;
  std::uint64_t drop_eb_config = 0;  ///< EB trying to change the adopted configuration
  std::uint64_t drop_asn_mismatch = 0;
  std::uint64_t drop_neighbor_full = 0;
  // Synchronisation.
  std::uint64_t sync_corrections = 0;
  std::int64_t max_abs_correction_ns = 0;
  /// The same once a drift estimate exists (adaptive timesync at work).
  std::int64_t max_abs_correction_learnt_ns = 0;
  std::uint64_t slots_active = 0;  ///< slots in which the radio was used
};

}  // namespace lpm::ieee802154
