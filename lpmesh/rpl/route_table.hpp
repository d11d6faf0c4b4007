// Downward routes of an RPL node: the root's DAO parent table in non-storing mode
// (RFC 6550 §9.7: target -> its parent) or a storing-mode routing table (§9.8: target ->
// next-hop child). A sorted vector with a fixed capacity: lookups are O(log n), nothing
// is allocated after construction, and iteration order (by address) is deterministic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lpmesh/core/error.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::rpl {

struct Route {
  ipv6::Address target;
  /// Non-storing root: the target's DODAG parent (global). Storing: the next hop
  /// (link-local address of the child the DAO came from).
  ipv6::Address via;
  std::uint8_t path_sequence = 0;
  std::optional<LocalTime> expires;   ///< empty: infinite lifetime
  std::uint8_t path_lifetime = 0xff;  ///< as received, re-announced upward (storing)
  bool pending = false;               ///< storing: still to be announced to the parent
  bool in_flight = false;             ///< storing: in the DAO awaiting its acknowledgment
};

class RouteTable {
 public:
  explicit RouteTable(std::size_t capacity) : capacity_(capacity) { routes_.reserve(capacity); }

  std::size_t size() const { return routes_.size(); }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return routes_.empty(); }
  std::span<const Route> all() const { return routes_; }
  std::span<Route> all() { return routes_; }

  const Route* find(const ipv6::Address& target) const {
    const auto it = lowerBound(target);
    return it != routes_.end() && it->target == target ? &*it : nullptr;
  }
  Route* find(const ipv6::Address& target) {
    const auto it = lowerBound(target);
    return it != routes_.end() && it->target == target ? &*it : nullptr;
  }
  /// The entry for `target`, created if absent; kNoBufs when the table is full.
  Result<Route*> insert(const ipv6::Address& target) {
    auto it = lowerBound(target);
    if (it != routes_.end() && it->target == target) return &*it;
    if (routes_.size() >= capacity_) return Error::kNoBufs;
    Route r;
    r.target = target;
    it = routes_.insert(it, r);
    return &*it;
  }
  bool remove(const ipv6::Address& target) {
    const auto it = lowerBound(target);
    if (it == routes_.end() || it->target != target) return false;
    routes_.erase(it);
    return true;
  }
  /// Removes every route for which `pred(route)` holds; returns how many.
  template <class Pred>
  std::size_t removeIf(Pred pred) {
    std::size_t n = 0;
    for (auto it = routes_.begin(); it != routes_.end();) {
      if (pred(*it)) {
        it = routes_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }
  void clear() { routes_.clear(); }
  /// The earliest expiry among routes with a finite lifetime.
  std::optional<LocalTime> nextExpiry() const {
    std::optional<LocalTime> t;
    for (const Route& r : routes_) {
      if (r.expires && (!t || *r.expires < *t)) t = r.expires;
    }
    return t;
  }

 private:
  std::vector<Route>::iterator lowerBound(const ipv6::Address& target) {
    return std::lower_bound(routes_.begin(), routes_.end(), target,
                            [](const Route& r, const ipv6::Address& a) { return r.target < a; });
  }
  std::vector<Route>::const_iterator lowerBound(const ipv6::Address& target) const {
    return std::lower_bound(routes_.begin(), routes_.end(), target,
                            [](const Route& r, const ipv6::Address& a) { return r.target < a; });
  }

  std::size_t capacity_;
  std::vector<Route> routes_;
};

}  // namespace lpm::rpl
