// Bluetooth Mesh lower transport layer (Mesh Protocol 1.1 §3.5): the four Lower Transport
// PDU formats and the Segment Acknowledgment message (§3.5.2), SeqAuth (§3.5.3.1),
// segmentation with the SAR Transmitter state (§3.5.3.3), reassembly with the SAR Receiver
// state and Table 3.24 (§3.5.3.4), the replay protection list check, and the message error
// procedure (§3.5.4.3).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/btmesh/replay_protection.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

// §3.5.2 sizes.
inline constexpr std::size_t kMaxUnsegmentedAccessPdu = 15;  ///< Upper Transport Access PDU
inline constexpr std::size_t kMinUnsegmentedAccessPdu = 5;   ///< one octet + 32-bit TransMIC
inline constexpr std::size_t kSegmentedAccessSegment = 12;
inline constexpr std::size_t kMaxUnsegmentedControlParams = 11;
inline constexpr std::size_t kSegmentedControlSegment = 8;
inline constexpr std::size_t kMaxSegments = 32;
inline constexpr std::size_t kMaxUpperTransportControlPdu = 256;
inline constexpr std::uint8_t kSegmentAckOpcode = 0x00;
inline constexpr std::uint16_t kSeqZeroMask = 0x1FFF;

/// One Lower Transport PDU (§3.5.2, Table 3.15). Which fields matter depends on ctl/seg.
struct LowerTransportPdu {
  bool ctl = false;
  bool seg = false;
  bool akf = false;            ///< access
  std::uint8_t aid = 0;        ///< access, 6 bits
  bool szmic = false;          ///< segmented access
  std::uint8_t opcode = 0;     ///< control, 7 bits
  std::uint16_t seq_zero = 0;  ///< segmented, 13 bits
  std::uint8_t seg_o = 0;      ///< segmented, 5 bits
  std::uint8_t seg_n = 0;      ///< segmented, 5 bits
  /// Upper Transport Access PDU, control parameters, or Segment m.
  ByteSpan payload;

  /// Parses a TransportPDU of a Network PDU with the given CTL. kTruncated / kTooLong for
  /// payload sizes the format does not allow, kMalformed for SegO > SegN or a segmented
  /// control message with opcode 0x00.
  static Result<LowerTransportPdu> parse(bool ctl, ByteSpan pdu);
  std::size_t size() const { return (seg ? 4 : 1) + payload.size(); }
  /// Appends the encoding; kInvalidArgs for out-of-range fields or payload sizes.
  Error encode(Bytes& out) const;
};

/// Segment Acknowledgment message parameters (§3.5.2.3.1).
struct SegmentAck {
  bool obo = false;
  std::uint16_t seq_zero = 0;
  std::uint32_t block_ack = 0;  ///< bit n acknowledges segment n

  static constexpr std::size_t kSize = 6;
  /// kTruncated / kTrailing unless exactly 6 octets (§3.5.4.3: such acks are ignored).
  static Result<SegmentAck> parse(ByteSpan params);
  std::array<std::uint8_t, kSize> encode() const;
  friend bool operator==(const SegmentAck&, const SegmentAck&) = default;
};

/// §3.5.3.1: the SEQ of the first segment — the largest value not above `seq` whose 13
/// LSBs equal `seq_zero` (SEQ - 8191 <= result <= SEQ). Empty when it would be negative.
constexpr std::optional<std::uint32_t> seqFromSeqZero(std::uint32_t seq, std::uint16_t seq_zero) {
  const std::uint32_t back = (seq - seq_zero) & kSeqZeroMask;
  if (back > seq) return std::nullopt;
  return seq - back;
}

/// A complete Upper Transport PDU (unsegmented or reassembled) for the upper transport.
struct TransportRx {
  NetKeyIndex net_idx = 0;
  std::uint8_t key_slot = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  InterfaceId interface = kLocalInterface;
  Address src = 0;
  Address dst = 0;
  std::uint8_t ttl = 0;  ///< of the (last) received PDU
  std::int8_t rssi = 127;
  bool ctl = false;
  bool segmented = false;
  bool akf = false;
  std::uint8_t aid = 0;
  bool szmic = false;
  std::uint8_t opcode = 0;
  /// IV Index and SEQ for the nonce: the PDU's, or SeqAuth's for a segmented message.
  std::uint32_t iv_index = 0;
  std::uint32_t seq = 0;
  ByteSpan upper_pdu;  ///< valid during the callback only
};

/// What the lower transport needs from the upper transport.
class LowerTransportUpper {
 public:
  virtual ~LowerTransportUpper() = default;
  /// A complete Upper Transport PDU. Return kNone when it authenticated and was accepted:
  /// only then is the replay protection list updated (§3.6.4.2).
  virtual Error onUpperTransportPdu(const TransportRx& rx) = 0;
  /// End of a segmented transfer started by send(): kNone when every segment was
  /// acknowledged (unicast) or every multicast round was sent; kTimeout when the SAR
  /// retransmission counters ran out or SEQ moved 8192 past SeqAuth; kNoBufs when the
  /// receiver rejected it (BlockAck 0, out of resources); kInvalidState when it was
  /// canceled (e.g. its NetKey was removed).
  virtual void onSegmentedSendDone(std::uint32_t id, Error result) = 0;
};

/// An Upper Transport PDU to send.
struct LowerTransportTx {
  NetKeyIndex net_idx = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  Address src = 0;
  Address dst = 0;
  std::uint8_t ttl = 0;
  bool ctl = false;
  bool akf = false;
  std::uint8_t aid = 0;
  bool szmic = false;
  std::uint8_t opcode = 0;
  /// Access: EncAccessMessage || TransMIC; control: parameters.
  ByteSpan upper_pdu;
  /// SEQ/IV Index the upper transport secured the PDU with (SeqAuth when segmented).
  SeqAllocation seq{};
  /// Segmented format even when the PDU would fit unsegmented (send-segmented tag).
  bool segmented = false;
};

/// Counters, also published as trace points on layer "btmesh.lower".
struct LowerTransportStats {
  std::uint64_t rx_unsegmented = 0;
  std::uint64_t rx_segments = 0;
  std::uint64_t rx_reassembled = 0;
  std::uint64_t rx_discarded = 0;  ///< SAR Discard timer expired
  std::uint64_t rx_rejected = 0;   ///< Message Rejected: out of reassembly resources
  std::uint64_t rx_malformed = 0;
  std::uint64_t rx_replay = 0;
  std::uint64_t rx_rpl_full = 0;
  std::uint64_t rx_ignored_segments = 0;  ///< SeqAuth Error, Repeated or Late segment
  std::uint64_t acks_sent = 0;
  std::uint64_t acks_received = 0;
  std::uint64_t tx_unsegmented = 0;
  std::uint64_t tx_segmented = 0;  ///< segmented transfers started
  std::uint64_t tx_segments = 0;   ///< segment transmissions, first ones and repeats
  std::uint64_t tx_segment_retransmissions = 0;
  std::uint64_t tx_completed = 0;
  std::uint64_t tx_failed = 0;
};

class LowerTransport {
 public:
  LowerTransport(const platform::Platform& platform, const NodeConfig& config, Network& network,
                 ReplayProtectionList& rpl);
  ~LowerTransport();
  LowerTransport(const LowerTransport&) = delete;
  LowerTransport& operator=(const LowerTransport&) = delete;

  void setUpper(LowerTransportUpper* upper) { upper_ = upper; }

  /// Sends an Upper Transport PDU (§3.5.4.1), segmenting it when needed. Returns 0 for an
  /// unsegmented PDU (handed to the network, no callback), else the id that
  /// onSegmentedSendDone reports. Errors: kTooLong past the segment limits, kInvalidArgs
  /// for a PDU that does not fit the unsegmented format it asks for, kNoBufs when no
  /// segmented-transfer context is free, or the network layer's error.
  Result<std::uint32_t> send(const LowerTransportTx& tx);

  /// Entry from the network layer (NetworkUpper::onNetworkPdu forwards here).
  void onNetworkPdu(const NetworkRx& rx);

  /// Cancels every transfer and reassembly bound to a NetKey that was removed.
  void cancelSubnet(NetKeyIndex net_idx);

  /// SAR states (Configuration Server: SAR Transmitter/Receiver Set).
  SarTransmitter& sarTransmitter() { return sar_tx_; }
  SarReceiver& sarReceiver() { return sar_rx_; }
  const LowerTransportStats& stats() const { return stats_; }
  /// Transfers in progress (blocked ones included).
  std::size_t activeTransfers() const;

 private:
  struct SegTx;
  struct SegRx;
  struct RxHistory {
    Address src = 0;
    Address dst = 0;
    std::uint64_t seq_auth = 0;
    std::uint32_t block = 0;
    bool complete = false;  ///< else failed (SAR Discard timer expired)
    NetKeyIndex net_idx = 0;
    Credentials credentials = Credentials::kFlooding;
    std::uint16_t friendship_id = 0;
    std::uint8_t ack_ttl = 0;
    LocalTime last_ack = LocalTime::min();
  };

  // transmit side
  void startRound(SegTx& tx);
  void sendNextSegment(SegTx& tx);
  void onSegTxTimer(SegTx& tx);
  void finishTx(SegTx& tx, Error result);
  void onSegmentAck(const NetworkRx& rx, const SegmentAck& ack);
  Error sendSegment(SegTx& tx, std::uint8_t seg_o);

  // receive side
  void onSegment(const NetworkRx& rx, const LowerTransportPdu& pdu);
  void completeRx(SegRx& ctx);
  void onAckTimer(SegRx& ctx);
  void onDiscardTimer(SegRx& ctx);
  void sendAck(NetKeyIndex net_idx, Credentials credentials, std::uint16_t friendship_id,
               Address our_address, Address peer, std::uint8_t ttl, std::uint16_t seq_zero,
               std::uint32_t block, bool obo);
  void sendAckFor(const SegRx& ctx, std::uint32_t block);
  void freeRx(SegRx& ctx);
  RxHistory* findHistory(Address src, Address dst);
  void remember(const SegRx& ctx, bool complete);
  bool checkReplay(const NetworkRx& rx);
  void acceptReplay(Address src, std::uint32_t iv_index, std::uint32_t seq,
                    std::optional<std::uint64_t> seq_auth);

  void count(std::uint64_t& counter, platform::TraceKind kind, std::string_view reason);

  const platform::Platform& platform_;
  const NodeConfig& config_;
  Network& network_;
  ReplayProtectionList& rpl_;
  LowerTransportUpper* upper_ = nullptr;
  SarTransmitter sar_tx_;
  SarReceiver sar_rx_;
  LowerTransportStats stats_{};

  std::vector<std::unique_ptr<SegTx>> tx_;
  std::vector<std::unique_ptr<SegRx>> rx_;
  std::vector<RxHistory> history_;
  std::size_t history_next_ = 0;
  std::uint32_t next_tx_id_ = 1;
};

}  // namespace lpm::btmesh
