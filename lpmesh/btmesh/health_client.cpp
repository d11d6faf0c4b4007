#include "lpmesh/btmesh/health_client.hpp"

#include <algorithm>

namespace lpm::btmesh {

std::optional<Opcode> healthStatusOpcodeFor(Opcode request) {
  switch (request) {
    case op::kHealthFaultGet:
    case op::kHealthFaultClear:
    case op::kHealthFaultTest:
      return op::kHealthFaultStatus;
    case op::kHealthPeriodGet:
    case op::kHealthPeriodSet:
      return op::kHealthPeriodStatus;
    case op::kAttentionGet:
    case op::kAttentionSet:
      return op::kAttentionStatus;
    default:
      return std::nullopt;
  }
}

HealthClient::HealthClient(const platform::Platform& platform, Access& access)
    : platform_(platform), access_(access) {
  pending_.resize(kMaxPending);
}

HealthClient::~HealthClient() {
  platform_.timers->stop(timer_);
}

Model& HealthClient::attach(std::uint8_t element) {
  return access_.addModel(element, ModelId::sig(kHealthClientModelId), this);
}

bool HealthClient::handles(Opcode opcode) const {
  return opcode == op::kHealthCurrentStatus || opcode == op::kHealthFaultStatus ||
         opcode == op::kHealthPeriodStatus || opcode == op::kAttentionStatus;
}

Error HealthClient::request(Address dst, NetKeyIndex net_idx, AppKeyIndex app_idx,
                            const HealthMessage& message, Callback callback) {
  const Opcode opcode = healthOpcode(message);
  if (handles(opcode)) return Error::kInvalidArgs;  // a status is not a request
  const auto status_opcode = healthStatusOpcodeFor(opcode);
  auto slot =
      std::find_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.used; });
  if (status_opcode && slot == pending_.end()) return Error::kNoBufs;
  const Bytes params = encodeHealthParams(message);
  MessageTx tx;
  tx.dst = dst;
  tx.net_idx = net_idx;
  tx.app_idx = app_idx;
  tx.opcode = opcode;
  tx.params = params;
  LPM_TRY(access_.send(tx).error());
  ++stats_.requests;
  if (!status_opcode) {
    if (callback) callback(Error::kNone, dst, nullptr);
    return Error::kNone;
  }
  *slot =
      Pending{true, dst, *status_opcode, platform_.timers->now() + timeout, std::move(callback)};
  arm();
  return Error::kNone;
}

void HealthClient::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                             Opcode opcode, ByteSpan params) {
  auto msg = parseHealthMessage(opcode, params);
  if (!msg.ok()) return;
  if (opcode == op::kHealthCurrentStatus) ++stats_.current_status;
  if (on_message) on_message(ctx.src, *msg);
  Pending* match = nullptr;
  for (Pending& p : pending_) {
    if (p.used && p.dst == ctx.src && p.status_opcode == opcode &&
        (match == nullptr || p.deadline < match->deadline)) {
      match = &p;
    }
  }
  if (match == nullptr) return;
  ++stats_.statuses;
  Callback cb = std::move(match->callback);
  *match = Pending{};
  arm();
  if (cb) cb(Error::kNone, ctx.src, &*msg);
}

void HealthClient::arm() {
  LocalTime next = kLocalTimeNever;
  for (const Pending& p : pending_) {
    if (p.used) next = std::min(next, p.deadline);
  }
  if (next == kLocalTimeNever) {
    platform_.timers->stop(timer_);
  } else {
    platform_.timers->startAt(timer_, next);
  }
}

void HealthClient::onTimer() {
  const LocalTime now = platform_.timers->now();
  for (Pending& p : pending_) {
    if (!p.used || p.deadline > now) continue;
    ++stats_.timeouts;
    Callback cb = std::move(p.callback);
    const Address dst = p.dst;
    p = Pending{};
    if (cb) cb(Error::kTimeout, dst, nullptr);
  }
  arm();
}

}  // namespace lpm::btmesh
