#include "lpmesh/sim/settings_store.hpp"

namespace lpm::sim {

Result<Bytes> SettingsStore::get(std::string_view key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return Error::kNotFound;
  return it->second;
}

Error SettingsStore::set(std::string_view key, ByteSpan value) {
  if (key.empty()) return Error::kInvalidArgs;
  const auto it = entries_.find(key);
  const std::size_t old_size = it == entries_.end() ? 0 : key.size() + it->second.size();
  const std::size_t new_used = used_ - old_size + key.size() + value.size();
  if (capacity_ != 0 && new_used > capacity_) return Error::kNoBufs;
  if (it == entries_.end()) {
    entries_.emplace(std::string(key), Bytes(value.begin(), value.end()));
  } else {
    it->second.assign(value.begin(), value.end());
  }
  used_ = new_used;
  return Error::kNone;
}

Error SettingsStore::remove(std::string_view key) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return Error::kNotFound;
  used_ -= it->first.size() + it->second.size();
  entries_.erase(it);
  return Error::kNone;
}

void SettingsStore::wipe() {
  entries_.clear();
  used_ = 0;
}

void SettingsStore::forEach(const std::function<void(std::string_view, ByteSpan)>& fn) const {
  for (const auto& [key, value] : entries_)
    fn(key, value);
}

}  // namespace lpm::sim
