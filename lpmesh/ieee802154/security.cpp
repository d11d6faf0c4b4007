#include "lpmesh/ieee802154/security.hpp"

#include <algorithm>

namespace lpm::ieee802154 {

Result<Nonce> frameNonce(const AuxSecurityHeader& h, const Eui64& originator,
                         std::optional<std::uint64_t> asn) {
  if (usesAsnNonce(h)) {
    if (!asn) return Error::kInvalidArgs;
    return tschNonce(originator, *asn);
  }
  return frameCounterNonce(originator, h.frame_counter, h.level);
}

std::optional<Eui64> sourceEui64(const Frame& f) {
  if (f.src.mode == AddrMode::kExtended) return f.src.extended;
  return std::nullopt;
}

Result<Frame> secureFrame(const Frame& plain, const crypto::Key128& key, const Nonce& nonce) {
  if (!plain.security || plain.secured) return Error::kInvalidArgs;
  const SecurityLevel level = plain.security->level;
  LPM_TRY_ASSIGN(Bytes wire, plain.encode());
  if (level == SecurityLevel::kNone) return Frame::parse(wire);
  const std::size_t mic_len = micLength(level);
  const bool encrypt = isEncrypting(level);
  std::size_t split = wire.size();
  if (encrypt) {
    LPM_TRY_ASSIGN(split, plain.privatePayloadOffset());
  }
  const ByteSpan a(wire.data(), split);
  const ByteSpan m(wire.data() + split, wire.size() - split);
  LPM_TRY_ASSIGN(Bytes out, crypto::ccmStarEncrypt(key, nonce, a, m, mic_len, encrypt));
  // `out` is the (encrypted) private payload followed by the MIC.
  wire.resize(split);
  wire.insert(wire.end(), out.begin(), out.end());
  return Frame::parse(wire);
}

Result<Frame> unsecureFrame(const Frame& secured, const crypto::Key128& key, const Nonce& nonce) {
  if (!secured.security || !secured.secured) return Error::kInvalidArgs;
  const SecurityLevel level = secured.security->level;
  if (level == SecurityLevel::kNone) {
    Frame f = secured;
    f.secured = false;
    f.mic.clear();
    return f;
  }
  LPM_TRY_ASSIGN(const Bytes wire, secured.encode());
  const std::size_t mic_len = micLength(level);
  const std::size_t body_len = wire.size() - mic_len;
  if (!isEncrypting(level)) {
    const ByteSpan a(wire.data(), body_len);
    const ByteSpan mic(wire.data() + body_len, mic_len);
    LPM_TRY(crypto::ccmStarDecrypt(key, nonce, a, mic, mic_len, false).error());
    Frame f = secured;
    f.secured = false;
    f.mic.clear();
    return f;
  }
  LPM_TRY_ASSIGN(const std::size_t split, secured.privatePayloadOffset());
  const ByteSpan a(wire.data(), split);
  const ByteSpan c_and_mic(wire.data() + split, wire.size() - split);
  LPM_TRY_ASSIGN(const Bytes plain,
                 crypto::ccmStarDecrypt(key, nonce, a, c_and_mic, mic_len, true));
  Bytes clear(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(split));
  clear.insert(clear.end(), plain.begin(), plain.end());
  return Frame::parsePlaintext(clear);
}

// ---- KeyTable ---------------------------------------------------------------------

KeyIdentifier KeyIdentifier::fromHeader(const AuxSecurityHeader& h) {
  KeyIdentifier id;
  id.mode = h.key_id_mode;
  id.index = h.key_index;
  id.source = h.key_source;
  return id;
}

bool KeyIdentifier::operator==(const KeyIdentifier& o) const {
  if (mode != o.mode) return false;
  if (mode == KeyIdMode::kImplicit) return true;
  const auto n = static_cast<std::ptrdiff_t>(keySourceLength(mode));
  return index == o.index && std::equal(source.begin(), source.begin() + n, o.source.begin());
}

Error KeyTable::add(const KeyDescriptor& key) {
  if (find(key.id) != nullptr) return Error::kAlreadyExists;
  if (keys_.size() >= capacity_) return Error::kNoBufs;
  keys_.push_back(key);
  return Error::kNone;
}

Error KeyTable::set(const KeyDescriptor& key) {
  if (KeyDescriptor* k = find(key.id)) {
    *k = key;
    return Error::kNone;
  }
  return add(key);
}

Error KeyTable::remove(const KeyIdentifier& id) {
  const auto it =
      std::find_if(keys_.begin(), keys_.end(), [&](const KeyDescriptor& k) { return k.id == id; });
  if (it == keys_.end()) return Error::kNotFound;
  keys_.erase(it);
  return Error::kNone;
}

KeyDescriptor* KeyTable::find(const KeyIdentifier& id) {
  for (KeyDescriptor& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

const KeyDescriptor* KeyTable::find(const KeyIdentifier& id) const {
  for (const KeyDescriptor& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

Result<KeyDescriptor*> KeyTable::lookup(const AuxSecurityHeader& h, FrameType type) {
  KeyDescriptor* k = find(KeyIdentifier::fromHeader(h));
  if (k == nullptr) return Error::kNotFound;
  if ((k->usage & usageBit(type)) == 0) return Error::kDropped;
  return k;
}

bool KeyTable::hasKeyFor(FrameType type) const {
  return std::any_of(keys_.begin(), keys_.end(),
                     [&](const KeyDescriptor& k) { return (k.usage & usageBit(type)) != 0; });
}

// ---- FrameCounterTable ------------------------------------------------------------

Error FrameCounterTable::check(const Eui64& sender, const KeyIdentifier& key,
                               std::uint32_t counter) const {
  if (counter == 0xffffffffU) return Error::kReplay;
  const std::optional<std::uint32_t> prev = last(sender, key);
  if (prev && counter <= *prev) return Error::kReplay;
  return Error::kNone;
}

Error FrameCounterTable::accept(const Eui64& sender, const KeyIdentifier& key,
                                std::uint32_t counter) {
  for (Entry& e : entries_) {
    if (e.sender == sender && e.key == key) {
      e.counter = counter;
      return Error::kNone;
    }
  }
  if (entries_.size() >= capacity_) return Error::kNoBufs;
  entries_.push_back({sender, key, counter});
  return Error::kNone;
}

std::optional<std::uint32_t> FrameCounterTable::last(const Eui64& sender,
                                                     const KeyIdentifier& key) const {
  for (const Entry& e : entries_) {
    if (e.sender == sender && e.key == key) return e.counter;
  }
  return std::nullopt;
}

void FrameCounterTable::forget(const Eui64& sender) {
  std::erase_if(entries_, [&](const Entry& e) { return e.sender == sender; });
}

// ---- LinkSecurity -----------------------------------------------------------------

Error LinkSecurity::addExempt(const Eui64& device) {
  if (isExempt(device)) return Error::kNone;
  if (exempt_.size() >= config_.exempt_capacity) return Error::kNoBufs;
  exempt_.push_back(device);
  return Error::kNone;
}

void LinkSecurity::clearExempt(const Eui64& device) {
  std::erase(exempt_, device);
}

bool LinkSecurity::isExempt(const Eui64& device) const {
  return std::find(exempt_.begin(), exempt_.end(), device) != exempt_.end();
}

bool LinkSecurity::acceptsUnverifiedBeacons() const {
  return config_.join_mode == JoinKeyMode::kNone && !keys_.hasKeyFor(FrameType::kBeacon);
}

Result<Frame> LinkSecurity::secureOutgoing(const Frame& plain, std::optional<std::uint64_t> asn) {
  if (!plain.security) return plain;
  LPM_TRY_ASSIGN(KeyDescriptor * key, keys_.lookup(*plain.security, plain.type));
  Frame f = plain;
  if (!usesAsnNonce(*plain.security)) {
    // 15.4-2015 §9.2.1: a counter of 0xffffffff may not be used.
    if (key->outgoing_frame_counter == 0xffffffffU) return Error::kTooLong;
    f.security->frame_counter = key->outgoing_frame_counter;
  }
  LPM_TRY_ASSIGN(const Nonce nonce, frameNonce(*f.security, self_, asn));
  LPM_TRY_ASSIGN(Frame out, secureFrame(f, key->key, nonce));
  if (!usesAsnNonce(*plain.security)) ++key->outgoing_frame_counter;
  return out;
}

Result<IncomingFrame> LinkSecurity::processIncoming(const Frame& rx, const Eui64& originator,
                                                    std::optional<std::uint64_t> asn) {
  if (!rx.security) {
    if (isExempt(originator)) return IncomingFrame{rx, RxSecurity::kExempt};
    if (keys_.hasKeyFor(rx.type)) return Error::kDropped;
    return IncomingFrame{rx, RxSecurity::kUnsecured};
  }
  // RFC 8180 §4.6 / 15.4-2015 §6.3.1.2: without keys, EBs go up even if unsecuring fails.
  const bool pass_beacon = rx.type == FrameType::kBeacon && acceptsUnverifiedBeacons();
  auto key = keys_.lookup(*rx.security, rx.type);
  if (!key) {
    if (pass_beacon) return IncomingFrame{rx, RxSecurity::kUnverifiedBeacon};
    return key.error();
  }
  LPM_TRY_ASSIGN(const Nonce nonce, frameNonce(*rx.security, originator, asn));
  const bool counted = !usesAsnNonce(*rx.security);
  const KeyIdentifier key_id = (*key)->id;
  if (counted) LPM_TRY(counters_.check(originator, key_id, rx.security->frame_counter));
  auto plain = unsecureFrame(rx, (*key)->key, nonce);
  if (!plain) {
    if (pass_beacon) return IncomingFrame{rx, RxSecurity::kUnverifiedBeacon};
    return plain.error();
  }
  if (counted) LPM_TRY(counters_.accept(originator, key_id, rx.security->frame_counter));
  return IncomingFrame{std::move(plain).value(), RxSecurity::kVerified};
}

}  // namespace lpm::ieee802154
