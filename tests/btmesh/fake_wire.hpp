// A fake broadcast medium for multi-node btmesh tests: every PDU a FakeBearer records
// reaches the network layer of every other attached node that `reachable` allows, after
// a fixed latency, unless `drop` discards it. Deterministic and driven by FakeTimers.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "lpmesh/btmesh/network.hpp"
#include "tests/btmesh/fake_platform.hpp"

namespace lpm::test {

class FakeWire {
 public:
  explicit FakeWire(FakeTimers& clock, Duration latency = millis(1))
      : clock_(clock), latency_(latency) {}
  ~FakeWire() { clock_.stop(timer_); }
  FakeWire(const FakeWire&) = delete;
  FakeWire& operator=(const FakeWire&) = delete;

  /// Attaches a node's bearer and network; returns its index on the wire.
  std::size_t attach(FakeBearer& bearer, btmesh::Network& network, btmesh::InterfaceId iface) {
    ports_.push_back(Port{&bearer, &network, iface});
    const std::size_t index = ports_.size() - 1;
    hook(index);
    return index;
  }
  /// Re-attaches port `index` to a rebuilt node (reboot); PDUs in flight to the old node
  /// are lost.
  void replace(std::size_t index, FakeBearer& bearer, btmesh::Network& network,
               btmesh::InterfaceId iface) {
    std::erase_if(queue_, [&](const Pending& p) { return p.to == index; });
    ports_[index] = Port{&bearer, &network, iface};
    hook(index);
  }
  /// Detaches a node that is going away.
  void detach(std::size_t index) {
    std::erase_if(queue_, [&](const Pending& p) { return p.to == index; });
    ports_[index] = Port{};
  }

  /// Which nodes hear which (default: all).
  std::function<bool(std::size_t from, std::size_t to)> reachable;
  /// Loss model: true drops this copy.
  std::function<bool(std::size_t from, std::size_t to, const FakeBearer::Sent&)> drop;
  std::size_t delivered = 0;
  std::size_t dropped = 0;

 private:
  struct Port {
    FakeBearer* bearer = nullptr;
    btmesh::Network* network = nullptr;
    btmesh::InterfaceId iface = 0;
  };
  struct Pending {
    LocalTime at;
    std::size_t to;
    Bytes pdu;
  };

  void hook(std::size_t index) {
    ports_[index].bearer->on_transmit = [this, index](const FakeBearer::Sent& s) {
      for (std::size_t to = 0; to < ports_.size(); ++to) {
        if (to == index || ports_[to].network == nullptr) continue;
        if (reachable && !reachable(index, to)) continue;
        if (drop && drop(index, to, s)) {
          ++dropped;
          continue;
        }
        queue_.push_back(Pending{clock_.now() + latency_, to, s.pdu});
      }
      if (!queue_.empty() && !timer_.isRunning()) clock_.startAt(timer_, queue_.front().at);
    };
  }

  void deliver() {
    while (!queue_.empty() && queue_.front().at <= clock_.now()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      if (ports_[p.to].network == nullptr) continue;
      ++delivered;
      ports_[p.to].network->receive(ports_[p.to].iface, p.pdu, -50);
    }
    if (!queue_.empty()) clock_.startAt(timer_, queue_.front().at);
  }

  FakeTimers& clock_;
  Duration latency_;
  std::vector<Port> ports_;
  std::deque<Pending> queue_;
  platform::Timer timer_{this, &platform::Timer::thunk<&FakeWire::deliver>};
};

}  // namespace lpm::test
