#include "tests/testutil/vectors.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "lpmesh/core/hex.hpp"

namespace lpm::test {

std::string vectorsDir() {
  if (const char* env = std::getenv("LPM_VECTORS_DIR"); env != nullptr && *env != '\0') return env;
  return LPM_VECTORS_DIR_DEFAULT;
}

nlohmann::json loadVectorFile(const std::string& relative_path) {
  const std::string path = vectorsDir() + "/" + relative_path;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "cannot open vector file " << path;
    throw std::runtime_error("missing vector file " + path);
  }
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> vectorList(const nlohmann::json& file) {
  const nlohmann::json& list = file.is_array() ? file : file.at("vectors");
  return {list.begin(), list.end()};
}

Bytes hexField(const nlohmann::json& value) {
  auto bytes = parseHex(value.get<std::string>());
  if (!bytes) throw std::runtime_error("bad hex in vector: " + value.get<std::string>());
  return std::move(bytes).value();
}

}  // namespace lpm::test
