#include "lpmesh/ieee802154/ie.hpp"

#include <type_traits>

namespace lpm::ieee802154 {
namespace {

// Header IE descriptor (15.4-2015 Figure 7-22): length b0-6, element ID b7-14, type b15 = 0.
constexpr std::uint16_t headerDescriptor(std::size_t len, std::uint8_t id) {
  return static_cast<std::uint16_t>((len & 0x7fU) | (static_cast<unsigned>(id) << 7));
}
// Payload IE descriptor (Figure 7-23): length b0-10, group ID b11-14, type b15 = 1.
constexpr std::uint16_t payloadDescriptor(std::size_t len, std::uint8_t group) {
  return static_cast<std::uint16_t>((len & 0x7ffU) | ((group & 0xfU) << 11) | 0x8000U);
}
// Sub-IE descriptors (Figures 7-47 / 7-48).
constexpr std::uint16_t shortSubDescriptor(std::size_t len, std::uint8_t id) {
  return static_cast<std::uint16_t>((len & 0xffU) | ((id & 0x7fU) << 8));
}
constexpr std::uint16_t longSubDescriptor(std::size_t len, std::uint8_t id) {
  return static_cast<std::uint16_t>((len & 0x7ffU) | ((id & 0xfU) << 11) | 0x8000U);
}

std::uint16_t readU16le(ByteSpan s, std::size_t at) {
  return static_cast<std::uint16_t>(s[at] | (s[at + 1] << 8));
}

// Reserves a descriptor word; closeDescriptor() patches it once the content is written.
template <class Writer>
std::size_t openDescriptor(Writer& w) {
  const std::size_t pos = w.size();
  w.u16le(0);
  return pos;
}

template <class Writer, class MakeDescriptor>
Error closeDescriptor(Writer& w, std::size_t pos, std::size_t max_len, MakeDescriptor make) {
  if (!w.ok()) return w.error();
  const std::size_t len = w.size() - pos - 2;
  if (len > max_len) {
    w.fail(Error::kTooLong);
    return Error::kTooLong;
  }
  const std::uint16_t d = make(len);
  std::uint8_t* p = w.at(pos);
  p[0] = static_cast<std::uint8_t>(d);
  p[1] = static_cast<std::uint8_t>(d >> 8);
  return Error::kNone;
}

// Content encoders.
template <class Writer>
Error encodeContent(Writer& w, const TimeCorrectionIe& ie) {
  if (ie.time_correction_us < -2048 || ie.time_correction_us > 2047 || ie.reserved_bits > 7) {
    return Error::kInvalidArgs;
  }
  const auto word = static_cast<std::uint16_t>(
      (static_cast<std::uint16_t>(ie.time_correction_us) & 0x0fffU) |
      (static_cast<unsigned>(ie.reserved_bits) << 12) | (ie.nack ? 0x8000U : 0U));
  w.u16le(word);
  return Error::kNone;
}

template <class Writer>
Error encodeContent(Writer& w, const TschSynchronizationIe& ie) {
  if (ie.asn > 0xffffffffffULL) return Error::kInvalidArgs;
  w.u40le(ie.asn);
  w.u8(ie.join_metric);
  return Error::kNone;
}

template <class Writer>
Error encodeContent(Writer& w, const TschSlotframeLinkIe& ie) {
  if (ie.slotframes.size() > 0xff) return Error::kInvalidArgs;
  w.u8(static_cast<std::uint8_t>(ie.slotframes.size()));
  for (const SlotframeInfo& sf : ie.slotframes) {
    if (sf.links.size() > 0xff) return Error::kInvalidArgs;
    w.u8(sf.handle);
    w.u16le(sf.size);
    w.u8(static_cast<std::uint8_t>(sf.links.size()));
    for (const LinkInfo& l : sf.links) {
      w.u16le(l.timeslot);
      w.u16le(l.channel_offset);
      w.u8(l.options);
    }
  }
  return Error::kNone;
}

template <class Writer>
Error encodeContent(Writer& w, const TschTimeslotIe& ie) {
  w.u8(ie.template_id);
  if (!ie.timing) return Error::kNone;
  const TimeslotTiming& t = *ie.timing;
  for (std::uint16_t v : {t.cca_offset, t.cca, t.tx_offset, t.rx_offset, t.rx_ack_delay,
                          t.tx_ack_delay, t.rx_wait, t.ack_wait, t.rx_tx, t.max_ack}) {
    w.u16le(v);
  }
  if (t.wide_fields) {
    if (t.max_tx > 0xffffff || t.timeslot_length > 0xffffff) return Error::kInvalidArgs;
    w.u24le(t.max_tx);
    w.u24le(t.timeslot_length);
  } else {
    if (t.max_tx > 0xffff || t.timeslot_length > 0xffff) return Error::kInvalidArgs;
    w.u16le(static_cast<std::uint16_t>(t.max_tx));
    w.u16le(static_cast<std::uint16_t>(t.timeslot_length));
  }
  return Error::kNone;
}

template <class Writer>
Error encodeContent(Writer& w, const ChannelHoppingIe& ie) {
  w.u8(ie.sequence_id);
  if (!ie.full) return Error::kNone;
  const ChannelHoppingFull& f = *ie.full;
  if (f.sequence.size() > 0xffff) return Error::kInvalidArgs;
  w.u8(f.channel_page);
  w.u16le(f.number_of_channels);
  w.u32le(f.phy_configuration);
  w.bytes(f.extended_bitmap);
  w.u16le(static_cast<std::uint16_t>(f.sequence.size()));
  for (std::uint16_t ch : f.sequence) {
    if (f.one_byte_entries) {
      if (ch > 0xff) return Error::kInvalidArgs;
      w.u8(static_cast<std::uint8_t>(ch));
    } else {
      w.u16le(ch);
    }
  }
  w.u16le(f.current_hop);
  return Error::kNone;
}

template <class Writer>
Error encodeContent(Writer& w, const MlmeIe& ie) {
  for (const MlmeSubIe& sub : ie.sub_ies)
    LPM_TRY(encodeMlmeSubIe(w, sub));
  return Error::kNone;
}

template <class Writer>
Error encodeContent(Writer& w, const IetfIe& ie) {
  w.u8(ie.sub_id);
  w.bytes(ie.content);
  return Error::kNone;
}

// Maps the inner reader's errors to kMalformed: a typed IE's content is bounded by its
// descriptor, so a short or long content is a malformed IE, not a truncated frame.
Error contentError(const ByteReader& r) {
  if (!r.ok()) return Error::kMalformed;
  return r.atEnd() ? Error::kNone : Error::kMalformed;
}

}  // namespace

Result<TimeCorrectionIe> TimeCorrectionIe::parse(ByteSpan content) {
  if (content.size() != 2) return Error::kMalformed;
  const std::uint16_t word = readU16le(content, 0);
  TimeCorrectionIe ie;
  ie.nack = (word & 0x8000U) != 0;
  ie.reserved_bits = static_cast<std::uint8_t>((word >> 12) & 7U);
  // RFC 8180 A.3: 12-bit two's complement, sign in bit 11.
  int value = word & 0x0fff;
  if ((value & 0x0800) != 0) value -= 0x1000;
  ie.time_correction_us = static_cast<std::int16_t>(value);
  return ie;
}

Result<TschSynchronizationIe> parseTschSynchronization(ByteSpan content) {
  ByteReader r(content);
  TschSynchronizationIe ie;
  ie.asn = r.u40le();
  ie.join_metric = r.u8();
  LPM_TRY(contentError(r));
  return ie;
}

Result<TschSlotframeLinkIe> parseTschSlotframeLink(ByteSpan content) {
  ByteReader r(content);
  TschSlotframeLinkIe ie;
  const std::uint8_t n_sf = r.u8();
  for (unsigned i = 0; i < n_sf && r.ok(); ++i) {
    SlotframeInfo sf;
    sf.handle = r.u8();
    sf.size = r.u16le();
    const std::uint8_t n_links = r.u8();
    // Each link is 5 bytes: refuse a count the content cannot hold before reserving.
    if (!r.ok() || r.remaining() < std::size_t{5} * n_links) return Error::kMalformed;
    sf.links.reserve(n_links);
    for (unsigned j = 0; j < n_links; ++j) {
      LinkInfo l;
      l.timeslot = r.u16le();
      l.channel_offset = r.u16le();
      l.options = r.u8();
      sf.links.push_back(l);
    }
    ie.slotframes.push_back(std::move(sf));
  }
  LPM_TRY(contentError(r));
  return ie;
}

Result<TschTimeslotIe> parseTschTimeslot(ByteSpan content) {
  // 1 byte: ID only; 25: RFC 8180 A.2 form; 27: 3-byte MaxTx and TimeslotLength.
  if (content.size() != 1 && content.size() != 25 && content.size() != 27) {
    return Error::kMalformed;
  }
  ByteReader r(content);
  TschTimeslotIe ie;
  ie.template_id = r.u8();
  if (content.size() == 1) return ie;
  TimeslotTiming t;
  t.cca_offset = r.u16le();
  t.cca = r.u16le();
  t.tx_offset = r.u16le();
  t.rx_offset = r.u16le();
  t.rx_ack_delay = r.u16le();
  t.tx_ack_delay = r.u16le();
  t.rx_wait = r.u16le();
  t.ack_wait = r.u16le();
  t.rx_tx = r.u16le();
  t.max_ack = r.u16le();
  t.wide_fields = content.size() == 27;
  if (t.wide_fields) {
    t.max_tx = r.u24le();
    t.timeslot_length = r.u24le();
  } else {
    t.max_tx = r.u16le();
    t.timeslot_length = r.u16le();
  }
  LPM_TRY(contentError(r));
  ie.timing = t;
  return ie;
}

Result<ChannelHoppingIe> parseChannelHopping(ByteSpan content) {
  if (content.empty()) return Error::kMalformed;
  ChannelHoppingIe ie;
  ie.sequence_id = content[0];
  if (content.size() == 1) return ie;
  // Full form (15.4-2015 Figure 7-72): ID, page, #channels (2), PHY configuration (4),
  // extended bitmap (k), sequence length (2), sequence, current hop (2).
  constexpr std::size_t kFixed = 1 + 1 + 2 + 4 + 2 + 2;
  const std::size_t len = content.size();
  if (len < kFixed) return Error::kMalformed;
  std::size_t bitmap_len = 0;
  bool one_byte = false;
  bool found = false;
  const std::size_t n0 = readU16le(content, 8);
  if (kFixed + 2 * n0 == len) {
    found = true;
  } else if (kFixed + n0 == len) {
    one_byte = true;  // Contiki-NG writes one byte per channel
    found = true;
  } else {
    for (std::size_t k = 1; kFixed + k <= len && !found; ++k) {
      const std::size_t n = readU16le(content, 8 + k);
      if (kFixed + k + 2 * n == len) {
        bitmap_len = k;
        found = true;
      }
    }
  }
  if (!found) return Error::kMalformed;
  ByteReader r(content.subspan(1));
  ChannelHoppingFull f;
  f.channel_page = r.u8();
  f.number_of_channels = r.u16le();
  f.phy_configuration = r.u32le();
  const ByteSpan bitmap = r.bytes(bitmap_len);
  f.extended_bitmap.assign(bitmap.begin(), bitmap.end());
  const std::uint16_t n = r.u16le();
  f.one_byte_entries = one_byte;
  f.sequence.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    f.sequence.push_back(one_byte ? static_cast<std::uint16_t>(r.u8()) : r.u16le());
  }
  f.current_hop = r.u16le();
  LPM_TRY(contentError(r));
  ie.full = std::move(f);
  return ie;
}

Result<MlmeIe> parseMlmeContent(ByteSpan content) {
  ByteReader r(content);
  MlmeIe mlme;
  while (!r.atEnd()) {
    if (r.remaining() < 2) return Error::kMalformed;
    const std::uint16_t d = r.u16le();
    const bool long_form = (d & 0x8000U) != 0;
    const std::size_t len = long_form ? (d & 0x7ffU) : (d & 0xffU);
    const auto id = static_cast<std::uint8_t>(long_form ? ((d >> 11) & 0xfU) : ((d >> 8) & 0x7fU));
    // A sub-IE longer than what is left of its MLME IE is malformed (not truncated).
    if (len > r.remaining()) return Error::kMalformed;
    const ByteSpan sub = r.bytes(len);
    if (!long_form && id == kSubIeTschSynchronization) {
      LPM_TRY_ASSIGN(auto ie, parseTschSynchronization(sub));
      mlme.sub_ies.emplace_back(ie);
    } else if (!long_form && id == kSubIeTschSlotframeLink) {
      LPM_TRY_ASSIGN(auto ie, parseTschSlotframeLink(sub));
      mlme.sub_ies.emplace_back(std::move(ie));
    } else if (!long_form && id == kSubIeTschTimeslot) {
      LPM_TRY_ASSIGN(auto ie, parseTschTimeslot(sub));
      mlme.sub_ies.emplace_back(ie);
    } else if (long_form && id == kSubIeChannelHopping) {
      LPM_TRY_ASSIGN(auto ie, parseChannelHopping(sub));
      mlme.sub_ies.emplace_back(std::move(ie));
    } else {
      mlme.sub_ies.emplace_back(UnknownSubIe{long_form, id, Bytes(sub.begin(), sub.end())});
    }
  }
  return mlme;
}

Result<std::size_t> parseHeaderIeList(ByteSpan data, std::vector<HeaderIe>& out,
                                      HeaderTermination& termination) {
  ByteReader r(data);
  termination = HeaderTermination::kNone;
  while (!r.atEnd()) {
    const std::uint16_t d = r.u16le();
    if (!r.ok()) return r.error();
    // A payload-IE descriptor where a header IE must be (15.4-2015 §7.4.1).
    if ((d & 0x8000U) != 0) return Error::kMalformed;
    const std::size_t len = d & 0x7fU;
    const auto id = static_cast<std::uint8_t>((d >> 7) & 0xffU);
    const ByteSpan content = r.bytes(len);
    if (!r.ok()) return r.error();
    if (id == kHeaderIeTermination1 || id == kHeaderIeTermination2) {
      if (len != 0) return Error::kMalformed;
      termination = id == kHeaderIeTermination1 ? HeaderTermination::kHt1 : HeaderTermination::kHt2;
      break;
    }
    if (id == kHeaderIeTimeCorrection) {
      LPM_TRY_ASSIGN(auto ie, TimeCorrectionIe::parse(content));
      out.emplace_back(ie);
    } else {
      out.emplace_back(UnknownHeaderIe{id, Bytes(content.begin(), content.end())});
    }
  }
  return r.position();
}

Result<std::size_t> parsePayloadIeList(ByteSpan data, std::vector<PayloadIe>& out,
                                       bool& terminated) {
  ByteReader r(data);
  terminated = false;
  while (!r.atEnd()) {
    const std::uint16_t d = r.u16le();
    if (!r.ok()) return r.error();
    if ((d & 0x8000U) == 0) return Error::kMalformed;  // header-IE descriptor
    const std::size_t len = d & 0x7ffU;
    const auto group = static_cast<std::uint8_t>((d >> 11) & 0xfU);
    const ByteSpan content = r.bytes(len);
    if (!r.ok()) return r.error();
    if (group == kPayloadIeTermination) {
      if (len != 0) return Error::kMalformed;
      terminated = true;
      break;
    }
    if (group == kPayloadIeMlme) {
      LPM_TRY_ASSIGN(auto mlme, parseMlmeContent(content));
      out.emplace_back(std::move(mlme));
    } else if (group == kPayloadIeIetf) {
      // RFC 8137: the IETF IE content starts with its sub-ID.
      if (content.empty()) return Error::kMalformed;
      out.emplace_back(IetfIe{content[0], Bytes(content.begin() + 1, content.end())});
    } else {
      out.emplace_back(UnknownPayloadIe{group, Bytes(content.begin(), content.end())});
    }
  }
  return r.position();
}

template <class Writer>
Error encodeHeaderIe(Writer& w, const HeaderIe& ie) {
  if (const auto* tc = std::get_if<TimeCorrectionIe>(&ie)) {
    const std::size_t pos = openDescriptor(w);
    LPM_TRY(encodeContent(w, *tc));
    return closeDescriptor(w, pos, kMaxHeaderIeContent, [](std::size_t n) {
      return headerDescriptor(n, kHeaderIeTimeCorrection);
    });
  }
  const auto& raw = std::get<UnknownHeaderIe>(ie);
  if (raw.element_id == kHeaderIeTermination1 || raw.element_id == kHeaderIeTermination2) {
    return Error::kInvalidArgs;
  }
  const std::size_t pos = openDescriptor(w);
  w.bytes(raw.content);
  const std::uint8_t id = raw.element_id;
  return closeDescriptor(w, pos, kMaxHeaderIeContent,
                         [id](std::size_t n) { return headerDescriptor(n, id); });
}

template <class Writer>
Error encodeHeaderTermination(Writer& w, HeaderTermination t) {
  if (t != HeaderTermination::kHt1 && t != HeaderTermination::kHt2) return Error::kInvalidArgs;
  w.u16le(headerDescriptor(
      0, t == HeaderTermination::kHt1 ? kHeaderIeTermination1 : kHeaderIeTermination2));
  return w.error();
}

template <class Writer>
Error encodePayloadIe(Writer& w, const PayloadIe& ie) {
  const std::size_t pos = openDescriptor(w);
  std::uint8_t group = 0;
  if (const auto* mlme = std::get_if<MlmeIe>(&ie)) {
    group = kPayloadIeMlme;
    LPM_TRY(encodeContent(w, *mlme));
  } else if (const auto* ietf = std::get_if<IetfIe>(&ie)) {
    group = kPayloadIeIetf;
    LPM_TRY(encodeContent(w, *ietf));
  } else {
    const auto& raw = std::get<UnknownPayloadIe>(ie);
    if (raw.group_id > 0xf || raw.group_id == kPayloadIeTermination) return Error::kInvalidArgs;
    group = raw.group_id;
    w.bytes(raw.content);
  }
  return closeDescriptor(w, pos, kMaxPayloadIeContent,
                         [group](std::size_t n) { return payloadDescriptor(n, group); });
}

template <class Writer>
Error encodePayloadTermination(Writer& w) {
  w.u16le(payloadDescriptor(0, kPayloadIeTermination));
  return w.error();
}

template <class Writer>
Error encodeMlmeSubIe(Writer& w, const MlmeSubIe& ie) {
  const std::size_t pos = openDescriptor(w);
  bool long_form = false;
  std::uint8_t id = 0;
  Error err = Error::kNone;
  std::visit(
      [&](const auto& sub) {
        using T = std::decay_t<decltype(sub)>;
        if constexpr (std::is_same_v<T, TschSynchronizationIe>) {
          id = kSubIeTschSynchronization;
          err = encodeContent(w, sub);
        } else if constexpr (std::is_same_v<T, TschSlotframeLinkIe>) {
          id = kSubIeTschSlotframeLink;
          err = encodeContent(w, sub);
        } else if constexpr (std::is_same_v<T, TschTimeslotIe>) {
          id = kSubIeTschTimeslot;
          err = encodeContent(w, sub);
        } else if constexpr (std::is_same_v<T, ChannelHoppingIe>) {
          id = kSubIeChannelHopping;
          long_form = true;
          err = encodeContent(w, sub);
        } else {
          long_form = sub.long_form;
          id = sub.sub_id;
          if (sub.sub_id > (long_form ? 0xfU : 0x7fU)) err = Error::kInvalidArgs;
          w.bytes(sub.content);
        }
      },
      ie);
  LPM_TRY(err);
  if (long_form) {
    return closeDescriptor(w, pos, kMaxLongSubIeContent,
                           [id](std::size_t n) { return longSubDescriptor(n, id); });
  }
  return closeDescriptor(w, pos, kMaxShortSubIeContent,
                         [id](std::size_t n) { return shortSubDescriptor(n, id); });
}

template Error encodeHeaderIe<ByteWriter>(ByteWriter&, const HeaderIe&);
template Error encodeHeaderTermination<ByteWriter>(ByteWriter&, HeaderTermination);
template Error encodePayloadIe<ByteWriter>(ByteWriter&, const PayloadIe&);
template Error encodePayloadTermination<ByteWriter>(ByteWriter&);
template Error encodeMlmeSubIe<ByteWriter>(ByteWriter&, const MlmeSubIe&);
template Error encodeHeaderIe<VectorWriter>(VectorWriter&, const HeaderIe&);
template Error encodeHeaderTermination<VectorWriter>(VectorWriter&, HeaderTermination);
template Error encodePayloadIe<VectorWriter>(VectorWriter&, const PayloadIe&);
template Error encodePayloadTermination<VectorWriter>(VectorWriter&);
template Error encodeMlmeSubIe<VectorWriter>(VectorWriter&, const MlmeSubIe&);

}  // namespace lpm::ieee802154
