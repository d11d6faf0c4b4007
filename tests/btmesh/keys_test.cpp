// KeyStore (Mesh 1.1 §3.8.6 key states, §3.11.4 Key Refresh phases, §3.4.2.3 labels).
#include "lpmesh/btmesh/keys.hpp"

#include <gtest/gtest.h>

#include "tests/btmesh/test_util.hpp"

namespace lpm::btmesh {
namespace {

const Key kNew = test::key128("0123456789abcdef0123456789abcdef");
const Key kNewApp = test::key128("fedcba9876543210fedcba9876543210");

TEST(BtmeshKeys, NetKeyDerivedMaterialMatchesSampleData) {
  KeyStore keys;
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  const Subnet* s = keys.subnet(0);
  ASSERT_NE(s, nullptr);
  // §8.2 sample values (also in key_derivation.json).
  EXPECT_EQ(s->keys[0].flooding.nid, 0x68);
  EXPECT_EQ(test::hexOf(s->keys[0].network_id), "3ecaff672f673370");
  EXPECT_EQ(test::hexOf(s->keys[0].beacon_key), "5423d967da639a99cb02231a83f7d254");
  EXPECT_EQ(s->keys[0].directed.nid, 0x0d);
}

TEST(BtmeshKeys, NetKeyAddUpdateDelete) {
  KeyStore keys(KeyStoreLimits{2, 2, 2, 2, 2});
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  EXPECT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone) << "same key again";
  EXPECT_EQ(keys.addNetKey(0, kNew), Error::kAlreadyExists);
  EXPECT_EQ(keys.addNetKey(0x1000, kNew), Error::kInvalidArgs);
  ASSERT_EQ(keys.addNetKey(1, kNew), Error::kNone);
  EXPECT_EQ(keys.addNetKey(2, kNew), Error::kNoBufs);
  EXPECT_EQ(keys.updateNetKey(5, kNew), Error::kNotFound);
  const auto v = keys.version();
  ASSERT_EQ(keys.deleteNetKey(1), Error::kNone);
  EXPECT_GT(keys.version(), v);
  EXPECT_EQ(keys.subnet(1), nullptr);
  EXPECT_EQ(keys.deleteNetKey(1), Error::kNotFound);
}

TEST(BtmeshKeys, KeyRefreshPhasesAndAppKeys) {
  KeyStore keys;
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  ASSERT_EQ(keys.addAppKey(0, 0, test::kSampleAppKey), Error::kNone);
  EXPECT_EQ(keys.appKey(0)->aid[0], 0x26);
  EXPECT_EQ(keys.updateAppKey(0, 0, kNewApp), Error::kInvalidState) << "only in phase 1";
  EXPECT_EQ(keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase2), Error::kInvalidState);

  ASSERT_EQ(keys.updateNetKey(0, kNew), Error::kNone);
  EXPECT_EQ(keys.subnet(0)->phase, KeyRefreshPhase::kPhase1);
  EXPECT_EQ(keys.updateNetKey(0, kNew), Error::kNone) << "repeated update, same key";
  EXPECT_EQ(keys.updateNetKey(0, test::kSampleAppKey), Error::kInvalidState);
  ASSERT_EQ(keys.updateAppKey(0, 0, kNewApp), Error::kNone);
  // Phase 1 transmits with the old keys.
  EXPECT_EQ(keys.subnet(0)->txSlot(), 0);
  EXPECT_EQ(*keys.appTxKey(0)->key, test::kSampleAppKey);

  ASSERT_EQ(keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase2), Error::kNone);
  EXPECT_EQ(keys.subnet(0)->txSlot(), 1);
  EXPECT_EQ(keys.subnet(0)->txKeys().net_key, kNew);
  EXPECT_EQ(*keys.appTxKey(0)->key, kNewApp);
  EXPECT_EQ(keys.appTxKey(0)->aid, applicationKeyId(kNewApp));

  ASSERT_EQ(keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase3), Error::kNone);
  EXPECT_EQ(keys.subnet(0)->phase, KeyRefreshPhase::kNormal);
  EXPECT_EQ(keys.subnet(0)->keys[0].net_key, kNew);
  EXPECT_FALSE(keys.subnet(0)->hasNewKey());
  EXPECT_EQ(keys.appKey(0)->keys[0], kNewApp);
  EXPECT_FALSE(keys.appKey(0)->has_new);
}

TEST(BtmeshKeys, AppKeysAreBoundToOneNetKey) {
  KeyStore keys(KeyStoreLimits{2, 1, 2, 2, 2});
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  EXPECT_EQ(keys.addAppKey(0, 3, test::kSampleAppKey), Error::kNotFound);
  ASSERT_EQ(keys.addAppKey(0, 0, test::kSampleAppKey), Error::kNone);
  EXPECT_EQ(keys.addAppKey(0, 0, test::kSampleAppKey), Error::kNone);
  EXPECT_EQ(keys.addAppKey(0, 0, kNewApp), Error::kAlreadyExists);
  EXPECT_EQ(keys.addAppKey(1, 0, kNewApp), Error::kNoBufs);
  EXPECT_EQ(keys.deleteAppKey(0, 1), Error::kInvalidArgs);
  ASSERT_EQ(keys.deleteNetKey(0), Error::kNone);
  EXPECT_EQ(keys.appKey(0), nullptr) << "AppKeys go with their NetKey";
}

TEST(BtmeshKeys, FriendshipCredentialsFollowKeyRefresh) {
  KeyStore keys;
  ASSERT_EQ(keys.addNetKey(0, test::kSampleNetKey), Error::kNone);
  const FriendshipParams p{0x1201, 0x2345, 0x0000, 0x072f};
  auto id = keys.addFriendship(0, p);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(keys.friendship(*id)->material[0].nid, 0x5e);  // Message #4
  ASSERT_EQ(keys.updateNetKey(0, kNew), Error::kNone);
  EXPECT_EQ(keys.friendship(*id)->material[1], friendshipMaterial(kNew, p));
  ASSERT_EQ(keys.setKeyRefreshPhase(0, KeyRefreshPhase::kPhase3), Error::kNone);
  EXPECT_EQ(keys.friendship(*id)->material[0], friendshipMaterial(kNew, p));
  keys.removeFriendship(*id);
  EXPECT_EQ(keys.friendship(*id), nullptr);
}

TEST(BtmeshKeys, LabelsAreReferenceCounted) {
  KeyStore keys(KeyStoreLimits{1, 1, 1, 1, 1});
  const LabelUuid a = test::key128("0073e7e4d8b9440faf8415df4c56c0e1");
  const LabelUuid b = test::key128("f4a002c7fb1e4ca0a469a021de0db875");
  EXPECT_EQ(*keys.addLabel(a), 0xb529);
  EXPECT_EQ(*keys.addLabel(a), 0xb529);
  EXPECT_EQ(keys.addLabel(b).error(), Error::kNoBufs);
  EXPECT_EQ(keys.releaseLabel(a), Error::kNone);
  EXPECT_NE(keys.findLabel(a), nullptr);
  EXPECT_EQ(keys.releaseLabel(a), Error::kNone);
  EXPECT_EQ(keys.findLabel(a), nullptr);
  EXPECT_EQ(keys.releaseLabel(a), Error::kNotFound);
  EXPECT_EQ(*keys.addLabel(b), 0x9736);
}

TEST(BtmeshKeys, IvIndexSelection) {
  IvIndexState iv{0x12345678, false};
  EXPECT_EQ(iv.txIndex(), 0x12345678u);
  EXPECT_EQ(iv.rxIndex(false), 0x12345678u);
  EXPECT_EQ(iv.rxIndex(true), 0x12345677u);
  iv.update_in_progress = true;
  EXPECT_EQ(iv.txIndex(), 0x12345677u);
  EXPECT_EQ((IvIndexState{0, false}).rxIndex(true), std::nullopt);
}

}  // namespace
}  // namespace lpm::btmesh
