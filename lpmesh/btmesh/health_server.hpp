// Health Server model (Mesh Protocol 1.1 §4.4.3, messages of §4.3.3): the current and
// registered fault arrays of one Company ID, the self-test hooks (Health Fault Test),
// the Fast Period Divisor applied to publications while a fault is present, and the
// Attention Timer. Also the Health message value types, shared with the Health Client.
#pragma once

#include <cstdint>
#include <functional>
#include <variant>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

namespace op {
inline constexpr Opcode kHealthCurrentStatus = 0x04;
inline constexpr Opcode kHealthFaultStatus = 0x05;
inline constexpr Opcode kAttentionGet = 0x8004;
inline constexpr Opcode kAttentionSet = 0x8005;
inline constexpr Opcode kAttentionSetUnacknowledged = 0x8006;
inline constexpr Opcode kAttentionStatus = 0x8007;
inline constexpr Opcode kHealthFaultClear = 0x802F;
inline constexpr Opcode kHealthFaultClearUnacknowledged = 0x8030;
inline constexpr Opcode kHealthFaultGet = 0x8031;
inline constexpr Opcode kHealthFaultTest = 0x8032;
inline constexpr Opcode kHealthFaultTestUnacknowledged = 0x8033;
inline constexpr Opcode kHealthPeriodGet = 0x8034;
inline constexpr Opcode kHealthPeriodSet = 0x8035;
inline constexpr Opcode kHealthPeriodSetUnacknowledged = 0x8036;
inline constexpr Opcode kHealthPeriodStatus = 0x8037;
}  // namespace op

/// Health Current Status / Health Fault Status (§4.3.3.1, §4.3.3.6): Test ID, Company ID,
/// Fault Array (one octet per fault code).
template <Opcode kOp>
struct HealthFaultsMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint8_t test_id = 0;
  std::uint16_t company_id = 0;
  std::vector<std::uint8_t> faults;
  static Result<HealthFaultsMessage> parse(ByteSpan params) {
    ByteReader r(params);
    HealthFaultsMessage m;
    m.test_id = r.u8();
    m.company_id = r.u16le();
    const ByteSpan rest = r.rest();
    if (!r.ok()) return r.error();
    m.faults.assign(rest.begin(), rest.end());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u8(test_id);
    w.u16le(company_id);
    w.bytes(faults);
  }
  friend bool operator==(const HealthFaultsMessage&, const HealthFaultsMessage&) = default;
};
using HealthCurrentStatus = HealthFaultsMessage<op::kHealthCurrentStatus>;
using HealthFaultStatus = HealthFaultsMessage<op::kHealthFaultStatus>;

/// Company ID only: Health Fault Get / Clear / Clear Unacknowledged.
template <Opcode kOp>
struct HealthCompanyMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint16_t company_id = 0;
  static Result<HealthCompanyMessage> parse(ByteSpan params) {
    ByteReader r(params);
    HealthCompanyMessage m{r.u16le()};
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const { VectorWriter(out).u16le(company_id); }
  friend bool operator==(const HealthCompanyMessage&, const HealthCompanyMessage&) = default;
};
using HealthFaultGet = HealthCompanyMessage<op::kHealthFaultGet>;
using HealthFaultClear = HealthCompanyMessage<op::kHealthFaultClear>;
using HealthFaultClearUnacknowledged = HealthCompanyMessage<op::kHealthFaultClearUnacknowledged>;

/// Health Fault Test / Test Unacknowledged (§4.3.3.4): Test ID, Company ID.
template <Opcode kOp>
struct HealthFaultTestMessage {
  static constexpr Opcode kOpcode = kOp;
  std::uint8_t test_id = 0;
  std::uint16_t company_id = 0;
  static Result<HealthFaultTestMessage> parse(ByteSpan params) {
    ByteReader r(params);
    HealthFaultTestMessage m;
    m.test_id = r.u8();
    m.company_id = r.u16le();
    LPM_TRY(r.expectEnd());
    return m;
  }
  void encode(Bytes& out) const {
    VectorWriter w(out);
    w.u8(test_id);
    w.u16le(company_id);
  }
  friend bool operator==(const HealthFaultTestMessage&, const HealthFaultTestMessage&) = default;
};
using HealthFaultTest = HealthFaultTestMessage<op::kHealthFaultTest>;
using HealthFaultTestUnacknowledged = HealthFaultTestMessage<op::kHealthFaultTestUnacknowledged>;

using HealthPeriodGet = ConfigEmptyMessage<op::kHealthPeriodGet>;
/// value = Fast Period Divisor (0-15).
using HealthPeriodSet = ConfigOctetMessage<op::kHealthPeriodSet>;
using HealthPeriodSetUnacknowledged = ConfigOctetMessage<op::kHealthPeriodSetUnacknowledged>;
using HealthPeriodStatus = ConfigOctetMessage<op::kHealthPeriodStatus>;
using AttentionGet = ConfigEmptyMessage<op::kAttentionGet>;
/// value = Attention Timer (seconds).
using AttentionSet = ConfigOctetMessage<op::kAttentionSet>;
using AttentionSetUnacknowledged = ConfigOctetMessage<op::kAttentionSetUnacknowledged>;
using AttentionStatus = ConfigOctetMessage<op::kAttentionStatus>;

using HealthMessage =
    std::variant<HealthCurrentStatus, HealthFaultStatus, HealthFaultGet, HealthFaultClear,
                 HealthFaultClearUnacknowledged, HealthFaultTest, HealthFaultTestUnacknowledged,
                 HealthPeriodGet, HealthPeriodSet, HealthPeriodSetUnacknowledged,
                 HealthPeriodStatus, AttentionGet, AttentionSet, AttentionSetUnacknowledged,
                 AttentionStatus>;

/// kUnsupported for an opcode that is not a Health message.
Result<HealthMessage> parseHealthMessage(Opcode opcode, ByteSpan params);
Opcode healthOpcode(const HealthMessage& message);
Bytes encodeHealthParams(const HealthMessage& message);

struct HealthServerStats {
  std::uint64_t handled = 0;
  std::uint64_t ignored = 0;  ///< unknown Company ID or test, prohibited values
  std::uint64_t published = 0;
};

class HealthServer final : public ModelHandler {
 public:
  /// Fault codes each array keeps (Zephyr's samples use a few; the message has room for
  /// 377).
  static constexpr std::size_t kMaxFaults = 32;

  HealthServer(const platform::Platform& platform, Access& access, std::uint16_t company_id);
  ~HealthServer() override;
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  /// Adds the model to `element` (bound to AppKeys like any application model).
  Model& attach(std::uint8_t element = 0);

  // --- faults (§4.2.? Registered Fault / Current Fault states) ---
  /// A fault is present: it enters the current and the registered arrays. A publication
  /// goes out at once when the current array changed. kNoBufs when an array is full.
  Error raiseFault(std::uint8_t fault_code);
  /// The fault is gone: it leaves the current array (it stays registered).
  void clearFault(std::uint8_t fault_code);
  const std::vector<std::uint8_t>& currentFaults() const { return current_; }
  const std::vector<std::uint8_t>& registeredFaults() const { return registered_; }
  std::uint8_t testId() const { return test_id_; }
  std::uint16_t companyId() const { return company_id_; }

  /// Self-test hook for Health Fault Test: returns false for a Test ID it does not know
  /// (the message is then ignored). Test ID 0 is the standard test; without a hook only
  /// it is known, and it finds nothing.
  std::function<bool(std::uint8_t test_id, HealthServer& server)> run_test;

  // --- Fast Period Divisor and Attention Timer ---
  std::uint8_t fastPeriodDivisor() const { return divisor_; }
  /// Seconds left on the Attention Timer.
  std::uint8_t attention() const;
  /// Called when attention starts (true) and ends (false).
  std::function<void(bool on)> on_attention;

  const HealthServerStats& stats() const { return stats_; }

  // ModelHandler
  bool handles(Opcode opcode) const override;
  void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override;
  bool onPeriodicPublish(Model& model, Opcode& opcode, Bytes& params) override;

 private:
  bool handle(const MessageContext& ctx, const HealthMessage& msg);
  HealthCurrentStatus currentStatus() const;
  void setAttention(std::uint8_t seconds);
  void onAttentionTimer();
  void onFastTimer();
  /// Whether publications use the fast period (§4.2.?: faults present, divisor > 0).
  bool fastMode() const;
  void updateFastTimer();
  Duration fastPeriod() const;
  void publishNow();

  const platform::Platform& platform_;
  Access& access_;
  std::uint16_t company_id_;
  Model* model_ = nullptr;
  std::vector<std::uint8_t> current_;
  std::vector<std::uint8_t> registered_;
  std::uint8_t test_id_ = 0;
  std::uint8_t divisor_ = 0;
  LocalTime attention_end_{};
  HealthServerStats stats_{};
  platform::Timer attention_timer_{this, &platform::Timer::thunk<&HealthServer::onAttentionTimer>};
  platform::Timer fast_timer_{this, &platform::Timer::thunk<&HealthServer::onFastTimer>};
};

}  // namespace lpm::btmesh
