// Bluetooth Mesh upper transport layer (Mesh Protocol 1.1 §3.6): Access message
// encryption with an AppKey (AKF 1, AID) or a device key (AKF 0), TransMIC 32/64 (SZMIC),
// virtual destinations (every Label UUID whose hash matches is tried, §3.4.2.3), and
// Transport Control messages (§3.6.5): Heartbeat and the Friend messages as value types
// with parse/encode; their behaviour lives in heartbeat/friend/lpn modules that register
// as ControlMessageHandler.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/lower_transport.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// AppKey index values that stand for device keys (as Zephyr's BT_MESH_KEY_DEV_*).
inline constexpr AppKeyIndex kDevKeyLocal = 0xFFFE;   ///< this node's device key
inline constexpr AppKeyIndex kDevKeyRemote = 0xFFFD;  ///< the peer's device key (clients)
inline constexpr bool isDevKey(AppKeyIndex idx) {
  return idx == kDevKeyLocal || idx == kDevKeyRemote;
}

/// Largest Access message: 380 octets with a 32-bit TransMIC, 376 with 64 (§3.6.2.1).
inline constexpr std::size_t kMaxAccessMessage32 = 380;
inline constexpr std::size_t kMaxAccessMessage64 = 376;

// ---------------------------------------------------------------------------------------
// Transport Control messages (§3.6.5); opcodes from Assigned Numbers (as used by Zephyr).

enum class ControlOpcode : std::uint8_t {
  kSegmentAck = 0x00,
  kFriendPoll = 0x01,
  kFriendUpdate = 0x02,
  kFriendRequest = 0x03,
  kFriendOffer = 0x04,
  kFriendClear = 0x05,
  kFriendClearConfirm = 0x06,
  kFriendSubscriptionListAdd = 0x07,
  kFriendSubscriptionListRemove = 0x08,
  kFriendSubscriptionListConfirm = 0x09,
  kHeartbeat = 0x0A,
  kPathRequest = 0x0B,
  kPathReply = 0x0C,
  kPathConfirmation = 0x0D,
  kPathEchoRequest = 0x0E,
  kPathEchoReply = 0x0F,
  kDependentNodeUpdate = 0x10,
  kPathRequestSolicitation = 0x11,
};

/// Friend Poll (§3.6.5.1): Padding (7) = 0 | FSN (1).
struct FriendPoll {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendPoll;
  std::uint8_t fsn = 0;
  static Result<FriendPoll> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendPoll&, const FriendPoll&) = default;
};

/// Friend Update (§3.6.5.2).
struct FriendUpdate {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendUpdate;
  bool key_refresh = false;  ///< Flags bit 0
  bool iv_update = false;    ///< Flags bit 1
  std::uint32_t iv_index = 0;
  std::uint8_t md = 0;  ///< 0 queue empty, 1 not empty
  static Result<FriendUpdate> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendUpdate&, const FriendUpdate&) = default;
};

/// Friend Request (§3.6.5.3).
struct FriendRequest {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendRequest;
  std::uint8_t rssi_factor = 0;            ///< Criteria bits 6..5 (0b00 = 1 .. 0b11 = 2.5)
  std::uint8_t receive_window_factor = 0;  ///< Criteria bits 4..3
  std::uint8_t min_queue_size_log = 1;     ///< Criteria bits 2..0, 1..7 (N = 2^n)
  std::uint8_t receive_delay = 0x0A;       ///< 0x0A..0xFF ms
  std::uint32_t poll_timeout = 0x0A;       ///< 0x00000A..0x34BBFF, x100 ms
  Address previous_address = 0;
  std::uint8_t num_elements = 1;  ///< 1..255
  std::uint16_t lpn_counter = 0;
  static Result<FriendRequest> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendRequest&, const FriendRequest&) = default;
};

/// Friend Offer (§3.6.5.4).
struct FriendOffer {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendOffer;
  std::uint8_t receive_window = 1;  ///< 1..255 ms
  std::uint8_t queue_size = 0;
  std::uint8_t subscription_list_size = 0;
  std::int8_t rssi = 127;  ///< dBm, 127 = not available
  std::uint16_t friend_counter = 0;
  static Result<FriendOffer> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendOffer&, const FriendOffer&) = default;
};

/// Friend Clear (§3.6.5.5) and Friend Clear Confirm (§3.6.5.6) share their layout.
struct FriendClear {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendClear;
  Address lpn_address = 0;
  std::uint16_t lpn_counter = 0;
  static Result<FriendClear> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendClear&, const FriendClear&) = default;
};
struct FriendClearConfirm : FriendClear {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendClearConfirm;
  static Result<FriendClearConfirm> parse(ByteSpan params);
};

/// Friend Subscription List Add (§3.6.5.7) / Remove (§3.6.5.8).
struct FriendSubscriptionList {
  std::uint8_t transaction_number = 0;
  std::vector<Address> addresses;  ///< group and virtual addresses, at least one
  static Result<FriendSubscriptionList> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendSubscriptionList&, const FriendSubscriptionList&) = default;
};

/// Friend Subscription List Confirm (§3.6.5.9).
struct FriendSubscriptionListConfirm {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kFriendSubscriptionListConfirm;
  std::uint8_t transaction_number = 0;
  static Result<FriendSubscriptionListConfirm> parse(ByteSpan params);
  Bytes encode() const;
  friend bool operator==(const FriendSubscriptionListConfirm&,
                         const FriendSubscriptionListConfirm&) = default;
};

/// Heartbeat (§3.6.5.10): RFU (1) | InitTTL (7) | Features (16).
struct Heartbeat {
  static constexpr ControlOpcode kOpcode = ControlOpcode::kHeartbeat;
  static constexpr std::uint16_t kRelay = 1U << 0;
  static constexpr std::uint16_t kProxy = 1U << 1;
  static constexpr std::uint16_t kFriend = 1U << 2;
  static constexpr std::uint16_t kLowPower = 1U << 3;
  std::uint8_t init_ttl = 0;
  std::uint16_t features = 0;
  static Result<Heartbeat> parse(ByteSpan params);
  Bytes encode() const;
  /// Hops the Heartbeat travelled when received with `rx_ttl` (§4.2.18).
  constexpr std::uint8_t hops(std::uint8_t rx_ttl) const {
    return static_cast<std::uint8_t>(init_ttl - rx_ttl + 1);
  }
  friend bool operator==(const Heartbeat&, const Heartbeat&) = default;
};

/// Checks a Transport Control message's parameters against its opcode (§3.6.4.3): kNone
/// when understood, kUnsupported for an unknown opcode, else the parse error.
Error validateControlMessage(std::uint8_t opcode, ByteSpan params);

// ---------------------------------------------------------------------------------------
// Layer

/// An Access message to send.
struct AccessTx {
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;  ///< or kDevKeyLocal / kDevKeyRemote
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  Address src = 0;
  Address dst = 0;
  const LabelUuid* label = nullptr;  ///< required when dst is virtual
  std::uint8_t ttl = 0;
  bool trans_mic_64 = false;  ///< SZMIC 1 (forces the segmented format)
  bool segmented = false;     ///< send-segmented tag: acknowledged by the lower transport
  ByteSpan payload;           ///< opcode || parameters
};

/// A Transport Control message to send.
struct ControlTx {
  NetKeyIndex net_idx = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  Address src = 0;
  Address dst = 0;
  std::uint8_t ttl = 0;
  std::uint8_t opcode = 0;
  ByteSpan params;
  bool segmented = false;
};

/// A decrypted Access message with its context.
struct AccessRx {
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;  ///< or kDevKeyLocal / kDevKeyRemote
  Credentials credentials = Credentials::kFlooding;
  Address src = 0;
  Address dst = 0;
  const LabelUuid* label = nullptr;  ///< the Label UUID that authenticated (virtual dst)
  std::uint8_t ttl = 0;
  std::int8_t rssi = 127;
  bool segmented = false;
  std::uint32_t iv_index = 0;
  std::uint32_t seq = 0;
  ByteSpan payload;  ///< valid during the callback only
};

/// A received Transport Control message with its context.
struct ControlRx {
  NetKeyIndex net_idx = 0;
  std::uint8_t key_slot = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  Address src = 0;
  Address dst = 0;
  std::uint8_t ttl = 0;
  std::int8_t rssi = 127;
  std::uint32_t iv_index = 0;
  std::uint32_t seq = 0;
  std::uint8_t opcode = 0;
  ByteSpan params;  ///< valid during the callback only
};

/// The access layer, above the upper transport.
class AccessLayerSink {
 public:
  virtual ~AccessLayerSink() = default;
  virtual void onAccessMessage(const AccessRx& rx) = 0;
  /// End of a segmented send (id from sendAccess/sendControl); see LowerTransportUpper.
  virtual void onSendDone(std::uint32_t /*id*/, Error /*result*/) {}
};

/// Heartbeat, Friend, Low Power and directed forwarding behaviour plug in here.
class ControlMessageHandler {
 public:
  virtual ~ControlMessageHandler() = default;
  virtual void onControlMessage(const ControlRx& rx) = 0;
  /// Whether this handler takes control messages sent to `dst`, a group address it
  /// listens to (e.g. the destination of a Heartbeat subscription, §3.6.4.2).
  virtual bool acceptsDestination(Address /*dst*/) const { return false; }
};

struct UpperTransportStats {
  std::uint64_t rx_access = 0;
  std::uint64_t rx_control = 0;
  std::uint64_t drop_auth = 0;     ///< no key / label authenticated the TransMIC
  std::uint64_t drop_no_key = 0;   ///< no AppKey with this AID in the subnet
  std::uint64_t drop_invalid = 0;  ///< address/key combination not allowed (§3.4.3)
  std::uint64_t drop_control = 0;  ///< unknown opcode, wrong size, prohibited values
  std::uint64_t tx_access = 0;
  std::uint64_t tx_control = 0;
};

class UpperTransport final : public LowerTransportUpper {
 public:
  UpperTransport(const platform::Platform& platform, Network& network, LowerTransport& lower,
                 KeyStore& keys);
  UpperTransport(const UpperTransport&) = delete;
  UpperTransport& operator=(const UpperTransport&) = delete;

  void setAccessSink(AccessLayerSink* sink) { access_ = sink; }
  /// Registers a control message handler (kNoBufs past 8).
  Error addControlHandler(ControlMessageHandler* handler);
  /// Unregisters a handler (harmless when not registered).
  void removeControlHandler(ControlMessageHandler* handler);
  /// Some control message handler listens to `dst` (see acceptsDestination).
  bool controlListensTo(Address dst) const;

  /// Encrypts and sends an Access message (§3.6.4.1). Returns the lower transport's id
  /// (0 for an unsegmented message). Errors: kInvalidArgs (size, key/address rules,
  /// missing label, AppKey bound to another NetKey), kNotFound (unknown key), and those
  /// of the lower layers.
  Result<std::uint32_t> sendAccess(const AccessTx& tx);
  /// Sends a Transport Control message (opcode 0x01..0x7F).
  Result<std::uint32_t> sendControl(const ControlTx& tx);

  // LowerTransportUpper
  Error onUpperTransportPdu(const TransportRx& rx) override;
  void onSegmentedSendDone(std::uint32_t id, Error result) override;

  const UpperTransportStats& stats() const { return stats_; }

 private:
  Error receiveAccess(const TransportRx& rx);
  Error receiveControl(const TransportRx& rx);
  bool acceptsControlDestination(Address dst) const;
  void drop(std::uint64_t& counter, std::string_view reason);

  const platform::Platform& platform_;
  Network& network_;
  LowerTransport& lower_;
  KeyStore& keys_;
  AccessLayerSink* access_ = nullptr;
  std::array<ControlMessageHandler*, 8> control_handlers_{};
  UpperTransportStats stats_{};
};

}  // namespace lpm::btmesh
