#include "lpmesh/btmesh/lower_transport.hpp"

#include <algorithm>
#include <cstring>

namespace lpm::btmesh {

namespace {

constexpr std::string_view kLayer = "btmesh.lower";

constexpr std::size_t segmentSize(bool ctl) {
  return ctl ? kSegmentedControlSegment : kSegmentedAccessSegment;
}

/// BlockAck bits of segments 0..seg_n.
constexpr std::uint32_t allSegments(std::uint8_t seg_n) {
  return seg_n >= 31 ? 0xFFFFFFFFU : ((1U << (seg_n + 1U)) - 1U);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// PDU formats (§3.5.2)

Result<LowerTransportPdu> LowerTransportPdu::parse(bool ctl, ByteSpan pdu) {
  ByteReader r(pdu);
  LowerTransportPdu p;
  p.ctl = ctl;
  const std::uint8_t h0 = r.u8();
  if (!r.ok()) return Error::kTruncated;
  p.seg = (h0 & 0x80U) != 0;
  if (ctl) {
    p.opcode = h0 & 0x7FU;
  } else {
    p.akf = (h0 & 0x40U) != 0;
    p.aid = h0 & 0x3FU;
  }
  if (!p.seg) {
    p.payload = r.rest();
    if (ctl) {
      if (p.payload.size() > kMaxUnsegmentedControlParams) return Error::kTooLong;
    } else {
      if (p.payload.size() < kMinUnsegmentedAccessPdu) return Error::kTruncated;
      if (p.payload.size() > kMaxUnsegmentedAccessPdu) return Error::kTooLong;
    }
    return p;
  }
  const std::uint32_t h = r.u24be();
  if (!r.ok()) return Error::kTruncated;
  // SZMIC (access) or RFU (control) | SeqZero (13) | SegO (5) | SegN (5)
  if (!ctl) p.szmic = (h & 0x800000U) != 0;
  p.seq_zero = static_cast<std::uint16_t>((h >> 10) & kSeqZeroMask);
  p.seg_o = static_cast<std::uint8_t>((h >> 5) & 0x1FU);
  p.seg_n = static_cast<std::uint8_t>(h & 0x1FU);
  p.payload = r.rest();
  // §3.5.2.4: opcode 0x00 is never segmented.
  if (ctl && p.opcode == kSegmentAckOpcode) return Error::kMalformed;
  if (p.seg_o > p.seg_n) return Error::kMalformed;
  if (p.payload.empty()) return Error::kTruncated;
  if (p.payload.size() > segmentSize(ctl)) return Error::kTooLong;
  return p;
}

Error LowerTransportPdu::encode(Bytes& out) const {
  if (aid > 0x3F || opcode > 0x7F || seq_zero > kSeqZeroMask || seg_o > 31 || seg_n > 31) {
    return Error::kInvalidArgs;
  }
  if (seg) {
    if (seg_o > seg_n || payload.empty() || payload.size() > segmentSize(ctl) ||
        (ctl && opcode == kSegmentAckOpcode)) {
      return Error::kInvalidArgs;
    }
  } else if (ctl ? payload.size() > kMaxUnsegmentedControlParams
                 : (payload.size() < kMinUnsegmentedAccessPdu ||
                    payload.size() > kMaxUnsegmentedAccessPdu)) {
    return Error::kInvalidArgs;
  }
  VectorWriter w(out);
  const std::uint8_t h0 =
      ctl ? opcode : static_cast<std::uint8_t>((akf ? 0x40U : 0U) | (aid & 0x3FU));
  w.u8(static_cast<std::uint8_t>((seg ? 0x80U : 0U) | h0));
  if (seg) {
    const std::uint32_t h = ((!ctl && szmic) ? 0x800000U : 0U) | (std::uint32_t{seq_zero} << 10) |
                            (std::uint32_t{seg_o} << 5) | seg_n;
    w.u24be(h);
  }
  w.bytes(payload);
  return w.error();
}

Result<SegmentAck> SegmentAck::parse(ByteSpan params) {
  ByteReader r(params);
  const std::uint16_t h = r.u16be();
  const std::uint32_t block = r.u32be();
  if (!r.ok()) return Error::kTruncated;
  if (!r.atEnd()) return Error::kTrailing;
  return SegmentAck{(h & 0x8000U) != 0, static_cast<std::uint16_t>((h >> 2) & kSeqZeroMask), block};
}

std::array<std::uint8_t, SegmentAck::kSize> SegmentAck::encode() const {
  std::array<std::uint8_t, kSize> out{};
  ByteWriter w(out);
  w.u16be(static_cast<std::uint16_t>((obo ? 0x8000U : 0U) |
                                     (static_cast<std::uint32_t>(seq_zero & kSeqZeroMask) << 2U)));
  w.u32be(block_ack);
  return out;
}

// ---------------------------------------------------------------------------------------
// Contexts

struct LowerTransport::SegTx {
  enum class Wait : std::uint8_t { kNone, kSegmentInterval, kRetransmit };

  LowerTransport* owner = nullptr;
  bool in_use = false;
  bool blocked = false;
  std::uint32_t id = 0;
  NetKeyIndex net_idx = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  Address src = 0;
  Address dst = 0;
  std::uint8_t ttl = 0;
  bool ctl = false;
  bool akf = false;
  std::uint8_t aid = 0;
  bool szmic = false;
  std::uint8_t opcode = 0;
  SeqAllocation seq_auth{};
  bool reserved_seq_unused = false;
  std::uint8_t seg_n = 0;
  std::uint32_t acked = 0;
  std::uint16_t len = 0;
  std::vector<std::uint8_t> data;
  std::uint8_t retrans_left = 0;
  std::uint8_t no_progress_left = 0;
  std::uint8_t cursor = 0;
  bool first_round = true;
  Wait wait = Wait::kNone;
  platform::Timer timer{this, &platform::Timer::thunk<&SegTx::onTimer>};

  void onTimer() { owner->onSegTxTimer(*this); }
  bool unicast() const { return isUnicast(dst); }
};

struct LowerTransport::SegRx {
  LowerTransport* owner = nullptr;
  bool in_use = false;
  bool complete = false;
  bool ack_retransmitting = false;
  Address src = 0;
  Address dst = 0;
  NetKeyIndex net_idx = 0;
  std::uint8_t key_slot = 0;
  Credentials credentials = Credentials::kFlooding;
  std::uint16_t friendship_id = 0;
  InterfaceId interface = kLocalInterface;
  std::uint64_t seq_auth = 0;
  std::uint8_t seg_n = 0;
  bool ctl = false;
  bool akf = false;
  std::uint8_t aid = 0;
  bool szmic = false;
  std::uint8_t opcode = 0;
  std::uint32_t block = 0;
  std::uint16_t len = 0;
  std::uint8_t first_ttl = 0;
  std::uint8_t last_ttl = 0;
  std::int8_t rssi = 127;
  std::uint32_t max_seq = 0;
  std::uint8_t ack_retx_left = 0;
  std::vector<std::uint8_t> data;
  platform::Timer ack_timer{this, &platform::Timer::thunk<&SegRx::onAck>};
  platform::Timer discard_timer{this, &platform::Timer::thunk<&SegRx::onDiscard>};

  void onAck() { owner->onAckTimer(*this); }
  void onDiscard() { owner->onDiscardTimer(*this); }
  bool unicast() const { return isUnicast(dst); }
  std::uint16_t seqZero() const { return static_cast<std::uint16_t>(seq_auth & kSeqZeroMask); }
};

LowerTransport::LowerTransport(const platform::Platform& platform, const NodeConfig& config,
                               Network& network, ReplayProtectionList& rpl)
    : platform_(platform),
      config_(config),
      network_(network),
      rpl_(rpl),
      sar_tx_(config.sar_tx),
      sar_rx_(config.sar_rx) {
  const std::size_t tx_max = std::clamp<std::size_t>(config.tx_seg_max, 1, kMaxSegments);
  const std::size_t rx_max = std::clamp<std::size_t>(config.rx_seg_max, 1, kMaxSegments);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, config.tx_seg_msg_count); ++i) {
    auto t = std::make_unique<SegTx>();
    t->owner = this;
    t->data.resize(tx_max * kSegmentedAccessSegment);
    tx_.push_back(std::move(t));
  }
  for (std::size_t i = 0; i < std::max<std::size_t>(1, config.rx_seg_msg_count); ++i) {
    auto r = std::make_unique<SegRx>();
    r->owner = this;
    r->data.resize(rx_max * kSegmentedAccessSegment);
    rx_.push_back(std::move(r));
  }
  history_.resize(std::max<std::size_t>(1, config.seg_rx_history));
}

LowerTransport::~LowerTransport() {
  for (auto& t : tx_)
    platform_.timers->stop(t->timer);
  for (auto& r : rx_) {
    platform_.timers->stop(r->ack_timer);
    platform_.timers->stop(r->discard_timer);
  }
}

void LowerTransport::count(std::uint64_t& counter, platform::TraceKind kind,
                           std::string_view reason) {
  ++counter;
  platform::trace(platform_.trace, kLayer, kind, reason);
}

std::size_t LowerTransport::activeTransfers() const {
  return static_cast<std::size_t>(
      std::count_if(tx_.begin(), tx_.end(), [](const auto& t) { return t->in_use; }));
}

// ---------------------------------------------------------------------------------------
// Transmission (§3.5.3.3)

Result<std::uint32_t> LowerTransport::send(const LowerTransportTx& req) {
  const std::size_t len = req.upper_pdu.size();
  // Only an unsegmented control message may have no parameters (e.g. Path Echo Request).
  if (len == 0 && (!req.ctl || req.segmented)) return Error::kInvalidArgs;
  const bool fits_unsegmented =
      req.ctl ? len <= kMaxUnsegmentedControlParams : len <= kMaxUnsegmentedAccessPdu;
  // A 64-bit TransMIC exists only in segmented messages (§3.5.2.1).
  const bool segmented = req.segmented || !fits_unsegmented || (!req.ctl && req.szmic);

  if (!segmented) {
    if (!req.ctl && len < kMinUnsegmentedAccessPdu) return Error::kInvalidArgs;
    LowerTransportPdu pdu;
    pdu.ctl = req.ctl;
    pdu.akf = req.akf;
    pdu.aid = req.aid;
    pdu.opcode = req.opcode;
    pdu.payload = req.upper_pdu;
    std::array<std::uint8_t, 16> buf{};
    Bytes encoded;
    encoded.reserve(buf.size());
    LPM_TRY(pdu.encode(encoded));
    NetworkTx tx;
    tx.net_idx = req.net_idx;
    tx.credentials = req.credentials;
    tx.friendship_id = req.friendship_id;
    tx.src = req.src;
    tx.dst = req.dst;
    tx.ttl = req.ttl;
    tx.ctl = req.ctl;
    tx.transport_pdu = encoded;
    tx.seq = req.seq;
    LPM_TRY(network_.send(tx));
    count(stats_.tx_unsegmented, platform::TraceKind::kTx, "unsegmented");
    return std::uint32_t{0};
  }

  if (req.ctl && req.opcode == kSegmentAckOpcode) return Error::kInvalidArgs;
  if (!req.ctl && len < kMinUnsegmentedAccessPdu) return Error::kInvalidArgs;
  const std::size_t seg_size = segmentSize(req.ctl);
  const std::size_t segments = (len + seg_size - 1) / seg_size;
  SegTx* tx = nullptr;
  bool blocked = false;
  for (auto& t : tx_) {
    if (t->in_use) {
      // §3.5.3.3.1: one Upper Transport PDU per destination at a time.
      blocked = blocked || t->dst == req.dst;
    } else if (tx == nullptr) {
      tx = t.get();
    }
  }
  if (segments > kMaxSegments || len > tx_.front()->data.size()) return Error::kTooLong;
  if (tx == nullptr) {
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "tx_no_context");
    return Error::kNoBufs;
  }

  tx->in_use = true;
  tx->blocked = blocked;
  tx->id = next_tx_id_++;
  if (next_tx_id_ == 0) next_tx_id_ = 1;
  tx->net_idx = req.net_idx;
  tx->credentials = req.credentials;
  tx->friendship_id = req.friendship_id;
  tx->src = req.src;
  tx->dst = req.dst;
  tx->ttl = req.ttl;
  tx->ctl = req.ctl;
  tx->akf = req.akf;
  tx->aid = req.aid;
  tx->szmic = req.szmic;
  tx->opcode = req.opcode;
  tx->seq_auth = req.seq;
  tx->reserved_seq_unused = !blocked;
  tx->seg_n = static_cast<std::uint8_t>(segments - 1);
  tx->acked = 0;
  tx->len = static_cast<std::uint16_t>(len);
  std::memcpy(tx->data.data(), req.upper_pdu.data(), len);
  tx->retrans_left =
      tx->unicast() ? sar_tx_.unicast_retrans_count : sar_tx_.multicast_retrans_count;
  tx->no_progress_left = sar_tx_.unicast_retrans_without_progress;
  tx->first_round = true;
  tx->wait = SegTx::Wait::kNone;
  count(stats_.tx_segmented, platform::TraceKind::kTx, "segmented");
  if (blocked) return tx->id;

  // First segment now; an error that is not a lack of buffers fails the call itself.
  const Error first = sendSegment(*tx, 0);
  if (first != Error::kNone && first != Error::kNoBufs) {
    tx->in_use = false;
    return first;
  }
  tx->cursor = 1;
  tx->wait = SegTx::Wait::kNone;
  if (tx->seg_n == 0) {
    tx->cursor = 1;
    sendNextSegment(*tx);  // ends the round: starts the retransmission timer
  } else {
    tx->wait = SegTx::Wait::kSegmentInterval;
    platform_.timers->start(tx->timer, sar_tx_.segmentInterval());
  }
  return tx->id;
}

Error LowerTransport::sendSegment(SegTx& tx, std::uint8_t seg_o) {
  SeqAllocation alloc{};
  if (tx.reserved_seq_unused && network_.nextSeq(tx.src) == tx.seq_auth.seq + 1 &&
      network_.keys().ivIndex().txIndex() == tx.seq_auth.iv_index) {
    alloc = tx.seq_auth;  // nothing was sent since the upper transport reserved it
  } else {
    LPM_TRY_ASSIGN(alloc, network_.allocateSeq(tx.src));
  }
  tx.reserved_seq_unused = false;
  // §3.5.3.1: SeqZero cannot describe a SEQ 8192 past SeqAuth; all segments share
  // SeqAuth's IV Index.
  if (alloc.iv_index != tx.seq_auth.iv_index || alloc.seq < tx.seq_auth.seq ||
      alloc.seq - tx.seq_auth.seq > kSeqZeroMask) {
    return Error::kTimeout;
  }

  const std::size_t seg_size = segmentSize(tx.ctl);
  const std::size_t offset = std::size_t{seg_o} * seg_size;
  LowerTransportPdu pdu;
  pdu.ctl = tx.ctl;
  pdu.seg = true;
  pdu.akf = tx.akf;
  pdu.aid = tx.aid;
  pdu.szmic = tx.szmic;
  pdu.opcode = tx.opcode;
  pdu.seq_zero = static_cast<std::uint16_t>(tx.seq_auth.seq & kSeqZeroMask);
  pdu.seg_o = seg_o;
  pdu.seg_n = tx.seg_n;
  pdu.payload = ByteSpan(tx.data.data() + offset, std::min<std::size_t>(seg_size, tx.len - offset));
  Bytes encoded;
  encoded.reserve(16);
  LPM_TRY(pdu.encode(encoded));

  NetworkTx net;
  net.net_idx = tx.net_idx;
  net.credentials = tx.credentials;
  net.friendship_id = tx.friendship_id;
  net.src = tx.src;
  net.dst = tx.dst;
  net.ttl = tx.ttl;
  net.ctl = tx.ctl;
  net.transport_pdu = encoded;
  net.seq = SeqAllocation{alloc.seq, tx.seq_auth.iv_index};
  ++stats_.tx_segments;
  if (!tx.first_round) ++stats_.tx_segment_retransmissions;
  return network_.send(net);
}

void LowerTransport::startRound(SegTx& tx) {
  tx.cursor = 0;
  tx.first_round = false;
  sendNextSegment(tx);
}

void LowerTransport::sendNextSegment(SegTx& tx) {
  const std::uint32_t all = allSegments(tx.seg_n);
  auto next_unacked = [&](unsigned from) -> int {
    for (unsigned s = from; s <= tx.seg_n; ++s) {
      if ((tx.acked & (1U << s) & all) == 0) return static_cast<int>(s);
    }
    return -1;
  };
  const int s = next_unacked(tx.cursor);
  if (s >= 0) {
    const Error e = sendSegment(tx, static_cast<std::uint8_t>(s));
    if (e != Error::kNone && e != Error::kNoBufs) {
      finishTx(tx, e == Error::kTimeout ? Error::kTimeout : Error::kInvalidState);
      return;
    }
    tx.cursor = static_cast<std::uint8_t>(s + 1);
    if (next_unacked(tx.cursor) >= 0) {
      // §3.5.3.3.1: segments separated by the segment transmission interval.
      tx.wait = SegTx::Wait::kSegmentInterval;
      platform_.timers->start(tx.timer, sar_tx_.segmentInterval());
      return;
    }
  }
  // Last unacknowledged segment sent: SAR Unicast / Multicast Retransmissions timer.
  tx.wait = SegTx::Wait::kRetransmit;
  platform_.timers->start(tx.timer, tx.unicast() ? sar_tx_.unicastRetransInterval(tx.ttl)
                                                 : sar_tx_.multicastRetransInterval());
}

void LowerTransport::onSegTxTimer(SegTx& tx) {
  if (!tx.in_use) return;
  if (tx.wait == SegTx::Wait::kSegmentInterval) {
    sendNextSegment(tx);
    return;
  }
  tx.wait = SegTx::Wait::kNone;
  if (tx.unicast()) {
    // §3.5.3.3.3
    if (tx.retrans_left > 0 && tx.no_progress_left > 0) {
      --tx.retrans_left;
      --tx.no_progress_left;
      startRound(tx);
    } else {
      finishTx(tx, Error::kTimeout);
    }
  } else if (tx.retrans_left > 0) {
    --tx.retrans_left;
    startRound(tx);
  } else {
    finishTx(tx, Error::kNone);  // multicast: complete after the last round
  }
}

void LowerTransport::finishTx(SegTx& tx, Error result) {
  platform_.timers->stop(tx.timer);
  tx.in_use = false;
  tx.wait = SegTx::Wait::kNone;
  const std::uint32_t id = tx.id;
  const Address dst = tx.dst;
  if (result == Error::kNone) {
    count(stats_.tx_completed, platform::TraceKind::kCounter, "tx_complete");
  } else {
    count(stats_.tx_failed, platform::TraceKind::kDrop,
          result == Error::kTimeout ? "tx_timeout" : "tx_canceled");
  }
  // Start the oldest transfer that waited for this destination.
  SegTx* next = nullptr;
  for (auto& t : tx_) {
    if (t->in_use && t->blocked && t->dst == dst && (next == nullptr || t->id < next->id)) {
      next = t.get();
    }
  }
  if (upper_ != nullptr) upper_->onSegmentedSendDone(id, result);
  if (next != nullptr && next->in_use && next->blocked) {
    next->blocked = false;
    next->first_round = true;
    next->cursor = 0;
    sendNextSegment(*next);
  }
}

void LowerTransport::onSegmentAck(const NetworkRx& rx, const SegmentAck& ack) {
  count(stats_.acks_received, platform::TraceKind::kRx, "ack");
  for (auto& t : tx_) {
    SegTx& tx = *t;
    // Table 3.23.
    if (!tx.in_use || tx.blocked || !tx.unicast()) continue;
    if ((tx.seq_auth.seq & kSeqZeroMask) != ack.seq_zero) continue;
    if (rx.header.src != tx.dst && !ack.obo) continue;
    if (rx.header.dst != tx.src || rx.net_idx != tx.net_idx) continue;
    const std::uint32_t all = allSegments(tx.seg_n);
    if (ack.block_ack == 0) {
      // §3.5.3.3.2: BlockAck 0 — the receiver is out of resources.
      finishTx(tx, Error::kNoBufs);
      return;
    }
    const std::uint32_t newly = ack.block_ack & all & ~tx.acked;
    if (newly == 0) return;
    tx.acked |= newly;
    if (tx.acked == all) {
      finishTx(tx, Error::kNone);
      return;
    }
    tx.no_progress_left = sar_tx_.unicast_retrans_without_progress;
    if (tx.wait == SegTx::Wait::kRetransmit && tx.timer.isRunning() && tx.retrans_left > 0 &&
        tx.no_progress_left > 0) {
      platform_.timers->stop(tx.timer);
      --tx.retrans_left;
      startRound(tx);
    }
    return;
  }
}

// ---------------------------------------------------------------------------------------
// Reception (§3.5.4.2, §3.5.3.4)

bool LowerTransport::checkReplay(const NetworkRx& rx) {
  if (rx.interface == kLocalInterface) return true;  // our own elements
  switch (rpl_.check(rx.header.src, rx.iv_index, rx.header.seq)) {
    case ReplayProtectionList::Verdict::kAccept:
      return true;
    case ReplayProtectionList::Verdict::kReplay:
      count(stats_.rx_replay, platform::TraceKind::kDrop, "replay");
      return false;
    case ReplayProtectionList::Verdict::kFull:
      count(stats_.rx_rpl_full, platform::TraceKind::kDrop, "rpl_full");
      return false;
  }
  return false;
}

void LowerTransport::acceptReplay(Address src, std::uint32_t iv_index, std::uint32_t seq,
                                  std::optional<std::uint64_t> seq_auth) {
  if (network_.isOwnAddress(src)) return;
  (void)rpl_.accept(src, iv_index, seq, seq_auth);
}

void LowerTransport::onNetworkPdu(const NetworkRx& rx) {
  if (!rx.local_match) return;  // Friend Queue handling comes with the Friend feature
  auto parsed = LowerTransportPdu::parse(rx.header.ctl, rx.transport_pdu);
  if (!parsed.ok()) {
    count(stats_.rx_malformed, platform::TraceKind::kDrop, "malformed");
    return;
  }
  const LowerTransportPdu& pdu = *parsed;
  if (!checkReplay(rx)) return;
  if (pdu.seg) {
    onSegment(rx, pdu);
    return;
  }
  if (pdu.ctl && pdu.opcode == kSegmentAckOpcode) {
    // §3.5.4.3: an ack of the wrong size is not understood and ignored.
    auto ack = SegmentAck::parse(pdu.payload);
    if (!ack.ok()) {
      count(stats_.rx_malformed, platform::TraceKind::kDrop, "malformed_ack");
      return;
    }
    acceptReplay(rx.header.src, rx.iv_index, rx.header.seq, std::nullopt);
    onSegmentAck(rx, *ack);
    return;
  }
  count(stats_.rx_unsegmented, platform::TraceKind::kRx, "unsegmented");
  TransportRx t;
  t.net_idx = rx.net_idx;
  t.key_slot = rx.key_slot;
  t.credentials = rx.credentials;
  t.friendship_id = rx.friendship_id;
  t.interface = rx.interface;
  t.src = rx.header.src;
  t.dst = rx.header.dst;
  t.ttl = rx.header.ttl;
  t.rssi = rx.rssi;
  t.ctl = pdu.ctl;
  t.akf = pdu.akf;
  t.aid = pdu.aid;
  t.opcode = pdu.opcode;
  t.iv_index = rx.iv_index;
  t.seq = rx.header.seq;
  t.upper_pdu = pdu.payload;
  if (upper_ != nullptr && upper_->onUpperTransportPdu(t) == Error::kNone) {
    acceptReplay(rx.header.src, rx.iv_index, rx.header.seq, std::nullopt);
  }
}

LowerTransport::RxHistory* LowerTransport::findHistory(Address src, Address dst) {
  for (RxHistory& h : history_) {
    if (h.src == src && h.dst == dst && h.src != kUnassignedAddress) return &h;
  }
  return nullptr;
}

void LowerTransport::remember(const SegRx& ctx, bool complete) {
  RxHistory* h = findHistory(ctx.src, ctx.dst);
  if (h == nullptr) {
    h = &history_[history_next_];
    history_next_ = (history_next_ + 1) % history_.size();
  }
  h->src = ctx.src;
  h->dst = ctx.dst;
  h->seq_auth = ctx.seq_auth;
  h->block = ctx.block;
  h->complete = complete;
  h->net_idx = ctx.net_idx;
  h->credentials = ctx.credentials;
  h->friendship_id = ctx.friendship_id;
  h->ack_ttl = ctx.first_ttl == 0 ? 0 : network_.states().default_ttl;
  h->last_ack = complete ? platform_.timers->now() : LocalTime::min();
}

void LowerTransport::freeRx(SegRx& ctx) {
  platform_.timers->stop(ctx.ack_timer);
  platform_.timers->stop(ctx.discard_timer);
  ctx.in_use = false;
  ctx.complete = false;
  ctx.ack_retransmitting = false;
  ctx.ack_retx_left = 0;
}

void LowerTransport::sendAck(NetKeyIndex net_idx, Credentials credentials,
                             std::uint16_t friendship_id, Address our_address, Address peer,
                             std::uint8_t ttl, std::uint16_t seq_zero, std::uint32_t block,
                             bool obo) {
  (void)credentials;
  (void)friendship_id;
  if (!network_.isOwnAddress(our_address)) return;
  const SegmentAck ack{obo, seq_zero, block};
  const auto params = ack.encode();
  std::array<std::uint8_t, 1 + SegmentAck::kSize> pdu{};
  pdu[0] = kSegmentAckOpcode;
  std::copy(params.begin(), params.end(), pdu.begin() + 1);
  NetworkTx tx;
  tx.net_idx = net_idx;  // §3.5.3.4: the NetKey of the first received segment
  tx.credentials = Credentials::kFlooding;
  tx.src = our_address;
  tx.dst = peer;
  tx.ttl = ttl;
  tx.ctl = true;
  tx.transport_pdu = pdu;
  if (network_.send(tx) == Error::kNone) {
    count(stats_.acks_sent, platform::TraceKind::kTx, block == 0 ? "ack_reject" : "ack");
  }
}

void LowerTransport::sendAckFor(const SegRx& ctx, std::uint32_t block) {
  // §3.5.2.3.1: TTL 0 for the ack when the segments came with TTL 0.
  const std::uint8_t ttl = ctx.first_ttl == 0 ? 0 : network_.states().default_ttl;
  sendAck(ctx.net_idx, ctx.credentials, ctx.friendship_id, ctx.dst, ctx.src, ttl, ctx.seqZero(),
          block, false);
}

void LowerTransport::onSegment(const NetworkRx& rx, const LowerTransportPdu& pdu) {
  count(stats_.rx_segments, platform::TraceKind::kRx, "segment");
  const std::size_t seg_size = segmentSize(pdu.ctl);
  // §3.6.4.3: only the last segment may be shorter than a full segment.
  if (pdu.seg_o < pdu.seg_n && pdu.payload.size() != seg_size) {
    count(stats_.rx_malformed, platform::TraceKind::kDrop, "short_segment");
    return;
  }
  const auto first_seq = seqFromSeqZero(rx.header.seq, pdu.seq_zero);
  if (!first_seq) {
    count(stats_.rx_malformed, platform::TraceKind::kDrop, "seq_zero");
    return;
  }
  const std::uint64_t seq_auth = makeSeqAuth(rx.iv_index, *first_seq);
  const Address src = rx.header.src;
  const Address dst = rx.header.dst;
  const bool unicast = isUnicast(dst);
  const std::uint32_t bit = 1U << pdu.seg_o;

  SegRx* ctx = nullptr;
  for (auto& r : rx_) {
    if (r->in_use && r->src == src && r->dst == dst) ctx = r.get();
  }

  // Table 3.24, evaluated in order.
  if (ctx != nullptr && !ctx->complete) {
    if (seq_auth < ctx->seq_auth) {
      count(stats_.rx_ignored_segments, platform::TraceKind::kDrop, "seqauth_error");
      return;
    }
    if (seq_auth == ctx->seq_auth) {
      if ((ctx->block & bit) != 0) {
        count(stats_.rx_ignored_segments, platform::TraceKind::kDrop, "repeated_segment");
        return;
      }
      // Every segment of one message carries the same header fields (§3.5.2.2, §3.5.2.4).
      if (pdu.seg_n != ctx->seg_n || pdu.akf != ctx->akf || pdu.aid != ctx->aid ||
          pdu.szmic != ctx->szmic || pdu.opcode != ctx->opcode) {
        count(stats_.rx_malformed, platform::TraceKind::kDrop, "inconsistent_segment");
        return;
      }
      std::memcpy(ctx->data.data() + std::size_t{pdu.seg_o} * seg_size, pdu.payload.data(),
                  pdu.payload.size());
      if (pdu.seg_o == pdu.seg_n) {
        ctx->len =
            static_cast<std::uint16_t>(std::size_t{pdu.seg_n} * seg_size + pdu.payload.size());
      }
      ctx->block |= bit;
      ctx->max_seq = std::max(ctx->max_seq, rx.header.seq);
      ctx->last_ttl = rx.header.ttl;
      ctx->rssi = rx.rssi;
      if (ctx->block == allSegments(ctx->seg_n)) {
        completeRx(*ctx);  // Last Segment
        return;
      }
      // Next Segment: restart the SAR Discard and Acknowledgment timers.
      platform_.timers->start(ctx->discard_timer, sar_rx_.discardTimeout());
      if (unicast) {
        ctx->ack_retransmitting = false;
        platform_.timers->start(ctx->ack_timer, sar_rx_.ackTimer(ctx->seg_n));
      }
      return;
    }
  }
  if (RxHistory* h = findHistory(src, dst)) {
    if (seq_auth < h->seq_auth) {
      count(stats_.rx_ignored_segments, platform::TraceKind::kDrop, "repeated_segment");
      return;
    }
    if (seq_auth == h->seq_auth) {
      if (!h->complete) {
        count(stats_.rx_ignored_segments, platform::TraceKind::kDrop, "late_segment");
        return;
      }
      // Most Recent SeqAuth: acknowledge everything again, at most once per interval.
      const LocalTime now = platform_.timers->now();
      if (unicast && (h->last_ack == LocalTime::min() ||
                      now - h->last_ack >= sar_rx_.completedAckInterval())) {
        h->last_ack = now;
        sendAck(h->net_idx, h->credentials, h->friendship_id, dst, src, h->ack_ttl,
                static_cast<std::uint16_t>(h->seq_auth & kSeqZeroMask), h->block, false);
      }
      count(stats_.rx_ignored_segments, platform::TraceKind::kDrop, "completed_segment");
      return;
    }
  }
  if (const auto last = rpl_.lastSeqAuth(src); last && seq_auth <= *last) {
    // Delivered before and forgotten by the history: a repeat.
    count(stats_.rx_ignored_segments, platform::TraceKind::kDrop, "repeated_segment");
    return;
  }

  // A newer SeqAuth: Message Rejected or First Segment.
  if (ctx != nullptr) {
    freeRx(*ctx);  // the pending reassembly from this SRC to this DST is discarded
  } else {
    for (auto& r : rx_) {
      if (!r->in_use) {
        ctx = r.get();
        break;
      }
    }
  }
  const std::size_t max_segments = std::clamp<std::size_t>(config_.rx_seg_max, 1, kMaxSegments);
  if (ctx == nullptr || std::size_t{pdu.seg_n} + 1 > max_segments) {
    // Message Rejected (§3.5.3.4): answer a unicast sender with BlockAck 0.
    count(stats_.rx_rejected, platform::TraceKind::kDrop,
          ctx == nullptr ? "rx_no_context" : "rx_too_long");
    if (unicast) {
      const std::uint8_t ttl = rx.header.ttl == 0 ? 0 : network_.states().default_ttl;
      sendAck(rx.net_idx, rx.credentials, rx.friendship_id, dst, src, ttl, pdu.seq_zero, 0, false);
    }
    return;
  }
  ctx->in_use = true;
  ctx->complete = false;
  ctx->ack_retransmitting = false;
  ctx->src = src;
  ctx->dst = dst;
  ctx->net_idx = rx.net_idx;
  ctx->key_slot = rx.key_slot;
  ctx->credentials = rx.credentials;
  ctx->friendship_id = rx.friendship_id;
  ctx->interface = rx.interface;
  ctx->seq_auth = seq_auth;
  ctx->seg_n = pdu.seg_n;
  ctx->ctl = pdu.ctl;
  ctx->akf = pdu.akf;
  ctx->aid = pdu.aid;
  ctx->szmic = pdu.szmic;
  ctx->opcode = pdu.opcode;
  ctx->block = bit;
  ctx->len = 0;
  ctx->first_ttl = rx.header.ttl;
  ctx->last_ttl = rx.header.ttl;
  ctx->rssi = rx.rssi;
  ctx->max_seq = rx.header.seq;
  std::memcpy(ctx->data.data() + std::size_t{pdu.seg_o} * seg_size, pdu.payload.data(),
              pdu.payload.size());
  if (pdu.seg_o == pdu.seg_n) {
    ctx->len = static_cast<std::uint16_t>(std::size_t{pdu.seg_n} * seg_size + pdu.payload.size());
  }
  if (ctx->block == allSegments(ctx->seg_n)) {
    completeRx(*ctx);
    return;
  }
  platform_.timers->start(ctx->discard_timer, sar_rx_.discardTimeout());
  if (unicast) platform_.timers->start(ctx->ack_timer, sar_rx_.ackTimer(ctx->seg_n));
}

void LowerTransport::completeRx(SegRx& ctx) {
  platform_.timers->stop(ctx.ack_timer);
  platform_.timers->stop(ctx.discard_timer);
  ctx.complete = true;
  count(stats_.rx_reassembled, platform::TraceKind::kRx, "reassembled");
  remember(ctx, true);
  if (ctx.unicast()) {
    sendAckFor(ctx, ctx.block);
    // §3.5.3.4: long messages get their acknowledgment repeated.
    if (std::size_t{ctx.seg_n} + 1 > sar_rx_.segments_threshold && sar_rx_.ack_retrans_count > 0) {
      ctx.ack_retx_left = sar_rx_.ack_retrans_count;
      ctx.ack_retransmitting = true;
      platform_.timers->start(ctx.ack_timer, sar_rx_.segmentReceptionInterval());
    }
  }
  TransportRx t;
  t.net_idx = ctx.net_idx;
  t.key_slot = ctx.key_slot;
  t.credentials = ctx.credentials;
  t.friendship_id = ctx.friendship_id;
  t.interface = ctx.interface;
  t.src = ctx.src;
  t.dst = ctx.dst;
  t.ttl = ctx.last_ttl;
  t.rssi = ctx.rssi;
  t.ctl = ctx.ctl;
  t.segmented = true;
  t.akf = ctx.akf;
  t.aid = ctx.aid;
  t.szmic = ctx.szmic;
  t.opcode = ctx.opcode;
  t.iv_index = static_cast<std::uint32_t>(ctx.seq_auth >> 24);
  t.seq = static_cast<std::uint32_t>(ctx.seq_auth & 0xFFFFFFU);
  t.upper_pdu = ByteSpan(ctx.data.data(), ctx.len);
  const Address src = ctx.src;
  const std::uint64_t seq_auth = ctx.seq_auth;
  const std::uint32_t max_seq = ctx.max_seq;
  if (upper_ != nullptr && upper_->onUpperTransportPdu(t) == Error::kNone) {
    acceptReplay(src, static_cast<std::uint32_t>(seq_auth >> 24), max_seq, seq_auth);
  }
  if (ctx.in_use && ctx.complete && ctx.seq_auth == seq_auth && ctx.ack_retx_left == 0) {
    freeRx(ctx);
  }
}

void LowerTransport::onAckTimer(SegRx& ctx) {
  if (!ctx.in_use) return;
  if (ctx.complete) {
    sendAckFor(ctx, ctx.block);
    if (ctx.ack_retx_left > 0) --ctx.ack_retx_left;
    if (ctx.ack_retx_left > 0) {
      platform_.timers->start(ctx.ack_timer, sar_rx_.segmentReceptionInterval());
    } else {
      freeRx(ctx);
    }
    return;
  }
  sendAckFor(ctx, ctx.block);
  if (!ctx.ack_retransmitting) {
    ctx.ack_retransmitting = true;
    ctx.ack_retx_left =
        std::size_t{ctx.seg_n} + 1 > sar_rx_.segments_threshold ? sar_rx_.ack_retrans_count : 0;
  } else if (ctx.ack_retx_left > 0) {
    --ctx.ack_retx_left;
  }
  if (ctx.ack_retx_left > 0) {
    platform_.timers->start(ctx.ack_timer, sar_rx_.segmentReceptionInterval());
  }
}

void LowerTransport::onDiscardTimer(SegRx& ctx) {
  if (!ctx.in_use || ctx.complete) return;
  // §3.5.3.4: the reassembly failed; later segments of this SeqAuth are Late Segments.
  count(stats_.rx_discarded, platform::TraceKind::kDrop, "sar_discard");
  remember(ctx, false);
  freeRx(ctx);
}

void LowerTransport::cancelSubnet(NetKeyIndex net_idx) {
  for (auto& t : tx_) {
    if (t->in_use && t->net_idx == net_idx) finishTx(*t, Error::kInvalidState);
  }
  for (auto& r : rx_) {
    if (r->in_use && r->net_idx == net_idx) freeRx(*r);
  }
}

}  // namespace lpm::btmesh
