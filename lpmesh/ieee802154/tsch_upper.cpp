#include "lpmesh/ieee802154/tsch_upper.hpp"

namespace lpm::ieee802154 {

std::optional<std::size_t> TschUpperLayer::chooseTimeSource(
    std::span<const TschCandidate> candidates) const {
  return lowestJoinMetric(candidates);
}

std::optional<std::size_t> lowestJoinMetric(std::span<const TschCandidate> candidates) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!best) {
      best = i;
      continue;
    }
    const TschCandidate& b = candidates[*best];
    const TschCandidate& c = candidates[i];
    if (c.eb.sync.join_metric < b.eb.sync.join_metric ||
        (c.eb.sync.join_metric == b.eb.sync.join_metric && c.rssi_dbm > b.rssi_dbm)) {
      best = i;
    }
  }
  return best;
}

std::optional<std::uint8_t> StaticTschUpper::joinMetric() const {
  if (coordinator_) return 0;
  if (!source_metric_) return std::nullopt;
  return static_cast<std::uint8_t>(*source_metric_ == 0xff ? 0xff : *source_metric_ + 1);
}

bool StaticTschUpper::acceptsTimeSource(const TschCandidate& candidate) const {
  return !fixed_ || candidate.address == *fixed_;
}

void StaticTschUpper::onSynchronized(const Eui64& /*time_source*/,
                                     std::uint8_t source_join_metric) {
  source_metric_ = source_join_metric;
}

}  // namespace lpm::ieee802154
