// Loads a YAML scenario into a Scenario (issue #2 §5). Every problem — YAML syntax, an
// unknown key, a wrong type, a value out of range, a missing required key, a bad side
// file — is a ScenarioError whose what() is `file:line:col: message`.
#pragma once

#include <string>

#include "lpmesh/scenario/config.hpp"
#include "lpmesh/scenario/stack_registry.hpp"

namespace lpm::scenario {

/// Reads and checks a scenario file. Side files (positions CSV, link table) are found
/// relative to the scenario's folder.
Scenario loadScenarioFile(const std::string& path, const StackRegistry& registry);

/// Same for scenario text; `file` names it in errors, `base_dir` anchors side files.
Scenario loadScenarioText(const std::string& text, const std::string& file,
                          const std::string& base_dir, const StackRegistry& registry);

/// Centre frequency (MHz) of an IEEE 802.15.4 2.4 GHz channel 11..26.
double channel802154Mhz(int channel);
/// Centre frequency (MHz) of a BLE channel index 0..39 (37/38/39 = 2402/2426/2480).
double channelBleMhz(int channel);

}  // namespace lpm::scenario
