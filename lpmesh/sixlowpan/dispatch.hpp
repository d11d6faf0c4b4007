// 6LoWPAN dispatch bytes (RFC 4944 §5.1, RFC 6282 §3.1, RFC 8025 §3, RFC 8138 §4).
#pragma once

#include <cstdint>

namespace lpm::sixlowpan {

namespace dispatch {
inline constexpr std::uint8_t kIpv6 = 0x41;      ///< uncompressed IPv6 follows
inline constexpr std::uint8_t kBc0 = 0x50;       ///< broadcast header (RFC 4944 §11.1)
inline constexpr std::uint8_t kIphcMask = 0xe0;  ///< 011xxxxx
inline constexpr std::uint8_t kIphc = 0x60;
inline constexpr std::uint8_t kMeshMask = 0xc0;  ///< 10xxxxxx
inline constexpr std::uint8_t kMesh = 0x80;
inline constexpr std::uint8_t kFragMask = 0xf8;  ///< 11000xxx / 11100xxx
inline constexpr std::uint8_t kFrag1 = 0xc0;
inline constexpr std::uint8_t kFragN = 0xe0;
inline constexpr std::uint8_t kPageMask = 0xf0;  ///< 1111xxxx: page switch (RFC 8025 §3)
inline constexpr std::uint8_t kPage = 0xf0;
inline constexpr std::uint8_t kPage1 = 0xf1;
}  // namespace dispatch

/// What a dispatch byte announces, in page 0 (RFC 4944 / RFC 6282 numbering).
enum class DispatchKind : std::uint8_t {
  kNalp,      ///< 00xxxxxx: not a LoWPAN frame
  kIpv6,      ///< 0x41
  kBc0,       ///< 0x50
  kIphc,      ///< 011xxxxx
  kMesh,      ///< 10xxxxxx
  kFrag1,     ///< 11000xxx
  kFragN,     ///< 11100xxx
  kPage,      ///< 1111xxxx
  kReserved,  ///< anything else
};

constexpr DispatchKind classifyDispatch(std::uint8_t b) {
  if ((b & 0xc0) == 0x00) return DispatchKind::kNalp;
  if (b == dispatch::kIpv6) return DispatchKind::kIpv6;
  if (b == dispatch::kBc0) return DispatchKind::kBc0;
  if ((b & dispatch::kIphcMask) == dispatch::kIphc) return DispatchKind::kIphc;
  if ((b & dispatch::kMeshMask) == dispatch::kMesh) return DispatchKind::kMesh;
  if ((b & dispatch::kFragMask) == dispatch::kFrag1) return DispatchKind::kFrag1;
  if ((b & dispatch::kFragMask) == dispatch::kFragN) return DispatchKind::kFragN;
  if ((b & dispatch::kPageMask) == dispatch::kPage) return DispatchKind::kPage;
  return DispatchKind::kReserved;
}

}  // namespace lpm::sixlowpan
