#include "lpmesh/ieee802154/tsch_frames.hpp"

#include <algorithm>

namespace lpm::ieee802154 {

namespace {

// PAN ID Compression per 15.4-2015 Table 7-2 for the wanted PAN ID fields; every
// combination used here exists in the table.
bool panIdCompressionFor(AddrMode dst, AddrMode src, bool dst_pan, bool src_pan) {
  return choosePanIdCompression(FrameVersion::k2015, dst, src, dst_pan, src_pan).valueOr(false);
}

}  // namespace

AuxSecurityHeader tschSecurityHeader(SecurityLevel level, std::uint8_t key_index) {
  AuxSecurityHeader h;
  h.level = level;
  h.key_id_mode = KeyIdMode::kIndex;
  h.frame_counter_suppressed = true;
  h.asn_in_nonce = true;
  h.key_index = key_index;
  return h;
}

Frame buildEb(const Eui64& source, std::uint16_t pan_id, std::uint8_t seq, const EbContent& content,
              std::optional<AuxSecurityHeader> security) {
  Frame f;
  f.type = FrameType::kBeacon;
  f.version = FrameVersion::k2015;
  f.seq = seq;
  f.dst = MacAddress::fromShort(kBroadcastShortAddr);
  f.src = MacAddress::fromExtended(source);
  // RFC 8180 §4.5.1: destination PAN ID present, source PAN ID not.
  f.dst_pan = pan_id;
  f.pan_id_compression = panIdCompressionFor(AddrMode::kShort, AddrMode::kExtended, true, false);
  f.security = security;
  MlmeIe mlme;
  mlme.sub_ies.emplace_back(content.sync);
  mlme.sub_ies.emplace_back(content.timeslot);
  mlme.sub_ies.emplace_back(content.hopping);
  if (content.slotframe_link) mlme.sub_ies.emplace_back(*content.slotframe_link);
  f.payload_ies.emplace_back(std::move(mlme));
  for (const IetfIe& ietf : content.ietf)
    f.payload_ies.emplace_back(ietf);
  return f;
}

Result<EbContent> parseEb(const Frame& eb) {
  if (eb.type != FrameType::kBeacon || eb.version != FrameVersion::k2015) return Error::kDropped;
  const auto* sync = findMlmeSubIe<TschSynchronizationIe>(eb.payload_ies);
  if (sync == nullptr) return Error::kNotFound;
  EbContent c;
  c.sync = *sync;
  if (const auto* ts = findMlmeSubIe<TschTimeslotIe>(eb.payload_ies)) c.timeslot = *ts;
  if (const auto* ch = findMlmeSubIe<ChannelHoppingIe>(eb.payload_ies)) c.hopping = *ch;
  if (const auto* sfl = findMlmeSubIe<TschSlotframeLinkIe>(eb.payload_ies)) {
    c.slotframe_link = *sfl;
  }
  for (const PayloadIe& pie : eb.payload_ies) {
    if (const auto* ietf = std::get_if<IetfIe>(&pie)) c.ietf.push_back(*ietf);
  }
  return c;
}

Frame buildData(const Eui64& source, const std::optional<Eui64>& dest, std::uint16_t pan_id,
                std::uint8_t seq, ByteSpan payload, std::optional<AuxSecurityHeader> security) {
  Frame f;
  f.type = FrameType::kData;
  f.version = FrameVersion::k2015;
  f.seq = seq;
  f.src = MacAddress::fromExtended(source);
  f.dst = dest ? MacAddress::fromExtended(*dest) : MacAddress::fromShort(kBroadcastShortAddr);
  f.ack_request = dest.has_value();
  f.dst_pan = pan_id;
  f.pan_id_compression = panIdCompressionFor(f.dst.mode, AddrMode::kExtended, true, false);
  f.security = security;
  f.payload.assign(payload.begin(), payload.end());
  return f;
}

Frame buildEnhancedAck(const Eui64& dest, std::uint8_t seq, std::int16_t time_correction_us,
                       bool nack, std::optional<AuxSecurityHeader> security,
                       std::optional<Eui64> source) {
  Frame f;
  f.type = FrameType::kAck;
  f.version = FrameVersion::k2015;
  f.seq = seq;
  f.dst = MacAddress::fromExtended(dest);
  if (source) f.src = MacAddress::fromExtended(*source);
  // RFC 8180 A.3: no PAN ID (and no source address unless asked for).
  f.pan_id_compression = panIdCompressionFor(AddrMode::kExtended, f.src.mode, false, false);
  f.security = security;
  TimeCorrectionIe tc;
  tc.time_correction_us = time_correction_us;
  tc.nack = nack;
  f.header_ies.emplace_back(tc);
  return f;
}

std::int16_t clampTimeCorrectionUs(std::int64_t us) {
  return static_cast<std::int16_t>(std::clamp<std::int64_t>(us, -2048, 2047));
}

}  // namespace lpm::ieee802154
