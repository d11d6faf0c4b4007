// Per-node Bluetooth Mesh configuration: every tunable with its range and default.
//
// Names follow Zephyr's Kconfig (CONFIG_BT_MESH_*) where one exists, so that users who know
// Zephyr find their knobs; defaults are the specification's where it gives one, else
// Zephyr's. The states that the Configuration Server can change at run time (Network
// Transmit, Relay Retransmit, Default TTL, features, SAR) start from these values.
#pragma once

#include <cstdint>

#include "lpmesh/core/time.hpp"

namespace lpm::btmesh {

/// A Network Transmit (§4.2.20) or Relay Retransmit (§4.2.21) state: one octet,
/// count in the 3 LSBs (transmissions = count + 1), interval steps in the 5 MSBs
/// (interval = (steps + 1) * 10 ms).
struct TransmitState {
  std::uint8_t count = 2;           ///< 0..7
  std::uint8_t interval_steps = 1;  ///< 0..31

  constexpr unsigned transmissions() const { return count + 1U; }
  constexpr Duration interval() const { return millis(std::int64_t{10} * (interval_steps + 1)); }
  constexpr std::uint8_t encode() const {
    return static_cast<std::uint8_t>(((interval_steps & 0x1FU) << 3) | (count & 0x07U));
  }
  static constexpr TransmitState decode(std::uint8_t v) {
    return TransmitState{static_cast<std::uint8_t>(v & 0x07U), static_cast<std::uint8_t>(v >> 3)};
  }
  friend bool operator==(const TransmitState&, const TransmitState&) = default;
};

/// SAR Transmitter state (Mesh 1.1 §4.2.48). Raw state values; the accessors give the
/// durations the lower transport uses (§3.5.3.3).
struct SarTransmitter {
  std::uint8_t segment_interval_step = 0x05;               ///< 0..15, (v+1)*10 ms
  std::uint8_t unicast_retrans_count = 0x02;               ///< 0..15 retransmissions
  std::uint8_t unicast_retrans_without_progress = 0x02;    ///< 0..15
  std::uint8_t unicast_retrans_interval_step = 0x07;       ///< 0..15, (v+1)*25 ms
  std::uint8_t unicast_retrans_interval_increment = 0x01;  ///< 0..15, (v+1)*25 ms per hop
  std::uint8_t multicast_retrans_count = 0x02;             ///< 0..15 retransmissions
  std::uint8_t multicast_retrans_interval_step = 0x09;     ///< 0..15, (v+1)*25 ms

  constexpr Duration segmentInterval() const {
    return millis(std::int64_t{10} * (segment_interval_step + 1));
  }
  constexpr Duration unicastRetransIntervalStep() const {
    return millis(std::int64_t{25} * (unicast_retrans_interval_step + 1));
  }
  constexpr Duration unicastRetransIntervalIncrement() const {
    return millis(std::int64_t{25} * (unicast_retrans_interval_increment + 1));
  }
  /// §3.5.3.3.1: step + increment * (TTL - 1) for TTL > 0, else step.
  constexpr Duration unicastRetransInterval(std::uint8_t ttl) const {
    return ttl == 0 ? unicastRetransIntervalStep()
                    : unicastRetransIntervalStep() + unicastRetransIntervalIncrement() * (ttl - 1);
  }
  constexpr Duration multicastRetransInterval() const {
    return millis(std::int64_t{25} * (multicast_retrans_interval_step + 1));
  }
  friend bool operator==(const SarTransmitter&, const SarTransmitter&) = default;
};

/// SAR Receiver state (Mesh 1.1 §4.2.49).
struct SarReceiver {
  std::uint8_t segments_threshold = 0x03;              ///< 0..31 segments
  std::uint8_t ack_delay_increment = 0x01;             ///< 0..7, increment = v + 1.5 segments
  std::uint8_t discard_timeout = 0x01;                 ///< 0..15, (v+1)*5 s
  std::uint8_t receiver_segment_interval_step = 0x05;  ///< 0..15, (v+1)*10 ms
  std::uint8_t ack_retrans_count = 0x00;               ///< 0..3 retransmissions

  constexpr Duration segmentReceptionInterval() const {
    return millis(std::int64_t{10} * (receiver_segment_interval_step + 1));
  }
  constexpr Duration discardTimeout() const {
    return seconds(std::int64_t{5} * (discard_timeout + 1));
  }
  /// Twice the acknowledgment delay increment, in segments (an integer: 2v + 3).
  constexpr std::int64_t ackDelayIncrementTimes2() const { return 2 * ack_delay_increment + 3; }
  /// §3.5.3.4: min(SegN + 0.5, acknowledgment delay increment) * segment reception interval.
  constexpr Duration ackTimer(std::uint8_t seg_n) const {
    const std::int64_t seg_n_x2 = 2 * static_cast<std::int64_t>(seg_n) + 1;
    const std::int64_t factor_x2 =
        seg_n_x2 < ackDelayIncrementTimes2() ? seg_n_x2 : ackDelayIncrementTimes2();
    return segmentReceptionInterval() * factor_x2 / 2;
  }
  /// §3.5.3.4: at most one acknowledgment per SeqAuth for a completed message in
  /// increment * segment reception interval.
  constexpr Duration completedAckInterval() const {
    return segmentReceptionInterval() * ackDelayIncrementTimes2() / 2;
  }
  friend bool operator==(const SarReceiver&, const SarReceiver&) = default;
};

/// States of an optional feature (§4.2.8-§4.2.13 use 0 disabled, 1 enabled, 2 not supported).
enum class FeatureState : std::uint8_t { kDisabled = 0, kEnabled = 1, kNotSupported = 2 };

/// Everything one node's stack can be tuned with.
struct NodeConfig {
  // --- network layer (§3.4) ---
  /// Network Transmit state for PDUs this node originates (Z: BT_MESH_NETWORK_TRANSMIT_*,
  /// 3 transmissions 20 ms apart).
  TransmitState network_transmit{2, 1};
  /// Relay Retransmit state (Z: BT_MESH_RELAY_RETRANSMIT_*, 3 transmissions 20 ms apart).
  TransmitState relay_retransmit{2, 1};
  FeatureState relay = FeatureState::kEnabled;
  FeatureState proxy = FeatureState::kNotSupported;
  FeatureState friend_feature = FeatureState::kNotSupported;
  FeatureState low_power = FeatureState::kNotSupported;
  /// Default TTL state (§4.2.7): 0 or 2..127 (Z: BT_MESH_DEFAULT_TTL 7).
  std::uint8_t default_ttl = 7;
  /// Network Message Cache entries (§3.4.6.5: >= 2; Z: BT_MESH_MSG_CACHE_SIZE 32).
  std::uint16_t msg_cache_size = 32;
  /// Local-interface PDUs waiting for delivery to this node's own elements.
  std::uint16_t loopback_queue_size = 8;
  /// SEQ values reserved per settings write (Z: BT_MESH_SEQ_STORE_RATE 128). A reboot
  /// skips at most this many sequence numbers and never reuses one. 1..0x800000.
  std::uint32_t seq_store_block = 128;
  /// SEQ at which the node asks for an IV Update (§3.11.5; Z: BT_MESH_IV_UPDATE_SEQ_LIMIT).
  std::uint32_t iv_update_seq_limit = 0x800000;
  /// IV Update test mode (§3.11.5.1): drops the 96-hour minimum durations.
  bool iv_update_test_mode = false;

  // --- keys (§3.8.6) ---
  /// NetKeys the node can hold (Z: BT_MESH_SUBNET_COUNT).
  std::uint8_t subnet_count = 4;
  /// AppKeys the node can hold (Z: BT_MESH_APP_KEY_COUNT).
  std::uint8_t app_key_count = 4;
  /// Label UUIDs the node can hold for virtual subscriptions and publications
  /// (Z: BT_MESH_LABEL_COUNT).
  std::uint8_t label_count = 4;

  // --- lower transport (§3.5) ---
  SarTransmitter sar_tx{};
  SarReceiver sar_rx{};
  /// Concurrent outgoing segmented messages (Z: BT_MESH_TX_SEG_MSG_COUNT).
  std::uint8_t tx_seg_msg_count = 2;
  /// Concurrent incoming reassemblies (Z: BT_MESH_RX_SEG_MSG_COUNT).
  std::uint8_t rx_seg_msg_count = 2;
  /// Largest incoming segmented message, in segments: 1..32 (Z: BT_MESH_RX_SEG_MAX).
  std::uint8_t rx_seg_max = 32;
  /// Largest outgoing segmented message, in segments: 1..32 (Z: BT_MESH_TX_SEG_MAX).
  std::uint8_t tx_seg_max = 32;
  /// Completed (or failed) reassemblies remembered per (SRC, DST) to re-acknowledge late
  /// segments (§3.5.3.4 requires the most recent one).
  std::uint8_t seg_rx_history = 16;
  /// Replay protection list entries (§3.9.8; the CRPL of Composition Data, Z: BT_MESH_CRPL 10).
  std::uint16_t replay_list_size = 10;

  // --- access layer (§3.7) ---
  /// Subscription list entries per model (Z: BT_MESH_MODEL_GROUP_COUNT).
  std::uint8_t model_subscription_count = 8;
  /// AppKey bindings per model (Z: BT_MESH_MODEL_KEY_COUNT).
  std::uint8_t model_key_count = 4;
  /// §3.7.3.1 response delays: 20..50 ms to unicast requests, 20..500 ms to group ones.
  bool random_response_delay = true;
  /// Replies and publications waiting for their random delay.
  std::uint8_t delayed_send_queue_size = 8;

  // --- advertising bearer (§3.3.1) ---
  /// Network PDUs queued for the advertiser, local and relayed (Z: BT_MESH_ADV_BUF_COUNT).
  std::uint8_t adv_buffer_count = 16;
  /// Scan interval and window; window == interval scans continuously (§3.3.1 advises
  /// a duty cycle as close to 100 % as possible).
  Duration scan_interval = millis(30);
  Duration scan_window = millis(30);
  std::int8_t tx_power_dbm = 0;
};

}  // namespace lpm::btmesh
