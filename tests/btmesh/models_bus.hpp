// A small in-test mesh for the foundation model tests: Nodes with their Foundation on one
// fake clock, a broadcast "air" that carries Network PDUs (through FakeBearer) and beacons
// (through a BeaconBearer port) to every reachable node after a fixed latency.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "lpmesh/btmesh/foundation.hpp"
#include "lpmesh/btmesh/node.hpp"
#include "tests/btmesh/fake_platform.hpp"
#include "tests/btmesh/test_util.hpp"

namespace lpm::test {

/// Device key of the node at `address` in these tests.
inline btmesh::Key busDevKey(btmesh::Address address) {
  btmesh::Key k = kSampleDevKey;
  k[14] = static_cast<std::uint8_t>(address >> 8);
  k[15] = static_cast<std::uint8_t>(address);
  return k;
}

class ModelsBus;

/// One node of the bus.
struct BusNode final : btmesh::BeaconBearer {
  BusNode(ModelsBus& bus, std::size_t index, btmesh::Address address,
          const btmesh::NodeConfig& config, const btmesh::NodeProvisioning& provisioning,
          btmesh::FoundationOptions options, std::uint64_t seed);
  ~BusNode() override;

  Error sendBeacon(ByteSpan beacon) override;

  btmesh::Node& n() { return *node; }
  btmesh::Foundation& f() { return *foundation; }

  ModelsBus& bus;
  std::size_t index;
  FakeSettings settings;
  FakePlatform fp;
  FakeBearer bearer;
  std::unique_ptr<btmesh::Node> node;
  std::unique_ptr<btmesh::Foundation> foundation;
  btmesh::InterfaceId iface = 0;
  std::size_t beacons_sent = 0;
};

class ModelsBus {
 public:
  explicit ModelsBus(Duration latency = millis(1)) : latency_(latency) {}
  ~ModelsBus() {
    clock.stop(timer_);
    nodes.clear();
  }

  /// Adds a node provisioned with NetKey 0 = kSampleNetKey and AppKey 0 on it, unless
  /// `provisioning` is given. Call start() once every node is added.
  BusNode& add(btmesh::Address address, btmesh::NodeConfig config = {},
               btmesh::FoundationOptions options = {},
               std::optional<btmesh::NodeProvisioning> provisioning = std::nullopt) {
    btmesh::NodeProvisioning p;
    if (provisioning) {
      p = *provisioning;
    } else {
      p.primary_address = address;
      p.dev_key = busDevKey(address);
      p.iv_index = kSampleIvIndex;
      p.net_keys.push_back({0, kSampleNetKey});
      p.app_keys.push_back({0, 0, kSampleAppKey});
    }
    nodes.push_back(std::make_unique<BusNode>(*this, nodes.size(), address, config, p, options,
                                              1000 + nodes.size()));
    return *nodes.back();
  }

  /// Starts every node (stack, bearer, foundation).
  void start() {
    for (auto& b : nodes) {
      b->node->start();
      b->iface = *b->node->network().addInterface(&b->bearer);
      b->foundation->start();
    }
  }

  void run(Duration d) { clock.advance(d); }

  /// Delivery of a beacon or PDU from node `from` to node `to` (default: everyone).
  std::function<bool(std::size_t from, std::size_t to)> reachable;

  FakeTimers clock;
  std::vector<std::unique_ptr<BusNode>> nodes;
  std::size_t pdus_delivered = 0;
  std::size_t beacons_delivered = 0;

  void broadcast(std::size_t from, ByteSpan data, bool beacon) {
    for (std::size_t to = 0; to < nodes.size(); ++to) {
      if (to == from || nodes[to] == nullptr) continue;
      if (reachable && !reachable(from, to)) continue;
      queue_.push_back(
          Pending{clock.now() + latency_, to, Bytes(data.begin(), data.end()), beacon});
    }
    if (!queue_.empty() && !timer_.isRunning()) clock.startAt(timer_, queue_.front().at);
  }

 private:
  struct Pending {
    LocalTime at;
    std::size_t to;
    Bytes data;
    bool beacon;
  };
  void deliver() {
    while (!queue_.empty() && queue_.front().at <= clock.now()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      BusNode& n = *nodes[p.to];
      if (p.beacon) {
        ++beacons_delivered;
        n.foundation->beacons().receive(p.data, -50);
      } else {
        ++pdus_delivered;
        n.node->network().receive(n.iface, p.data, -50);
      }
    }
    if (!queue_.empty()) clock.startAt(timer_, queue_.front().at);
  }

  Duration latency_;
  std::deque<Pending> queue_;
  platform::Timer timer_{this, &platform::Timer::thunk<&ModelsBus::deliver>};
};

inline BusNode::BusNode(ModelsBus& b, std::size_t i, btmesh::Address /*address*/,
                        const btmesh::NodeConfig& config,
                        const btmesh::NodeProvisioning& provisioning,
                        btmesh::FoundationOptions options, std::uint64_t seed)
    : bus(b),
      index(i),
      fp(&b.clock, &settings, seed),
      bearer(btmesh::BearerType::kAdvertising, &b.clock) {
  node = std::make_unique<btmesh::Node>(fp.platform(), config, provisioning);
  EXPECT_EQ(node->provisioningError(), Error::kNone);
  foundation = std::make_unique<btmesh::Foundation>(*node, options);
  foundation->setBeaconBearer(this);
  bearer.on_transmit = [this](const FakeBearer::Sent& s) { bus.broadcast(index, s.pdu, false); };
}

inline BusNode::~BusNode() {
  foundation.reset();
  node.reset();
}

inline Error BusNode::sendBeacon(ByteSpan beacon) {
  ++beacons_sent;
  bus.broadcast(index, beacon, true);
  return Error::kNone;
}

}  // namespace lpm::test
