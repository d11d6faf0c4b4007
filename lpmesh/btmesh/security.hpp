// Bluetooth Mesh security toolbox, key derivation, nonces and network/upper-transport
// message security (Mesh Protocol 1.1 §3.9).
//
// Everything here is a pure function of its arguments: the network and transport layers
// keep the keys and call in. Big-endian throughout, as §3.9.1 requires for these fields.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/crypto/crypto.hpp"

namespace lpm::btmesh {

/// A 128-bit key: NetKey, AppKey, DevKey and every key derived from them.
using Key = crypto::Key128;
/// A 256-bit value of the HMAC-SHA256 functions s2 and k5.
using Key256 = crypto::Digest256;
/// Label UUID of a virtual address (§3.4.2.3); never sent, used as CCM additional data.
using LabelUuid = std::array<std::uint8_t, 16>;
/// The 64-bit Network ID of a NetKey (§3.9.6.3.2).
using NetworkId = std::array<std::uint8_t, 8>;
/// Every mesh nonce is 13 octets (§3.9.5).
using Nonce = std::array<std::uint8_t, 13>;
/// PrivacyRandom: the first 7 octets of EncDST || EncTransportPDU || NetMIC (§3.9.7.3).
using PrivacyRandom = std::array<std::uint8_t, 7>;

// ---------------------------------------------------------------------------------------
// Security toolbox (§3.9.2)

/// s1(M) = AES-CMAC with the all-zero key: the salt generation function.
Key s1(ByteSpan m);
/// s1 of ASCII text ("smk2", "nkik", "vtad" ...), as the spec writes its salts.
Key s1(std::string_view text);
/// k1(N, SALT, P) = AES-CMAC_T(P) with T = AES-CMAC_SALT(N). N is any length (a 16-octet
/// key, or the 32-octet ECDHSecret during provisioning).
Key k1(ByteSpan n, const Key& salt, ByteSpan p);

/// NID, EncryptionKey and PrivacyKey: one set of "security material" (§3.9.6.3.1).
struct SecurityMaterial {
  std::uint8_t nid = 0;  ///< 7 bits
  Key encryption_key{};
  Key privacy_key{};

  friend bool operator==(const SecurityMaterial&, const SecurityMaterial&) = default;
};

/// k2(N, P): the network key material generation function (P is one or more octets).
SecurityMaterial k2(const Key& n, ByteSpan p);
/// k3(N): the 64-bit derivation function (Network ID).
NetworkId k3(const Key& n);
/// k4(N): the 6-bit derivation function (AID).
std::uint8_t k4(const Key& n);
/// s2(M) = HMAC-SHA256 with the all-zero 256-bit key (provisioning, HMAC algorithm).
Key256 s2(ByteSpan m);
/// k5(N, SALT, P) = HMAC-SHA256_T(P) with T = HMAC-SHA256_SALT(N).
Key256 k5(ByteSpan n, const Key256& salt, ByteSpan p);

// ---------------------------------------------------------------------------------------
// Keys derived from a NetKey or an AppKey (§3.9.6)

/// The values a friendship's security material is bound to (§3.9.6.3.1): the LPN's
/// primary element address, the Friend's, and the two counters of the Friend Request /
/// Friend Offer that set the friendship up.
struct FriendshipParams {
  std::uint16_t lpn_address = 0;
  std::uint16_t friend_address = 0;
  std::uint16_t lpn_counter = 0;
  std::uint16_t friend_counter = 0;
};

/// Managed flooding security material: k2(NetKey, 0x00).
SecurityMaterial floodingMaterial(const Key& net_key);
/// Friendship security material: k2(NetKey, 0x01 || LPNAddress || FriendAddress ||
/// LPNCounter || FriendCounter).
SecurityMaterial friendshipMaterial(const Key& net_key, const FriendshipParams& params);
/// Directed security material (new in 1.1): k2(NetKey, 0x02).
SecurityMaterial directedMaterial(const Key& net_key);
/// Network ID = k3(NetKey), advertised in Secure Network beacons and by proxies.
NetworkId networkId(const Key& net_key);
/// IdentityKey = k1(NetKey, s1("nkik"), "id128" || 0x01), for Node Identity advertising.
Key identityKey(const Key& net_key);
/// BeaconKey = k1(NetKey, s1("nkbk"), "id128" || 0x01), for Secure Network beacons.
Key beaconKey(const Key& net_key);
/// PrivateBeaconKey = k1(NetKey, s1("nkpk"), "id128" || 0x01), for Mesh Private beacons.
Key privateBeaconKey(const Key& net_key);
/// AID = k4(AppKey), the 6-bit application key identifier.
std::uint8_t applicationKeyId(const Key& app_key);
/// Virtual address of a Label UUID (§3.4.2.3): 0b10 in bits 15-14 and, in bits 13-0,
/// AES-CMAC_s1("vtad")(Label UUID) mod 2^14.
std::uint16_t virtualAddress(const LabelUuid& label_uuid);

// ---------------------------------------------------------------------------------------
// Nonces (§3.9.5). SEQ is 24 bits and TTL 7 bits; higher bits are ignored.

/// Network nonce (type 0x00): 0x00 || CTL|TTL || SEQ || SRC || 0x0000 || IV Index.
Nonce networkNonce(bool ctl, std::uint8_t ttl, std::uint32_t seq, std::uint16_t src,
                   std::uint32_t iv_index);
/// Application nonce (type 0x01): 0x01 || ASZMIC<<7 || SEQ || SRC || DST || IV Index.
/// ASZMIC is the SZMIC of a segmented message and 0 for an unsegmented one.
Nonce applicationNonce(bool aszmic, std::uint32_t seq, std::uint16_t src, std::uint16_t dst,
                       std::uint32_t iv_index);
/// Device nonce (type 0x02): as the application nonce, for DevKey-secured messages.
Nonce deviceNonce(bool aszmic, std::uint32_t seq, std::uint16_t src, std::uint16_t dst,
                  std::uint32_t iv_index);
/// Proxy nonce (type 0x03): 0x03 || 0x00 || SEQ || SRC || 0x0000 || IV Index.
Nonce proxyNonce(std::uint32_t seq, std::uint16_t src, std::uint32_t iv_index);
/// Proxy solicitation nonce (type 0x04): 0x04 || 0x00 || SSEQ || SSRC || 0x0000 ||
/// 0x00000000 (no IV Index: a solicitation must be readable by a node on any IV Index).
Nonce proxySolicitationNonce(std::uint32_t sseq, std::uint16_t ssrc);

// ---------------------------------------------------------------------------------------
// Message security (§3.9.7)

/// MIC sizes used by the network (NetMIC) and upper transport (TransMIC) layers.
enum class MicSize : std::uint8_t { k32 = 4, k64 = 8 };
/// Octets of a MIC.
constexpr std::size_t micBytes(MicSize size) {
  return static_cast<std::size_t>(size);
}
/// NetMIC size by CTL (§3.4.4.3): 32 bits for access messages, 64 bits for control.
constexpr MicSize netMicSize(bool ctl) {
  return ctl ? MicSize::k64 : MicSize::k32;
}

/// Upper Transport Access PDU at most 384 octets, TransMIC included (§3.6.2.1: Access
/// message of 1-380 octets with a 32-bit TransMIC, 1-376 with a 64-bit one).
inline constexpr std::size_t kMaxUpperTransportAccessPdu = 384;
/// A Network PDU is at most 29 octets (§3.4.4.8: 9 header octets, TransportPDU up to 16
/// octets with a 32-bit NetMIC or 12 with a 64-bit one).
inline constexpr std::size_t kMaxNetworkPduSize = 29;
/// Octets before the TransportPDU: IVI|NID, CTL|TTL, SEQ, SRC, DST.
inline constexpr std::size_t kNetworkHeaderSize = 9;

/// §3.9.7.2: AES-CCM(EncryptionKey, nonce, DST || TransportPDU) with a NetMIC; returns
/// EncDST || EncTransportPDU || NetMIC.
Result<Bytes> encryptNetMic(const Key& encryption_key, const Nonce& nonce,
                            ByteSpan dst_and_transport_pdu, MicSize net_mic);
/// Inverse of encryptNetMic: kAuthFailed when the NetMIC does not verify, kTruncated when
/// the input is not longer than the MIC.
Result<Bytes> decryptNetMic(const Key& encryption_key, const Nonce& nonce,
                            ByteSpan encrypted_and_mic, MicSize net_mic);

/// §3.9.7.1: AES-CCM(AppKey or DevKey, application/device nonce, Access message), with
/// the Label UUID as additional data when DST is a virtual address (else nullptr).
/// Returns EncAccessMessage || TransMIC. kInvalidArgs for an empty message, kTooLong
/// past 384 octets with the TransMIC.
Result<Bytes> encryptTransMic(const Key& key, const Nonce& nonce, ByteSpan access_message,
                              MicSize trans_mic, const LabelUuid* label_uuid = nullptr);
/// Inverse of encryptTransMic: kAuthFailed when the TransMIC does not verify with this
/// key and label (the caller tries each candidate), kTruncated / kTooLong for a PDU
/// whose size no access message can have.
Result<Bytes> decryptTransMic(const Key& key, const Nonce& nonce, ByteSpan upper_transport_pdu,
                              MicSize trans_mic, const LabelUuid* label_uuid = nullptr);

/// Privacy Plaintext (§3.9.7.3): 0x0000000000 || IV Index || PrivacyRandom.
crypto::Block privacyPlaintext(std::uint32_t iv_index, const PrivacyRandom& privacy_random);
/// PECB = e(PrivacyKey, Privacy Plaintext); its first 6 octets mask CTL|TTL, SEQ, SRC.
crypto::Block pecb(const Key& privacy_key, std::uint32_t iv_index,
                   const PrivacyRandom& privacy_random);
/// XORs octets 1..6 of a whole Network PDU with PECB, taking PrivacyRandom from octets
/// 7..13. The same call obfuscates and deobfuscates (the XOR is its own inverse and
/// PrivacyRandom lies outside the masked octets). kTruncated below 14 octets.
Error obfuscateHeader(const Key& privacy_key, std::uint32_t iv_index, MutableByteSpan network_pdu);
/// Same operation as obfuscateHeader, named for the receive path.
inline Error deobfuscateHeader(const Key& privacy_key, std::uint32_t iv_index,
                               MutableByteSpan network_pdu) {
  return obfuscateHeader(privacy_key, iv_index, network_pdu);
}

/// Which nonce secures a Network-PDU-shaped message (§3.9.5): ordinary Network PDUs, Proxy
/// Configuration messages (§6.5), or Solicitation PDUs (§6.9, DST only, no TransportPDU).
enum class NetworkNonceType : std::uint8_t {
  kNetwork = 0x00,
  kProxy = 0x03,
  kProxySolicitation = 0x04,
};

/// The clear-text fields of a Network PDU header (§3.4.4) other than IVI and NID.
struct NetworkHeader {
  bool ctl = false;
  std::uint8_t ttl = 0;   ///< 7 bits
  std::uint32_t seq = 0;  ///< 24 bits
  std::uint16_t src = 0;
  std::uint16_t dst = 0;

  friend bool operator==(const NetworkHeader&, const NetworkHeader&) = default;
};

/// Builds a secured Network PDU: IVI|NID || obfuscated CTL|TTL, SEQ, SRC ||
/// EncDST || EncTransportPDU || NetMIC. The NetMIC size follows CTL. For a Solicitation
/// PDU `transport_pdu` must be empty, CTL 1, and IV Index 0 is used whatever `iv_index`
/// says (§6.9.1). kInvalidArgs for out-of-range header fields or a TransportPDU size the
/// format does not allow.
Result<Bytes> sealNetworkPdu(const SecurityMaterial& material, std::uint32_t iv_index,
                             const NetworkHeader& header, ByteSpan transport_pdu,
                             NetworkNonceType type = NetworkNonceType::kNetwork);

/// A Network PDU after deobfuscation and NetMIC check.
struct OpenedNetworkPdu {
  bool ivi = false;
  std::uint8_t nid = 0;
  NetworkHeader header;
  Bytes transport_pdu;
};

/// Reads NID, deobfuscates and decrypts one Network PDU with one set of security material
/// and the IV Index the caller chose for its IVI bit. Errors: kTruncated / kTooLong for a
/// size no Network PDU has, kNotFound when the NID is not this material's, kInvalidArgs
/// when the IVI bit does not match `iv_index`, kMalformed when CTL contradicts the nonce
/// type (solicitation), kAuthFailed when the NetMIC does not verify. The proxy and
/// solicitation nonces do not cover TTL: checking that it is 0 is the caller's policy.
Result<OpenedNetworkPdu> openNetworkPdu(const SecurityMaterial& material, std::uint32_t iv_index,
                                        ByteSpan network_pdu,
                                        NetworkNonceType type = NetworkNonceType::kNetwork);

}  // namespace lpm::btmesh
