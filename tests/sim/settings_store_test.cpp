#include "lpmesh/sim/settings_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lpm::sim {
namespace {

TEST(SettingsStore, SetGetOverwriteRemove) {
  SettingsStore s;
  EXPECT_EQ(s.get("btmesh/seq").error(), Error::kNotFound);
  const Bytes v1 = {1, 2, 3};
  ASSERT_EQ(s.set("btmesh/seq", v1), Error::kNone);
  auto got = s.get("btmesh/seq");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, v1);
  EXPECT_EQ(s.bytesUsed(), std::string("btmesh/seq").size() + 3);

  const Bytes v2 = {9};
  ASSERT_EQ(s.set("btmesh/seq", v2), Error::kNone);
  EXPECT_EQ(*s.get("btmesh/seq"), v2);
  EXPECT_EQ(s.bytesUsed(), std::string("btmesh/seq").size() + 1);

  ASSERT_EQ(s.set("thread/empty", ByteSpan{}), Error::kNone);  // empty value is a value
  ASSERT_TRUE(s.get("thread/empty").ok());
  EXPECT_TRUE(s.get("thread/empty")->empty());
  EXPECT_EQ(s.keyCount(), 2u);

  EXPECT_EQ(s.remove("btmesh/seq"), Error::kNone);
  EXPECT_EQ(s.remove("btmesh/seq"), Error::kNotFound);
  EXPECT_EQ(s.get("btmesh/seq").error(), Error::kNotFound);
  EXPECT_EQ(s.bytesUsed(), std::string("thread/empty").size());
  EXPECT_EQ(s.set("", v1), Error::kInvalidArgs);
}

TEST(SettingsStore, StoresACopy) {
  SettingsStore s;
  Bytes v = {1, 2};
  ASSERT_EQ(s.set("k", v), Error::kNone);
  v[0] = 7;
  EXPECT_EQ(*s.get("k"), (Bytes{1, 2}));
}

TEST(SettingsStore, WipeIsFactoryReset) {
  SettingsStore s;
  ASSERT_EQ(s.set("a", Bytes{1}), Error::kNone);
  ASSERT_EQ(s.set("b", Bytes{2}), Error::kNone);
  s.wipe();
  EXPECT_EQ(s.keyCount(), 0u);
  EXPECT_EQ(s.bytesUsed(), 0u);
  EXPECT_EQ(s.get("a").error(), Error::kNotFound);
  ASSERT_EQ(s.set("a", Bytes{3}), Error::kNone);
  EXPECT_EQ(*s.get("a"), Bytes{3});
}

TEST(SettingsStore, IteratesInKeyOrder) {
  SettingsStore s;
  for (const char* k : {"thread/b", "btmesh/z", "thread/a", "btmesh/a"}) {
    ASSERT_EQ(s.set(k, Bytes{static_cast<std::uint8_t>(k[7])}), Error::kNone);
  }
  std::vector<std::string> keys;
  s.forEach([&](std::string_view k, ByteSpan) { keys.emplace_back(k); });
  EXPECT_EQ(keys, (std::vector<std::string>{"btmesh/a", "btmesh/z", "thread/a", "thread/b"}));
}

TEST(SettingsStore, CapacityIsEnforced) {
  SettingsStore s(10);
  ASSERT_EQ(s.set("ab", Bytes(8, 0)), Error::kNone);  // exactly full
  EXPECT_EQ(s.set("c", Bytes{1}), Error::kNoBufs);
  EXPECT_EQ(s.get("c").error(), Error::kNotFound);
  EXPECT_EQ(s.set("ab", Bytes(9, 0)), Error::kNoBufs);  // old value kept
  EXPECT_EQ(s.get("ab")->size(), 8u);
  ASSERT_EQ(s.set("ab", Bytes(2, 0)), Error::kNone);  // shrinking frees room
  EXPECT_EQ(s.set("c", Bytes{1}), Error::kNone);
  EXPECT_EQ(s.bytesUsed(), 4u + 2u);
}

}  // namespace
}  // namespace lpm::sim
