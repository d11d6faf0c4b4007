#include "lpmesh/ipv6/ext_headers.hpp"

#include <algorithm>

namespace lpm::ipv6 {

Result<OptionsHeader> OptionsHeader::parse(ByteSpan data) {
  ByteReader r(data);
  OptionsHeader h;
  h.next_header = r.u8();
  const std::size_t len = (std::size_t{r.u8()} + 1) * 8;
  if (!r.ok()) return r.error();
  h.options = r.bytes(len - 2);
  if (!r.ok()) return r.error();
  if (validateTlvs(h.options, optionFormat()) != Error::kNone) return Error::kMalformed;
  return h;
}

Result<Tlv> OptionsHeader::find(std::uint8_t type) const {
  return findTlv(options, optionFormat(), type);
}

Error appendOption(VectorWriter& w, std::uint8_t type, ByteSpan value) {
  return appendTlv(w, optionFormat(), type, value);
}

Result<Bytes> buildOptionsHeader(std::uint8_t next_header, ByteSpan encoded_options) {
  const std::size_t unpadded = 2 + encoded_options.size();
  const std::size_t total = (unpadded + 7) / 8 * 8;
  if (total > 2048) return Error::kTooLong;
  Bytes out;
  out.reserve(total);
  VectorWriter w(out);
  w.u8(next_header);
  w.u8(static_cast<std::uint8_t>(total / 8 - 1));
  w.bytes(encoded_options);
  const std::size_t pad = total - unpadded;
  if (pad == 1) {
    w.u8(option::kPad1);
  } else if (pad > 1) {
    w.u8(option::kPadN);
    w.u8(static_cast<std::uint8_t>(pad - 2));
    w.fill(0, pad - 2);
  }
  LPM_TRY(w.error());
  return out;
}

Result<RplOption> RplOption::parse(ByteSpan value) {
  ByteReader r(value);
  RplOption o;
  const std::uint8_t flags = r.u8();
  o.instance_id = r.u8();
  o.sender_rank = r.u16be();
  if (!r.ok()) return r.error();
  o.down = (flags & 0x80) != 0;
  o.rank_error = (flags & 0x40) != 0;
  o.forwarding_error = (flags & 0x20) != 0;
  o.sub_tlvs = r.rest();
  return o;
}

Result<RplOption> RplOption::find(const OptionsHeader& hbh) {
  TlvReader r(hbh.options, optionFormat());
  while (auto tlv = r.next()) {
    if (tlv->type == option::kRpl || tlv->type == option::kRplRfc9008) return parse(tlv->value);
  }
  if (r.error() != Error::kNone) return Error::kMalformed;
  return Error::kNotFound;
}

Result<Bytes> RplOption::buildHopByHop(std::uint8_t next_header, std::uint8_t option_type) const {
  Bytes value;
  VectorWriter vw(value);
  LPM_TRY(encode(vw));
  Bytes opts;
  VectorWriter ow(opts);
  LPM_TRY(appendOption(ow, option_type, value));
  return buildOptionsHeader(next_header, opts);
}

Result<RoutingHeader> RoutingHeader::parse(ByteSpan data) {
  ByteReader r(data);
  RoutingHeader h;
  h.next_header = r.u8();
  const std::size_t len = (std::size_t{r.u8()} + 1) * 8;
  h.routing_type = r.u8();
  h.segments_left = r.u8();
  h.data = r.bytes(len - 4);
  if (!r.ok()) return r.error();
  return h;
}

Result<SourceRoutingHeader> SourceRoutingHeader::parse(ByteSpan data, const Address& ipv6_dst) {
  auto rh = RoutingHeader::parse(data);
  if (!rh) return rh.error();
  if (rh->routing_type != kRoutingType) return Error::kUnsupported;
  ByteReader r(rh->data);
  SourceRoutingHeader h;
  h.next_header = rh->next_header;
  h.segments_left = rh->segments_left;
  const std::uint32_t word = r.u32be();
  h.cmpr_i = static_cast<std::uint8_t>(word >> 28);
  h.cmpr_e = static_cast<std::uint8_t>((word >> 24) & 0xfU);
  h.pad = static_cast<std::uint8_t>((word >> 20) & 0xfU);
  // RFC 6554 §3: n = (((Hdr Ext Len * 8) - Pad - (16 - CmprE)) / (16 - CmprI)) + 1.
  const std::size_t area = rh->data.size() - 4;
  const std::size_t last = 16U - h.cmpr_e;
  const std::size_t each = 16U - h.cmpr_i;
  if (area < std::size_t{h.pad} + last) return Error::kMalformed;
  const std::size_t body = area - h.pad - last;
  if (body % each != 0) return Error::kMalformed;
  const std::size_t n = body / each + 1;
  if (h.segments_left > n) return Error::kMalformed;
  h.addresses.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t elided = i + 1 < n ? h.cmpr_i : h.cmpr_e;
    Address a = ipv6_dst;
    ByteSpan tail = r.bytes(16 - elided);
    std::copy(tail.begin(), tail.end(), a.bytes.begin() + static_cast<std::ptrdiff_t>(elided));
    h.addresses.push_back(a);
  }
  // Padding content is not checked: RFC 6554 §3 only says it is sent as zero.
  r.skip(h.pad);
  if (!r.ok()) return Error::kMalformed;
  return h;
}

Result<SourceRoutingHeader> SourceRoutingHeader::make(std::uint8_t next_header,
                                                      std::vector<Address> hops,
                                                      const Address& ipv6_dst) {
  if (hops.empty() || hops.size() > 255) return Error::kInvalidArgs;
  SourceRoutingHeader h;
  h.next_header = next_header;
  h.segments_left = static_cast<std::uint8_t>(hops.size());
  auto common_bytes = [&](const Address& a) {
    return static_cast<std::uint8_t>(std::min(commonPrefixBits(a, ipv6_dst) / 8, 15));
  };
  std::uint8_t ci = 15;
  for (std::size_t i = 0; i + 1 < hops.size(); ++i)
    ci = std::min(ci, common_bytes(hops[i]));
  h.cmpr_i = hops.size() == 1 ? 0 : ci;
  h.cmpr_e = common_bytes(hops.back());
  h.addresses = std::move(hops);
  const std::size_t unpadded = 8 + (h.addresses.size() - 1) * (16U - h.cmpr_i) + (16U - h.cmpr_e);
  h.pad = static_cast<std::uint8_t>((8 - unpadded % 8) % 8);
  if (h.size() > 2048) return Error::kTooLong;
  return h;
}

std::size_t SourceRoutingHeader::size() const {
  if (addresses.empty()) return 8;
  return 8 + (addresses.size() - 1) * (16U - cmpr_i) + (16U - cmpr_e) + pad;
}

Error SourceRoutingHeader::encode(VectorWriter& w, const Address& ipv6_dst) const {
  if (addresses.empty() || cmpr_i > 15 || cmpr_e > 15 || pad > 15) return Error::kInvalidArgs;
  const std::size_t total = size();
  if (total % 8 != 0 || total > 2048 || segments_left > addresses.size()) {
    return Error::kInvalidArgs;
  }
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const std::size_t elided = i + 1 < addresses.size() ? cmpr_i : cmpr_e;
    if (commonPrefixBits(addresses[i], ipv6_dst) < elided * 8) return Error::kInvalidArgs;
  }
  w.u8(next_header);
  w.u8(static_cast<std::uint8_t>(total / 8 - 1));
  w.u8(kRoutingType);
  w.u8(segments_left);
  w.u32be((std::uint32_t{cmpr_i} << 28) | (std::uint32_t{cmpr_e} << 24) |
          (std::uint32_t{pad} << 20));
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    const std::size_t elided = i + 1 < addresses.size() ? cmpr_i : cmpr_e;
    w.bytes(ByteSpan(addresses[i].bytes).subspan(elided));
  }
  w.fill(0, pad);
  return w.error();
}

Result<FragmentHeader> FragmentHeader::parse(ByteSpan data) {
  ByteReader r(data);
  FragmentHeader h;
  h.next_header = r.u8();
  r.skip(1);
  const std::uint16_t word = r.u16be();
  h.identification = r.u32be();
  if (!r.ok()) return r.error();
  h.offset_units = static_cast<std::uint16_t>(word >> 3);
  h.more = (word & 1) != 0;
  return h;
}

Result<Bytes> encapsulate(const Address& src, const Address& dst, std::uint8_t hop_limit,
                          ByteSpan inner) {
  Header outer;
  outer.src = src;
  outer.dst = dst;
  outer.hop_limit = hop_limit;
  outer.next_header = proto::kIpv6;
  return outer.build(inner);
}

}  // namespace lpm::ipv6
