#include "lpmesh/btmesh/network.hpp"

#include <algorithm>
#include <cstdio>

namespace lpm::btmesh {

namespace {

constexpr std::string_view kLayer = "btmesh.net";
// §3.4.4: 9 header octets, a TransportPDU of at least one octet and a 32-bit NetMIC.
constexpr std::size_t kMinNetworkPdu = kNetworkHeaderSize + 1 + 4;
constexpr std::size_t kMaxAccessTransportPdu = 16;
constexpr std::size_t kMaxControlTransportPdu = 12;

std::string seqKey(std::size_t element) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "btmesh/seq/%02zx", element);
  return buf;
}
constexpr std::string_view kIvKey = "btmesh/iv";

}  // namespace

Network::Network(const platform::Platform& platform, const NodeConfig& config, KeyStore& keys)
    : platform_(platform), config_(config), keys_(keys) {
  states_.network_transmit = config.network_transmit;
  states_.relay_retransmit = config.relay_retransmit;
  states_.relay = config.relay;
  states_.proxy = config.proxy;
  states_.friend_feature = config.friend_feature;
  states_.default_ttl = config.default_ttl;
  cache_.resize(std::max<std::size_t>(2, config.msg_cache_size));
  loopback_.resize(std::max<std::size_t>(1, config.loopback_queue_size));

  // A stored IV Index state wins over the provisioned one when it is newer: the node
  // took part in an IV Update before a reboot.
  if (platform_.settings != nullptr) {
    if (auto v = platform_.settings->get(kIvKey); v.ok() && v->size() == 5) {
      ByteReader r(*v);
      const std::uint32_t index = r.u32be();
      const bool update = (r.u8() & 1U) != 0;
      IvIndexState& iv = keys_.ivIndex();
      if (index > iv.index || (index == iv.index && update != iv.update_in_progress)) {
        iv.index = index;
        iv.update_in_progress = update;
      }
    }
  }
}

Network::~Network() {
  if (platform_.timers != nullptr) platform_.timers->stop(loopback_timer_);
}

Result<InterfaceId> Network::addInterface(NetworkInterface* interface) {
  for (std::size_t i = 0; i < interfaces_.size(); ++i) {
    if (interfaces_[i] == nullptr) {
      interfaces_[i] = interface;
      return static_cast<InterfaceId>(i);
    }
  }
  return Error::kNoBufs;
}

void Network::removeInterface(InterfaceId id) {
  if (id < interfaces_.size()) interfaces_[id] = nullptr;
}

Error Network::setElements(Address primary, std::uint8_t count) {
  if (!isUnicast(primary) || count == 0 || !isUnicast(static_cast<Address>(primary + count - 1))) {
    return Error::kInvalidArgs;
  }
  primary_ = primary;
  seqs_.assign(count, ElementSeq{});
  const std::uint32_t tx_iv = keys_.ivIndex().txIndex();
  for (std::size_t i = 0; i < seqs_.size(); ++i) {
    if (platform_.settings == nullptr) break;
    auto v = platform_.settings->get(seqKey(i));
    if (!v.ok() || v->size() != 8) continue;
    ByteReader r(*v);
    const std::uint32_t iv = r.u32be();
    const std::uint32_t end = r.u32be();
    // Everything below the stored block end may have been used with that IV Index.
    if (iv == tx_iv) seqs_[i].next = seqs_[i].reserved_end = std::min(end, kMaxSeq + 1);
  }
  return Error::kNone;
}

void Network::persistSeq(std::size_t element) {
  if (platform_.settings == nullptr) return;
  std::array<std::uint8_t, 8> buf{};
  ByteWriter w(buf);
  w.u32be(keys_.ivIndex().txIndex());
  w.u32be(seqs_[element].reserved_end);
  (void)platform_.settings->set(seqKey(element), buf);
}

void Network::persistIv() {
  if (platform_.settings == nullptr) return;
  std::array<std::uint8_t, 5> buf{};
  ByteWriter w(buf);
  w.u32be(keys_.ivIndex().index);
  w.u8(keys_.ivIndex().update_in_progress ? 1 : 0);
  (void)platform_.settings->set(kIvKey, buf);
}

Result<SeqAllocation> Network::allocateSeq(Address src) {
  if (!isOwnAddress(src)) return Error::kInvalidArgs;
  const std::size_t i = static_cast<std::size_t>(src - primary_);
  ElementSeq& e = seqs_[i];
  if (e.next > kMaxSeq) {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "seq_exhausted");
    return Error::kInvalidState;
  }
  if (e.next >= e.reserved_end) {
    const std::uint64_t end =
        std::uint64_t{e.next} + std::max<std::uint32_t>(1, config_.seq_store_block);
    e.reserved_end = static_cast<std::uint32_t>(std::min<std::uint64_t>(end, kMaxSeq + 1));
    persistSeq(i);
  }
  const std::uint32_t seq = e.next++;
  if (seq == config_.iv_update_seq_limit && listener_ != nullptr) listener_->onSeqLimitReached();
  return SeqAllocation{seq, keys_.ivIndex().txIndex()};
}

std::uint32_t Network::nextSeq(Address src) const {
  if (!isOwnAddress(src)) return 0;
  return seqs_[static_cast<std::size_t>(src - primary_)].next;
}

void Network::setIvIndex(std::uint32_t index, bool update_in_progress) {
  IvIndexState& iv = keys_.ivIndex();
  const std::uint32_t old_tx = iv.txIndex();
  iv.index = index;
  iv.update_in_progress = update_in_progress;
  if (iv.txIndex() != old_tx) {
    // §3.11.5: a new transmit IV Index restarts every element's sequence numbers.
    for (std::size_t i = 0; i < seqs_.size(); ++i) {
      seqs_[i] = ElementSeq{};
      persistSeq(i);
    }
  }
  persistIv();
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState,
                  update_in_progress ? "iv_update_in_progress" : "iv_normal");
}

void Network::drop(std::uint64_t& counter, std::string_view reason) {
  ++counter;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, reason);
}

void Network::rebuildCredentials() {
  credentials_.clear();
  for (const Subnet& s : keys_.subnets()) {
    credentials_.push_back(RxCredential{s.keys[0].flooding.nid, &s.keys[0].flooding, s.net_idx, 0,
                                        Credentials::kFlooding, 0});
    if (s.hasNewKey()) {
      credentials_.push_back(RxCredential{s.keys[1].flooding.nid, &s.keys[1].flooding, s.net_idx, 1,
                                          Credentials::kFlooding, 0});
    }
  }
  for (const FriendshipCredentials& f : keys_.friendships()) {
    const Subnet* s = keys_.subnet(f.net_idx);
    if (s == nullptr) continue;
    credentials_.push_back(RxCredential{f.material[0].nid, &f.material[0], f.net_idx, 0,
                                        Credentials::kFriendship, f.id});
    if (s->hasNewKey()) {
      credentials_.push_back(RxCredential{f.material[1].nid, &f.material[1], f.net_idx, 1,
                                          Credentials::kFriendship, f.id});
    }
  }
  credentials_version_ = keys_.version();
}

bool Network::cacheContains(const CacheEntry& e) const {
  for (std::size_t i = 0; i < cache_used_; ++i) {
    const CacheEntry& c = cache_[i];
    if (c.src == e.src && c.seq == e.seq && c.iv_index == e.iv_index) return true;
  }
  return false;
}

void Network::cacheAdd(const CacheEntry& e) {
  // §3.4.6.5: when full, the new entry replaces the oldest one.
  cache_[cache_next_] = e;
  cache_next_ = (cache_next_ + 1) % cache_.size();
  cache_used_ = std::min(cache_used_ + 1, cache_.size());
}

const SecurityMaterial* Network::txMaterial(NetKeyIndex net_idx, std::uint8_t slot,
                                            Credentials credentials,
                                            std::uint16_t friendship_id) const {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr || slot > 1) return nullptr;
  switch (credentials) {
    case Credentials::kFlooding:
      return &s->keys[slot].flooding;
    case Credentials::kDirected:
      return &s->keys[slot].directed;
    case Credentials::kFriendship: {
      const FriendshipCredentials* f = keys_.friendship(friendship_id);
      if (f == nullptr || f->net_idx != net_idx) return nullptr;
      return &f->material[slot];
    }
  }
  return nullptr;
}

Network::Fanout Network::toInterfaces(const OutboundPdu& out, bool adv, bool gatt,
                                      InterfaceId skip) {
  Fanout f;
  for (std::size_t i = 0; i < interfaces_.size(); ++i) {
    NetworkInterface* itf = interfaces_[i];
    if (itf == nullptr || i == skip) continue;
    const BearerType type = itf->bearerType();
    if ((type == BearerType::kAdvertising && !adv) || (type == BearerType::kGatt && !gatt)) {
      continue;
    }
    // §3.4.5.2: TTL 1 leaves only when tagged relay; GATT never carries friendship PDUs.
    if ((out.header.ttl == 1 && !out.relay) ||
        (type == BearerType::kGatt && out.credentials == Credentials::kFriendship) ||
        !itf->outputFilter(out)) {
      drop(stats_.drop_filter, "output_filter");
      continue;
    }
    const Error e = itf->transmit(out);
    if (e == Error::kNone) {
      ++f.accepted;
    } else if (e == Error::kNoBufs) {
      f.no_bufs = true;
    }
  }
  return f;
}

bool Network::enqueueLoopback(const NetworkRx& rx) {
  if (loopback_count_ == loopback_.size() || rx.transport_pdu.size() > 16) return false;
  LoopbackEntry& e = loopback_[(loopback_head_ + loopback_count_) % loopback_.size()];
  e.rx = rx;
  e.len = static_cast<std::uint8_t>(rx.transport_pdu.size());
  std::copy(rx.transport_pdu.begin(), rx.transport_pdu.end(), e.pdu.begin());
  ++loopback_count_;
  if (!loopback_timer_.isRunning() && platform_.timers != nullptr) {
    platform_.timers->start(loopback_timer_, Duration{0});
  }
  return true;
}

void Network::onLoopbackTimer() {
  // Deliver only what is queued now; PDUs queued while delivering wait for the next run.
  std::size_t n = loopback_count_;
  while (n-- > 0 && loopback_count_ > 0) {
    LoopbackEntry e = loopback_[loopback_head_];
    loopback_head_ = (loopback_head_ + 1) % loopback_.size();
    --loopback_count_;
    e.rx.transport_pdu = ByteSpan(e.pdu.data(), e.len);
    ++stats_.loopback;
    if (upper_ != nullptr) upper_->onNetworkPdu(e.rx);
  }
  if (loopback_count_ > 0 && platform_.timers != nullptr) {
    platform_.timers->start(loopback_timer_, Duration{0});
  }
}

Error Network::send(const NetworkTx& tx) {
  if (!isOwnAddress(tx.src)) return Error::kInvalidArgs;
  if (!validDestination(tx.dst, tx.ctl) || tx.ttl > 127) return Error::kInvalidArgs;
  const std::size_t max = tx.ctl ? kMaxControlTransportPdu : kMaxAccessTransportPdu;
  if (tx.transport_pdu.empty()) return Error::kInvalidArgs;
  if (tx.transport_pdu.size() > max) return Error::kTooLong;
  const Subnet* subnet = keys_.subnet(tx.net_idx);
  if (subnet == nullptr) return Error::kNotFound;
  const std::uint8_t slot = subnet->txSlot();
  const SecurityMaterial* material = txMaterial(tx.net_idx, slot, tx.credentials, tx.friendship_id);
  if (material == nullptr) return Error::kNotFound;

  SeqAllocation seq{};
  if (tx.seq) {
    seq = *tx.seq;
  } else {
    LPM_TRY_ASSIGN(seq, allocateSeq(tx.src));
  }
  const NetworkHeader header{tx.ctl, tx.ttl, seq.seq, tx.src, tx.dst};
  ++stats_.tx;
  // Remember our own PDU so that an echo from a relay is not processed again.
  cacheAdd(CacheEntry{seq.iv_index, seq.seq, tx.src});

  bool local = false;
  bool loopback_full = false;
  const bool own_unicast = upper_ != nullptr && upper_->isOwnUnicast(tx.dst);
  if (upper_ != nullptr && (own_unicast || upper_->listensTo(tx.dst))) {
    NetworkRx rx;
    rx.interface = kLocalInterface;
    rx.bearer = BearerType::kLocal;
    rx.net_idx = tx.net_idx;
    rx.key_slot = slot;
    rx.credentials = tx.credentials;
    rx.friendship_id = tx.friendship_id;
    rx.iv_index = seq.iv_index;
    rx.header = header;
    rx.transport_pdu = tx.transport_pdu;
    rx.local_match = true;
    if (enqueueLoopback(rx)) {
      local = true;
    } else {
      loopback_full = true;
    }
  }
  // §3.4.5.3: a PDU to one of our own elements stays on the local interface.
  if (own_unicast) {
    if (loopback_full) {
      drop(stats_.tx_no_bufs, "loopback_full");
      return Error::kNoBufs;
    }
    return Error::kNone;
  }

  LPM_TRY_ASSIGN(Bytes pdu, sealNetworkPdu(*material, seq.iv_index, header, tx.transport_pdu));
  OutboundPdu out;
  out.pdu = pdu;
  out.header = header;
  out.net_idx = tx.net_idx;
  out.credentials = tx.credentials;
  out.relay = false;
  // §3.4.5.4: friendship PDUs are sent once; others per Network Transmit.
  out.transmit =
      tx.credentials == Credentials::kFriendship ? TransmitState{0, 0} : states_.network_transmit;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, tx.ctl ? "control" : "access");
  const Fanout f = toInterfaces(out, true, true, kLocalInterface);
  if (f.accepted == 0 && !local && (f.no_bufs || loopback_full)) {
    drop(stats_.tx_no_bufs, "no_bufs");
    return Error::kNoBufs;
  }
  return Error::kNone;
}

void Network::receive(InterfaceId interface, ByteSpan pdu, std::int8_t rssi) {
  ++stats_.rx;
  if (interface >= interfaces_.size() || interfaces_[interface] == nullptr) return;
  const BearerType bearer = interfaces_[interface]->bearerType();
  if (pdu.size() < kMinNetworkPdu || pdu.size() > kMaxNetworkPduSize) {
    drop(stats_.drop_length, "length");
    return;
  }
  if (credentials_version_ != keys_.version()) rebuildCredentials();

  const bool ivi = (pdu[0] & 0x80) != 0;
  const std::uint8_t nid = pdu[0] & 0x7F;
  const auto iv = keys_.ivIndex().rxIndex(ivi);
  if (!iv) {
    drop(stats_.drop_iv, "iv_index");
    return;
  }

  bool nid_known = false;
  for (const RxCredential& cred : credentials_) {
    if (cred.nid != nid) continue;
    nid_known = true;
    // Peek at SRC/SEQ first: a PDU already in the cache needs no decryption (§3.4.6.5).
    std::array<std::uint8_t, 14> head{};
    std::copy_n(pdu.begin(), head.size(), head.begin());
    if (deobfuscateHeader(cred.material->privacy_key, *iv, head) != Error::kNone) continue;
    const std::uint32_t peek_seq =
        (std::uint32_t{head[2]} << 16) | (std::uint32_t{head[3]} << 8) | head[4];
    const Address peek_src = static_cast<Address>((head[5] << 8) | head[6]);
    if (cacheContains(CacheEntry{*iv, peek_seq, peek_src})) {
      drop(stats_.drop_cache, "cache");
      return;
    }

    auto opened = openNetworkPdu(*cred.material, *iv, pdu);
    if (!opened.ok()) continue;
    const NetworkHeader& h = opened->header;

    // §3.4.5.1: the GATT input filter drops friendship-secured PDUs.
    if (bearer == BearerType::kGatt && cred.credentials == Credentials::kFriendship) {
      drop(stats_.drop_filter, "input_filter");
      return;
    }
    if (!validSource(h.src) || !validDestination(h.dst, h.ctl)) {
      drop(stats_.drop_invalid, "invalid_address");
      return;
    }
    cacheAdd(CacheEntry{*iv, h.seq, h.src});
    if (isOwnAddress(h.src)) {
      drop(stats_.drop_own, "own_source");
      return;
    }
    ++stats_.rx_accepted;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx,
                    h.ctl ? "control" : "access");

    NetworkRx rx;
    rx.interface = interface;
    rx.bearer = bearer;
    rx.net_idx = cred.net_idx;
    rx.key_slot = cred.slot;
    rx.credentials = cred.credentials;
    rx.friendship_id = cred.friendship_id;
    rx.iv_index = *iv;
    rx.header = h;
    rx.transport_pdu = opened->transport_pdu;
    rx.rssi = rssi;
    const bool own_unicast = upper_ != nullptr && upper_->isOwnUnicast(h.dst);
    rx.local_match = own_unicast || (upper_ != nullptr && upper_->listensTo(h.dst));
    if (upper_ != nullptr) upper_->onNetworkPdu(rx);
    // §3.4.6.3: relay evaluation for TTL >= 2 and a DST that is not one of our elements.
    if (h.ttl >= 2 && !own_unicast) relay(rx);
    return;
  }
  if (!nid_known) {
    drop(stats_.drop_nid, "unknown_nid");
  } else {
    drop(stats_.drop_auth, "auth");
  }
}

void Network::relay(const NetworkRx& rx) {
  // Managed flooding rows of Table 3.13.
  bool to_adv = false;
  bool to_gatt = false;
  bool tag_relay = false;
  const bool relay_on = states_.relay == FeatureState::kEnabled;
  const bool proxy_on = states_.proxy == FeatureState::kEnabled;
  const bool friend_on = states_.friend_feature == FeatureState::kEnabled;
  if (rx.bearer == BearerType::kAdvertising) {
    if (rx.credentials == Credentials::kFlooding) {
      to_adv = relay_on;
      tag_relay = relay_on;
      to_gatt = proxy_on;
    } else if (rx.credentials == Credentials::kFriendship && friend_on) {
      to_adv = to_gatt = true;
    }
  } else if (rx.bearer == BearerType::kGatt && rx.credentials == Credentials::kFlooding &&
             proxy_on) {
    to_adv = to_gatt = true;
  }
  if (!to_adv && !to_gatt) return;

  // Same NetKey and IV Index as received, flooding material, TTL - 1.
  const SecurityMaterial* material = txMaterial(rx.net_idx, rx.key_slot, Credentials::kFlooding, 0);
  if (material == nullptr) return;
  NetworkHeader h = rx.header;
  h.ttl = static_cast<std::uint8_t>(h.ttl - 1);
  auto sealed = sealNetworkPdu(*material, rx.iv_index, h, rx.transport_pdu);
  if (!sealed.ok()) return;

  OutboundPdu out;
  out.pdu = *sealed;
  out.header = h;
  out.net_idx = rx.net_idx;
  out.credentials = Credentials::kFlooding;
  // An advertising bearer relays back onto the medium it heard the PDU on; a GATT
  // client never gets its own PDU back.
  const InterfaceId skip = rx.bearer == BearerType::kGatt ? rx.interface : kLocalInterface;
  Fanout f{};
  if (to_adv) {
    out.relay = tag_relay;
    out.transmit = tag_relay ? states_.relay_retransmit : states_.network_transmit;
    const Fanout a = toInterfaces(out, true, false, skip);
    f.accepted += a.accepted;
    f.no_bufs = f.no_bufs || a.no_bufs;
  }
  if (to_gatt) {
    out.relay = false;
    out.transmit = states_.network_transmit;
    const Fanout g = toInterfaces(out, false, true, skip);
    f.accepted += g.accepted;
    f.no_bufs = f.no_bufs || g.no_bufs;
  }
  if (f.accepted > 0) {
    ++stats_.relayed;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "relay");
  } else if (f.no_bufs) {
    drop(stats_.tx_no_bufs, "relay_no_bufs");
  }
}

}  // namespace lpm::btmesh
