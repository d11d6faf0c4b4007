// `lpmesh validate FILE`: loads and checks a scenario without running it.
#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <string>

#include "lpmesh/scenario/loader.hpp"
#include "lpmesh/scenario/topology.hpp"
#include "lpmesh/scenario/units.hpp"
#include "tools/lpmesh/commands.hpp"

namespace lpm::tools {

void addValidateCommand(CLI::App& app, CommandContext& context) {
  auto* cmd = app.add_subcommand("validate", "Check a scenario file and summarise it");
  auto file = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "Scenario YAML file")->required();
  cmd->callback([&context, file] {
    const scenario::Scenario s = scenario::loadScenarioFile(*file, context.registry);
    // Placement can fail only now (random topology with a minimum spacing).
    (void)scenario::placeNodes(s.topology, s.seed);
    std::string stacks;
    for (const scenario::StackEntry& e : s.stacks) {
      stacks += fmt::format("{}{} on {} node{}", stacks.empty() ? "" : "; ", e.config->describe(),
                            e.nodes.size(), e.nodes.size() == 1 ? "" : "s");
    }
    std::printf("ok: %u nodes, %zu stack entr%s (%s), %s, seed %llu, %zu fault%s\n", s.nodeCount(),
                s.stacks.size(), s.stacks.size() == 1 ? "y" : "ies", stacks.c_str(),
                scenario::formatDuration(s.duration).c_str(),
                static_cast<unsigned long long>(s.seed), s.faults.size(),
                s.faults.size() == 1 ? "" : "s");
    context.exit_code = 0;
  });
}

}  // namespace lpm::tools
