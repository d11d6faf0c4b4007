#include "lpmesh/rpl/messages.hpp"

#include <algorithm>
#include <type_traits>

#include "lpmesh/ipv6/icmpv6.hpp"

namespace lpm::rpl {
namespace {

TlvFormat format() {
  return TlvFormat::rplOption();
}

// A prefix carried in ceil(length / 8) bytes (or more); bits past the length cleared.
Result<ipv6::Address> readPrefix(ByteSpan bytes, std::uint8_t length) {
  if (length > 128 || bytes.size() > 16 || bytes.size() * 8 < length) return Error::kMalformed;
  ipv6::Address raw;
  std::copy(bytes.begin(), bytes.end(), raw.bytes.begin());
  return ipv6::Prefix::make(raw, length).address;
}

void writePrefix(VectorWriter& w, const ipv6::Address& prefix, std::uint8_t length) {
  const ipv6::Address masked = ipv6::Prefix::make(prefix, length).address;
  w.bytes(ByteSpan(masked.bytes).first((length + 7U) / 8U));
}

}  // namespace

// ---------------------------------------------------------------------------
// Options

Result<DagMetricContainer> DagMetricContainer::parse(ByteSpan value) {
  return DagMetricContainer{Bytes(value.begin(), value.end())};
}
Error DagMetricContainer::encode(VectorWriter& w) const {
  w.bytes(data);
  return w.error();
}

Result<RouteInformation> RouteInformation::parse(ByteSpan value) {
  ByteReader r(value);
  RouteInformation o;
  o.prefix_length = r.u8();
  const std::uint8_t flags = r.u8();
  o.route_lifetime = r.u32be();
  if (!r.ok()) return Error::kMalformed;
  o.preference = static_cast<std::uint8_t>((flags >> 3) & 0x3);
  auto p = readPrefix(r.rest(), o.prefix_length);
  if (!p) return p.error();
  o.prefix = *p;
  return o;
}
Error RouteInformation::encode(VectorWriter& w) const {
  if (prefix_length > 128 || preference > 3) return Error::kInvalidArgs;
  w.u8(prefix_length);
  w.u8(static_cast<std::uint8_t>(preference << 3));
  w.u32be(route_lifetime);
  // RFC 6550 §6.7.5 lets the prefix take any whole number of bytes covering the length;
  // RFC 4191 readers (Wireshark among them) expect 0, 8 or 16, which also qualify.
  const ipv6::Address masked = ipv6::Prefix::make(prefix, prefix_length).address;
  const std::size_t bytes = prefix_length == 0 ? 0 : prefix_length <= 64 ? 8 : 16;
  w.bytes(ByteSpan(masked.bytes).first(bytes));
  return w.error();
}

Result<DodagConfiguration> DodagConfiguration::parse(ByteSpan value) {
  if (value.size() != 14) return Error::kMalformed;
  ByteReader r(value);
  DodagConfiguration c;
  const std::uint8_t flags = r.u8();
  c.authentication = (flags & 0x08) != 0;
  c.path_control_size = flags & 0x07;
  c.dio_interval_doublings = r.u8();
  c.dio_interval_min = r.u8();
  c.dio_redundancy_constant = r.u8();
  c.max_rank_increase = r.u16be();
  c.min_hop_rank_increase = r.u16be();
  c.ocp = r.u16be();
  r.skip(1);
  c.default_lifetime = r.u8();
  c.lifetime_unit = r.u16be();
  return c;
}
Error DodagConfiguration::encode(VectorWriter& w) const {
  if (path_control_size > 7) return Error::kInvalidArgs;
  w.u8(static_cast<std::uint8_t>((authentication ? 0x08 : 0) | path_control_size));
  w.u8(dio_interval_doublings);
  w.u8(dio_interval_min);
  w.u8(dio_redundancy_constant);
  w.u16be(max_rank_increase);
  w.u16be(min_hop_rank_increase);
  w.u16be(ocp);
  w.u8(0);
  w.u8(default_lifetime);
  w.u16be(lifetime_unit);
  return w.error();
}

Result<Target> Target::parse(ByteSpan value) {
  ByteReader r(value);
  Target t;
  t.flags = r.u8();
  t.prefix_length = r.u8();
  if (!r.ok()) return Error::kMalformed;
  auto p = readPrefix(r.rest(), t.prefix_length);
  if (!p) return p.error();
  t.prefix = *p;
  return t;
}
Error Target::encode(VectorWriter& w) const {
  if (prefix_length > 128) return Error::kInvalidArgs;
  w.u8(flags);
  w.u8(prefix_length);
  writePrefix(w, prefix, prefix_length);
  return w.error();
}

Result<TransitInformation> TransitInformation::parse(ByteSpan value) {
  if (value.size() != 4 && value.size() != 20) return Error::kMalformed;
  ByteReader r(value);
  TransitInformation t;
  t.external = (r.u8() & 0x80) != 0;
  t.path_control = r.u8();
  t.path_sequence = r.u8();
  t.path_lifetime = r.u8();
  if (value.size() == 20) t.parent = ipv6::Address{r.array<16>()};
  return t;
}
Error TransitInformation::encode(VectorWriter& w) const {
  w.u8(external ? 0x80 : 0);
  w.u8(path_control);
  w.u8(path_sequence);
  w.u8(path_lifetime);
  if (parent) w.bytes(parent->bytes);
  return w.error();
}

Result<SolicitedInformation> SolicitedInformation::parse(ByteSpan value) {
  if (value.size() != 19) return Error::kMalformed;
  ByteReader r(value);
  SolicitedInformation s;
  s.instance_id = r.u8();
  const std::uint8_t flags = r.u8();
  s.match_version = (flags & 0x80) != 0;
  s.match_instance = (flags & 0x40) != 0;
  s.match_dodag_id = (flags & 0x20) != 0;
  s.dodag_id = ipv6::Address{r.array<16>()};
  s.version = r.u8();
  return s;
}
Error SolicitedInformation::encode(VectorWriter& w) const {
  w.u8(instance_id);
  w.u8(static_cast<std::uint8_t>((match_version ? 0x80 : 0) | (match_instance ? 0x40 : 0) |
                                 (match_dodag_id ? 0x20 : 0)));
  w.bytes(dodag_id.bytes);
  w.u8(version);
  return w.error();
}

Result<PrefixInformation> PrefixInformation::parse(ByteSpan value) {
  if (value.size() != 30) return Error::kMalformed;
  ByteReader r(value);
  PrefixInformation p;
  p.prefix_length = r.u8();
  const std::uint8_t flags = r.u8();
  p.on_link = (flags & 0x80) != 0;
  p.autonomous = (flags & 0x40) != 0;
  p.router_address = (flags & 0x20) != 0;
  p.valid_lifetime = r.u32be();
  p.preferred_lifetime = r.u32be();
  r.skip(4);
  p.prefix = ipv6::Address{r.array<16>()};
  if (p.prefix_length > 128) return Error::kMalformed;
  return p;
}
Error PrefixInformation::encode(VectorWriter& w) const {
  if (prefix_length > 128) return Error::kInvalidArgs;
  w.u8(prefix_length);
  w.u8(static_cast<std::uint8_t>((on_link ? 0x80 : 0) | (autonomous ? 0x40 : 0) |
                                 (router_address ? 0x20 : 0)));
  w.u32be(valid_lifetime);
  w.u32be(preferred_lifetime);
  w.u32be(0);
  w.bytes(prefix.bytes);
  return w.error();
}

Result<TargetDescriptor> TargetDescriptor::parse(ByteSpan value) {
  if (value.size() != 4) return Error::kMalformed;
  ByteReader r(value);
  return TargetDescriptor{r.u32be()};
}
Error TargetDescriptor::encode(VectorWriter& w) const {
  w.u32be(descriptor);
  return w.error();
}

Result<Options> Options::parse(ByteSpan data) {
  Options out;
  TlvReader r(data, format());
  while (auto tlv = r.next()) {
    const ByteSpan v = tlv->value;
    auto take = [&](auto parsed) -> Error {
      if (!parsed) return parsed.error();
      out.list.emplace_back(std::move(parsed).value());
      return Error::kNone;
    };
    switch (tlv->type) {
      case opt::kPad1:
        out.list.emplace_back(Padding{true, 0});
        break;
      case opt::kPadN:
        out.list.emplace_back(Padding{false, static_cast<std::uint8_t>(v.size())});
        break;
      case opt::kDagMetricContainer:
        LPM_TRY(take(DagMetricContainer::parse(v)));
        break;
      case opt::kRouteInformation:
        LPM_TRY(take(RouteInformation::parse(v)));
        break;
      case opt::kDodagConfiguration:
        LPM_TRY(take(DodagConfiguration::parse(v)));
        break;
      case opt::kTarget:
        LPM_TRY(take(Target::parse(v)));
        break;
      case opt::kTransitInformation:
        LPM_TRY(take(TransitInformation::parse(v)));
        break;
      case opt::kSolicitedInformation:
        LPM_TRY(take(SolicitedInformation::parse(v)));
        break;
      case opt::kPrefixInformation:
        LPM_TRY(take(PrefixInformation::parse(v)));
        break;
      case opt::kTargetDescriptor:
        LPM_TRY(take(TargetDescriptor::parse(v)));
        break;
      default:
        out.list.emplace_back(
            UnknownOption{static_cast<std::uint8_t>(tlv->type), Bytes(v.begin(), v.end())});
        break;
    }
  }
  LPM_TRY(r.error());
  return out;
}

Error Options::encode(VectorWriter& w) const {
  for (const Option& o : list) {
    const Error e = std::visit(
        [&](const auto& v) -> Error {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Padding>) {
            if (v.pad1) {
              w.u8(opt::kPad1);
            } else {
              w.u8(opt::kPadN);
              w.u8(v.length);
              w.fill(0, v.length);
            }
            return w.error();
          } else if constexpr (std::is_same_v<T, UnknownOption>) {
            if (v.type == opt::kPad1) return Error::kInvalidArgs;
            return appendTlv(w, format(), v.type, v.value);
          } else if constexpr (std::is_same_v<T, DagMetricContainer>) {
            return DagMetricContainerTlv::append(w, format(), v);
          } else if constexpr (std::is_same_v<T, RouteInformation>) {
            return RouteInformationTlv::append(w, format(), v);
          } else if constexpr (std::is_same_v<T, DodagConfiguration>) {
            return DodagConfigurationTlv::append(w, format(), v);
          } else if constexpr (std::is_same_v<T, Target>) {
            return TargetTlv::append(w, format(), v);
          } else if constexpr (std::is_same_v<T, TransitInformation>) {
            return TransitInformationTlv::append(w, format(), v);
          } else if constexpr (std::is_same_v<T, SolicitedInformation>) {
            return SolicitedInformationTlv::append(w, format(), v);
          } else if constexpr (std::is_same_v<T, PrefixInformation>) {
            return PrefixInformationTlv::append(w, format(), v);
          } else {
            static_assert(std::is_same_v<T, TargetDescriptor>);
            return TargetDescriptorTlv::append(w, format(), v);
          }
        },
        o);
    LPM_TRY(e);
  }
  return w.error();
}

// ---------------------------------------------------------------------------
// Messages

Result<Dis> Dis::parse(ByteSpan body) {
  ByteReader r(body);
  Dis d;
  d.flags = r.u8();
  r.skip(1);
  if (!r.ok()) return r.error();
  auto o = Options::parse(r.rest());
  if (!o) return o.error();
  d.options = std::move(o).value();
  return d;
}
Error Dis::encode(VectorWriter& w) const {
  w.u8(flags);
  w.u8(0);
  return options.encode(w);
}

Result<Dio> Dio::parse(ByteSpan body) {
  ByteReader r(body);
  Dio d;
  d.instance_id = r.u8();
  d.version = r.u8();
  d.rank = r.u16be();
  const std::uint8_t g_mop_prf = r.u8();
  d.dtsn = r.u8();
  d.flags = r.u8();
  r.skip(1);
  d.dodag_id = ipv6::Address{r.array<16>()};
  if (!r.ok()) return r.error();
  d.grounded = (g_mop_prf & 0x80) != 0;
  d.mop = static_cast<Mop>((g_mop_prf >> 3) & 0x07);
  d.preference = g_mop_prf & 0x07;
  auto o = Options::parse(r.rest());
  if (!o) return o.error();
  d.options = std::move(o).value();
  return d;
}
Error Dio::encode(VectorWriter& w) const {
  const auto mop_bits = static_cast<std::uint8_t>(mop);
  if (mop_bits > 7 || preference > 7) return Error::kInvalidArgs;
  w.u8(instance_id);
  w.u8(version);
  w.u16be(rank);
  w.u8(static_cast<std::uint8_t>((grounded ? 0x80 : 0) | (mop_bits << 3) | preference));
  w.u8(dtsn);
  w.u8(flags);
  w.u8(0);
  w.bytes(dodag_id.bytes);
  return options.encode(w);
}

Result<Dao> Dao::parse(ByteSpan body) {
  ByteReader r(body);
  Dao d;
  d.instance_id = r.u8();
  const std::uint8_t kd = r.u8();
  r.skip(1);
  d.sequence = r.u8();
  if (!r.ok()) return r.error();
  d.ack_requested = (kd & 0x80) != 0;
  d.flags = kd & 0x3f;
  if ((kd & 0x40) != 0) {
    d.dodag_id = ipv6::Address{r.array<16>()};
    if (!r.ok()) return r.error();
  }
  auto o = Options::parse(r.rest());
  if (!o) return o.error();
  d.options = std::move(o).value();
  return d;
}
Error Dao::encode(VectorWriter& w) const {
  if (flags > 0x3f) return Error::kInvalidArgs;
  w.u8(instance_id);
  w.u8(static_cast<std::uint8_t>((ack_requested ? 0x80 : 0) | (dodag_id ? 0x40 : 0) | flags));
  w.u8(0);
  w.u8(sequence);
  if (dodag_id) w.bytes(dodag_id->bytes);
  return options.encode(w);
}

Result<DaoAck> DaoAck::parse(ByteSpan body) {
  ByteReader r(body);
  DaoAck a;
  a.instance_id = r.u8();
  const std::uint8_t d = r.u8();
  a.sequence = r.u8();
  a.status = r.u8();
  if (!r.ok()) return r.error();
  a.flags = d & 0x7f;
  if ((d & 0x80) != 0) {
    a.dodag_id = ipv6::Address{r.array<16>()};
    if (!r.ok()) return r.error();
  }
  auto o = Options::parse(r.rest());
  if (!o) return o.error();
  a.options = std::move(o).value();
  return a;
}
Error DaoAck::encode(VectorWriter& w) const {
  if (flags > 0x7f) return Error::kInvalidArgs;
  w.u8(instance_id);
  w.u8(static_cast<std::uint8_t>((dodag_id ? 0x80 : 0) | flags));
  w.u8(sequence);
  w.u8(status);
  if (dodag_id) w.bytes(dodag_id->bytes);
  return options.encode(w);
}

std::uint8_t messageCode(const Message& m) {
  switch (m.index()) {
    case 0:
      return code::kDis;
    case 1:
      return code::kDio;
    case 2:
      return code::kDao;
    default:
      return code::kDaoAck;
  }
}

Result<Message> parseMessage(std::uint8_t icmp_code, ByteSpan body) {
  auto wrap = [](auto parsed) -> Result<Message> {
    if (!parsed) return parsed.error();
    return Message{std::move(parsed).value()};
  };
  switch (icmp_code) {
    case code::kDis:
      return wrap(Dis::parse(body));
    case code::kDio:
      return wrap(Dio::parse(body));
    case code::kDao:
      return wrap(Dao::parse(body));
    case code::kDaoAck:
      return wrap(DaoAck::parse(body));
    default:
      return Error::kUnsupported;  // secure variants (RFC 6550 §6.1), DCO, CC
  }
}

Result<Bytes> encodeMessage(const Message& m) {
  Bytes out;
  VectorWriter w(out);
  LPM_TRY(std::visit([&](const auto& msg) { return msg.encode(w); }, m));
  return out;
}

Result<Bytes> buildIcmpv6Message(const ipv6::Address& src, const ipv6::Address& dst,
                                 const Message& m) {
  auto body = encodeMessage(m);
  if (!body) return body.error();
  return ipv6::buildIcmpv6(src, dst, kIcmpv6Type, messageCode(m), *body);
}

}  // namespace lpm::rpl
