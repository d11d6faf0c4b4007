// Fuzz target for the beacon application's frame decoders (lpmesh/scenario/beacon_app):
// any input is refused with an Error or decoded, and a decoded beacon re-encodes to a
// frame that decodes to the same id.
#include <cstddef>
#include <cstdint>

#include "lpmesh/scenario/beacon_app.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lpm::ByteSpan in(data, size);
  const std::uint16_t pan =
      size >= 2 ? static_cast<std::uint16_t>(data[3 % size] | (data[4 % size] << 8)) : 0;
  if (const auto id = lpm::scenario::decodeBeacon802154(in, pan); id.ok()) {
    const lpm::Bytes again = lpm::scenario::encodeBeacon802154(*id, pan, size);
    const auto back = lpm::scenario::decodeBeacon802154(again, pan);
    if (!back.ok() || back->node != id->node || back->counter != id->counter) __builtin_trap();
  }
  if (const auto id = lpm::scenario::decodeBeaconAdvData(in); id.ok()) {
    const lpm::Bytes again = lpm::scenario::encodeBeaconAdvData(*id, size);
    const auto back = lpm::scenario::decodeBeaconAdvData(again);
    if (!back.ok() || back->node != id->node || back->counter != id->counter) __builtin_trap();
  }
  return 0;
}
