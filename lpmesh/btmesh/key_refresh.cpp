#include "lpmesh/btmesh/key_refresh.hpp"

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.kr";
}  // namespace

bool KeyRefresh::move(NetKeyIndex net_idx, KeyRefreshPhase phase) {
  if (keys_.setKeyRefreshPhase(net_idx, phase) != Error::kNone) return false;
  const Subnet* s = keys_.subnet(net_idx);
  const KeyRefreshPhase now = s != nullptr ? s->phase : KeyRefreshPhase::kNormal;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kState,
                  now == KeyRefreshPhase::kPhase2 ? "phase2" : "normal", net_idx);
  if (on_change) on_change(net_idx, now);
  return true;
}

bool KeyRefresh::onBeacon(NetKeyIndex net_idx, bool key_refresh_flag, bool new_key) {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr || !new_key) return false;
  if (s->phase == KeyRefreshPhase::kPhase1 && key_refresh_flag) {
    return move(net_idx, KeyRefreshPhase::kPhase2);
  }
  if (s->hasNewKey() && !key_refresh_flag) return move(net_idx, KeyRefreshPhase::kPhase3);
  return false;
}

std::optional<KeyRefresh::SetOutcome> KeyRefresh::setPhase(NetKeyIndex net_idx,
                                                           std::uint8_t transition) {
  if (transition != 0x02 && transition != 0x03) return std::nullopt;
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr) return SetOutcome{ConfigStatus::kInvalidNetKeyIndex, 0};
  const auto current = s->phase;
  if (transition == 0x02) {
    // Phase 0 -> 2 is prohibited; 2 -> 2 is no change.
    if (current == KeyRefreshPhase::kNormal) return std::nullopt;
    if (current == KeyRefreshPhase::kPhase1) (void)move(net_idx, KeyRefreshPhase::kPhase2);
  } else if (current != KeyRefreshPhase::kNormal) {
    // Transition 0x03 from phase 1 or 2 revokes the old keys; in phase 0 it changes nothing.
    (void)move(net_idx, KeyRefreshPhase::kPhase3);
  }
  const Subnet* after = keys_.subnet(net_idx);
  return SetOutcome{
      ConfigStatus::kSuccess,
      static_cast<std::uint8_t>(after != nullptr ? after->phase : KeyRefreshPhase::kNormal)};
}

std::optional<KeyRefreshPhase> KeyRefresh::phase(NetKeyIndex net_idx) const {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr) return std::nullopt;
  return s->phase;
}

}  // namespace lpm::btmesh
