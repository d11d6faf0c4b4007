// Health Server and Client (health_server.hpp, health_client.hpp): the §8.3 Health
// Current Status samples, faults, self-tests, attention, the fast period divisor and
// publication, over a two-node mesh.
#include <gtest/gtest.h>

#include "lpmesh/btmesh/health_client.hpp"
#include "lpmesh/btmesh/health_server.hpp"
#include "tests/btmesh/models_bus.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::btmesh {
namespace {

using test::ModelsBus;

constexpr Address kClient = 0x0001;
constexpr Address kServer = 0x0100;
constexpr std::uint16_t kCompany = 0x05F1;

TEST(HealthFormat, CurrentStatusOfTheSampleData) {
  int checked = 0;
  for (const auto& v : test::vectorList(test::loadVectorFile("btmesh/messages.json"))) {
    if (std::string(v["name"]).find("Health Current Status") == std::string::npos) continue;
    const Bytes payload = test::hexField(v["inputs"]["access_payload"]);
    auto access = AccessMessage::parse(payload);
    ASSERT_TRUE(access.ok());
    auto m = parseHealthMessage(access->opcode, access->params);
    ASSERT_TRUE(m.ok()) << v["name"];
    const auto& st = std::get<HealthCurrentStatus>(*m);
    EXPECT_EQ(st.test_id, 0);
    EXPECT_EQ(st.company_id, 0x0000);
    Bytes again;
    (void)AccessMessage{healthOpcode(*m), encodeHealthParams(*m)}.encode(again);
    EXPECT_EQ(again, payload);
    // #18 carries the single fault code 0x00 (No Fault); #20 three fault codes.
    if (payload.size() > 5) {
      EXPECT_EQ(st.faults, (std::vector<std::uint8_t>{0x01, 0x07, 0x03}));
    } else {
      EXPECT_EQ(st.faults, (std::vector<std::uint8_t>{0x00}));
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2);
  EXPECT_EQ(parseHealthMessage(op::kHealthFaultGet, test::hex("f1")).error(), Error::kTruncated);
  EXPECT_EQ(parseHealthMessage(op::kHealthFaultTest, test::hex("00f10500")).error(),
            Error::kTrailing);
  EXPECT_EQ(parseHealthMessage(op::kHealthCurrentStatus, test::hex("0000")).error(),
            Error::kTruncated);
}

class HealthTest : public ::testing::Test {
 protected:
  HealthTest() {
    auto& c = bus_.add(kClient, NodeConfig{}, FoundationOptions{});
    bus_.add(kServer);
    client_ = std::make_unique<HealthClient>(c.fp.platform(), c.n().access());
    client_->timeout = seconds(1);
    EXPECT_EQ(c.n().access().bind(client_->attach(0), 0), Error::kNone);
    Model& sm = *bus_.nodes[1]->n().access().findModel(0, ModelId::sig(kHealthServerModelId));
    EXPECT_EQ(bus_.nodes[1]->n().access().bind(sm, 0), Error::kNone);
    bus_.start();
  }
  ~HealthTest() override { client_.reset(); }

  HealthServer& server() { return *bus_.nodes[1]->f().healthServer(); }
  std::optional<HealthMessage> ask(const HealthMessage& m) {
    std::optional<HealthMessage> got;
    EXPECT_EQ(client_->request(kServer, 0, 0, m,
                               [&](Error, Address, const HealthMessage* s) {
                                 if (s != nullptr) got = *s;
                               }),
              Error::kNone);
    bus_.run(millis(300));
    // An unanswered request times out here, while `got` still exists.
    if (!got) bus_.run(client_->timeout);
    return got;
  }

  ModelsBus bus_;
  std::unique_ptr<HealthClient> client_;
};

TEST_F(HealthTest, FaultsAndTests) {
  ASSERT_EQ(server().raiseFault(0x07), Error::kNone);
  ASSERT_EQ(server().raiseFault(0x03), Error::kNone);
  server().clearFault(0x07);
  EXPECT_EQ(server().currentFaults(), (std::vector<std::uint8_t>{0x03}));
  auto st = ask(HealthFaultGet{kCompany});
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(std::get<HealthFaultStatus>(*st).faults, (std::vector<std::uint8_t>{0x07, 0x03}));
  EXPECT_EQ(std::get<HealthFaultStatus>(*st).company_id, kCompany);
  // Another company's faults: no answer.
  EXPECT_FALSE(ask(HealthFaultGet{0x0059}).has_value());

  // Self-test 0x05 finds fault 0x21.
  server().run_test = [](std::uint8_t id, HealthServer& s) {
    if (id == 0x05) (void)s.raiseFault(0x21);
    return id == 0x00 || id == 0x05;
  };
  auto t = ask(HealthFaultTest{0x05, kCompany});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(std::get<HealthFaultStatus>(*t).test_id, 0x05);
  EXPECT_EQ(std::get<HealthFaultStatus>(*t).faults, (std::vector<std::uint8_t>{0x07, 0x03, 0x21}));
  EXPECT_FALSE(ask(HealthFaultTest{0x09, kCompany}).has_value());  // unknown test
  EXPECT_EQ(server().testId(), 0x05);

  auto cleared = ask(HealthFaultClear{kCompany});
  ASSERT_TRUE(cleared.has_value());
  EXPECT_TRUE(std::get<HealthFaultStatus>(*cleared).faults.empty());
  EXPECT_TRUE(server().registeredFaults().empty());
  EXPECT_EQ(server().currentFaults(), (std::vector<std::uint8_t>{0x03, 0x21}));
  EXPECT_EQ(client_->stats().timeouts, 2U);  // the two ignored requests
}

TEST_F(HealthTest, AttentionTimer) {
  std::vector<bool> attention;
  server().on_attention = [&](bool on) { attention.push_back(on); };
  auto st = ask(AttentionSet{5});
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(std::get<AttentionStatus>(*st).value, 5);
  bus_.run(seconds(2));
  auto get = ask(AttentionGet{});
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(std::get<AttentionStatus>(*get).value, 3);
  bus_.run(seconds(3));
  EXPECT_EQ(server().attention(), 0);
  EXPECT_EQ(attention, (std::vector<bool>{true, false}));
  ASSERT_EQ(client_->request(kServer, 0, 0, AttentionSetUnacknowledged{10}), Error::kNone);
  bus_.run(millis(300));
  EXPECT_EQ(server().attention(), 10);
}

TEST_F(HealthTest, FastPeriodDivisorSpeedsUpPublication) {
  EXPECT_EQ(std::get<HealthPeriodStatus>(*ask(HealthPeriodSet{2})).value, 2);
  EXPECT_FALSE(ask(HealthPeriodSet{16}).has_value());  // prohibited
  EXPECT_EQ(std::get<HealthPeriodStatus>(*ask(HealthPeriodGet{})).value, 2);

  auto& access = bus_.nodes[1]->n().access();
  Model& sm = *access.findModel(0, ModelId::sig(kHealthServerModelId));
  Publication p;
  p.address = kClient;
  p.app_idx = 0;
  p.ttl = 3;
  p.period = PublishPeriod{8, 1};  // 8 s
  ASSERT_EQ(access.setPublication(sm, p), Error::kNone);
  std::vector<std::pair<LocalTime, HealthCurrentStatus>> published;
  client_->on_message = [&](Address, const HealthMessage& m) {
    if (const auto* c = std::get_if<HealthCurrentStatus>(&m)) {
      published.emplace_back(bus_.clock.now(), *c);
    }
  };
  bus_.run(seconds(33));
  EXPECT_EQ(published.size(), 4U);  // every 8 s without faults
  published.clear();
  ASSERT_EQ(server().raiseFault(0x10), Error::kNone);  // published at once
  bus_.run(seconds(32));
  // Fault present: every 8 / 2^2 = 2 s, plus the immediate one.
  EXPECT_GE(published.size(), 16U);
  EXPECT_LE(published.size(), 18U);
  ASSERT_FALSE(published.empty());
  EXPECT_EQ(published.back().second.faults, (std::vector<std::uint8_t>{0x10}));
  published.clear();
  server().clearFault(0x10);
  bus_.run(seconds(32));
  EXPECT_GE(published.size(), 4U);
  EXPECT_LE(published.size(), 6U);
  EXPECT_TRUE(published.back().second.faults.empty());
}

}  // namespace
}  // namespace lpm::btmesh
