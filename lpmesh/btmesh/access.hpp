// Bluetooth Mesh access layer (Mesh Protocol 1.1 §3.7, states of §4.2): opcodes and
// Access message format, elements and models (SIG and vendor), AppKey bindings,
// subscription lists (group and virtual), publication (address, AppKey, TTL, period,
// retransmissions, friendship credentials), delivery to every addressed model, replies
// with the §3.7.3 random delays, and the application API.
//
// The access layer is little-endian (§3.7.1), unlike the layers below.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/btmesh/upper_transport.hpp"
#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

// ---------------------------------------------------------------------------------------
// Opcodes (§3.7.3.1)

/// An opcode as a number: 1-octet 0x00..0x7E, 2-octet 0x8000..0xBFFF (first octet in the
/// high byte), 3-octet (0xC0 | op) << 16 | Company ID (Zephyr's BT_MESH_MODEL_OP_* values).
using Opcode = std::uint32_t;

constexpr Opcode opcode1(std::uint8_t b0) {
  return b0;
}
constexpr Opcode opcode2(std::uint8_t b0, std::uint8_t b1) {
  return (Opcode{b0} << 8) | b1;
}
/// A vendor opcode: 6-bit opcode and the 16-bit Company ID.
constexpr Opcode opcode3(std::uint8_t op6, std::uint16_t company_id) {
  return (Opcode{0xC0U | (op6 & 0x3FU)} << 16) | company_id;
}
/// Octets of the opcode on the wire; 0 for a value that is no valid opcode.
constexpr std::size_t opcodeSize(Opcode op) {
  if (op <= 0x7E) return 1;
  if (op >= 0x8000 && op <= 0xBFFF) return 2;
  if (op >= 0xC00000 && op <= 0xFFFFFF) return 3;
  return 0;
}

/// An Access message: opcode and parameters.
struct AccessMessage {
  Opcode opcode = 0;
  ByteSpan params;

  /// kTruncated for a missing opcode octet, kUnsupported for the RFU opcode 0x7F.
  static Result<AccessMessage> parse(ByteSpan message);
  /// Appends opcode || params; kInvalidArgs for an invalid opcode.
  Error encode(Bytes& out) const;
};

// ---------------------------------------------------------------------------------------
// Models and their states

/// SIG models have no Company ID (kSigCompany here); vendor models do.
inline constexpr std::uint16_t kSigCompany = 0xFFFF;

struct ModelId {
  std::uint16_t company = kSigCompany;
  std::uint16_t id = 0;

  static constexpr ModelId sig(std::uint16_t id) { return ModelId{kSigCompany, id}; }
  static constexpr ModelId vendor(std::uint16_t company, std::uint16_t id) {
    return ModelId{company, id};
  }
  constexpr bool isVendor() const { return company != kSigCompany; }
  friend bool operator==(const ModelId&, const ModelId&) = default;
};

/// Publish Period state (§4.2.3.6): steps (6 LSBs) x resolution (2 MSBs: 100 ms, 1 s,
/// 10 s, 10 min). 0 steps: no periodic publication.
struct PublishPeriod {
  std::uint8_t steps = 0;       ///< 0..63
  std::uint8_t resolution = 0;  ///< 0..3

  constexpr Duration duration() const {
    constexpr std::int64_t kMs[4] = {100, 1000, 10'000, 600'000};
    return millis(steps * kMs[resolution & 3U]);
  }
  constexpr std::uint8_t encode() const {
    return static_cast<std::uint8_t>(((resolution & 3U) << 6) | (steps & 0x3FU));
  }
  static constexpr PublishPeriod decode(std::uint8_t v) {
    return PublishPeriod{static_cast<std::uint8_t>(v & 0x3FU), static_cast<std::uint8_t>(v >> 6)};
  }
  friend bool operator==(const PublishPeriod&, const PublishPeriod&) = default;
};

/// Publish Retransmit Count (3 bits) and Interval Steps (5 bits, (n + 1) x 50 ms)
/// (§4.2.3.7, §4.2.3.8).
struct PublishRetransmit {
  std::uint8_t count = 0;
  std::uint8_t interval_steps = 0;

  constexpr Duration interval() const { return millis(std::int64_t{50} * (interval_steps + 1)); }
  constexpr std::uint8_t encode() const {
    return static_cast<std::uint8_t>(((interval_steps & 0x1FU) << 3) | (count & 0x07U));
  }
  static constexpr PublishRetransmit decode(std::uint8_t v) {
    return PublishRetransmit{static_cast<std::uint8_t>(v & 0x07U),
                             static_cast<std::uint8_t>(v >> 3)};
  }
  friend bool operator==(const PublishRetransmit&, const PublishRetransmit&) = default;
};

/// TTL value meaning "use the Default TTL state" (Publish TTL 0xFF, §4.2.3.5).
inline constexpr std::uint8_t kUseDefaultTtl = 0xFF;

/// Model Publication state (§4.2.3).
struct Publication {
  Address address = kUnassignedAddress;
  std::optional<LabelUuid> label;  ///< with a virtual address
  AppKeyIndex app_idx = 0;
  bool friendship_credentials = false;
  std::uint8_t ttl = kUseDefaultTtl;
  PublishPeriod period{};
  PublishRetransmit retransmit{};
};

/// An entry of a model's Subscription List (§4.2.4).
struct Subscription {
  Address address = kUnassignedAddress;
  std::optional<LabelUuid> label;  ///< with a virtual address
};

/// Context of a received message, as handed to a model.
struct MessageContext {
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;  ///< or kDevKeyLocal / kDevKeyRemote
  Credentials credentials = Credentials::kFlooding;
  Address src = 0;
  Address dst = 0;
  std::optional<LabelUuid> label;
  std::uint8_t recv_ttl = 0;
  std::int8_t rssi = 127;
  bool segmented = false;
  std::uint8_t element = 0;  ///< index of the receiving element
};

class Access;
struct Model;

/// Behaviour of a model (foundation, generic or application models implement it).
class ModelHandler {
 public:
  virtual ~ModelHandler() = default;
  /// Whether this model takes messages with this opcode.
  virtual bool handles(Opcode opcode) const = 0;
  virtual void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                         ByteSpan params) = 0;
  /// A periodic publication is due: fill opcode and parameters, or return false.
  virtual bool onPeriodicPublish(Model& /*model*/, Opcode& /*opcode*/, Bytes& /*params*/) {
    return false;
  }
};

/// A model instance on an element.
struct Model {
  ModelId id{};
  std::uint8_t element = 0;
  ModelHandler* handler = nullptr;
  /// Foundation models secured with the device key only (Configuration Server, §4.4.1).
  bool dev_key_only = false;
  std::vector<AppKeyIndex> bindings;
  std::vector<Subscription> subscriptions;
  Publication publication{};

  bool boundTo(AppKeyIndex app_idx) const;
  bool subscribedTo(Address address, const LabelUuid* label) const;

  // --- owned by Access ---
  Access* owner = nullptr;
  platform::Timer period_timer{this, &platform::Timer::thunk<&Model::onPeriod>};
  void onPeriod();
};

struct Element {
  Address address = kUnassignedAddress;
  std::uint16_t location = 0;  ///< GATT Namespace Descriptor (§4.2.2.1)
  std::vector<std::unique_ptr<Model>> models;
};

/// A message the application sends.
struct MessageTx {
  std::uint8_t element = 0;  ///< source element index
  Address dst = 0;
  std::optional<LabelUuid> label;  ///< with a virtual dst
  NetKeyIndex net_idx = 0;
  AppKeyIndex app_idx = 0;  ///< or kDevKeyLocal / kDevKeyRemote
  std::uint8_t ttl = kUseDefaultTtl;
  Opcode opcode = 0;
  ByteSpan params;
  bool segmented = false;  ///< acknowledged by the lower transport
  bool trans_mic_64 = false;
  bool friendship_credentials = false;
};

/// Completion of sends (segmented messages only: unsegmented ones are done at once).
class AccessListener {
 public:
  virtual ~AccessListener() = default;
  virtual void onSendDone(std::uint32_t id, Error result) = 0;
};

struct AccessStats {
  std::uint64_t rx = 0;             ///< messages from the upper transport
  std::uint64_t delivered = 0;      ///< deliveries to models (one message may reach several)
  std::uint64_t drop_opcode = 0;    ///< malformed or RFU opcode
  std::uint64_t drop_no_model = 0;  ///< no model took it (opcode, address or key binding)
  std::uint64_t tx = 0;
  std::uint64_t tx_failed = 0;
  std::uint64_t published = 0;
  std::uint64_t delayed_dropped = 0;  ///< delayed-send queue full
};

class Access final : public AccessLayerSink {
 public:
  Access(const platform::Platform& platform, const NodeConfig& config, Network& network,
         KeyStore& keys, UpperTransport& upper);
  ~Access() override;
  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;

  // --- composition (before the node starts) ---
  /// Adds an element; returns its index (the primary element is index 0).
  std::uint8_t addElement(std::uint16_t location = 0);
  /// Adds a model to an element (created on demand up to `element`).
  Model& addModel(std::uint8_t element, ModelId id, ModelHandler* handler,
                  bool dev_key_only = false);
  std::size_t elementCount() const { return elements_.size(); }
  Element& element(std::size_t i) { return elements_[i]; }
  const Element& element(std::size_t i) const { return elements_[i]; }
  Model* findModel(std::uint8_t element, ModelId id);
  /// Unicast addresses: element i gets primary + i.
  void setPrimaryAddress(Address primary);
  Address primaryAddress() const { return elements_.empty() ? 0 : elements_[0].address; }
  /// Element index of a unicast address of this node.
  std::optional<std::uint8_t> elementOf(Address address) const;

  // --- model configuration (Configuration Server calls these) ---
  /// kNotFound for an unknown AppKey, kNoBufs when the binding list is full, kInvalidArgs
  /// for a device-key-only model.
  Error bind(Model& model, AppKeyIndex app_idx);
  Error unbind(Model& model, AppKeyIndex app_idx);
  /// Group address subscription (not unassigned, unicast, virtual or all-nodes).
  Error subscribe(Model& model, Address group);
  Error subscribeVirtual(Model& model, const LabelUuid& label);
  Error unsubscribe(Model& model, Address group);
  Error unsubscribeVirtual(Model& model, const LabelUuid& label);
  void clearSubscriptions(Model& model);
  /// Sets (or, with an unassigned address, clears) the publication and restarts periodic
  /// publishing. kNotFound for an unknown AppKey, kInvalidArgs for a bad address/TTL,
  /// kNoBufs when no room is left for a new Label UUID.
  Error setPublication(Model& model, const Publication& publication);

  // --- traffic ---
  void setListener(AccessListener* listener) { listener_ = listener; }
  /// Sends now. Returns 0 or the id onSendDone will report.
  Result<std::uint32_t> send(const MessageTx& tx);
  /// Replies to the originator of `rx` from the receiving element, with the same keys,
  /// after the §3.7.3.1 random delay (20-50 ms to a unicast request, 20-500 ms to a group
  /// or virtual one). kNoBufs when the delay queue is full.
  Error reply(const MessageContext& rx, Opcode opcode, ByteSpan params);
  /// Publishes with the model's publication state, then retransmits per Publish
  /// Retransmit. kInvalidState when the model has no publication address.
  Result<std::uint32_t> publish(Model& model, Opcode opcode, ByteSpan params);

  /// Whether any element listens to `address` (subscriptions, or a fixed group address
  /// whose feature is enabled).
  bool listensTo(Address address) const;
  const AccessStats& stats() const { return stats_; }

  // AccessLayerSink
  void onAccessMessage(const AccessRx& rx) override;
  void onSendDone(std::uint32_t id, Error result) override;

 private:
  friend struct Model;
  struct Delayed {
    bool used = false;
    LocalTime due{};
    MessageTx tx{};
    Bytes params;
  };

  void onModelPeriod(Model& model);
  Error enqueue(const MessageTx& tx, Duration delay);
  void onDelayTimer();
  void armDelayTimer();
  MessageTx publicationTx(const Model& model, Opcode opcode, ByteSpan params) const;
  bool deliverable(const Model& model, const AccessRx& rx, std::uint8_t element_index) const;

  const platform::Platform& platform_;
  const NodeConfig& config_;
  Network& network_;
  KeyStore& keys_;
  UpperTransport& upper_;
  AccessListener* listener_ = nullptr;
  std::vector<Element> elements_;
  std::vector<Delayed> delayed_;
  AccessStats stats_{};
  platform::Timer delay_timer_{this, &platform::Timer::thunk<&Access::onDelayTimer>};
};

}  // namespace lpm::btmesh
