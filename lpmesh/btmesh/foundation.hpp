// The foundation of one node, composed over a Node: Secure Network / Mesh Private
// beacons, the IV Update and Key Refresh procedures, Heartbeat, the Configuration Server
// (and optionally Client) on the primary element, wired to each other and to the node's
// advertising bearer (beacons as AD type 0x2B). Build it after the Node and before
// Node::start(); start() it after the node.
#pragma once

#include <memory>

#include "lpmesh/btmesh/beacon.hpp"
#include "lpmesh/btmesh/composition.hpp"
#include "lpmesh/btmesh/config_client.hpp"
#include "lpmesh/btmesh/config_server.hpp"
#include "lpmesh/btmesh/health_server.hpp"
#include "lpmesh/btmesh/heartbeat.hpp"
#include "lpmesh/btmesh/iv_update.hpp"
#include "lpmesh/btmesh/key_refresh.hpp"
#include "lpmesh/btmesh/node.hpp"
#include "lpmesh/btmesh/private_beacon_server.hpp"

namespace lpm::btmesh {

struct FoundationOptions {
  ProductIdentity product{};
  BeaconTiming beacon_timing{};
  IvUpdateTiming iv_update_timing{};
  /// Transmissions of each beacon on the advertising bearer (Zephyr: 1, 20 ms apart).
  TransmitState beacon_transmit{0, 1};
  /// Adds a Configuration Client to the primary element (a provisioner / manager node).
  bool config_client = false;
  /// Adds a Health Server to the primary element (Mesh Protocol 1.1 §4.4.3: mandatory).
  bool health_server = true;
  /// Company ID of the Health Server's fault arrays (defaults to product.company_id).
  std::optional<std::uint16_t> health_company_id;
  /// Adds a Mesh Private Beacon Server to the primary element.
  bool private_beacon_server = false;
};

class Foundation final : private BeaconBearer, private AdvBearerListener {
 public:
  Foundation(Node& node, FoundationOptions options = {});
  ~Foundation() override;
  Foundation(const Foundation&) = delete;
  Foundation& operator=(const Foundation&) = delete;

  /// Starts beacons and the IV Update timer (after Node::start()).
  void start();

  Beacons& beacons() { return beacons_; }
  IvUpdate& ivUpdate() { return iv_update_; }
  KeyRefresh& keyRefresh() { return key_refresh_; }
  HeartbeatService& heartbeat() { return heartbeat_; }
  ConfigServer& configServer() { return config_server_; }
  /// Null unless FoundationOptions::config_client.
  ConfigClient* configClient() { return config_client_.get(); }
  /// Null unless FoundationOptions::health_server.
  HealthServer* healthServer() { return health_server_.get(); }
  /// Null unless FoundationOptions::private_beacon_server.
  PrivateBeaconServer* privateBeaconServer() { return private_beacon_server_.get(); }
  /// Beacons go to this bearer instead of (or without) an advertising bearer.
  void setBeaconBearer(BeaconBearer* bearer) { beacons_.setBearer(bearer); }

 private:
  // BeaconBearer (to the advertising bearer)
  Error sendBeacon(ByteSpan beacon) override;
  // AdvBearerListener
  void onMeshBeacon(ByteSpan beacon, std::int8_t rssi) override;

  Node& node_;
  FoundationOptions options_;
  Beacons beacons_;
  KeyRefresh key_refresh_;
  IvUpdate iv_update_;
  HeartbeatService heartbeat_;
  ConfigServer config_server_;
  std::unique_ptr<ConfigClient> config_client_;
  std::unique_ptr<HealthServer> health_server_;
  std::unique_ptr<PrivateBeaconServer> private_beacon_server_;
};

}  // namespace lpm::btmesh
