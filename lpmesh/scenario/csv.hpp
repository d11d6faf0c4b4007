// A small CSV reader for scenario side files (positions, link tables): comma-separated,
// no quoting, fields trimmed, blank lines and lines starting with '#' skipped. Every
// field keeps its 1-based line and column so errors point into the file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lpmesh/scenario/scenario_error.hpp"

namespace lpm::scenario {

struct CsvField {
  std::string text;
  int column = 0;
};

struct CsvRow {
  int line = 0;
  std::vector<CsvField> fields;
};

struct CsvFile {
  std::string path;
  std::vector<CsvRow> rows;

  SourceMark mark(const CsvRow& row, const CsvField& field) const {
    return SourceMark{path, row.line, field.column};
  }
  SourceMark mark(const CsvRow& row) const { return SourceMark{path, row.line, 1}; }
  /// The field as a finite number in [min, max].
  double number(const CsvRow& row, const CsvField& field, std::string_view what, double min,
                double max) const;
  /// The field as an integer in [min, max].
  long long integer(const CsvRow& row, const CsvField& field, std::string_view what, long long min,
                    long long max) const;
};

/// Parses CSV text; `path` names it in errors.
CsvFile parseCsv(std::string path, std::string_view text);
/// Reads and parses a file; an unreadable file is a ScenarioError at `referenced_from`.
CsvFile readCsvFile(const std::string& path, const SourceMark& referenced_from);

}  // namespace lpm::scenario
