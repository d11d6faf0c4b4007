#include "lpmesh/scenario/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "lpmesh/scenario/units.hpp"

namespace lpm::scenario {
namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string kindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return quoted(node.Scalar());
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string formatNumber(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

}  // namespace

SourceMark YamlContext::mark(const YAML::Node& node) const {
  SourceMark m{file_, 0, 0};
  if (node.IsDefined()) {
    const YAML::Mark ym = node.Mark();
    if (!ym.is_null()) {
      m.line = ym.line + 1;
      m.column = ym.column + 1;
    }
  }
  return m;
}

void YamlContext::fail(const YAML::Node& at, const std::string& message) const {
  throw ScenarioError(mark(at), message);
}

std::string YamlContext::scalar(const YAML::Node& node, std::string_view what,
                                std::string_view expected) const {
  if (!node.IsScalar()) {
    fail(node,
         std::string(what) + ": expected " + std::string(expected) + ", got " + kindName(node));
  }
  return node.Scalar();
}

double YamlContext::number(const YAML::Node& node, std::string_view what, double min,
                           double max) const {
  const std::string s = scalar(node, what, "a number");
  double v = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc{} || end != last || !std::isfinite(v)) {
    fail(node, std::string(what) + ": expected a number, got " + quoted(s));
  }
  if (v < min || v > max) {
    fail(node, std::string(what) + ": " + s + " is out of range [" + formatNumber(min) + ", " +
                   formatNumber(max) + "]");
  }
  return v;
}

std::int64_t YamlContext::integer(const YAML::Node& node, std::string_view what, std::int64_t min,
                                  std::int64_t max) const {
  const std::string s = scalar(node, what, "an integer");
  std::int64_t v = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (first != last && *first == '+') ++first;
  int base = 10;
  if (last - first > 2 && first[0] == '0' && (first[1] == 'x' || first[1] == 'X')) {
    first += 2;  // YAML 1.2 core schema hexadecimal
    base = 16;
  }
  auto [end, ec] = std::from_chars(first, last, v, base);
  if (ec == std::errc::result_out_of_range) {
    fail(node, std::string(what) + ": " + s + " is out of range [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
  }
  if (ec != std::errc{} || end != last) {
    fail(node, std::string(what) + ": expected an integer, got " + quoted(s));
  }
  if (v < min || v > max) {
    fail(node, std::string(what) + ": " + s + " is out of range [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
  }
  return v;
}

std::uint64_t YamlContext::unsignedInteger(const YAML::Node& node, std::string_view what) const {
  const std::string s = scalar(node, what, "a non-negative integer");
  std::uint64_t v = 0;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  int base = 10;
  if (last - first > 2 && first[0] == '0' && (first[1] == 'x' || first[1] == 'X')) {
    first += 2;
    base = 16;
  }
  auto [end, ec] = std::from_chars(first, last, v, base);
  if (ec == std::errc::result_out_of_range) {
    fail(node, std::string(what) + ": " + s + " does not fit in 64 bits");
  }
  if (ec != std::errc{} || end != last) {
    fail(node, std::string(what) + ": expected a non-negative integer, got " + quoted(s));
  }
  return v;
}

bool YamlContext::boolean(const YAML::Node& node, std::string_view what) const {
  const std::string s = scalar(node, what, "true or false");
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "off") return false;
  fail(node, std::string(what) + ": expected true or false, got " + quoted(s));
}

std::string YamlContext::string(const YAML::Node& node, std::string_view what) const {
  std::string s = scalar(node, what, "a string");
  if (s.empty()) fail(node, std::string(what) + ": must not be empty");
  return s;
}

Duration YamlContext::duration(const YAML::Node& node, std::string_view what, Duration min) const {
  const std::string s = scalar(node, what, "a duration");
  const std::optional<Duration> d = parseDuration(s);
  if (!d) {
    fail(node, std::string(what) + ": expected a duration such as 10s, 250ms, 100us, 1.5min or " +
                   "1h (a plain number is seconds), got " + quoted(s));
  }
  if (*d < min) {
    fail(node,
         std::string(what) + ": " + s + " is shorter than the minimum " + formatDuration(min));
  }
  return *d;
}

std::vector<double> YamlContext::vector3(const YAML::Node& node, std::string_view what) const {
  if (!node.IsSequence() || node.size() < 2 || node.size() > 3) {
    fail(node,
         std::string(what) + ": expected [x, y] or [x, y, z] in metres, got " +
             (node.IsSequence() ? "a list of " + std::to_string(node.size()) : kindName(node)));
  }
  std::vector<double> v{0, 0, 0};
  for (std::size_t i = 0; i < node.size(); ++i) {
    v[i] = number(node[i], what, -1e7, 1e7);
  }
  return v;
}

std::string YamlContext::choice(const YAML::Node& node, std::string_view what,
                                const std::vector<std::string_view>& choices) const {
  std::string list;
  for (std::string_view c : choices)
    list += (list.empty() ? "" : ", ") + std::string(c);
  std::string s = scalar(node, what, "one of " + list);
  if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
    fail(node,
         std::string(what) + ": unknown value " + quoted(s) + " (expected one of " + list + ")");
  }
  return s;
}

MapReader::MapReader(const YamlContext& ctx, const YAML::Node& node, std::string what)
    : ctx_(ctx), node_(node), what_(std::move(what)) {
  if (!node_.IsMap()) {
    ctx_.fail(node_, label() + ": expected a mapping (key: value lines), got " + kindName(node_));
  }
}

std::string MapReader::label() const {
  return what_.empty() ? std::string("scenario") : what_;
}

std::string MapReader::keyWhat(std::string_view key) const {
  return what_.empty() ? std::string(key) : what_ + "." + std::string(key);
}

bool MapReader::has(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  }
  return false;
}

YAML::Node MapReader::get(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::required(std::string_view key) {
  YAML::Node v = get(key);
  if (!v.IsDefined()) fail(label() + ": missing required key " + quoted(key));
  return v;
}

double MapReader::number(std::string_view key, double fallback, double min, double max) {
  const YAML::Node v = get(key);
  return v.IsDefined() ? ctx_.number(v, keyWhat(key), min, max) : fallback;
}

double MapReader::requiredNumber(std::string_view key, double min, double max) {
  return ctx_.number(required(key), keyWhat(key), min, max);
}

std::int64_t MapReader::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                std::int64_t max) {
  const YAML::Node v = get(key);
  return v.IsDefined() ? ctx_.integer(v, keyWhat(key), min, max) : fallback;
}

std::int64_t MapReader::requiredInteger(std::string_view key, std::int64_t min, std::int64_t max) {
  return ctx_.integer(required(key), keyWhat(key), min, max);
}

bool MapReader::boolean(std::string_view key, bool fallback) {
  const YAML::Node v = get(key);
  return v.IsDefined() ? ctx_.boolean(v, keyWhat(key)) : fallback;
}

std::string MapReader::string(std::string_view key, std::string fallback) {
  const YAML::Node v = get(key);
  return v.IsDefined() ? ctx_.string(v, keyWhat(key)) : std::move(fallback);
}

Duration MapReader::duration(std::string_view key, Duration fallback, Duration min) {
  const YAML::Node v = get(key);
  return v.IsDefined() ? ctx_.duration(v, keyWhat(key), min) : fallback;
}

std::optional<Duration> MapReader::optionalDuration(std::string_view key, Duration min) {
  const YAML::Node v = get(key);
  if (!v.IsDefined()) return std::nullopt;
  return ctx_.duration(v, keyWhat(key), min);
}

void MapReader::finish() const {
  std::set<std::string> seen;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) ctx_.fail(kv.first, label() + ": keys must be plain names");
    const std::string& k = kv.first.Scalar();
    if (std::find(known_.begin(), known_.end(), k) == known_.end()) {
      std::string list;
      for (const std::string& known : known_)
        list += (list.empty() ? "" : ", ") + known;
      ctx_.fail(kv.first,
                label() + ": unknown key " + quoted(k) + " (expected one of " + list + ")");
    }
    if (!seen.insert(k).second) ctx_.fail(kv.first, label() + ": duplicate key " + quoted(k));
  }
}

YAML::Node parseYaml(const YamlContext& ctx, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    SourceMark m{ctx.file(), 0, 0};
    if (!e.mark.is_null()) {
      m.line = e.mark.line + 1;
      m.column = e.mark.column + 1;
    }
    throw ScenarioError(m, "YAML syntax: " + e.msg);
  }
}

}  // namespace lpm::scenario
