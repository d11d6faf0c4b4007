#include "lpmesh/ieee802154/tsch_node.hpp"

#include <algorithm>
#include <array>

namespace lpm::ieee802154 {

TschNode::TschNode(platform::Platform& platform, const TschConfig& config,
                   std::optional<Eui64> fixed_time_source, const TschTrafficConfig& traffic,
                   TschNodeObserver* observer)
    : StaticTschUpper(config.coordinator, fixed_time_source),
      p_(platform),
      traffic_(traffic),
      observer_(observer),
      mac_(platform, config, *this) {
  traffic_.payload_size = std::max(traffic_.payload_size, kTschTrafficHeader);
}

TschNode::~TschNode() {
  p_.timers->stop(traffic_timer_);
  if (observer_ != nullptr) observer_->onStopped(p_.node_id, mac_.stats());
}

void TschNode::start() {
  mac_.start();
}

void TschNode::onSynchronized(const Eui64& time_source, std::uint8_t source_join_metric) {
  StaticTschUpper::onSynchronized(time_source, source_join_metric);
  if (observer_ != nullptr) {
    // The local clock starts at 0 at power-on.
    observer_->onSynchronized(p_.node_id, mac_.stats().last_time_to_sync,
                              p_.timers->now().time_since_epoch());
  }
  if (traffic_.period.count() > 0 && traffic_.destination &&
      *traffic_.destination != mac_.address()) {
    const auto jitter = static_cast<std::int64_t>(
        p_.random->below(static_cast<std::uint64_t>(traffic_.period.count())));
    p_.timers->start(traffic_timer_, traffic_.start_delay + Duration{jitter});
  }
}

void TschNode::onDesynchronized() {
  StaticTschUpper::onDesynchronized();
  p_.timers->stop(traffic_timer_);
  if (observer_ != nullptr) observer_->onDesynchronized(p_.node_id);
}

void TschNode::onTrafficTimer() {
  std::array<std::uint8_t, platform::k802154MaxMpdu> buf{};
  const std::size_t size = std::min(traffic_.payload_size, mac_.maxPayload(false));
  const std::uint32_t id = p_.node_id;
  const std::uint32_t counter = counter_++;
  for (std::size_t i = 0; i < 4; ++i) {
    buf[i] = static_cast<std::uint8_t>(id >> (8 * i));
    buf[4 + i] = static_cast<std::uint8_t>(counter >> (8 * i));
  }
  const auto handle = mac_.send(traffic_.destination, ByteSpan(buf.data(), size));
  if (observer_ != nullptr) observer_->onPacketGenerated(p_.node_id, counter, handle.ok());
  p_.timers->start(traffic_timer_, traffic_.period);
}

void TschNode::onReceive(const TschRxData& data) {
  if (data.payload.size() < kTschTrafficHeader) return;
  std::uint32_t origin = 0;
  std::uint32_t counter = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    origin |= std::uint32_t{data.payload[i]} << (8 * i);
    counter |= std::uint32_t{data.payload[4 + i]} << (8 * i);
  }
  if (observer_ != nullptr) observer_->onPacketReceived(p_.node_id, origin, counter);
}

void TschNode::onSendDone(std::uint32_t /*handle*/, Error status, std::uint8_t attempts) {
  if (observer_ != nullptr) observer_->onPacketDone(p_.node_id, status, attempts);
}

}  // namespace lpm::ieee802154
