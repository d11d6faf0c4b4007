// RFC 4944 §5.2 mesh addressing header (used by Thread for multi-hop forwarding) and
// the §11.1 broadcast header LOWPAN_BC0.
#pragma once

#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/sixlowpan/link_address.hpp"

namespace lpm::sixlowpan {

/// `10 V F HopsLeft` [deep hops left] originator final. V / F set mean a 16-bit short
/// address, clear a 64-bit one; addresses are sent most significant byte first.
struct MeshHeader {
  std::uint8_t hops_left = 0;  ///< 0..255; 15 and above use the deep-hops-left byte
  LinkAddress originator;      ///< short or extended (never kNone)
  LinkAddress final_destination;

  /// Parses the header at the start of `data`. kMalformed without the 10xxxxxx
  /// dispatch, kTruncated if short.
  static Result<MeshHeader> parse(ByteSpan data);
  /// Encoded size in bytes.
  std::size_t size() const;
  /// kInvalidArgs for an address of kind kNone.
  Error encode(VectorWriter& w) const;
  friend bool operator==(const MeshHeader&, const MeshHeader&) = default;
};

/// LOWPAN_BC0 (0x50) followed by a sequence number.
struct BroadcastHeader {
  static constexpr std::size_t kSize = 2;
  std::uint8_t sequence = 0;

  static Result<BroadcastHeader> parse(ByteSpan data);
  template <class Writer>
  Error encode(Writer& w) const {
    w.u8(0x50);
    w.u8(sequence);
    return w.error();
  }
};

}  // namespace lpm::sixlowpan
