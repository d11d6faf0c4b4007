// Replay protection list (Mesh Protocol 1.1 §3.9.8): per source address, the newest
// IV Index and SEQ of accepted messages addressed to this node, plus the SeqAuth of the
// newest segmented message completed from it. Bounded (CRPL entries) and persisted through
// settings one slot per key, so that a rebooted node still rejects old messages.
//
// When the list is full, messages from a source not in it are not processed (§3.9.8; Zephyr
// logs "RPL is full!" and drops them): a new source never evicts an existing one, since
// that would reopen the evicted source to replays.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/btmesh/address.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/platform/platform.hpp"

namespace lpm::btmesh {

/// SeqAuth (§3.5.3.1): IV Index in the 32 most significant bits of a 56-bit value, the
/// 24-bit SEQ of the first segment below.
constexpr std::uint64_t makeSeqAuth(std::uint32_t iv_index, std::uint32_t seq) {
  return (std::uint64_t{iv_index} << 24) | (seq & 0xFFFFFFU);
}

struct ReplayEntry {
  Address src = kUnassignedAddress;
  std::uint32_t iv_index = 0;
  std::uint32_t seq = 0;
  /// SeqAuth of the newest segmented message delivered from src (0: none).
  std::uint64_t seq_auth = 0;
};

class ReplayProtectionList {
 public:
  enum class Verdict : std::uint8_t { kAccept, kReplay, kFull };

  /// Loads the stored entries. `capacity` is the CRPL (at least 1).
  ReplayProtectionList(const platform::Platform& platform, std::size_t capacity);

  /// Whether a message with (iv_index, seq) from `src` may be processed: a newer IV Index,
  /// or the same IV Index and a greater SEQ, than the stored ones.
  Verdict check(Address src, std::uint32_t iv_index, std::uint32_t seq) const;
  /// Records an accepted message (its highest SEQ, and SeqAuth for segmented ones). Never
  /// moves an entry backwards. kNoBufs when src is new and the list is full.
  Error accept(Address src, std::uint32_t iv_index, std::uint32_t seq,
               std::optional<std::uint64_t> seq_auth = std::nullopt);
  /// SeqAuth of the newest segmented message completed from src.
  std::optional<std::uint64_t> lastSeqAuth(Address src) const;
  const ReplayEntry* find(Address src) const;

  /// After an IV Index change (§3.11.5): entries older than current - 1 can never match
  /// an acceptable message again and are removed.
  void onIvIndexChanged(std::uint32_t current);
  /// Node reset: forgets everything, stored entries too.
  void clear();

  std::size_t size() const;
  std::size_t capacity() const { return entries_.size(); }

 private:
  void store(std::size_t slot);

  const platform::Platform& platform_;
  std::vector<ReplayEntry> entries_;  ///< src == 0: free slot
};

}  // namespace lpm::btmesh
