// RFC 4944 §5.3 fragmentation: FRAG1 / FRAGN headers, a fragmenter that cuts a
// compressed datagram to the space a frame leaves, and a reassembler with bounded
// buffers and a reassembly timeout driven by the caller's clock.
//
// Sizes and offsets count bytes of the *uncompressed* IPv6 datagram (RFC 4944 §5.3,
// RFC 6282 §2): the first fragment carries the compressed headers, which stand for
// more bytes than they occupy.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/time.hpp"
#include "lpmesh/sixlowpan/context.hpp"
#include "lpmesh/sixlowpan/iphc.hpp"
#include "lpmesh/sixlowpan/link_address.hpp"

namespace lpm::sixlowpan {

/// FRAG1 (`11000` size tag, 4 bytes) or FRAGN (`11100` size tag offset, 5 bytes).
struct FragHeader {
  static constexpr std::uint16_t kMaxDatagramSize = 2047;  ///< 11-bit field
  static constexpr std::size_t kFrag1Size = 4;
  static constexpr std::size_t kFragNSize = 5;

  bool first = true;
  std::uint16_t datagram_size = 0;  ///< uncompressed IPv6 datagram size
  std::uint16_t tag = 0;
  std::uint8_t offset_units = 0;  ///< FRAGN only: offset in 8-byte units

  /// Parses the header at the start of `data`. kMalformed if the dispatch is not
  /// FRAG1/FRAGN, kTruncated if too short.
  static Result<FragHeader> parse(ByteSpan data);
  std::size_t size() const { return first ? kFrag1Size : kFragNSize; }
  std::size_t offsetBytes() const { return first ? 0 : std::size_t{offset_units} * 8; }
  /// kInvalidArgs for a size over 2047.
  template <class Writer>
  Error encode(Writer& w) const {
    if (datagram_size > kMaxDatagramSize) return Error::kInvalidArgs;
    w.u16be(static_cast<std::uint16_t>((first ? 0xc000 : 0xe000) | datagram_size));
    w.u16be(tag);
    if (!first) w.u8(offset_units);
    return w.error();
  }
  friend bool operator==(const FragHeader&, const FragHeader&) = default;
};

/// Cuts one compressed datagram into fragments, one per call to next(), each sized
/// for the frame it will travel in (the space may differ per frame).
class Fragmenter {
 public:
  /// `compressed` is the whole 6LoWPAN payload as compress() produced it (the
  /// fragmenter keeps a view: it must outlive the fragmenter) and `info` its header sizes.
  Fragmenter(ByteSpan compressed, const CompressInfo& info, std::uint16_t tag);

  /// Uncompressed datagram size; fragmentation needs it <= 2047 (else next() gives kTooLong).
  std::size_t datagramSize() const { return datagram_size_; }
  /// True when the compressed datagram fits `max_payload` without fragment headers.
  bool fitsUnfragmented(std::size_t max_payload) const { return compressed_.size() <= max_payload; }
  bool done() const { return done_; }
  /// Appends the next fragment (header + data), at most `max_payload` bytes, to `out`.
  /// kTooLong if the datagram exceeds 2047 bytes or the first fragment cannot hold the
  /// compressed headers; kInvalidState once done.
  Error next(std::size_t max_payload, Bytes& out);

 private:
  ByteSpan compressed_;
  CompressInfo info_;
  std::uint16_t tag_;
  std::size_t datagram_size_;
  std::size_t sent_uncompressed_ = 0;  // datagram bytes covered so far
  std::size_t sent_compressed_ = 0;    // bytes of compressed_ consumed so far
  bool done_ = false;
};

/// All frames for a datagram: the compressed datagram alone if it fits `max_payload`,
/// else FRAG1 + FRAGN... each at most `max_payload` bytes.
Result<std::vector<Bytes>> fragment(ByteSpan compressed, const CompressInfo& info,
                                    std::uint16_t tag, std::size_t max_payload);

/// Reassembler limits (RFC 4944 §5.3 default timeout: 60 s).
struct ReassemblerConfig {
  std::size_t buffers = 4;         ///< datagrams in reassembly at once
  std::size_t buffer_size = 1280;  ///< largest datagram accepted (<= 2047)
  Duration timeout = seconds(60);
};

/// Counters: each dropped fragment or datagram is counted once, under its reason.
struct ReassemblerStats {
  std::uint64_t fragments = 0;   ///< fragments offered
  std::uint64_t completed = 0;   ///< datagrams delivered
  std::uint64_t duplicates = 0;  ///< fragments identical to data already held (ignored)
  std::uint64_t no_bufs = 0;     ///< fragments dropped because every buffer was busy
  std::uint64_t too_big = 0;     ///< datagrams larger than buffer_size
  std::uint64_t overlaps = 0;    ///< reassemblies discarded on a conflicting overlap
  std::uint64_t timeouts = 0;    ///< reassemblies discarded by expire()
  std::uint64_t malformed = 0;   ///< fragments that failed to parse or decompress
};

/// What add() did with a fragment.
struct Reassembly {
  bool complete = false;
  /// The whole IPv6 datagram when complete; valid until the next add() or expire().
  ByteSpan datagram;
};

/// Reassembles datagrams keyed by (link source, link destination, size, tag), in a
/// fixed set of buffers allocated once at construction.
class Reassembler {
 public:
  explicit Reassembler(ReassemblerConfig config = {});

  /// Feeds one frame payload that starts with a FRAG1 / FRAGN header. Calls
  /// expire(now) first. Errors (each also counted): kMalformed (bad header, a fragment
  /// past the datagram's end or not ending on an 8-byte boundary, bad compressed
  /// headers), kTooLong (datagram larger than the buffers), kNoBufs (all buffers busy),
  /// kDropped (a fragment overlapping held data with different content: the whole
  /// reassembly is discarded, RFC 4944 §5.3), or a decompression error.
  Result<Reassembly> add(ByteSpan frame_payload, const LinkAddress& l2_src,
                         const LinkAddress& l2_dst, const ContextTable& contexts, LocalTime now);

  /// Discards reassemblies started at least `timeout` before `now`.
  void expire(LocalTime now);
  /// When the oldest reassembly times out, for the owner's timer; nullopt if none.
  std::optional<LocalTime> nextExpiry() const;
  std::size_t inProgress() const;
  const ReassemblerStats& stats() const { return stats_; }
  const ReassemblerConfig& config() const { return config_; }

 private:
  static constexpr std::size_t kMaxUnits = (FragHeader::kMaxDatagramSize + 7) / 8;

  struct Slot {
    bool used = false;
    LinkAddress src;
    LinkAddress dst;
    std::uint16_t size = 0;
    std::uint16_t tag = 0;
    LocalTime started{};
    std::size_t received = 0;  // datagram bytes held
    bool have_first = false;
    HeaderLayout layout;
    std::bitset<kMaxUnits> units;  // 8-byte units held
  };

  MutableByteSpan buffer(std::size_t slot);
  void release(Slot& s) { s = Slot{}; }
  Slot* find(const LinkAddress& src, const LinkAddress& dst, std::uint16_t size, std::uint16_t tag);

  ReassemblerConfig config_;
  std::vector<Slot> slots_;
  Bytes storage_;  // buffers * buffer_size, then one scratch buffer
  ReassemblerStats stats_;
};

}  // namespace lpm::sixlowpan
