// A minimal pcap writer for the tshark tests (test-local; the simulator has its own):
// LINKTYPE_IEEE802_15_4_TAP (283). TAP header: version 0, reserved 0, total header
// length (LE16); TLVs: type (LE16), length (LE16), value padded to 4 bytes. TLV 0 FCS
// type (1 = 16-bit CRC), TLV 3 channel (LE16 channel, 8-bit page), TLV 7 ASN (LE64).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/ieee802154/frame.hpp"

namespace lpm::ieee802154::test {

struct TapRecord {
  Bytes mpdu;  ///< without FCS; the writer appends it
  std::optional<std::uint64_t> asn;
  std::uint16_t channel = 11;
};

inline void tapTlv(VectorWriter& w, std::uint16_t type, ByteSpan value) {
  w.u16le(type);
  w.u16le(static_cast<std::uint16_t>(value.size()));
  w.bytes(value);
  w.fill(0, (4 - value.size() % 4) % 4);
}

inline Bytes tapPcap(const std::vector<TapRecord>& records) {
  Bytes out;
  VectorWriter w(out);
  // pcap global header, microsecond timestamps, little-endian.
  w.u32le(0xa1b2c3d4);
  w.u16le(2);
  w.u16le(4);
  w.u32le(0);
  w.u32le(0);
  w.u32le(65535);
  w.u32le(283);
  std::uint32_t usec = 0;
  for (const TapRecord& r : records) {
    Bytes tlvs;
    VectorWriter t(tlvs);
    const std::uint8_t fcs_type[1] = {1};
    tapTlv(t, 0, fcs_type);
    const std::uint8_t channel[3] = {static_cast<std::uint8_t>(r.channel),
                                     static_cast<std::uint8_t>(r.channel >> 8), 0};
    tapTlv(t, 3, channel);
    if (r.asn) {
      Bytes asn;
      VectorWriter a(asn);
      a.u64le(*r.asn);
      tapTlv(t, 7, asn);
    }
    const Bytes psdu = appendFcs(r.mpdu);
    const auto len = static_cast<std::uint32_t>(4 + tlvs.size() + psdu.size());
    w.u32le(0);
    w.u32le(usec);
    usec += 10000;  // one 10 ms timeslot apart
    w.u32le(len);
    w.u32le(len);
    w.u8(0);  // TAP version
    w.u8(0);  // reserved
    w.u16le(static_cast<std::uint16_t>(4 + tlvs.size()));
    w.bytes(tlvs);
    w.bytes(psdu);
  }
  return out;
}

}  // namespace lpm::ieee802154::test
