// Everything a node offers its stacks: the only door from a stack to the world
// (DESIGN.md "The platform contract"). The simulator implements it per simulated
// node; a real-time implementation can implement it too.
#pragma once

#include "lpmesh/core/ids.hpp"
#include "lpmesh/core/rng.hpp"
#include "lpmesh/platform/ble.hpp"
#include "lpmesh/platform/log.hpp"
#include "lpmesh/platform/radio802154.hpp"
#include "lpmesh/platform/settings.hpp"
#include "lpmesh/platform/timer.hpp"

namespace lpm::platform {

struct Platform {
  NodeId node_id = kInvalidNode;
  Timers* timers = nullptr;
  Rng* random = nullptr;             ///< the node's deterministic stream (RngStream::kStack)
  Settings* settings = nullptr;
  Log* log = nullptr;
  Trace* trace = nullptr;            ///< may be null: no subscriber
  Radio802154* radio802154 = nullptr;  ///< null when the node has no 802.15.4 radio
  BleController* ble = nullptr;        ///< null when the node has no BLE controller
};

/// A protocol stack or application instance hosted on a node. Reboot destroys it and
/// builds a new one over the same Platform (Settings survive, nothing else does).
class Stack {
 public:
  virtual ~Stack() = default;
  /// Called once after construction, when the node powers up.
  virtual void start() = 0;
};

}  // namespace lpm::platform
