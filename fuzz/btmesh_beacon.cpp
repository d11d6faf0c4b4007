// Fuzz target for the mesh beacon decoders (Mesh Protocol 1.1 §3.10): Unprovisioned
// Device, Secure Network and Mesh Private beacons. Any input is refused with an Error or
// decoded; a decoded beacon encodes back to the same octets. A beacon authenticated by
// the §8.3 sample NetKey must be one our encoder produces from its fields; the beacon
// behaviour (Beacons::receive, with Key Refresh and IV Update behind it) takes every
// input without crashing.
#include <cstddef>
#include <cstdint>

#include "lpmesh/btmesh/beacon.hpp"
#include "lpmesh/btmesh/iv_update.hpp"
#include "lpmesh/btmesh/key_refresh.hpp"

namespace {

using lpm::btmesh::Key;

const Key kNetKey{0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                  0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6};

/// A clock that never moves: receive() only reads it.
class StillTimers final : public lpm::platform::Timers {
 public:
  lpm::LocalTime now() const override { return lpm::LocalTime{}; }
  void startAt(lpm::platform::Timer& timer, lpm::LocalTime at) override {
    timer.fire_at_ = at;
    timer.slot_ = 0;
  }
  void stop(lpm::platform::Timer& timer) override {
    timer.slot_ = lpm::platform::Timer::kNotRunning;
  }
};

template <class T>
void roundTrip(lpm::ByteSpan in) {
  auto b = T::parse(in);
  if (!b.ok()) return;
  const lpm::Bytes again = b->encode();
  if (again.size() != in.size()) __builtin_trap();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (again[i] != in[i]) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpm::ByteSpan in(data, size);
  (void)lpm::btmesh::beaconType(in);
  roundTrip<lpm::btmesh::UnprovisionedDeviceBeacon>(in);
  roundTrip<lpm::btmesh::SecureNetworkBeacon>(in);
  roundTrip<lpm::btmesh::MeshPrivateBeacon>(in);

  static const Key beacon_key = lpm::btmesh::beaconKey(kNetKey);
  static const Key private_key = lpm::btmesh::privateBeaconKey(kNetKey);
  if (auto snb = lpm::btmesh::SecureNetworkBeacon::parse(in); snb.ok()) {
    if (snb->authenticate(beacon_key)) {
      const auto again = lpm::btmesh::SecureNetworkBeacon::create(
          beacon_key, snb->network_id, snb->beaconFlags(), snb->iv_index);
      if (again.auth != snb->auth || (snb->flags & 0xFC) != 0) {
        // Only RFU flag bits can make an authentic beacon differ from ours.
        if ((snb->flags & 0xFC) == 0) __builtin_trap();
      }
    }
  }
  if (auto mpb = lpm::btmesh::MeshPrivateBeacon::parse(in); mpb.ok()) {
    if (auto d = mpb->open(private_key); d.ok()) {
      const auto again = lpm::btmesh::MeshPrivateBeacon::create(private_key, mpb->random, *d);
      if (!(again == *mpb)) __builtin_trap();
    }
  }

  // The behaviour: one node whose keys and IV state the beacons may move.
  static StillTimers timers;
  static lpm::Rng rng(1);
  lpm::platform::Platform platform;
  platform.timers = &timers;
  platform.random = &rng;
  lpm::btmesh::KeyStore keys;
  (void)keys.addNetKey(0, kNetKey);
  keys.ivIndex().index = 0x12345678;
  lpm::btmesh::KeyRefresh kr(platform, keys);
  lpm::btmesh::Beacons beacons(platform, keys);
  beacons.setProcedures(nullptr, &kr);
  beacons.receive(in);
  return 0;
}
