#include "lpmesh/ieee802154/tsch_mac.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace lpm::ieee802154 {

namespace {

using platform::TraceKind;

constexpr std::string_view kLayer = "tsch";
/// 15.4 O-QPSK: preamble (4 bytes) and SFD (1 byte) precede the end of the SFD.
constexpr Duration kSfdAfterShr = platform::k802154ByteTime * 5;
/// The radio needs CCA (optional) plus turnaround before the SHR; wake up with margin.
constexpr Duration kTxPrepare = micros(500);
/// Largest drift a node believes it can have against its time source.
constexpr std::int64_t kMaxDriftPpb = 200'000;
constexpr std::int64_t kBillion = 1'000'000'000;

__extension__ typedef __int128 Int128;

Duration frameEndAfterSfd(std::size_t mpdu_len) {
  // PHR (1 byte) then the PSDU (MPDU + FCS).
  return platform::k802154ByteTime *
         static_cast<std::int64_t>(1 + mpdu_len + platform::k802154FcsSize);
}

/// The destination address of an MPDU read from its MAC header alone, with no
/// allocation (15.4-2015 §7.2.1, Table 7-2), so that frames for other nodes are filtered
/// before a full parse; empty when the header is too short or not a valid combination.
std::optional<MacAddress> peekDestination(ByteSpan mpdu) {
  ByteReader r(mpdu);
  const std::uint16_t fc = r.u16le();
  const auto version = static_cast<FrameVersion>((fc >> 12) & 3U);
  const auto dst_mode = static_cast<AddrMode>((fc >> 10) & 3U);
  const auto src_mode = static_cast<AddrMode>((fc >> 14) & 3U);
  const bool seq_suppressed = version == FrameVersion::k2015 && ((fc >> 8) & 1U) != 0;
  const PanIdPresence p = panIdPresence(version, dst_mode, src_mode, ((fc >> 6) & 1U) != 0);
  if (!p.valid || dst_mode == AddrMode::kNone) return std::nullopt;
  if (!seq_suppressed) r.skip(1);
  if (p.dst) r.skip(2);
  MacAddress a;
  a.mode = dst_mode;
  if (dst_mode == AddrMode::kShort) {
    a.short_addr = r.u16le();
  } else {
    const ByteSpan b = r.bytes(8);
    for (std::size_t i = 0; i < b.size(); ++i)
      a.extended[i] = b[7 - i];  // least significant byte first on the wire
  }
  if (!r.ok()) return std::nullopt;
  return a;
}

/// EUI-64 equality as one 64-bit compare (the neighbour table is searched per frame).
bool sameEui(const Eui64& a, const Eui64& b) {
  std::uint64_t x = 0;
  std::uint64_t y = 0;
  std::memcpy(&x, a.data(), sizeof x);
  std::memcpy(&y, b.data(), sizeof y);
  return x == y;
}

bool validChannel(std::uint16_t ch) {
  return ch >= platform::k802154MinChannel && ch <= platform::k802154MaxChannel;
}

}  // namespace

std::string_view tschStateName(TschState s) {
  switch (s) {
    case TschState::kOff:
      return "off";
    case TschState::kScanning:
      return "scanning";
    case TschState::kSynchronized:
      return "synchronized";
  }
  return "unknown";
}

TschMac::TschMac(platform::Platform& platform, const TschConfig& config, TschUpperLayer& upper)
    : p_(platform),
      radio_(*platform.radio802154),
      timers_(*platform.timers),
      config_(config),
      upper_(upper),
      self_(platform.radio802154->eui64()),
      security_(self_, LinkSecurityConfig{config.security.join_mode, 4, 4, 8}),
      schedule_(config.max_slotframes, config.max_links),
      timing_(config.timing),
      hopping_(config.hopping_sequence) {
  // One extra packet is reserved for MAC-generated frames (keep-alives), §7.2.
  pool_.resize(config_.queue_capacity + 1);
  neighbors_.reserve(config_.max_neighbors);
  candidates_.reserve(config_.max_candidates);
  installConfiguredKeys();
}

TschMac::~TschMac() {
  timers_.stop(slot_timer_);
  timers_.stop(eb_timer_);
  timers_.stop(scan_timer_);
  timers_.stop(join_timer_);
}

void TschMac::installConfiguredKeys() {
  if (!config_.security.enabled) return;
  const JoinKeyMode mode = config_.security.join_mode;
  std::optional<crypto::Key128> k1, k2;
  if (mode == JoinKeyMode::kK1K2 || mode == JoinKeyMode::kK1Only) k1 = config_.security.k1;
  if (mode == JoinKeyMode::kK1K2) k2 = config_.security.k2;
  (void)installKeys(k1, k2);
}

Error TschMac::installKeys(std::optional<crypto::Key128> k1, std::optional<crypto::Key128> k2) {
  if (k1) {
    KeyDescriptor d;
    d.id = KeyIdentifier::fromIndex(config_.security.k1_index);
    d.key = *k1;
    d.usage = kUsageBeacon;
    LPM_TRY(security_.keys().set(d));
  }
  if (k2) {
    KeyDescriptor d;
    d.id = KeyIdentifier::fromIndex(config_.security.k2_index);
    d.key = *k2;
    d.usage = kUsageData | kUsageAck | kUsageCommand;
    LPM_TRY(security_.keys().set(d));
  }
  return Error::kNone;
}

// ---------------------------------------------------------------------------------------
// Helpers

void TschMac::trace(TraceKind kind, std::string_view reason, std::int64_t value) const {
  platform::trace(p_.trace, kLayer, kind, reason, value);
}

void TschMac::drop(std::string_view reason, std::uint64_t& counter) {
  ++counter;
  trace(TraceKind::kDrop, reason);
}

void TschMac::setState(TschState s) {
  state_ = s;
  trace(TraceKind::kState, tschStateName(s));
}

LocalTime TschMac::slotStart(std::uint64_t asn) const {
  const std::int64_t d = static_cast<std::int64_t>(asn - ref_asn_) * slotLength().count();
  // |d| below 4.6e13 ns (12 h) keeps d * drift in 64 bits (|drift| <= 2e5 ppb); the
  // 128-bit path gives the same truncated result for longer spans.
  constexpr std::int64_t kSafe = 46'000'000'000'000;
  if (d < kSafe && d > -kSafe) return ref_time_ + Duration{d + d * drift_ppb_ / kBillion};
  const Int128 wide = static_cast<Int128>(d);
  return ref_time_ + Duration{static_cast<std::int64_t>(wide + wide * drift_ppb_ / kBillion)};
}

std::uint64_t TschMac::asnAt(LocalTime t) const {
  // The last slot that starts at or before `t` (consistent with slotStart).
  const std::int64_t e = (t - ref_time_).count();
  if (e <= 0) return ref_asn_;
  const std::int64_t len = slotLength().count();
  const std::int64_t per = len + len * drift_ppb_ / kBillion;
  std::uint64_t asn = ref_asn_ + static_cast<std::uint64_t>(e / std::max<std::int64_t>(per, 1));
  while (slotStart(asn + 1) <= t)
    ++asn;
  while (asn > ref_asn_ && slotStart(asn) > t)
    --asn;
  return asn;
}

std::uint64_t TschMac::currentAsn() const {
  return asnAt(timers_.now());
}

std::optional<Eui64> TschMac::timeSource() const {
  if (time_source_ == kNoIndex) return std::nullopt;
  return neighbors_[time_source_].address;
}

const TschNeighbor* TschMac::findNeighbor(const Eui64& address) const {
  const std::uint16_t i = neighborIndex(address);
  return i == kNoIndex ? nullptr : &neighbors_[i];
}

std::uint16_t TschMac::neighborIndex(const Eui64& address) const {
  for (std::size_t i = 0; i < neighbors_.size(); ++i) {
    if (sameEui(neighbors_[i].address, address)) return static_cast<std::uint16_t>(i);
  }
  return kNoIndex;
}

Error TschMac::setTimeSource(const Eui64& address) {
  if (state_ != TschState::kSynchronized || config_.coordinator) return Error::kInvalidState;
  if (time_source_ != kNoIndex && neighbors_[time_source_].address == address) return Error::kNone;
  const std::uint16_t nb = touchNeighbor(address);
  if (nb == kNoIndex) return Error::kNoBufs;
  if (time_source_ != kNoIndex) neighbors_[time_source_].time_source = false;
  time_source_ = nb;
  neighbors_[nb].time_source = true;
  // The drift learnt so far is kept (every time source follows the network's time). The
  // first correction on the new source is an offset between sources, not drift: it is
  // applied whole and starts a new rate measurement.
  offset_whole_next_ = true;
  rate_anchor_valid_ = false;
  residual_ns_ = 0;
  trace(TraceKind::kCounter, "time_source_change");
  return Error::kNone;
}

std::uint16_t TschMac::touchNeighbor(const Eui64& address) {
  const std::uint16_t found = neighborIndex(address);
  if (found != kNoIndex) return found;
  if (neighbors_.size() < config_.max_neighbors) {
    TschNeighbor n;
    n.address = address;
    n.be = config_.min_be;
    neighbors_.push_back(n);
    return static_cast<std::uint16_t>(neighbors_.size() - 1);
  }
  // Full: reuse the entry heard from least recently that is neither the time source
  // nor holding packets (indices of other entries do not move).
  std::uint16_t victim = kNoIndex;
  for (std::size_t i = 0; i < neighbors_.size(); ++i) {
    const TschNeighbor& n = neighbors_[i];
    if (n.time_source || n.queued > 0) continue;
    if (victim == kNoIndex ||
        n.last_rx_asn.value_or(0) < neighbors_[victim].last_rx_asn.value_or(0)) {
      victim = static_cast<std::uint16_t>(i);
    }
  }
  if (victim == kNoIndex) {
    drop("neighbor_table_full", stats_.drop_neighbor_full);
    return kNoIndex;
  }
  TschNeighbor n;
  n.address = address;
  n.be = config_.min_be;
  neighbors_[victim] = n;
  return victim;
}

std::optional<AuxSecurityHeader> TschMac::outgoingSecurity(FrameType type,
                                                           const Eui64* dest) const {
  if (!config_.security.enabled) return std::nullopt;
  // A neighbour under secExempt has no keys yet: talk to it in the clear (§4.6).
  if (dest != nullptr && security_.isExempt(*dest)) return std::nullopt;
  if (!security_.keys().hasKeyFor(type)) return std::nullopt;
  if (type == FrameType::kBeacon) {
    return tschSecurityHeader(config_.security.eb_level, config_.security.k1_index);
  }
  return tschSecurityHeader(config_.security.data_level, config_.security.k2_index);
}

Result<std::size_t> TschMac::encodeSecured(const Frame& plain, std::uint64_t asn) {
  if (!plain.security) return plain.encode(tx_buf_);
  LPM_TRY_ASSIGN(Frame secured, security_.secureOutgoing(plain, asn));
  return secured.encode(tx_buf_);
}

std::size_t TschMac::maxPayload(bool broadcast) const {
  // MHR: FC 2 + seq 1 + dst PAN 2 + dst (2 or 8) + src 8; aux header 2 and MIC.
  std::size_t overhead = 2 + 1 + 2 + (broadcast ? 2 : 8) + 8;
  if (config_.security.enabled) overhead += 2 + micLength(config_.security.data_level);
  return platform::k802154MaxMpdu - overhead;
}

// ---------------------------------------------------------------------------------------
// Start, stop, state changes

void TschMac::start() {
  radio_.setClient(this);
  stats_ = TschStats{};
  if (config_.coordinator) {
    startCoordinator();
  } else {
    startScanning();
  }
}

void TschMac::stop() {
  timers_.stop(slot_timer_);
  timers_.stop(eb_timer_);
  timers_.stop(scan_timer_);
  timers_.stop(join_timer_);
  flushQueues();
  radio_.sleep();
  phase_ = Phase::kIdle;
  if (state_ == TschState::kSynchronized) stats_.total_time_synced += timers_.now() - synced_at_;
  setState(TschState::kOff);
}

void TschMac::startCoordinator() {
  schedule_ = config_.schedule ? *config_.schedule
                               : TschSchedule::minimal(config_.slotframe_length,
                                                       config_.max_slotframes, config_.max_links);
  timing_ = config_.timing;
  hopping_ = config_.hopping_sequence;
  eb_template_ = EbContent{};
  eb_template_.timeslot.template_id = config_.timeslot_template_id;
  if (config_.eb_full_timeslot || config_.timeslot_template_id != 0) {
    eb_template_.timeslot.timing = timing_;
  }
  eb_template_.hopping.sequence_id = config_.hopping_sequence_id;
  if (config_.eb_full_hopping || config_.hopping_sequence_id != 0) {
    ChannelHoppingFull full;
    full.number_of_channels = static_cast<std::uint16_t>(hopping_.size());
    full.sequence.assign(hopping_.begin(), hopping_.end());
    eb_template_.hopping.full = full;
  }
  if (config_.eb_slotframe_link_ie) eb_template_.slotframe_link = schedule_.toIe();
  // ASN 0 starts one slot from now.
  ref_asn_ = 0;
  ref_time_ = timers_.now() + slotLength();
  resetTimesync(0);
  joined_asn_ = 0;
  last_sync_asn_ = 0;
  synced_at_ = timers_.now();
  time_source_ = kNoIndex;
  min_next_asn_ = 0;
  ++stats_.syncs;
  setState(TschState::kSynchronized);
  upper_.onSynchronized(self_, 0);
  armEbTimer(true);
  scheduleNext(0);
}

void TschMac::startScanning() {
  setState(TschState::kScanning);
  candidates_.clear();
  pending_target_.reset();
  stats_.first_eb_time.reset();
  phase_ = Phase::kIdle;
  timers_.stop(join_timer_);
  const std::span<const std::uint8_t> channels = config_.hopping_sequence;
  scan_channel_ = channels.empty()
                      ? platform::k802154MinChannel
                      : channels[static_cast<std::size_t>(p_.random->below(channels.size()))];
  (void)radio_.receive(scan_channel_);
  timers_.start(scan_timer_, config_.scan_dwell);
}

void TschMac::onScanTimer() {
  if (state_ != TschState::kScanning) return;
  const std::span<const std::uint8_t> channels = config_.hopping_sequence;
  if (channels.size() > 1) {
    // Another channel of the sequence, picked at random.
    std::uint8_t next = scan_channel_;
    while (next == scan_channel_) {
      next = channels[static_cast<std::size_t>(p_.random->below(channels.size()))];
    }
    scan_channel_ = next;
    (void)radio_.receive(scan_channel_);
  }
  timers_.start(scan_timer_, config_.scan_dwell);
}

void TschMac::onJoinTimer() {
  if (state_ != TschState::kScanning) return;
  if (pending_target_) {
    // The chosen time source was not heard again: start the selection over.
    pending_target_.reset();
    candidates_.clear();
    stats_.first_eb_time.reset();
    trace(TraceKind::kCounter, "join_restart");
    return;
  }
  decideTimeSource(true);
}

void TschMac::handleScanRx(const platform::Rx802154& rx) {
  auto parsed = Frame::parse(rx.mpdu);
  if (!parsed) return;
  const Frame& f = *parsed;
  if (f.type != FrameType::kBeacon || f.version != FrameVersion::k2015) return;
  if (f.src.mode != AddrMode::kExtended) return;  // secured EBs need the originator's EUI-64
  if (f.dst_pan && *f.dst_pan != config_.pan_id && *f.dst_pan != kBroadcastPanId) return;
  auto content = parseEb(f);
  if (!content) {
    drop("eb_malformed", stats_.drop_malformed);
    return;
  }
  bool verified = false;
  if (f.security) {
    if (!config_.security.enabled) {
      drop("secured_frame", stats_.drop_security);
      return;
    }
    // RFC 8180 §4.6 / OpenWSN: the first EB is authenticated with the ASN it carries.
    auto in = security_.processIncoming(f, f.src.extended, content->sync.asn);
    if (!in) {
      drop("eb_auth_failed", stats_.drop_security);
      return;
    }
    verified = in->status == RxSecurity::kVerified;
  } else if (config_.security.enabled && security_.keys().hasKeyFor(FrameType::kBeacon)) {
    drop("eb_unsecured", stats_.drop_security);
    return;
  }
  ++stats_.eb_rx;
  trace(TraceKind::kRx, "eb");

  TschCandidate cand;
  cand.address = f.src.extended;
  cand.eb = std::move(content).value();
  cand.sfd_time = rx.sfd_time;
  cand.rssi_dbm = rx.rssi_dbm;
  cand.verified = verified;
  if (!upper_.acceptsTimeSource(cand)) return;

  auto it = std::find_if(candidates_.begin(), candidates_.end(),
                         [&](const TschCandidate& c) { return c.address == cand.address; });
  if (it != candidates_.end()) {
    cand.ebs_heard = it->ebs_heard + 1;
    *it = std::move(cand);
  } else {
    cand.ebs_heard = 1;
    if (candidates_.size() < config_.max_candidates) {
      candidates_.push_back(std::move(cand));
      it = candidates_.end() - 1;
    } else {
      // Full: replace the worst Join Metric if this one is better.
      auto worst = std::max_element(candidates_.begin(), candidates_.end(),
                                    [](const TschCandidate& a, const TschCandidate& b) {
                                      return a.eb.sync.join_metric < b.eb.sync.join_metric;
                                    });
      if (worst->eb.sync.join_metric <= cand.eb.sync.join_metric) return;
      *worst = std::move(cand);
      it = worst;
    }
  }
  if (!stats_.first_eb_time) {
    stats_.first_eb_time = timers_.now();
    timers_.start(join_timer_, config_.max_eb_delay);
  }
  if (pending_target_) {
    if (it->address == *pending_target_) syncTo(static_cast<std::size_t>(it - candidates_.begin()));
    return;
  }
  if (candidates_.size() >= config_.num_neighbours_to_wait) decideTimeSource(false);
}

void TschMac::decideTimeSource(bool timeout) {
  if (candidates_.empty()) return;
  const std::optional<std::size_t> choice = upper_.chooseTimeSource(candidates_);
  if (!choice || *choice >= candidates_.size()) {
    if (timeout) {
      candidates_.clear();
      stats_.first_eb_time.reset();
    }
    return;
  }
  const TschCandidate& c = candidates_[*choice];
  if (timers_.now() - c.sfd_time <= config_.sync_ref_max_age) {
    syncTo(*choice);
    return;
  }
  // Its last EB is too old to take the time from: wait for the next one (bounded).
  pending_target_ = c.address;
  timers_.start(join_timer_, config_.max_eb_delay);
}

void TschMac::syncTo(std::size_t index) {
  const TschCandidate c = candidates_[index];
  // Adopt the timeslot template (§4.4).
  TimeslotTiming timing;
  if (c.eb.timeslot.timing) {
    timing = *c.eb.timeslot.timing;
  } else if (c.eb.timeslot.template_id == 0) {
    timing = kDefaultTimeslotTiming;
  } else if (c.eb.timeslot.template_id == config_.timeslot_template_id) {
    timing = config_.timing;  // a template known in advance
  } else {
    drop("eb_unknown_template", stats_.drop_eb_config);
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(index));
    return;
  }
  if (timing.timeslot_length == 0 || timing.tx_offset >= timing.timeslot_length) {
    drop("eb_bad_timing", stats_.drop_eb_config);
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(index));
    return;
  }
  // Adopt the hopping sequence.
  std::vector<std::uint8_t> hopping;
  if (c.eb.hopping.full) {
    for (std::uint16_t ch : c.eb.hopping.full->sequence) {
      if (!validChannel(ch)) {
        hopping.clear();
        break;
      }
      hopping.push_back(static_cast<std::uint8_t>(ch));
    }
  } else if (c.eb.hopping.sequence_id == 0) {
    hopping.assign(kDefaultHoppingSequence.begin(), kDefaultHoppingSequence.end());
  } else if (c.eb.hopping.sequence_id == config_.hopping_sequence_id) {
    hopping = config_.hopping_sequence;
  }
  if (hopping.empty()) {
    drop("eb_unknown_hopping", stats_.drop_eb_config);
    candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(index));
    return;
  }
  // Adopt the schedule (§4.1): announced, or the minimal one of the configured size.
  TschSchedule schedule(config_.max_slotframes, config_.max_links);
  if (c.eb.slotframe_link) {
    auto s = TschSchedule::fromIe(*c.eb.slotframe_link, config_.max_slotframes, config_.max_links);
    if (!s || s->empty()) {
      drop("eb_bad_schedule", stats_.drop_eb_config);
      candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(index));
      return;
    }
    schedule = std::move(s).value();
  } else {
    schedule =
        TschSchedule::minimal(config_.slotframe_length, config_.max_slotframes, config_.max_links);
  }

  timers_.stop(scan_timer_);
  timers_.stop(join_timer_);
  radio_.sleep();
  timing_ = timing;
  hopping_ = std::move(hopping);
  schedule_ = std::move(schedule);
  eb_template_ = c.eb;
  eb_template_.sync = {};

  // The EB's SHR left at its slot start + macTsTxOffset.
  ref_asn_ = c.eb.sync.asn;
  ref_time_ = c.sfd_time - micros(timing_.tx_offset) - kSfdAfterShr;
  // The EB is an exact reference: the first correction measures the drift since it.
  resetTimesync(ref_asn_);
  rate_anchor_valid_ = true;
  last_sync_asn_ = ref_asn_;
  joined_asn_ = ref_asn_;
  synced_at_ = timers_.now();
  min_next_asn_ = ref_asn_ + 1;

  neighbors_.clear();
  time_source_ = touchNeighbor(c.address);
  if (time_source_ != kNoIndex) {
    TschNeighbor& ts = neighbors_[time_source_];
    ts.time_source = true;
    ts.routing_metric = c.eb.sync.join_metric;
    ts.num_rx = c.ebs_heard;
    ts.last_rx_asn = ref_asn_;
  }
  candidates_.clear();
  pending_target_.reset();

  ++stats_.syncs;
  if (stats_.first_eb_time) {
    stats_.last_time_to_sync = timers_.now() - *stats_.first_eb_time;
    trace(TraceKind::kMetric, "time_to_sync_us", toMicros(*stats_.last_time_to_sync));
  }
  setState(TschState::kSynchronized);
  upper_.onSynchronized(c.address, c.eb.sync.join_metric);
  armEbTimer(true);
  phase_ = Phase::kIdle;
  scheduleNext(asnAt(timers_.now()) + 1);
}

void TschMac::desynchronize() {
  ++stats_.desyncs;
  stats_.total_time_synced += timers_.now() - synced_at_;
  trace(TraceKind::kCounter, "desync");
  timers_.stop(slot_timer_);
  timers_.stop(eb_timer_);
  radio_.sleep();
  phase_ = Phase::kIdle;
  flushQueues();
  neighbors_.clear();
  time_source_ = kNoIndex;
  drift_ppb_ = 0;
  drift_learnt_ = false;
  upper_.onDesynchronized();
  startScanning();
}

// ---------------------------------------------------------------------------------------
// EBs

void TschMac::armEbTimer(bool first) {
  const auto period = config_.eb_period.count();
  if (period <= 0) return;
  std::int64_t delay = 0;
  if (first) {
    delay = static_cast<std::int64_t>(p_.random->below(static_cast<std::uint64_t>(period)));
  } else {
    // Contiki-NG: a period in [3/4, 1) x EB_PERIOD, so neighbours drift apart.
    delay = period - period / 4 +
            static_cast<std::int64_t>(p_.random->below(static_cast<std::uint64_t>(period / 4 + 1)));
  }
  timers_.start(eb_timer_, Duration{delay});
}

void TschMac::onEbTimer() {
  if (state_ != TschState::kSynchronized) return;
  // §6.3: only with a routing metric to announce.
  if (upper_.joinMetric() && !eb_pending_) {
    eb_pending_ = true;
    reschedule();
  }
  armEbTimer(false);
}

// ---------------------------------------------------------------------------------------
// Queues

bool TschMac::upperLimitReached(const TschNeighbor& n) const {
  // §7.2: NUM_UPPERLAYER_PACKETS per neighbour while joining (MAX_JOIN_TIME).
  const bool joining = !config_.coordinator && timers_.now() - synced_at_ < config_.max_join_time;
  const std::size_t limit = joining ? config_.num_upperlayer_packets : config_.per_neighbor_queue;
  return n.upper_queued >= limit;
}

Result<std::uint16_t> TschMac::allocPacket(bool mac_generated) {
  std::size_t used = 0;
  std::uint16_t free_index = kNoIndex;
  for (std::size_t i = 0; i < pool_.size(); ++i) {
    if (pool_[i].in_use) {
      ++used;
    } else if (free_index == kNoIndex) {
      free_index = static_cast<std::uint16_t>(i);
    }
  }
  // The last packet is kept for MAC-generated frames.
  if (free_index == kNoIndex || (!mac_generated && used >= config_.queue_capacity)) {
    return Error::kNoBufs;
  }
  Packet& p = pool_[free_index];
  p = Packet{};
  p.in_use = true;
  p.order = next_order_++;
  return free_index;
}

void TschMac::enqueue(std::uint16_t index) {
  Packet& p = pool_[index];
  std::uint16_t* head = nullptr;
  std::uint16_t* tail = nullptr;
  if (p.neighbor == kNoIndex) {
    head = &broadcast_.head;
    tail = &broadcast_.tail;
    ++broadcast_.queued;
  } else {
    TschNeighbor& n = neighbors_[p.neighbor];
    head = &n.head;
    tail = &n.tail;
    ++n.queued;
    if (!p.keep_alive) ++n.upper_queued;
  }
  p.next = kNoIndex;
  ++packets_queued_;
  if (*tail == kNoIndex) {
    *head = index;
  } else {
    pool_[*tail].next = index;
  }
  *tail = index;
}

void TschMac::finishPacket(std::uint16_t index, Error status) {
  Packet& p = pool_[index];
  // Unlink from its queue (it is always the head when it finishes in a slot, but a
  // flush walks every position).
  std::uint16_t* head = nullptr;
  std::uint16_t* tail = nullptr;
  if (p.neighbor == kNoIndex) {
    head = &broadcast_.head;
    tail = &broadcast_.tail;
    --broadcast_.queued;
  } else {
    TschNeighbor& n = neighbors_[p.neighbor];
    head = &n.head;
    tail = &n.tail;
    --n.queued;
    if (!p.keep_alive) --n.upper_queued;
    if (n.queued == 0) {
      n.be = config_.min_be;
      n.backoff = 0;
    }
  }
  std::uint16_t prev = kNoIndex;
  for (std::uint16_t i = *head; i != kNoIndex; i = pool_[i].next) {
    if (i == index) {
      if (prev == kNoIndex) {
        *head = p.next;
      } else {
        pool_[prev].next = p.next;
      }
      if (*tail == index) *tail = prev;
      break;
    }
    prev = i;
  }
  --packets_queued_;
  const bool keep_alive = p.keep_alive;
  const bool unicast = p.neighbor != kNoIndex;
  const std::uint32_t handle = p.handle;
  const std::uint8_t attempts = p.attempts;
  p = Packet{};
  if (unicast) {
    if (status == Error::kNone) {
      ++stats_.packets_ok;
    } else if (status == Error::kNoAck) {
      ++stats_.packets_failed;
    }
  }
  if (!keep_alive) {
    if (unicast && status == Error::kNone) ++stats_.upper_ok;
    if (status != Error::kNone) ++stats_.upper_failed;
    upper_.onSendDone(handle, status, attempts);
  }
}

void TschMac::flushQueues() {
  eb_pending_ = false;
  for (std::size_t i = 0; i < pool_.size(); ++i) {
    if (pool_[i].in_use) {
      trace(TraceKind::kDrop, "flushed");
      finishPacket(static_cast<std::uint16_t>(i), Error::kDropped);
    }
  }
}

Result<std::uint32_t> TschMac::send(const std::optional<Eui64>& dest, ByteSpan payload) {
  if (state_ != TschState::kSynchronized) return Error::kInvalidState;
  if (payload.size() > maxPayload(!dest.has_value())) return Error::kTooLong;
  std::uint16_t nb = kNoIndex;
  if (dest) {
    nb = touchNeighbor(*dest);
    if (nb == kNoIndex) return Error::kNoBufs;
    if (upperLimitReached(neighbors_[nb])) {
      drop("queue_full", stats_.drop_queue_full);
      return Error::kNoBufs;
    }
  }
  auto index = allocPacket(false);
  if (!index) {
    drop("queue_full", stats_.drop_queue_full);
    return Error::kNoBufs;
  }
  Packet& p = pool_[*index];
  p.neighbor = nb;
  p.seq = dsn_++;
  p.handle = next_handle_++;
  p.len = static_cast<std::uint8_t>(payload.size());
  std::copy(payload.begin(), payload.end(), p.payload.begin());
  enqueue(*index);
  reschedule();
  return p.handle;
}

// ---------------------------------------------------------------------------------------
// Slot scheduling

Duration TschMac::wakeOffset() const {
  const Duration rx = micros(timing_.rx_offset);
  const Duration tx = micros(timing_.tx_offset) - kTxPrepare;
  return std::max(Duration{0}, std::min(rx, tx));
}

bool TschMac::linkWanted(const TschLink& link) const {
  if (link.rx()) return true;
  if (!link.tx()) return false;
  if (link.neighbor) {
    const std::uint16_t i = neighborIndex(*link.neighbor);
    return i != kNoIndex && neighbors_[i].queued > 0;
  }
  if (eb_pending_ && link.type == TschLinkType::kAdvertising) return true;
  return packets_queued_ > 0;
}

void TschMac::reschedule() {
  if (state_ != TschState::kSynchronized || phase_ != Phase::kIdle) return;
  scheduleNext(asnAt(timers_.now()));
}

void TschMac::scheduleNext(std::uint64_t from_asn) {
  const LocalTime now = timers_.now();
  // Never a slot already begun, nor one whose wake-up time has passed.
  std::uint64_t from = std::max(from_asn, min_next_asn_);
  for (int guard = 0; guard < 4; ++guard) {
    const auto next =
        schedule_.nextActive(from, [this](const TschLink& l) { return linkWanted(l); });
    if (!next) {
      timers_.stop(slot_timer_);
      return;
    }
    const LocalTime wake = slotStart(*next) + wakeOffset();
    if (wake >= now) {
      slot_.asn = *next;
      timers_.startAt(slot_timer_, wake);
      return;
    }
    // Late (a long slot, or time moved under us): skip to the slot under way now.
    from = std::max(*next + 1, asnAt(now));
  }
  timers_.stop(slot_timer_);
}

void TschMac::onSlotTimer() {
  if (state_ != TschState::kSynchronized) return;
  switch (phase_) {
    case Phase::kIdle:
      beginSlot();
      break;
    case Phase::kRxWaitStart:
      (void)radio_.receive(slot_.channel);
      phase_ = Phase::kRxListen;
      timers_.startAt(slot_timer_,
                      slot_.start + micros(timing_.rx_offset) + micros(timing_.rx_wait));
      break;
    case Phase::kRxListen:
      if (radio_.rssiNow() >= config_.rx_detect_dbm) {
        phase_ = Phase::kRxExtended;
        timers_.startAt(slot_timer_, slot_.start + micros(timing_.tx_offset) +
                                         micros(timing_.rx_wait / 2U) + micros(timing_.max_tx));
      } else {
        endSlot();
      }
      break;
    case Phase::kRxExtended:
      endSlot();
      break;
    case Phase::kAckWaitStart:
      startAckListen();
      break;
    case Phase::kAckListen:
      if (radio_.rssiNow() >= config_.rx_detect_dbm) {
        phase_ = Phase::kAckExtended;
        timers_.startAt(slot_timer_, slot_.tx_end + micros(timing_.rx_ack_delay) +
                                         micros(timing_.ack_wait) + micros(timing_.max_ack));
      } else {
        trace(TraceKind::kCounter, "no_ack");
        txFailed();
        endSlot();
      }
      break;
    case Phase::kAckExtended:
      trace(TraceKind::kCounter, "no_ack");
      txFailed();
      endSlot();
      break;
    case Phase::kTx:
    case Phase::kAckTx:
      // The radio did not report the end of our frame in time (cannot happen with a
      // working radio); give the slot up.
      endSlot();
      break;
  }
}

std::uint16_t TschMac::selectPacket(const TschLink& link, bool& eb) const {
  eb = false;
  // §7.2: EBs first, then MAC-generated frames, then upper-layer frames (oldest first).
  if (!link.neighbor && link.type == TschLinkType::kAdvertising && eb_pending_) {
    eb = true;
    return kNoIndex;
  }
  if (packets_queued_ == 0) return kNoIndex;
  std::uint16_t best = kNoIndex;
  auto better = [&](std::uint16_t candidate) {
    if (best == kNoIndex) return true;
    const Packet& a = pool_[candidate];
    const Packet& b = pool_[best];
    if (a.keep_alive != b.keep_alive) return a.keep_alive;
    return a.order < b.order;
  };
  for (std::size_t i = 0; i < neighbors_.size(); ++i) {
    const TschNeighbor& n = neighbors_[i];
    if (n.head == kNoIndex) continue;
    if (link.neighbor && !sameEui(*link.neighbor, n.address)) continue;
    if (link.shared() && n.backoff > 0) continue;
    if (better(n.head)) best = n.head;
  }
  if (!link.neighbor && broadcast_.head != kNoIndex) {
    const Packet& b = pool_[broadcast_.head];
    if (best == kNoIndex || (!pool_[best].keep_alive && b.order < pool_[best].order)) {
      best = broadcast_.head;
    }
  }
  return best;
}

void TschMac::decrementBackoffs(const TschLink& link, std::uint16_t chosen_neighbor) {
  // 15.4-2015 §6.2.5.3: the backoff counts shared links the queue could have used.
  if (!link.shared() || !link.tx() || packets_queued_ == 0) return;
  for (std::size_t i = 0; i < neighbors_.size(); ++i) {
    TschNeighbor& n = neighbors_[i];
    if (i == chosen_neighbor || n.backoff == 0 || n.queued == 0) continue;
    if (link.neighbor && *link.neighbor != n.address) continue;
    --n.backoff;
  }
}

void TschMac::beginSlot() {
  min_next_asn_ = slot_.asn + 1;
  slot_.start = slotStart(slot_.asn);
  slot_.packet = kNoIndex;
  slot_.eb = false;
  const TschLink* tx_link = nullptr;
  const TschLink* rx_link = nullptr;
  const TschLink* shared_link = nullptr;
  std::uint16_t chosen = kNoIndex;
  bool eb = false;
  schedule_.forEachLinkAt(slot_.asn, [&](const TschSlotframe&, const TschLink& l) {
    if (l.tx() && l.shared() && shared_link == nullptr) shared_link = &l;
    if (l.tx() && tx_link == nullptr) {
      bool is_eb = false;
      const std::uint16_t p = selectPacket(l, is_eb);
      if (is_eb || p != kNoIndex) {
        tx_link = &l;
        chosen = p;
        eb = is_eb;
      }
    }
    if (l.rx() && rx_link == nullptr) rx_link = &l;
  });
  const std::uint16_t chosen_nb = chosen == kNoIndex ? kNoIndex : pool_[chosen].neighbor;
  if (shared_link != nullptr) decrementBackoffs(*shared_link, chosen_nb);

  if (tx_link != nullptr) {
    slot_.link = *tx_link;
    slot_.packet = chosen;
    slot_.eb = eb;
  } else if (rx_link != nullptr) {
    slot_.link = *rx_link;
  } else {
    endSlot();
    return;
  }
  slot_.channel = hoppingChannel(hopping_, slot_.asn, slot_.link.channel_offset);
  ++stats_.slots_active;

  if (tx_link != nullptr) {
    if (transmitSlotFrame()) return;
    if (rx_link == nullptr) {
      endSlot();
      return;
    }
    slot_.link = *rx_link;
    slot_.packet = kNoIndex;
    slot_.eb = false;
    slot_.channel = hoppingChannel(hopping_, slot_.asn, slot_.link.channel_offset);
  }
  const LocalTime rx_on = slot_.start + micros(timing_.rx_offset);
  if (timers_.now() + micros(1) < rx_on) {
    phase_ = Phase::kRxWaitStart;
    timers_.startAt(slot_timer_, rx_on);
    return;
  }
  (void)radio_.receive(slot_.channel);
  phase_ = Phase::kRxListen;
  timers_.startAt(slot_timer_, rx_on + micros(timing_.rx_wait));
}

bool TschMac::transmitSlotFrame() {
  Frame plain;
  bool ack = false;
  if (slot_.eb) {
    const std::optional<std::uint8_t> jm = upper_.joinMetric();
    if (!jm) {
      eb_pending_ = false;
      return false;
    }
    EbContent c = eb_template_;
    c.sync.asn = slot_.asn;
    c.sync.join_metric = *jm;
    c.ietf.clear();
    upper_.ebIetfIes(c.ietf);
    plain =
        buildEb(self_, config_.pan_id, ebsn_++, c, outgoingSecurity(FrameType::kBeacon, nullptr));
  } else {
    const Packet& p = pool_[slot_.packet];
    if (p.neighbor == kNoIndex) {
      plain =
          buildData(self_, std::nullopt, config_.pan_id, p.seq, ByteSpan(p.payload.data(), p.len),
                    outgoingSecurity(FrameType::kData, nullptr));
    } else {
      const Eui64& dest = neighbors_[p.neighbor].address;
      plain = buildData(self_, dest, config_.pan_id, p.seq, ByteSpan(p.payload.data(), p.len),
                        outgoingSecurity(FrameType::kData, &dest));
      slot_.peer = dest;
      ack = true;
    }
    slot_.seq = p.seq;
  }
  slot_.secured = plain.security.has_value();
  auto len = encodeSecured(plain, slot_.asn);
  if (!len) {
    trace(TraceKind::kDrop, "encode_failed");
    if (slot_.eb) {
      eb_pending_ = false;
    } else {
      finishPacket(slot_.packet, len.error());
    }
    return false;
  }
  platform::Tx802154 tx;
  tx.channel = slot_.channel;
  tx.mpdu = ByteSpan(tx_buf_.data(), *len);
  tx.tx_power_dbm = config_.tx_power_dbm;
  tx.cca = config_.cca;
  tx.at = slot_.start + micros(timing_.tx_offset);
  tx.asn = slot_.asn;
  if (radio_.transmit(tx) != Error::kNone) {
    trace(TraceKind::kDrop, "radio_busy");
    return false;
  }
  phase_ = Phase::kTx;
  // Past the slot: the radio reports the end of the frame long before this.
  timers_.startAt(slot_timer_, slot_.start + slotLength());
  if (slot_.eb) {
    ++stats_.eb_tx;
    trace(TraceKind::kTx, "eb");
  } else if (ack) {
    Packet& p = pool_[slot_.packet];
    if (p.attempts > 0) {
      ++stats_.retries;
      trace(TraceKind::kCounter, "retry");
    }
    ++p.attempts;
    ++stats_.data_tx;
    if (p.keep_alive) ++stats_.ka_tx;
    ++neighbors_[p.neighbor].num_tx;
    trace(TraceKind::kTx, p.keep_alive ? "keepalive" : "data");
  } else {
    ++pool_[slot_.packet].attempts;
    ++stats_.broadcast_tx;
    trace(TraceKind::kTx, "broadcast");
  }
  return true;
}

void TschMac::onTxDone(platform::TxStatus status, LocalTime /*sfd_time*/) {
  // Aborts come from our own sleep() calls; nothing is waiting for them.
  if (status == platform::TxStatus::kAborted || state_ != TschState::kSynchronized) return;
  if (phase_ == Phase::kAckTx) {
    endSlot();
    return;
  }
  if (phase_ != Phase::kTx) return;
  if (status == platform::TxStatus::kChannelBusy) {
    trace(TraceKind::kCounter, "cca_busy");
    if (!slot_.eb && pool_[slot_.packet].neighbor != kNoIndex) {
      txFailed();
    } else if (!slot_.eb) {
      --pool_[slot_.packet].attempts;  // not sent: stays queued
    }
    endSlot();
    return;
  }
  if (slot_.eb) {
    eb_pending_ = false;
    endSlot();
    return;
  }
  const Packet& p = pool_[slot_.packet];
  if (p.neighbor == kNoIndex) {
    finishPacket(slot_.packet, Error::kNone);
    endSlot();
    return;
  }
  slot_.tx_end = timers_.now();
  const LocalTime listen_at = slot_.tx_end + micros(timing_.rx_ack_delay);
  if (timers_.now() + micros(1) < listen_at) {
    phase_ = Phase::kAckWaitStart;
    timers_.startAt(slot_timer_, listen_at);
  } else {
    startAckListen();
  }
}

void TschMac::startAckListen() {
  (void)radio_.receive(slot_.channel);
  phase_ = Phase::kAckListen;
  timers_.startAt(slot_timer_,
                  slot_.tx_end + micros(timing_.rx_ack_delay) + micros(timing_.ack_wait));
}

void TschMac::txSucceeded() {
  Packet& p = pool_[slot_.packet];
  TschNeighbor& n = neighbors_[p.neighbor];
  ++n.num_tx_ack;
  ++stats_.data_tx_acked;
  n.be = config_.min_be;
  n.backoff = 0;
  finishPacket(slot_.packet, Error::kNone);
}

void TschMac::txFailed() {
  Packet& p = pool_[slot_.packet];
  TschNeighbor& n = neighbors_[p.neighbor];
  if (p.attempts > config_.max_frame_retries) {
    trace(TraceKind::kDrop, "no_ack");
    finishPacket(slot_.packet, Error::kNoAck);
    return;
  }
  if (slot_.link.shared()) {
    // 15.4-2015 §6.2.5.3: random backoff over 2^BE - 1 shared links, then BE grows.
    const std::uint64_t window = (std::uint64_t{1} << n.be) - 1;
    n.backoff = static_cast<std::uint16_t>(p_.random->below(window + 1));
    n.be = static_cast<std::uint8_t>(std::min<unsigned>(n.be + 1U, config_.max_be));
  }
}

void TschMac::endSlot() {
  radio_.sleep();
  timers_.stop(slot_timer_);
  phase_ = Phase::kIdle;
  housekeeping();
  if (state_ != TschState::kSynchronized) return;
  scheduleNext(slot_.asn + 1);
}

void TschMac::housekeeping() {
  if (config_.coordinator || time_source_ == kNoIndex) return;
  const Duration since = slotLength() * static_cast<std::int64_t>(slot_.asn - last_sync_asn_);
  if (since >= config_.desync_timeout) {
    desynchronize();
    return;
  }
  const Duration ka_period = drift_learnt_
                                 ? std::max(config_.ka_period, config_.ka_period_compensated)
                                 : config_.ka_period;
  if (since < ka_period) return;
  // Any frame to the time source brings an ACK with a time correction.
  if (neighbors_[time_source_].queued > 0) return;
  auto index = allocPacket(true);
  if (!index) return;
  Packet& p = pool_[*index];
  p.neighbor = time_source_;
  p.keep_alive = true;
  p.seq = dsn_++;
  enqueue(*index);
}

// ---------------------------------------------------------------------------------------
// Reception

void TschMac::onRx(const platform::Rx802154& rx) {
  if (state_ == TschState::kScanning) {
    handleScanRx(rx);
    return;
  }
  if (state_ != TschState::kSynchronized) return;
  if (phase_ == Phase::kRxListen || phase_ == Phase::kRxExtended) {
    timers_.stop(slot_timer_);
    handleSlotRx(rx);
  } else if (phase_ == Phase::kAckListen || phase_ == Phase::kAckExtended) {
    handleAck(rx);
  }
}

void TschMac::resetTimesync(std::uint64_t asn) {
  drift_ppb_ = 0;
  drift_learnt_ = false;
  last_corr_asn_ = asn;
  rate_anchor_valid_ = false;
  offset_whole_next_ = true;
  rate_updates_ = 0;
  corr_count_ = 0;
  residual_ns_ = 0;
}

void TschMac::applyCorrection(std::int64_t correction_ns) {
  // Rebase on the current slot, shifted by (a share of) the measured error.
  const double offset_gain = offset_whole_next_ ? 1.0 : config_.timesync_offset_gain;
  offset_whole_next_ = false;
  const auto applied =
      static_cast<std::int64_t>(std::llround(offset_gain * static_cast<double>(correction_ns)));
  // What this correction says about the rate excludes the part of the previous one that
  // was deliberately left unapplied.
  const std::int64_t rate_error_ns = correction_ns - residual_ns_;
  residual_ns_ = correction_ns - applied;
  ref_time_ = slotStart(slot_.asn) + Duration{applied};
  ref_asn_ = slot_.asn;
  last_sync_asn_ = slot_.asn;
  ++stats_.sync_corrections;
  const std::int64_t magnitude = correction_ns < 0 ? -correction_ns : correction_ns;
  stats_.max_abs_correction_ns = std::max(stats_.max_abs_correction_ns, magnitude);
  if (drift_learnt_) {
    stats_.max_abs_correction_learnt_ns = std::max(stats_.max_abs_correction_learnt_ns, magnitude);
  }
  trace(TraceKind::kMetric, "time_correction_us", correction_ns / 1000);
  if (!config_.adaptive_timesync) return;

  // Rate: the error accumulated since the last correction over the time between them.
  const std::int64_t elapsed =
      slotLength().count() * static_cast<std::int64_t>(slot_.asn - last_corr_asn_);
  const bool measure = rate_anchor_valid_ && elapsed >= config_.drift_min_interval.count();
  rate_anchor_valid_ = true;
  last_corr_asn_ = slot_.asn;
  if (!measure) return;
  const double rate_gain = rate_updates_ == 0 ? 1.0 : config_.timesync_rate_gain;
  const double step = rate_gain * static_cast<double>(rate_error_ns) *
                      static_cast<double>(kBillion) / static_cast<double>(elapsed);
  drift_ppb_ += static_cast<std::int64_t>(std::llround(step));
  ++rate_updates_;
  recent_corr_ns_[corr_count_++ % recent_corr_ns_.size()] = magnitude;
  if (drift_ppb_ > kMaxDriftPpb || drift_ppb_ < -kMaxDriftPpb) {
    drift_ppb_ = 0;
    rate_updates_ = 0;
    corr_count_ = 0;
  }
  drift_learnt_ = corr_count_ >= recent_corr_ns_.size() &&
                  *std::max_element(recent_corr_ns_.begin(), recent_corr_ns_.end()) <
                      config_.drift_converged_below.count();
}

void TschMac::handleSlotRx(const platform::Rx802154& rx) {
  // Address filtering (15.4-2015 §6.7.2) before the full parse: overheard unicasts to
  // neighbours are the commonest frames in a shared cell.
  if (const auto dst = peekDestination(rx.mpdu);
      dst && dst->mode == AddrMode::kExtended && !sameEui(dst->extended, self_)) {
    endSlot();
    return;
  }
  auto parsed = Frame::parse(rx.mpdu);
  if (!parsed) {
    drop("malformed", stats_.drop_malformed);
    endSlot();
    return;
  }
  const Frame& f = *parsed;
  if (f.version != FrameVersion::k2015 ||
      (f.type != FrameType::kBeacon && f.type != FrameType::kData)) {
    trace(TraceKind::kDrop, "unexpected_type");
    endSlot();
    return;
  }
  bool broadcast = false;
  if (f.dst.mode == AddrMode::kShort && f.dst.short_addr == kBroadcastShortAddr) {
    broadcast = true;
  } else if (!(f.dst.mode == AddrMode::kExtended && f.dst.extended == self_)) {
    trace(TraceKind::kDrop, "not_for_us");
    endSlot();
    return;
  }
  if (f.dst_pan && *f.dst_pan != config_.pan_id && *f.dst_pan != kBroadcastPanId) {
    trace(TraceKind::kDrop, "other_pan");
    endSlot();
    return;
  }
  if (f.src.mode != AddrMode::kExtended) {
    trace(TraceKind::kDrop, "no_source");
    endSlot();
    return;
  }
  const Eui64 src = f.src.extended;

  // Incoming security (15.4-2015 §9.2.5) with this slot's ASN.
  std::optional<IncomingFrame> in;
  RxSecurity rx_security = RxSecurity::kUnsecured;
  if (config_.security.enabled) {
    auto r = security_.processIncoming(f, src, slot_.asn);
    if (!r) {
      drop(f.type == FrameType::kBeacon ? "eb_auth_failed" : "security", stats_.drop_security);
      endSlot();
      return;
    }
    in = std::move(r).value();
    rx_security = in->status;
  } else if (f.security) {
    drop("secured_frame", stats_.drop_security);
    endSlot();
    return;
  }
  const Frame& plain = in ? in->frame : f;

  const LocalTime expected_sfd = slot_.start + micros(timing_.tx_offset) + kSfdAfterShr;
  const std::int64_t error_ns = (rx.sfd_time - expected_sfd).count();
  const std::uint16_t nb = touchNeighbor(src);
  const bool from_time_source = nb != kNoIndex && nb == time_source_;

  bool acking = false;
  if (plain.type == FrameType::kData && !broadcast && plain.ack_request) {
    sendAck(plain, src, rx, rx_security == RxSecurity::kVerified);
    acking = phase_ == Phase::kAckTx;
  }
  if (nb != kNoIndex) {
    ++neighbors_[nb].num_rx;
    neighbors_[nb].last_rx_asn = slot_.asn;
  }

  if (plain.type == FrameType::kBeacon) {
    // The IEs are compared in place (parseEb would copy them): EBs are the commonest
    // frames a synchronised node receives.
    const auto* sync = findMlmeSubIe<TschSynchronizationIe>(plain.payload_ies);
    const auto* timeslot = findMlmeSubIe<TschTimeslotIe>(plain.payload_ies);
    const auto* hopping = findMlmeSubIe<ChannelHoppingIe>(plain.payload_ies);
    const auto* sfl = findMlmeSubIe<TschSlotframeLinkIe>(plain.payload_ies);
    const bool same_timeslot = timeslot != nullptr ? *timeslot == eb_template_.timeslot
                                                   : eb_template_.timeslot == TschTimeslotIe{};
    const bool same_hopping = hopping != nullptr ? *hopping == eb_template_.hopping
                                                 : eb_template_.hopping == ChannelHoppingIe{};
    const bool same_schedule =
        sfl == nullptr || !eb_template_.slotframe_link || *sfl == *eb_template_.slotframe_link;
    if (sync == nullptr) {
      drop("eb_malformed", stats_.drop_malformed);
    } else if (sync->asn != slot_.asn) {
      drop("asn_mismatch", stats_.drop_asn_mismatch);
    } else if (!same_timeslot || !same_hopping || !same_schedule) {
      // §4.5.2: ignore EBs that try to change the adopted configuration.
      drop("eb_config_change", stats_.drop_eb_config);
    } else {
      ++stats_.eb_rx;
      trace(TraceKind::kRx, "eb");
      if (nb != kNoIndex) neighbors_[nb].routing_metric = sync->join_metric;
      if (from_time_source && slot_.link.timekeeping()) applyCorrection(error_ns);
      upper_.onEbReceived(src, sync->join_metric, rx.rssi_dbm);
    }
  } else {
    if (from_time_source && slot_.link.timekeeping()) applyCorrection(error_ns);
    bool duplicate = false;
    if (!broadcast && nb != kNoIndex) {
      TschNeighbor& n = neighbors_[nb];
      duplicate = n.last_rx_seq && *n.last_rx_seq == plain.seq && !plain.seq_suppressed;
      n.last_rx_seq = plain.seq;
    }
    if (duplicate) {
      drop("duplicate", stats_.drop_duplicate);
    } else if (plain.payload.empty() && plain.payload_ies.empty()) {
      ++stats_.ka_rx;
      trace(TraceKind::kRx, "keepalive");
    } else {
      ++stats_.data_rx;
      trace(TraceKind::kRx, "data");
      TschRxData d;
      d.source = src;
      d.broadcast = broadcast;
      d.payload = plain.payload;
      d.rssi_dbm = rx.rssi_dbm;
      d.asn = slot_.asn;
      d.security = rx_security;
      upper_.onReceive(d);
    }
  }
  if (!acking && phase_ != Phase::kIdle && state_ == TschState::kSynchronized) endSlot();
}

void TschMac::sendAck(const Frame& rx_frame, const Eui64& to, const platform::Rx802154& rx,
                      bool secure_it) {
  const LocalTime expected_sfd = slot_.start + micros(timing_.tx_offset) + kSfdAfterShr;
  // 15.4-2015 §6.5.4.3: time correction = expected - actual arrival.
  const std::int64_t tc_ns = (expected_sfd - rx.sfd_time).count();
  const std::int64_t tc_us = tc_ns >= 0 ? (tc_ns + 500) / 1000 : -((-tc_ns + 500) / 1000);
  std::optional<AuxSecurityHeader> sec;
  if (secure_it) sec = outgoingSecurity(FrameType::kAck, &to);
  const Frame ack =
      buildEnhancedAck(to, rx_frame.seq, clampTimeCorrectionUs(tc_us), false, sec,
                       config_.eack_source_address ? std::optional<Eui64>(self_) : std::nullopt);
  auto len = encodeSecured(ack, slot_.asn);
  if (!len) {
    trace(TraceKind::kDrop, "ack_encode_failed");
    return;
  }
  radio_.sleep();
  platform::Tx802154 tx;
  tx.channel = slot_.channel;
  tx.mpdu = ByteSpan(tx_buf_.data(), *len);
  tx.tx_power_dbm = config_.tx_power_dbm;
  tx.at = rx.sfd_time + frameEndAfterSfd(rx.mpdu.size()) + micros(timing_.tx_ack_delay);
  tx.asn = slot_.asn;
  if (radio_.transmit(tx) != Error::kNone) return;
  ++stats_.ack_tx;
  trace(TraceKind::kTx, "ack");
  phase_ = Phase::kAckTx;
  timers_.startAt(slot_timer_, slot_.start + slotLength());
}

void TschMac::handleAck(const platform::Rx802154& rx) {
  auto parsed = Frame::parse(rx.mpdu);
  if (!parsed) return;
  const Frame& f = *parsed;
  if (f.type != FrameType::kAck || f.version != FrameVersion::k2015) return;
  if (!f.seq_suppressed && f.seq != slot_.seq) return;
  if (f.dst.mode == AddrMode::kExtended && f.dst.extended != self_) return;
  if (f.src.mode == AddrMode::kExtended && f.src.extended != slot_.peer) return;
  Frame plain = f;
  if (f.security) {
    if (!config_.security.enabled) return;
    auto in = security_.processIncoming(f, slot_.peer, slot_.asn);
    if (!in) {
      drop("ack_auth_failed", stats_.drop_security);
      return;
    }
    plain = std::move(in->frame);
  } else if (slot_.secured) {
    // We sent it secured: an unsecured ACK proves nothing.
    drop("ack_unsecured", stats_.drop_security);
    return;
  }
  timers_.stop(slot_timer_);
  trace(TraceKind::kRx, "ack");
  const auto* tc = findHeaderIe<TimeCorrectionIe>(plain.header_ies);
  const std::uint16_t nb = pool_[slot_.packet].neighbor;
  if (tc != nullptr && nb == time_source_) {
    applyCorrection(static_cast<std::int64_t>(tc->time_correction_us) * 1000);
  }
  if (tc != nullptr && tc->nack) {
    trace(TraceKind::kCounter, "nack");
    txFailed();
  } else {
    txSucceeded();
  }
  endSlot();
}

}  // namespace lpm::ieee802154
