#include "lpmesh/btmesh/generic_onoff.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.onoff";
constexpr std::int64_t kResolutionMs[4] = {100, 1000, 10'000, 600'000};
constexpr Duration kDelayStep = millis(5);
}  // namespace

// ---------------------------------------------------------------------------------------
// Formats

Duration TransitionTime::duration() const {
  if (unknown()) return Duration{0};
  return millis(steps * kResolutionMs[resolution & 3U]);
}

TransitionTime TransitionTime::fromDuration(Duration d) {
  if (d <= Duration{0}) return TransitionTime{0, 0};
  const std::int64_t ms =
      duration_cast<std::chrono::milliseconds>(d + millis(1) - nanos(1)).count();
  for (std::uint8_t res = 0; res < 4; ++res) {
    const std::int64_t steps = (ms + kResolutionMs[res] - 1) / kResolutionMs[res];
    if (steps <= 0x3E) return TransitionTime{static_cast<std::uint8_t>(steps), res};
  }
  return TransitionTime{0x3E, 3};
}

Result<GenericOnOffStatus> GenericOnOffStatus::parse(ByteSpan params) {
  ByteReader r(params);
  GenericOnOffStatus m;
  m.present = r.u8();
  if (r.ok() && !r.atEnd()) {
    m.target = r.u8();
    m.remaining = TransitionTime::decode(r.u8());
  }
  LPM_TRY(r.expectEnd());
  return m;
}

void GenericOnOffStatus::encode(Bytes& out) const {
  out.push_back(present);
  if (target) {
    out.push_back(*target);
    out.push_back(remaining.encode());
  }
}

Result<GenericOnOffMessage> parseGenericOnOffMessage(Opcode opcode, ByteSpan params) {
  return parseMessageVariant<GenericOnOffMessage>(opcode, params);
}

bool TransactionTracker::isRepeat(Address src, Address dst, std::uint8_t tid, LocalTime now) {
  for (Entry& e : entries_) {
    if (e.src != src || e.dst != dst) continue;
    const bool repeat = e.tid == tid && now - e.time < kWindow;
    e.tid = tid;
    e.time = now;
    return repeat;
  }
  entries_[next_] = Entry{src, dst, tid, now};
  next_ = (next_ + 1) % entries_.size();
  return false;
}

// ---------------------------------------------------------------------------------------
// Server

GenericOnOffServer::GenericOnOffServer(const platform::Platform& platform, Access& access)
    : platform_(platform), access_(access) {}

GenericOnOffServer::~GenericOnOffServer() {
  platform_.timers->stop(timer_);
}

Model& GenericOnOffServer::attach(std::uint8_t element) {
  model_ = &access_.addModel(element, ModelId::sig(kGenericOnOffServerModelId), this);
  return *model_;
}

bool GenericOnOffServer::handles(Opcode opcode) const {
  return opcode == op::kGenericOnOffGet || opcode == op::kGenericOnOffSet ||
         opcode == op::kGenericOnOffSetUnacknowledged;
}

std::optional<bool> GenericOnOffServer::target() const {
  if (!transitioning_) return std::nullopt;
  return target_;
}

Duration GenericOnOffServer::remaining() const {
  if (!transitioning_) return Duration{0};
  return std::max(Duration{0}, end_ - platform_.timers->now());
}

GenericOnOffStatus GenericOnOffServer::status() const {
  GenericOnOffStatus s;
  s.present = present_ ? 1 : 0;
  if (transitioning_) {
    s.target = target_ ? 1 : 0;
    s.remaining = TransitionTime::fromDuration(remaining());
  }
  return s;
}

void GenericOnOffServer::setPresent(bool on) {
  if (on == present_) return;
  present_ = on;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState, on ? "on" : "off");
  if (on_change) on_change(on);
}

void GenericOnOffServer::publishStatus() {
  if (model_ == nullptr || model_->publication.address == kUnassignedAddress) return;
  Bytes params;
  status().encode(params);
  if (access_.publish(*model_, op::kGenericOnOffStatus, params).ok()) ++stats_.published;
}

void GenericOnOffServer::start(bool target, std::optional<OnOffTransition> transition) {
  platform_.timers->stop(timer_);
  // Without a Transition Time (and no Generic Default Transition Time Server on the
  // element) the change is instantaneous (§3.3.1.2.2).
  const Duration t = transition ? transition->time.duration() : Duration{0};
  const Duration delay = transition ? kDelayStep * transition->delay : Duration{0};
  target_ = target;
  if (t == Duration{0} && delay == Duration{0}) {
    transitioning_ = false;
    setPresent(target);
    publishStatus();
    return;
  }
  transitioning_ = true;
  transition_ = t;
  end_ = platform_.timers->now() + delay + t;
  delaying_ = delay > Duration{0};
  if (delaying_) {
    platform_.timers->start(timer_, delay);
  } else {
    onTimer();
  }
}

void GenericOnOffServer::onTimer() {
  if (!transitioning_) return;
  if (delaying_ || platform_.timers->now() < end_) {
    // The transition begins: the binary state goes On at its start (§3.1.1).
    delaying_ = false;
    if (target_) setPresent(true);
    if (transition_ > Duration{0}) {
      platform_.timers->startAt(timer_, end_);
      publishStatus();
      return;
    }
  }
  // The transition ends: Off only now.
  transitioning_ = false;
  setPresent(target_);
  publishStatus();
}

void GenericOnOffServer::set(bool on, std::optional<OnOffTransition> transition) {
  start(on, transition);
}

void GenericOnOffServer::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                                   Opcode opcode, ByteSpan params) {
  auto msg = parseGenericOnOffMessage(opcode, params);
  if (!msg.ok()) {
    ++stats_.ignored;
    return;
  }
  auto reply = [&] {
    Bytes out;
    status().encode(out);
    (void)access_.reply(ctx, op::kGenericOnOffStatus, out);
  };
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, GenericOnOffGet>) {
          reply();
        } else if constexpr (std::is_same_v<T, GenericOnOffSet> ||
                             std::is_same_v<T, GenericOnOffSetUnacknowledged>) {
          // §3.2.1.2: OnOff 0x02-0xFF and a Transition Time of 0x3F steps are prohibited.
          if (m.on_off > 1 || (m.transition && m.transition->time.unknown())) {
            ++stats_.ignored;
            return;
          }
          if (transactions_.isRepeat(ctx.src, ctx.dst, m.tid, platform_.timers->now())) {
            ++stats_.repeated;
          } else {
            ++stats_.sets;
            start(m.on_off == 1, m.transition);
          }
          if constexpr (std::is_same_v<T, GenericOnOffSet>) reply();
        } else {
          ++stats_.ignored;
        }
      },
      *msg);
}

bool GenericOnOffServer::onPeriodicPublish(Model& /*model*/, Opcode& opcode, Bytes& params) {
  opcode = op::kGenericOnOffStatus;
  status().encode(params);
  ++stats_.published;
  return true;
}

// ---------------------------------------------------------------------------------------
// Client

GenericOnOffClient::GenericOnOffClient(const platform::Platform& platform, Access& access,
                                       const KeyStore& keys)
    : platform_(platform), access_(access), keys_(keys) {
  pending_.resize(kMaxPending);
  // A random first TID: a rebooted client does not repeat its last transaction's TID.
  if (platform_.random != nullptr)
    tid_ = static_cast<std::uint8_t>(platform_.random->uniformInt(0, 255));
}

GenericOnOffClient::~GenericOnOffClient() {
  platform_.timers->stop(timer_);
}

Model& GenericOnOffClient::attach(std::uint8_t element) {
  model_ = &access_.addModel(element, ModelId::sig(kGenericOnOffClientModelId), this);
  return *model_;
}

Error GenericOnOffClient::send(Address dst, AppKeyIndex app_idx, Opcode opcode, const Bytes& params,
                               Callback callback, bool acknowledged) {
  if (model_ == nullptr) return Error::kInvalidState;
  auto slot =
      std::find_if(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.used; });
  if (acknowledged && slot == pending_.end()) return Error::kNoBufs;
  MessageTx tx;
  tx.element = model_->element;
  tx.dst = dst;
  tx.app_idx = app_idx;
  if (const AppKey* a = keys_.appKey(app_idx); a != nullptr) tx.net_idx = a->net_idx;
  tx.opcode = opcode;
  tx.params = params;
  LPM_TRY(access_.send(tx).error());
  ++stats_.sent;
  if (acknowledged) {
    *slot = Pending{true, dst, platform_.timers->now() + timeout, std::move(callback)};
    arm();
  }
  return Error::kNone;
}

Error GenericOnOffClient::get(Address dst, AppKeyIndex app_idx, Callback callback) {
  return send(dst, app_idx, op::kGenericOnOffGet, {}, std::move(callback), true);
}

Error GenericOnOffClient::set(Address dst, AppKeyIndex app_idx, bool on,
                              std::optional<OnOffTransition> transition, Callback callback,
                              bool repeat) {
  if (!repeat) ++tid_;
  Bytes params;
  GenericOnOffSet{static_cast<std::uint8_t>(on ? 1 : 0), tid_, transition}.encode(params);
  return send(dst, app_idx, op::kGenericOnOffSet, params, std::move(callback), true);
}

Error GenericOnOffClient::setUnacknowledged(Address dst, AppKeyIndex app_idx, bool on,
                                            std::optional<OnOffTransition> transition,
                                            bool repeat) {
  if (!repeat) ++tid_;
  Bytes params;
  GenericOnOffSetUnacknowledged{static_cast<std::uint8_t>(on ? 1 : 0), tid_, transition}.encode(
      params);
  return send(dst, app_idx, op::kGenericOnOffSetUnacknowledged, params, {}, false);
}

void GenericOnOffClient::onMessage(Access& /*access*/, Model& /*model*/, const MessageContext& ctx,
                                   Opcode opcode, ByteSpan params) {
  if (opcode != op::kGenericOnOffStatus) return;
  auto status = GenericOnOffStatus::parse(params);
  if (!status.ok()) return;
  ++stats_.statuses;
  if (on_status) on_status(ctx.src, *status);
  Pending* match = nullptr;
  for (Pending& p : pending_) {
    // A request to a group or virtual address is answered by its members.
    const bool from_dst = p.dst == ctx.src || !isUnicast(p.dst);
    if (p.used && from_dst && (match == nullptr || p.deadline < match->deadline)) match = &p;
  }
  if (match == nullptr) return;
  Callback cb = std::move(match->callback);
  *match = Pending{};
  arm();
  if (cb) cb(Error::kNone, ctx.src, &*status);
}

void GenericOnOffClient::arm() {
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

void GenericOnOffClient::onTimer() {
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
