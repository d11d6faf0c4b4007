// IEEE 802.15.4-2015 frame security (§9) as RFC 8180 §4.6 uses it: CCM* over a frame,
// a key table, incoming frame counters with replay rejection, secExempt, and the three
// joining key modes.
//
// Which bytes CCM* sees (15.4-2015 §9.3.5, RFC 8180 §4.6):
//  - MIC-only levels (1-3): a = the whole frame before the MIC, m empty;
//  - encrypting levels (4-7): a = MHR incl. auxiliary security header and header IEs
//    (and, for frame versions 0/1, the beacon fields or the command ID); m = the
//    private payload: payload IEs + payload.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/error.hpp"
#include "lpmesh/core/ids.hpp"
#include "lpmesh/crypto/crypto.hpp"
#include "lpmesh/ieee802154/aux_security.hpp"
#include "lpmesh/ieee802154/frame.hpp"

namespace lpm::ieee802154 {

/// Whether a header selects the TSCH (ASN) nonce: ASN in Nonce or Frame Counter
/// Suppression set (a suppressed counter leaves only the ASN to make the nonce unique).
constexpr bool usesAsnNonce(const AuxSecurityHeader& h) {
  return h.asn_in_nonce || h.frame_counter_suppressed;
}

/// The nonce for a frame: tschNonce(originator, asn) or frameCounterNonce(originator,
/// frame counter, level). kInvalidArgs when the ASN form is needed and `asn` is empty.
Result<Nonce> frameNonce(const AuxSecurityHeader& h, const Eui64& originator,
                         std::optional<std::uint64_t> asn);

/// The frame's extended source address, when it carries one.
std::optional<Eui64> sourceEui64(const Frame& f);

/// CCM*-secures a plaintext frame (`security` set, `secured` false) and returns its
/// on-air form. kInvalidArgs for a frame without a security header or already secured.
Result<Frame> secureFrame(const Frame& plain, const crypto::Key128& key, const Nonce& nonce);

/// Verifies (and decrypts) an on-air secured frame and returns its plaintext form
/// (`secured` false, MIC dropped, payload IEs parsed). kAuthFailed when the MIC fails.
Result<Frame> unsecureFrame(const Frame& secured, const crypto::Key128& key, const Nonce& nonce);

/// Frame types a key may protect (15.4-2015 KeyUsageDescriptor), one bit per FrameType.
constexpr std::uint8_t usageBit(FrameType t) {
  return static_cast<std::uint8_t>(1U << static_cast<unsigned>(t));
}
inline constexpr std::uint8_t kUsageBeacon = usageBit(FrameType::kBeacon);
inline constexpr std::uint8_t kUsageData = usageBit(FrameType::kData);
inline constexpr std::uint8_t kUsageAck = usageBit(FrameType::kAck);
inline constexpr std::uint8_t kUsageCommand = usageBit(FrameType::kMacCommand);

/// How a key is named in the auxiliary security header.
struct KeyIdentifier {
  KeyIdMode mode = KeyIdMode::kIndex;
  std::uint8_t index = 0;
  std::array<std::uint8_t, 8> source{};  ///< first keySourceLength(mode) bytes used

  static KeyIdentifier fromIndex(std::uint8_t index) { return {KeyIdMode::kIndex, index, {}}; }
  static KeyIdentifier fromHeader(const AuxSecurityHeader& h);
  /// Compares the fields the mode uses.
  bool operator==(const KeyIdentifier& o) const;
};

/// One key of the key table.
struct KeyDescriptor {
  KeyIdentifier id;
  crypto::Key128 key{};
  std::uint8_t usage = kUsageBeacon | kUsageData | kUsageAck | kUsageCommand;
  /// Next outgoing frame counter with this key (frame-counter nonce only).
  std::uint32_t outgoing_frame_counter = 0;
};

/// The MAC key table: a bounded list of keys looked up by key identifier (15.4-2015
/// §9.2.2). A mode-0 (implicit) entry is the one key used for every mode-0 frame.
class KeyTable {
 public:
  explicit KeyTable(std::size_t capacity = 8) : capacity_(capacity) {}

  /// kAlreadyExists for a key with the same identifier, kNoBufs when full.
  Error add(const KeyDescriptor& key);
  /// Adds or replaces the key with this identifier (kNoBufs when full).
  Error set(const KeyDescriptor& key);
  /// kNotFound when absent.
  Error remove(const KeyIdentifier& id);
  void clear() { keys_.clear(); }

  /// The key a received or outgoing frame names, allowed for its frame type:
  /// kNotFound when no key has the identifier, kDropped when its usage excludes the type.
  Result<KeyDescriptor*> lookup(const AuxSecurityHeader& h, FrameType type);
  KeyDescriptor* find(const KeyIdentifier& id);
  const KeyDescriptor* find(const KeyIdentifier& id) const;
  /// Whether some key may protect this frame type.
  bool hasKeyFor(FrameType type) const;
  std::size_t size() const { return keys_.size(); }
  std::size_t capacity() const { return capacity_; }
  const std::vector<KeyDescriptor>& entries() const { return keys_; }

 private:
  std::vector<KeyDescriptor> keys_;
  std::size_t capacity_;
};

/// Incoming frame counters per (sender, key) for replay rejection with the
/// frame-counter nonce (15.4-2015 §9.2.5 incoming frame security procedure). TSCH ASN
/// nonces need none: the ASN never repeats.
class FrameCounterTable {
 public:
  explicit FrameCounterTable(std::size_t capacity = 32) : capacity_(capacity) {}

  /// kReplay when `counter` is not above the last accepted one from this sender and
  /// key, or is 0xffffffff (15.4-2015: a counter error). Does not record it.
  Error check(const Eui64& sender, const KeyIdentifier& key, std::uint32_t counter) const;
  /// Records an accepted counter; kNoBufs when the table is full of other entries.
  Error accept(const Eui64& sender, const KeyIdentifier& key, std::uint32_t counter);
  /// The last accepted counter, if any.
  std::optional<std::uint32_t> last(const Eui64& sender, const KeyIdentifier& key) const;
  /// Forgets one sender (all keys).
  void forget(const Eui64& sender);
  void clear() { entries_.clear(); }
  std::size_t size() const { return entries_.size(); }

  /// One (sender, key) counter; the table's entries, e.g. to persist them.
  struct Entry {
    Eui64 sender{};
    KeyIdentifier key;
    std::uint32_t counter = 0;
  };
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::size_t capacity_;
};

/// RFC 8180 §4.6 joining modes: which keys a node starts with.
enum class JoinKeyMode : std::uint8_t {
  kK1K2,    ///< K1 and K2 pre-configured
  kK1Only,  ///< K1 pre-configured, K2 learnt in the key distribution phase
  kNone,    ///< neither: EBs are passed up even when unsecuring fails, until K1 is known
};

/// What LinkSecurity::processIncoming made of a received frame.
enum class RxSecurity : std::uint8_t {
  kUnsecured,         ///< not secured and no key requires it
  kVerified,          ///< MIC checked (and decrypted)
  kExempt,            ///< not secured, accepted because the sender has secExempt
  kUnverifiedBeacon,  ///< secured EB passed up without verification (JoinKeyMode::kNone)
};

/// A received frame after incoming security processing.
struct IncomingFrame {
  Frame frame;  ///< plaintext when kVerified; as received otherwise
  RxSecurity status = RxSecurity::kUnsecured;
};

struct LinkSecurityConfig {
  JoinKeyMode join_mode = JoinKeyMode::kK1K2;
  std::size_t key_capacity = 8;
  std::size_t counter_capacity = 32;
  std::size_t exempt_capacity = 8;
};

/// A node's link-layer security state: keys, incoming counters and secExempt list.
class LinkSecurity {
 public:
  explicit LinkSecurity(const Eui64& self, const LinkSecurityConfig& config = {})
      : self_(self),
        config_(config),
        keys_(config.key_capacity),
        counters_(config.counter_capacity) {}

  KeyTable& keys() { return keys_; }
  const KeyTable& keys() const { return keys_; }
  FrameCounterTable& counters() { return counters_; }
  JoinKeyMode joinMode() const { return config_.join_mode; }

  /// secExempt (15.4-2015 §9.2.4): accept unsecured frames from this device. kNoBufs
  /// when the list is full.
  Error addExempt(const Eui64& device);
  /// RFC 8180 §4.6: cleared once key distribution is done.
  void clearExempt(const Eui64& device);
  bool isExempt(const Eui64& device) const;

  /// Whether secured EBs are passed up unverified (kNone mode and no beacon key yet).
  bool acceptsUnverifiedBeacons() const;

  /// Secures an outgoing plaintext frame with the key its header names. The
  /// frame-counter nonce takes the key's outgoing counter (and advances it; kTooLong
  /// once exhausted); the ASN nonce needs `asn`. A frame without a security header is
  /// returned unchanged.
  Result<Frame> secureOutgoing(const Frame& plain, std::optional<std::uint64_t> asn);

  /// Incoming security processing of a parsed frame from `originator` (its EUI-64,
  /// from the frame or the caller's address map). Errors: kDropped (unsecured frame
  /// where a key exists for its type, or a key not allowed for the type), kNotFound (no
  /// key), kReplay, kAuthFailed, kInvalidArgs (ASN nonce without `asn`).
  Result<IncomingFrame> processIncoming(const Frame& rx, const Eui64& originator,
                                        std::optional<std::uint64_t> asn);

 private:
  Eui64 self_;
  LinkSecurityConfig config_;
  KeyTable keys_;
  FrameCounterTable counters_;
  std::vector<Eui64> exempt_;
};

}  // namespace lpm::ieee802154
