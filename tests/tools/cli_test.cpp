// End-to-end tests of the lpmesh program: runs the built binary (LPM_CLI) on the example
// scenarios (LPM_SOURCE_DIR) and checks exit codes, outputs, determinism, and that
// Wireshark's tshark reads every capture without malformed packets or expert errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

fs::path scratch() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() /
                 ("lpm_cli_test_" + std::to_string(static_cast<long>(::getpid())));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

/// Removes the scratch folder after the last test.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch(), ec);
  }
};
[[maybe_unused]] const auto* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

/// Runs a shell command line, capturing stdout and stderr.
Result sh(const std::string& command) {
  static int counter = 0;
  const fs::path out = scratch() / ("out" + std::to_string(counter) + ".txt");
  const fs::path err = scratch() / ("err" + std::to_string(counter) + ".txt");
  ++counter;
  // The whole command line (pipes included) gets the redirections.
  const std::string line = "(" + command + ") >" + shellQuote(out.string()) + " 2>" +
                           shellQuote(err.string()) + " </dev/null";
  const int status = std::system(line.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = readFile(out);
  r.err = readFile(err);
  return r;
}

Result lpmesh(const std::string& args) {
  return sh(shellQuote(LPM_CLI) + " " + args);
}

std::string example(const std::string& name) {
  return std::string(LPM_SOURCE_DIR) + "/scenarios/" + name;
}

bool haveTshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

TEST(Cli, VersionAndHelp) {
  const Result v = lpmesh("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("lpmesh ", 0), 0u) << v.out;
  for (const char* args : {"--help", "run --help", "validate --help"}) {
    const Result h = lpmesh(args);
    EXPECT_EQ(h.exit_code, 0) << args;
    EXPECT_NE(h.out.find("Usage"), std::string::npos) << args << ": " << h.out;
  }
  EXPECT_NE(lpmesh("").exit_code, 0);            // a command is required
  EXPECT_NE(lpmesh("frobnicate").exit_code, 0);  // unknown command
  EXPECT_NE(lpmesh("run").exit_code, 0);         // FILE is required
}

TEST(Cli, ValidateExamples) {
  const Result q = lpmesh("validate " + shellQuote(example("quickstart.yaml")));
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out.rfind("ok: 50 nodes, 2 stack entries", 0), 0u) << q.out;
  for (const char* name : {"grid_faults.yaml", "link_table.yaml", "csv_positions.yaml"}) {
    const Result r = lpmesh("validate " + shellQuote(example(name)));
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out.rfind("ok: ", 0), 0u) << r.out;
  }
}

TEST(Cli, ValidateReportsFileLineColumn) {
  const fs::path bad = scratch() / "broken.yaml";
  std::ofstream(bad) << "duration: 10s\n"
                        "topology:\n"
                        "  grid: {rows: 2, cols: 2, spacing: 5}\n"
                        "stacks:\n"
                        "  - kind: beacon\n"
                        "    phy: ieee802154\n"
                        "    channel: 42\n";
  const Result r = lpmesh("validate " + shellQuote(bad.string()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, bad.string() + ":7:14: stacks[0].channel: 42 is out of range [11, 26]\n");
  EXPECT_EQ(r.out, "");
  // `run` reports the same way.
  const Result run = lpmesh("run --quiet " + shellQuote(bad.string()) + " --out " +
                            shellQuote((scratch() / "never").string()));
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(run.err, r.err);
  EXPECT_FALSE(fs::exists(scratch() / "never"));

  const Result missing = lpmesh("validate " + shellQuote((scratch() / "nope.yaml").string()));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope.yaml: cannot read the scenario file"), std::string::npos);
}

/// The quick start run three times: twice with its own seed, once with another.
class QuickstartRuns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const auto& [dir, extra] :
         {std::pair<const char*, const char*>{"a", ""}, {"b", ""}, {"c", " --seed 2"}}) {
      results_.push_back(lpmesh("run " + shellQuote(example("quickstart.yaml")) + " --out " +
                                shellQuote((scratch() / dir).string()) + extra));
    }
  }
  static fs::path dir(const char* name) { return scratch() / name; }
  static std::vector<Result> results_;
};
std::vector<Result> QuickstartRuns::results_;

const std::vector<std::string> kOutputs{"summary.json", "nodes.csv", "ieee802154.pcap", "ble.pcap"};

TEST_F(QuickstartRuns, SucceedsAndWritesEveryOutput) {
  for (const Result& r : results_)
    ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& f : kOutputs) {
    EXPECT_TRUE(fs::exists(dir("a") / f)) << f;
    EXPECT_GT(fs::file_size(dir("a") / f), 24u) << f;
  }
  EXPECT_TRUE(fs::exists(dir("a") / "run.json"));
  const std::string& table = results_[0].out;
  EXPECT_NE(table.find("lpmesh run: quickstart (seed 1), 1min simulated, 50 nodes"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("Beacon PRR against distance"), std::string::npos) << table;
  EXPECT_NE(results_[2].out.find("(seed 2)"), std::string::npos);
}

TEST_F(QuickstartRuns, SummaryAndNodesAreConsistent) {
  const auto s = nlohmann::json::parse(readFile(dir("a") / "summary.json"));
  EXPECT_EQ(s["seed"], 1);
  EXPECT_EQ(s["nodes"], 50);
  EXPECT_DOUBLE_EQ(s["simulated_s"].get<double>(), 60.0);
  EXPECT_GT(s["events"].get<std::uint64_t>(), 0u);
  EXPECT_GT(s["medium"]["pairs_linked"].get<std::uint64_t>(), 0u);
  ASSERT_TRUE(s["phys"].contains("ieee802154"));
  ASSERT_TRUE(s["phys"].contains("ble"));
  EXPECT_EQ(s["phys"]["ieee802154"]["nodes"], 25);
  EXPECT_EQ(s["phys"]["ble"]["nodes"], 25);
  ASSERT_EQ(s["node_rows"].size(), 50u);

  const auto& beacon = s["stacks"]["beacon"];
  for (const char* phy : {"ieee802154", "ble"}) {
    const auto& b = beacon[phy];
    // 25 nodes, one beacon per 200 ms (802.15.4) / 100 ms (BLE), for 60 s.
    const double per_node = std::string(phy) == "ble" ? 600.0 : 300.0;
    EXPECT_NEAR(b["sent"].get<double>(), 25 * per_node, 25 * per_node * 0.05) << phy;
    EXPECT_GT(b["expected"].get<std::uint64_t>(), 0u) << phy;
    EXPECT_GT(b["received"].get<std::uint64_t>(), 0u) << phy;
    EXPECT_LE(b["received"].get<std::uint64_t>(), b["expected"].get<std::uint64_t>()) << phy;
    // Loss grows with distance: the nearest bin does better than the farthest.
    const auto& bins = b["prr_by_distance"];
    ASSERT_GE(bins.size(), 3u) << phy;
    EXPECT_GT(bins.front()["prr"].get<double>(), bins.back()["prr"].get<double>()) << phy;
  }
  // Both technologies share 2480 MHz (802.15.4 ch 26 = BLE ch 39): collisions happen.
  EXPECT_GT(s["phys"]["ieee802154"]["lost_collision"].get<std::uint64_t>(), 0u);
  EXPECT_GT(s["phys"]["ble"]["lost_collision"].get<std::uint64_t>(), 0u);

  // nodes.csv: a header and one row per node, matching summary.json.
  std::istringstream csv(readFile(dir("a") / "nodes.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line,
            "id,x,y,z,phy,sent,received,lost_collision,lost_noise,duty_cycle,charge_mc,"
            "tx_frames,rx_ok,missed_busy,aborted");
  int rows = 0;
  std::uint64_t sent = 0;
  while (std::getline(csv, line)) {
    ++rows;
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string cell; std::getline(ls, cell, ',');)
      f.push_back(cell);
    ASSERT_EQ(f.size(), 15u) << line;
    sent += std::stoull(f[5]);
    const double duty = std::stod(f[9]);
    EXPECT_GT(duty, 0.9) << line;  // beacon radios listen between transmissions
    EXPECT_LE(duty, 1.0) << line;
    EXPECT_GT(std::stod(f[10]), 0.0) << line;
  }
  EXPECT_EQ(rows, 50);
  EXPECT_EQ(sent, beacon["ieee802154"]["sent"].get<std::uint64_t>() +
                      beacon["ble"]["sent"].get<std::uint64_t>());
}

TEST_F(QuickstartRuns, SameSeedIsByteIdenticalOtherSeedDiffers) {
  for (const std::string& f : kOutputs) {
    const std::string a = readFile(dir("a") / f);
    EXPECT_EQ(a, readFile(dir("b") / f)) << f << " differs between two runs with seed 1";
    EXPECT_NE(a, readFile(dir("c") / f)) << f << " is the same with seed 2";
  }
}

TEST_F(QuickstartRuns, TsharkReadsEveryCaptureCleanly) {
  if (!haveTshark()) GTEST_SKIP() << "tshark is not installed (scripts/setup installs it)";
  for (const char* pcap : {"ieee802154.pcap", "ble.pcap"}) {
    const std::string file = shellQuote((dir("a") / pcap).string());
    const Result count = sh("tshark -n -r " + file + " | wc -l");
    ASSERT_EQ(count.exit_code, 0) << count.err;
    EXPECT_GT(std::stoul(count.out), 1000u) << pcap;

    const Result malformed = sh("tshark -n -r " + file + " -Y _ws.malformed");
    EXPECT_EQ(malformed.exit_code, 0) << malformed.err;
    EXPECT_EQ(malformed.out, "") << pcap << " has malformed packets";

    const Result expert = sh("tshark -n -r " + file + " -q -z expert,error");
    EXPECT_EQ(expert.exit_code, 0) << expert.err;
    EXPECT_EQ(expert.out.find("Errors ("), std::string::npos) << pcap << ":\n" << expert.out;
    EXPECT_EQ(expert.out.find("Malformed"), std::string::npos) << pcap << ":\n" << expert.out;
  }
}

TEST(Cli, UntilShortensTheRunAndQuietPrintsNothing) {
  const fs::path out = scratch() / "until";
  const Result r = lpmesh("run --quiet --until 2.5s " + shellQuote(example("quickstart.yaml")) +
                          " --out " + shellQuote(out.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");  // not a terminal: no progress line
  const auto s = nlohmann::json::parse(readFile(out / "summary.json"));
  EXPECT_DOUBLE_EQ(s["simulated_s"].get<double>(), 2.5);

  const Result bad = lpmesh("run --until soon " + shellQuote(example("quickstart.yaml")) +
                            " --out " + shellQuote(out.string()));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--until"), std::string::npos) << bad.err;
}

TEST(Cli, OtherExamplesRun) {
  for (const char* name : {"grid_faults.yaml", "link_table.yaml", "csv_positions.yaml"}) {
    const fs::path out = scratch() / (std::string("ex_") + name);
    const Result r =
        lpmesh("run --quiet " + shellQuote(example(name)) + " --out " + shellQuote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const auto s = nlohmann::json::parse(readFile(out / "summary.json"));
    EXPECT_GT(s["stacks"]["beacon"]["ieee802154"]["received"].get<std::uint64_t>(), 0u) << name;
  }
}

}  // namespace
