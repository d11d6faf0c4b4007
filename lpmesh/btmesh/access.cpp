#include "lpmesh/btmesh/access.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.access";
}  // namespace

// ---------------------------------------------------------------------------------------
// Access message format (§3.7.3)

Result<AccessMessage> AccessMessage::parse(ByteSpan message) {
  ByteReader r(message);
  const std::uint8_t b0 = r.u8();
  if (!r.ok()) return Error::kTruncated;
  AccessMessage m;
  if ((b0 & 0x80U) == 0) {
    if (b0 == 0x7F) return Error::kUnsupported;  // RFU
    m.opcode = b0;
  } else if ((b0 & 0xC0U) == 0x80U) {
    const std::uint8_t b1 = r.u8();
    if (!r.ok()) return Error::kTruncated;
    m.opcode = opcode2(b0, b1);
  } else {
    const std::uint16_t company = r.u16le();
    if (!r.ok()) return Error::kTruncated;
    m.opcode = (Opcode{b0} << 16) | company;
  }
  m.params = r.rest();
  return m;
}

Error AccessMessage::encode(Bytes& out) const {
  VectorWriter w(out);
  switch (opcodeSize(opcode)) {
    case 1:
      w.u8(static_cast<std::uint8_t>(opcode));
      break;
    case 2:
      w.u16be(static_cast<std::uint16_t>(opcode));
      break;
    case 3:
      w.u8(static_cast<std::uint8_t>(opcode >> 16));
      w.u16le(static_cast<std::uint16_t>(opcode));
      break;
    default:
      return Error::kInvalidArgs;
  }
  w.bytes(params);
  return w.error();
}

// ---------------------------------------------------------------------------------------
// Models

bool Model::boundTo(AppKeyIndex app_idx) const {
  return std::find(bindings.begin(), bindings.end(), app_idx) != bindings.end();
}

bool Model::subscribedTo(Address address, const LabelUuid* label) const {
  for (const Subscription& s : subscriptions) {
    if (s.address != address) continue;
    if (!isVirtual(address)) return true;
    if (label != nullptr && s.label && *s.label == *label) return true;
  }
  return false;
}

void Model::onPeriod() {
  if (owner != nullptr) owner->onModelPeriod(*this);
}

Access::Access(const platform::Platform& platform, const NodeConfig& config, Network& network,
               KeyStore& keys, UpperTransport& upper)
    : platform_(platform), config_(config), network_(network), keys_(keys), upper_(upper) {
  upper_.setAccessSink(this);
  delayed_.resize(std::max<std::size_t>(1, config.delayed_send_queue_size));
}

Access::~Access() {
  platform_.timers->stop(delay_timer_);
  for (Element& e : elements_) {
    for (auto& m : e.models)
      platform_.timers->stop(m->period_timer);
  }
}

std::uint8_t Access::addElement(std::uint16_t location) {
  Element e;
  e.location = location;
  elements_.push_back(std::move(e));
  if (elements_.size() > 1 && elements_[0].address != kUnassignedAddress) {
    setPrimaryAddress(elements_[0].address);
  }
  return static_cast<std::uint8_t>(elements_.size() - 1);
}

Model& Access::addModel(std::uint8_t element, ModelId id, ModelHandler* handler,
                        bool dev_key_only) {
  while (elements_.size() <= element)
    addElement();
  auto m = std::make_unique<Model>();
  m->id = id;
  m->element = element;
  m->handler = handler;
  m->dev_key_only = dev_key_only;
  m->owner = this;
  elements_[element].models.push_back(std::move(m));
  return *elements_[element].models.back();
}

Model* Access::findModel(std::uint8_t element, ModelId id) {
  if (element >= elements_.size()) return nullptr;
  for (auto& m : elements_[element].models) {
    if (m->id == id) return m.get();
  }
  return nullptr;
}

void Access::setPrimaryAddress(Address primary) {
  for (std::size_t i = 0; i < elements_.size(); ++i) {
    elements_[i].address = static_cast<Address>(primary + i);
  }
}

std::optional<std::uint8_t> Access::elementOf(Address address) const {
  if (!isUnicast(address) || elements_.empty()) return std::nullopt;
  const Address first = elements_[0].address;
  if (first == kUnassignedAddress || address < first || address >= first + elements_.size()) {
    return std::nullopt;
  }
  return static_cast<std::uint8_t>(address - first);
}

// ---------------------------------------------------------------------------------------
// Configuration

Error Access::bind(Model& model, AppKeyIndex app_idx) {
  if (model.dev_key_only) return Error::kInvalidArgs;
  if (keys_.appKey(app_idx) == nullptr) return Error::kNotFound;
  if (model.boundTo(app_idx)) return Error::kNone;
  if (model.bindings.size() >= config_.model_key_count) return Error::kNoBufs;
  model.bindings.push_back(app_idx);
  return Error::kNone;
}

Error Access::unbind(Model& model, AppKeyIndex app_idx) {
  auto it = std::find(model.bindings.begin(), model.bindings.end(), app_idx);
  if (it == model.bindings.end()) return Error::kNotFound;
  model.bindings.erase(it);
  // §4.4.1.2.?: a publication with an unbound AppKey is cleared.
  if (model.publication.address != kUnassignedAddress && model.publication.app_idx == app_idx) {
    (void)setPublication(model, Publication{});
  }
  return Error::kNone;
}

Error Access::subscribe(Model& model, Address group) {
  if (!isGroup(group) || group == kAllNodes) return Error::kInvalidArgs;
  if (model.subscribedTo(group, nullptr)) return Error::kNone;
  if (model.subscriptions.size() >= config_.model_subscription_count) return Error::kNoBufs;
  model.subscriptions.push_back(Subscription{group, std::nullopt});
  return Error::kNone;
}

Error Access::subscribeVirtual(Model& model, const LabelUuid& label) {
  const Address va = virtualAddress(label);
  if (model.subscribedTo(va, &label)) return Error::kNone;
  if (model.subscriptions.size() >= config_.model_subscription_count) return Error::kNoBufs;
  LPM_TRY_ASSIGN(Address added, keys_.addLabel(label));
  model.subscriptions.push_back(Subscription{added, label});
  return Error::kNone;
}

Error Access::unsubscribe(Model& model, Address group) {
  auto it = std::find_if(model.subscriptions.begin(), model.subscriptions.end(),
                         [&](const Subscription& s) { return s.address == group && !s.label; });
  if (it == model.subscriptions.end()) return Error::kNotFound;
  model.subscriptions.erase(it);
  return Error::kNone;
}

Error Access::unsubscribeVirtual(Model& model, const LabelUuid& label) {
  auto it = std::find_if(model.subscriptions.begin(), model.subscriptions.end(),
                         [&](const Subscription& s) { return s.label && *s.label == label; });
  if (it == model.subscriptions.end()) return Error::kNotFound;
  model.subscriptions.erase(it);
  return keys_.releaseLabel(label);
}

void Access::clearSubscriptions(Model& model) {
  for (const Subscription& s : model.subscriptions) {
    if (s.label) (void)keys_.releaseLabel(*s.label);
  }
  model.subscriptions.clear();
}

Error Access::setPublication(Model& model, const Publication& p) {
  if (p.address != kUnassignedAddress) {
    if (isVirtual(p.address) && (!p.label || virtualAddress(*p.label) != p.address)) {
      return Error::kInvalidArgs;
    }
    // Publish TTL: 0x00..0x7F or 0xFF (§4.2.3.5).
    if (p.ttl > 0x7F && p.ttl != kUseDefaultTtl) return Error::kInvalidArgs;
    if (isDevKey(p.app_idx) ? !model.dev_key_only : keys_.appKey(p.app_idx) == nullptr) {
      return Error::kNotFound;
    }
    if (p.label) {
      auto added = keys_.addLabel(*p.label);
      if (!added.ok()) return added.error();
    }
  }
  if (model.publication.label) (void)keys_.releaseLabel(*model.publication.label);
  model.publication = p;
  if (p.address == kUnassignedAddress) model.publication = Publication{};
  platform_.timers->stop(model.period_timer);
  const Duration period = model.publication.period.duration();
  if (model.publication.address != kUnassignedAddress && period > Duration{0}) {
    platform_.timers->start(model.period_timer, period);
  }
  return Error::kNone;
}

bool Access::listensTo(Address address) const {
  if (isFixedGroup(address)) {
    const NetworkStates& s = network_.states();
    switch (address) {
      case kAllNodes:
        return true;
      case kAllRelays:
        return s.relay == FeatureState::kEnabled;
      case kAllFriends:
        return s.friend_feature == FeatureState::kEnabled;
      case kAllProxies:
        return s.proxy == FeatureState::kEnabled;
      default:
        break;
    }
  }
  for (const Element& e : elements_) {
    for (const auto& m : e.models) {
      for (const Subscription& s : m->subscriptions) {
        if (s.address == address) return true;
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Reception (§3.7.4)

bool Access::deliverable(const Model& model, const AccessRx& rx, std::uint8_t element_index) const {
  if (isUnicast(rx.dst)) {
    if (elements_[element_index].address != rx.dst) return false;
  } else if (isFixedGroup(rx.dst)) {
    // Fixed group addresses reach the primary element (as Zephyr does), and any model
    // that subscribed to one explicitly.
    if (element_index != 0 && !model.subscribedTo(rx.dst, nullptr)) return false;
  } else if (!model.subscribedTo(rx.dst, rx.label)) {
    return false;
  }
  // §3.7.4.? keys: device-key models take only the device key; others their bound AppKeys.
  if (isDevKey(rx.app_idx)) return model.dev_key_only;
  return !model.dev_key_only && model.boundTo(rx.app_idx);
}

void Access::onAccessMessage(const AccessRx& rx) {
  ++stats_.rx;
  auto msg = AccessMessage::parse(rx.payload);
  if (!msg.ok()) {
    ++stats_.drop_opcode;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "opcode");
    return;
  }
  MessageContext ctx;
  ctx.net_idx = rx.net_idx;
  ctx.app_idx = rx.app_idx;
  ctx.credentials = rx.credentials;
  ctx.src = rx.src;
  ctx.dst = rx.dst;
  if (rx.label != nullptr) ctx.label = *rx.label;
  ctx.recv_ttl = rx.ttl;
  ctx.rssi = rx.rssi;
  ctx.segmented = rx.segmented;
  // Copy the parameters: a handler may send, and the payload buffer is the caller's.
  const Bytes params(msg->params.begin(), msg->params.end());
  bool delivered = false;
  for (std::size_t e = 0; e < elements_.size(); ++e) {
    for (std::size_t i = 0; i < elements_[e].models.size(); ++i) {
      Model& m = *elements_[e].models[i];
      if (m.handler == nullptr || !m.handler->handles(msg->opcode)) continue;
      if (!deliverable(m, rx, static_cast<std::uint8_t>(e))) continue;
      ctx.element = static_cast<std::uint8_t>(e);
      delivered = true;
      ++stats_.delivered;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "message");
      m.handler->onMessage(*this, m, ctx, msg->opcode, params);
    }
  }
  if (!delivered) {
    ++stats_.drop_no_model;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "no_model");
  }
}

void Access::onSendDone(std::uint32_t id, Error result) {
  if (result != Error::kNone) ++stats_.tx_failed;
  if (listener_ != nullptr) listener_->onSendDone(id, result);
}

// ---------------------------------------------------------------------------------------
// Transmission

Result<std::uint32_t> Access::send(const MessageTx& tx) {
  if (tx.element >= elements_.size() || elements_[tx.element].address == kUnassignedAddress) {
    return Error::kInvalidState;
  }
  Bytes payload;
  payload.reserve(3 + tx.params.size());
  LPM_TRY((AccessMessage{tx.opcode, tx.params}.encode(payload)));
  AccessTx a;
  a.net_idx = tx.net_idx;
  a.app_idx = tx.app_idx;
  a.credentials = tx.friendship_credentials ? Credentials::kFriendship : Credentials::kFlooding;
  a.src = elements_[tx.element].address;
  a.dst = tx.dst;
  a.label = tx.label ? &*tx.label : nullptr;
  a.ttl = tx.ttl == kUseDefaultTtl ? network_.states().default_ttl : tx.ttl;
  if (a.ttl > 0x7F) return Error::kInvalidArgs;
  a.trans_mic_64 = tx.trans_mic_64;
  a.segmented = tx.segmented;
  a.payload = payload;
  auto id = upper_.sendAccess(a);
  if (id.ok()) {
    ++stats_.tx;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "message");
  } else {
    ++stats_.tx_failed;
  }
  return id;
}

Error Access::enqueue(const MessageTx& tx, Duration delay) {
  for (Delayed& d : delayed_) {
    if (d.used) continue;
    d.used = true;
    d.due = platform_.timers->now() + delay;
    d.tx = tx;
    d.params.assign(tx.params.begin(), tx.params.end());
    d.tx.params = {};
    armDelayTimer();
    return Error::kNone;
  }
  ++stats_.delayed_dropped;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "delay_queue_full");
  return Error::kNoBufs;
}

void Access::armDelayTimer() {
  LocalTime next = kLocalTimeNever;
  for (const Delayed& d : delayed_) {
    if (d.used && d.due < next) next = d.due;
  }
  if (next == kLocalTimeNever) {
    platform_.timers->stop(delay_timer_);
  } else if (!delay_timer_.isRunning() || delay_timer_.fireTime() != next) {
    platform_.timers->startAt(delay_timer_, next);
  }
}

void Access::onDelayTimer() {
  const LocalTime now = platform_.timers->now();
  // Due entries go out in due-time order (ties: queue order).
  for (;;) {
    Delayed* first = nullptr;
    for (Delayed& d : delayed_) {
      if (d.used && d.due <= now && (first == nullptr || d.due < first->due)) first = &d;
    }
    if (first == nullptr) break;
    MessageTx tx = first->tx;
    const Bytes params = std::move(first->params);
    first->used = false;
    tx.params = params;
    (void)send(tx);
  }
  armDelayTimer();
}

Error Access::reply(const MessageContext& rx, Opcode opcode, ByteSpan params) {
  if (rx.element >= elements_.size()) return Error::kInvalidArgs;
  MessageTx tx;
  tx.element = rx.element;
  tx.dst = rx.src;
  tx.net_idx = rx.net_idx;
  tx.app_idx = rx.app_idx;  // the same AppKey or device key
  tx.opcode = opcode;
  tx.params = params;
  tx.friendship_credentials = rx.credentials == Credentials::kFriendship;
  Duration delay{0};
  if (config_.random_response_delay && platform_.random != nullptr) {
    // §3.7.3.1: 20..50 ms to a unicast request, 20..500 ms to a group or virtual one.
    const std::int64_t max_ms = isUnicast(rx.dst) ? 50 : 500;
    delay = millis(platform_.random->uniformInt(20, max_ms));
  }
  if (delay == Duration{0}) return send(tx).error();
  return enqueue(tx, delay);
}

MessageTx Access::publicationTx(const Model& model, Opcode opcode, ByteSpan params) const {
  const Publication& p = model.publication;
  MessageTx tx;
  tx.element = model.element;
  tx.dst = p.address;
  tx.label = p.label;
  tx.app_idx = isDevKey(p.app_idx) ? kDevKeyLocal : p.app_idx;
  if (const AppKey* app = keys_.appKey(p.app_idx)) tx.net_idx = app->net_idx;
  tx.ttl = p.ttl;
  tx.opcode = opcode;
  tx.params = params;
  tx.friendship_credentials = p.friendship_credentials;
  return tx;
}

Result<std::uint32_t> Access::publish(Model& model, Opcode opcode, ByteSpan params) {
  const Publication& p = model.publication;
  if (p.address == kUnassignedAddress) return Error::kInvalidState;
  const MessageTx tx = publicationTx(model, opcode, params);
  LPM_TRY_ASSIGN(std::uint32_t id, send(tx));
  ++stats_.published;
  // Publish Retransmit: each repetition is a new message (new SEQ).
  for (std::uint8_t i = 1; i <= p.retransmit.count; ++i) {
    (void)enqueue(tx, p.retransmit.interval() * i);
  }
  return id;
}

void Access::onModelPeriod(Model& model) {
  const Duration period = model.publication.period.duration();
  if (model.publication.address == kUnassignedAddress || period == Duration{0}) return;
  platform_.timers->start(model.period_timer, period);
  Opcode opcode = 0;
  Bytes params;
  if (model.handler != nullptr && model.handler->onPeriodicPublish(model, opcode, params)) {
    (void)publish(model, opcode, params);
  }
}

}  // namespace lpm::btmesh
