// Errors in a scenario or one of the files it names, reported as `file:line:col: message`
// (DESIGN.md "Errors and bad input": the loader may throw; tools print what() and exit
// non-zero).
#pragma once

#include <stdexcept>
#include <string>

namespace lpm::scenario {

/// A place in a source file, 1-based line and column (0 = unknown).
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;
};

/// A bad scenario: what() is "file:line:col: message".
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(const SourceMark& mark, const std::string& message)
      : std::runtime_error(format(mark, message)), mark_(mark), message_(message) {}

  const SourceMark& mark() const { return mark_; }
  /// The message without the location prefix.
  const std::string& message() const { return message_; }

 private:
  static std::string format(const SourceMark& mark, const std::string& message) {
    std::string out = mark.file.empty() ? std::string("<scenario>") : mark.file;
    if (mark.line > 0) {
      out += ':' + std::to_string(mark.line);
      if (mark.column > 0) out += ':' + std::to_string(mark.column);
    }
    return out + ": " + message;
  }

  SourceMark mark_;
  std::string message_;
};

}  // namespace lpm::scenario
