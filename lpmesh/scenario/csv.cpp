#include "lpmesh/scenario/csv.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace lpm::scenario {

CsvFile parseCsv(std::string path, std::string_view text) {
  CsvFile file{std::move(path), {}};
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    CsvRow row{line_no, {}};
    std::size_t start = 0;
    while (true) {
      std::size_t comma = line.find(',', start);
      std::size_t stop = comma == std::string_view::npos ? line.size() : comma;
      std::size_t b = start;
      std::size_t e = stop;
      while (b < e && (line[b] == ' ' || line[b] == '\t'))
        ++b;
      while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t'))
        --e;
      row.fields.push_back(CsvField{std::string(line.substr(b, e - b)), static_cast<int>(b) + 1});
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    file.rows.push_back(std::move(row));
  }
  return file;
}

CsvFile readCsvFile(const std::string& path, const SourceMark& referenced_from) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(referenced_from, "cannot read '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseCsv(path, ss.str());
}

double CsvFile::number(const CsvRow& row, const CsvField& field, std::string_view what, double min,
                       double max) const {
  double v = 0;
  const char* first = field.text.data();
  const char* last = first + field.text.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, v);
  if (field.text.empty() || ec != std::errc{} || end != last || !std::isfinite(v)) {
    throw ScenarioError(mark(row, field),
                        std::string(what) + ": expected a number, got '" + field.text + "'");
  }
  if (v < min || v > max) {
    std::ostringstream msg;
    msg << what << ": " << field.text << " is out of range [" << min << ", " << max << "]";
    throw ScenarioError(mark(row, field), msg.str());
  }
  return v;
}

long long CsvFile::integer(const CsvRow& row, const CsvField& field, std::string_view what,
                           long long min, long long max) const {
  long long v = 0;
  const char* first = field.text.data();
  const char* last = first + field.text.size();
  auto [end, ec] = std::from_chars(first, last, v);
  if (field.text.empty() || ec == std::errc::invalid_argument || end != last) {
    throw ScenarioError(mark(row, field),
                        std::string(what) + ": expected an integer, got '" + field.text + "'");
  }
  if (ec != std::errc{} || v < min || v > max) {
    throw ScenarioError(mark(row, field), std::string(what) + ": " + field.text +
                                              " is out of range [" + std::to_string(min) + ", " +
                                              std::to_string(max) + "]");
  }
  return v;
}

}  // namespace lpm::scenario
