#include "lpmesh/sixlowpan/mesh.hpp"

#include "lpmesh/sixlowpan/dispatch.hpp"

namespace lpm::sixlowpan {
namespace {

LinkAddress readAddress(ByteReader& r, bool short_form) {
  if (short_form) return LinkAddress::fromShort(r.u16be());
  return LinkAddress::fromExtended(r.array<8>());
}

void writeAddress(VectorWriter& w, const LinkAddress& a) {
  if (a.isShort()) {
    w.u16be(a.short_address);
  } else {
    w.bytes(a.extended);
  }
}

}  // namespace

Result<MeshHeader> MeshHeader::parse(ByteSpan data) {
  ByteReader r(data);
  const std::uint8_t b = r.u8();
  if (!r.ok()) return r.error();
  if ((b & dispatch::kMeshMask) != dispatch::kMesh) return Error::kMalformed;
  MeshHeader h;
  h.hops_left = b & 0x0f;
  // Hops Left 0xF escapes to a following 8-bit "deep hops left" byte (the extension
  // Thread/OpenThread and Wireshark implement on top of RFC 4944 §5.2).
  if (h.hops_left == 0x0f) h.hops_left = r.u8();
  h.originator = readAddress(r, (b & 0x20) != 0);
  h.final_destination = readAddress(r, (b & 0x10) != 0);
  if (!r.ok()) return r.error();
  return h;
}

std::size_t MeshHeader::size() const {
  return 1U + (hops_left >= 0x0f ? 1U : 0U) + (originator.isShort() ? 2U : 8U) +
         (final_destination.isShort() ? 2U : 8U);
}

Error MeshHeader::encode(VectorWriter& w) const {
  if (originator.isNone() || final_destination.isNone()) return Error::kInvalidArgs;
  const bool deep = hops_left >= 0x0f;
  w.u8(static_cast<std::uint8_t>(dispatch::kMesh | (originator.isShort() ? 0x20 : 0) |
                                 (final_destination.isShort() ? 0x10 : 0) |
                                 (deep ? 0x0f : hops_left)));
  if (deep) w.u8(hops_left);
  writeAddress(w, originator);
  writeAddress(w, final_destination);
  return w.error();
}

Result<BroadcastHeader> BroadcastHeader::parse(ByteSpan data) {
  ByteReader r(data);
  const std::uint8_t d = r.u8();
  const std::uint8_t seq = r.u8();
  if (!r.ok()) return r.error();
  if (d != dispatch::kBc0) return Error::kMalformed;
  return BroadcastHeader{seq};
}

}  // namespace lpm::sixlowpan
