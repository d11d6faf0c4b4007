// Fuzz target for lpm::btmesh::openNetworkPdu (Mesh 1.1 §3.4.4, §3.9.7): arbitrary octets
// must be rejected with an Error, never crash; and a PDU sealed from fuzzed header fields
// must open to the same fields and seal again to the same octets.
#include <cstddef>
#include <cstdint>

#include "lpmesh/btmesh/security.hpp"

namespace {

using lpm::btmesh::NetworkHeader;
using lpm::btmesh::NetworkNonceType;

const lpm::btmesh::SecurityMaterial& material() {
  // Mesh 1.1 §8.3 sample NetKey; derived once for the whole run.
  static const lpm::btmesh::SecurityMaterial m =
      lpm::btmesh::floodingMaterial({0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18, 0xc1, 0x7c,
                                     0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6});
  return m;
}

NetworkNonceType typeOf(std::uint8_t selector) {
  switch (selector % 3) {
    case 1:
      return NetworkNonceType::kProxy;
    case 2:
      return NetworkNonceType::kProxySolicitation;
    default:
      return NetworkNonceType::kNetwork;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const NetworkNonceType type = typeOf(data[0]);
  const std::uint32_t iv_index = 0x12345678U + ((data[0] >> 2) & 1U);
  lpm::Bytes input(data + 1, data + size);

  // Decoder direction: keep the NID so that deobfuscation and CCM are reached.
  if (!input.empty()) input[0] = static_cast<std::uint8_t>((input[0] & 0x80) | material().nid);
  auto opened = lpm::btmesh::openNetworkPdu(material(), iv_index, input, type);
  if (opened.ok()) {
    auto again = lpm::btmesh::sealNetworkPdu(material(), iv_index, opened->header,
                                             opened->transport_pdu, type);
    if (!again.ok() || *again != input) __builtin_trap();
  }

  // Encoder direction: header fields and TransportPDU taken from the input.
  lpm::ByteReader r(lpm::ByteSpan(data, size).subspan(1));
  NetworkHeader h;
  const std::uint8_t ctl_ttl = r.u8();
  h.ctl = (ctl_ttl & 0x80) != 0;
  h.ttl = ctl_ttl & 0x7f;
  h.seq = r.u24be();
  h.src = r.u16be();
  h.dst = r.u16be();
  if (!r.ok()) return 0;
  const lpm::ByteSpan transport = r.rest();
  auto sealed = lpm::btmesh::sealNetworkPdu(material(), iv_index, h, transport, type);
  if (!sealed.ok()) return 0;
  auto back = lpm::btmesh::openNetworkPdu(material(), iv_index, *sealed, type);
  if (!back.ok() || back->transport_pdu.size() != transport.size()) __builtin_trap();
  if (!(back->header == h)) __builtin_trap();
  for (std::size_t i = 0; i < transport.size(); ++i) {
    if (back->transport_pdu[i] != transport[i]) __builtin_trap();
  }
  return 0;
}
