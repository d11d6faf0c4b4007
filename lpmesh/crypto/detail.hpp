// Helpers shared by the mbedTLS wrappers in lpmesh/crypto (not part of the public API).
#pragma once

#include <cstdint>

#include "lpmesh/core/bytes.hpp"

namespace lpm::crypto::detail {

/// A non-null pointer for a possibly empty span: some mbedTLS entry points reject a
/// null buffer even when its length is zero.
inline const unsigned char* nonNull(ByteSpan s) {
  static constexpr unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : s.data();
}

}  // namespace lpm::crypto::detail
