// The subcommands of the lpmesh program, one file each (cmd_<name>.cpp). A command adds
// itself to the CLI11 app; its callback stores the process exit code in the context.
#pragma once

#include <CLI/CLI.hpp>

#include "lpmesh/scenario/stack_registry.hpp"

namespace lpm::tools {

struct CommandContext {
  scenario::StackRegistry registry;
  int exit_code = 0;
};

void addValidateCommand(CLI::App& app, CommandContext& context);
void addRunCommand(CLI::App& app, CommandContext& context);

}  // namespace lpm::tools
