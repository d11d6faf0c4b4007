#include "lpmesh/ipv6/udp.hpp"

#include "lpmesh/ipv6/checksum.hpp"
#include "lpmesh/ipv6/header.hpp"

namespace lpm::ipv6 {

Result<UdpHeader> UdpHeader::parse(ByteSpan data) {
  ByteReader r(data);
  UdpHeader h;
  h.src_port = r.u16be();
  h.dst_port = r.u16be();
  h.length = r.u16be();
  h.checksum = r.u16be();
  if (!r.ok()) return r.error();
  return h;
}

std::uint16_t udpChecksum(const Address& src, const Address& dst, ByteSpan message) {
  ChecksumAccumulator acc;
  acc.addPseudoHeader(src, dst, static_cast<std::uint32_t>(message.size()), proto::kUdp);
  if (message.size() >= UdpHeader::kSize) {
    acc.add(message.first(6));
    acc.add(message.subspan(UdpHeader::kSize));
  } else {
    acc.add(message);
  }
  const std::uint16_t c = acc.finish();
  return c == 0 ? 0xffff : c;
}

Result<UdpDatagram> UdpDatagram::parse(const Address& src, const Address& dst, ByteSpan message) {
  auto h = UdpHeader::parse(message);
  if (!h) return h.error();
  if (h->length < UdpHeader::kSize) return Error::kMalformed;
  if (h->length > message.size()) return Error::kTruncated;
  if (h->length < message.size()) return Error::kTrailing;
  if (h->checksum == 0 || udpChecksum(src, dst, message) != h->checksum) return Error::kMalformed;
  return UdpDatagram{*h, message.subspan(UdpHeader::kSize)};
}

Result<Bytes> buildUdp(const Address& src, const Address& dst, std::uint16_t src_port,
                       std::uint16_t dst_port, ByteSpan payload) {
  if (payload.size() + UdpHeader::kSize > 0xffff) return Error::kTooLong;
  Bytes out;
  VectorWriter w(out);
  UdpHeader h{src_port, dst_port, static_cast<std::uint16_t>(payload.size() + UdpHeader::kSize), 0};
  LPM_TRY(h.encode(w));
  w.bytes(payload);
  const std::uint16_t c = udpChecksum(src, dst, out);
  out[6] = static_cast<std::uint8_t>(c >> 8);
  out[7] = static_cast<std::uint8_t>(c);
  return out;
}

}  // namespace lpm::ipv6
