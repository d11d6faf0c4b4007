// Generic OnOff Server and Client (Mesh Model 1.1 §3.1.1 state, §3.2.1 messages, §3.3.1
// behaviour): Get, Set, Set Unacknowledged and Status; the transaction identifier (TID)
// with its 6-second window (§3.3.2.2.3: a message with the TID, source and destination of
// one received less than 6 s before belongs to the same transaction and is not applied
// again); optional Transition Time and Delay, with the binary state switching On at the
// start of a transition and Off at its end.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

namespace op {
inline constexpr Opcode kGenericOnOffGet = 0x8201;
inline constexpr Opcode kGenericOnOffSet = 0x8202;
inline constexpr Opcode kGenericOnOffSetUnacknowledged = 0x8203;
inline constexpr Opcode kGenericOnOffStatus = 0x8204;
}  // namespace op

/// Generic Default Transition Time format (Mesh Model §3.1.3): steps (6 bits) and
/// resolution (2 bits: 100 ms, 1 s, 10 s, 10 min). 0x3F steps = unknown.
struct TransitionTime {
  std::uint8_t steps = 0;
  std::uint8_t resolution = 0;

  static constexpr std::uint8_t kUnknownSteps = 0x3F;
  constexpr std::uint8_t encode() const {
    return static_cast<std::uint8_t>(((resolution & 3U) << 6) | (steps & 0x3FU));
  }
  static constexpr TransitionTime decode(std::uint8_t v) {
    return TransitionTime{static_cast<std::uint8_t>(v & 0x3FU), static_cast<std::uint8_t>(v >> 6)};
  }
  bool unknown() const { return steps == kUnknownSteps; }
  Duration duration() const;
  /// The finest resolution that holds `d`, rounded up; the largest value (62 x 10 min)
  /// past that.
  static TransitionTime fromDuration(Duration d);
  friend bool operator==(const TransitionTime&, const TransitionTime&) = default;
};

/// Transition Time and Delay (5 ms steps) of a Set message.
struct OnOffTransition {
  TransitionTime time{};
  std::uint8_t delay = 0;
  friend bool operator==(const OnOffTransition&, const OnOffTransition&) = default;
};

using GenericOnOffGet = ConfigEmptyMessage<op::kGenericOnOffGet>;

/// Generic OnOff Set / Set Unacknowledged (§3.2.1.2-3): OnOff, TID [, Transition Time,
/// Delay]. Two or four octets.
template <Opcode kOp>
struct GenericOnOffSetMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint8_t on_off = 0;
  std::uint8_t tid = 0;
  std::optional<OnOffTransition> transition;
  static Result<GenericOnOffSetMessage> parse(ByteSpan params) {
    ByteReader r(params);
    GenericOnOffSetMessage m;
    m.on_off = r.u8();
    m.tid = r.u8();
    if (r.ok() && !r.atEnd()) {
      OnOffTransition t;
      t.time = TransitionTime::decode(r.u8());
      t.delay = r.u8();
      m.transition = t;
    }
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    out.push_back(on_off);
    out.push_back(tid);
    if (transition) {
      out.push_back(transition->time.encode());
      out.push_back(transition->delay);
    }
  }
  friend bool operator==(const GenericOnOffSetMessage&, const GenericOnOffSetMessage&) = default;
};
using GenericOnOffSet = GenericOnOffSetMessage<op::kGenericOnOffSet>;
using GenericOnOffSetUnacknowledged = GenericOnOffSetMessage<op::kGenericOnOffSetUnacknowledged>;

/// Generic OnOff Status (§3.2.1.4): Present OnOff [, Target OnOff, Remaining Time].
struct GenericOnOffStatus {
  static constexpr Opcode kOpcode = op::kGenericOnOffStatus;
  std::uint8_t present = 0;
  std::optional<std::uint8_t> target;
  TransitionTime remaining{};  ///< meaningful with a target
  static Result<GenericOnOffStatus> parse(ByteSpan params);
  void encode(Bytes& out) const;
  friend bool operator==(const GenericOnOffStatus&, const GenericOnOffStatus&) = default;
};

using GenericOnOffMessage = std::variant<GenericOnOffGet, GenericOnOffSet,
                                         GenericOnOffSetUnacknowledged, GenericOnOffStatus>;
Result<GenericOnOffMessage> parseGenericOnOffMessage(Opcode opcode, ByteSpan params);

/// Transactions seen by a server (§3.3.2.2.3 / Mesh Protocol §3.7.3.?): per (source,
/// destination), the last TID and when it came.
class TransactionTracker {
 public:
  static constexpr Duration kWindow = seconds(6);
  explicit TransactionTracker(std::size_t capacity = 8) : entries_(capacity) {}
  /// Records the message and tells whether it repeats the previous transaction of this
  /// (src, dst) pair within the 6-second window.
  bool isRepeat(Address src, Address dst, std::uint8_t tid, LocalTime now);

 private:
  struct Entry {
    Address src = kUnassignedAddress;
    Address dst = kUnassignedAddress;
    std::uint8_t tid = 0;
    LocalTime time{};
  };
  std::vector<Entry> entries_;
  std::size_t next_ = 0;
};

struct GenericOnOffServerStats {
  std::uint64_t sets = 0;
  std::uint64_t repeated = 0;  ///< same transaction within 6 s: not applied again
  std::uint64_t ignored = 0;   ///< prohibited values, malformed
  std::uint64_t published = 0;
};

class GenericOnOffServer final : public ModelHandler {
 public:
  GenericOnOffServer(const platform::Platform& platform, Access& access);
  ~GenericOnOffServer() override;
  GenericOnOffServer(const GenericOnOffServer&) = delete;
  GenericOnOffServer& operator=(const GenericOnOffServer&) = delete;

  Model& attach(std::uint8_t element);

  /// Present binary state.
  bool on() const { return present_; }
  /// Target of the running transition (std::nullopt when none runs).
  std::optional<bool> target() const;
  /// Time left until the target is reached (delay included).
  Duration remaining() const;
  /// A local change (a physical switch): applied as a Set with the given transition,
  /// and published.
  void set(bool on, std::optional<OnOffTransition> transition = std::nullopt);

  /// Each change of the present state.
  std::function<void(bool on)> on_change;
  const GenericOnOffServerStats& stats() const { return stats_; }

  // ModelHandler
  bool handles(Opcode opcode) const override;
  void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override;
  bool onPeriodicPublish(Model& model, Opcode& opcode, Bytes& params) override;

 private:
  GenericOnOffStatus status() const;
  void start(bool target, std::optional<OnOffTransition> transition);
  void onTimer();
  void setPresent(bool on);
  void publishStatus();

  const platform::Platform& platform_;
  Access& access_;
  Model* model_ = nullptr;
  TransactionTracker transactions_;
  bool present_ = false;
  bool target_ = false;
  bool transitioning_ = false;  ///< delay or transition running
  bool delaying_ = false;
  Duration transition_{0};
  LocalTime end_{};
  GenericOnOffServerStats stats_{};
  platform::Timer timer_{this, &platform::Timer::thunk<&GenericOnOffServer::onTimer>};
};

struct GenericOnOffClientStats {
  std::uint64_t sent = 0;
  std::uint64_t statuses = 0;
  std::uint64_t timeouts = 0;
};

class GenericOnOffClient final : public ModelHandler {
 public:
  static constexpr std::size_t kMaxPending = 8;
  using Callback = std::function<void(Error result, Address src, const GenericOnOffStatus* status)>;

  /// `keys` tells which NetKey an AppKey is bound to.
  GenericOnOffClient(const platform::Platform& platform, Access& access, const KeyStore& keys);
  ~GenericOnOffClient() override;
  GenericOnOffClient(const GenericOnOffClient&) = delete;
  GenericOnOffClient& operator=(const GenericOnOffClient&) = delete;

  Model& attach(std::uint8_t element);

  /// Generic OnOff Get to `dst`; the callback gets the Status (or kTimeout).
  Error get(Address dst, AppKeyIndex app_idx, Callback callback = {});
  /// Generic OnOff Set: a new transaction (new TID) unless `repeat` (a retransmission of
  /// the previous one, same TID). A group `dst` may answer several times; the callback
  /// takes the first Status.
  Error set(Address dst, AppKeyIndex app_idx, bool on, std::optional<OnOffTransition> transition,
            Callback callback = {}, bool repeat = false);
  /// Generic OnOff Set Unacknowledged.
  Error setUnacknowledged(Address dst, AppKeyIndex app_idx, bool on,
                          std::optional<OnOffTransition> transition = std::nullopt,
                          bool repeat = false);
  std::uint8_t lastTid() const { return tid_; }

  Duration timeout = seconds(5);
  /// Every Status received (answers and publications).
  std::function<void(Address src, const GenericOnOffStatus& status)> on_status;
  const GenericOnOffClientStats& stats() const { return stats_; }

  // ModelHandler
  bool handles(Opcode opcode) const override { return opcode == op::kGenericOnOffStatus; }
  void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override;

 private:
  struct Pending {
    bool used = false;
    Address dst = 0;
    LocalTime deadline{};
    Callback callback;
  };
  Error send(Address dst, AppKeyIndex app_idx, Opcode opcode, const Bytes& params,
             Callback callback, bool acknowledged);
  void onTimer();
  void arm();

  const platform::Platform& platform_;
  Access& access_;
  const KeyStore& keys_;
  Model* model_ = nullptr;
  std::uint8_t tid_ = 0;
  std::vector<Pending> pending_;
  GenericOnOffClientStats stats_{};
  platform::Timer timer_{this, &platform::Timer::thunk<&GenericOnOffClient::onTimer>};
};

}  // namespace lpm::btmesh
