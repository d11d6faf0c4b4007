#include "lpmesh/ipv6/checksum.hpp"

namespace lpm::ipv6 {

void ChecksumAccumulator::add(ByteSpan data) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) {
    sum_ += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  }
  if (i < data.size()) sum_ += static_cast<std::uint32_t>(data[i] << 8);  // pad with zero
}

void ChecksumAccumulator::addPseudoHeader(const Address& src, const Address& dst,
                                          std::uint32_t upper_length, std::uint8_t next_header) {
  add(src.bytes);
  add(dst.bytes);
  addU32(upper_length);
  addU16(next_header);
}

std::uint16_t ChecksumAccumulator::finish() const {
  std::uint64_t s = sum_;
  while ((s >> 16) != 0)
    s = (s & 0xffffU) + (s >> 16);
  return static_cast<std::uint16_t>(~s & 0xffffU);
}

std::uint16_t upperLayerChecksum(const Address& src, const Address& dst, std::uint8_t next_header,
                                 ByteSpan message) {
  ChecksumAccumulator acc;
  acc.addPseudoHeader(src, dst, static_cast<std::uint32_t>(message.size()), next_header);
  acc.add(message);
  return acc.finish();
}

}  // namespace lpm::ipv6
