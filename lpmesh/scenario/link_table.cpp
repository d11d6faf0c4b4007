#include "lpmesh/scenario/link_table.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace lpm::scenario {

std::vector<sim::LinkTableEntry> parseLinkTable(const CsvFile& csv, std::uint32_t node_count) {
  if (csv.rows.empty()) {
    throw ScenarioError(SourceMark{csv.path, 1, 1},
                        "link table: empty file (expected a header from,to,path_loss_db or "
                        "from,to,prr)");
  }
  const CsvRow& header = csv.rows.front();
  const auto header_is = [&](const char* third) {
    return header.fields.size() == 3 && header.fields[0].text == "from" &&
           header.fields[1].text == "to" && header.fields[2].text == third;
  };
  const bool by_loss = header_is("path_loss_db");
  if (!by_loss && !header_is("prr")) {
    throw ScenarioError(csv.mark(header),
                        "link table: the header must be from,to,path_loss_db or from,to,prr");
  }
  if (node_count == 0) {
    throw ScenarioError(csv.mark(header), "link table: the topology has no nodes");
  }
  const long long max_id = static_cast<long long>(node_count) - 1;
  std::map<std::pair<NodeId, NodeId>, int> seen;  // pair -> line of first appearance
  std::vector<sim::LinkTableEntry> out;
  for (std::size_t r = 1; r < csv.rows.size(); ++r) {
    const CsvRow& row = csv.rows[r];
    if (row.fields.size() != 3) {
      throw ScenarioError(
          csv.mark(row), "link table: expected 3 fields, got " + std::to_string(row.fields.size()));
    }
    sim::LinkTableEntry e;
    e.from = static_cast<NodeId>(csv.integer(row, row.fields[0], "from", 0, max_id));
    e.to = static_cast<NodeId>(csv.integer(row, row.fields[1], "to", 0, max_id));
    if (e.from == e.to) {
      throw ScenarioError(csv.mark(row, row.fields[1]), "link table: a node cannot link to itself");
    }
    if (by_loss) {
      e.path_loss_db = csv.number(row, row.fields[2], "path_loss_db", 0.0, 250.0);
    } else {
      e.prr = csv.number(row, row.fields[2], "prr", 0.0, 1.0);
    }
    const auto [it, inserted] = seen.emplace(std::make_pair(e.from, e.to), row.line);
    if (!inserted) {
      throw ScenarioError(csv.mark(row), "link table: pair " + std::to_string(e.from) + " -> " +
                                             std::to_string(e.to) + " already given on line " +
                                             std::to_string(it->second));
    }
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::pair(a.from, a.to) < std::pair(b.from, b.to);
  });
  return out;
}

}  // namespace lpm::scenario
