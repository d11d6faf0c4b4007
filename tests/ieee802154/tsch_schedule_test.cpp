// TSCH schedule: the RFC 8180 minimal schedule, slotframe/link tables and their bounds,
// the next-active-slot arithmetic, link priority and the Slotframe and Link IE mapping.
#include "lpmesh/ieee802154/tsch_schedule.hpp"

#include <gtest/gtest.h>

namespace lpm::ieee802154 {
namespace {

TschLink link(std::uint16_t ts, std::uint16_t ch, std::uint8_t options,
              std::optional<Eui64> nb = std::nullopt) {
  TschLink l;
  l.timeslot = ts;
  l.channel_offset = ch;
  l.options = options;
  l.neighbor = nb;
  return l;
}

TEST(TschSchedule, MinimalScheduleIsOneAdvertisingCell) {
  const TschSchedule s = TschSchedule::minimal(101);
  ASSERT_EQ(s.slotframes().size(), 1U);
  const TschSlotframe& sf = s.slotframes()[0];
  EXPECT_EQ(sf.handle, 0);
  EXPECT_EQ(sf.size, 101);
  ASSERT_EQ(sf.links.size(), 1U);
  EXPECT_EQ(sf.links[0].timeslot, 0);
  EXPECT_EQ(sf.links[0].channel_offset, 0);
  EXPECT_EQ(sf.links[0].options, 0x0f);
  EXPECT_EQ(sf.links[0].type, TschLinkType::kAdvertising);
  EXPECT_TRUE(sf.links[0].timekeeping());
  EXPECT_FALSE(sf.links[0].priority());
}

TEST(TschSchedule, NextActiveSkipsIdleSlots) {
  const TschSchedule s = TschSchedule::minimal(101);
  EXPECT_EQ(s.nextActive(0), 0U);
  EXPECT_EQ(s.nextActive(1), 101U);
  EXPECT_EQ(s.nextActive(101), 101U);
  EXPECT_EQ(s.nextActive(1'000'000'000'000ULL + 5),
            1'000'000'000'000ULL - 1'000'000'000'000ULL % 101 + 101);
  EXPECT_FALSE(TschSchedule().nextActive(0).has_value());
}

TEST(TschSchedule, NextActiveAcrossSlotframesAndPredicate) {
  TschSchedule s;
  ASSERT_EQ(s.addSlotframe(1, 7), Error::kNone);
  ASSERT_EQ(s.addSlotframe(0, 11), Error::kNone);
  ASSERT_EQ(s.addLink(0, link(0, 0, kMinimalCellOptions)), Error::kNone);
  ASSERT_EQ(s.addLink(1, link(3, 2, kLinkTx)), Error::kNone);
  ASSERT_EQ(s.addLink(1, link(5, 1, kLinkRx)), Error::kNone);
  // Handle order is priority order.
  EXPECT_EQ(s.slotframes()[0].handle, 0);
  // From ASN 1: slotframe 1 has slot 3 at ASN 3.
  EXPECT_EQ(s.nextActive(1), 3U);
  EXPECT_EQ(s.nextActive(4), 5U);
  EXPECT_EQ(s.nextActive(6), 10U);   // 7 + 3
  EXPECT_EQ(s.nextActive(11), 11U);  // slotframe 0 cell
  // Only RX links wanted: TX-only cells are skipped.
  auto rx_only = [](const TschLink& l) { return l.rx(); };
  EXPECT_EQ(s.nextActive(1, rx_only), 5U);
  EXPECT_EQ(s.nextActive(6, rx_only), 11U);
  EXPECT_EQ(s.nextActive(12, rx_only), 12U);  // 7 + 5
  int seen = 0;
  s.forEachLinkAt(77, [&](const TschSlotframe& sf, const TschLink& l) {
    // 77 = 7 x 11: slotframe 0 slot 0 and slotframe 1 slot 0 (no link there).
    EXPECT_EQ(sf.handle, 0);
    EXPECT_EQ(l.timeslot, 0);
    ++seen;
  });
  EXPECT_EQ(seen, 1);
}

TEST(TschSchedule, TablesAreBoundedAndChecked) {
  TschSchedule s(2, 3);
  EXPECT_EQ(s.addSlotframe(0, 0), Error::kInvalidArgs);
  EXPECT_EQ(s.addSlotframe(0, 10), Error::kNone);
  EXPECT_EQ(s.addSlotframe(0, 10), Error::kAlreadyExists);
  EXPECT_EQ(s.addSlotframe(1, 10), Error::kNone);
  EXPECT_EQ(s.addSlotframe(2, 10), Error::kNoBufs);
  EXPECT_EQ(s.addLink(5, link(0, 0, kLinkTx)), Error::kNotFound);
  EXPECT_EQ(s.addLink(0, link(10, 0, kLinkTx)), Error::kInvalidArgs);
  EXPECT_EQ(s.addLink(0, link(1, 0, kLinkShared)), Error::kInvalidArgs);
  EXPECT_EQ(s.addLink(0, link(1, 0, kLinkTx)), Error::kNone);
  EXPECT_EQ(s.addLink(0, link(1, 0, kLinkRx)), Error::kAlreadyExists);
  const Eui64 nb = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(s.addLink(0, link(1, 0, kLinkTx, nb)), Error::kNone);  // other neighbour
  EXPECT_EQ(s.addLink(1, link(2, 0, kLinkRx)), Error::kNone);
  EXPECT_EQ(s.addLink(1, link(3, 0, kLinkRx)), Error::kNoBufs);
  EXPECT_EQ(s.linkCount(), 3U);
  EXPECT_EQ(s.removeLink(0, 1, 0), Error::kNone);  // both links at (1, 0)
  EXPECT_EQ(s.linkCount(), 1U);
  EXPECT_EQ(s.removeLink(0, 1, 0), Error::kNotFound);
  EXPECT_EQ(s.removeSlotframe(1), Error::kNone);
  EXPECT_EQ(s.removeSlotframe(1), Error::kNotFound);
  EXPECT_TRUE(s.empty());
}

TEST(TschSchedule, SlotframeAndLinkIeRoundTrip) {
  TschSchedule s;
  ASSERT_EQ(s.addSlotframe(0, 101), Error::kNone);
  ASSERT_EQ(s.addLink(0, link(0, 0, kMinimalCellOptions)), Error::kNone);
  ASSERT_EQ(s.addSlotframe(2, 17), Error::kNone);
  ASSERT_EQ(s.addLink(2, link(4, 3, kLinkRx | kLinkTimekeeping)), Error::kNone);
  ASSERT_EQ(s.addLink(2, link(6, 1, kLinkTx, Eui64{1, 1, 1, 1, 1, 1, 1, 1})), Error::kNone);
  const TschSlotframeLinkIe ie = s.toIe();
  ASSERT_EQ(ie.slotframes.size(), 2U);
  EXPECT_EQ(ie.slotframes[0].links, (std::vector<LinkInfo>{{0, 0, 0x0f}}));
  // The dedicated link names a neighbour the IE cannot carry: not advertised.
  EXPECT_EQ(ie.slotframes[1].links, (std::vector<LinkInfo>{{4, 3, 0x0a}}));
  const auto back = TschSchedule::fromIe(ie);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->slotframes()[0].links[0].type, TschLinkType::kAdvertising);
  EXPECT_EQ(back->slotframes()[1].links[0].type, TschLinkType::kNormal);
  EXPECT_EQ(back->toIe(), ie);
  EXPECT_EQ(*TschSchedule::fromIe(TschSchedule::minimal(7).toIe()), TschSchedule::minimal(7));
  // Bad IEs: a link outside its slotframe, a slotframe of size 0.
  TschSlotframeLinkIe bad;
  bad.slotframes.push_back(SlotframeInfo{0, 5, {LinkInfo{5, 0, 0x0f}}});
  EXPECT_EQ(TschSchedule::fromIe(bad).error(), Error::kInvalidArgs);
  bad.slotframes[0] = SlotframeInfo{0, 0, {}};
  EXPECT_EQ(TschSchedule::fromIe(bad).error(), Error::kInvalidArgs);
}

}  // namespace
}  // namespace lpm::ieee802154
