#include "lpmesh/ieee802154/frame.hpp"

namespace lpm::ieee802154 {
namespace {

// Frame Control bits (15.4-2015 Figure 7-2).
constexpr unsigned kFcSecurity = 3;
constexpr unsigned kFcPending = 4;
constexpr unsigned kFcAckRequest = 5;
constexpr unsigned kFcPanIdCompression = 6;
constexpr unsigned kFcReserved = 7;
constexpr unsigned kFcSeqSuppression = 8;
constexpr unsigned kFcIePresent = 9;
constexpr unsigned kFcDstMode = 10;
constexpr unsigned kFcVersion = 12;
constexpr unsigned kFcSrcMode = 14;

bool validAddrMode(AddrMode m) {
  return m == AddrMode::kNone || m == AddrMode::kShort || m == AddrMode::kExtended;
}

HeaderTermination autoHeaderTermination(const Frame& f) {
  if (f.version != FrameVersion::k2015) return HeaderTermination::kNone;
  if (!f.payload_ies.empty()) return HeaderTermination::kHt1;
  if (!f.header_ies.empty() && !f.payload.empty()) return HeaderTermination::kHt2;
  return HeaderTermination::kNone;
}

PayloadTermination autoPayloadTermination(const Frame& f) {
  return !f.payload_ies.empty() && !f.payload.empty() ? PayloadTermination::kPresent
                                                      : PayloadTermination::kNone;
}

bool isEncryptedForm(const Frame& f) {
  return f.secured && f.security && isEncrypting(f.security->level);
}

Result<MacAddress> readAddress(ByteReader& r, AddrMode mode) {
  MacAddress a;
  a.mode = mode;
  if (mode == AddrMode::kShort) {
    a.short_addr = r.u16le();
  } else if (mode == AddrMode::kExtended) {
    const ByteSpan b = r.bytes(8);
    if (!r.ok()) return r.error();
    // The wire carries the EUI-64 least significant byte first.
    for (std::size_t i = 0; i < 8; ++i)
      a.extended[i] = b[7 - i];
  }
  if (!r.ok()) return r.error();
  return a;
}

template <class Writer>
void writeAddress(Writer& w, const MacAddress& a) {
  if (a.mode == AddrMode::kShort) {
    w.u16le(a.short_addr);
  } else if (a.mode == AddrMode::kExtended) {
    std::uint8_t b[8];
    for (std::size_t i = 0; i < 8; ++i)
      b[i] = a.extended[7 - i];
    w.bytes(ByteSpan(b, 8));
  }
}

// Effective terminations for encoding, after consistency checks.
struct IeLayout {
  HeaderTermination ht = HeaderTermination::kNone;
  PayloadTermination pt = PayloadTermination::kNone;
};

Result<IeLayout> ieLayout(const Frame& f) {
  IeLayout l;
  l.ht = effectiveHeaderTermination(f);
  l.pt = effectivePayloadTermination(f);
  const bool encrypted = isEncryptedForm(f);
  if (!f.payload_ies.empty() && l.ht != HeaderTermination::kHt1) return Error::kInvalidArgs;
  // After HT1 a plaintext list must hold an IE: payload IEs or at least the termination.
  if (l.ht == HeaderTermination::kHt1 && f.payload_ies.empty() && !encrypted &&
      l.pt != PayloadTermination::kPresent) {
    return Error::kInvalidArgs;
  }
  if (l.pt == PayloadTermination::kPresent && (l.ht != HeaderTermination::kHt1 || encrypted)) {
    return Error::kInvalidArgs;
  }
  // Without a termination a payload would be read as more IEs.
  if (l.pt == PayloadTermination::kNone && !f.payload_ies.empty() && !f.payload.empty()) {
    return Error::kInvalidArgs;
  }
  if (l.ht == HeaderTermination::kNone && !f.header_ies.empty() && !f.payload.empty()) {
    return Error::kInvalidArgs;
  }
  return l;
}

Error validate(const Frame& f) {
  if (static_cast<unsigned>(f.type) > 3) return Error::kUnsupported;
  if (static_cast<unsigned>(f.version) > 2) return Error::kInvalidArgs;
  if (!validAddrMode(f.dst.mode) || !validAddrMode(f.src.mode)) return Error::kInvalidArgs;
  if (f.version != FrameVersion::k2015) {
    if (f.seq_suppressed || !f.header_ies.empty() || !f.payload_ies.empty()) {
      return Error::kInvalidArgs;
    }
    if (f.header_termination != HeaderTermination::kAuto &&
        f.header_termination != HeaderTermination::kNone) {
      return Error::kInvalidArgs;
    }
    if (f.payload_termination != PayloadTermination::kAuto &&
        f.payload_termination != PayloadTermination::kNone) {
      return Error::kInvalidArgs;
    }
  }
  if (f.version == FrameVersion::k2003 && f.security) return Error::kUnsupported;
  const PanIdPresence p = panIdPresence(f.version, f.dst.mode, f.src.mode, f.pan_id_compression);
  if (!p.valid || p.dst != f.dst_pan.has_value() || p.src != f.src_pan.has_value()) {
    return Error::kInvalidArgs;
  }
  if (f.security) {
    if (f.secured && f.mic.size() != micLength(f.security->level)) return Error::kInvalidArgs;
    if (isEncryptedForm(f) && !f.payload_ies.empty()) return Error::kInvalidArgs;
  } else if (f.secured || !f.mic.empty()) {
    return Error::kInvalidArgs;
  }
  if (!f.secured && !f.mic.empty()) return Error::kInvalidArgs;
  return Error::kNone;
}

// Writes the frame; `private_offset` receives the start of the private payload.
template <class Writer>
Error encodeImpl(const Frame& f, Writer& w, std::size_t* private_offset) {
  LPM_TRY(validate(f));
  LPM_TRY_ASSIGN(const IeLayout layout, ieLayout(f));
  const std::size_t start = w.size();
  w.u16le(frameControl(f));
  if (!f.seq_suppressed) w.u8(f.seq);
  if (f.dst_pan) w.u16le(*f.dst_pan);
  writeAddress(w, f.dst);
  if (f.src_pan) w.u16le(*f.src_pan);
  writeAddress(w, f.src);
  if (f.security) f.security->encode(w);
  for (const HeaderIe& ie : f.header_ies)
    LPM_TRY(encodeHeaderIe(w, ie));
  if (layout.ht != HeaderTermination::kNone) LPM_TRY(encodeHeaderTermination(w, layout.ht));
  std::size_t open_payload = 0;
  if (f.version != FrameVersion::k2015) {
    // 2006 §7.5.8.2.1: beacon fields and the command ID are not part of the private payload.
    if (f.type == FrameType::kBeacon) {
      LPM_TRY_ASSIGN(open_payload, legacyBeaconFieldsLength(f.payload));
    } else if (f.type == FrameType::kMacCommand) {
      if (f.payload.empty()) return Error::kInvalidArgs;
      open_payload = 1;
    }
  }
  if (private_offset != nullptr) *private_offset = w.size() - start + open_payload;
  for (const PayloadIe& ie : f.payload_ies)
    LPM_TRY(encodePayloadIe(w, ie));
  if (layout.pt == PayloadTermination::kPresent) LPM_TRY(encodePayloadTermination(w));
  w.bytes(f.payload);
  if (f.secured) w.bytes(f.mic);
  return w.error();
}

Result<Frame> parseImpl(ByteSpan mpdu, bool on_air);

}  // namespace

bool MacAddress::operator==(const MacAddress& o) const {
  if (mode != o.mode) return false;
  if (mode == AddrMode::kShort) return short_addr == o.short_addr;
  if (mode == AddrMode::kExtended) return extended == o.extended;
  return true;
}

PanIdPresence panIdPresence(FrameVersion version, AddrMode dst, AddrMode src,
                            bool pan_id_compression) {
  const bool has_dst = dst != AddrMode::kNone;
  const bool has_src = src != AddrMode::kNone;
  PanIdPresence p;
  if (version != FrameVersion::k2015) {
    // 802.15.4-2006 §7.2.1.5: compression only when both addresses are present.
    if (pan_id_compression && !(has_dst && has_src)) {
      p.valid = false;
      return p;
    }
    p.dst = has_dst;
    p.src = has_src && !pan_id_compression;
    return p;
  }
  // 15.4-2015 Table 7-2.
  if (!has_dst && !has_src) {
    p.dst = pan_id_compression;
  } else if (!has_dst && has_src) {
    p.src = !pan_id_compression;
  } else if (!has_src || (dst == AddrMode::kExtended && src == AddrMode::kExtended)) {
    // Destination only, or both extended: the destination PAN ID unless compressed.
    p.dst = !pan_id_compression;
  } else {
    p.dst = true;
    p.src = !pan_id_compression;
  }
  return p;
}

Result<bool> choosePanIdCompression(FrameVersion version, AddrMode dst, AddrMode src,
                                    bool dst_pan_present, bool src_pan_present) {
  for (bool comp : {false, true}) {
    const PanIdPresence p = panIdPresence(version, dst, src, comp);
    if (p.valid && p.dst == dst_pan_present && p.src == src_pan_present) return comp;
  }
  return Error::kInvalidArgs;
}

HeaderTermination effectiveHeaderTermination(const Frame& f) {
  return f.header_termination == HeaderTermination::kAuto ? autoHeaderTermination(f)
                                                          : f.header_termination;
}

PayloadTermination effectivePayloadTermination(const Frame& f) {
  return f.payload_termination == PayloadTermination::kAuto ? autoPayloadTermination(f)
                                                            : f.payload_termination;
}

std::uint16_t frameControl(const Frame& f) {
  unsigned fc = static_cast<unsigned>(f.type) & 7U;
  if (f.security) fc |= 1U << kFcSecurity;
  if (f.frame_pending) fc |= 1U << kFcPending;
  if (f.ack_request) fc |= 1U << kFcAckRequest;
  if (f.pan_id_compression) fc |= 1U << kFcPanIdCompression;
  if (f.seq_suppressed) fc |= 1U << kFcSeqSuppression;
  if (!f.header_ies.empty() || effectiveHeaderTermination(f) != HeaderTermination::kNone) {
    fc |= 1U << kFcIePresent;
  }
  fc |= (static_cast<unsigned>(f.dst.mode) & 3U) << kFcDstMode;
  fc |= (static_cast<unsigned>(f.version) & 3U) << kFcVersion;
  fc |= (static_cast<unsigned>(f.src.mode) & 3U) << kFcSrcMode;
  return static_cast<std::uint16_t>(fc);
}

Result<std::size_t> legacyBeaconFieldsLength(ByteSpan beacon_payload) {
  // 802.15.4-2006 Figure 44: Superframe Specification (2), GTS fields, pending addresses.
  ByteReader r(beacon_payload);
  r.skip(2);
  const std::uint8_t gts_spec = r.u8();
  const unsigned gts_count = gts_spec & 7U;
  if (gts_count > 0) r.skip(1 + 3 * gts_count);  // directions + descriptors
  const std::uint8_t pending = r.u8();
  r.skip(2U * (pending & 7U) + 8U * ((pending >> 4) & 7U));
  if (!r.ok()) return r.error();
  return r.position();
}

Result<Frame> Frame::parse(ByteSpan mpdu) {
  return parseImpl(mpdu, true);
}
Result<Frame> Frame::parsePlaintext(ByteSpan mpdu) {
  return parseImpl(mpdu, false);
}

namespace {

Result<Frame> parseImpl(ByteSpan mpdu, bool on_air) {
  ByteReader r(mpdu);
  const std::uint16_t fc = r.u16le();
  if (!r.ok()) return r.error();
  Frame f;
  const unsigned type = fc & 7U;
  if (type > 3) return Error::kUnsupported;  // reserved, multipurpose, fragment, extended
  f.type = static_cast<FrameType>(type);
  const unsigned version = bits::get<unsigned>(fc, kFcVersion, 2);
  if (version > 2) return Error::kUnsupported;
  f.version = static_cast<FrameVersion>(version);
  if (bits::test(fc, kFcReserved)) return Error::kMalformed;
  const bool security = bits::test(fc, kFcSecurity);
  f.frame_pending = bits::test(fc, kFcPending);
  f.ack_request = bits::test(fc, kFcAckRequest);
  f.pan_id_compression = bits::test(fc, kFcPanIdCompression);
  f.seq_suppressed = bits::test(fc, kFcSeqSuppression);
  const bool ie_present = bits::test(fc, kFcIePresent);
  const unsigned dst_mode = bits::get<unsigned>(fc, kFcDstMode, 2);
  const unsigned src_mode = bits::get<unsigned>(fc, kFcSrcMode, 2);
  // Bits 8 and 9 are reserved before 802.15.4e / 2015.
  if (f.version != FrameVersion::k2015 && (f.seq_suppressed || ie_present)) {
    return Error::kMalformed;
  }
  if (dst_mode == 1 || src_mode == 1) return Error::kMalformed;  // reserved mode
  // 2003 security prepends its own fields to the payload; not handled.
  if (f.version == FrameVersion::k2003 && security) return Error::kUnsupported;
  f.dst.mode = static_cast<AddrMode>(dst_mode);
  f.src.mode = static_cast<AddrMode>(src_mode);
  if (!f.seq_suppressed) f.seq = r.u8();
  const PanIdPresence p = panIdPresence(f.version, f.dst.mode, f.src.mode, f.pan_id_compression);
  if (!p.valid) return Error::kMalformed;
  if (p.dst) f.dst_pan = r.u16le();
  LPM_TRY_ASSIGN(f.dst, readAddress(r, f.dst.mode));
  if (p.src) f.src_pan = r.u16le();
  LPM_TRY_ASSIGN(f.src, readAddress(r, f.src.mode));
  if (!r.ok()) return r.error();
  std::size_t mic_len = 0;
  if (security) {
    LPM_TRY_ASSIGN(f.security, AuxSecurityHeader::parse(r));
    if (on_air) {
      mic_len = micLength(f.security->level);
      f.secured = true;
    }
  }
  const ByteSpan rest = r.rest();
  if (rest.size() < mic_len) return Error::kTruncated;
  const ByteSpan body = rest.first(rest.size() - mic_len);
  f.mic.assign(rest.end() - static_cast<std::ptrdiff_t>(mic_len), rest.end());
  const bool encrypted = isEncryptedForm(f);

  HeaderTermination ht_seen = HeaderTermination::kNone;
  PayloadTermination pt_seen = PayloadTermination::kNone;
  ByteSpan payload = body;
  if (ie_present) {
    if (body.empty()) return Error::kTruncated;  // IE Present but no IE
    LPM_TRY_ASSIGN(const std::size_t hlen, parseHeaderIeList(body, f.header_ies, ht_seen));
    ByteSpan after = body.subspan(hlen);
    if (ht_seen == HeaderTermination::kHt1 && !encrypted) {
      if (after.empty()) return Error::kTruncated;  // HT1 promises payload IEs
      bool terminated = false;
      LPM_TRY_ASSIGN(const std::size_t plen, parsePayloadIeList(after, f.payload_ies, terminated));
      if (terminated) pt_seen = PayloadTermination::kPresent;
      after = after.subspan(plen);
    }
    payload = after;
  }
  f.payload.assign(payload.begin(), payload.end());

  // Record the terminations only where the encoder's automatic choice would differ.
  f.header_termination = ht_seen == autoHeaderTermination(f) ? HeaderTermination::kAuto : ht_seen;
  f.payload_termination =
      pt_seen == autoPayloadTermination(f) ? PayloadTermination::kAuto : pt_seen;

  if (f.version != FrameVersion::k2015) {
    if (f.type == FrameType::kBeacon) {
      LPM_TRY(legacyBeaconFieldsLength(f.payload).error());
    } else if (f.type == FrameType::kMacCommand && f.payload.empty()) {
      return Error::kTruncated;  // command ID missing
    }
  } else if (f.type == FrameType::kMacCommand && !encrypted && f.payload.empty()) {
    return Error::kTruncated;
  }
  return f;
}

}  // namespace

template <class Writer>
Error Frame::encodeTo(Writer& w) const {
  return encodeImpl(*this, w, nullptr);
}
template Error Frame::encodeTo<ByteWriter>(ByteWriter&) const;
template Error Frame::encodeTo<VectorWriter>(VectorWriter&) const;

Result<std::size_t> Frame::encode(MutableByteSpan out) const {
  ByteWriter w(out);
  LPM_TRY(encodeImpl(*this, w, nullptr));
  return w.size();
}

Result<Bytes> Frame::encode() const {
  Bytes out;
  VectorWriter w(out);
  LPM_TRY(encodeImpl(*this, w, nullptr));
  return out;
}

Result<std::size_t> Frame::privatePayloadOffset() const {
  Bytes out;
  VectorWriter w(out);
  std::size_t offset = 0;
  LPM_TRY(encodeImpl(*this, w, &offset));
  return offset;
}

std::uint16_t fcs16(ByteSpan data) {
  // CRC-16/KERMIT: reflected 0x1021 (0x8408), init 0, no final XOR.
  std::uint16_t crc = 0;
  for (std::uint8_t b : data) {
    crc = static_cast<std::uint16_t>(crc ^ b);
    for (int i = 0; i < 8; ++i) {
      crc = static_cast<std::uint16_t>((crc & 1U) != 0 ? (crc >> 1) ^ 0x8408U : crc >> 1);
    }
  }
  return crc;
}

Bytes appendFcs(ByteSpan mpdu) {
  Bytes out(mpdu.begin(), mpdu.end());
  const std::uint16_t fcs = fcs16(mpdu);
  out.push_back(static_cast<std::uint8_t>(fcs));
  out.push_back(static_cast<std::uint8_t>(fcs >> 8));
  return out;
}

Result<ByteSpan> stripFcs(ByteSpan psdu) {
  if (psdu.size() < 2) return Error::kTruncated;
  const ByteSpan mpdu = psdu.first(psdu.size() - 2);
  const auto fcs = static_cast<std::uint16_t>(psdu[psdu.size() - 2] | (psdu.back() << 8));
  if (fcs16(mpdu) != fcs) return Error::kMalformed;
  return mpdu;
}

}  // namespace lpm::ieee802154
