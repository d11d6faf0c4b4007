// Fuzz target for the scenario loader (lpmesh/scenario/loader): any text either loads or
// is refused with a ScenarioError that names a location in "fuzz.yaml" — never another
// exception, a crash or undefined behaviour. Side files resolve under a folder that does
// not exist, so only inline content is exercised.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lpmesh/scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static const lpm::scenario::StackRegistry registry = lpm::scenario::builtinStackKinds();
  try {
    const lpm::scenario::Scenario s =
        lpm::scenario::loadScenarioText(text, "fuzz.yaml", "/nonexistent-lpm-fuzz", registry);
    if (s.stacks.empty() || s.nodeCount() == 0) __builtin_trap();  // both are required
  } catch (const lpm::scenario::ScenarioError& e) {
    const std::string what = e.what();
    if (what.rfind("fuzz.yaml", 0) != 0 && what.rfind("/nonexistent-lpm-fuzz", 0) != 0) {
      __builtin_trap();
    }
  }
  return 0;
}
