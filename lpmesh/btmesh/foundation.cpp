#include "lpmesh/btmesh/foundation.hpp"

namespace lpm::btmesh {

Foundation::Foundation(Node& node, FoundationOptions options)
    : node_(node),
      options_(options),
      beacons_(node.platform(), node.keys(), options.beacon_timing),
      key_refresh_(node.platform(), node.keys()),
      iv_update_(node.platform(), node.config(), node.network(), node.keys(), &node.replayList(),
                 options.iv_update_timing),
      heartbeat_(node.platform(), node.network(), node.upperTransport(), node.keys()),
      config_server_(node.platform(), node.config(), node.access(), node.network(), node.keys(),
                     options.product) {
  beacons_.setProcedures(&iv_update_, &key_refresh_);
  // §3.10.5 / §3.11: a changed Key Refresh phase or IV Index is beaconed at once.
  key_refresh_.on_change = [this](NetKeyIndex net_idx, KeyRefreshPhase) {
    (void)beacons_.sendNow(net_idx);
  };
  iv_update_.on_change = [this] { beacons_.sendAllNow(); };
  config_server_.setProcedures(&beacons_, &heartbeat_, &key_refresh_);
  config_server_.attach();
  if (options.health_server) {
    health_server_ = std::make_unique<HealthServer>(
        node.platform(), node.access(),
        options.health_company_id.value_or(options.product.company_id));
    health_server_->attach(0);
  }
  if (options.private_beacon_server) {
    private_beacon_server_ = std::make_unique<PrivateBeaconServer>(
        node.platform(), node.access(), node.network(), node.keys(), beacons_);
    private_beacon_server_->attach();
  }
  if (options.config_client) {
    config_client_ = std::make_unique<ConfigClient>(node.platform(), node.access(), node.keys());
    config_client_->attach();
  }
  if (AdvertisingBearer* adv = node.advertisingBearer(); adv != nullptr) {
    beacons_.setBearer(this);
    adv->setListener(this);
  }
}

Foundation::~Foundation() {
  if (AdvertisingBearer* adv = node_.advertisingBearer(); adv != nullptr) adv->setListener(nullptr);
}

void Foundation::start() {
  iv_update_.start();
  beacons_.start();
}

Error Foundation::sendBeacon(ByteSpan beacon) {
  AdvertisingBearer* adv = node_.advertisingBearer();
  if (adv == nullptr) return Error::kInvalidState;
  return adv->sendBeacon(beacon, options_.beacon_transmit);
}

void Foundation::onMeshBeacon(ByteSpan beacon, std::int8_t rssi) {
  beacons_.receive(beacon, rssi);
}

}  // namespace lpm::btmesh
