// Strict reading of YAML scenario nodes: typed scalars with ranges, required keys,
// unknown keys, all reported as `file:line:col: message`. Stack kinds use it to parse
// their own section of a scenario (see stack_registry.hpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lpmesh/core/time.hpp"
#include "lpmesh/scenario/scenario_error.hpp"

namespace lpm::scenario {

/// The file a YAML document came from, for error locations.
class YamlContext {
 public:
  explicit YamlContext(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  /// 1-based location of `node` (yaml-cpp marks are 0-based).
  SourceMark mark(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const;

  /// Scalar conversions; each fails at the node with a message naming `what`.
  double number(const YAML::Node& node, std::string_view what, double min, double max) const;
  std::int64_t integer(const YAML::Node& node, std::string_view what, std::int64_t min,
                       std::int64_t max) const;
  std::uint64_t unsignedInteger(const YAML::Node& node, std::string_view what) const;
  bool boolean(const YAML::Node& node, std::string_view what) const;
  std::string string(const YAML::Node& node, std::string_view what) const;
  /// "10s", "250ms", "1h", "100us", plain number = seconds; >= `min`.
  Duration duration(const YAML::Node& node, std::string_view what,
                    Duration min = Duration{0}) const;
  /// A sequence of 2 or 3 numbers [x, y] / [x, y, z] (z defaults to 0).
  std::vector<double> vector3(const YAML::Node& node, std::string_view what) const;
  /// One of `choices`; the message lists them.
  std::string choice(const YAML::Node& node, std::string_view what,
                     const std::vector<std::string_view>& choices) const;

 private:
  std::string scalar(const YAML::Node& node, std::string_view what,
                     std::string_view expected) const;
  std::string file_;
};

/// Reads one YAML mapping. Every key the caller asks about (has/get/required/...) is a
/// known key; finish() rejects any other key, and duplicates, at the key's location.
class MapReader {
 public:
  /// Fails unless `node` is a mapping; `what` names it in messages ("topology"; empty for
  /// the top level, named "scenario").
  MapReader(const YamlContext& ctx, const YAML::Node& node, std::string what);

  const YamlContext& context() const { return ctx_; }
  const YAML::Node& node() const { return node_; }
  const std::string& what() const { return what_; }

  bool has(std::string_view key);
  /// The value, or an undefined node when absent.
  YAML::Node get(std::string_view key);
  /// The value; a missing key is an error at the mapping.
  YAML::Node required(std::string_view key);
  [[noreturn]] void fail(const std::string& message) const { ctx_.fail(node_, message); }

  double number(std::string_view key, double fallback, double min, double max);
  double requiredNumber(std::string_view key, double min, double max);
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max);
  std::int64_t requiredInteger(std::string_view key, std::int64_t min, std::int64_t max);
  bool boolean(std::string_view key, bool fallback);
  std::string string(std::string_view key, std::string fallback);
  Duration duration(std::string_view key, Duration fallback, Duration min = Duration{0});
  std::optional<Duration> optionalDuration(std::string_view key, Duration min = Duration{0});

  /// Rejects unknown and duplicate keys. Call after reading every key.
  void finish() const;

 private:
  std::string keyWhat(std::string_view key) const;
  std::string label() const;

  const YamlContext& ctx_;
  YAML::Node node_;
  std::string what_;
  std::vector<std::string> known_;
};

/// Parses YAML text; a syntax error becomes a ScenarioError at its location.
YAML::Node parseYaml(const YamlContext& ctx, const std::string& text);

}  // namespace lpm::scenario
