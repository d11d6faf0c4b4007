// lpmesh: run, validate and inspect low-power mesh scenarios (issue #2 §5).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "lpmesh/scenario/scenario_error.hpp"
#include "tools/lpmesh/commands.hpp"

int main(int argc, char** argv) {
  try {
    lpm::tools::CommandContext context{lpm::scenario::builtinStackKinds(), 0};
    CLI::App app{
        "lpmesh: low-power wireless mesh stacks on a deterministic 2.4 GHz radio simulator",
        "lpmesh"};
    app.set_version_flag("--version", "lpmesh " LPM_VERSION);
    app.require_subcommand(1);
    lpm::tools::addRunCommand(app, context);
    lpm::tools::addValidateCommand(app, context);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
    return context.exit_code;
  } catch (const lpm::scenario::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lpmesh: error: %s\n", e.what());
  }
  return 1;
}
