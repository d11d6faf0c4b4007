// Downward routes (RFC 6550 §9): DAO emission with its delay and acknowledgment, the
// root's DAO parent table in non-storing mode (§9.7), per-node routing tables in storing
// mode (§9.8) with No-Path DAOs, route lifetimes (Default Lifetime x Lifetime Unit) and
// refreshes.
#include <algorithm>

#include "lpmesh/rpl/rpl.hpp"

namespace lpm::rpl {

namespace {
constexpr std::string_view kLayer = "rpl";
/// RFC 6550 §6.5: DAO-ACK status values of 128 and above reject the DAO.
constexpr std::uint8_t kStatusRejectFirst = 128;
}  // namespace

bool Rpl::lifetimeInfinite(std::uint8_t path_lifetime) const {
  // RFC 6550 §6.7.8: 0xFF is an infinite Path Lifetime.
  return path_lifetime == 0xff;
}

Duration Rpl::routeLifetime(std::uint8_t path_lifetime) const {
  return seconds(std::int64_t{path_lifetime} * dodag_config_.lifetime_unit);
}

void Rpl::cancelDaoInFlight() {
  dao_in_flight_ = false;
  timers_.stop(dao_ack_timer_);
  for (Route& r : routes_.all())
    r.in_flight = false;
}

void Rpl::markAllRoutesPending() {
  for (Route& r : routes_.all())
    r.pending = true;
}

void Rpl::scheduleDao(bool new_path_sequence) {
  if (config_.root || !joined_ || mop_ == Mop::kNoDownward) return;
  if (new_path_sequence) path_sequence_ = lollipop::increment(path_sequence_);
  dao_pending_ = true;
  dao_acked_ = false;
  // A DAO already sent describes an older state: stop waiting for its ACK.
  cancelDaoInFlight();
  if (dao_timer_.isRunning()) return;
  // DelayDAO (RFC 6550 §9.5), spread over [delay/2, 3 delay/2) so that siblings do not
  // send at once.
  const auto span = static_cast<std::uint64_t>(config_.dao_delay.count());
  const Duration d =
      config_.dao_delay / 2 + Duration{static_cast<std::int64_t>(p_.random->below(span + 1))};
  timers_.start(dao_timer_, d);
}

void Rpl::onDaoTimer() {
  if (!joined_ || !preferred_ || !running_) return;
  dao_attempts_ = 0;
  sendDao();
}

void Rpl::sendDao() {
  const auto own = globalAddress();
  if (!own || !preferred_) return;
  Dao d;
  d.instance_id = instance_id_;
  d.ack_requested = config_.dao_ack;
  dao_sequence_ = lollipop::increment(dao_sequence_);
  d.sequence = dao_sequence_;
  const std::uint8_t lifetime = dodag_config_.default_lifetime;

  Target self;
  self.prefix_length = 128;
  self.prefix = *own;
  ipv6::Address dst;
  if (mop_ == Mop::kNonStoring) {
    // RFC 6550 §9.7: Target (own address) and Transit with the parent's global address,
    // sent to the root.
    const auto parent_global = globalOf(*preferred_);
    if (!parent_global) return;
    TransitInformation transit;
    transit.path_sequence = path_sequence_;
    transit.path_lifetime = lifetime;
    transit.parent = parent_global;
    d.options.add(self);
    d.options.add(transit);
    dst = dodag_id_;
  } else {
    // RFC 6550 §9.8: to the preferred parent; each Target with its own Transit.
    TransitInformation transit;
    transit.path_sequence = path_sequence_;
    transit.path_lifetime = lifetime;
    d.options.add(self);
    d.options.add(transit);
    std::size_t budget = config_.max_dao_targets > 0 ? config_.max_dao_targets - 1 : 0;
    while (budget > 0 && !no_path_pending_.empty()) {
      Target t;
      t.prefix = no_path_pending_.back();
      TransitInformation np;
      np.path_lifetime = 0;
      d.options.add(t);
      d.options.add(np);
      no_path_pending_.pop_back();
      --budget;
    }
    for (Route& r : routes_.all()) {
      if (budget == 0) break;
      if (!r.pending) continue;
      Target t;
      t.prefix = r.target;
      TransitInformation rt;
      rt.path_sequence = r.path_sequence;
      rt.path_lifetime = r.path_lifetime;
      d.options.add(t);
      d.options.add(rt);
      r.in_flight = true;
      --budget;
    }
    dst = *preferred_;
  }
  ++stats_.dao_tx;
  platform::trace(p_.trace, kLayer, platform::TraceKind::kTx, "dao");
  (void)link_.sendRpl(dst, Message{std::move(d)});
  if (config_.dao_ack) {
    dao_in_flight_ = true;
    in_flight_sequence_ = dao_sequence_;
    timers_.start(dao_ack_timer_, config_.dao_ack_timeout);
  } else {
    dao_pending_ = false;
    for (Route& r : routes_.all()) {
      if (r.in_flight) r.pending = r.in_flight = false;
    }
  }
  if (!lifetimeInfinite(lifetime) && lifetime != 0) {
    // Refresh before the routes expire: between 1/2 and 3/4 of the lifetime.
    const Duration life = routeLifetime(lifetime);
    const auto quarter = static_cast<std::uint64_t>((life / 4).count());
    timers_.start(refresh_timer_,
                  life / 2 + Duration{static_cast<std::int64_t>(p_.random->below(quarter + 1))});
  }
}

void Rpl::onDaoAckTimer() {
  if (!dao_in_flight_) return;
  if (dao_attempts_ >= config_.dao_max_retransmissions) {
    ++stats_.dao_failed;
    platform::trace(p_.trace, kLayer, platform::TraceKind::kDrop, "dao_no_ack");
    cancelDaoInFlight();
    // Try again later: a lost DAO leaves the node unreachable downward.
    timers_.start(dao_timer_, config_.dis_interval);
    return;
  }
  ++dao_attempts_;
  ++stats_.dao_retransmissions;
  for (Route& r : routes_.all())
    r.in_flight = false;
  dao_in_flight_ = false;
  sendDao();
  // Exponential backoff: a missing DAO-ACK is most often congestion on the path, which
  // quicker retransmissions would only worsen.
  if (dao_in_flight_) {
    timers_.start(dao_ack_timer_, config_.dao_ack_timeout * (std::int64_t{1} << dao_attempts_));
  }
}

void Rpl::onDaoRefresh() {
  if (joined_ && running_) scheduleDao(true);
}

void Rpl::handleDaoAck(const ipv6::Address& /*src*/, const DaoAck& ack) {
  ++stats_.dao_ack_rx;
  platform::trace(p_.trace, kLayer, platform::TraceKind::kRx, "dao_ack");
  if (!dao_in_flight_ || ack.instance_id != instance_id_ || ack.sequence != in_flight_sequence_) {
    return;
  }
  timers_.stop(dao_ack_timer_);
  dao_in_flight_ = false;
  if (ack.status >= kStatusRejectFirst) {
    ++stats_.dao_failed;
    for (Route& r : routes_.all())
      r.in_flight = false;
    timers_.start(dao_timer_, config_.dis_interval);
    return;
  }
  bool more = false;
  for (Route& r : routes_.all()) {
    if (r.in_flight) r.pending = r.in_flight = false;
    more = more || r.pending;
  }
  dao_pending_ = more || !no_path_pending_.empty();
  dao_acked_ = true;
  emit(RplEvent::kDaoAcked);
  if (dao_pending_) scheduleDao(false);
}

void Rpl::sendNoPathDao(const ipv6::Address& old_parent) {
  if (!globalAddress()) return;
  Dao d;
  d.instance_id = instance_id_;
  dao_sequence_ = lollipop::increment(dao_sequence_);
  d.sequence = dao_sequence_;
  Target self;
  self.prefix = *globalAddress();
  d.options.add(self);
  std::size_t budget = config_.max_dao_targets > 0 ? config_.max_dao_targets - 1 : 0;
  for (const Route& r : routes_.all()) {
    if (budget == 0) break;
    Target t;
    t.prefix = r.target;
    d.options.add(t);
    --budget;
  }
  // One Transit with lifetime 0 after the Targets withdraws all of them (RFC 6550 §9.4).
  TransitInformation np;
  np.path_sequence = path_sequence_;
  np.path_lifetime = 0;
  d.options.add(np);
  ++stats_.no_path_dao_tx;
  ++stats_.dao_tx;
  platform::trace(p_.trace, kLayer, platform::TraceKind::kTx, "no_path_dao");
  (void)link_.sendRpl(old_parent, Message{std::move(d)});
}

void Rpl::handleDao(const ipv6::Address& src, const Dao& dao) {
  ++stats_.dao_rx;
  platform::trace(p_.trace, kLayer, platform::TraceKind::kRx, "dao");
  if (!joined_ || dao.instance_id != instance_id_ || mop_ == Mop::kNoDownward ||
      (dao.dodag_id && *dao.dodag_id != dodag_id_)) {
    ++stats_.rx_dropped;
    return;
  }
  const bool non_storing = mop_ == Mop::kNonStoring;
  if (non_storing && !config_.root) {
    ++stats_.rx_dropped;  // non-storing DAOs are for the root only
    return;
  }
  if (!non_storing && preferred_ && *preferred_ == src) {
    ++stats_.rx_dropped;  // a DAO from our own parent would make a loop
    return;
  }
  const LocalTime now = timers_.now();
  bool changed = false;
  bool refused = false;
  bool upward = false;  // storing: something to pass to our parent
  std::vector<ipv6::Address> targets;
  for (const Option& o : dao.options.list) {
    if (const auto* t = std::get_if<Target>(&o)) {
      targets.push_back(t->prefix);
      continue;
    }
    const auto* transit = std::get_if<TransitInformation>(&o);
    if (transit == nullptr) continue;
    for (const ipv6::Address& target : targets) {
      Route* existing = routes_.find(target);
      if (existing != nullptr &&
          lollipop::compare(transit->path_sequence, existing->path_sequence) ==
              lollipop::Order::kLess) {
        continue;  // stale information (RFC 6550 §9.2.2)
      }
      if (transit->path_lifetime == 0) {
        // No-Path: withdraw, in storing mode only if the route goes through the sender.
        if (existing != nullptr && (non_storing || existing->via == src)) {
          routes_.remove(target);
          changed = true;
          if (!non_storing && !config_.root) {
            no_path_pending_.push_back(target);
            upward = true;
          }
        }
        continue;
      }
      ipv6::Address via = src;
      if (non_storing) {
        if (!transit->parent) continue;  // RFC 6550 §6.7.8: required in non-storing mode
        via = *transit->parent;
      }
      auto slot = routes_.insert(target);
      if (!slot) {
        ++stats_.route_no_bufs;
        refused = true;
        continue;
      }
      Route& r = **slot;
      const bool is_new =
          existing == nullptr || r.via != via || r.path_sequence != transit->path_sequence;
      r.via = via;
      r.path_sequence = transit->path_sequence;
      r.path_lifetime = transit->path_lifetime;
      r.expires = lifetimeInfinite(transit->path_lifetime)
                      ? std::nullopt
                      : std::optional<LocalTime>(now + routeLifetime(transit->path_lifetime));
      if (is_new) {
        changed = true;
        if (!non_storing && !config_.root) {
          r.pending = true;
          upward = true;
        }
      }
    }
    targets.clear();
  }
  if (dao.ack_requested) {
    DaoAck ack;
    ack.instance_id = instance_id_;
    ack.sequence = dao.sequence;
    ack.status = refused ? kStatusRejectFirst : 0;
    ++stats_.dao_ack_tx;
    platform::trace(p_.trace, kLayer, platform::TraceKind::kTx, "dao_ack");
    (void)link_.sendRpl(src, Message{ack});
  }
  if (changed) {
    armRouteExpiry();
    emit(RplEvent::kRoutesChanged);
  }
  if (upward) scheduleDao(false);
}

void Rpl::armRouteExpiry() {
  const auto t = routes_.nextExpiry();
  if (t) {
    timers_.startAt(route_timer_, *t);
  } else {
    timers_.stop(route_timer_);
  }
}

void Rpl::onRouteExpiry() {
  const LocalTime now = timers_.now();
  const std::size_t n =
      routes_.removeIf([&](const Route& r) { return r.expires && *r.expires <= now; });
  if (n > 0) {
    platform::trace(p_.trace, kLayer, platform::TraceKind::kCounter, "route_expired",
                    static_cast<std::int64_t>(n));
    emit(RplEvent::kRoutesChanged);
  }
  armRouteExpiry();
}

}  // namespace lpm::rpl
