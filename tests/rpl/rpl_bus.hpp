// An in-memory network for RPL engine tests: nodes on a fixed link graph exchange RPL
// messages (encoded as ICMPv6 and parsed again, so the codecs and checksums are on the
// path) with a fixed per-hop delay. Packets to global addresses are routed hop by hop
// with the engines' own decisions (preferred parent, storing-mode tables, the root's
// source routes), and data packets carry an RPI that each forwarder checks. Unicast
// frames to a dead or non-adjacent neighbour fail and count as 4 unacknowledged
// attempts (RFC 8180 §4.3) in the link statistics the engines read.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <vector>

#include "lpmesh/core/rng.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/platform/platform.hpp"
#include "lpmesh/rpl/rpl.hpp"
#include "tests/rpl/test_clock.hpp"

namespace lpm::test {

class RplBus;

/// One node: its platform pieces, its engine and what it saw.
class BusNode final : public rpl::RplLink {
 public:
  BusNode(RplBus& bus, std::size_t index) : bus_(bus), index_(index) {}

  Error sendRpl(const ipv6::Address& dst, const rpl::Message& message) override;
  std::optional<rpl::LinkMetrics> linkMetrics(const ipv6::Address& neighbor) const override;
  void onRplEvent(rpl::RplEvent e) override { ++events[static_cast<int>(e)]; }

  rpl::Rpl& rpl() { return *rpl_; }
  const rpl::Rpl& rpl() const { return *rpl_; }

  std::map<int, int> events;
  std::unique_ptr<Rng> rng;
  platform::Platform platform{};
  std::unique_ptr<rpl::Rpl> rpl_;
  ipv6::Iid iid{};

 private:
  RplBus& bus_;
  std::size_t index_;
};

class RplBus {
 public:
  /// A packet on its way: an RPL message (icmp) or a data packet (data_id).
  struct Packet {
    ipv6::Address src;
    ipv6::Address dst;
    Bytes icmp;
    std::optional<std::uint32_t> data_id;
    std::optional<ipv6::RplOption> rpi;
    std::vector<ipv6::Address> srh;
    std::size_t srh_index = 0;
    int hop_limit = 64;
    std::size_t origin = 0;
  };

  Duration hop_delay = millis(5);
  /// Return true to lose a unicast frame from `from` to `to` (after the link check).
  std::function<bool(std::size_t from, std::size_t to, const Packet&)> drop_hook;

  explicit RplBus(std::size_t n) {
    nodes_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      nodes_.push_back(std::make_unique<BusNode>(*this, i));
      alive_.push_back(true);
    }
  }

  std::size_t size() const { return nodes_.size(); }
  TestClock& clock() { return clock_; }
  BusNode& node(std::size_t i) { return *nodes_[i]; }
  rpl::Rpl& rpl(std::size_t i) { return nodes_[i]->rpl(); }

  /// IID of node i: 02:00:00:00:00:00:ii:ii (locally administered EUI-64 form).
  static ipv6::Iid iidOf(std::size_t i) {
    return ipv6::Iid{0x02,
                     0,
                     0,
                     0xff,
                     0xfe,
                     0,
                     static_cast<std::uint8_t>(i >> 8),
                     static_cast<std::uint8_t>(i & 0xff)};
  }
  static ipv6::Address linkLocalOf(std::size_t i) { return ipv6::linkLocal(iidOf(i)); }
  ipv6::Address globalOf(std::size_t i) const {
    return ipv6::Address::fromPrefixAndIid(prefix_.address, iidOf(i));
  }

  /// A symmetric link with these statistics in both directions.
  void link(std::size_t a, std::size_t b, rpl::LinkMetrics m) {
    links_[{a, b}] = m;
    links_[{b, a}] = m;
  }
  bool adjacent(std::size_t a, std::size_t b) const { return links_.count({a, b}) != 0; }
  std::vector<std::size_t> neighborsOf(std::size_t a) const {
    std::vector<std::size_t> out;
    for (const auto& [k, v] : links_) {
      if (k.first == a) out.push_back(k.second);
    }
    return out;
  }

  /// Builds every engine: node `root` is the DODAG root, `config` is used for all others.
  void build(std::size_t root, const rpl::RplConfig& config, std::uint64_t seed = 1) {
    prefix_ = config.prefix;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      BusNode& n = *nodes_[i];
      n.iid = iidOf(i);
      n.rng =
          std::make_unique<Rng>(Rng::forStream(seed, static_cast<NodeId>(i), RngStream::kStack));
      n.platform.node_id = static_cast<NodeId>(i);
      n.platform.timers = &clock_;
      n.platform.random = n.rng.get();
      rpl::RplConfig c = config;
      c.iid = n.iid;
      c.root = i == root;
      n.rpl_ = std::make_unique<rpl::Rpl>(n.platform, c, n);
      by_ll_[linkLocalOf(i)] = i;
    }
  }
  void setLeaf(std::size_t i, const rpl::RplConfig& config) {
    rpl::RplConfig c = config;
    c.iid = iidOf(i);
    c.leaf = true;
    nodes_[i]->rpl_ = std::make_unique<rpl::Rpl>(nodes_[i]->platform, c, *nodes_[i]);
  }
  void startAll() {
    for (auto& n : nodes_)
      n->rpl().start();
  }

  void kill(std::size_t i) {
    alive_[i] = false;
    nodes_[i]->rpl().stop();
  }
  bool alive(std::size_t i) const { return alive_[i]; }

  std::optional<std::size_t> nodeByLinkLocal(const ipv6::Address& a) const {
    auto it = by_ll_.find(a);
    if (it == by_ll_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::size_t> nodeByAddress(const ipv6::Address& a) const {
    return nodeByLinkLocal(ipv6::linkLocal(a.iid()));
  }

  std::optional<rpl::LinkMetrics> metrics(std::size_t from, const ipv6::Address& to) const {
    const auto y = nodeByLinkLocal(to);
    if (!y) return std::nullopt;
    auto it = links_.find({from, *y});
    if (it == links_.end()) return std::nullopt;
    rpl::LinkMetrics m = it->second;
    auto f = failed_attempts_.find({from, *y});
    if (f != failed_attempts_.end()) m.num_tx += f->second;
    return m;
  }

  /// Sends an RPL message from node `from` (RplLink::sendRpl).
  Error sendRpl(std::size_t from, const ipv6::Address& dst, const rpl::Message& message) {
    if (!alive_[from]) return Error::kInvalidState;
    const rpl::Rpl& r = rpl(from);
    Packet p;
    p.origin = from;
    p.dst = dst;
    if (dst.isMulticast() || dst.isLinkLocal()) {
      p.src = r.linkLocal();
    } else {
      const auto g = r.globalAddress();
      if (!g) return Error::kInvalidState;
      p.src = *g;
    }
    auto icmp = rpl::buildIcmpv6Message(p.src, p.dst, message);
    if (!icmp) return icmp.error();
    p.icmp = std::move(*icmp);
    ++rpl_messages_;
    if (dst.isMulticast()) {
      for (std::size_t y : neighborsOf(from)) {
        clock_.after(hop_delay, [this, y, p] { arrive(y, p); });
      }
      return Error::kNone;
    }
    if (dst.isLinkLocal()) {
      transmit(from, dst, std::move(p));
      return Error::kNone;
    }
    forward(from, std::move(p), true);
    return Error::kNone;
  }

  /// Sends a data packet from `from` to a global address; the result shows in
  /// delivered() / dropped().
  std::uint32_t sendData(std::size_t from, const ipv6::Address& dst) {
    Packet p;
    p.origin = from;
    const auto g = rpl(from).globalAddress();
    p.src = g ? *g : rpl(from).linkLocal();
    p.dst = dst;
    const std::uint32_t id = next_data_id_++;
    p.data_id = id;
    forward(from, std::move(p), true);
    return id;
  }

  /// Where each delivered data packet ended and its hop count.
  std::map<std::uint32_t, std::pair<std::size_t, int>> delivered;
  std::map<std::uint32_t, std::string> dropped;
  std::uint64_t rpl_messages() const { return rpl_messages_; }

  /// Follows preferred parents from `i`: the path to the root, or empty on a loop / a
  /// missing parent / a parent that is not a neighbour.
  std::vector<std::size_t> upwardPath(std::size_t i) {
    std::vector<std::size_t> path{i};
    std::set<std::size_t> seen{i};
    std::size_t cur = i;
    while (!rpl(cur).isRoot()) {
      const auto p = rpl(cur).preferredParent();
      if (!p) return {};
      const auto y = nodeByLinkLocal(*p);
      if (!y || !adjacent(cur, *y) || seen.count(*y) != 0) return {};
      seen.insert(*y);
      path.push_back(*y);
      cur = *y;
    }
    return path;
  }

 private:
  void transmit(std::size_t from, const ipv6::Address& next_ll, Packet p) {
    const auto y = nodeByLinkLocal(next_ll);
    bool ok = y && adjacent(from, *y) && alive_[*y];
    if (ok && drop_hook && drop_hook(from, *y, p)) ok = false;
    clock_.after(hop_delay, [this, from, y, ok, next_ll, p = std::move(p)]() mutable {
      if (!alive_[from]) return;
      if (!ok && y) failed_attempts_[{from, *y}] += 4;
      rpl(from).onUnicastResult(next_ll, ok);
      if (ok) {
        arrive(*y, std::move(p));
      } else if (p.data_id) {
        dropped[*p.data_id] = "link";
      }
    });
  }

  void arrive(std::size_t y, Packet p) {
    if (!alive_[y]) return;
    rpl::Rpl& r = rpl(y);
    const bool for_me = p.dst.isMulticast() || r.isOwnAddress(p.dst);
    if (for_me) {
      if (p.data_id) {
        delivered[*p.data_id] = {y, 64 - p.hop_limit};
      } else {
        (void)r.receiveIcmp(p.src, p.dst, p.icmp);
      }
      return;
    }
    if (p.dst.isLinkLocal()) return;  // not for this node
    forward(y, std::move(p), false);
  }

  void forward(std::size_t x, Packet p, bool originated) {
    auto drop = [&](const char* why) {
      if (p.data_id) dropped[*p.data_id] = why;
    };
    if (--p.hop_limit <= 0) return drop("hop_limit");
    rpl::Rpl& r = rpl(x);
    if (p.srh_index < p.srh.size()) {
      // RFC 6554 §4.2: forward to the next address of the source route.
      const ipv6::Address next = p.srh[p.srh_index++];
      return transmit(x, ipv6::linkLocal(next.iid()), std::move(p));
    }
    const rpl::NextHop h = r.route(p.dst);
    switch (h.kind) {
      case rpl::NextHop::Kind::kLocal:
        delivered[p.data_id.value_or(0)] = {x, 64 - p.hop_limit};
        return;
      case rpl::NextHop::Kind::kSourceRoute: {
        if (r.sourceRoute(p.dst, p.srh) != Error::kNone) return drop("source_route");
        p.srh_index = 0;
        const ipv6::Address next = p.srh[p.srh_index++];
        return transmit(x, ipv6::linkLocal(next.iid()), std::move(p));
      }
      case rpl::NextHop::Kind::kUp:
      case rpl::NextHop::Kind::kDown: {
        const bool down = h.kind == rpl::NextHop::Kind::kDown;
        if (p.data_id) {
          if (originated || !p.rpi) {
            p.rpi = r.makeRpi(down);
          } else if (r.processRpi(*p.rpi, down) == rpl::RpiVerdict::kDrop) {
            return drop("loop");
          }
        }
        return transmit(x, h.neighbor, std::move(p));
      }
      case rpl::NextHop::Kind::kNone:
        return drop("no_route");
    }
  }

  TestClock clock_;
  std::vector<std::unique_ptr<BusNode>> nodes_;
  std::vector<bool> alive_;
  std::map<std::pair<std::size_t, std::size_t>, rpl::LinkMetrics> links_;
  std::map<std::pair<std::size_t, std::size_t>, std::uint32_t> failed_attempts_;
  std::map<ipv6::Address, std::size_t> by_ll_;
  ipv6::Prefix prefix_;
  std::uint32_t next_data_id_ = 1;
  std::uint64_t rpl_messages_ = 0;
};

inline Error BusNode::sendRpl(const ipv6::Address& dst, const rpl::Message& message) {
  return bus_.sendRpl(index_, dst, message);
}

inline std::optional<rpl::LinkMetrics> BusNode::linkMetrics(const ipv6::Address& neighbor) const {
  return bus_.metrics(index_, neighbor);
}

}  // namespace lpm::test
