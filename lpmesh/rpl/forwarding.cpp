// The RPL data plane (RFC 6550 §9.7-§9.8, §11): next hops, the root's source routes in
// non-storing mode, and loop detection with the RPL Packet Information.
#include <algorithm>

#include "lpmesh/rpl/rpl.hpp"

namespace lpm::rpl {

NextHop Rpl::route(const ipv6::Address& dst) const {
  NextHop h;
  if (isOwnAddress(dst)) {
    h.kind = NextHop::Kind::kLocal;
    return h;
  }
  if (!joined_) return h;
  if (mop_ == Mop::kNonStoring) {
    if (config_.root) {
      if (routes_.find(dst) != nullptr) h.kind = NextHop::Kind::kSourceRoute;
      return h;
    }
  } else if (mop_ != Mop::kNoDownward) {
    if (const Route* r = routes_.find(dst)) {
      h.kind = NextHop::Kind::kDown;
      h.neighbor = r->via;
      return h;
    }
    if (config_.root) return h;
  }
  if (config_.root || !preferred_) return h;
  h.kind = NextHop::Kind::kUp;
  h.neighbor = *preferred_;
  return h;
}

Error Rpl::sourceRoute(const ipv6::Address& dst, std::vector<ipv6::Address>& hops) const {
  hops.clear();
  if (!config_.root || mop_ != Mop::kNonStoring) return Error::kInvalidState;
  ipv6::Address cur = dst;
  for (std::size_t i = 0; i <= config_.max_source_route_hops; ++i) {
    if (std::find(hops.begin(), hops.end(), cur) != hops.end()) {
      hops.clear();
      return Error::kMalformed;  // the DAO parent table holds a loop
    }
    hops.push_back(cur);
    const Route* r = routes_.find(cur);
    if (r == nullptr) {
      hops.clear();
      return Error::kNotFound;
    }
    if (r->via == dodag_id_) {
      std::reverse(hops.begin(), hops.end());
      return Error::kNone;
    }
    cur = r->via;
  }
  hops.clear();
  return Error::kMalformed;
}

ipv6::RplOption Rpl::makeRpi(bool down) const {
  ipv6::RplOption o;
  o.down = down;
  o.instance_id = instance_id_;
  o.sender_rank = rank_;
  return o;
}

RpiVerdict Rpl::processRpi(ipv6::RplOption& rpi, bool down) {
  if (rpi.instance_id == instance_id_ && joined_ && rank_ != kInfiniteRank) {
    // RFC 6550 §11.2.2.2: a packet marked as going down must come from a lower rank,
    // one going up from a higher one (ranks compared as DAGRank).
    const std::uint16_t mhri = dodag_config_.min_hop_rank_increase;
    const std::uint16_t sender = of0::dagRank(rpi.sender_rank, mhri);
    const std::uint16_t self = of0::dagRank(rank_, mhri);
    const bool inconsistent = rpi.down ? sender > self : sender < self;
    if (inconsistent) {
      if (rpi.rank_error) {
        ++stats_.loop_drops;
        traceEvent(platform::TraceKind::kDrop, "rank_error");
        resetTrickle();
        return RpiVerdict::kDrop;
      }
      rpi.rank_error = true;
      ++stats_.rank_errors;
      traceEvent(platform::TraceKind::kCounter, "rank_error");
    }
  }
  rpi.sender_rank = rank_;
  rpi.down = down;
  return RpiVerdict::kForward;
}

void Rpl::onForwardingError(const ipv6::Address& dst, const ipv6::Address& child) {
  ++stats_.forwarding_errors;
  traceEvent(platform::TraceKind::kDrop, "forwarding_error");
  const Route* r = routes_.find(dst);
  if (r != nullptr && r->via == child) {
    routes_.remove(dst);
    emit(RplEvent::kRoutesChanged);
  }
}

}  // namespace lpm::rpl
