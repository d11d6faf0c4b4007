// Mesh Protocol 1.1 §3.9: security toolbox, key derivation, nonces, message security.
#include "lpmesh/btmesh/security.hpp"

#include <algorithm>
#include <initializer_list>
#include <tuple>

namespace lpm::btmesh {
namespace {

constexpr std::uint32_t kSeqMask = 0xFFFFFF;
constexpr std::uint8_t kTtlMask = 0x7F;
constexpr std::uint8_t kNidMask = 0x7F;
// Offset of PrivacyRandom in a Network PDU: right after IVI|NID, CTL|TTL, SEQ, SRC.
constexpr std::size_t kPrivacyRandomOffset = 7;
// Octets 1..6 (CTL|TTL, SEQ, SRC) are the obfuscated ones.
constexpr std::size_t kObfuscatedOffset = 1;
constexpr std::size_t kObfuscatedSize = 6;
constexpr std::size_t kMinObfuscatablePdu = kPrivacyRandomOffset + std::tuple_size_v<PrivacyRandom>;
// §3.4.4.8: TransportPDU of at most 128 bits (CTL = 0) or 96 bits (CTL = 1).
constexpr std::size_t kMaxAccessTransportPdu = 16;
constexpr std::size_t kMaxControlTransportPdu = 12;

Bytes concat(std::initializer_list<ByteSpan> parts) {
  Bytes out;
  std::size_t total = 0;
  for (ByteSpan p : parts)
    total += p.size();
  out.reserve(total);
  for (ByteSpan p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

ByteSpan textBytes(std::string_view text) {
  // Bytes of ASCII text, without the reinterpret_cast the span constructor would need.
  return {static_cast<const std::uint8_t*>(static_cast<const void*>(text.data())), text.size()};
}

// "id128" || 0x01, the P of IdentityKey, BeaconKey and PrivateBeaconKey (§3.9.6.3.3-5).
constexpr std::array<std::uint8_t, 6> kId128 = {'i', 'd', '1', '2', '8', 0x01};

Key derivedNetKey(const Key& net_key, std::string_view salt_text) {
  return k1(net_key, s1(salt_text), kId128);
}

// The nonce layout shared by all five types (§3.9.5): type, one octet, SEQ (24), SRC,
// a 16-bit field (DST or 0x0000) and a 32-bit field (IV Index or 0).
Nonce buildNonce(std::uint8_t type, std::uint8_t second, std::uint32_t seq, std::uint16_t src,
                 std::uint16_t dst, std::uint32_t iv_index) {
  Nonce n{};
  ByteWriter w(n);
  w.u8(type);
  w.u8(second);
  w.u24be(seq & kSeqMask);
  w.u16be(src);
  w.u16be(dst);
  w.u32be(iv_index);
  return n;
}

PrivacyRandom privacyRandomOf(ByteSpan network_pdu) {
  PrivacyRandom r{};
  std::copy_n(network_pdu.begin() + kPrivacyRandomOffset, r.size(), r.begin());
  return r;
}

Nonce nonceFor(NetworkNonceType type, const NetworkHeader& h, std::uint32_t iv_index) {
  switch (type) {
    case NetworkNonceType::kProxy:
      return proxyNonce(h.seq, h.src, iv_index);
    case NetworkNonceType::kProxySolicitation:
      return proxySolicitationNonce(h.seq, h.src);
    case NetworkNonceType::kNetwork:
      break;
  }
  return networkNonce(h.ctl, h.ttl, h.seq, h.src, iv_index);
}

}  // namespace

// --- §3.9.2 security toolbox -------------------------------------------------------------

Key s1(ByteSpan m) {
  return crypto::aesCmac(Key{}, m);
}

Key s1(std::string_view text) {
  return s1(textBytes(text));
}

Key k1(ByteSpan n, const Key& salt, ByteSpan p) {
  const Key t = crypto::aesCmac(salt, n);
  return crypto::aesCmac(t, p);
}

SecurityMaterial k2(const Key& n, ByteSpan p) {
  const Key t = crypto::aesCmac(s1("smk2"), n);
  // T0 is empty; Tk = AES-CMAC_T(Tk-1 || P || k).
  const std::uint8_t one = 0x01;
  const std::uint8_t two = 0x02;
  const std::uint8_t three = 0x03;
  const Key t1 = crypto::aesCmac(t, concat({p, ByteSpan(&one, 1)}));
  const Key t2 = crypto::aesCmac(t, concat({t1, p, ByteSpan(&two, 1)}));
  const Key t3 = crypto::aesCmac(t, concat({t2, p, ByteSpan(&three, 1)}));
  // k2 = (T1 || T2 || T3) mod 2^263: the NID is the low 7 bits of T1.
  return SecurityMaterial{static_cast<std::uint8_t>(t1.back() & kNidMask), t2, t3};
}

NetworkId k3(const Key& n) {
  const Key t = crypto::aesCmac(s1("smk3"), n);
  static constexpr std::array<std::uint8_t, 5> kId64 = {'i', 'd', '6', '4', 0x01};
  const Key full = crypto::aesCmac(t, kId64);
  // mod 2^64: the last 8 octets, big-endian.
  NetworkId id{};
  std::copy(full.end() - static_cast<std::ptrdiff_t>(id.size()), full.end(), id.begin());
  return id;
}

std::uint8_t k4(const Key& n) {
  const Key t = crypto::aesCmac(s1("smk4"), n);
  static constexpr std::array<std::uint8_t, 4> kId6 = {'i', 'd', '6', 0x01};
  return static_cast<std::uint8_t>(crypto::aesCmac(t, kId6).back() & 0x3F);
}

Key256 s2(ByteSpan m) {
  const Key256 zero{};
  return crypto::hmacSha256(zero, m);
}

Key256 k5(ByteSpan n, const Key256& salt, ByteSpan p) {
  const Key256 t = crypto::hmacSha256(salt, n);
  return crypto::hmacSha256(t, p);
}

// --- §3.9.6 keys ------------------------------------------------------------------------

SecurityMaterial floodingMaterial(const Key& net_key) {
  static constexpr std::array<std::uint8_t, 1> kP = {0x00};
  return k2(net_key, kP);
}

SecurityMaterial friendshipMaterial(const Key& net_key, const FriendshipParams& params) {
  std::array<std::uint8_t, 9> p{};
  ByteWriter w(p);
  w.u8(0x01);
  w.u16be(params.lpn_address);
  w.u16be(params.friend_address);
  w.u16be(params.lpn_counter);
  w.u16be(params.friend_counter);
  return k2(net_key, p);
}

SecurityMaterial directedMaterial(const Key& net_key) {
  static constexpr std::array<std::uint8_t, 1> kP = {0x02};
  return k2(net_key, kP);
}

NetworkId networkId(const Key& net_key) {
  return k3(net_key);
}

Key identityKey(const Key& net_key) {
  return derivedNetKey(net_key, "nkik");
}

Key beaconKey(const Key& net_key) {
  return derivedNetKey(net_key, "nkbk");
}

Key privateBeaconKey(const Key& net_key) {
  return derivedNetKey(net_key, "nkpk");
}

std::uint8_t applicationKeyId(const Key& app_key) {
  return k4(app_key);
}

std::uint16_t virtualAddress(const LabelUuid& label_uuid) {
  const Key hash = crypto::aesCmac(s1("vtad"), label_uuid);
  const auto low16 = static_cast<std::uint16_t>((hash[14] << 8) | hash[15]);
  return static_cast<std::uint16_t>(0x8000 | (low16 & 0x3FFF));
}

// --- §3.9.5 nonces ----------------------------------------------------------------------

Nonce networkNonce(bool ctl, std::uint8_t ttl, std::uint32_t seq, std::uint16_t src,
                   std::uint32_t iv_index) {
  const auto ctl_ttl = static_cast<std::uint8_t>((ctl ? 0x80 : 0x00) | (ttl & kTtlMask));
  return buildNonce(0x00, ctl_ttl, seq, src, 0x0000, iv_index);
}

Nonce applicationNonce(bool aszmic, std::uint32_t seq, std::uint16_t src, std::uint16_t dst,
                       std::uint32_t iv_index) {
  return buildNonce(0x01, aszmic ? 0x80 : 0x00, seq, src, dst, iv_index);
}

Nonce deviceNonce(bool aszmic, std::uint32_t seq, std::uint16_t src, std::uint16_t dst,
                  std::uint32_t iv_index) {
  return buildNonce(0x02, aszmic ? 0x80 : 0x00, seq, src, dst, iv_index);
}

Nonce proxyNonce(std::uint32_t seq, std::uint16_t src, std::uint32_t iv_index) {
  return buildNonce(0x03, 0x00, seq, src, 0x0000, iv_index);
}

Nonce proxySolicitationNonce(std::uint32_t sseq, std::uint16_t ssrc) {
  return buildNonce(0x04, 0x00, sseq, ssrc, 0x0000, 0);
}

// --- §3.9.7 message security ----------------------------------------------------------

Result<Bytes> encryptNetMic(const Key& encryption_key, const Nonce& nonce,
                            ByteSpan dst_and_transport_pdu, MicSize net_mic) {
  return crypto::ccmEncrypt(encryption_key, nonce, {}, dst_and_transport_pdu, micBytes(net_mic));
}

Result<Bytes> decryptNetMic(const Key& encryption_key, const Nonce& nonce,
                            ByteSpan encrypted_and_mic, MicSize net_mic) {
  if (encrypted_and_mic.size() <= micBytes(net_mic)) return Error::kTruncated;
  return crypto::ccmDecrypt(encryption_key, nonce, {}, encrypted_and_mic, micBytes(net_mic));
}

Result<Bytes> encryptTransMic(const Key& key, const Nonce& nonce, ByteSpan access_message,
                              MicSize trans_mic, const LabelUuid* label_uuid) {
  if (access_message.empty()) return Error::kInvalidArgs;
  if (access_message.size() + micBytes(trans_mic) > kMaxUpperTransportAccessPdu) {
    return Error::kTooLong;
  }
  const ByteSpan aad = label_uuid != nullptr ? ByteSpan(*label_uuid) : ByteSpan();
  return crypto::ccmEncrypt(key, nonce, aad, access_message, micBytes(trans_mic));
}

Result<Bytes> decryptTransMic(const Key& key, const Nonce& nonce, ByteSpan upper_transport_pdu,
                              MicSize trans_mic, const LabelUuid* label_uuid) {
  if (upper_transport_pdu.size() <= micBytes(trans_mic)) return Error::kTruncated;
  if (upper_transport_pdu.size() > kMaxUpperTransportAccessPdu) return Error::kTooLong;
  const ByteSpan aad = label_uuid != nullptr ? ByteSpan(*label_uuid) : ByteSpan();
  return crypto::ccmDecrypt(key, nonce, aad, upper_transport_pdu, micBytes(trans_mic));
}

crypto::Block privacyPlaintext(std::uint32_t iv_index, const PrivacyRandom& privacy_random) {
  crypto::Block block{};
  ByteWriter w(block);
  w.fill(0x00, 5);
  w.u32be(iv_index);
  w.bytes(privacy_random);
  return block;
}

crypto::Block pecb(const Key& privacy_key, std::uint32_t iv_index,
                   const PrivacyRandom& privacy_random) {
  return crypto::aes128Encrypt(privacy_key, privacyPlaintext(iv_index, privacy_random));
}

Error obfuscateHeader(const Key& privacy_key, std::uint32_t iv_index, MutableByteSpan network_pdu) {
  if (network_pdu.size() < kMinObfuscatablePdu) return Error::kTruncated;
  const crypto::Block mask = pecb(privacy_key, iv_index, privacyRandomOf(network_pdu));
  for (std::size_t i = 0; i < kObfuscatedSize; ++i)
    network_pdu[kObfuscatedOffset + i] ^= mask[i];
  return Error::kNone;
}

Result<Bytes> sealNetworkPdu(const SecurityMaterial& material, std::uint32_t iv_index,
                             const NetworkHeader& header, ByteSpan transport_pdu,
                             NetworkNonceType type) {
  if (header.ttl > kTtlMask || header.seq > kSeqMask || material.nid > kNidMask) {
    return Error::kInvalidArgs;
  }
  if (type == NetworkNonceType::kProxySolicitation) {
    // §6.9.1: a Solicitation PDU carries DST only, under a 64-bit NetMIC and IV Index 0.
    if (!transport_pdu.empty() || !header.ctl) return Error::kInvalidArgs;
    iv_index = 0;
  } else {
    const std::size_t max = header.ctl ? kMaxControlTransportPdu : kMaxAccessTransportPdu;
    if (transport_pdu.empty()) return Error::kInvalidArgs;
    if (transport_pdu.size() > max) return Error::kTooLong;
  }

  const std::uint8_t dst[2] = {static_cast<std::uint8_t>(header.dst >> 8),
                               static_cast<std::uint8_t>(header.dst)};
  const Bytes plaintext = concat({ByteSpan(dst), transport_pdu});
  LPM_TRY_ASSIGN(Bytes encrypted,
                 encryptNetMic(material.encryption_key, nonceFor(type, header, iv_index), plaintext,
                               netMicSize(header.ctl)));

  Bytes pdu;
  pdu.reserve(kNetworkHeaderSize - 2 + encrypted.size());
  VectorWriter w(pdu);
  w.u8(static_cast<std::uint8_t>(((iv_index & 1U) << 7) | material.nid));
  w.u8(static_cast<std::uint8_t>((header.ctl ? 0x80 : 0x00) | header.ttl));
  w.u24be(header.seq);
  w.u16be(header.src);
  w.bytes(encrypted);
  LPM_TRY(w.error());
  LPM_TRY(obfuscateHeader(material.privacy_key, iv_index, pdu));
  return pdu;
}

Result<OpenedNetworkPdu> openNetworkPdu(const SecurityMaterial& material, std::uint32_t iv_index,
                                        ByteSpan network_pdu, NetworkNonceType type) {
  const bool solicitation = type == NetworkNonceType::kProxySolicitation;
  if (network_pdu.size() < kMinObfuscatablePdu) return Error::kTruncated;
  if (network_pdu.size() > kMaxNetworkPduSize) return Error::kTooLong;

  OpenedNetworkPdu out;
  out.ivi = (network_pdu[0] & 0x80) != 0;
  out.nid = network_pdu[0] & kNidMask;
  if (out.nid != material.nid) return Error::kNotFound;
  if (solicitation) iv_index = 0;
  if (out.ivi != ((iv_index & 1U) != 0)) return Error::kInvalidArgs;

  // Deobfuscate a copy of the header octets only; the encrypted part stays in place.
  std::array<std::uint8_t, kMinObfuscatablePdu> head{};
  std::copy_n(network_pdu.begin(), head.size(), head.begin());
  LPM_TRY(deobfuscateHeader(material.privacy_key, iv_index, head));
  ByteReader r(head);
  r.skip(1);
  const std::uint8_t ctl_ttl = r.u8();
  out.header.ctl = (ctl_ttl & 0x80) != 0;
  out.header.ttl = ctl_ttl & kTtlMask;
  out.header.seq = r.u24be();
  out.header.src = r.u16be();

  const MicSize mic = netMicSize(out.header.ctl);
  const std::size_t transport_min = solicitation ? 0 : 1;
  const std::size_t transport_max =
      solicitation ? 0 : (out.header.ctl ? kMaxControlTransportPdu : kMaxAccessTransportPdu);
  if (solicitation && !out.header.ctl) return Error::kMalformed;
  const std::size_t fixed = kNetworkHeaderSize + micBytes(mic);
  if (network_pdu.size() < fixed + transport_min) return Error::kTruncated;
  if (network_pdu.size() > fixed + transport_max) return Error::kTooLong;

  const ByteSpan encrypted = network_pdu.subspan(kNetworkHeaderSize - 2);
  LPM_TRY_ASSIGN(Bytes plain, decryptNetMic(material.encryption_key,
                                            nonceFor(type, out.header, iv_index), encrypted, mic));
  out.header.dst = static_cast<std::uint16_t>((plain[0] << 8) | plain[1]);
  out.transport_pdu.assign(plain.begin() + 2, plain.end());
  return out;
}

}  // namespace lpm::btmesh
