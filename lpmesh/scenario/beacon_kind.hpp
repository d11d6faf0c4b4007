// The `beacon` stack kind: parses a `stacks:` entry of kind beacon, hosts BeaconApp
// instances, and measures per-node counters and PRR against distance.
//
// PRR against distance, precisely: for every beacon a node sends (802.15.4: the frame
// went out; BLE: one advertising event on all its channels), every other node that runs a
// beacon on the same PHY and channel (BLE: sharing an advertising channel) and is powered
// on when the beacon goes out is one *expected* reception, in the distance bin of the
// pair (3-D distance / bin width). It is *received* when that node's beacon app gets
// the beacon (identified by sender id and counter; BLE copies of one event on several
// channels count once). PRR = received / expected per bin and PHY.
#pragma once

#include <memory>

#include "lpmesh/scenario/beacon_app.hpp"
#include "lpmesh/scenario/stack_registry.hpp"

namespace lpm::scenario {

class BeaconConfig final : public StackConfig {
 public:
  explicit BeaconConfig(const BeaconParams& params) : params_(params) {}
  const BeaconParams& params() const { return params_; }
  Radios radios() const override;
  std::string describe() const override;
  std::optional<double> maxTxPowerDbm() const override { return params_.tx_power_dbm; }

 private:
  BeaconParams params_;
};

std::unique_ptr<StackKind> makeBeaconKind();

}  // namespace lpm::scenario
