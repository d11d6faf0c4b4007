// RFC 6282 header compression: LOWPAN_IPHC for the IPv6 header and LOWPAN_NHC for
// UDP (§4.3) and IPv6 extension headers (§4.2), including IPv6-in-IPv6 (EID 7).
//
// compress() takes a whole IPv6 datagram and the frame's link-layer addresses and
// emits the compressed form; decompress() does the reverse. The compressor picks,
// for every field, the shortest encoding whose decompression gives the field back,
// so decompress(compress(p)) == p for every well-formed datagram p.
#pragma once

#include <array>
#include <cstdint>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/sixlowpan/context.hpp"
#include "lpmesh/sixlowpan/link_address.hpp"

namespace lpm::sixlowpan {

/// Compressor choices that are policy rather than format.
struct CompressOptions {
  /// RFC 6282 §4.3.2: elide the UDP checksum (C = 1). Only when the upper layer has
  /// its own integrity check and has allowed it; the decompressor then recomputes it.
  bool elide_udp_checksum = false;
  /// Use LOWPAN_NHC for extension headers and IPv6-in-IPv6; off carries them inline.
  bool compress_extension_headers = true;
  /// Use LOWPAN_NHC for UDP.
  bool compress_udp = true;
};

/// Sizes of the part of a datagram the compressor rewrote: the first
/// `uncompressed_header_size` bytes of the datagram became the first
/// `compressed_header_size` bytes of the output; the rest was copied as is.
/// RFC 4944 fragmentation needs both (offsets count uncompressed bytes).
struct CompressInfo {
  std::size_t compressed_header_size = 0;
  std::size_t uncompressed_header_size = 0;
};

/// Appends the IPHC form of `datagram` (a whole IPv6 datagram) to `out`. Errors are
/// those of ipv6::Datagram::parse (the payload length must match the data).
Result<CompressInfo> compress(ByteSpan datagram, const LinkAddress& l2_src,
                              const LinkAddress& l2_dst, const ContextTable& contexts, Bytes& out,
                              const CompressOptions& options = {});

/// compress() into a new buffer.
Result<Bytes> compress(ByteSpan datagram, const LinkAddress& l2_src, const LinkAddress& l2_dst,
                       const ContextTable& contexts, const CompressOptions& options = {});

/// Where decompressHeaders() left fields that depend on the datagram's total size
/// (payload lengths, the UDP length and an elided UDP checksum); finishDatagram()
/// fills them once the whole datagram is known.
struct HeaderLayout {
  static constexpr std::size_t kMaxIpv6Headers = 3;  ///< outer + 2 levels of IPv6-in-IPv6

  std::size_t consumed = 0;     ///< compressed bytes read
  std::size_t header_size = 0;  ///< uncompressed header bytes written
  std::array<std::uint16_t, kMaxIpv6Headers> ipv6_offsets{};
  std::size_t ipv6_count = 0;
  bool has_udp = false;
  std::uint16_t udp_offset = 0;
  bool udp_checksum_elided = false;
};

/// Upper bound on what decompressHeaders() writes beyond the compressed bytes it reads:
/// each compressed header expands by less than this.
inline constexpr std::size_t kMaxHeaderExpansion = 3 * 40 + 8 * 8 + 8;

/// Decompresses the headers at the start of `lowpan` (which begins with an IPHC
/// dispatch 011xxxxx, or the uncompressed-IPv6 dispatch 0x41, for which nothing is
/// written and one byte is consumed) into `out`.
/// Errors: kTruncated (input ends inside a header), kMalformed (bad dispatch or a field
/// the format forbids, such as an address to derive from an absent link address),
/// kUnsupported (reserved modes, unknown NHC, a page-switch dispatch), kNotFound (unknown
/// context),
/// kTooLong (`out` too small).
Result<HeaderLayout> decompressHeaders(ByteSpan lowpan, const LinkAddress& l2_src,
                                       const LinkAddress& l2_dst, const ContextTable& contexts,
                                       MutableByteSpan out);

/// Fills the elided lengths (and an elided UDP checksum) of a complete datagram whose
/// first layout.header_size bytes came from decompressHeaders(). kMalformed if the
/// datagram is shorter than its headers or too long for a length field.
Error finishDatagram(MutableByteSpan datagram, const HeaderLayout& layout);

/// Decompresses a whole unfragmented 6LoWPAN payload (IPHC or 0x41 dispatch) to the
/// IPv6 datagram.
Result<Bytes> decompress(ByteSpan lowpan, const LinkAddress& l2_src, const LinkAddress& l2_dst,
                         const ContextTable& contexts);

}  // namespace lpm::sixlowpan
