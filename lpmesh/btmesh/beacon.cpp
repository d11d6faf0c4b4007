#include "lpmesh/btmesh/beacon.hpp"

#include <algorithm>
#include <cstring>

#include "lpmesh/btmesh/iv_update.hpp"
#include "lpmesh/btmesh/key_refresh.hpp"

namespace lpm::btmesh {

namespace {
constexpr std::string_view kLayer = "btmesh.beacon";
constexpr NetKeyIndex kPrimaryNetKey = 0x000;

/// Flags || Network ID || IV Index: the authenticated part of a Secure Network beacon.
std::array<std::uint8_t, 13> secureMessage(std::uint8_t flags, const NetworkId& network_id,
                                           std::uint32_t iv_index) {
  std::array<std::uint8_t, 13> m{};
  ByteWriter w(m);
  w.u8(flags);
  w.bytes(network_id);
  w.u32be(iv_index);
  return m;
}

Error expectType(ByteReader& r, BeaconType type) {
  const std::uint8_t t = r.u8();
  if (!r.ok()) return r.error();
  return t == static_cast<std::uint8_t>(type) ? Error::kNone : Error::kMalformed;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Formats

Result<BeaconType> beaconType(ByteSpan beacon) {
  if (beacon.empty()) return Error::kTruncated;
  if (beacon[0] > static_cast<std::uint8_t>(BeaconType::kMeshPrivate)) return Error::kUnsupported;
  return static_cast<BeaconType>(beacon[0]);
}

Result<UnprovisionedDeviceBeacon> UnprovisionedDeviceBeacon::parse(ByteSpan beacon) {
  ByteReader r(beacon);
  LPM_TRY(expectType(r, BeaconType::kUnprovisionedDevice));
  UnprovisionedDeviceBeacon b;
  b.uuid = r.array<16>();
  b.oob_info = r.u16be();
  if (r.ok() && r.remaining() >= 4) b.uri_hash = r.array<4>();
  LPM_TRY(r.expectEnd());
  return b;
}

Bytes UnprovisionedDeviceBeacon::encode() const {
  Bytes out;
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(BeaconType::kUnprovisionedDevice));
  w.bytes(uuid);
  w.u16be(oob_info);
  if (uri_hash) w.bytes(*uri_hash);
  return out;
}

std::array<std::uint8_t, 4> UnprovisionedDeviceBeacon::uriHash(ByteSpan uri_data) {
  const Key h = s1(uri_data);
  return {h[0], h[1], h[2], h[3]};
}

Result<SecureNetworkBeacon> SecureNetworkBeacon::parse(ByteSpan beacon) {
  ByteReader r(beacon);
  LPM_TRY(expectType(r, BeaconType::kSecureNetwork));
  SecureNetworkBeacon b;
  b.flags = r.u8();
  b.network_id = r.array<8>();
  b.iv_index = r.u32be();
  b.auth = r.array<8>();
  LPM_TRY(r.expectEnd());
  return b;
}

Bytes SecureNetworkBeacon::encode() const {
  Bytes out;
  out.reserve(kSize);
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(BeaconType::kSecureNetwork));
  w.u8(flags);
  w.bytes(network_id);
  w.u32be(iv_index);
  w.bytes(auth);
  return out;
}

SecureNetworkBeacon SecureNetworkBeacon::create(const Key& beacon_key, const NetworkId& network_id,
                                                BeaconFlags flags, std::uint32_t iv_index) {
  SecureNetworkBeacon b;
  b.flags = flags.encode();
  b.network_id = network_id;
  b.iv_index = iv_index;
  const crypto::Block mac =
      crypto::aesCmac(beacon_key, secureMessage(b.flags, network_id, iv_index));
  std::copy_n(mac.begin(), b.auth.size(), b.auth.begin());
  return b;
}

bool SecureNetworkBeacon::authenticate(const Key& beacon_key) const {
  const crypto::Block mac = crypto::aesCmac(beacon_key, secureMessage(flags, network_id, iv_index));
  return std::equal(auth.begin(), auth.end(), mac.begin());
}

Result<MeshPrivateBeacon> MeshPrivateBeacon::parse(ByteSpan beacon) {
  ByteReader r(beacon);
  LPM_TRY(expectType(r, BeaconType::kMeshPrivate));
  MeshPrivateBeacon b;
  b.random = r.array<13>();
  b.obfuscated_data = r.array<5>();
  b.auth_tag = r.array<8>();
  LPM_TRY(r.expectEnd());
  return b;
}

Bytes MeshPrivateBeacon::encode() const {
  Bytes out;
  out.reserve(kSize);
  VectorWriter w(out);
  w.u8(static_cast<std::uint8_t>(BeaconType::kMeshPrivate));
  w.bytes(random);
  w.bytes(obfuscated_data);
  w.bytes(auth_tag);
  return out;
}

MeshPrivateBeacon MeshPrivateBeacon::create(const Key& private_beacon_key, const Random& random,
                                            const PrivateBeaconData& data) {
  std::array<std::uint8_t, 5> plain{};
  ByteWriter w(plain);
  w.u8(data.flags);
  w.u32be(data.iv_index);
  // §3.10.4: B0 = 0x19 || Random || 0x0005, counter blocks 0x01 || Random || i: exactly
  // CCM with a 13-octet nonce, no additional data and an 8-octet MIC.
  auto sealed = crypto::ccmEncrypt(private_beacon_key, random, {}, plain, 8);
  MeshPrivateBeacon b;
  b.random = random;
  if (sealed.ok() && sealed->size() == 13) {
    std::copy_n(sealed->begin(), 5, b.obfuscated_data.begin());
    std::copy_n(sealed->begin() + 5, 8, b.auth_tag.begin());
  }
  return b;
}

Result<PrivateBeaconData> MeshPrivateBeacon::open(const Key& private_beacon_key) const {
  std::array<std::uint8_t, 13> sealed{};
  std::copy(obfuscated_data.begin(), obfuscated_data.end(), sealed.begin());
  std::copy(auth_tag.begin(), auth_tag.end(), sealed.begin() + 5);
  LPM_TRY_ASSIGN(Bytes plain, crypto::ccmDecrypt(private_beacon_key, random, {}, sealed, 8));
  ByteReader r(plain);
  PrivateBeaconData d;
  d.flags = r.u8();
  d.iv_index = r.u32be();
  LPM_TRY(r.expectEnd());
  return d;
}

// ---------------------------------------------------------------------------------------
// Behaviour

Beacons::Beacons(const platform::Platform& platform, KeyStore& keys, BeaconTiming timing)
    : platform_(platform), keys_(keys), timing_(timing) {}

Beacons::~Beacons() {
  platform_.timers->stop(timer_);
}

void Beacons::setProcedures(IvUpdate* iv_update, KeyRefresh* key_refresh) {
  iv_update_ = iv_update;
  key_refresh_ = key_refresh;
}

void Beacons::start() {
  running_ = true;
  observation_start_ = platform_.timers->now();
  sync();
  const std::int64_t tick_us = toMicros(timing_.tick);
  const std::int64_t first =
      platform_.random != nullptr ? platform_.random->uniformInt(0, tick_us) : tick_us;
  platform_.timers->start(timer_, micros(first));
}

void Beacons::stop() {
  running_ = false;
  platform_.timers->stop(timer_);
}

void Beacons::setSecureBeaconEnabled(bool enabled) {
  const bool was = secure_enabled_;
  secure_enabled_ = enabled;
  // Zephyr sends the first beacons right after the state is enabled.
  if (enabled && !was && running_) sendAllNow();
}

void Beacons::setPrivateBeacon(bool enabled, std::uint8_t random_update_interval_steps) {
  const bool was = private_enabled_;
  private_enabled_ = enabled;
  random_update_steps_ = random_update_interval_steps;
  random_valid_ = false;
  if (enabled && !was && running_) sendAllNow();
}

Beacons::SubnetBeacons& Beacons::track(NetKeyIndex net_idx) {
  for (auto& b : subnets_) {
    if (b.net_idx == net_idx) return b;
  }
  subnets_.push_back(SubnetBeacons{net_idx});
  return subnets_.back();
}

const Beacons::SubnetBeacons* Beacons::find(NetKeyIndex net_idx) const {
  for (const auto& b : subnets_) {
    if (b.net_idx == net_idx) return &b;
  }
  return nullptr;
}

void Beacons::sync() {
  std::erase_if(subnets_,
                [&](const SubnetBeacons& b) { return keys_.subnet(b.net_idx) == nullptr; });
  for (const Subnet& s : keys_.subnets())
    (void)track(s.net_idx);
}

bool Beacons::secureRunning() const {
  // §3.11.5: the initiator of an IV Update beacons whatever the Beacon state.
  return secure_enabled_ || (iv_update_ != nullptr && iv_update_->initiator());
}

BeaconFlags Beacons::flagsOf(const Subnet& s) const {
  return BeaconFlags{s.phase == KeyRefreshPhase::kPhase2, keys_.ivIndex().update_in_progress};
}

Duration Beacons::beaconInterval(NetKeyIndex net_idx) const {
  const SubnetBeacons* b = find(net_idx);
  const std::int64_t observed = b != nullptr ? b->observed_last : 0;
  // §3.10.5: Observation Period x (Observed Number of Beacons + 1) / Expected Number of
  // Beacons, the latter counted with the typical 10 s interval.
  const std::int64_t expected =
      std::max<std::int64_t>(1, timing_.observation_period / timing_.expected_interval);
  const Duration interval = timing_.observation_period * (observed + 1) / expected;
  return std::clamp(interval, timing_.min_interval, timing_.max_interval);
}

std::uint32_t Beacons::observedBeacons(NetKeyIndex net_idx) const {
  const SubnetBeacons* b = find(net_idx);
  return b != nullptr ? b->observed_last : 0;
}

void Beacons::regenerateRandom() {
  const LocalTime now = platform_.timers->now();
  const Duration period = seconds(10) * random_update_steps_;
  if (random_valid_ && random_update_steps_ != 0 && now - random_time_ < period) return;
  if (platform_.random != nullptr) platform_.random->fill(random_);
  random_time_ = now;
  random_valid_ = true;
}

Result<SecureNetworkBeacon> Beacons::secureBeacon(NetKeyIndex net_idx) const {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr) return Error::kNotFound;
  // §3.10.3 / §3.11.4: from phase 2 on, beacons are secured with the new key.
  const NetKeyMaterial& k = s->txKeys();
  return SecureNetworkBeacon::create(k.beacon_key, k.network_id, flagsOf(*s),
                                     keys_.ivIndex().index);
}

void Beacons::sendFor(const Subnet& s, SubnetBeacons& b) {
  if (bearer_ == nullptr) return;
  const NetKeyMaterial& k = s.txKeys();
  bool sent = false;
  if (secureRunning()) {
    const Bytes beacon =
        SecureNetworkBeacon::create(k.beacon_key, k.network_id, flagsOf(s), keys_.ivIndex().index)
            .encode();
    if (bearer_->sendBeacon(beacon) == Error::kNone) {
      ++stats_.tx_secure;
      sent = true;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "secure_network");
    } else {
      ++stats_.tx_no_bufs;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "no_bufs");
    }
  }
  if (private_enabled_) {
    regenerateRandom();
    const PrivateBeaconData data{flagsOf(s).encode(), keys_.ivIndex().index};
    const Bytes beacon = MeshPrivateBeacon::create(k.private_beacon_key, random_, data).encode();
    if (bearer_->sendBeacon(beacon) == Error::kNone) {
      ++stats_.tx_private;
      sent = true;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kTx, "mesh_private");
    } else {
      ++stats_.tx_no_bufs;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "no_bufs");
    }
  }
  if (sent) {
    b.last_sent = platform_.timers->now();
    b.sent_once = true;
  }
}

Error Beacons::sendNow(NetKeyIndex net_idx) {
  const Subnet* s = keys_.subnet(net_idx);
  if (s == nullptr) return Error::kNotFound;
  sendFor(*s, track(net_idx));
  return Error::kNone;
}

void Beacons::sendAllNow() {
  sync();
  for (const Subnet& s : keys_.subnets())
    sendFor(s, track(s.net_idx));
}

void Beacons::onTick() {
  const LocalTime now = platform_.timers->now();
  sync();
  if (now - observation_start_ >= timing_.observation_period) {
    for (auto& b : subnets_) {
      b.observed_last = b.observed_current;
      b.observed_current = 0;
    }
    observation_start_ = now;
  }
  if (secureRunning() || private_enabled_) {
    for (const Subnet& s : keys_.subnets()) {
      SubnetBeacons& b = track(s.net_idx);
      if (!b.sent_once || now - b.last_sent >= beaconInterval(s.net_idx)) sendFor(s, b);
    }
  }
  platform_.timers->start(timer_, timing_.tick);
}

void Beacons::receive(ByteSpan beacon, std::int8_t /*rssi*/) {
  ++stats_.rx;
  auto type = beaconType(beacon);
  if (!type.ok()) {
    ++stats_.drop_malformed;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "malformed");
    return;
  }
  switch (*type) {
    case BeaconType::kUnprovisionedDevice:
      return;  // for provisioners; nothing to do on a node
    case BeaconType::kSecureNetwork: {
      auto b = SecureNetworkBeacon::parse(beacon);
      if (!b.ok()) break;
      onSecure(*b);
      return;
    }
    case BeaconType::kMeshPrivate: {
      auto b = MeshPrivateBeacon::parse(beacon);
      if (!b.ok()) break;
      onPrivate(*b);
      return;
    }
  }
  ++stats_.drop_malformed;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "malformed");
}

void Beacons::onSecure(const SecureNetworkBeacon& beacon) {
  for (const Subnet& s : keys_.subnets()) {
    const std::uint8_t slots = s.hasNewKey() ? 2 : 1;
    for (std::uint8_t slot = 0; slot < slots; ++slot) {
      const NetKeyMaterial& k = s.keys[slot];
      if (k.network_id != beacon.network_id || !beacon.authenticate(k.beacon_key)) continue;
      ++stats_.rx_secure;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "secure_network");
      apply(s, slot, beacon.beaconFlags(), beacon.iv_index);
      return;
    }
  }
  ++stats_.drop_unknown_network;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "unknown_network");
}

void Beacons::onPrivate(const MeshPrivateBeacon& beacon) {
  for (const Subnet& s : keys_.subnets()) {
    const std::uint8_t slots = s.hasNewKey() ? 2 : 1;
    for (std::uint8_t slot = 0; slot < slots; ++slot) {
      auto data = beacon.open(s.keys[slot].private_beacon_key);
      if (!data.ok()) continue;
      ++stats_.rx_private;
      platform::trace(platform_.trace, kLayer, platform::TraceKind::kRx, "mesh_private");
      apply(s, slot, BeaconFlags::decode(data->flags), data->iv_index);
      return;
    }
  }
  ++stats_.drop_unknown_network;
  platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "unknown_network");
}

void Beacons::apply(const Subnet& s, std::uint8_t slot, BeaconFlags flags, std::uint32_t iv_index) {
  const NetKeyIndex net_idx = s.net_idx;
  // In phase 2 the old key is no longer used to transmit; a beacon secured with it comes
  // from a node that missed the refresh and must not move this node (Zephyr beacon.c).
  if (s.phase == KeyRefreshPhase::kPhase2 && slot == 0) {
    ++stats_.drop_old_key;
    platform::trace(platform_.trace, kLayer, platform::TraceKind::kDrop, "old_key");
    return;
  }
  SubnetBeacons& b = track(net_idx);
  if (b.observed_current < 0xFFFFFFFFU) ++b.observed_current;
  if (key_refresh_ != nullptr) (void)key_refresh_->onBeacon(net_idx, flags.key_refresh, slot == 1);
  if (iv_update_ == nullptr) return;
  // §3.11.5: with a primary subnet, IV Index changes are accepted from it only.
  if (net_idx != kPrimaryNetKey && keys_.subnet(kPrimaryNetKey) != nullptr) {
    if (iv_index != keys_.ivIndex().index ||
        flags.iv_update != keys_.ivIndex().update_in_progress) {
      ++stats_.drop_secondary_iv;
    }
    return;
  }
  (void)iv_update_->onBeacon(iv_index, flags.iv_update);
}

}  // namespace lpm::btmesh
