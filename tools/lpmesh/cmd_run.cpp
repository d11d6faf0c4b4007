// `lpmesh run FILE`: runs a scenario and writes its outputs.
//
// DIR/summary.json and DIR/nodes.csv depend only on the scenario and the seed (byte-
// identical for equal seeds); wall-clock figures go to DIR/run.json. The world advances
// in fixed simulated-time chunks, the same with or without a terminal, so showing
// progress cannot change a result.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lpmesh/scenario/loader.hpp"
#include "lpmesh/scenario/runner.hpp"
#include "lpmesh/scenario/units.hpp"
#include "tools/lpmesh/commands.hpp"

namespace lpm::tools {
namespace {

using WallClock = std::chrono::steady_clock;

struct RunArgs {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string out;
  std::string until;
  bool quiet = false;
};

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

std::string eta(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const long long s = std::llround(seconds);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s / 60) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f} M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.1f} k", per_second / 1e3);
  return fmt::format("{:.0f} ", per_second);
}

int run(const RunArgs& args, CommandContext& context) {
  const scenario::Scenario s = scenario::loadScenarioFile(args.file, context.registry);
  scenario::RunOptions options;
  options.seed = args.seed;
  if (!args.until.empty()) {
    const std::optional<Duration> until = scenario::parseDuration(args.until);
    if (!until || until->count() <= 0) {
      throw std::runtime_error("--until: expected a positive duration such as 30s or 500ms, got '" +
                               args.until + "'");
    }
    options.until = *until;
  }
  options.out_dir = !args.out.empty()        ? args.out
                    : !s.outputs.dir.empty() ? s.outputs.dir
                                             : "runs/" + s.name;

  const auto wall_start = WallClock::now();
  scenario::Runner runner(s, options, context.registry);
  const double build_s = std::chrono::duration<double>(WallClock::now() - wall_start).count();

  const bool progress = !args.quiet && isatty(STDERR_FILENO) != 0;
  const Duration total = runner.end().time_since_epoch();
  // A fixed grid of 1000 chunks (at least 1 ms each): independent of the terminal.
  const Duration chunk = std::max(millis(1), total / 1000);
  const auto run_start = WallClock::now();
  auto last_print = run_start;
  while (!runner.done()) {
    runner.runUntil(runner.now() + chunk);
    if (!progress) continue;
    const auto now = WallClock::now();
    if (now - last_print < std::chrono::milliseconds(500) && !runner.done()) continue;
    last_print = now;
    const double wall = std::chrono::duration<double>(now - run_start).count();
    const double sim = toSeconds(runner.now().time_since_epoch());
    const double frac = total.count() > 0 ? sim / toSeconds(total) : 1.0;
    const double speed = wall > 0 ? sim / wall : 0.0;
    std::fprintf(stderr, "\r  sim %.1fs / %s  %5.1f%%  %sevents/s  ETA %s\033[K", sim,
                 scenario::formatDuration(total).c_str(), 100.0 * frac,
                 rate(wall > 0 ? static_cast<double>(runner.events()) / wall : 0.0).c_str(),
                 eta(speed > 0 ? (toSeconds(total) - sim) / speed : -1.0).c_str());
    std::fflush(stderr);
  }
  if (progress) std::fprintf(stderr, "\r\033[K");
  const double run_s = std::chrono::duration<double>(WallClock::now() - run_start).count();

  scenario::RunOutputs out = runner.finish();
  const std::filesystem::path dir(options.out_dir);
  std::filesystem::create_directories(dir);
  writeFile(dir / "summary.json", out.summary.dump(2) + "\n");
  writeFile(dir / "nodes.csv", out.nodes_csv);

  const double sim_s = toSeconds(runner.now().time_since_epoch());
  nlohmann::ordered_json wall;
  wall["lpmesh_version"] = LPM_VERSION;
  wall["scenario"] = s.file;
  wall["seed"] = runner.seed();
  wall["build_wall_s"] = build_s;
  wall["run_wall_s"] = run_s;
  wall["events"] = runner.events();
  wall["events_per_s"] = run_s > 0 ? static_cast<double>(runner.events()) / run_s : 0.0;
  wall["sim_s_per_wall_s"] = run_s > 0 ? sim_s / run_s : 0.0;
  writeFile(dir / "run.json", wall.dump(2) + "\n");

  if (!args.quiet) {
    std::fputs(out.table.c_str(), stdout);
    std::printf("\nwall %.2f s (build %.2f s): %s events/s, %.1f simulated s per wall s\n",
                run_s + build_s, build_s,
                rate(run_s > 0 ? static_cast<double>(runner.events()) / run_s : 0.0).c_str(),
                run_s > 0 ? sim_s / run_s : 0.0);
    std::string files = (dir / "summary.json").string() + ", " + (dir / "nodes.csv").string() +
                        ", " + (dir / "run.json").string();
    for (const std::string& p : out.pcaps)
      files += ", " + p;
    std::printf("outputs: %s\n", files.c_str());
  }
  return 0;
}

}  // namespace

void addRunCommand(CLI::App& app, CommandContext& context) {
  auto* cmd = app.add_subcommand("run", "Run a scenario and write its outputs");
  auto args = std::make_shared<RunArgs>();
  cmd->add_option("FILE", args->file, "Scenario YAML file")->required();
  cmd->add_option("--seed", args->seed, "Seed (overrides the scenario's seed)");
  cmd->add_option("--out", args->out,
                  "Output directory (default: outputs.dir of the scenario, else runs/<name>)");
  cmd->add_option("--until", args->until,
                  "Simulate until this time instead of the scenario's duration (e.g. 30s)");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress line and no summary table");
  cmd->callback([&context, args] { context.exit_code = run(*args, context); });
}

}  // namespace lpm::tools
