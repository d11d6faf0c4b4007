#include "lpmesh/sim/medium.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>

namespace lpm::sim {

namespace {

double currentMa(const PhyConfig& phy, RadioState s) {
  switch (s) {
    case RadioState::kOff:
      return phy.current_off_ma;
    case RadioState::kSleep:
      return phy.current_sleep_ma;
    case RadioState::kRx:
      return phy.current_rx_ma;
    case RadioState::kTx:
      return phy.current_tx_ma;
  }
  return 0.0;
}

}  // namespace

Medium::Medium(Kernel& kernel, const PhyConfig& phy) : kernel_(kernel), phy_(phy) {
  for (int i = 0; i < kPhyCount; ++i) {
    noise_mw_[static_cast<std::size_t>(i)] =
        dbmToMw(noiseFloorDbm(static_cast<Phy>(i), phy_.noise_figure_db));
  }
  capture_ratio_ = dbmToMw(phy_.capture_threshold_db);
  for (int rx = 0; rx < kPhyCount; ++rx) {
    for (int kind = 0; kind < 3; ++kind) {
      for (int d = 0; d <= 80; ++d) {
        overlap_db_[static_cast<std::size_t>(rx)][static_cast<std::size_t>(kind)]
                   [static_cast<std::size_t>(d)] = overlapFactorDb(
                       static_cast<Phy>(rx), static_cast<SignalKind>(kind), d * 1000);
      }
    }
  }
}

Medium::~Medium() = default;

std::uint32_t Medium::addPort(NodeId node, Phy phy, PortClient* client, Rng* phy_rng,
                              RadioStats* stats) {
  const auto index = static_cast<std::uint32_t>(ports_.size());
  Port& p = ports_.emplace_back();
  p.node = node;
  p.phy = phy;
  p.client = client;
  p.rng = phy_rng;
  p.stats = stats;
  p.state = RadioState::kOff;
  p.state_since = kernel_.now();
  const std::size_t need = (static_cast<std::size_t>(node) + 1) * kPhyCount;
  if (ports_by_node_.size() < need) ports_by_node_.resize(need, kNoPort);
  ports_by_node_[static_cast<std::size_t>(node) * kPhyCount + static_cast<std::size_t>(phy)] =
      index;
  return index;
}

void Medium::setPortClient(std::uint32_t port, PortClient* client) {
  ports_[port].client = client;
}

void Medium::setTopology(NeighborTable table, const Propagation* propagation,
                         std::size_t node_count) {
  table_ = std::move(table);
  propagation_ = propagation;
  node_count_ = node_count;
  if (ports_by_node_.size() < node_count * kPhyCount) {
    ports_by_node_.resize(node_count * kPhyCount, kNoPort);
  }
}

void Medium::setCaptures(PcapWriter* pcap_802154, PcapWriter* pcap_ble) {
  pcap_802154_ = pcap_802154;
  pcap_ble_ = pcap_ble;
}

double Medium::overlapDb(Phy rx, SignalKind tx, std::int32_t delta_khz) const {
  const std::int32_t d = std::abs(delta_khz);
  if (d % 1000 == 0 && d <= 80'000) {
    return overlap_db_[static_cast<std::size_t>(rx)][static_cast<std::size_t>(tx)]
                      [static_cast<std::size_t>(d / 1000)];
  }
  return overlapFactorDb(rx, tx, d);
}

std::uint32_t Medium::addJammer(std::vector<Neighbor> reach) {
  std::vector<std::vector<Neighbor>> lists(1);
  lists[0] = std::move(reach);
  jammer_reach_.push_back(NeighborTable::fromLists(lists));
  return static_cast<std::uint32_t>(node_count_ + jammer_reach_.size() - 1);
}

NeighborList Medium::reachOf(std::uint32_t sender) const {
  if (sender < node_count_) return table_.of(sender);
  const std::size_t j = sender - node_count_;
  if (j >= jammer_reach_.size()) return {};
  return jammer_reach_[j].of(0);
}

std::optional<double> Medium::gainFrom(std::uint32_t sender, NodeId node) const {
  if (sender < node_count_) return table_.find(sender, node);
  const std::size_t j = sender - node_count_;
  if (j >= jammer_reach_.size()) return std::nullopt;
  return jammer_reach_[j].find(0, node);
}

double Medium::sensitivityDbm(Phy phy) const {
  return phy == Phy::kBle ? phy_.sensitivity_ble_dbm : phy_.sensitivity_802154_dbm;
}

double Medium::totalIncomingMw(const Port& p) const {
  double sum = 0.0;
  for (const auto& in : p.incoming)
    sum += in.mw;
  return sum;
}

void Medium::flushEnergy(std::uint32_t port) {
  Port& p = ports_[port];
  const SimTime now = kernel_.now();
  const Duration dt = now - p.state_since;
  if (dt.count() <= 0) return;
  if (p.stats != nullptr) {
    p.stats->time_in_state[static_cast<std::size_t>(p.state)] += dt;
    p.stats->charge_mc += currentMa(phy_, p.state) * toSeconds(dt);
  }
  p.state_since = now;
}

void Medium::setState(Port& p, RadioState s) {
  if (p.state == s) return;
  flushEnergy(static_cast<std::uint32_t>(&p - ports_.data()));
  p.state = s;
}

void Medium::recomputeInterference(Port& p) {
  double sum = 0.0;
  for (const auto& in : p.incoming) {
    if (in.tx != p.rx.tx) sum += in.mw;
  }
  p.interference_mw = sum;
}

void Medium::abortReception(Port& p) {
  if (p.rx.tx == nullptr) return;
  if (p.stats != nullptr) ++p.stats->rx_aborted;
  p.rx = Reception{};
  recomputeInterference(p);  // the frame's signal stays, as interference
}

void Medium::clearIncoming(Port& p) {
  p.incoming.clear();
  p.interference_mw = 0.0;
}

void Medium::listen(std::uint32_t port, std::int32_t freq_khz, bool lockable) {
  Port& p = ports_[port];
  assert(p.tx == nullptr && "listen() while transmitting");
  if (p.state == RadioState::kRx && p.freq_khz == freq_khz) {
    if (!lockable) abortReception(p);
    p.lockable = lockable;
    return;
  }
  abortReception(p);
  clearIncoming(p);
  p.measuring = false;
  setState(p, RadioState::kRx);
  p.freq_khz = freq_khz;
  p.lockable = lockable;
  rebuildIncoming(port);
}

void Medium::holdRx(std::uint32_t port) {
  Port& p = ports_[port];
  assert(p.tx == nullptr && "holdRx() while transmitting");
  abortReception(p);
  clearIncoming(p);
  p.measuring = false;
  p.freq_khz = 0;
  p.lockable = false;
  setState(p, RadioState::kRx);
}

void Medium::stopListening(std::uint32_t port, RadioState state) {
  Port& p = ports_[port];
  assert(p.tx == nullptr && "stopListening() while transmitting");
  abortReception(p);
  clearIncoming(p);
  p.measuring = false;
  p.freq_khz = 0;
  p.lockable = false;
  setState(p, state);
}

void Medium::rebuildIncoming(std::uint32_t port) {
  Port& p = ports_[port];
  const double prune = phy_.prune_below_dbm;
  for (TxRecord* rec : active_) {
    if (rec->sender == p.node) continue;
    const auto gain = gainFrom(rec->sender, p.node);
    if (!gain) continue;
    const double rx_dbm = rec->tx_dbm + *gain;
    if (rx_dbm < prune) continue;
    const double eff = rx_dbm + overlapDb(p.phy, rec->kind, p.freq_khz - rec->freq_khz);
    if (eff < prune) continue;
    addSignal(port, *rec, rx_dbm, dbmToMw(eff), /*may_lock=*/false);
  }
}

TxRecord& Medium::allocTx() {
  if (free_.empty()) {
    auto rec = std::make_unique<TxRecord>();
    rec->pool_index = static_cast<std::uint32_t>(pool_.size());
    pool_.push_back(std::move(rec));
    free_.push_back(pool_.back()->pool_index);
  }
  const std::uint32_t idx = free_.back();
  free_.pop_back();
  TxRecord& rec = *pool_[idx];
  rec.asn.reset();
  rec.len = 0;
  rec.engaged.clear();
  return rec;
}

void Medium::releaseTx(TxRecord& rec) {
  assert(!rec.active);
  rec.engaged.clear();
  free_.push_back(rec.pool_index);
}

void Medium::startTx(std::uint32_t port, TxRecord& rec) {
  Port& p = ports_[port];
  assert(p.tx == nullptr && "startTx() while transmitting");
  abortReception(p);
  clearIncoming(p);
  p.measuring = false;
  p.lockable = false;
  const SimTime now = kernel_.now();
  const Phy phy = rec.kind == SignalKind::kBle ? Phy::kBle : Phy::k802154;
  rec.sender = p.node;
  rec.sender_port = port;
  rec.start = now;
  rec.payload_start = now + (phy == Phy::kBle ? kSyncBle : kSync802154);
  rec.end = rec.payload_start + Duration{static_cast<std::int64_t>(rec.len) * 8 * bitTimeNs(phy)};
  p.tx = &rec;
  p.freq_khz = rec.freq_khz;
  setState(p, RadioState::kTx);
  if (p.stats != nullptr) ++p.stats->tx_frames;
  capture(rec);

  rec.seq = next_seq_++;
  rec.active = true;
  rec.active_index = static_cast<std::uint32_t>(active_.size());
  active_.push_back(&rec);
  ++stats_.transmissions;
  rec.end_event = kernel_.schedule(rec.end, &Medium::onTxEndEvent, this, rec.pool_index);

  engage(rec, /*may_lock=*/true);
}

void Medium::engage(TxRecord& rec, bool may_lock) {
  const double prune = phy_.prune_below_dbm;
  const NeighborList list = reachOf(rec.sender);
  for (std::size_t i = 0; i < list.size; ++i) {
    const double rx_dbm = rec.tx_dbm + list.gainDb(i);
    if (rx_dbm < prune) continue;
    const std::uint32_t node = list.nodes[i];
    for (std::size_t k = 0; k < kPhyCount; ++k) {
      const std::uint32_t qi = ports_by_node_[static_cast<std::size_t>(node) * kPhyCount + k];
      if (qi == kNoPort) continue;
      Port& q = ports_[qi];
      if (q.freq_khz == 0) continue;
      if (q.state == RadioState::kTx) {
        // Half-duplex: a frame this port could have received arrives while it sends.
        if (rec.kind == signalKindOf(q.phy) && q.freq_khz == rec.freq_khz &&
            rx_dbm >= sensitivityDbm(q.phy) && q.stats != nullptr) {
          ++q.stats->rx_missed_busy;
        }
        continue;
      }
      if (q.state != RadioState::kRx) continue;
      const double eff = rx_dbm + overlapDb(q.phy, rec.kind, q.freq_khz - rec.freq_khz);
      if (eff < prune) continue;
      addSignal(qi, rec, rx_dbm, dbmToMw(eff), may_lock);
    }
  }
}

void Medium::startJammer(std::uint32_t sender, std::int32_t freq_khz, double power_dbm,
                         SimTime until) {
  TxRecord& rec = allocTx();
  const SimTime now = kernel_.now();
  rec.kind = SignalKind::kJammer;
  rec.channel = 0;
  rec.freq_khz = freq_khz;
  rec.tx_dbm = power_dbm;
  rec.sender = sender;
  rec.sender_port = kNoPort;
  rec.start = now;
  rec.payload_start = now;
  rec.end = std::max(until, now);
  rec.seq = next_seq_++;
  rec.active = true;
  rec.active_index = static_cast<std::uint32_t>(active_.size());
  active_.push_back(&rec);
  rec.end_event = kernel_.schedule(rec.end, &Medium::onTxEndEvent, this, rec.pool_index);
  engage(rec, /*may_lock=*/false);
}

void Medium::addSignal(std::uint32_t port, TxRecord& rec, double rx_dbm, double mw, bool may_lock) {
  Port& p = ports_[port];
  const SimTime now = kernel_.now();
  if (p.rx.tx != nullptr) closeSegment(p, now);
  p.incoming.push_back(Incoming{&rec, mw});
  rec.engaged.push_back(port);
  ++stats_.signal_visits;
  if (p.measuring) p.ed_max_mw = std::max(p.ed_max_mw, totalIncomingMw(p));

  const bool receivable = rec.kind == signalKindOf(p.phy) && rec.freq_khz == p.freq_khz &&
                          rx_dbm >= sensitivityDbm(p.phy);
  if (!receivable || !may_lock) {
    p.interference_mw += mw;
    return;
  }
  if (p.rx.tx != nullptr || !p.lockable) {
    p.interference_mw += mw;
    if (p.stats != nullptr) ++p.stats->rx_missed_busy;
    return;
  }
  // Preamble detection under the interference already present.
  if (p.interference_mw > 0.0 && mw < p.interference_mw * capture_ratio_) {
    p.interference_mw += mw;
    if (p.stats != nullptr) ++p.stats->rx_lost_collision;
    return;
  }
  p.rx = Reception{};
  p.rx.tx = &rec;
  p.rx.signal_mw = mw;
  p.rx.rssi_dbm = rx_dbm;
  p.rx.seg_start = now;
}

void Medium::closeSegment(Port& p, SimTime t) {
  Reception& r = p.rx;
  if (t <= r.seg_start) return;
  const double interference = p.interference_mw;
  const double signal = r.signal_mw;
  if (interference > 0.0) {
    r.interfered = true;
    if (signal < interference * capture_ratio_) r.collided = true;
  }
  const double sinr_db =
      mwToDbm(signal / (noise_mw_[static_cast<std::size_t>(p.phy)] + interference));
  r.min_sinr_db = std::min(r.min_sinr_db, sinr_db);
  const SimTime from = std::max(r.seg_start, r.tx->payload_start);
  const SimTime to = std::min(t, r.tx->end);
  if (to > from && !r.collided) {
    const double bits =
        static_cast<double>((to - from).count()) / static_cast<double>(bitTimeNs(p.phy));
    const double ber = berFor(p.phy, sinr_db);
    if (ber > 0.0) r.log_psr += bits * std::log1p(-ber);
  }
  r.seg_start = t;
}

void Medium::removeSignal(std::uint32_t port, TxRecord& rec, bool aborted) {
  Port& p = ports_[port];
  auto it = std::find_if(p.incoming.begin(), p.incoming.end(),
                         [&](const Incoming& in) { return in.tx == &rec; });
  if (it == p.incoming.end()) return;
  const SimTime now = kernel_.now();
  if (p.rx.tx != nullptr) closeSegment(p, now);
  *it = p.incoming.back();
  p.incoming.pop_back();
  if (p.rx.tx != &rec) {
    recomputeInterference(p);
    return;
  }
  Reception r = p.rx;
  p.rx = Reception{};
  recomputeInterference(p);
  RadioStats* st = p.stats;
  if (aborted) {
    if (st != nullptr) ++st->rx_aborted;
    return;
  }
  bool ok = false;
  if (!r.collided) {
    double psr = std::exp(r.log_psr);
    if (propagation_ != nullptr && rec.sender < node_count_) {
      if (auto prr = propagation_->linkPrr(rec.sender, p.node)) psr *= *prr;
    }
    ok = psr >= 1.0 || p.rng->uniform() < psr;
  }
  if (ok) {
    if (st != nullptr) ++st->rx_ok;
    p.pending_delivery = &rec;
    p.pending_measure = RxMeasure{r.rssi_dbm, r.min_sinr_db};
  } else if (st != nullptr) {
    if (r.collided || r.interfered) {
      ++st->rx_lost_collision;
    } else {
      ++st->rx_lost_noise;
    }
  }
}

void Medium::onTxEndEvent(void* self, std::uint64_t pool_index) {
  auto* m = static_cast<Medium*>(self);
  TxRecord& rec = *m->pool_[static_cast<std::size_t>(pool_index)];
  rec.end_event = EventId{};
  m->endTx(rec, /*aborted=*/false);
}

void Medium::abortTx(std::uint32_t port) {
  Port& p = ports_[port];
  if (p.tx == nullptr) return;
  TxRecord& rec = *p.tx;
  kernel_.cancel(rec.end_event);
  rec.end_event = EventId{};
  endTx(rec, /*aborted=*/true);
}

void Medium::endTx(TxRecord& rec, bool aborted) {
  // Off the active list (swap with the last).
  TxRecord* last = active_.back();
  active_[rec.active_index] = last;
  last->active_index = rec.active_index;
  active_.pop_back();
  rec.active = false;

  if (rec.sender_port != kNoPort) {
    Port& s = ports_[rec.sender_port];
    s.tx = nullptr;
    s.freq_khz = 0;
    setState(s, RadioState::kSleep);
  }
  for (std::uint32_t qi : rec.engaged)
    removeSignal(qi, rec, aborted);
  // Deliveries after every receiver has been updated: a stack reacting to a frame sees
  // a consistent medium.
  for (std::size_t i = 0; i < rec.engaged.size(); ++i) {
    Port& q = ports_[rec.engaged[i]];
    if (q.pending_delivery != &rec) continue;
    q.pending_delivery = nullptr;
    ++stats_.deliveries;
    if (q.client != nullptr) q.client->onFrameReceived(rec, q.pending_measure);
  }
  if (rec.sender_port != kNoPort) {
    PortClient* c = ports_[rec.sender_port].client;
    if (c != nullptr) c->onTransmitEnd(rec, aborted);
  }
  rec.engaged.clear();
  free_.push_back(rec.pool_index);
}

double Medium::energyDbm(std::uint32_t port) const {
  const Port& p = ports_[port];
  return mwToDbm(totalIncomingMw(p) + noise_mw_[static_cast<std::size_t>(p.phy)]);
}

void Medium::beginEnergyMeasure(std::uint32_t port) {
  Port& p = ports_[port];
  p.measuring = true;
  p.ed_max_mw = totalIncomingMw(p);
}

double Medium::endEnergyMeasure(std::uint32_t port) {
  Port& p = ports_[port];
  p.measuring = false;
  return mwToDbm(p.ed_max_mw + noise_mw_[static_cast<std::size_t>(p.phy)]);
}

void Medium::capture(const TxRecord& rec) {
  if (rec.kind == SignalKind::k802154 && pcap_802154_ != nullptr && pcap_802154_->isOpen()) {
    std::array<std::uint8_t, kTapMaxHeader> head{};
    Capture802154 info;
    info.channel = rec.channel;
    info.rss_dbm = static_cast<float>(rec.tx_dbm);
    info.asn = rec.asn;
    const std::size_t n = encodeTapHeader(head, info);
    pcap_802154_->write(rec.start, ByteSpan(head.data(), n), rec.bytes());
  } else if (rec.kind == SignalKind::kBle && pcap_ble_ != nullptr && pcap_ble_->isOpen()) {
    std::array<std::uint8_t, kBleCaptureHeadSize> head{};
    CaptureBle info;
    info.rf_channel = rec.channel;
    info.signal_dbm = static_cast<std::int8_t>(std::clamp(std::lround(rec.tx_dbm), -128L, 127L));
    info.crc_checked_flag = ble_crc_flag_;
    encodeBlePhdr(head, info);
    pcap_ble_->write(rec.start, head, rec.bytes());
  }
}

std::size_t Medium::memoryBytes() const {
  std::size_t bytes = ports_.capacity() * sizeof(Port) +
                      ports_by_node_.capacity() * sizeof(std::uint32_t) + table_.memoryBytes() +
                      active_.capacity() * sizeof(void*) + free_.capacity() * sizeof(std::uint32_t);
  for (const auto& p : ports_)
    bytes += p.incoming.capacity() * sizeof(Incoming);
  for (const auto& r : pool_)
    bytes += sizeof(TxRecord) + r->engaged.capacity() * sizeof(std::uint32_t);
  return bytes;
}

}  // namespace lpm::sim
