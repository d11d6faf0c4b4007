#include "lpmesh/btmesh/upper_transport.hpp"

#include <algorithm>

namespace lpm::btmesh {

namespace {

constexpr std::string_view kLayer = "btmesh.upper";

/// Reads exactly `n` octets' worth of fields: kTruncated short, kTrailing long.
Error finish(ByteReader& r) {
  if (!r.ok()) return Error::kTruncated;
  return r.expectEnd();
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Transport Control messages

Result<FriendPoll> FriendPoll::parse(ByteSpan params) {
  ByteReader r(params);
  const std::uint8_t v = r.u8();
  LPM_TRY(finish(r));
  if ((v & 0xFEU) != 0) return Error::kMalformed;  // Padding: all other values Prohibited
  return FriendPoll{static_cast<std::uint8_t>(v & 1U)};
}

Bytes FriendPoll::encode() const {
  return Bytes{static_cast<std::uint8_t>(fsn & 1U)};
}

Result<FriendUpdate> FriendUpdate::parse(ByteSpan params) {
  ByteReader r(params);
  FriendUpdate u;
  const std::uint8_t flags = r.u8();
  u.iv_index = r.u32be();
  u.md = r.u8();
  LPM_TRY(finish(r));
  if (u.md > 1) return Error::kMalformed;  // Table 3.31: 2..255 Prohibited
  // Flags bits 2..7 are RFU: ignored on receipt.
  u.key_refresh = (flags & 0x01U) != 0;
  u.iv_update = (flags & 0x02U) != 0;
  return u;
}

Bytes FriendUpdate::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>((key_refresh ? 1U : 0U) | (iv_update ? 2U : 0U)));
  w.u32be(iv_index);
  w.u8(md);
  return out;
}

Result<FriendRequest> FriendRequest::parse(ByteSpan params) {
  ByteReader r(params);
  FriendRequest q;
  const std::uint8_t criteria = r.u8();
  q.receive_delay = r.u8();
  q.poll_timeout = r.u24be();
  q.previous_address = r.u16be();
  q.num_elements = r.u8();
  q.lpn_counter = r.u16be();
  LPM_TRY(finish(r));
  // Table 3.33: RFU (bit 7) | RSSIFactor (6..5) | ReceiveWindowFactor (4..3) |
  // MinQueueSizeLog (2..0).
  q.rssi_factor = static_cast<std::uint8_t>((criteria >> 5) & 0x03U);
  q.receive_window_factor = static_cast<std::uint8_t>((criteria >> 3) & 0x03U);
  q.min_queue_size_log = static_cast<std::uint8_t>(criteria & 0x07U);
  // Prohibited values (Tables 3.36-3.39).
  if (q.min_queue_size_log == 0 || q.receive_delay < 0x0A || q.poll_timeout < 0x0A ||
      q.poll_timeout > 0x34BBFF || q.num_elements == 0) {
    return Error::kMalformed;
  }
  return q;
}

Bytes FriendRequest::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(((rssi_factor & 0x03U) << 5) |
                                 ((receive_window_factor & 0x03U) << 3) |
                                 (min_queue_size_log & 0x07U)));
  w.u8(receive_delay);
  w.u24be(poll_timeout);
  w.u16be(previous_address);
  w.u8(num_elements);
  w.u16be(lpn_counter);
  return out;
}

Result<FriendOffer> FriendOffer::parse(ByteSpan params) {
  ByteReader r(params);
  FriendOffer o;
  o.receive_window = r.u8();
  o.queue_size = r.u8();
  o.subscription_list_size = r.u8();
  o.rssi = static_cast<std::int8_t>(r.u8());
  o.friend_counter = r.u16be();
  LPM_TRY(finish(r));
  if (o.receive_window == 0) return Error::kMalformed;  // Table 3.41
  return o;
}

Bytes FriendOffer::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u8(receive_window);
  w.u8(queue_size);
  w.u8(subscription_list_size);
  w.u8(static_cast<std::uint8_t>(rssi));
  w.u16be(friend_counter);
  return out;
}

Result<FriendClear> FriendClear::parse(ByteSpan params) {
  ByteReader r(params);
  FriendClear c;
  c.lpn_address = r.u16be();
  c.lpn_counter = r.u16be();
  LPM_TRY(finish(r));
  if (!isUnicast(c.lpn_address)) return Error::kMalformed;
  return c;
}

Bytes FriendClear::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u16be(lpn_address);
  w.u16be(lpn_counter);
  return out;
}

Result<FriendClearConfirm> FriendClearConfirm::parse(ByteSpan params) {
  LPM_TRY_ASSIGN(FriendClear c, FriendClear::parse(params));
  FriendClearConfirm out;
  out.lpn_address = c.lpn_address;
  out.lpn_counter = c.lpn_counter;
  return out;
}

Result<FriendSubscriptionList> FriendSubscriptionList::parse(ByteSpan params) {
  ByteReader r(params);
  FriendSubscriptionList l;
  l.transaction_number = r.u8();
  if (!r.ok() || r.remaining() < 2) return Error::kTruncated;
  if (r.remaining() % 2 != 0) return Error::kTrailing;
  while (!r.atEnd()) {
    const Address a = r.u16be();
    if (!isGroup(a) && !isVirtual(a)) return Error::kMalformed;
    l.addresses.push_back(a);
  }
  return l;
}

Bytes FriendSubscriptionList::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u8(transaction_number);
  for (Address a : addresses)
    w.u16be(a);
  return out;
}

Result<FriendSubscriptionListConfirm> FriendSubscriptionListConfirm::parse(ByteSpan params) {
  ByteReader r(params);
  FriendSubscriptionListConfirm c;
  c.transaction_number = r.u8();
  LPM_TRY(finish(r));
  return c;
}

Bytes FriendSubscriptionListConfirm::encode() const {
  return Bytes{transaction_number};
}

Result<Heartbeat> Heartbeat::parse(ByteSpan params) {
  ByteReader r(params);
  Heartbeat h;
  h.init_ttl = static_cast<std::uint8_t>(r.u8() & 0x7FU);  // bit 7 RFU: ignored
  h.features = r.u16be();
  LPM_TRY(finish(r));
  return h;
}

Bytes Heartbeat::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(init_ttl & 0x7FU));
  w.u16be(features);
  return out;
}

Error validateControlMessage(std::uint8_t opcode, ByteSpan params) {
  auto check = [](const auto& result) { return result.ok() ? Error::kNone : result.error(); };
  switch (static_cast<ControlOpcode>(opcode)) {
    case ControlOpcode::kFriendPoll:
      return check(FriendPoll::parse(params));
    case ControlOpcode::kFriendUpdate:
      return check(FriendUpdate::parse(params));
    case ControlOpcode::kFriendRequest:
      return check(FriendRequest::parse(params));
    case ControlOpcode::kFriendOffer:
      return check(FriendOffer::parse(params));
    case ControlOpcode::kFriendClear:
      return check(FriendClear::parse(params));
    case ControlOpcode::kFriendClearConfirm:
      return check(FriendClearConfirm::parse(params));
    case ControlOpcode::kFriendSubscriptionListAdd:
    case ControlOpcode::kFriendSubscriptionListRemove:
      return check(FriendSubscriptionList::parse(params));
    case ControlOpcode::kFriendSubscriptionListConfirm:
      return check(FriendSubscriptionListConfirm::parse(params));
    case ControlOpcode::kHeartbeat:
      return check(Heartbeat::parse(params));
    default:
      return Error::kUnsupported;
  }
}

// ---------------------------------------------------------------------------------------
// Layer

UpperTransport::UpperTransport(const platform::Platform& platform, Network& network,
                               LowerTransport& lower, KeyStore& keys)
    : platform_(platform), network_(network), lower_(lower), keys_(keys) {
  lower_.setUpper(this);
}

Error UpperTransport::addControlHandler(ControlMessageHandler* handler) {
  for (auto& h : control_handlers_) {
    if (h == nullptr) {
      h = handler;
      return Error::kNone;
    }
  }
  return Error::kNoBufs;
}

void UpperTransport::removeControlHandler(ControlMessageHandler* handler) {
  for (auto& h : control_handlers_) {
    if (h == handler) h = nullptr;
  }
}

bool UpperTransport::controlListensTo(Address dst) const {
  for (const ControlMessageHandler* h : control_handlers_) {
    if (h != nullptr && h->acceptsDestination(dst)) return true;
  }
  return false;
}

void UpperTransport::drop(std::uint64_t& counter, std::string_view reason) {
  ++counter;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, reason);
}

Result<std::uint32_t> UpperTransport::sendAccess(const AccessTx& tx) {
  const std::size_t max = tx.trans_mic_64 ? kMaxAccessMessage64 : kMaxAccessMessage32;
  if (tx.payload.empty() || tx.payload.size() > max) return Error::kInvalidArgs;
  if (!validDestination(tx.dst, false)) return Error::kInvalidArgs;

  const Key* key = nullptr;
  bool akf = false;
  std::uint8_t aid = 0;
  if (isDevKey(tx.app_idx)) {
    if (!validForDeviceKey(tx.dst)) return Error::kInvalidArgs;  // §3.4.3 Table 3.9
    key = tx.app_idx == kDevKeyLocal ? &keys_.devKey() : keys_.remoteDevKey(tx.dst);
    if (key == nullptr) return Error::kNotFound;
  } else {
    const AppKey* app = keys_.appKey(tx.app_idx);
    if (app == nullptr) return Error::kNotFound;
    if (app->net_idx != tx.net_idx) return Error::kInvalidArgs;
    LPM_TRY_ASSIGN(KeyStore::AppTxKey k, keys_.appTxKey(tx.app_idx));
    key = k.key;
    akf = true;
    aid = k.aid;
  }
  if (isVirtual(tx.dst) && (tx.label == nullptr || virtualAddress(*tx.label) != tx.dst)) {
    return Error::kInvalidArgs;
  }
  const LabelUuid* label = isVirtual(tx.dst) ? tx.label : nullptr;

  const MicSize mic = tx.trans_mic_64 ? MicSize::k64 : MicSize::k32;
  const bool segmented = tx.segmented || tx.trans_mic_64 ||
                         tx.payload.size() + micBytes(mic) > kMaxUnsegmentedAccessPdu;
  const bool aszmic = segmented && tx.trans_mic_64;
  LPM_TRY_ASSIGN(SeqAllocation seq, network_.allocateSeq(tx.src));
  const Nonce nonce = akf ? applicationNonce(aszmic, seq.seq, tx.src, tx.dst, seq.iv_index)
                          : deviceNonce(aszmic, seq.seq, tx.src, tx.dst, seq.iv_index);
  LPM_TRY_ASSIGN(Bytes upper, encryptTransMic(*key, nonce, tx.payload, mic, label));

  LowerTransportTx lt;
  lt.net_idx = tx.net_idx;
  lt.credentials = tx.credentials;
  lt.friendship_id = tx.friendship_id;
  lt.src = tx.src;
  lt.dst = tx.dst;
  lt.ttl = tx.ttl;
  lt.ctl = false;
  lt.akf = akf;
  lt.aid = aid;
  lt.szmic = aszmic;
  lt.upper_pdu = upper;
  lt.seq = seq;
  lt.segmented = segmented;
  LPM_TRY_ASSIGN(std::uint32_t id, lower_.send(lt));
  ++stats_.tx_access;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "access");
  return id;
}

Result<std::uint32_t> UpperTransport::sendControl(const ControlTx& tx) {
  if (tx.opcode == 0 || tx.opcode > 0x7F) return Error::kInvalidArgs;
  if (!validDestination(tx.dst, true)) return Error::kInvalidArgs;
  if (tx.params.size() > kMaxUpperTransportControlPdu) return Error::kTooLong;
  LPM_TRY_ASSIGN(SeqAllocation seq, network_.allocateSeq(tx.src));
  LowerTransportTx lt;
  lt.net_idx = tx.net_idx;
  lt.credentials = tx.credentials;
  lt.friendship_id = tx.friendship_id;
  lt.src = tx.src;
  lt.dst = tx.dst;
  lt.ttl = tx.ttl;
  lt.ctl = true;
  lt.opcode = tx.opcode;
  lt.upper_pdu = tx.params;
  lt.seq = seq;
  lt.segmented = tx.segmented;
  LPM_TRY_ASSIGN(std::uint32_t id, lower_.send(lt));
  ++stats_.tx_control;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "control");
  return id;
}

Error UpperTransport::onUpperTransportPdu(const TransportRx& rx) {
  return rx.ctl ? receiveControl(rx) : receiveAccess(rx);
}

void UpperTransport::onSegmentedSendDone(std::uint32_t id, Error result) {
  if (access_ != nullptr) access_->onSendDone(id, result);
}

bool UpperTransport::acceptsControlDestination(Address dst) const {
  // §3.6.4.2 Table 3.27.
  if (network_.isOwnAddress(dst)) return true;
  const NetworkStates& s = network_.states();
  switch (dst) {
    case kAllNodes:
      return true;
    case kAllRelays:
      return s.relay == FeatureState::kEnabled;
    case kAllFriends:
      return s.friend_feature == FeatureState::kEnabled;
    case kAllProxies:
      return s.proxy == FeatureState::kEnabled;
    default:
      return controlListensTo(dst);
  }
}

Error UpperTransport::receiveControl(const TransportRx& rx) {
  if (!acceptsControlDestination(rx.dst)) {
    drop(stats_.drop_invalid, "control_destination");
    return Error::kDropped;
  }
  // §3.6.4.3: messages not understood are ignored.
  if (const Error e = validateControlMessage(rx.opcode, rx.upper_pdu); e != Error::kNone) {
    drop(stats_.drop_control, e == Error::kUnsupported ? "control_opcode" : "control_format");
    return e;
  }
  ++stats_.rx_control;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "control");
  ControlRx c;
  c.net_idx = rx.net_idx;
  c.key_slot = rx.key_slot;
  c.credentials = rx.credentials;
  c.friendship_id = rx.friendship_id;
  c.src = rx.src;
  c.dst = rx.dst;
  c.ttl = rx.ttl;
  c.rssi = rx.rssi;
  c.iv_index = rx.iv_index;
  c.seq = rx.seq;
  c.opcode = rx.opcode;
  c.params = rx.upper_pdu;
  for (ControlMessageHandler* h : control_handlers_) {
    if (h != nullptr) h->onControlMessage(c);
  }
  return Error::kNone;
}

Error UpperTransport::receiveAccess(const TransportRx& rx) {
  // Unsegmented messages always carry a 32-bit TransMIC (§3.5.2.1).
  const MicSize mic = rx.segmented && rx.szmic ? MicSize::k64 : MicSize::k32;
  const bool aszmic = rx.segmented && rx.szmic;
  if (rx.upper_pdu.size() <= micBytes(mic)) {
    drop(stats_.drop_invalid, "access_size");
    return Error::kMalformed;
  }

  AccessRx out;
  out.net_idx = rx.net_idx;
  out.credentials = rx.credentials;
  out.src = rx.src;
  out.dst = rx.dst;
  out.ttl = rx.ttl;
  out.rssi = rx.rssi;
  out.segmented = rx.segmented;
  out.iv_index = rx.iv_index;
  out.seq = rx.seq;

  LabelUuid label_copy{};  // the handler may change the label table while it runs
  auto deliver = [&](const Bytes& plain, AppKeyIndex app_idx, const LabelUuid* label) {
    out.app_idx = app_idx;
    if (label != nullptr) label_copy = *label;
    out.label = label != nullptr ? &label_copy : nullptr;
    out.payload = plain;
    ++stats_.rx_access;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "access");
    if (access_ != nullptr) access_->onAccessMessage(out);
    return Error::kNone;
  };

  if (!rx.akf) {
    // §3.4.3 Table 3.9: device keys only with unicast destinations.
    if (!isUnicast(rx.dst) || rx.aid != 0) {
      drop(stats_.drop_invalid, "devkey_destination");
      return Error::kDropped;
    }
    const Nonce nonce = deviceNonce(aszmic, rx.seq, rx.src, rx.dst, rx.iv_index);
    if (network_.isOwnAddress(rx.dst)) {
      if (auto plain = decryptTransMic(keys_.devKey(), nonce, rx.upper_pdu, mic); plain.ok()) {
        return deliver(*plain, kDevKeyLocal, nullptr);
      }
    }
    if (const Key* remote = keys_.remoteDevKey(rx.src)) {
      if (auto plain = decryptTransMic(*remote, nonce, rx.upper_pdu, mic); plain.ok()) {
        return deliver(*plain, kDevKeyRemote, nullptr);
      }
    }
    drop(stats_.drop_auth, "trans_mic");
    return Error::kAuthFailed;
  }

  const Nonce nonce = applicationNonce(aszmic, rx.seq, rx.src, rx.dst, rx.iv_index);
  bool key_found = false;
  for (const AppKey& app : keys_.appKeys()) {
    if (app.net_idx != rx.net_idx) continue;
    for (std::size_t slot = 0; slot < (app.has_new ? 2U : 1U); ++slot) {
      if (app.aid[slot] != rx.aid) continue;
      key_found = true;
      if (isVirtual(rx.dst)) {
        // §3.4.2.3: every Label UUID with this hash is tried until one authenticates.
        for (const VirtualLabel& l : keys_.labels()) {
          if (l.address != rx.dst) continue;
          auto plain = decryptTransMic(app.keys[slot], nonce, rx.upper_pdu, mic, &l.uuid);
          if (plain.ok()) return deliver(*plain, app.app_idx, &l.uuid);
        }
      } else if (auto plain = decryptTransMic(app.keys[slot], nonce, rx.upper_pdu, mic);
                 plain.ok()) {
        return deliver(*plain, app.app_idx, nullptr);
      }
    }
  }
  if (!key_found) {
    drop(stats_.drop_no_key, "unknown_aid");
    return Error::kNotFound;
  }
  drop(stats_.drop_auth, "trans_mic");
  return Error::kAuthFailed;
}

}  // namespace lpm::btmesh
