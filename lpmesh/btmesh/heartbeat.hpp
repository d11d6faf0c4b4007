// Heartbeat publication and subscription (Mesh Protocol 1.1 §3.6.7 behaviour, states of
// §4.2.17 / §4.2.18; as Zephyr heartbeat.c). A node publishes Heartbeat control messages
// (§3.6.5.10) to a destination every 2^(PeriodLog-1) s, CountLog-derived times, and once
// more whenever one of the chosen features changes state; a node subscribed to a
// (source, destination) pair counts the Heartbeats it receives during the subscription
// period and keeps the minimum and maximum hop counts.
#pragma once

#include <cstdint>
#include <functional>

#include "lpmesh/btmesh/config_messages.hpp"
#include "lpmesh/btmesh/keys.hpp"
#include "lpmesh/btmesh/network.hpp"
#include "lpmesh/btmesh/upper_transport.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// Heartbeat Publication state (§4.2.17).
struct HeartbeatPublication {
  Address destination = kUnassignedAddress;  ///< unassigned: publication off
  std::uint16_t count = 0;                   ///< remaining; 0xFFFF = indefinitely
  std::uint8_t period_log = 0;               ///< 0: no periodic publication
  std::uint8_t ttl = 0;
  std::uint16_t features = 0;  ///< features whose change triggers a Heartbeat
  NetKeyIndex net_idx = 0;
};

/// Heartbeat Subscription state (§4.2.18).
struct HeartbeatSubscription {
  Address source = kUnassignedAddress;
  Address destination = kUnassignedAddress;
  std::uint16_t count = 0;  ///< received, saturating at 0xFFFF
  std::uint8_t min_hops = 0;
  std::uint8_t max_hops = 0;
  std::uint8_t period_log = 0;  ///< as set
};

/// A Heartbeat received for the active subscription.
struct HeartbeatEvent {
  Address source = 0;
  Address destination = 0;
  std::uint8_t hops = 0;
  std::uint16_t features = 0;
};

struct HeartbeatStats {
  std::uint64_t sent = 0;
  std::uint64_t sent_triggered = 0;
  std::uint64_t send_failed = 0;
  std::uint64_t received = 0;  ///< counted by the active subscription
  std::uint64_t ignored = 0;   ///< no matching active subscription
};

class HeartbeatService final : public ControlMessageHandler {
 public:
  /// Registers with the upper transport as a control message handler.
  HeartbeatService(const platform::Platform& platform, Network& network, UpperTransport& upper,
                   KeyStore& keys);
  ~HeartbeatService() override;
  HeartbeatService(const HeartbeatService&) = delete;
  HeartbeatService& operator=(const HeartbeatService&) = delete;

  /// Heartbeat Publication Set (§4.3.2.62) after the server's checks for prohibited
  /// values. kInvalidNetKeyIndex for an unknown NetKey, kInvalidAddress for a virtual
  /// destination; a periodic publication sends its first Heartbeat at once.
  ConfigStatus setPublication(const ConfigHeartbeatPublicationSet& set);
  /// Heartbeat Subscription Set (§4.3.2.65): a source or destination of unassigned
  /// clears the state; a period of 0 stops counting and keeps the results.
  ConfigStatus setSubscription(const ConfigHeartbeatSubscriptionSet& set);

  const HeartbeatPublication& publication() const { return pub_; }
  const HeartbeatSubscription& subscription() const { return sub_; }
  /// Heartbeat Publication Status fields.
  ConfigHeartbeatPublicationStatus publicationStatus(ConfigStatus status) const;
  /// Heartbeat Subscription Status fields; PeriodLog is the log of the remaining period.
  ConfigHeartbeatSubscriptionStatus subscriptionStatus(ConfigStatus status) const;
  /// Seconds left in the subscription period (0 when inactive).
  std::uint32_t subscriptionRemaining() const;

  /// Features bit field of the features currently enabled (bit 0 relay, 1 proxy, 2
  /// friend, 3 low power).
  std::uint16_t activeFeatures() const;
  /// The Low Power feature is not a network state: its owner reports it.
  void setLowPowerActive(bool active);
  /// Call after changing the Relay, GATT Proxy or Friend state with the features bit
  /// field from before: a Heartbeat goes out when a published feature changed (§3.6.7.2).
  void onFeaturesChanged(std::uint16_t previous_features);
  /// Whether the subscription makes this node listen to `address` (a group destination).
  bool listensTo(Address address) const;
  /// A subnet was deleted: a publication on it stops (Zephyr does the same).
  void onSubnetDeleted(NetKeyIndex net_idx);

  /// Each Heartbeat counted by the subscription.
  std::function<void(const HeartbeatEvent&)> on_heartbeat;
  const HeartbeatStats& stats() const { return stats_; }

  // ControlMessageHandler
  void onControlMessage(const ControlRx& rx) override;
  bool acceptsDestination(Address dst) const override { return listensTo(dst); }

 private:
  void onPublishTimer();
  void onSubscriptionTimer();
  bool send(bool triggered);

  const platform::Platform& platform_;
  Network& network_;
  UpperTransport& upper_;
  KeyStore& keys_;
  HeartbeatPublication pub_{};
  HeartbeatSubscription sub_{};
  LocalTime sub_end_{};
  bool sub_active_ = false;
  bool low_power_ = false;
  HeartbeatStats stats_{};
  platform::Timer pub_timer_{this, &platform::Timer::thunk<&HeartbeatService::onPublishTimer>};
  platform::Timer sub_timer_{this, &platform::Timer::thunk<&HeartbeatService::onSubscriptionTimer>};
};

}  // namespace lpm::btmesh
