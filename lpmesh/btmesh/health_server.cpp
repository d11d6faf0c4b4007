#include "lpmesh/btmesh/health_server.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.health";
}  // namespace

Result<HealthMessage> parseHealthMessage(Opcode opcode, ByteSpan params) {
  return parseMessageVariant<HealthMessage>(opcode, params);
}

Opcode healthOpcode(const HealthMessage& message) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kOpcode; }, message);
}

Bytes encodeHealthParams(const HealthMessage& message) {
  Bytes out;
  std::visit([&](const auto& m) { m.encode(out); }, message);
  return out;
}

HealthServer::HealthServer(const platform::Platform& platform, Access& access,
                           std::uint16_t company_id)
    : platform_(platform), access_(access), company_id_(company_id) {}

HealthServer::~HealthServer() {
  platform_.timers->stop(attention_timer_);
  platform_.timers->stop(fast_timer_);
}

Model& HealthServer::attach(std::uint8_t element) {
  model_ = &access_.addModel(element, ModelId::sig(kHealthServerModelId), this);
  return *model_;
}

bool HealthServer::handles(Opcode opcode) const {
  switch (opcode) {
    case op::kHealthFaultGet:
    case op::kHealthFaultClear:
    case op::kHealthFaultClearUnacknowledged:
    case op::kHealthFaultTest:
    case op::kHealthFaultTestUnacknowledged:
    case op::kHealthPeriodGet:
    case op::kHealthPeriodSet:
    case op::kHealthPeriodSetUnacknowledged:
    case op::kAttentionGet:
    case op::kAttentionSet:
    case op::kAttentionSetUnacknowledged:
      return true;
    default:
      return false;
  }
}

HealthCurrentStatus HealthServer::currentStatus() const {
  return HealthCurrentStatus{test_id_, company_id_, current_};
}

Error HealthServer::raiseFault(std::uint8_t fault_code) {
  const bool in_current = std::find(current_.begin(), current_.end(), fault_code) != current_.end();
  const bool in_registered =
      std::find(registered_.begin(), registered_.end(), fault_code) != registered_.end();
  if ((!in_current && current_.size() >= kMaxFaults) ||
      (!in_registered && registered_.size() >= kMaxFaults)) {
    return Error::kNoBufs;
  }
  if (!in_registered) registered_.push_back(fault_code);
  if (in_current) return Error::kNone;
  current_.push_back(fault_code);
  updateFastTimer();
  publishNow();
  return Error::kNone;
}

void HealthServer::clearFault(std::uint8_t fault_code) {
  if (std::erase(current_, fault_code) == 0) return;
  updateFastTimer();
  publishNow();
}

std::uint8_t HealthServer::attention() const {
  const Duration left = attention_end_ - platform_.timers->now();
  if (!attention_timer_.isRunning() || left <= Duration{0}) return 0;
  return static_cast<std::uint8_t>((left.count() + 999'999'999) / 1'000'000'000);
}

void HealthServer::setAttention(std::uint8_t secs) {
  const bool was_on = attention() > 0;
  if (secs == 0) {
    platform_.timers->stop(attention_timer_);
  } else {
    attention_end_ = platform_.timers->now() + seconds(secs);
    platform_.timers->startAt(attention_timer_, attention_end_);
  }
  const bool on = secs > 0;
  if (on != was_on && on_attention) on_attention(on);
}

void HealthServer::onAttentionTimer() {
  if (on_attention) on_attention(false);
}

bool HealthServer::fastMode() const {
  return model_ != nullptr && divisor_ > 0 && !current_.empty() &&
         model_->publication.address != kUnassignedAddress &&
         model_->publication.period.duration() > Duration{0};
}

void HealthServer::updateFastTimer() {
  if (!fastMode()) {
    platform_.timers->stop(fast_timer_);
    return;
  }
  if (fast_timer_.isRunning()) return;
  // §4.2.? Health Fast Period Divisor: the publish period divided by 2^divisor.
  platform_.timers->start(fast_timer_, fastPeriod());
}

Duration HealthServer::fastPeriod() const {
  return model_->publication.period.duration() / (std::int64_t{1} << divisor_);
}

void HealthServer::onFastTimer() {
  if (!fastMode()) return;
  publishNow();
  platform_.timers->start(fast_timer_, fastPeriod());
}

void HealthServer::publishNow() {
  if (model_ == nullptr || model_->publication.address == kUnassignedAddress) return;
  Bytes params;
  currentStatus().encode(params);
  if (access_.publish(*model_, op::kHealthCurrentStatus, params).ok()) ++stats_.published;
}

bool HealthServer::onPeriodicPublish(Model& /*model*/, Opcode& opcode, Bytes& params) {
  // While faults are present and a divisor is set, the fast timer publishes instead.
  updateFastTimer();
  if (fastMode()) return false;
  opcode = op::kHealthCurrentStatus;
  currentStatus().encode(params);
  ++stats_.published;
  return true;
}

void HealthServer::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                             Opcode opcode, ByteSpan params) {
  auto msg = parseHealthMessage(opcode, params);
  if (msg.ok() && handle(ctx, *msg)) {
    ++stats_.handled;
  } else {
    ++stats_.ignored;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "ignored");
  }
}

bool HealthServer::handle(const MessageContext& ctx, const HealthMessage& message) {
  return std::visit(
      [&](const auto& m) -> bool {
        using T = std::decay_t<decltype(m)>;
        auto reply = [&](const auto& status) {
          Bytes out;
          status.encode(out);
          (void)access_.reply(ctx, std::decay_t<decltype(status)>::kOpcode, out);
        };
        if constexpr (std::is_same_v<T, HealthFaultGet> || std::is_same_v<T, HealthFaultClear> ||
                      std::is_same_v<T, HealthFaultClearUnacknowledged>) {
          // §4.4.3.2: another Company ID's faults are unknown here; no response.
          if (m.company_id != company_id_) return false;
          if constexpr (!std::is_same_v<T, HealthFaultGet>) registered_.clear();
          if constexpr (!std::is_same_v<T, HealthFaultClearUnacknowledged>) {
            reply(HealthFaultStatus{test_id_, company_id_, registered_});
          }
          return true;
        } else if constexpr (std::is_same_v<T, HealthFaultTest> ||
                             std::is_same_v<T, HealthFaultTestUnacknowledged>) {
          if (m.company_id != company_id_) return false;
          const bool known = run_test ? run_test(m.test_id, *this) : m.test_id == 0;
          if (!known) return false;
          test_id_ = m.test_id;
          if constexpr (std::is_same_v<T, HealthFaultTest>) {
            reply(HealthFaultStatus{test_id_, company_id_, registered_});
          }
          return true;
        } else if constexpr (std::is_same_v<T, HealthPeriodGet> ||
                             std::is_same_v<T, HealthPeriodSet> ||
                             std::is_same_v<T, HealthPeriodSetUnacknowledged>) {
          if constexpr (!std::is_same_v<T, HealthPeriodGet>) {
            // §4.2.?: Fast Period Divisor 0-15; 16-255 prohibited.
            if (m.value > 15) return false;
            divisor_ = m.value;
            platform_.timers->stop(fast_timer_);
            updateFastTimer();
          }
          if constexpr (!std::is_same_v<T, HealthPeriodSetUnacknowledged>) {
            reply(HealthPeriodStatus{divisor_});
          }
          return true;
        } else if constexpr (std::is_same_v<T, AttentionGet> || std::is_same_v<T, AttentionSet> ||
                             std::is_same_v<T, AttentionSetUnacknowledged>) {
          if constexpr (!std::is_same_v<T, AttentionGet>) setAttention(m.value);
          if constexpr (!std::is_same_v<T, AttentionSetUnacknowledged>) {
            reply(AttentionStatus{attention()});
          }
          return true;
        } else {
          return false;  // statuses are the client's
        }
      },
      message);
}

}  // namespace lpm::btmesh
