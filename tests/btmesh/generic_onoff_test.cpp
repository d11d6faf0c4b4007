// Generic OnOff Server and Client (generic_onoff.hpp) over a two-node mesh: Get/Set/Set
// Unacknowledged/Status, the TID 6-second window, transition time and delay, prohibited
// values and publication.
#include "lpmesh/btmesh/generic_onoff.hpp"

#include <gtest/gtest.h>

#include "tests/btmesh/models_bus.hpp"

namespace lpm::btmesh {
namespace {

using test::ModelsBus;

constexpr Address kClient = 0x0001;
constexpr Address kServer = 0x0100;

TEST(GenericOnOffFormat, MessagesRoundTrip) {
  const GenericOnOffSet s{1, 0x42, OnOffTransition{TransitionTime{20, 0}, 10}};
  Bytes out;
  s.encode(out);
  EXPECT_EQ(test::hexOf(out), "0142140a");
  EXPECT_EQ(GenericOnOffSet::parse(out).value(), s);
  EXPECT_EQ(GenericOnOffSet::parse(test::hex("0142")).value().transition, std::nullopt);
  EXPECT_EQ(GenericOnOffSet::parse(test::hex("014214")).error(), Error::kTruncated);
  EXPECT_EQ(GenericOnOffSet::parse(test::hex("0142140a00")).error(), Error::kTrailing);
  EXPECT_EQ(GenericOnOffSet::parse(test::hex("01")).error(), Error::kTruncated);
  const GenericOnOffStatus st{0, 1, TransitionTime{5, 1}};
  Bytes so;
  st.encode(so);
  EXPECT_EQ(test::hexOf(so), "000145");
  EXPECT_EQ(GenericOnOffStatus::parse(so).value(), st);
  EXPECT_EQ(GenericOnOffStatus::parse(test::hex("0001")).error(), Error::kTruncated);
  EXPECT_EQ(parseGenericOnOffMessage(0x8205, {}).error(), Error::kUnsupported);
}

TEST(GenericOnOffFormat, TransitionTimes) {
  EXPECT_EQ(TransitionTime::decode(0x54).duration(), seconds(20));  // 20 steps of 1 s
  EXPECT_EQ(TransitionTime::fromDuration(millis(2050)), (TransitionTime{21, 0}));
  EXPECT_EQ(TransitionTime::fromDuration(millis(6200)), (TransitionTime{62, 0}));
  EXPECT_EQ(TransitionTime::fromDuration(millis(6300)), (TransitionTime{7, 1}));
  EXPECT_EQ(TransitionTime::fromDuration(seconds(100)), (TransitionTime{10, 2}));
  EXPECT_EQ(TransitionTime::fromDuration(seconds(3600)), (TransitionTime{6, 3}));
  EXPECT_EQ(TransitionTime::fromDuration(seconds(100000)), (TransitionTime{62, 3}));
  EXPECT_EQ(TransitionTime::fromDuration(Duration{0}), (TransitionTime{0, 0}));
  EXPECT_TRUE(TransitionTime::decode(0x3F).unknown());
}

class GenericOnOffTest : public ::testing::Test {
 protected:
  GenericOnOffTest() {
    auto& c = bus_.add(kClient);
    auto& s = bus_.add(kServer);
    client_ = std::make_unique<GenericOnOffClient>(c.fp.platform(), c.n().access(), c.n().keys());
    server_ = std::make_unique<GenericOnOffServer>(s.fp.platform(), s.n().access());
    EXPECT_EQ(c.n().access().bind(client_->attach(0), 0), Error::kNone);
    Model& sm = server_->attach(0);
    EXPECT_EQ(s.n().access().bind(sm, 0), Error::kNone);
    server_->on_change = [this](bool on) { changes_.push_back(on); };
    bus_.start();
  }
  ~GenericOnOffTest() override {
    client_.reset();
    server_.reset();
  }

  std::optional<GenericOnOffStatus> setAndWait(bool on, std::optional<OnOffTransition> t,
                                               bool repeat = false) {
    std::optional<GenericOnOffStatus> got;
    EXPECT_EQ(client_->set(
                  kServer, 0, on, t,
                  [&](Error e, Address, const GenericOnOffStatus* s) {
                    if (e == Error::kNone && s != nullptr) got = *s;
                  },
                  repeat),
              Error::kNone);
    bus_.run(millis(200));
    return got;
  }

  ModelsBus bus_;
  std::unique_ptr<GenericOnOffClient> client_;
  std::unique_ptr<GenericOnOffServer> server_;
  std::vector<bool> changes_;
};

TEST_F(GenericOnOffTest, SetAndGet) {
  auto st = setAndWait(true, std::nullopt);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->present, 1);
  EXPECT_FALSE(st->target.has_value());
  EXPECT_TRUE(server_->on());
  std::optional<GenericOnOffStatus> got;
  ASSERT_EQ(client_->get(kServer, 0,
                         [&](Error, Address src, const GenericOnOffStatus* s) {
                           EXPECT_EQ(src, kServer);
                           if (s != nullptr) got = *s;
                         }),
            Error::kNone);
  bus_.run(millis(200));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->present, 1);
  ASSERT_EQ(client_->setUnacknowledged(kServer, 0, false), Error::kNone);
  bus_.run(millis(200));
  EXPECT_FALSE(server_->on());
  EXPECT_EQ(changes_, (std::vector<bool>{true, false}));
}

TEST_F(GenericOnOffTest, SameTransactionWithinSixSecondsIsNotAppliedAgain) {
  ASSERT_EQ(client_->setUnacknowledged(kServer, 0, true), Error::kNone);
  bus_.run(millis(100));
  EXPECT_TRUE(server_->on());
  server_->set(false);  // a local switch
  // The client retransmits its transaction (same TID) 2 s later: not applied again.
  bus_.run(seconds(2));
  ASSERT_EQ(client_->setUnacknowledged(kServer, 0, true, std::nullopt, /*repeat=*/true),
            Error::kNone);
  bus_.run(millis(100));
  EXPECT_FALSE(server_->on());
  EXPECT_EQ(server_->stats().repeated, 1U);
  // An acknowledged repeat is answered, still without applying it.
  auto st = setAndWait(true, std::nullopt, /*repeat=*/true);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->present, 0);
  // The same TID more than 6 s after the last one is a new transaction.
  bus_.run(seconds(7));
  ASSERT_EQ(client_->setUnacknowledged(kServer, 0, true, std::nullopt, /*repeat=*/true),
            Error::kNone);
  bus_.run(millis(100));
  EXPECT_TRUE(server_->on());
  // A new TID right away is applied.
  ASSERT_EQ(client_->setUnacknowledged(kServer, 0, false), Error::kNone);
  bus_.run(millis(100));
  EXPECT_FALSE(server_->on());
}

TEST_F(GenericOnOffTest, TransitionTimeAndDelay) {
  // On in 2 s after 50 ms: On at the start of the transition.
  auto st = setAndWait(true, OnOffTransition{TransitionTime{20, 0}, 10});
  ASSERT_TRUE(st.has_value());
  ASSERT_TRUE(st->target.has_value());
  EXPECT_EQ(*st->target, 1);
  // The status describes the state when the Set arrived: still Off, 2.05 s to go
  // (rounded up to 21 steps of 100 ms).
  EXPECT_EQ(st->present, 0);
  EXPECT_EQ(st->remaining, (TransitionTime{21, 0}));
  EXPECT_TRUE(server_->on());
  EXPECT_EQ(server_->target(), true);
  bus_.run(seconds(2));
  EXPECT_FALSE(server_->target().has_value());
  EXPECT_EQ(server_->remaining(), Duration{0});

  // Off in 1 s after 250 ms: still On until the end.
  ASSERT_EQ(
      client_->setUnacknowledged(kServer, 0, false, OnOffTransition{TransitionTime{1, 1}, 50}),
      Error::kNone);
  bus_.run(millis(100));
  EXPECT_TRUE(server_->on());
  EXPECT_EQ(server_->target(), false);
  bus_.run(millis(1000));
  EXPECT_TRUE(server_->on());  // 1.1 s after the message: 1.25 s not reached
  bus_.run(millis(200));
  EXPECT_FALSE(server_->on());
  EXPECT_EQ(changes_, (std::vector<bool>{true, false}));

  // A new Set during a transition replaces it.
  server_->set(true, OnOffTransition{TransitionTime{5, 1}, 0});
  bus_.run(seconds(1));
  ASSERT_EQ(client_->setUnacknowledged(kServer, 0, false), Error::kNone);
  bus_.run(millis(100));
  EXPECT_FALSE(server_->on());
  EXPECT_FALSE(server_->target().has_value());
}

TEST_F(GenericOnOffTest, ProhibitedValuesAreIgnored) {
  auto& access = bus_.nodes[0]->n().access();
  MessageTx tx;
  tx.dst = kServer;
  tx.app_idx = 0;
  tx.opcode = op::kGenericOnOffSetUnacknowledged;
  const Bytes bad_value{0x02, 0x10};
  tx.params = bad_value;
  ASSERT_TRUE(access.send(tx).ok());
  const Bytes bad_time{0x01, 0x11, 0x3F, 0x00};
  tx.params = bad_time;
  ASSERT_TRUE(access.send(tx).ok());
  const Bytes short_msg{0x01};
  tx.params = short_msg;
  ASSERT_TRUE(access.send(tx).ok());
  bus_.run(millis(200));
  EXPECT_FALSE(server_->on());
  EXPECT_EQ(server_->stats().ignored, 3U);
}

TEST_F(GenericOnOffTest, ServerPublishesItsChanges) {
  Model& sm = *bus_.nodes[1]->n().access().findModel(0, ModelId::sig(kGenericOnOffServerModelId));
  Publication p;
  p.address = 0xC010;
  p.app_idx = 0;
  p.ttl = 5;
  ASSERT_EQ(bus_.nodes[1]->n().access().setPublication(sm, p), Error::kNone);
  Model& cm = *bus_.nodes[0]->n().access().findModel(0, ModelId::sig(kGenericOnOffClientModelId));
  ASSERT_EQ(bus_.nodes[0]->n().access().subscribe(cm, 0xC010), Error::kNone);
  std::vector<GenericOnOffStatus> published;
  client_->on_status = [&](Address src, const GenericOnOffStatus& s) {
    EXPECT_EQ(src, kServer);
    published.push_back(s);
  };
  server_->set(true);
  bus_.run(millis(100));
  ASSERT_EQ(published.size(), 1U);
  EXPECT_EQ(published[0].present, 1);
  // A transition publishes at its start (with target) and at its end.
  server_->set(false, OnOffTransition{TransitionTime{10, 0}, 0});
  bus_.run(seconds(2));
  ASSERT_EQ(published.size(), 3U);
  EXPECT_EQ(published[1].target, std::optional<std::uint8_t>{0});
  EXPECT_EQ(published[2].present, 0);
  EXPECT_FALSE(published[2].target.has_value());
}

}  // namespace
}  // namespace lpm::btmesh
