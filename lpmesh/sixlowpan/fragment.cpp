#include "lpmesh/sixlowpan/fragment.hpp"

#include <algorithm>
#include <cstring>

#include "lpmesh/sixlowpan/dispatch.hpp"

namespace lpm::sixlowpan {

Result<FragHeader> FragHeader::parse(ByteSpan data) {
  ByteReader r(data);
  const std::uint16_t first_word = r.u16be();
  if (!r.ok()) return r.error();
  FragHeader h;
  const auto d = static_cast<std::uint8_t>(first_word >> 8);
  if ((d & dispatch::kFragMask) == dispatch::kFrag1) {
    h.first = true;
  } else if ((d & dispatch::kFragMask) == dispatch::kFragN) {
    h.first = false;
  } else {
    return Error::kMalformed;
  }
  h.datagram_size = first_word & 0x07ff;
  h.tag = r.u16be();
  if (!h.first) h.offset_units = r.u8();
  if (!r.ok()) return r.error();
  return h;
}

Fragmenter::Fragmenter(ByteSpan compressed, const CompressInfo& info, std::uint16_t tag)
    : compressed_(compressed),
      info_(info),
      tag_(tag),
      datagram_size_(info.uncompressed_header_size + compressed.size() -
                     std::min(info.compressed_header_size, compressed.size())) {}

Error Fragmenter::next(std::size_t max_payload, Bytes& out) {
  if (done_) return Error::kInvalidState;
  if (datagram_size_ > FragHeader::kMaxDatagramSize ||
      info_.compressed_header_size > compressed_.size()) {
    return Error::kTooLong;
  }
  FragHeader h;
  h.datagram_size = static_cast<std::uint16_t>(datagram_size_);
  h.tag = tag_;
  std::size_t take = 0;  // compressed bytes carried
  if (sent_compressed_ == 0) {
    // FRAG1: the compressed headers plus as much payload as keeps the next offset a
    // multiple of 8 uncompressed bytes.
    const std::size_t hc = info_.compressed_header_size;
    const std::size_t hu = info_.uncompressed_header_size;
    if (max_payload < FragHeader::kFrag1Size + hc) return Error::kTooLong;
    const std::size_t avail = max_payload - FragHeader::kFrag1Size;
    const std::size_t payload = compressed_.size() - hc;
    std::size_t p = payload;
    if (hc + payload > avail) {
      const std::size_t covered = (hu + avail - hc) / 8 * 8;
      if (covered < hu) return Error::kTooLong;
      p = covered - hu;
    }
    h.first = true;
    take = hc + p;
    sent_uncompressed_ = hu + p;
  } else {
    if (max_payload <= FragHeader::kFragNSize) return Error::kTooLong;
    const std::size_t avail = max_payload - FragHeader::kFragNSize;
    const std::size_t remaining = datagram_size_ - sent_uncompressed_;
    take = remaining <= avail ? remaining : avail / 8 * 8;
    if (take == 0) return Error::kTooLong;
    h.first = false;
    h.offset_units = static_cast<std::uint8_t>(sent_uncompressed_ / 8);
    sent_uncompressed_ += take;
  }
  VectorWriter w(out);
  LPM_TRY(h.encode(w));
  w.bytes(compressed_.subspan(sent_compressed_, take));
  sent_compressed_ += take;
  done_ = sent_uncompressed_ >= datagram_size_;
  return w.error();
}

Result<std::vector<Bytes>> fragment(ByteSpan compressed, const CompressInfo& info,
                                    std::uint16_t tag, std::size_t max_payload) {
  std::vector<Bytes> frames;
  Fragmenter f(compressed, info, tag);
  if (f.fitsUnfragmented(max_payload)) {
    frames.emplace_back(compressed.begin(), compressed.end());
    return frames;
  }
  while (!f.done()) {
    Bytes frame;
    LPM_TRY(f.next(max_payload, frame));
    frames.push_back(std::move(frame));
  }
  return frames;
}

Reassembler::Reassembler(ReassemblerConfig config) : config_(config) {
  config_.buffer_size = std::min<std::size_t>(config_.buffer_size, FragHeader::kMaxDatagramSize);
  slots_.resize(config_.buffers);
  storage_.resize((config_.buffers + 1) * config_.buffer_size);
}

MutableByteSpan Reassembler::buffer(std::size_t slot) {
  return MutableByteSpan(storage_).subspan(slot * config_.buffer_size, config_.buffer_size);
}

Reassembler::Slot* Reassembler::find(const LinkAddress& src, const LinkAddress& dst,
                                     std::uint16_t size, std::uint16_t tag) {
  for (Slot& s : slots_) {
    if (s.used && s.size == size && s.tag == tag && s.src == src && s.dst == dst) return &s;
  }
  return nullptr;
}

void Reassembler::expire(LocalTime now) {
  for (Slot& s : slots_) {
    if (s.used && now - s.started >= config_.timeout) {
      ++stats_.timeouts;
      release(s);
    }
  }
}

std::optional<LocalTime> Reassembler::nextExpiry() const {
  std::optional<LocalTime> t;
  for (const Slot& s : slots_) {
    if (s.used && (!t || s.started + config_.timeout < *t)) t = s.started + config_.timeout;
  }
  return t;
}

std::size_t Reassembler::inProgress() const {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.used; }));
}

Result<Reassembly> Reassembler::add(ByteSpan frame_payload, const LinkAddress& l2_src,
                                    const LinkAddress& l2_dst, const ContextTable& contexts,
                                    LocalTime now) {
  expire(now);
  ++stats_.fragments;
  auto hdr = FragHeader::parse(frame_payload);
  if (!hdr || (!hdr->first && hdr->offset_units == 0)) {
    // A FRAGN at offset 0 would stand where the compressed headers belong.
    ++stats_.malformed;
    return hdr ? Error::kMalformed : hdr.error();
  }
  if (hdr->datagram_size > config_.buffer_size) {
    ++stats_.too_big;
    return Error::kTooLong;
  }
  const std::size_t size = hdr->datagram_size;
  const ByteSpan data = frame_payload.subspan(hdr->size());

  Slot* slot = find(l2_src, l2_dst, hdr->datagram_size, hdr->tag);
  bool fresh = false;
  if (slot == nullptr) {
    auto free_it =
        std::find_if(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.used; });
    if (free_it == slots_.end()) {
      ++stats_.no_bufs;
      return Error::kNoBufs;
    }
    slot = &*free_it;
    *slot = Slot{};
    slot->used = true;
    slot->src = l2_src;
    slot->dst = l2_dst;
    slot->size = hdr->datagram_size;
    slot->tag = hdr->tag;
    slot->started = now;
    fresh = true;
  }
  const auto index = static_cast<std::size_t>(slot - slots_.data());
  const MutableByteSpan buf = buffer(index).first(size);
  const auto fail = [&](Error e, std::uint64_t& counter) -> Error {
    ++counter;
    if (fresh) release(*slot);
    return e;
  };

  // The bytes this fragment contributes and where they go in the datagram.
  std::size_t begin = 0;
  ByteSpan content;
  HeaderLayout layout;
  if (hdr->first) {
    // Decompress into the scratch buffer first: a duplicate or conflicting FRAG1 must
    // not overwrite what is held.
    const MutableByteSpan scratch = buffer(config_.buffers).first(size);
    auto l = decompressHeaders(data, l2_src, l2_dst, contexts, scratch);
    if (!l) {
      return fail(l.error() == Error::kTooLong ? Error::kMalformed : l.error(), stats_.malformed);
    }
    layout = *l;
    const ByteSpan rest = data.subspan(layout.consumed);
    if (layout.header_size + rest.size() > size) return fail(Error::kMalformed, stats_.malformed);
    std::memcpy(scratch.data() + layout.header_size, rest.data(), rest.size());
    content = ByteSpan(scratch).first(layout.header_size + rest.size());
  } else {
    begin = hdr->offsetBytes();
    content = data;
  }
  const std::size_t end = begin + content.size();
  if (content.empty() || end > size || (end < size && end % 8 != 0)) {
    return fail(Error::kMalformed, stats_.malformed);
  }
  const std::size_t first_unit = begin / 8;
  const std::size_t end_unit = (end + 7) / 8;
  std::size_t held = 0;
  for (std::size_t u = first_unit; u < end_unit; ++u)
    held += slot->units.test(u) ? 1U : 0U;
  if (held != 0) {
    if (held == end_unit - first_unit &&
        std::memcmp(buf.data() + begin, content.data(), content.size()) == 0) {
      ++stats_.duplicates;
      return Reassembly{};
    }
    ++stats_.overlaps;
    release(*slot);
    return Error::kDropped;
  }
  std::memcpy(buf.data() + begin, content.data(), content.size());
  for (std::size_t u = first_unit; u < end_unit; ++u)
    slot->units.set(u);
  slot->received += content.size();
  if (hdr->first) {
    slot->have_first = true;
    slot->layout = layout;
  }
  if (slot->received < size) return Reassembly{};

  const Error e = finishDatagram(buf, slot->layout);
  release(*slot);
  if (e != Error::kNone) {
    ++stats_.malformed;
    return e;
  }
  ++stats_.completed;
  return Reassembly{true, buf};
}

}  // namespace lpm::sixlowpan
