// Persistent settings of one simulated node (DESIGN.md "The platform contract"): an
// in-memory key/value store owned by the node, not by its stacks, so it survives a
// reboot; wipe() is the factory reset. Keys are kept sorted (std::map), so any listing
// or dump is deterministic.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/platform/settings.hpp"

namespace lpm::sim {

class SettingsStore final : public platform::Settings {
 public:
  /// capacity_bytes bounds keys + values together, like a device's settings partition;
  /// 0 means unbounded. A set() that would exceed it fails with Error::kNoBufs.
  explicit SettingsStore(std::size_t capacity_bytes = 0) : capacity_(capacity_bytes) {}

  /// The stored value; kNotFound when the key was never set or was removed.
  Result<Bytes> get(std::string_view key) const override;
  /// Stores a copy of `value` (an empty value is a value); kInvalidArgs for an empty key,
  /// kNoBufs when the capacity would be exceeded (the old value is kept then).
  Error set(std::string_view key, ByteSpan value) override;
  /// kNotFound when the key is not present.
  Error remove(std::string_view key) override;
  /// Removes every key (factory reset, Mesh Node Reset).
  void wipe() override;

  /// Bytes held: the sum of key and value lengths.
  std::size_t bytesUsed() const { return used_; }
  std::size_t keyCount() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }
  /// Calls fn(key, value) for every entry in key order (for dumps and tests).
  void forEach(const std::function<void(std::string_view, ByteSpan)>& fn) const;

 private:
  std::map<std::string, Bytes, std::less<>> entries_;
  std::size_t used_ = 0;
  std::size_t capacity_;
};

}  // namespace lpm::sim
