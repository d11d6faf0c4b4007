// Configuration Server model (Mesh Protocol 1.1 §4.4.1): the node's foundation states
// as the Configuration Client sees them — Composition Data, Beacon, Default TTL, GATT
// Proxy, Friend, Relay, Network Transmit, NetKeys and AppKeys, Model App bindings, Model
// Publication and Subscription (group and virtual), Key Refresh Phase, Heartbeat
// Publication and Subscription, Node Identity, LPN PollTimeout and Node Reset — with the
// status codes of §4.3.5 (checks in the order Zephyr's cfg_srv.c applies them).
//
// Messages with prohibited values (a Beacon Set of 2, a Default TTL of 1, a 16-bit index
// above 0xFFF, a non-unicast element address ...) are ignored without a status, as
// §4.4.1.2 and Zephyr do. The model lives on the primary element and takes the device
// key only.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "lpmesh/btmesh/access.hpp"
#include "lpmesh/btmesh/composition.hpp"
#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

class Beacons;
class HeartbeatService;
class KeyRefresh;

struct ConfigServerStats {
  std::uint64_t handled = 0;  ///< requests answered (or applied, for Node Reset)
  std::uint64_t ignored = 0;  ///< malformed or prohibited requests
};

class ConfigServer final : public ModelHandler {
 public:
  /// Node Identity advertising lasts 60 s (§4.2.12, Zephyr BT_MESH_NODE_ID_TIMEOUT).
  static constexpr Duration kNodeIdentityDuration = seconds(60);

  ConfigServer(const platform::Platform& platform, const NodeConfig& config, Access& access,
               Network& network, KeyStore& keys, ProductIdentity product = {});
  ~ConfigServer() override;
  ConfigServer(const ConfigServer&) = delete;
  ConfigServer& operator=(const ConfigServer&) = delete;

  /// The procedures whose states the server exposes; each may be null (its messages are
  /// then ignored, or its state kept here for the Beacon state).
  void setProcedures(Beacons* beacons, HeartbeatService* heartbeat, KeyRefresh* key_refresh);
  /// Adds the model to the primary element (device key only).
  Model& attach();

  /// Called after a Node Reset, once its status has gone out. Without a handler the
  /// server forgets every key, binding, subscription and publication and wipes the
  /// settings itself.
  std::function<void()> on_node_reset;
  /// Resets the node as Node Reset does (§3.11.7.?: back to unprovisioned).
  void resetNode();

  /// Node Identity state of a subnet (§4.2.12): 0 stopped, 1 running, 2 not supported.
  std::uint8_t nodeIdentity(NetKeyIndex net_idx) const;
  /// Composition Data page 0 of this node.
  CompositionPage0 composition() const;
  const ConfigServerStats& stats() const { return stats_; }

  // ModelHandler
  bool handles(Opcode opcode) const override;
  void onMessage(Access& access, Model& model, const MessageContext& ctx, Opcode opcode,
                 ByteSpan params) override;

 private:
  struct ModelRef {
    ConfigStatus status = ConfigStatus::kSuccess;
    Model* model = nullptr;
  };
  struct NodeIdentityEntry {
    NetKeyIndex net_idx = 0;
    LocalTime until{};
  };

  template <class T>
  void respond(const MessageContext& ctx, const T& message);
  /// Element + model lookup: kInvalidAddress / kInvalidModel; std::nullopt when the
  /// element address is not unicast (the request is ignored).
  std::optional<ModelRef> findModel(Address element, const ModelId& id);
  void unbindEverywhere(AppKeyIndex app_idx);
  std::uint16_t featuresNow() const;
  void featuresChanged(std::uint16_t before);
  void onResetTimer();

  bool handle(const MessageContext& ctx, const ConfigMessage& msg);
  bool onModelPublication(const MessageContext& ctx, Address element, const ModelId& id,
                          Address address, const std::optional<LabelUuid>& label,
                          const PublicationFields& fields);
  bool onModelSubscription(const MessageContext& ctx, Opcode opcode, Address element,
                           const ModelId& id, Address address,
                           const std::optional<LabelUuid>& label);
  bool onModelApp(const MessageContext& ctx, bool bind, Address element, const ModelId& id,
                  AppKeyIndex app_idx);
  bool onModelSubscriptionGet(const MessageContext& ctx, Address element, const ModelId& id);
  bool onModelAppGet(const MessageContext& ctx, Address element, const ModelId& id);
  ConfigModelPublicationStatus publicationStatus(ConfigStatus status, Address element,
                                                 const ModelId& id, const Model* model) const;

  const platform::Platform& platform_;
  const NodeConfig& config_;
  Access& access_;
  Network& network_;
  KeyStore& keys_;
  ProductIdentity product_;
  Beacons* beacons_ = nullptr;
  HeartbeatService* heartbeat_ = nullptr;
  KeyRefresh* key_refresh_ = nullptr;
  bool beacon_state_ = true;  ///< used when no Beacons object is attached
  std::vector<NodeIdentityEntry> node_identity_;
  ConfigServerStats stats_{};
  platform::Timer reset_timer_{this, &platform::Timer::thunk<&ConfigServer::onResetTimer>};
};

}  // namespace lpm::btmesh
