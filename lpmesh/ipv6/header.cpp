#include "lpmesh/ipv6/header.hpp"

namespace lpm::ipv6 {

Result<Header> Header::parse(ByteSpan data) {
  ByteReader r(data);
  const std::uint32_t first = r.u32be();
  Header h;
  h.payload_length = r.u16be();
  h.next_header = r.u8();
  h.hop_limit = r.u8();
  h.src = Address{r.array<16>()};
  h.dst = Address{r.array<16>()};
  if (!r.ok()) return r.error();
  if ((first >> 28) != 6) return Error::kMalformed;
  h.traffic_class = static_cast<std::uint8_t>(first >> 20);
  h.flow_label = first & 0xfffffU;
  return h;
}

Result<Bytes> Header::build(ByteSpan payload) const {
  if (payload.size() > 0xffff) return Error::kTooLong;
  Header h = *this;
  h.payload_length = static_cast<std::uint16_t>(payload.size());
  Bytes out;
  out.reserve(kSize + payload.size());
  VectorWriter w(out);
  LPM_TRY(h.encode(w));
  w.bytes(payload);
  return out;
}

Result<Datagram> Datagram::parse(ByteSpan data) {
  auto header = Header::parse(data);
  if (!header) return header.error();
  Datagram d;
  d.header = *header;
  const std::size_t end = Header::kSize + d.header.payload_length;
  if (end > data.size()) return Error::kTruncated;
  if (end < data.size()) return Error::kTrailing;
  std::uint8_t next = d.header.next_header;
  std::size_t offset = Header::kSize;
  while (isExtensionHeader(next)) {
    if (d.ext_count == kMaxExtensionHeaders) return Error::kUnsupported;
    if (end - offset < 8) return Error::kMalformed;
    std::size_t len = 0;
    bool stop = false;
    if (next == proto::kFragment) {
      len = 8;  // RFC 8200 §4.5: fixed size, the second byte is reserved
      // After a non-first fragment the data is a piece of the fragmentable part, not a
      // header: the chain ends here.
      stop = ((data[offset + 2] << 5) | (data[offset + 3] >> 3)) != 0;
    } else {
      len = (static_cast<std::size_t>(data[offset + 1]) + 1) * 8;
    }
    if (len > end - offset) return Error::kMalformed;
    d.ext[d.ext_count++] = ChainEntry{next, offset, len};
    next = data[offset];
    offset += len;
    if (stop) break;
  }
  d.upper_protocol = next;
  d.upper_offset = offset;
  return d;
}

}  // namespace lpm::ipv6
