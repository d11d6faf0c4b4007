#include "lpmesh/ipv6/nd.hpp"

#include <algorithm>

namespace lpm::ipv6 {
namespace {

Result<LinkLayerAddressOption> parseLlao(ByteSpan value) {
  // RFC 4944 §8: option length 1 carries a short address + 4 zero bytes, length 2 an
  // EUI-64 + 6 zero bytes. `value` excludes the type and length bytes.
  LinkLayerAddressOption o;
  if (value.size() == 6) {
    o.size = 2;
  } else if (value.size() == 14) {
    o.size = 8;
  } else {
    return Error::kMalformed;
  }
  std::copy_n(value.begin(), o.size, o.bytes.begin());
  return o;
}

void writeOptionHeader(VectorWriter& w, std::uint8_t type, std::size_t total_bytes) {
  w.u8(type);
  w.u8(static_cast<std::uint8_t>(total_bytes / 8));
}

}  // namespace

LinkLayerAddressOption LinkLayerAddressOption::fromShort(std::uint16_t short_address) {
  LinkLayerAddressOption o;
  o.size = 2;
  o.bytes[0] = static_cast<std::uint8_t>(short_address >> 8);
  o.bytes[1] = static_cast<std::uint8_t>(short_address);
  return o;
}

LinkLayerAddressOption LinkLayerAddressOption::fromEui64(const std::array<std::uint8_t, 8>& eui64) {
  LinkLayerAddressOption o;
  o.size = 8;
  o.bytes = eui64;
  return o;
}

Result<NdOptions> NdOptions::parse(ByteSpan data) {
  NdOptions out;
  ByteReader r(data);
  while (!r.atEnd()) {
    const std::uint8_t type = r.u8();
    const std::uint8_t len_units = r.u8();
    if (!r.ok()) return r.error();
    if (len_units == 0) return Error::kMalformed;  // RFC 4861 §4.6: silently discard
    const ByteSpan value = r.bytes(std::size_t{len_units} * 8 - 2);
    if (!r.ok()) return r.error();
    ByteReader v(value);
    switch (type) {
      case ndopt::kSourceLinkLayerAddress:
      case ndopt::kTargetLinkLayerAddress: {
        auto llao = parseLlao(value);
        if (!llao) return llao.error();
        (type == ndopt::kSourceLinkLayerAddress ? out.source_ll : out.target_ll) = *llao;
        break;
      }
      case ndopt::kPrefixInformation: {
        if (len_units != 4) return Error::kMalformed;
        PrefixInformationOption p;
        p.prefix_length = v.u8();
        const std::uint8_t flags = v.u8();
        p.on_link = (flags & 0x80) != 0;
        p.autonomous = (flags & 0x40) != 0;
        p.valid_lifetime = v.u32be();
        p.preferred_lifetime = v.u32be();
        v.skip(4);
        p.prefix = Address{v.array<16>()};
        if (p.prefix_length > 128) return Error::kMalformed;
        out.prefix_info = p;
        break;
      }
      case ndopt::kAddressRegistration: {
        if (len_units < 2 || len_units > 5) return Error::kMalformed;
        AddressRegistrationOption a;
        a.status = v.u8();
        a.opaque = v.u8();
        const std::uint8_t flags = v.u8();
        a.i_field = static_cast<std::uint8_t>((flags >> 2) & 0x3);
        a.r = (flags & 0x02) != 0;
        a.t = (flags & 0x01) != 0;
        a.tid = v.u8();
        a.lifetime = v.u16be();
        a.rovr_size = static_cast<std::uint8_t>((len_units - 1) * 8);
        // RFC 6775's ARO is exactly length 2 with an EUI-64; longer ROVRs need EARO.
        if (!a.t && len_units != 2) return Error::kMalformed;
        const ByteSpan rovr = v.bytes(a.rovr_size);
        std::copy(rovr.begin(), rovr.end(), a.rovr.begin());
        if (!a.t) {
          a.opaque = 0;
          a.i_field = 0;
          a.r = false;
          a.tid = 0;
        }
        out.aro = a;
        break;
      }
      case ndopt::kSixLowpanContext: {
        if (len_units != 2 && len_units != 3) return Error::kMalformed;
        SixLowpanContextOption c;
        c.context_length = v.u8();
        const std::uint8_t flags = v.u8();
        c.compression = (flags & 0x10) != 0;
        c.cid = flags & 0x0f;
        v.skip(2);
        c.valid_lifetime = v.u16be();
        const ByteSpan prefix = v.rest();
        if (c.context_length > 128 || (c.context_length > 64 && len_units != 3)) {
          return Error::kMalformed;
        }
        // Bits past the context length carry no meaning (RFC 6775 §4.2): keep them zero
        // so that the option re-encodes the same whatever the sender put there.
        Address raw;
        std::copy(prefix.begin(), prefix.end(), raw.bytes.begin());
        overlayPrefix(c.prefix, raw, c.context_length);
        out.contexts.push_back(c);
        break;
      }
      case ndopt::kAuthoritativeBorderRouter: {
        if (len_units != 3) return Error::kMalformed;
        AuthoritativeBorderRouterOption b;
        const std::uint16_t low = v.u16be();
        const std::uint16_t high = v.u16be();
        b.version = (std::uint32_t{high} << 16) | low;
        b.valid_lifetime = v.u16be();
        b.border_router = Address{v.array<16>()};
        out.abro = b;
        break;
      }
      default:
        break;  // RFC 4861 §4.6: unknown options are skipped
    }
    if (!v.ok()) return Error::kMalformed;
  }
  return out;
}

Error NdOptions::encode(VectorWriter& w) const {
  auto put_llao = [&](std::uint8_t type, const LinkLayerAddressOption& o) {
    if (o.size != 2 && o.size != 8) return Error::kInvalidArgs;
    writeOptionHeader(w, type, o.size == 2 ? 8 : 16);
    w.bytes(ByteSpan(o.bytes).first(o.size));
    w.fill(0, o.size == 2 ? 4 : 6);
    return w.error();
  };
  if (source_ll) LPM_TRY(put_llao(ndopt::kSourceLinkLayerAddress, *source_ll));
  if (target_ll) LPM_TRY(put_llao(ndopt::kTargetLinkLayerAddress, *target_ll));
  if (prefix_info) {
    const auto& p = *prefix_info;
    if (p.prefix_length > 128) return Error::kInvalidArgs;
    writeOptionHeader(w, ndopt::kPrefixInformation, 32);
    w.u8(p.prefix_length);
    w.u8(static_cast<std::uint8_t>((p.on_link ? 0x80 : 0) | (p.autonomous ? 0x40 : 0)));
    w.u32be(p.valid_lifetime);
    w.u32be(p.preferred_lifetime);
    w.u32be(0);
    w.bytes(p.prefix.bytes);
  }
  if (aro) {
    const auto& a = *aro;
    if (a.rovr_size % 8 != 0 || a.rovr_size < 8 || a.rovr_size > 32 || a.i_field > 3 ||
        (!a.t && a.rovr_size != 8)) {
      return Error::kInvalidArgs;
    }
    writeOptionHeader(w, ndopt::kAddressRegistration, 8U + a.rovr_size);
    w.u8(a.status);
    w.u8(a.t ? a.opaque : 0);
    w.u8(a.t ? static_cast<std::uint8_t>((a.i_field << 2) | (a.r ? 0x02 : 0) | 0x01) : 0);
    w.u8(a.t ? a.tid : 0);
    w.u16be(a.lifetime);
    w.bytes(ByteSpan(a.rovr).first(a.rovr_size));
  }
  for (const auto& c : contexts) {
    if (c.context_length > 128 || c.cid > 15) return Error::kInvalidArgs;
    const bool long_prefix = c.context_length > 64;
    writeOptionHeader(w, ndopt::kSixLowpanContext, long_prefix ? 24 : 16);
    w.u8(c.context_length);
    w.u8(static_cast<std::uint8_t>((c.compression ? 0x10 : 0) | c.cid));
    w.u16be(0);
    w.u16be(c.valid_lifetime);
    w.bytes(ByteSpan(c.prefix.bytes).first(long_prefix ? 16 : 8));
  }
  if (abro) {
    writeOptionHeader(w, ndopt::kAuthoritativeBorderRouter, 24);
    w.u16be(static_cast<std::uint16_t>(abro->version));
    w.u16be(static_cast<std::uint16_t>(abro->version >> 16));
    w.u16be(abro->valid_lifetime);
    w.bytes(abro->border_router.bytes);
  }
  return w.error();
}

Result<RouterSolicitation> RouterSolicitation::parse(ByteSpan body) {
  ByteReader r(body);
  r.skip(4);
  if (!r.ok()) return r.error();
  auto opts = NdOptions::parse(r.rest());
  if (!opts) return opts.error();
  return RouterSolicitation{std::move(opts).value()};
}

Error RouterSolicitation::encode(VectorWriter& w) const {
  w.u32be(0);
  return options.encode(w);
}

Result<RouterAdvertisement> RouterAdvertisement::parse(ByteSpan body) {
  ByteReader r(body);
  RouterAdvertisement ra;
  ra.cur_hop_limit = r.u8();
  const std::uint8_t flags = r.u8();
  ra.router_lifetime = r.u16be();
  ra.reachable_time = r.u32be();
  ra.retrans_timer = r.u32be();
  if (!r.ok()) return r.error();
  ra.managed = (flags & 0x80) != 0;
  ra.other = (flags & 0x40) != 0;
  auto opts = NdOptions::parse(r.rest());
  if (!opts) return opts.error();
  ra.options = std::move(opts).value();
  return ra;
}

Error RouterAdvertisement::encode(VectorWriter& w) const {
  w.u8(cur_hop_limit);
  w.u8(static_cast<std::uint8_t>((managed ? 0x80 : 0) | (other ? 0x40 : 0)));
  w.u16be(router_lifetime);
  w.u32be(reachable_time);
  w.u32be(retrans_timer);
  return options.encode(w);
}

Result<NeighborSolicitation> NeighborSolicitation::parse(ByteSpan body) {
  ByteReader r(body);
  r.skip(4);
  NeighborSolicitation ns;
  ns.target = Address{r.array<16>()};
  if (!r.ok()) return r.error();
  auto opts = NdOptions::parse(r.rest());
  if (!opts) return opts.error();
  ns.options = std::move(opts).value();
  return ns;
}

Error NeighborSolicitation::encode(VectorWriter& w) const {
  w.u32be(0);
  w.bytes(target.bytes);
  return options.encode(w);
}

Result<NeighborAdvertisement> NeighborAdvertisement::parse(ByteSpan body) {
  ByteReader r(body);
  const std::uint32_t flags = r.u32be();
  NeighborAdvertisement na;
  na.target = Address{r.array<16>()};
  if (!r.ok()) return r.error();
  na.router = (flags & 0x80000000U) != 0;
  na.solicited = (flags & 0x40000000U) != 0;
  na.override_flag = (flags & 0x20000000U) != 0;
  auto opts = NdOptions::parse(r.rest());
  if (!opts) return opts.error();
  na.options = std::move(opts).value();
  return na;
}

Error NeighborAdvertisement::encode(VectorWriter& w) const {
  w.u32be((router ? 0x80000000U : 0) | (solicited ? 0x40000000U : 0) |
          (override_flag ? 0x20000000U : 0));
  w.bytes(target.bytes);
  return options.encode(w);
}

}  // namespace lpm::ipv6
