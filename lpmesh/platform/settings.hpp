// Persistent key/value settings: survive a reboot (not a factory reset)
// (DESIGN.md "The platform contract"). Keys are namespaced by the stack,
// e.g. "btmesh/seq/0001".
#pragma once

#include <string_view>

#include "lpmesh/core/bytes.hpp"

namespace lpm::platform {

class Settings {
 public:
  virtual ~Settings() = default;
  /// The stored value; kNotFound when the key was never set or was removed.
  virtual Result<Bytes> get(std::string_view key) const = 0;
  virtual Error set(std::string_view key, ByteSpan value) = 0;
  virtual Error remove(std::string_view key) = 0;
  /// Removes every key (factory reset, Mesh Node Reset).
  virtual void wipe() = 0;
};

}  // namespace lpm::platform
