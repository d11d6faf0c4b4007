#include "lpmesh/ipv6/icmpv6.hpp"

#include "lpmesh/ipv6/checksum.hpp"
#include "lpmesh/ipv6/header.hpp"

namespace lpm::ipv6 {

std::uint16_t icmpv6Checksum(const Address& src, const Address& dst, ByteSpan message) {
  ChecksumAccumulator acc;
  acc.addPseudoHeader(src, dst, static_cast<std::uint32_t>(message.size()), proto::kIcmpv6);
  if (message.size() >= Icmpv6Message::kHeaderSize) {
    acc.add(message.first(2));
    acc.add(message.subspan(Icmpv6Message::kHeaderSize));
  } else {
    acc.add(message);
  }
  return acc.finish();
}

Result<Icmpv6Message> Icmpv6Message::parseUnchecked(ByteSpan message) {
  ByteReader r(message);
  Icmpv6Message m;
  m.type = r.u8();
  m.code = r.u8();
  m.checksum = r.u16be();
  if (!r.ok()) return r.error();
  m.body = r.rest();
  return m;
}

Result<Icmpv6Message> Icmpv6Message::parse(const Address& src, const Address& dst,
                                           ByteSpan message) {
  auto m = parseUnchecked(message);
  if (!m) return m.error();
  if (icmpv6Checksum(src, dst, message) != m->checksum) return Error::kMalformed;
  return m;
}

Result<Bytes> buildIcmpv6(const Address& src, const Address& dst, std::uint8_t type,
                          std::uint8_t code, ByteSpan body) {
  if (body.size() + Icmpv6Message::kHeaderSize > 0xffff) return Error::kTooLong;
  Bytes out;
  VectorWriter w(out);
  w.u8(type);
  w.u8(code);
  w.u16be(0);
  w.bytes(body);
  LPM_TRY(w.error());
  const std::uint16_t c = icmpv6Checksum(src, dst, out);
  out[2] = static_cast<std::uint8_t>(c >> 8);
  out[3] = static_cast<std::uint8_t>(c);
  return out;
}

Result<Echo> Echo::parse(ByteSpan body) {
  ByteReader r(body);
  Echo e;
  e.identifier = r.u16be();
  e.sequence = r.u16be();
  if (!r.ok()) return r.error();
  e.data = r.rest();
  return e;
}

Result<Bytes> buildEcho(const Address& src, const Address& dst, bool reply, const Echo& echo) {
  Bytes body;
  VectorWriter w(body);
  LPM_TRY(echo.encode(w));
  return buildIcmpv6(src, dst, reply ? icmp::kEchoReply : icmp::kEchoRequest, 0, body);
}

}  // namespace lpm::ipv6
