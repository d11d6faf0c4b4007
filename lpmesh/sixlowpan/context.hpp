// The 6LoWPAN context table (RFC 6282 §3.1.1, RFC 6775 §4.2): up to 16 prefixes
// shared by the nodes of a network, indexed by a 4-bit context identifier.
#pragma once

#include <array>
#include <cstdint>

#include "lpmesh/core/error.hpp"
#include "lpmesh/ipv6/address.hpp"

namespace lpm::sixlowpan {

/// One context: its prefix and whether it may be used to compress (Thread's and
/// 6CO's C flag; a context with compress == false is still used to decompress).
struct Context {
  ipv6::Prefix prefix;
  bool compress = true;
  bool valid = false;
};

/// A fixed table of 16 contexts; no allocation.
class ContextTable {
 public:
  static constexpr std::size_t kMaxContexts = 16;

  /// Sets context `cid` (0..15); kInvalidArgs otherwise.
  Error set(std::uint8_t cid, const ipv6::Prefix& prefix, bool compress = true) {
    if (cid >= kMaxContexts) return Error::kInvalidArgs;
    entries_[cid] = Context{ipv6::Prefix::make(prefix.address, prefix.length), compress, true};
    return Error::kNone;
  }
  void remove(std::uint8_t cid) {
    if (cid < kMaxContexts) entries_[cid] = Context{};
  }
  void clear() { entries_ = {}; }
  /// The context for decompression, or nullptr when `cid` is not set.
  const Context* find(std::uint8_t cid) const {
    return cid < kMaxContexts && entries_[cid].valid ? &entries_[cid] : nullptr;
  }
  /// The context if it may be used to compress, else nullptr.
  const Context* findForCompression(std::uint8_t cid) const {
    const Context* c = find(cid);
    return c != nullptr && c->compress ? c : nullptr;
  }

 private:
  std::array<Context, kMaxContexts> entries_{};
};

}  // namespace lpm::sixlowpan
