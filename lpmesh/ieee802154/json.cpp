#include "lpmesh/ieee802154/json.hpp"

#include <cstdio>
#include <string>
#include <type_traits>

#include "lpmesh/core/hex.hpp"
#include "lpmesh/ieee802154/security.hpp"

namespace lpm::ieee802154 {
namespace {

std::string hex16(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
  return buf;
}

std::string euiText(const Eui64& e) {
  std::string s;
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (i != 0) s.push_back(':');
    s += toHex(ByteSpan(&e[i], 1));
  }
  return s;
}

const char* addrModeName(AddrMode m) {
  switch (m) {
    case AddrMode::kNone:
      return "none";
    case AddrMode::kShort:
      return "short";
    case AddrMode::kExtended:
      return "extended";
  }
  return "reserved";
}

Json addressJson(const MacAddress& a) {
  if (a.mode == AddrMode::kShort) return hex16(a.short_addr);
  if (a.mode == AddrMode::kExtended) return euiText(a.extended);
  return nullptr;
}

const char* headerTerminationName(HeaderTermination t) {
  switch (t) {
    case HeaderTermination::kHt1:
      return "ht1";
    case HeaderTermination::kHt2:
      return "ht2";
    default:
      return "none";
  }
}

const char* versionName(FrameVersion v) {
  switch (v) {
    case FrameVersion::k2003:
      return "2003";
    case FrameVersion::k2006:
      return "2006";
    case FrameVersion::k2015:
      return "2015";
  }
  return "reserved";
}

Json linkOptionsJson(std::uint8_t o) {
  Json j;
  j["value"] = o;
  j["tx"] = (o & kLinkTx) != 0;
  j["rx"] = (o & kLinkRx) != 0;
  j["shared"] = (o & kLinkShared) != 0;
  j["timekeeping"] = (o & kLinkTimekeeping) != 0;
  j["priority"] = (o & kLinkPriority) != 0;
  return j;
}

}  // namespace

const char* frameTypeName(FrameType t) {
  switch (t) {
    case FrameType::kBeacon:
      return "beacon";
    case FrameType::kData:
      return "data";
    case FrameType::kAck:
      return "ack";
    case FrameType::kMacCommand:
      return "command";
    case FrameType::kMultipurpose:
      return "multipurpose";
    case FrameType::kFragment:
      return "fragment";
    case FrameType::kExtended:
      return "extended";
    case FrameType::kReserved:
      break;
  }
  return "reserved";
}

const char* securityLevelName(SecurityLevel l) {
  switch (l) {
    case SecurityLevel::kNone:
      return "none";
    case SecurityLevel::kMic32:
      return "mic-32";
    case SecurityLevel::kMic64:
      return "mic-64";
    case SecurityLevel::kMic128:
      return "mic-128";
    case SecurityLevel::kEnc:
      return "enc";
    case SecurityLevel::kEncMic32:
      return "enc-mic-32";
    case SecurityLevel::kEncMic64:
      return "enc-mic-64";
    case SecurityLevel::kEncMic128:
      return "enc-mic-128";
  }
  return "reserved";
}

Json auxSecurityToJson(const AuxSecurityHeader& h) {
  Json j;
  j["security_level"] = static_cast<unsigned>(h.level);
  j["security_level_name"] = securityLevelName(h.level);
  j["key_id_mode"] = static_cast<unsigned>(h.key_id_mode);
  j["frame_counter_suppressed"] = h.frame_counter_suppressed;
  j["asn_in_nonce"] = h.asn_in_nonce;
  if (!h.frame_counter_suppressed) j["frame_counter"] = h.frame_counter;
  const std::size_t src_len = keySourceLength(h.key_id_mode);
  if (src_len > 0) j["key_source"] = toHex(ByteSpan(h.key_source.data(), src_len));
  if (h.key_id_mode != KeyIdMode::kImplicit) j["key_index"] = h.key_index;
  j["mic_length"] = micLength(h.level);
  return j;
}

Json headerIeToJson(const HeaderIe& ie) {
  Json j;
  if (const auto* tc = std::get_if<TimeCorrectionIe>(&ie)) {
    j["element_id"] = kHeaderIeTimeCorrection;
    j["name"] = "ack_nack_time_correction";
    j["time_correction_us"] = tc->time_correction_us;
    j["nack"] = tc->nack;
    if (tc->reserved_bits != 0) j["reserved_bits"] = tc->reserved_bits;
    return j;
  }
  const auto& raw = std::get<UnknownHeaderIe>(ie);
  j["element_id"] = raw.element_id;
  j["name"] = "unknown";
  j["content"] = toHex(raw.content);
  return j;
}

Json mlmeSubIeToJson(const MlmeSubIe& ie) {
  Json j;
  std::visit(
      [&](const auto& sub) {
        using T = std::decay_t<decltype(sub)>;
        if constexpr (std::is_same_v<T, TschSynchronizationIe>) {
          j["sub_id"] = kSubIeTschSynchronization;
          j["form"] = "short";
          j["name"] = "tsch_synchronization";
          j["asn"] = sub.asn;
          j["join_metric"] = sub.join_metric;
        } else if constexpr (std::is_same_v<T, TschSlotframeLinkIe>) {
          j["sub_id"] = kSubIeTschSlotframeLink;
          j["form"] = "short";
          j["name"] = "tsch_slotframe_and_link";
          Json sfs = Json::array();
          for (const SlotframeInfo& sf : sub.slotframes) {
            Json s;
            s["handle"] = sf.handle;
            s["size"] = sf.size;
            Json links = Json::array();
            for (const LinkInfo& l : sf.links) {
              Json lj;
              lj["timeslot"] = l.timeslot;
              lj["channel_offset"] = l.channel_offset;
              lj["options"] = linkOptionsJson(l.options);
              links.push_back(std::move(lj));
            }
            s["links"] = std::move(links);
            sfs.push_back(std::move(s));
          }
          j["slotframes"] = std::move(sfs);
        } else if constexpr (std::is_same_v<T, TschTimeslotIe>) {
          j["sub_id"] = kSubIeTschTimeslot;
          j["form"] = "short";
          j["name"] = "tsch_timeslot";
          j["template_id"] = sub.template_id;
          if (sub.timing) {
            const TimeslotTiming& t = *sub.timing;
            Json tj;
            tj["cca_offset"] = t.cca_offset;
            tj["cca"] = t.cca;
            tj["tx_offset"] = t.tx_offset;
            tj["rx_offset"] = t.rx_offset;
            tj["rx_ack_delay"] = t.rx_ack_delay;
            tj["tx_ack_delay"] = t.tx_ack_delay;
            tj["rx_wait"] = t.rx_wait;
            tj["ack_wait"] = t.ack_wait;
            tj["rx_tx"] = t.rx_tx;
            tj["max_ack"] = t.max_ack;
            tj["max_tx"] = t.max_tx;
            tj["timeslot_length"] = t.timeslot_length;
            tj["wide_fields"] = t.wide_fields;
            j["timing_us"] = std::move(tj);
          }
        } else if constexpr (std::is_same_v<T, ChannelHoppingIe>) {
          j["sub_id"] = kSubIeChannelHopping;
          j["form"] = "long";
          j["name"] = "channel_hopping";
          j["hopping_sequence_id"] = sub.sequence_id;
          if (sub.full) {
            const ChannelHoppingFull& f = *sub.full;
            j["channel_page"] = f.channel_page;
            j["number_of_channels"] = f.number_of_channels;
            j["phy_configuration"] = f.phy_configuration;
            if (!f.extended_bitmap.empty()) j["extended_bitmap"] = toHex(f.extended_bitmap);
            j["hopping_sequence"] = f.sequence;
            j["current_hop"] = f.current_hop;
            if (f.one_byte_entries) j["one_byte_entries"] = true;
          }
        } else {
          j["sub_id"] = sub.sub_id;
          j["form"] = sub.long_form ? "long" : "short";
          j["name"] = "unknown";
          j["content"] = toHex(sub.content);
        }
      },
      ie);
  return j;
}

Json payloadIeToJson(const PayloadIe& ie) {
  Json j;
  if (const auto* mlme = std::get_if<MlmeIe>(&ie)) {
    j["group_id"] = kPayloadIeMlme;
    j["name"] = "mlme";
    Json subs = Json::array();
    for (const MlmeSubIe& sub : mlme->sub_ies)
      subs.push_back(mlmeSubIeToJson(sub));
    j["sub_ies"] = std::move(subs);
  } else if (const auto* ietf = std::get_if<IetfIe>(&ie)) {
    j["group_id"] = kPayloadIeIetf;
    j["name"] = "ietf";
    j["sub_id"] = ietf->sub_id;
    j["content"] = toHex(ietf->content);
  } else {
    const auto& raw = std::get<UnknownPayloadIe>(ie);
    j["group_id"] = raw.group_id;
    j["name"] = "unknown";
    j["content"] = toHex(raw.content);
  }
  return j;
}

Json frameToJson(const Frame& f) {
  Json j;
  const std::uint16_t fc = frameControl(f);
  j["frame_control"] = hex16(fc);
  j["frame_type"] = frameTypeName(f.type);
  j["frame_version"] = versionName(f.version);
  j["security_enabled"] = f.security.has_value();
  j["frame_pending"] = f.frame_pending;
  j["ack_request"] = f.ack_request;
  j["pan_id_compression"] = f.pan_id_compression;
  j["seq_suppressed"] = f.seq_suppressed;
  j["ie_present"] = (fc & 0x0200U) != 0;
  if (!f.seq_suppressed) j["seq"] = f.seq;
  j["dst_addr_mode"] = addrModeName(f.dst.mode);
  if (f.dst_pan) j["dst_pan"] = hex16(*f.dst_pan);
  if (!f.dst.isNone()) j["dst_addr"] = addressJson(f.dst);
  j["src_addr_mode"] = addrModeName(f.src.mode);
  if (f.src_pan) j["src_pan"] = hex16(*f.src_pan);
  if (!f.src.isNone()) j["src_addr"] = addressJson(f.src);
  if (f.security) j["aux_security"] = auxSecurityToJson(*f.security);
  if (f.version == FrameVersion::k2015) {
    Json hies = Json::array();
    for (const HeaderIe& ie : f.header_ies)
      hies.push_back(headerIeToJson(ie));
    j["header_ies"] = std::move(hies);
    j["header_termination"] = headerTerminationName(effectiveHeaderTermination(f));
    const bool encrypted = f.secured && f.security && isEncrypting(f.security->level);
    if (!encrypted) {
      Json pies = Json::array();
      for (const PayloadIe& ie : f.payload_ies)
        pies.push_back(payloadIeToJson(ie));
      j["payload_ies"] = std::move(pies);
      j["payload_termination"] = effectivePayloadTermination(f) == PayloadTermination::kPresent;
    }
  }
  if (f.secured && f.security && isEncrypting(f.security->level)) {
    j["encrypted_payload"] = toHex(f.payload);
  } else {
    j["payload"] = toHex(f.payload);
    if (f.type == FrameType::kMacCommand && !f.payload.empty()) j["command_id"] = f.payload[0];
  }
  if (f.secured && !f.mic.empty()) j["mic"] = toHex(f.mic);
  return j;
}

Json decodeToJson(ByteSpan bytes, const DecodeOptions& options) {
  Json out;
  ByteSpan mpdu = bytes;
  if (options.with_fcs) {
    if (bytes.size() < 2) {
      out["error"] = errorName(Error::kTruncated);
      return out;
    }
    mpdu = bytes.first(bytes.size() - 2);
    const auto fcs = static_cast<std::uint16_t>(bytes[bytes.size() - 2] | (bytes.back() << 8));
    Json fj;
    fj["value"] = hex16(fcs);
    fj["ok"] = fcs16(mpdu) == fcs;
    out["fcs"] = std::move(fj);
  }
  out["length"] = mpdu.size();
  auto parsed = Frame::parse(mpdu);
  if (!parsed) {
    out["error"] = errorName(parsed.error());
    return out;
  }
  const Frame& f = *parsed;
  out["frame"] = frameToJson(f);
  if (!f.security || options.keys.empty()) return out;

  Json sec;
  const AuxSecurityHeader& h = *f.security;
  const crypto::Key128* key = nullptr;
  for (const auto& [index, k] : options.keys) {
    if (h.key_id_mode == KeyIdMode::kImplicit || index == h.key_index) {
      key = &k;
      break;
    }
  }
  std::optional<Eui64> originator = sourceEui64(f);
  if (!originator) originator = options.originator;
  std::optional<std::uint64_t> asn = options.asn;
  if (usesAsnNonce(h) && !asn && !isEncrypting(h.level)) {
    // Leap of faith on a first EB: authenticate it with the ASN it carries.
    if (const auto* sync = findMlmeSubIe<TschSynchronizationIe>(f.payload_ies)) {
      asn = sync->asn;
      sec["asn_source"] = "tsch_synchronization_ie";
    }
  }
  if (key == nullptr) {
    sec["status"] = "no_key";
  } else if (!originator) {
    sec["status"] = "no_originator";
  } else if (usesAsnNonce(h) && !asn) {
    sec["status"] = "no_asn";
  } else {
    const auto nonce = frameNonce(h, *originator, asn);
    sec["originator"] = euiText(*originator);
    if (asn) sec["asn"] = *asn;
    sec["nonce"] = toHex(*nonce);
    auto plain = unsecureFrame(f, *key, *nonce);
    if (plain) {
      sec["status"] = "verified";
      out["security"] = std::move(sec);
      out["decrypted"] = frameToJson(*plain);
      return out;
    }
    sec["status"] = errorName(plain.error());
  }
  out["security"] = std::move(sec);
  return out;
}

}  // namespace lpm::ieee802154
