// Loads the published test vectors copied under tests/vectors/ (see its README).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lpmesh/core/bytes.hpp"

namespace lpm::test {

/// Directory of tests/vectors (LPM_VECTORS_DIR in the environment overrides it).
std::string vectorsDir();
/// Parses tests/vectors/<relative_path>; fails the current test (and throws) if absent.
nlohmann::json loadVectorFile(const std::string& relative_path);
/// The vector list of a file: the top-level array, or its "vectors" member.
std::vector<nlohmann::json> vectorList(const nlohmann::json& file);
/// Hex string field -> bytes (throws std::runtime_error on bad hex).
Bytes hexField(const nlohmann::json& value);

}  // namespace lpm::test
