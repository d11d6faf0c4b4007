// Thin wrappers over mbedTLS (DESIGN.md layers: lpmesh/crypto).
//
// Keys and blocks are fixed-size arrays; variable data are spans. Nothing allocates
// except the functions returning Bytes. Decryption that fails authentication returns
// Error::kAuthFailed and never the plaintext.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/rng.hpp"

namespace lpm::crypto {

using Key128 = std::array<std::uint8_t, 16>;
using Block = std::array<std::uint8_t, 16>;
using Digest256 = std::array<std::uint8_t, 32>;

/// AES-128 encryption of one block (ECB, FIPS 197).
Block aes128Encrypt(const Key128& key, const Block& in);

/// AES-CMAC (RFC 4493), full 16-byte tag.
Block aesCmac(const Key128& key, ByteSpan message);

/// AES-CCM (RFC 3610 / NIST SP 800-38C) authenticated encryption.
/// nonce: 7..13 bytes; mic_len: 4, 6, 8, 10, 12, 14 or 16. Output = ciphertext || MIC.
Result<Bytes> ccmEncrypt(const Key128& key, ByteSpan nonce, ByteSpan aad, ByteSpan plaintext,
                         std::size_t mic_len);
/// Input = ciphertext || MIC. kAuthFailed when the MIC does not verify, kInvalidArgs
/// for a bad nonce/MIC length or input shorter than the MIC.
Result<Bytes> ccmDecrypt(const Key128& key, ByteSpan nonce, ByteSpan aad,
                         ByteSpan ciphertext_and_mic, std::size_t mic_len);

/// IEEE 802.15.4 CCM* (802.15.4-2015 §9.3, Annex B): 13-byte nonce, and the security
/// level's MIC length 0, 4, 8 or 16 with or without encryption.
///  - encrypt && mic 0: encryption only (ENC, level 4);
///  - !encrypt && mic>0: authentication only (MIC-32/64/128, levels 1-3): the payload
///    is authenticated in clear, output = payload || MIC;
///  - encrypt && mic>0: ENC-MIC (levels 5-7).
/// kInvalidArgs for level 0 (!encrypt && mic 0), another nonce or MIC length.
Result<Bytes> ccmStarEncrypt(const Key128& key, ByteSpan nonce13, ByteSpan aad, ByteSpan payload,
                             std::size_t mic_len, bool encrypt);
/// Inverse of ccmStarEncrypt: returns the payload (decrypted when `encrypted`).
/// kAuthFailed when the MIC does not verify; kInvalidArgs for a nonce that is not 13
/// octets, a MIC length not in {0, 4, 8, 16}, level 0 (no MIC, not encrypted) or input
/// shorter than the MIC.
Result<Bytes> ccmStarDecrypt(const Key128& key, ByteSpan nonce13, ByteSpan aad,
                             ByteSpan payload_and_mic, std::size_t mic_len, bool encrypted);

/// SHA-256 (FIPS 180-4).
Digest256 sha256(ByteSpan message);
/// HMAC-SHA256 (RFC 2104 / RFC 4231).
Digest256 hmacSha256(ByteSpan key, ByteSpan message);
/// HKDF-SHA256 (RFC 5869); 0 < out_len <= 255 * 32, else kInvalidArgs.
Result<Bytes> hkdfSha256(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::size_t out_len);
/// PBKDF2 with HMAC-SHA256 as the PRF (RFC 8018). kInvalidArgs for zero iterations or
/// out_len 0.
Result<Bytes> pbkdf2HmacSha256(ByteSpan password, ByteSpan salt, std::uint32_t iterations,
                               std::size_t out_len);
/// PBKDF2 with AES-CMAC-PRF-128 (RFC 4615) as the PRF, as Thread's PSKc uses.
Result<Bytes> pbkdf2AesCmacPrf128(ByteSpan password, ByteSpan salt, std::uint32_t iterations,
                                  std::size_t out_len);
/// AES-CMAC-PRF-128 (RFC 4615): CMAC with a key of any length.
Block aesCmacPrf128(ByteSpan key, ByteSpan message);

/// ECDH over NIST P-256. Public keys are X || Y (64 bytes, big-endian), as Bluetooth
/// Mesh provisioning and most stacks exchange them.
struct P256KeyPair {
  std::array<std::uint8_t, 32> private_key{};
  std::array<std::uint8_t, 64> public_key{};
};
/// Draws the private key from `rng` (deterministic per node and seed).
Result<P256KeyPair> p256GenerateKeyPair(Rng& rng);
/// Derives the public key of a given private key (kInvalidArgs if out of range).
Result<P256KeyPair> p256KeyPairFromPrivate(std::span<const std::uint8_t, 32> private_key);
/// Shared secret (X coordinate). kInvalidArgs when the peer key is not on the curve.
Result<std::array<std::uint8_t, 32>> p256Ecdh(std::span<const std::uint8_t, 32> private_key,
                                              std::span<const std::uint8_t, 64> peer_public);

}  // namespace lpm::crypto
