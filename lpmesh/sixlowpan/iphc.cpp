#include "lpmesh/sixlowpan/iphc.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include "lpmesh/ipv6/checksum.hpp"
#include "lpmesh/ipv6/ext_headers.hpp"
#include "lpmesh/ipv6/header.hpp"
#include "lpmesh/ipv6/udp.hpp"
#include "lpmesh/sixlowpan/dispatch.hpp"

namespace lpm::sixlowpan {
namespace {

using ipv6::Address;
using ipv6::Iid;
namespace proto = ipv6::proto;

constexpr std::size_t kMaxExtPerLevel = 8;

// RFC 6282 §3.1.1 address modes (SAM / DAM values).
constexpr std::uint8_t kMode128 = 0;
constexpr std::uint8_t kMode64 = 1;
constexpr std::uint8_t kMode16 = 2;
constexpr std::uint8_t kMode0 = 3;

// RFC 6282 §4.2 extension header IDs.
constexpr std::uint8_t kEidHopByHop = 0;
constexpr std::uint8_t kEidRouting = 1;
constexpr std::uint8_t kEidFragment = 2;
constexpr std::uint8_t kEidDestOptions = 3;
constexpr std::uint8_t kEidMobility = 4;
constexpr std::uint8_t kEidIpv6 = 7;

constexpr std::uint8_t kNhcExt = 0xe0;  // 1110 EID NH
constexpr std::uint8_t kNhcUdp = 0xf0;  // 11110 C PP

std::optional<std::uint8_t> eidFor(std::uint8_t protocol) {
  switch (protocol) {
    case proto::kHopByHop:
      return kEidHopByHop;
    case proto::kRouting:
      return kEidRouting;
    case proto::kFragment:
      return kEidFragment;
    case proto::kDestOptions:
      return kEidDestOptions;
    case proto::kMobility:
      return kEidMobility;
    case proto::kIpv6:
      return kEidIpv6;
    default:
      return std::nullopt;
  }
}

std::optional<std::uint8_t> protocolFor(std::uint8_t eid) {
  switch (eid) {
    case kEidHopByHop:
      return proto::kHopByHop;
    case kEidRouting:
      return proto::kRouting;
    case kEidFragment:
      return proto::kFragment;
    case kEidDestOptions:
      return proto::kDestOptions;
    case kEidMobility:
      return proto::kMobility;
    case kEidIpv6:
      return proto::kIpv6;
    default:
      return std::nullopt;  // 5 and 6 are reserved
  }
}

// ---------------------------------------------------------------------------
// Address reconstruction, shared by both directions: the compressor accepts a mode
// only if reconstructing from it gives the original address back.

/// Where the prefix of a compressed unicast address comes from: fe80::/64 when
/// stateless, a context's prefix otherwise.
struct PrefixSource {
  Address prefix;
  std::uint8_t length = 64;
};

constexpr PrefixSource kLinkLocalSource{ipv6::kLinkLocalPrefix, 64};

// RFC 6282 §3.1.1 (SAM/DAM 01, 10, 11): the IID from inline bits or the link layer,
// the bits the prefix covers from the prefix, zeros elsewhere.
Address unicastFromIid(const PrefixSource& ps, const Iid& iid) {
  Address a = Address::fromPrefixAndIid(Address{}, iid);
  ipv6::overlayPrefix(a, ps.prefix, ps.length);
  return a;
}

Iid iidFromInline16(ByteSpan in) {
  return ipv6::iidFromShort(static_cast<std::uint16_t>((in[0] << 8) | in[1]));
}

Iid iidFromInline64(ByteSpan in) {
  Iid iid{};
  std::copy_n(in.begin(), 8, iid.begin());
  return iid;
}

// Stateless multicast forms (RFC 6282 §3.1.1, M = 1, DAC = 0).
Address multicastFromInline(std::uint8_t mode, ByteSpan in) {
  Address a;
  a.bytes[0] = 0xff;
  switch (mode) {
    case kMode64:  // 48 bits: ffXX::00XX:XXXX:XXXX
      a.bytes[1] = in[0];
      std::copy_n(in.begin() + 1, 5, a.bytes.begin() + 11);
      break;
    case kMode16:  // 32 bits: ffXX::00XX:XXXX
      a.bytes[1] = in[0];
      std::copy_n(in.begin() + 1, 3, a.bytes.begin() + 13);
      break;
    case kMode0:  // 8 bits: ff02::00XX
      a.bytes[1] = 0x02;
      a.bytes[15] = in[0];
      break;
    default:
      std::copy_n(in.begin(), 16, a.bytes.begin());
      break;
  }
  return a;
}

// M = 1, DAC = 1, DAM = 00: ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX (RFC 3306 unicast-
// prefix-based multicast), L and P from the context.
Address multicastFromContext(const PrefixSource& ps, ByteSpan in) {
  Address a;
  a.bytes[0] = 0xff;
  a.bytes[1] = in[0];
  a.bytes[2] = in[1];
  a.bytes[3] = ps.length;
  std::copy_n(ps.prefix.bytes.begin(), 8, a.bytes.begin() + 4);
  std::copy_n(in.begin() + 2, 4, a.bytes.begin() + 12);
  return a;
}

// ---------------------------------------------------------------------------
// Compressor

struct AddrEncoding {
  bool stateful = false;
  bool multicast = false;
  std::uint8_t mode = kMode128;
  std::uint8_t context = 0;
  std::array<std::uint8_t, 16> inline_bytes{};
  std::uint8_t inline_size = 16;
};

AddrEncoding inline128(const Address& a, bool multicast) {
  AddrEncoding e;
  e.multicast = multicast;
  e.mode = kMode128;
  e.inline_bytes = a.bytes;
  e.inline_size = 16;
  return e;
}

// The cheapest unicast encoding relative to one prefix source (modes 11, 10, 01),
// or nullopt when none reconstructs `a`.
std::optional<AddrEncoding> unicastRelativeTo(const Address& a, const PrefixSource& ps,
                                              const std::optional<Iid>& l2_iid) {
  AddrEncoding e;
  if (l2_iid && unicastFromIid(ps, *l2_iid) == a) {
    e.mode = kMode0;
    e.inline_size = 0;
    return e;
  }
  const Iid iid = a.iid();
  if (ipv6::isShortIid(iid)) {
    const ByteSpan in(a.bytes.data() + 14, 2);
    if (unicastFromIid(ps, iidFromInline16(in)) == a) {
      e.mode = kMode16;
      e.inline_bytes[0] = in[0];
      e.inline_bytes[1] = in[1];
      e.inline_size = 2;
      return e;
    }
  }
  if (unicastFromIid(ps, iid) == a) {
    e.mode = kMode64;
    std::copy(iid.begin(), iid.end(), e.inline_bytes.begin());
    e.inline_size = 8;
    return e;
  }
  return std::nullopt;
}

AddrEncoding statelessEncoding(const Address& a, bool is_dst, const std::optional<Iid>& l2_iid) {
  if (is_dst && a.isMulticast()) {
    AddrEncoding e;
    e.multicast = true;
    const auto& b = a.bytes;
    const auto zero = [&](std::size_t from, std::size_t to) {
      return std::all_of(b.begin() + static_cast<std::ptrdiff_t>(from),
                         b.begin() + static_cast<std::ptrdiff_t>(to),
                         [](std::uint8_t x) { return x == 0; });
    };
    if (b[1] == 0x02 && zero(2, 15)) {
      e.mode = kMode0;
      e.inline_bytes[0] = b[15];
      e.inline_size = 1;
    } else if (zero(2, 13)) {
      e.mode = kMode16;
      e.inline_bytes = {b[1], b[13], b[14], b[15]};
      e.inline_size = 4;
    } else if (zero(2, 11)) {
      e.mode = kMode64;
      e.inline_bytes = {b[1], b[11], b[12], b[13], b[14], b[15]};
      e.inline_size = 6;
    } else {
      return inline128(a, true);
    }
    return e;
  }
  if (auto e = unicastRelativeTo(a, kLinkLocalSource, l2_iid)) return *e;
  return inline128(a, false);
}

std::optional<AddrEncoding> statefulEncoding(const Address& a, bool is_dst, const Context& ctx,
                                             std::uint8_t cid, const std::optional<Iid>& l2_iid) {
  const PrefixSource ps{ctx.prefix.address, ctx.prefix.length};
  std::optional<AddrEncoding> e;
  if (is_dst && a.isMulticast()) {
    if (ps.length > 64) return std::nullopt;
    const std::array<std::uint8_t, 6> in = {a.bytes[1],  a.bytes[2],  a.bytes[12],
                                            a.bytes[13], a.bytes[14], a.bytes[15]};
    if (multicastFromContext(ps, in) != a) return std::nullopt;
    AddrEncoding m;
    m.multicast = true;
    m.mode = kMode128;
    std::copy(in.begin(), in.end(), m.inline_bytes.begin());
    m.inline_size = 6;
    e = m;
  } else if (!is_dst && a.isUnspecified()) {
    AddrEncoding u;  // SAC = 1, SAM = 00: the unspecified address, no context needed
    u.mode = kMode128;
    u.inline_size = 0;
    e = u;
  } else {
    e = unicastRelativeTo(a, ps, l2_iid);
  }
  if (e) {
    e->stateful = true;
    e->context = cid;
  }
  return e;
}

struct AddrPair {
  AddrEncoding src;
  AddrEncoding dst;
  bool cid_byte = false;
};

// Picks source and destination encodings minimising the total size including the CID
// byte (needed as soon as either uses a context other than 0). Ties keep the earlier
// candidate: stateless first, then contexts 0..15.
AddrPair chooseAddresses(const Address& src, const Address& dst, const ContextTable& contexts,
                         const std::optional<Iid>& src_iid, const std::optional<Iid>& dst_iid) {
  std::array<std::optional<AddrEncoding>, ContextTable::kMaxContexts + 1> s{};
  std::array<std::optional<AddrEncoding>, ContextTable::kMaxContexts + 1> d{};
  s[0] = statelessEncoding(src, false, src_iid);
  d[0] = statelessEncoding(dst, true, dst_iid);
  if (src.isUnspecified()) {
    // The stateful unspecified form needs no context; offer it as "context 0".
    AddrEncoding u;
    u.stateful = true;
    u.inline_size = 0;
    s[1] = u;
  }
  for (std::uint8_t cid = 0; cid < ContextTable::kMaxContexts; ++cid) {
    const Context* c = contexts.findForCompression(cid);
    if (c == nullptr) continue;
    if (!src.isUnspecified()) s[cid + 1U] = statefulEncoding(src, false, *c, cid, src_iid);
    d[cid + 1U] = statefulEncoding(dst, true, *c, cid, dst_iid);
  }
  AddrPair best;
  std::size_t best_cost = SIZE_MAX;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!s[i]) continue;
    for (std::size_t j = 0; j < d.size(); ++j) {
      if (!d[j]) continue;
      const bool cid =
          (s[i]->stateful && s[i]->context != 0) || (d[j]->stateful && d[j]->context != 0);
      const std::size_t cost = s[i]->inline_size + d[j]->inline_size + (cid ? 1U : 0U);
      if (cost < best_cost) {
        best_cost = cost;
        best = AddrPair{*s[i], *d[j], cid};
      }
    }
  }
  return best;
}

// Size of the trailing Pad1/PadN the compressor may elide from an options header
// (RFC 6282 §4.2): only a last option of 7 bytes or less, in exactly the form the
// decompressor regenerates (Pad1 for one byte, PadN with zero data otherwise).
std::size_t elidablePadding(ByteSpan header) {
  const ByteSpan opts = header.subspan(2);
  std::size_t pos = 0;
  std::size_t last = SIZE_MAX;
  while (pos < opts.size()) {
    last = pos;
    if (opts[pos] == ipv6::option::kPad1) {
      pos += 1;
      continue;
    }
    if (pos + 1 >= opts.size()) return 0;
    pos += 2U + opts[pos + 1];
  }
  if (last == SIZE_MAX || pos != opts.size()) return 0;
  const std::size_t len = opts.size() - last;
  if (len > 7) return 0;
  if (opts[last] == ipv6::option::kPad1) return len == 1 ? 1 : 0;
  if (opts[last] != ipv6::option::kPadN || len < 2) return 0;
  for (std::size_t i = last + 2; i < opts.size(); ++i) {
    if (opts[i] != 0) return 0;
  }
  return len;
}

struct ExtPlan {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::uint8_t eid = 0;
  std::size_t content = 0;  // bytes after the Length field that are carried
};

Error compressLevel(ByteSpan dgram, const std::optional<Iid>& src_iid,
                    const std::optional<Iid>& dst_iid, const ContextTable& contexts,
                    const CompressOptions& opt, unsigned depth, Bytes& out, std::size_t& consumed);

// Whether `data` is a well-formed IPv6 datagram whose header IPHC can compress at
// this nesting depth (the inner header of IPv6-in-IPv6).
bool innerCompressible(ByteSpan data, unsigned depth) {
  if (depth + 1 >= HeaderLayout::kMaxIpv6Headers) return false;
  return ipv6::Datagram::parse(data).ok();
}

Error compressLevel(ByteSpan dgram, const std::optional<Iid>& src_iid,
                    const std::optional<Iid>& dst_iid, const ContextTable& contexts,
                    const CompressOptions& opt, unsigned depth, Bytes& out, std::size_t& consumed) {
  auto parsed = ipv6::Datagram::parse(dgram);
  if (!parsed) return parsed.error();
  const ipv6::Datagram& d = *parsed;
  const ipv6::Header& h = d.header;

  // Plan the NHC chain: leading extension headers that fit LOWPAN_NHC, then UDP or
  // an inner IPv6 header if everything before them was compressed.
  std::array<ExtPlan, kMaxExtPerLevel> plan{};
  std::size_t n_ext = 0;
  bool chain_broken = false;
  bool after_non_first_fragment = false;
  for (std::size_t i = 0; i < d.ext_count && opt.compress_extension_headers; ++i) {
    if (n_ext == kMaxExtPerLevel || after_non_first_fragment) {
      chain_broken = true;
      break;
    }
    const ipv6::ChainEntry& e = d.ext[i];
    const ByteSpan hdr = dgram.subspan(e.offset, e.length);
    ExtPlan p{e.offset, e.length, *eidFor(e.protocol), 0};
    if (e.protocol == proto::kFragment) {
      p.content = 7;
      // After a non-first IPv6 fragment the data is not a header (RFC 8200 §4.5).
      const auto frag = ipv6::FragmentHeader::parse(hdr);
      after_non_first_fragment = !frag || frag->offset_units != 0;
    } else if (e.protocol == proto::kHopByHop || e.protocol == proto::kDestOptions) {
      p.content = e.length - 2 - elidablePadding(hdr);
    } else {
      p.content = e.length - 2;
    }
    if (p.content > 255) {
      chain_broken = true;
      break;
    }
    plan[n_ext++] = p;
  }
  if (n_ext < d.ext_count) chain_broken = true;

  enum class Upper { kInline, kUdp, kIpv6 } upper = Upper::kInline;
  std::optional<ipv6::UdpHeader> udp;
  if (!chain_broken && !after_non_first_fragment) {
    const ByteSpan rest = dgram.subspan(d.upper_offset);
    if (d.upper_protocol == proto::kUdp && opt.compress_udp) {
      udp = ipv6::UdpHeader::parse(rest).valueOr(ipv6::UdpHeader{});
      // The UDP length is always elided, so it must be what the decompressor derives.
      if (rest.size() >= ipv6::UdpHeader::kSize && udp->length == rest.size()) {
        upper = Upper::kUdp;
      }
    } else if (d.upper_protocol == proto::kIpv6 && opt.compress_extension_headers &&
               innerCompressible(rest, depth)) {
      upper = Upper::kIpv6;
    }
  }
  const bool first_is_nhc = n_ext > 0 || upper != Upper::kInline;

  // --- LOWPAN_IPHC base (RFC 6282 §3.1.1)
  const std::uint8_t tc = h.traffic_class;
  const std::uint8_t ecn = tc & 0x03;
  const std::uint8_t dscp = static_cast<std::uint8_t>(tc >> 2);
  std::uint8_t tf = 0;
  if (h.flow_label == 0 && tc == 0) {
    tf = 3;
  } else if (h.flow_label == 0) {
    tf = 2;
  } else if (dscp == 0) {
    tf = 1;
  }
  std::uint8_t hlim = 0;
  if (h.hop_limit == 1) hlim = 1;
  if (h.hop_limit == 64) hlim = 2;
  if (h.hop_limit == 255) hlim = 3;

  const AddrPair ap = chooseAddresses(h.src, h.dst, contexts, src_iid, dst_iid);
  const auto b0 =
      static_cast<std::uint8_t>(dispatch::kIphc | (tf << 3) | (first_is_nhc ? 0x04 : 0) | hlim);
  const auto b1 = static_cast<std::uint8_t>(
      (ap.cid_byte ? 0x80 : 0) | (ap.src.stateful ? 0x40 : 0) | (ap.src.mode << 4) |
      (ap.dst.multicast ? 0x08 : 0) | (ap.dst.stateful ? 0x04 : 0) | ap.dst.mode);
  VectorWriter w(out);
  w.u8(b0);
  w.u8(b1);
  if (ap.cid_byte) {
    const std::uint8_t sci = ap.src.stateful ? ap.src.context : 0;
    const std::uint8_t dci = ap.dst.stateful ? ap.dst.context : 0;
    w.u8(static_cast<std::uint8_t>((sci << 4) | dci));
  }
  switch (tf) {
    case 0:  // ECN + DSCP + 4 reserved bits + flow label
      w.u8(static_cast<std::uint8_t>((ecn << 6) | dscp));
      w.u24be(h.flow_label);
      break;
    case 1:  // ECN + 2 reserved bits + flow label
      w.u24be((std::uint32_t{ecn} << 22) | h.flow_label);
      break;
    case 2:  // ECN + DSCP
      w.u8(static_cast<std::uint8_t>((ecn << 6) | dscp));
      break;
    default:
      break;
  }
  if (!first_is_nhc) w.u8(h.next_header);
  if (hlim == 0) w.u8(h.hop_limit);
  w.bytes(ByteSpan(ap.src.inline_bytes).first(ap.src.inline_size));
  w.bytes(ByteSpan(ap.dst.inline_bytes).first(ap.dst.inline_size));

  // --- LOWPAN_NHC extension headers (RFC 6282 §4.2)
  for (std::size_t i = 0; i < n_ext; ++i) {
    const ExtPlan& p = plan[i];
    const bool next_is_nhc = i + 1 < n_ext || upper != Upper::kInline;
    w.u8(static_cast<std::uint8_t>(kNhcExt | (p.eid << 1) | (next_is_nhc ? 1 : 0)));
    if (!next_is_nhc) w.u8(dgram[p.offset]);
    if (p.eid == kEidFragment) {
      w.bytes(dgram.subspan(p.offset + 1, 7));
    } else {
      w.u8(static_cast<std::uint8_t>(p.content));
      w.bytes(dgram.subspan(p.offset + 2, p.content));
    }
  }

  // --- LOWPAN_NHC for the upper layer
  consumed = n_ext < d.ext_count ? d.ext[n_ext].offset : d.upper_offset;
  if (upper == Upper::kUdp) {
    // RFC 6282 §4.3.3 port compression.
    const std::uint16_t sp = udp->src_port;
    const std::uint16_t dp = udp->dst_port;
    std::uint8_t pp = 0;
    if ((sp & 0xfff0) == 0xf0b0 && (dp & 0xfff0) == 0xf0b0) {
      pp = 3;
    } else if ((dp & 0xff00) == 0xf000) {
      pp = 1;
    } else if ((sp & 0xff00) == 0xf000) {
      pp = 2;
    }
    w.u8(static_cast<std::uint8_t>(kNhcUdp | (opt.elide_udp_checksum ? 0x04 : 0) | pp));
    switch (pp) {
      case 0:
        w.u16be(sp);
        w.u16be(dp);
        break;
      case 1:
        w.u16be(sp);
        w.u8(static_cast<std::uint8_t>(dp));
        break;
      case 2:
        w.u8(static_cast<std::uint8_t>(sp));
        w.u16be(dp);
        break;
      default:
        w.u8(static_cast<std::uint8_t>(((sp & 0xf) << 4) | (dp & 0xf)));
        break;
    }
    if (!opt.elide_udp_checksum) w.u16be(udp->checksum);
    consumed = d.upper_offset + ipv6::UdpHeader::kSize;
  } else if (upper == Upper::kIpv6) {
    // RFC 6282 §4.2: EID 7, NH = 0, followed by the inner header's LOWPAN_IPHC, whose
    // elided IIDs derive from this (encapsulating) header's addresses (§3.2.2).
    w.u8(static_cast<std::uint8_t>(kNhcExt | (kEidIpv6 << 1)));
    LPM_TRY(w.error());
    std::size_t inner_consumed = 0;
    LPM_TRY(compressLevel(dgram.subspan(d.upper_offset), h.src.iid(), h.dst.iid(), contexts, opt,
                          depth + 1, out, inner_consumed));
    consumed = d.upper_offset + inner_consumed;
  }
  return w.error();
}

// ---------------------------------------------------------------------------
// Decompressor

class Decoder {
 public:
  Decoder(ByteReader& r, ByteWriter& w, const ContextTable& contexts, HeaderLayout& layout)
      : r_(r), w_(w), contexts_(contexts), layout_(layout) {}

  Error level(const std::optional<Iid>& src_iid, const std::optional<Iid>& dst_iid) {
    if (layout_.ipv6_count == HeaderLayout::kMaxIpv6Headers) return Error::kUnsupported;
    const std::size_t base = w_.size();
    layout_.ipv6_offsets[layout_.ipv6_count++] = static_cast<std::uint16_t>(base);

    const std::uint8_t b0 = r_.u8();
    const std::uint8_t b1 = r_.u8();
    if (!r_.ok()) return r_.error();
    if ((b0 & dispatch::kIphcMask) != dispatch::kIphc) return Error::kMalformed;
    const auto tf = static_cast<std::uint8_t>((b0 >> 3) & 3);
    const bool nh = (b0 & 0x04) != 0;
    const auto hlim = static_cast<std::uint8_t>(b0 & 3);
    const bool cid = (b1 & 0x80) != 0;
    const bool sac = (b1 & 0x40) != 0;
    const auto sam = static_cast<std::uint8_t>((b1 >> 4) & 3);
    const bool m = (b1 & 0x08) != 0;
    const bool dac = (b1 & 0x04) != 0;
    const auto dam = static_cast<std::uint8_t>(b1 & 3);
    std::uint8_t sci = 0;
    std::uint8_t dci = 0;
    if (cid) {
      const std::uint8_t c = r_.u8();
      sci = static_cast<std::uint8_t>(c >> 4);
      dci = c & 0x0f;
    }

    ipv6::Header h;
    switch (tf) {
      case 0: {
        const std::uint8_t b = r_.u8();
        h.traffic_class = static_cast<std::uint8_t>(((b & 0x3f) << 2) | (b >> 6));
        h.flow_label = r_.u24be() & 0xfffffU;
        break;
      }
      case 1: {
        const std::uint32_t v = r_.u24be();
        h.traffic_class = static_cast<std::uint8_t>(v >> 22);
        h.flow_label = v & 0xfffffU;
        break;
      }
      case 2: {
        const std::uint8_t b = r_.u8();
        h.traffic_class = static_cast<std::uint8_t>(((b & 0x3f) << 2) | (b >> 6));
        break;
      }
      default:
        break;
    }
    h.next_header = nh ? 0 : r_.u8();
    static constexpr std::uint8_t kHopLimits[] = {0, 1, 64, 255};
    h.hop_limit = hlim == 0 ? r_.u8() : kHopLimits[hlim];
    if (!r_.ok()) return r_.error();

    LPM_TRY(readUnicastOrUnspecified(sac, sam, sci, src_iid, false, h.src));
    if (m) {
      LPM_TRY(readMulticast(dac, dam, dci, h.dst));
    } else {
      LPM_TRY(readUnicastOrUnspecified(dac, dam, dci, dst_iid, true, h.dst));
    }
    h.payload_length = 0;  // finishDatagram() fills it
    LPM_TRY(h.encode(w_));
    if (!nh) return Error::kNone;
    return nhcChain(base + 6, h);
  }

 private:
  Error readUnicastOrUnspecified(bool ac, std::uint8_t mode, std::uint8_t ci,
                                 const std::optional<Iid>& l2_iid, bool is_dst, Address& out) {
    PrefixSource ps = kLinkLocalSource;
    if (ac) {
      if (mode == kMode128) {
        if (is_dst) return Error::kUnsupported;  // DAC = 1, DAM = 00 is reserved
        out = Address{};                         // SAC = 1, SAM = 00: unspecified
        return Error::kNone;
      }
      const Context* c = contexts_.find(ci);
      if (c == nullptr) return Error::kNotFound;
      ps = PrefixSource{c->prefix.address, c->prefix.length};
    }
    switch (mode) {
      case kMode128: {
        const ByteSpan in = r_.bytes(16);
        if (!r_.ok()) return r_.error();
        std::copy(in.begin(), in.end(), out.bytes.begin());
        return Error::kNone;
      }
      case kMode64: {
        const ByteSpan in = r_.bytes(8);
        if (!r_.ok()) return r_.error();
        out = unicastFromIid(ps, iidFromInline64(in));
        return Error::kNone;
      }
      case kMode16: {
        const ByteSpan in = r_.bytes(2);
        if (!r_.ok()) return r_.error();
        out = unicastFromIid(ps, iidFromInline16(in));
        return Error::kNone;
      }
      default:
        if (!l2_iid) return Error::kMalformed;  // nothing to derive the IID from
        out = unicastFromIid(ps, *l2_iid);
        return Error::kNone;
    }
  }

  Error readMulticast(bool dac, std::uint8_t dam, std::uint8_t dci, Address& out) {
    if (dac) {
      if (dam != kMode128) return Error::kUnsupported;  // reserved
      const Context* c = contexts_.find(dci);
      if (c == nullptr) return Error::kNotFound;
      if (c->prefix.length > 64) return Error::kMalformed;  // RFC 3306 prefixes are <= 64 bits
      const ByteSpan in = r_.bytes(6);
      if (!r_.ok()) return r_.error();
      out = multicastFromContext(PrefixSource{c->prefix.address, c->prefix.length}, in);
      return Error::kNone;
    }
    static constexpr std::uint8_t kSizes[] = {16, 6, 4, 1};
    const ByteSpan in = r_.bytes(kSizes[dam]);
    if (!r_.ok()) return r_.error();
    out = multicastFromInline(dam, in);
    return Error::kNone;
  }

  Error patchNextHeader(std::size_t pos, std::uint8_t value) {
    std::uint8_t* p = w_.at(pos);
    if (p == nullptr) return Error::kTooLong;
    *p = value;
    return Error::kNone;
  }

  Error nhcChain(std::size_t next_header_pos, const ipv6::Header& h) {
    for (std::size_t count = 0;; ++count) {
      if (count > kMaxExtPerLevel) return Error::kUnsupported;
      const std::uint8_t id = r_.u8();
      if (!r_.ok()) return r_.error();
      if ((id & 0xf0) == kNhcExt) {
        const auto eid = static_cast<std::uint8_t>((id >> 1) & 7);
        const bool more = (id & 1) != 0;
        const auto protocol = protocolFor(eid);
        if (!protocol) return Error::kUnsupported;
        LPM_TRY(patchNextHeader(next_header_pos, *protocol));
        if (eid == kEidIpv6) {
          if (more) return Error::kMalformed;  // RFC 6282 §4.2: NH must be 0 for EID 7
          return level(h.src.iid(), h.dst.iid());
        }
        const std::size_t start = w_.size();
        const std::uint8_t next = more ? 0 : r_.u8();
        if (eid == kEidFragment) {
          const ByteSpan body = r_.bytes(7);
          if (!r_.ok()) return r_.error();
          w_.u8(next);
          w_.bytes(body);
        } else {
          const std::uint8_t len = r_.u8();
          const ByteSpan body = r_.bytes(len);
          if (!r_.ok()) return r_.error();
          const std::size_t total = (2U + len + 7U) / 8U * 8U;
          const std::size_t pad = total - 2U - len;
          if (pad != 0 && eid != kEidHopByHop && eid != kEidDestOptions) {
            return Error::kMalformed;  // only options headers may be re-padded
          }
          w_.u8(next);
          w_.u8(static_cast<std::uint8_t>(total / 8 - 1));
          w_.bytes(body);
          if (pad == 1) {
            w_.u8(ipv6::option::kPad1);
          } else if (pad > 1) {
            w_.u8(ipv6::option::kPadN);
            w_.u8(static_cast<std::uint8_t>(pad - 2));
            w_.fill(0, pad - 2);
          }
        }
        LPM_TRY(w_.error());
        next_header_pos = start;
        if (!more) return Error::kNone;
        continue;
      }
      if ((id & 0xf8) == kNhcUdp) {
        LPM_TRY(patchNextHeader(next_header_pos, proto::kUdp));
        ipv6::UdpHeader u;
        switch (id & 3) {
          case 0:
            u.src_port = r_.u16be();
            u.dst_port = r_.u16be();
            break;
          case 1:
            u.src_port = r_.u16be();
            u.dst_port = static_cast<std::uint16_t>(0xf000 | r_.u8());
            break;
          case 2:
            u.src_port = static_cast<std::uint16_t>(0xf000 | r_.u8());
            u.dst_port = r_.u16be();
            break;
          default: {
            const std::uint8_t b = r_.u8();
            u.src_port = static_cast<std::uint16_t>(0xf0b0 | (b >> 4));
            u.dst_port = static_cast<std::uint16_t>(0xf0b0 | (b & 0xf));
            break;
          }
        }
        layout_.udp_checksum_elided = (id & 0x04) != 0;
        u.checksum = layout_.udp_checksum_elided ? 0 : r_.u16be();
        if (!r_.ok()) return r_.error();
        layout_.has_udp = true;
        layout_.udp_offset = static_cast<std::uint16_t>(w_.size());
        return u.encode(w_);
      }
      return Error::kUnsupported;  // reserved NHC identifier
    }
  }

  ByteReader& r_;
  ByteWriter& w_;
  const ContextTable& contexts_;
  HeaderLayout& layout_;
};

void putU16(MutableByteSpan buf, std::size_t pos, std::size_t value) {
  buf[pos] = static_cast<std::uint8_t>(value >> 8);
  buf[pos + 1] = static_cast<std::uint8_t>(value);
}

}  // namespace

Result<CompressInfo> compress(ByteSpan datagram, const LinkAddress& l2_src,
                              const LinkAddress& l2_dst, const ContextTable& contexts, Bytes& out,
                              const CompressOptions& options) {
  const std::size_t start = out.size();
  std::size_t consumed = 0;
  const Error e =
      compressLevel(datagram, l2_src.iid(), l2_dst.iid(), contexts, options, 0, out, consumed);
  if (e != Error::kNone) {
    out.resize(start);
    return e;
  }
  CompressInfo info;
  info.compressed_header_size = out.size() - start;
  info.uncompressed_header_size = consumed;
  out.insert(out.end(), datagram.begin() + static_cast<std::ptrdiff_t>(consumed), datagram.end());
  return info;
}

Result<Bytes> compress(ByteSpan datagram, const LinkAddress& l2_src, const LinkAddress& l2_dst,
                       const ContextTable& contexts, const CompressOptions& options) {
  Bytes out;
  auto info = compress(datagram, l2_src, l2_dst, contexts, out, options);
  if (!info) return info.error();
  return out;
}

Result<HeaderLayout> decompressHeaders(ByteSpan lowpan, const LinkAddress& l2_src,
                                       const LinkAddress& l2_dst, const ContextTable& contexts,
                                       MutableByteSpan out) {
  HeaderLayout layout;
  if (lowpan.empty()) return Error::kTruncated;
  if (lowpan[0] == dispatch::kIpv6) {
    layout.consumed = 1;
    return layout;
  }
  // A page switch (RFC 8025) is well-formed but its headers are not IPHC: the caller
  // handles page 1 (6LoRH, lorh.hpp) before handing the IPHC part here.
  if ((lowpan[0] & dispatch::kPageMask) == dispatch::kPage) return Error::kUnsupported;
  if ((lowpan[0] & dispatch::kIphcMask) != dispatch::kIphc) return Error::kMalformed;
  ByteReader r(lowpan);
  ByteWriter w(out);
  Decoder dec(r, w, contexts, layout);
  LPM_TRY(dec.level(l2_src.iid(), l2_dst.iid()));
  layout.consumed = r.position();
  layout.header_size = w.size();
  return layout;
}

Error finishDatagram(MutableByteSpan datagram, const HeaderLayout& layout) {
  const std::size_t total = datagram.size();
  if (total < layout.header_size) return Error::kMalformed;
  for (std::size_t i = 0; i < layout.ipv6_count; ++i) {
    const std::size_t off = layout.ipv6_offsets[i];
    const std::size_t plen = total - off - ipv6::Header::kSize;
    if (plen > 0xffff) return Error::kMalformed;
    putU16(datagram, off + 4, plen);
  }
  if (!layout.has_udp) return Error::kNone;
  const std::size_t udp_len = total - layout.udp_offset;
  if (udp_len > 0xffff) return Error::kMalformed;
  putU16(datagram, layout.udp_offset + 4, udp_len);
  if (!layout.udp_checksum_elided) return Error::kNone;
  // The pseudo-header uses the innermost IPv6 header; with a source routing header
  // still to be followed, the destination is its last address (RFC 8200 §8.1).
  const std::size_t inner = layout.ipv6_offsets[layout.ipv6_count - 1];
  const ByteSpan inner_span = ByteSpan(datagram).subspan(inner);
  auto d = ipv6::Datagram::parse(inner_span);
  if (!d) return Error::kMalformed;
  Address final_dst = d->header.dst;
  for (std::size_t i = 0; i < d->ext_count; ++i) {
    if (d->ext[i].protocol != proto::kRouting) continue;
    auto srh =
        ipv6::SourceRoutingHeader::parse(inner_span.subspan(d->ext[i].offset), d->header.dst);
    if (srh && srh->segments_left > 0) final_dst = srh->addresses.back();
  }
  const std::uint16_t c =
      ipv6::udpChecksum(d->header.src, final_dst, ByteSpan(datagram).subspan(layout.udp_offset));
  putU16(datagram, layout.udp_offset + 6, c);
  return Error::kNone;
}

Result<Bytes> decompress(ByteSpan lowpan, const LinkAddress& l2_src, const LinkAddress& l2_dst,
                         const ContextTable& contexts) {
  Bytes out(lowpan.size() + kMaxHeaderExpansion);
  auto layout = decompressHeaders(lowpan, l2_src, l2_dst, contexts, out);
  if (!layout) return layout.error();
  const ByteSpan payload = lowpan.subspan(layout->consumed);
  out.resize(layout->header_size);
  out.insert(out.end(), payload.begin(), payload.end());
  LPM_TRY(finishDatagram(out, *layout));
  return out;
}

}  // namespace lpm::sixlowpan
