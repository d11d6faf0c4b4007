// DODAG construction and maintenance (RFC 6550 §8): DIO and DIS processing and
// emission under Trickle, OF0 parent selection with the RFC 8180 §6.4 hysteresis,
// DODAG versions (global repair) and detaching (local repair).
#include <algorithm>

#include "lpmesh/ipv6/icmpv6.hpp"
#include "lpmesh/rpl/rpl.hpp"

namespace lpm::rpl {

namespace {
constexpr std::string_view kLayer = "rpl";

/// RFC 6550 §6.3.1: MOP 3 (storing with multicast) is run as storing without multicast.
Mop effectiveMop(Mop m) {
  return m == Mop::kStoringMulticast ? Mop::kStoringNoMulticast : m;
}

std::string_view eventName(RplEvent e) {
  switch (e) {
    case RplEvent::kJoined:
      return "joined";
    case RplEvent::kRankChanged:
      return "rank_changed";
    case RplEvent::kParentChanged:
      return "parent_changed";
    case RplEvent::kDetached:
      return "detached";
    case RplEvent::kVersionChanged:
      return "version_changed";
    case RplEvent::kRoutesChanged:
      return "routes_changed";
    case RplEvent::kDaoAcked:
      return "dao_acked";
  }
  return "unknown";
}
}  // namespace

Rpl::Rpl(platform::Platform& platform, const RplConfig& config, RplLink& link)
    : p_(platform),
      timers_(*platform.timers),
      config_(config),
      link_(link),
      link_local_(ipv6::linkLocal(config.iid)),
      routes_(config.max_routes),
      trickle_(*platform.timers, *platform.random, this, &Rpl::trickleThunk) {
  neighbors_.reserve(config_.max_neighbors);
  if (config_.max_parents == 0) config_.max_parents = 1;
}

Rpl::~Rpl() {
  stop();
}

void Rpl::start() {
  running_ = true;
  if (config_.root) {
    instance_id_ = config_.instance_id;
    prefix_ = ipv6::Prefix::make(config_.prefix.address, config_.prefix.length);
    dodag_id_ = ipv6::Address::fromPrefixAndIid(prefix_->address, config_.iid);
    version_ = config_.initial_version;
    have_dodag_ = true;
    grounded_ = config_.grounded;
    preference_ = config_.dodag_preference;
    mop_ = effectiveMop(config_.mop);
    dodag_config_ = config_.dodag;
    dodag_config_.ocp = 0;  // RFC 8180 §5.1: OF0
    PrefixInformation pio;
    pio.prefix_length = prefix_->length;
    pio.autonomous = true;  // nodes form prefix::IID (RFC 6550 §6.7.10, RFC 4862)
    pio.valid_lifetime = config_.prefix_valid_lifetime;
    pio.preferred_lifetime = config_.prefix_preferred_lifetime;
    pio.prefix = prefix_->address;
    pio_ = pio;
    extra_options_ = config_.dio_extra_options;
    // RFC 6550 §8.2.2.2: the root's rank is ROOT_RANK = MinHopRankIncrease.
    rank_ = dodag_config_.min_hop_rank_increase;
    lowest_rank_ = rank_;
    if (!joined_) {
      joined_ = true;
      traceEvent(platform::TraceKind::kState, "root");
      emit(RplEvent::kJoined);
    }
    startTrickle();
    return;
  }
  if (joined_) {
    if (!config_.leaf) startTrickle();
    return;
  }
  const auto jitter = static_cast<std::int64_t>(
      p_.random->below(static_cast<std::uint64_t>(config_.dis_start_jitter.count()) + 1));
  timers_.start(dis_timer_, Duration{jitter});
}

void Rpl::stop() {
  running_ = false;
  trickle_.stop();
  timers_.stop(dis_timer_);
  timers_.stop(hold_timer_);
  timers_.stop(dao_timer_);
  timers_.stop(dao_ack_timer_);
  timers_.stop(route_timer_);
  timers_.stop(refresh_timer_);
}

// --- input ---

Error Rpl::receiveIcmp(const ipv6::Address& src, const ipv6::Address& dst, ByteSpan icmp) {
  auto m = ipv6::Icmpv6Message::parse(src, dst, icmp);
  if (!m) {
    ++stats_.rx_dropped;
    return m.error();
  }
  if (m->type != kIcmpv6Type) {
    ++stats_.rx_dropped;
    return Error::kInvalidArgs;
  }
  auto msg = parseMessage(m->code, m->body);
  if (!msg) {
    ++stats_.rx_dropped;
    traceEvent(platform::TraceKind::kDrop, "malformed");
    return msg.error();
  }
  receive(src, dst, *msg);
  return Error::kNone;
}

void Rpl::receive(const ipv6::Address& src, const ipv6::Address& dst, const Message& message) {
  if (!running_ || isOwnAddress(src)) return;
  if (const auto* dio = std::get_if<Dio>(&message)) {
    if (!src.isLinkLocal()) {
      ++stats_.rx_dropped;  // RFC 6550 §6.3: DIOs come from a link-local source
      return;
    }
    handleDio(src, *dio);
  } else if (const auto* dis = std::get_if<Dis>(&message)) {
    handleDis(src, dst, *dis);
  } else if (const auto* dao = std::get_if<Dao>(&message)) {
    handleDao(src, *dao);
  } else if (const auto* ack = std::get_if<DaoAck>(&message)) {
    handleDaoAck(src, *ack);
  }
}

void Rpl::onUnicastResult(const ipv6::Address& neighbor_address, bool acked) {
  RplNeighbor* n = neighbor(neighbor_address, false);
  if (n == nullptr) return;
  if (acked) {
    n->consecutive_failures = 0;
    return;
  }
  if (++n->consecutive_failures < config_.max_consecutive_failures) {
    if (isParent(neighbor_address)) onLinkMetricsChanged();
    return;
  }
  // Neighbour unreachability (RFC 6550 §8.2.1): not a parent candidate for a while.
  n->consecutive_failures = 0;
  n->unreachable_since = timers_.now();
  traceEvent(platform::TraceKind::kCounter, "neighbor_unreachable");
  if (isParent(neighbor_address)) selectParents();
}

void Rpl::markUnreachable(const ipv6::Address& neighbor_address) {
  RplNeighbor* n = neighbor(neighbor_address, false);
  if (n == nullptr) return;
  n->consecutive_failures = 0;
  n->unreachable_since = timers_.now();
  traceEvent(platform::TraceKind::kCounter, "neighbor_unreachable");
  if (running_ && !config_.root) selectParents();
}

void Rpl::onLinkMetricsChanged() {
  if (running_ && !config_.root) selectParents();
}

// --- DIO / DIS ---

void Rpl::handleDio(const ipv6::Address& src, const Dio& dio) {
  ++stats_.dio_rx;
  traceEvent(platform::TraceKind::kRx, "dio");
  const auto* cfg = dio.options.find<DodagConfiguration>();
  if (cfg != nullptr && cfg->ocp != 0) {
    ++stats_.rx_dropped;  // RFC 8180 §5.1: OF0 only
    traceEvent(platform::TraceKind::kDrop, "unsupported_ocp");
    return;
  }

  if (config_.root) {
    // The root only checks that its neighbours follow the current version.
    if (dio.instance_id == instance_id_ && dio.dodag_id == dodag_id_ &&
        lollipop::newer(version_, dio.version)) {
      resetTrickle();
    }
    return;
  }

  if (!joined_ && !detached_hold_) {
    if (dio.rank == kInfiniteRank) return;
    const bool same_dodag =
        have_dodag_ && dio.instance_id == instance_id_ && dio.dodag_id == dodag_id_;
    if (!same_dodag || lollipop::newer(dio.version, version_)) {
      if (cfg == nullptr) {
        // RFC 6550 §8.3: without the DODAG configuration the node cannot compute a
        // rank; a unicast DIS asks the sender for a complete DIO.
        ++stats_.dis_tx;
        traceEvent(platform::TraceKind::kTx, "dis");
        (void)link_.sendRpl(src, Message{Dis{}});
        return;
      }
      for (RplNeighbor& n : neighbors_)
        n.has_dio = false;
      joinDodag(dio);
    } else if (dio.version != version_) {
      return;  // an older version than the one already known
    } else {
      adoptConfiguration(dio);
    }
  } else {
    if (dio.instance_id != instance_id_ || dio.dodag_id != dodag_id_) {
      // One DODAG per node: another DODAG is not considered until this one is lost.
      ++stats_.rx_dropped;
      return;
    }
    if (lollipop::newer(dio.version, version_)) {
      if (dio.rank == kInfiniteRank || detached_hold_) return;
      newVersion(dio.version);
    } else if (dio.version != version_) {
      // The sender still runs an older version: tell it (RFC 6550 §8.3, inconsistency).
      if (RplNeighbor* n = neighbor(src, false)) n->has_dio = false;
      resetTrickle();
      if (preferred_ && *preferred_ == src) selectParents();
      return;
    }
  }

  RplNeighbor* n = neighbor(src, true);
  if (n == nullptr) return;
  const LocalTime now = timers_.now();
  n->rank = dio.rank;
  n->version = dio.version;
  n->dtsn = dio.dtsn;
  n->grounded = dio.grounded;
  n->has_dio = true;
  n->last_heard = now;
  if (n->unreachable_since && now - *n->unreachable_since >= config_.unreachable_hold) {
    n->unreachable_since.reset();
    n->consecutive_failures = 0;
  }

  const bool from_parent = preferred_ && *preferred_ == src;
  if (from_parent) {
    if ((cfg != nullptr && !(*cfg == dodag_config_)) ||
        dio.options.all<UnknownOption>() != extra_options_) {
      adoptConfiguration(dio);
    }
    // RFC 6550 §9.6: a DTSN increment from the parent asks for new DAOs; the node
    // increments its own DTSN so that its sub-DODAG refreshes too.
    if (lollipop::newer(dio.dtsn, parent_dtsn_)) {
      parent_dtsn_ = dio.dtsn;
      dtsn_ = lollipop::increment(dtsn_);
      if (mop_ != Mop::kNonStoring) markAllRoutesPending();
      scheduleDao(true);
      resetTrickle();  // carry the new DTSN down promptly
    }
  }
  if (detached_hold_) return;

  const std::optional<ipv6::Address> parent_before = preferred_;
  const std::uint16_t rank_before = rank_;
  selectParents();
  const bool changed = parent_before != preferred_ || rank_before != rank_;
  // RFC 6550 §8.3: a DIO from a node of lesser DAGRank that changes nothing is consistent.
  const std::uint16_t mhri = dodag_config_.min_hop_rank_increase;
  if (!changed && joined_ && dio.rank != kInfiniteRank &&
      of0::dagRank(dio.rank, mhri) < of0::dagRank(rank_, mhri)) {
    trickle_.consistent();
  }
}

void Rpl::handleDis(const ipv6::Address& src, const ipv6::Address& dst, const Dis& dis) {
  ++stats_.dis_rx;
  traceEvent(platform::TraceKind::kRx, "dis");
  if (!joined_ || config_.leaf || detached_hold_) return;
  if (!dst.isMulticast()) {
    sendDio(src);  // RFC 6550 §8.3: a unicast DIS is answered with a unicast DIO
    return;
  }
  if (const auto* sio = dis.options.find<SolicitedInformation>()) {
    // RFC 6550 §6.7.9: reset only when every predicate set matches.
    if (sio->match_instance && sio->instance_id != instance_id_) return;
    if (sio->match_dodag_id && sio->dodag_id != dodag_id_) return;
    if (sio->match_version && sio->version != version_) return;
  }
  resetTrickle();
}

void Rpl::joinDodag(const Dio& dio) {
  have_dodag_ = true;
  instance_id_ = dio.instance_id;
  dodag_id_ = dio.dodag_id;
  version_ = dio.version;
  grounded_ = dio.grounded;
  preference_ = dio.preference;
  mop_ = effectiveMop(dio.mop);
  lowest_rank_ = kInfiniteRank;
  adoptConfiguration(dio);
}

void Rpl::adoptConfiguration(const Dio& dio) {
  if (const auto* cfg = dio.options.find<DodagConfiguration>()) {
    const bool timer_changed =
        cfg->dio_interval_min != dodag_config_.dio_interval_min ||
        cfg->dio_interval_doublings != dodag_config_.dio_interval_doublings ||
        cfg->dio_redundancy_constant != dodag_config_.dio_redundancy_constant;
    dodag_config_ = *cfg;
    if (dodag_config_.min_hop_rank_increase == 0) dodag_config_.min_hop_rank_increase = 1;
    if (timer_changed && trickle_.running()) startTrickle();
  }
  if (const auto* pio = dio.options.find<PrefixInformation>()) {
    if (pio->prefix_length <= 128) {
      prefix_ = ipv6::Prefix::make(pio->prefix, pio->prefix_length);
      pio_ = *pio;
    }
  }
  extra_options_ = dio.options.all<UnknownOption>();
}

void Rpl::newVersion(std::uint8_t version) {
  // RFC 6550 §8.2.2.1: a new version is a new DODAG; what was learnt of the old one
  // (ranks, the lowest rank L) no longer counts.
  version_ = version;
  ++stats_.global_repairs;
  for (RplNeighbor& n : neighbors_)
    n.has_dio = false;
  lowest_rank_ = kInfiniteRank;
  preferred_.reset();
  rank_ = kInfiniteRank;
  dtsn_ = lollipop::increment(dtsn_);
  if (mop_ != Mop::kNonStoring) markAllRoutesPending();
  traceEvent(platform::TraceKind::kState, "new_version", version);
  emit(RplEvent::kVersionChanged);
  resetTrickle();
}

// --- OF0 (RFC 6552 as RFC 8180 §5.1 configures it) and parent selection ---

LinkMetrics Rpl::metricsFor(const ipv6::Address& neighbor_address) const {
  const auto m = link_.linkMetrics(neighbor_address);
  if (!m) return config_.default_link;
  LinkMetrics d = *m;
  if (const RplNeighbor* n = findNeighbor(neighbor_address);
      n != nullptr && m->num_tx >= n->baseline.num_tx && m->num_tx_ack >= n->baseline.num_tx_ack) {
    d.num_tx -= n->baseline.num_tx;
    d.num_tx_ack -= n->baseline.num_tx_ack;
  }
  if (d.num_tx < config_.min_tx_for_etx) return config_.default_link;
  return d;
}

void Rpl::refreshLink(RplNeighbor& n) {
  const auto m = link_.linkMetrics(n.address);
  if (!m) return;
  if (m->num_tx < n.baseline.num_tx || m->num_tx_ack < n.baseline.num_tx_ack) {
    n.baseline = {};  // the link layer forgot the neighbour and counts afresh
  }
  const std::uint32_t tx = m->num_tx - n.baseline.num_tx;
  const std::uint32_t ack = m->num_tx_ack - n.baseline.num_tx_ack;
  if (config_.etx_window > 0 && tx > config_.etx_window) {
    n.baseline.num_tx += tx / 2;
    n.baseline.num_tx_ack += ack / 2;
  }
  if (tx >= config_.min_tx_for_etx && !of0::acceptableParent(tx, ack)) {
    const LocalTime now = timers_.now();
    if (!n.unacceptable_since) {
      n.unacceptable_since = now;
    } else if (now - *n.unacceptable_since >= config_.unreachable_hold) {
      n.baseline = *m;  // a fresh chance, at the default ETX
      n.unacceptable_since.reset();
    }
  } else {
    n.unacceptable_since.reset();
  }
}

std::optional<std::uint16_t> Rpl::pathRankThrough(const RplNeighbor& n, bool allow_bad_link) const {
  const LinkMetrics m = metricsFor(n.address);
  of0::Params params;
  params.min_hop_rank_increase = dodag_config_.min_hop_rank_increase;
  auto inc = of0::rankIncrease(m.num_tx, m.num_tx_ack, params);
  if (!inc && allow_bad_link) {
    // ETX over 3: rank it at MAXIMUM_STEP_OF_RANK.
    inc = static_cast<std::uint16_t>(std::min<std::uint32_t>(
        of0::kMaxStepOfRank * std::uint32_t{params.min_hop_rank_increase}, kInfiniteRank));
  }
  if (!inc) return std::nullopt;  // ETX > 3 or unknown: not a parent (RFC 8180 §5.1.1)
  const std::uint16_t r = of0::rankThrough(n.rank, *inc);
  if (r == kInfiniteRank) return std::nullopt;
  return r;
}

bool Rpl::usable(const RplNeighbor& n, bool allow_unreachable) const {
  if (!n.has_dio || n.version != version_ || n.rank == kInfiniteRank) return false;
  if (grounded_ && !n.grounded) return false;
  if (!allow_unreachable && n.unreachable_since &&
      timers_.now() - *n.unreachable_since < config_.unreachable_hold) {
    return false;
  }
  return true;
}

void Rpl::selectParents() {
  if (config_.root || detached_hold_ || !running_) return;
  for (RplNeighbor& n : neighbors_)
    refreshLink(n);
  const std::uint16_t max_inc = dodag_config_.max_rank_increase;
  // Candidates in three passes, each taken only when the previous found none:
  //  0. usable neighbours of lower rank (they cannot be in our sub-DODAG);
  //  1. also neighbours that recently failed to acknowledge: a congested only parent is
  //     better than detaching (a dead one is left when its ETX passes 3 or the MAC
  //     loses it);
  //  2. also neighbours of a rank up to ours + MinHopRankIncrease: the node moves down
  //     the DODAG (RFC 6550 §8.2.2.4, bounded by L + DAGMaxRankIncrease) rather than
  //     detach; a child of ours advertises at least our rank + MinHopRankIncrease;
  //  3. the current parent even over a link of ETX > 3 (RFC 8180 §5.1.1: SHOULD NOT be
  //     selected; keeping it beats detaching, which floods the neighbourhood with
  //     poisoning DIOs), ranked at MAXIMUM_STEP_OF_RANK.
  bool allow_unreachable = false;
  bool allow_bad_link = false;
  std::uint32_t rank_limit = rank_;
  auto admissible = [&](const RplNeighbor& n, bool is_current) -> std::optional<std::uint16_t> {
    if (!usable(n, allow_unreachable)) return std::nullopt;
    if (!is_current && rank_ != kInfiniteRank && n.rank >= rank_limit) return std::nullopt;
    if (allow_bad_link && !is_current) return std::nullopt;
    const auto pr = pathRankThrough(n, allow_bad_link);
    if (!pr) return std::nullopt;
    // RFC 6550 §8.2.2.4: never advertise more than L + DAGMaxRankIncrease.
    if (max_inc != 0 && lowest_rank_ != kInfiniteRank &&
        std::uint32_t{*pr} > std::uint32_t{lowest_rank_} + max_inc) {
      return std::nullopt;
    }
    return pr;
  };

  const RplNeighbor* best = nullptr;
  std::uint16_t best_rank = kInfiniteRank;
  for (int pass = 0; pass < 4 && best == nullptr; ++pass) {
    allow_unreachable = pass >= 1;
    allow_bad_link = pass == 3;
    rank_limit = pass == 2 ? std::uint32_t{rank_} + dodag_config_.min_hop_rank_increase : rank_;
    for (const RplNeighbor& n : neighbors_) {
      const bool is_current = preferred_ && *preferred_ == n.address;
      const auto pr = admissible(n, is_current);
      if (!pr) continue;
      if (best == nullptr || *pr < best_rank) {
        best = &n;
        best_rank = *pr;
      }
    }
  }
  if (best == nullptr) {
    if (joined_) detach();
    return;
  }
  // RFC 8180 §6.4: keep the current parent unless the best path is better by more than
  // PARENT_SWITCH_THRESHOLD.
  if (const RplNeighbor* cur = preferredNeighbor(); cur != nullptr && cur != best) {
    if (const auto cur_rank = admissible(*cur, true);
        cur_rank &&
        !of0::shouldSwitchParent(*cur_rank, best_rank, config_.parent_switch_threshold)) {
      best = cur;
      best_rank = *cur_rank;
    }
  }
  setPreferredParent(*best, best_rank);
}

const RplNeighbor* Rpl::preferredNeighbor() const {
  if (!preferred_) return nullptr;
  return findNeighbor(*preferred_);
}

void Rpl::setPreferredParent(const RplNeighbor& parent, std::uint16_t new_rank) {
  const std::optional<ipv6::Address> old = preferred_;
  const bool parent_changed = !old || *old != parent.address;
  const std::uint16_t old_rank = rank_;
  preferred_ = parent.address;
  rank_ = new_rank;
  lowest_rank_ = std::min(lowest_rank_, rank_);
  if (parent_changed) parent_dtsn_ = parent.dtsn;

  if (!joined_) {
    joined_ = true;
    timers_.stop(dis_timer_);
    traceEvent(platform::TraceKind::kState, "joined", rank_);
    if (!config_.leaf) startTrickle();
    emit(RplEvent::kJoined);
    emit(RplEvent::kParentChanged);
    emit(RplEvent::kRankChanged);
    scheduleDao(true);
    return;
  }
  if (parent_changed) {
    if (old) {
      ++stats_.parent_changes;
      traceEvent(platform::TraceKind::kCounter, "parent_change");
      // RFC 6550 §9.8: in storing mode the old parent is told to drop its routes via us.
      if (mop_ != Mop::kNonStoring && mop_ != Mop::kNoDownward) sendNoPathDao(*old);
    }
    if (mop_ != Mop::kNonStoring) markAllRoutesPending();
    emit(RplEvent::kParentChanged);
    scheduleDao(true);
    // No Trickle reset: RFC 6550 §8.3 does not count a parent change as an
    // inconsistency, and in a congested network the DIO bursts resets cause feed the
    // losses that made the node change parent.
  }
  // A rank that only drifts with the link estimates is not an inconsistency (RFC 6550
  // §8.3 lists none for it): children learn it from the next scheduled DIO.
  if (old_rank != rank_) emit(RplEvent::kRankChanged);
}

bool Rpl::hasRank() const {
  return joined_ && !config_.leaf && !detached_hold_ && rank_ != kInfiniteRank;
}

std::optional<std::uint8_t> Rpl::joinMetric() const {
  if (!hasRank()) return std::nullopt;
  const std::uint16_t jm = of0::joinMetric(rank_, dodag_config_.min_hop_rank_increase);
  return static_cast<std::uint8_t>(jm > 0xff ? 0xff : jm);
}

std::optional<ipv6::Address> Rpl::preferredParent() const {
  if (!joined_) return std::nullopt;
  return preferred_;
}

std::vector<ipv6::Address> Rpl::parentSet() const {
  std::vector<ipv6::Address> out;
  if (!joined_ || !preferred_) return out;
  out.push_back(*preferred_);
  const std::uint16_t mhri = dodag_config_.min_hop_rank_increase;
  const std::uint16_t my_dag_rank = of0::dagRank(rank_, mhri);
  // Alternates: usable neighbours with an acceptable link and a lower DAGRank, best first.
  std::vector<std::pair<std::uint16_t, ipv6::Address>> alts;
  for (const RplNeighbor& n : neighbors_) {
    if (n.address == *preferred_ || !usable(n)) continue;
    if (of0::dagRank(n.rank, mhri) >= my_dag_rank) continue;
    if (const auto pr = pathRankThrough(n)) alts.emplace_back(*pr, n.address);
  }
  std::sort(alts.begin(), alts.end());
  for (const auto& a : alts) {
    if (out.size() >= config_.max_parents) break;
    out.push_back(a.second);
  }
  return out;
}

bool Rpl::isParent(const ipv6::Address& neighbor_address) const {
  if (!joined_ || !preferred_) return false;
  if (*preferred_ == neighbor_address) return true;
  const auto set = parentSet();
  return std::find(set.begin(), set.end(), neighbor_address) != set.end();
}

// --- repair ---

void Rpl::localRepair() {
  if (!config_.root) detach();
}

void Rpl::detach() {
  if (!joined_) return;
  // RFC 6550 §8.2.2.5: leave the DODAG and poison: advertise INFINITE_RANK so that the
  // sub-DODAG stops using this node before it joins again.
  ++stats_.local_repairs;
  traceEvent(platform::TraceKind::kState, "detached");
  joined_ = false;
  detached_hold_ = true;
  preferred_.reset();
  rank_ = kInfiniteRank;
  lowest_rank_ = kInfiniteRank;
  dao_pending_ = false;
  dao_acked_ = false;
  cancelDaoInFlight();
  timers_.stop(dao_timer_);
  timers_.stop(refresh_timer_);
  if (mop_ != Mop::kNonStoring && !routes_.empty()) {
    routes_.clear();
    timers_.stop(route_timer_);
    emit(RplEvent::kRoutesChanged);
  }
  if (!config_.leaf) startTrickle();
  emit(RplEvent::kDetached);
  emit(RplEvent::kParentChanged);
  emit(RplEvent::kRankChanged);
  timers_.start(hold_timer_, config_.detach_hold);
}

void Rpl::onHoldTimer() {
  finishDetach();
}

void Rpl::finishDetach() {
  detached_hold_ = false;
  trickle_.stop();
  selectParents();
  if (!joined_) {
    timers_.start(dis_timer_, Duration{0});
  }
}

// --- emission ---

Dio Rpl::buildDio() const {
  Dio d;
  d.instance_id = instance_id_;
  d.version = version_;
  d.rank = hasRank() ? rank_ : kInfiniteRank;
  d.grounded = grounded_;
  d.mop = mop_;
  d.preference = preference_;
  d.dtsn = dtsn_;
  d.dodag_id = dodag_id_;
  d.options.add(dodag_config_);
  if (pio_) d.options.add(*pio_);
  for (const UnknownOption& o : extra_options_)
    d.options.add(o);
  return d;
}

void Rpl::sendDio(const ipv6::Address& dst) {
  if (config_.leaf) return;
  ++stats_.dio_tx;
  traceEvent(platform::TraceKind::kTx, "dio");
  (void)link_.sendRpl(dst, Message{buildDio()});
}

void Rpl::sendDis() {
  ++stats_.dis_tx;
  traceEvent(platform::TraceKind::kTx, "dis");
  (void)link_.sendRpl(ipv6::kAllRplNodes, Message{Dis{}});
}

void Rpl::startTrickle() {
  if (config_.leaf) return;
  trickle_.start(TrickleParams::fromRpl(dodag_config_.dio_interval_min,
                                        dodag_config_.dio_interval_doublings,
                                        dodag_config_.dio_redundancy_constant));
}

void Rpl::resetTrickle() {
  if (trickle_.running()) trickle_.inconsistent();
}

void Rpl::trickleThunk(void* self) {
  static_cast<Rpl*>(self)->onTrickleTransmit();
}

void Rpl::onTrickleTransmit() {
  if (joined_ || detached_hold_) sendDio(ipv6::kAllRplNodes);
}

void Rpl::onDisTimer() {
  if (joined_ || detached_hold_ || !running_) return;
  // Known neighbours of the DODAG are asked by unicast DIS (answered by a unicast DIO,
  // no Trickle reset); a node that knows none solicits by multicast (RFC 6550 §8.3).
  std::vector<std::pair<std::uint16_t, ipv6::Address>> known;
  for (const RplNeighbor& n : neighbors_) {
    if (n.has_dio && n.version == version_ && n.rank != kInfiniteRank) {
      known.emplace_back(n.rank, n.address);
    }
  }
  if (known.empty()) {
    sendDis();
  } else {
    std::sort(known.begin(), known.end());
    for (std::size_t i = 0; i < known.size() && i < 3; ++i) {
      ++stats_.dis_tx;
      traceEvent(platform::TraceKind::kTx, "dis");
      (void)link_.sendRpl(known[i].second, Message{Dis{}});
    }
  }
  timers_.start(dis_timer_, config_.dis_interval);
}

// --- neighbours and helpers ---

RplNeighbor* Rpl::neighbor(const ipv6::Address& link_local, bool create) {
  for (RplNeighbor& n : neighbors_) {
    if (n.address == link_local) return &n;
  }
  if (!create) return nullptr;
  RplNeighbor fresh;
  fresh.address = link_local;
  if (neighbors_.size() < config_.max_neighbors) {
    neighbors_.push_back(fresh);
    return &neighbors_.back();
  }
  // Full: replace the least useful entry that is not a parent (no DIO of this version,
  // else the highest rank).
  ++stats_.neighbor_no_bufs;
  RplNeighbor* victim = nullptr;
  const auto parents = parentSet();
  for (RplNeighbor& n : neighbors_) {
    if (std::find(parents.begin(), parents.end(), n.address) != parents.end()) continue;
    if (victim == nullptr) {
      victim = &n;
      continue;
    }
    const bool n_stale = !n.has_dio || n.version != version_;
    const bool v_stale = !victim->has_dio || victim->version != version_;
    if ((n_stale && !v_stale) || (n_stale == v_stale && n.rank > victim->rank)) victim = &n;
  }
  if (victim == nullptr) return nullptr;
  *victim = fresh;
  return victim;
}

const RplNeighbor* Rpl::findNeighbor(const ipv6::Address& link_local) const {
  for (const RplNeighbor& n : neighbors_) {
    if (n.address == link_local) return &n;
  }
  return nullptr;
}

std::optional<ipv6::Address> Rpl::globalAddress() const {
  if (!prefix_) return std::nullopt;
  return ipv6::Address::fromPrefixAndIid(prefix_->address, config_.iid);
}

std::optional<ipv6::Address> Rpl::globalOf(const ipv6::Address& link_local) const {
  if (!prefix_) return std::nullopt;
  return ipv6::Address::fromPrefixAndIid(prefix_->address, link_local.iid());
}

bool Rpl::isOwnAddress(const ipv6::Address& a) const {
  if (a == link_local_) return true;
  const auto g = globalAddress();
  return g && *g == a;
}

void Rpl::emit(RplEvent e) {
  traceEvent(platform::TraceKind::kCounter, eventName(e));
  link_.onRplEvent(e);
}

void Rpl::traceEvent(platform::TraceKind kind, std::string_view reason, std::int64_t value) {
  platform::trace(p_.trace, kLayer, kind, reason, value);
}

// --- root operations ---

Error Rpl::globalRepair() {
  if (!config_.root || !joined_) return Error::kInvalidState;
  version_ = lollipop::increment(version_);
  dtsn_ = lollipop::increment(dtsn_);
  ++stats_.global_repairs;
  traceEvent(platform::TraceKind::kState, "global_repair", version_);
  emit(RplEvent::kVersionChanged);
  startTrickle();
  return Error::kNone;
}

Error Rpl::requestDaoRefresh() {
  if (!config_.root || !joined_) return Error::kInvalidState;
  dtsn_ = lollipop::increment(dtsn_);
  startTrickle();
  return Error::kNone;
}

}  // namespace lpm::rpl
