// A TSCH node as a platform::Stack: the TSCH MAC under the static upper layer, with an
// optional traffic source that sends raw data frames carrying a payload counter to a
// destination (the PAN coordinator) in the schedule's shared cells. Used by the `tsch`
// scenario kind, the tests and the benchmark.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/ieee802154/tsch_config.hpp"
#include "lpmesh/ieee802154/tsch_mac.hpp"
#include "lpmesh/ieee802154/tsch_upper.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::ieee802154 {

/// Periodic upper-layer traffic. Payload: origin node id (u32 LE), counter (u32 LE),
/// zero padding up to `payload_size`.
struct TschTrafficConfig {
  Duration period{0};  ///< 0: no traffic
  /// First packet this long after synchronisation (plus a random part of one period).
  Duration start_delay = seconds(0);
  std::size_t payload_size = 8;  ///< at least 8
  std::optional<Eui64> destination;
};

inline constexpr std::size_t kTschTrafficHeader = 8;

/// Receives what a run measures; one observer serves every node of a run.
class TschNodeObserver {
 public:
  virtual ~TschNodeObserver() = default;
  /// `time_to_sync`: first EB heard -> synchronised (empty for the coordinator);
  /// `since_power_on`: the node's uptime then.
  virtual void onSynchronized(NodeId /*node*/, std::optional<Duration> /*time_to_sync*/,
                              Duration /*since_power_on*/) {}
  virtual void onDesynchronized(NodeId /*node*/) {}
  /// The traffic source produced packet `counter` (queued or not: `queued` says).
  virtual void onPacketGenerated(NodeId /*node*/, std::uint32_t /*counter*/, bool /*queued*/) {}
  virtual void onPacketDone(NodeId /*node*/, Error /*status*/, std::uint8_t /*attempts*/) {}
  /// A traffic packet arrived at `node` from `origin`.
  virtual void onPacketReceived(NodeId /*node*/, NodeId /*origin*/, std::uint32_t /*counter*/) {}
  /// The node's stack is going away (power off, reboot, end of run): its final counters.
  virtual void onStopped(NodeId /*node*/, const TschStats& /*stats*/) {}
};

class TschNode final : public platform::Stack, public StaticTschUpper {
 public:
  TschNode(platform::Platform& platform, const TschConfig& config,
           std::optional<Eui64> fixed_time_source, const TschTrafficConfig& traffic,
           TschNodeObserver* observer);
  ~TschNode() override;
  TschNode(const TschNode&) = delete;
  TschNode& operator=(const TschNode&) = delete;

  void start() override;
  TschMac& mac() { return mac_; }
  const TschMac& mac() const { return mac_; }
  std::uint32_t generated() const { return counter_; }

  // TschUpperLayer
  void onSynchronized(const Eui64& time_source, std::uint8_t source_join_metric) override;
  void onDesynchronized() override;
  void onReceive(const TschRxData& data) override;
  void onSendDone(std::uint32_t handle, Error status, std::uint8_t attempts) override;

 private:
  void onTrafficTimer();

  platform::Platform& p_;
  TschTrafficConfig traffic_;
  TschNodeObserver* observer_;
  TschMac mac_;
  std::uint32_t counter_ = 0;
  platform::Timer traffic_timer_{this, &platform::Timer::thunk<&TschNode::onTrafficTimer>};
};

}  // namespace lpm::ieee802154
