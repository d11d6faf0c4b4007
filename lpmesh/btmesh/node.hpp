// One Bluetooth Mesh node: keys, network, replay protection, lower and upper transport
// and access layers composed over a platform::Platform (DESIGN.md "One object per node").
// Scenario code builds Nodes, adds elements and models, attaches bearers and starts them.
#pragma once

#include <memory>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/bearer_adv.hpp"
#include "lpmesh/btmesh/config.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/lower_transport.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/btmesh/replay_protection.hpp"
#include "lpmesh/btmesh/upper_transport.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// What provisioning gives a node (assigned statically until the provisioning protocol
/// exists): its primary address, device key, IV Index and keys.
struct NodeProvisioning {
  struct NetKeyEntry {
    NetKeyIndex index = 0;
    Key key{};
  };
  struct AppKeyEntry {
    AppKeyIndex index = 0;
    NetKeyIndex net_index = 0;
    Key key{};
  };
  Address primary_address = kUnassignedAddress;
  Key dev_key{};
  std::uint32_t iv_index = 0;
  bool iv_update = false;
  std::vector<NetKeyEntry> net_keys;
  std::vector<AppKeyEntry> app_keys;
};

class Node final : public platform::Stack, private NetworkUpper {
 public:
  /// Builds the layers and installs the keys. Elements and models are added through
  /// access() before start(). kInvalidArgs-type provisioning problems are reported by
  /// provisioningError() (constructors do not fail).
  Node(const platform::Platform& platform, const NodeConfig& config,
       const NodeProvisioning& provisioning);
  ~Node() override;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// Assigns the element addresses (a primary element is created when none exists),
  /// restores SEQ from settings and, when the platform has a BLE controller, attaches
  /// the advertising bearer and starts scanning. More bearers may be attached any time.
  void start() override;
  bool started() const { return started_; }
  Error provisioningError() const { return provisioning_error_; }

  Address primaryAddress() const { return provisioning_.primary_address; }
  const NodeConfig& config() const { return config_; }
  const platform::Platform& platform() const { return platform_; }
  KeyStore& keys() { return keys_; }
  Network& network() { return network_; }
  ReplayProtectionList& replayList() { return rpl_; }
  LowerTransport& lowerTransport() { return lower_; }
  UpperTransport& upperTransport() { return upper_; }
  Access& access() { return access_; }
  /// The advertising bearer (null without a BLE controller).
  AdvertisingBearer* advertisingBearer() { return adv_.get(); }

 private:
  // NetworkUpper
  void onNetworkPdu(const NetworkRx& rx) override;
  bool isOwnUnicast(Address address) const override;
  bool listensTo(Address address) const override;

  static KeyStoreLimits limitsOf(const NodeConfig& config);
  Error installKeys();

  platform::Platform platform_;
  NodeConfig config_;
  NodeProvisioning provisioning_;
  KeyStore keys_;
  Error provisioning_error_ = Error::kNone;
  Network network_;
  ReplayProtectionList rpl_;
  LowerTransport lower_;
  UpperTransport upper_;
  Access access_;
  std::unique_ptr<AdvertisingBearer> adv_;  ///< destroyed first: it points at network_
  bool started_ = false;
};

}  // namespace lpm::btmesh
