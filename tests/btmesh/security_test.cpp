// Mesh Protocol 1.1 §3.9 security toolbox against the §8 sample data in
// tests/vectors/btmesh/: crypto_functions, key_derivation, virtual_address, and the
// network / upper transport security of every message in messages, messages_v11 and proxy.
#include "lpmesh/btmesh/security.hpp"

#include <gtest/gtest.h>

#include <string>

#include "lpmesh/core/hex.hpp"
#include "tests/testutil/vectors.hpp"

namespace lpm::btmesh {
namespace {

using nlohmann::json;

Bytes bytesOf(const json& j) {
  return lpm::test::hexField(j);
}

template <std::size_t N>
std::array<std::uint8_t, N> arrayOf(const json& j) {
  const Bytes b = bytesOf(j);
  EXPECT_EQ(b.size(), N) << j;
  std::array<std::uint8_t, N> a{};
  std::copy_n(b.begin(), std::min(N, b.size()), a.begin());
  return a;
}

Key keyOf(const json& j) {
  return arrayOf<16>(j);
}

/// A big-endian hex field as an integer ("3129ab" -> 0x3129ab).
std::uint32_t uintOf(const json& j) {
  std::uint32_t v = 0;
  for (std::uint8_t b : bytesOf(j))
    v = (v << 8) | b;
  return v;
}

std::string hexOf(ByteSpan b) {
  return toHex(b);
}
std::string hexOf(std::uint8_t v) {
  return toHex(ByteSpan(&v, 1));
}
std::string str(const json& j) {
  return j.get<std::string>();
}

std::vector<json> load(const std::string& file) {
  const auto vectors = lpm::test::vectorList(lpm::test::loadVectorFile(file));
  EXPECT_FALSE(vectors.empty()) << file;
  return vectors;
}

// --- crypto_functions.json: s1, k1, k2, k3, k4, s2, k5 -----------------------------------

TEST(SecurityToolbox, CryptoFunctionVectors) {
  int checked = 0;
  for (const json& v : load("btmesh/crypto_functions.json")) {
    const std::string name = str(v.at("name"));
    SCOPED_TRACE(name);
    const json& in = v.at("inputs");
    const json& ex = v.at("expected");
    if (ex.contains("s1")) {
      EXPECT_EQ(hexOf(s1(bytesOf(in.at("M")))), str(ex.at("s1")));
      EXPECT_EQ(hexOf(s1(str(in.at("M_ascii")))), str(ex.at("s1")));
      ++checked;
    } else if (ex.contains("k1")) {
      EXPECT_EQ(hexOf(k1(bytesOf(in.at("N")), keyOf(in.at("SALT")), bytesOf(in.at("P")))),
                str(ex.at("k1")));
      // The sample's SALT and P are s1("salt") and s1("info").
      EXPECT_EQ(hexOf(s1("salt")), str(ex.at("SALT_is_s1_salt")));
      EXPECT_EQ(hexOf(s1("info")), str(ex.at("P_is_s1_info")));
      ++checked;
    } else if (ex.contains("NID")) {
      const SecurityMaterial m = k2(keyOf(in.at("N")), bytesOf(in.at("P")));
      EXPECT_EQ(hexOf(s1("smk2")), str(ex.at("s1_smk2")));
      EXPECT_EQ(hexOf(m.nid), str(ex.at("NID")));
      EXPECT_EQ(hexOf(m.encryption_key), str(ex.at("EncryptionKey")));
      EXPECT_EQ(hexOf(m.privacy_key), str(ex.at("PrivacyKey")));
      if (in.contains("LPNAddress")) {
        const FriendshipParams fp{static_cast<std::uint16_t>(uintOf(in.at("LPNAddress"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("FriendAddress"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("LPNCounter"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("FriendCounter")))};
        EXPECT_EQ(friendshipMaterial(keyOf(in.at("N")), fp), m);
      } else {
        EXPECT_EQ(floodingMaterial(keyOf(in.at("N"))), m);
      }
      ++checked;
    } else if (ex.contains("k3")) {
      EXPECT_EQ(hexOf(s1("smk3")), str(ex.at("SALT")));
      EXPECT_EQ(hexOf(k3(keyOf(in.at("N")))), str(ex.at("k3")));
      ++checked;
    } else if (ex.contains("k4")) {
      EXPECT_EQ(hexOf(s1("smk4")), str(ex.at("SALT")));
      EXPECT_EQ(hexOf(k4(keyOf(in.at("N")))), str(ex.at("k4")));
      ++checked;
    } else if (ex.contains("s2")) {
      EXPECT_EQ(hexOf(s2(bytesOf(in.at("M")))), str(ex.at("s2")));
      ++checked;
    } else if (ex.contains("k5")) {
      EXPECT_EQ(hexOf(k5(bytesOf(in.at("N")), arrayOf<32>(in.at("SALT")), bytesOf(in.at("P")))),
                str(ex.at("k5")));
      ++checked;
    } else {
      ADD_FAILURE() << "vector not understood: " << name;
    }
  }
  EXPECT_EQ(checked, 8);
}

// --- key_derivation.json ----------------------------------------------------------------

TEST(SecurityToolbox, KeyDerivationVectors) {
  int checked = 0;
  for (const json& v : load("btmesh/key_derivation.json")) {
    const std::string name = str(v.at("name"));
    SCOPED_TRACE(name);
    const json& in = v.at("inputs");
    const json& ex = v.at("expected");
    int fields = 0;
    if (ex.contains("AID")) {
      EXPECT_EQ(hexOf(s1("smk4")), str(ex.at("SALT")));
      EXPECT_EQ(hexOf(applicationKeyId(keyOf(in.at("AppKey")))), str(ex.at("AID")));
      ++fields;
    }
    if (ex.contains("NID")) {
      const Key net_key = keyOf(in.at("NetKey"));
      const Bytes p = bytesOf(in.at("P"));
      SecurityMaterial m;
      if (p == Bytes{0x00}) {
        m = floodingMaterial(net_key);
      } else if (p == Bytes{0x02}) {
        m = directedMaterial(net_key);
      } else {
        const FriendshipParams fp{static_cast<std::uint16_t>(uintOf(in.at("LPNAddress"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("FriendAddress"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("LPNCounter"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("FriendCounter")))};
        m = friendshipMaterial(net_key, fp);
      }
      EXPECT_EQ(k2(net_key, p), m);
      EXPECT_EQ(hexOf(m.nid), str(ex.at("NID")));
      EXPECT_EQ(hexOf(m.encryption_key), str(ex.at("EncryptionKey")));
      EXPECT_EQ(hexOf(m.privacy_key), str(ex.at("PrivacyKey")));
      ++fields;
    }
    if (ex.contains("NetworkID")) {
      EXPECT_EQ(hexOf(networkId(keyOf(in.at("NetKey")))), str(ex.at("NetworkID")));
      ++fields;
    }
    if (ex.contains("IdentityKey")) {
      EXPECT_EQ(hexOf(s1("nkik")), str(ex.at("SALT")));
      EXPECT_EQ(hexOf(identityKey(keyOf(in.at("NetKey")))), str(ex.at("IdentityKey")));
      ++fields;
    }
    if (ex.contains("BeaconKey")) {
      EXPECT_EQ(hexOf(s1("nkbk")), str(ex.at("SALT")));
      EXPECT_EQ(hexOf(beaconKey(keyOf(in.at("NetKey")))), str(ex.at("BeaconKey")));
      ++fields;
    }
    if (ex.contains("PrivateBeaconKey")) {
      EXPECT_EQ(hexOf(s1("nkpk")), str(ex.at("SALT")));
      EXPECT_EQ(hexOf(privateBeaconKey(keyOf(in.at("NetKey")))), str(ex.at("PrivateBeaconKey")));
      ++fields;
    }
    if (fields == 0) ADD_FAILURE() << "vector not understood: " << name;
    checked += fields > 0 ? 1 : 0;
  }
  EXPECT_EQ(checked, 12);
}

// Secure Network beacon samples (§8.4.3-8.4.4) print NetworkID and BeaconKey too.
TEST(SecurityToolbox, BeaconSampleKeys) {
  int checked = 0;
  for (const json& v : load("btmesh/beacons.json")) {
    const json& ex = v.at("expected");
    SCOPED_TRACE(str(v.at("name")));
    if (ex.contains("BeaconKey")) {
      const Key net_key = keyOf(v.at("inputs").at("NetKey"));
      EXPECT_EQ(hexOf(beaconKey(net_key)), str(ex.at("BeaconKey")));
      EXPECT_EQ(hexOf(networkId(net_key)), str(ex.at("NetworkID")));
      ++checked;
    }
    if (ex.contains("PrivateBeaconKey")) {
      EXPECT_EQ(hexOf(privateBeaconKey(keyOf(v.at("inputs").at("NetKey")))),
                str(ex.at("PrivateBeaconKey")));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3);
}

// Provisioning (§8.17.1, §8.17.2) is built from s1, k1, s2 and k5: its sample derivations
// exercise them with a 32-octet N and long inputs.
TEST(SecurityToolbox, ProvisioningSampleDerivations) {
  const auto vectors = load("btmesh/provisioning.json");
  ASSERT_GE(vectors.size(), 2u);
  {
    const json& in = vectors[0].at("inputs");
    const json& ex = vectors[0].at("expected");
    const Bytes ecdh = bytesOf(ex.at("ECDHSecret_provisioner"));
    const Key confirmation_salt = s1(bytesOf(ex.at("ConfirmationInputs")));
    EXPECT_EQ(hexOf(confirmation_salt), str(ex.at("ConfirmationSalt")));
    EXPECT_EQ(hexOf(k1(ecdh, confirmation_salt, Bytes{'p', 'r', 'c', 'k'})),
              str(ex.at("ConfirmationKey")));
    const Key provisioning_salt = s1(bytesOf(ex.at("ProvisioningSaltInput")));
    EXPECT_EQ(hexOf(provisioning_salt), str(ex.at("ProvisioningSalt")));
    EXPECT_EQ(hexOf(k1(ecdh, provisioning_salt, Bytes{'p', 'r', 's', 'k'})),
              str(ex.at("SessionKey")));
    EXPECT_EQ(hexOf(k1(ecdh, provisioning_salt, Bytes{'p', 'r', 's', 'n'})),
              str(ex.at("SessionNonceFull")));
    EXPECT_EQ(hexOf(k1(ecdh, provisioning_salt, Bytes{'p', 'r', 'd', 'k'})),
              str(ex.at("DeviceKey")));
    (void)in;
  }
  {
    const json& in = vectors[1].at("inputs");
    const json& ex = vectors[1].at("expected");
    const Key256 confirmation_salt = s2(bytesOf(ex.at("ConfirmationInputs")));
    EXPECT_EQ(hexOf(confirmation_salt), str(ex.at("ConfirmationSalt")));
    Bytes n = bytesOf(ex.at("ECDHSecret"));
    const Bytes auth = bytesOf(in.at("AuthValue"));
    n.insert(n.end(), auth.begin(), auth.end());
    EXPECT_EQ(hexOf(k5(n, confirmation_salt, Bytes{'p', 'r', 'c', 'k', '2', '5', '6'})),
              str(ex.at("ConfirmationKey")));
  }
}

// --- virtual_address.json ---------------------------------------------------------------

TEST(SecurityToolbox, VirtualAddressVectors) {
  const auto vectors = load("btmesh/virtual_address.json");
  EXPECT_EQ(vectors.size(), 4u);
  for (const json& v : vectors) {
    SCOPED_TRACE(str(v.at("name")));
    const std::uint16_t va = virtualAddress(arrayOf<16>(v.at("inputs").at("LabelUUID")));
    EXPECT_EQ(va, uintOf(v.at("expected").at("virtual_address")));
    EXPECT_EQ(va & 0xC000, 0x8000);
  }
}

// --- nonces -----------------------------------------------------------------------------

TEST(SecurityNonces, LayoutAndMasking) {
  EXPECT_EQ(hexOf(networkNonce(true, 0x7f, 0x123456, 0x1201, 0xa1b2c3d4)),
            "00ff1234561201000"
            "0a1b2c3d4");
  // TTL above 7 bits and SEQ above 24 bits are cut to their field widths.
  EXPECT_EQ(networkNonce(false, 0x85, 0xff000001, 0x0001, 0),
            networkNonce(false, 0x05, 0x000001, 0x0001, 0));
  EXPECT_EQ(hexOf(applicationNonce(true, 0x07080d, 0x1234, 0x9736, 0x12345677)),
            "018007080d1234973612345677");
  EXPECT_EQ(hexOf(deviceNonce(false, 0x3129ab, 0x0003, 0x1201, 0x12345678)),
            "02003129ab0003120112345678");
  EXPECT_EQ(hexOf(proxyNonce(0x000001, 0x0001, 0x12345678)), "03000000010001000012345678");
  EXPECT_EQ(hexOf(proxySolicitationNonce(0x000001, 0x0031)), "04000000010031000000000000");
}

// --- network and upper transport security of the sample messages ------------------------

SecurityMaterial materialFor(const json& in) {
  const Key net_key = keyOf(in.at("NetKey"));
  const std::string kind = in.contains("credentials") ? str(in.at("credentials")) : "flooding";
  if (kind == "friendship") {
    return friendshipMaterial(
        net_key, FriendshipParams{static_cast<std::uint16_t>(uintOf(in.at("LPNAddress"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("FriendAddress"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("LPNCounter"))),
                                  static_cast<std::uint16_t>(uintOf(in.at("FriendCounter")))});
  }
  if (kind == "directed") return directedMaterial(net_key);
  EXPECT_EQ(kind, "flooding");
  return floodingMaterial(net_key);
}

// Checks one Network PDU's fields: `ex` holds the expected network-layer values of a
// message or of one of its segments.
void checkNetworkPdu(const json& in, const json& ex, std::uint32_t seq, const Bytes& transport_pdu,
                     NetworkNonceType type) {
  const SecurityMaterial material = materialFor(in);
  const std::uint32_t iv_index = uintOf(in.at("IVIndex"));
  NetworkHeader header;
  header.ctl = uintOf(in.at("CTL")) != 0;
  header.ttl = static_cast<std::uint8_t>(uintOf(in.at("TTL")));
  header.seq = seq;
  header.src = static_cast<std::uint16_t>(uintOf(in.at("SRC")));
  header.dst = static_cast<std::uint16_t>(uintOf(in.at("DST")));

  if (ex.contains("nid")) {
    EXPECT_EQ(hexOf(material.nid), str(ex.at("nid")));
  }
  if (ex.contains("encryption_key")) {
    EXPECT_EQ(hexOf(material.encryption_key), str(ex.at("encryption_key")));
    EXPECT_EQ(hexOf(material.privacy_key), str(ex.at("privacy_key")));
  }

  // Nonce.
  Nonce nonce{};
  const std::uint32_t nonce_iv = type == NetworkNonceType::kProxySolicitation ? 0 : iv_index;
  switch (type) {
    case NetworkNonceType::kNetwork:
      nonce = networkNonce(header.ctl, header.ttl, seq, header.src, iv_index);
      EXPECT_EQ(hexOf(nonce), str(ex.at("network_nonce")));
      break;
    case NetworkNonceType::kProxy:
      nonce = proxyNonce(seq, header.src, iv_index);
      EXPECT_EQ(hexOf(nonce), str(ex.at("proxy_nonce")));
      break;
    case NetworkNonceType::kProxySolicitation:
      nonce = proxySolicitationNonce(seq, header.src);
      EXPECT_EQ(hexOf(nonce), str(ex.at("solicitation_nonce")));
      break;
  }

  // Encryption and NetMIC (§3.9.7.2).
  Bytes dst_transport = {static_cast<std::uint8_t>(header.dst >> 8),
                         static_cast<std::uint8_t>(header.dst)};
  dst_transport.insert(dst_transport.end(), transport_pdu.begin(), transport_pdu.end());
  auto encrypted =
      encryptNetMic(material.encryption_key, nonce, dst_transport, netMicSize(header.ctl));
  ASSERT_TRUE(encrypted.ok());
  const std::string enc_field =
      ex.contains("enc_dst_transport_pdu") ? "enc_dst_transport_pdu" : "enc_dst";
  EXPECT_EQ(hexOf(*encrypted), str(ex.at(enc_field)) + str(ex.at("net_mic")));
  auto decrypted =
      decryptNetMic(material.encryption_key, nonce, *encrypted, netMicSize(header.ctl));
  ASSERT_TRUE(decrypted.ok());
  EXPECT_EQ(*decrypted, dst_transport);

  // Obfuscation (§3.9.7.3).
  PrivacyRandom random{};
  std::copy_n(encrypted->begin(), random.size(), random.begin());
  EXPECT_EQ(hexOf(privacyPlaintext(nonce_iv, random)), str(ex.at("privacy_plaintext")));
  if (ex.contains("pecb")) {
    const std::string expected_pecb = str(ex.at("pecb"));
    EXPECT_EQ(hexOf(pecb(material.privacy_key, nonce_iv, random)).substr(0, expected_pecb.size()),
              expected_pecb);
  }

  // The whole PDU, sealed and opened.
  const std::string pdu_field = ex.contains("network_pdu")     ? "network_pdu"
                                : ex.contains("proxy_message") ? "proxy_message"
                                                               : "solicitation_pdu";
  const Bytes expected_pdu = bytesOf(ex.at(pdu_field));
  auto sealed = sealNetworkPdu(material, iv_index, header, transport_pdu, type);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hexOf(*sealed), hexOf(expected_pdu));
  if (ex.contains("obfuscated_header")) {
    EXPECT_EQ(hexOf(ByteSpan(*sealed).subspan(1, 6)), str(ex.at("obfuscated_header")));
  }
  if (ex.contains("ivi_nid")) {
    EXPECT_EQ(hexOf((*sealed)[0]), str(ex.at("ivi_nid")));
  }

  // In-place deobfuscation gives back CTL|TTL, SEQ, SRC.
  Bytes clear = expected_pdu;
  ASSERT_EQ(deobfuscateHeader(material.privacy_key, nonce_iv, clear), Error::kNone);
  if (ex.contains("ctl_ttl_seq_src")) {
    EXPECT_EQ(hexOf(ByteSpan(clear).subspan(1, 6)), str(ex.at("ctl_ttl_seq_src")));
  }

  auto opened = openNetworkPdu(material, iv_index, expected_pdu, type);
  ASSERT_TRUE(opened.ok()) << errorName(opened.error());
  EXPECT_EQ(opened->header, header);
  EXPECT_EQ(opened->nid, material.nid);
  EXPECT_EQ(opened->ivi, (nonce_iv & 1U) != 0);
  EXPECT_EQ(opened->transport_pdu, transport_pdu);

  // Any flipped bit in the encrypted part or the obfuscated header fails the NetMIC,
  // except TTL under the proxy and solicitation nonces, which do not cover it (§3.9.5.4).
  for (std::size_t i = 1; i < expected_pdu.size(); ++i) {
    Bytes bad = expected_pdu;
    bad[i] ^= 0x04;
    auto tampered = openNetworkPdu(material, iv_index, bad, type);
    if (i == 1 && type != NetworkNonceType::kNetwork) {
      ASSERT_TRUE(tampered.ok());
      EXPECT_EQ(tampered->header.ttl, header.ttl ^ 0x04);
    } else {
      EXPECT_FALSE(tampered.ok()) << "octet " << i;
    }
  }
}

// Upper transport (§3.9.7.1): nonce, EncAccessMessage || TransMIC, and decryption.
void checkAccessMessage(const json& in, const json& ex) {
  const bool szmic = uintOf(in.at("SZMIC")) != 0;
  const std::uint32_t seq = uintOf(in.at("SEQ"));
  const auto src = static_cast<std::uint16_t>(uintOf(in.at("SRC")));
  const auto dst = static_cast<std::uint16_t>(uintOf(in.at("DST")));
  const std::uint32_t iv_index = uintOf(in.at("IVIndex"));
  const bool app_key = uintOf(in.at("AKF")) != 0;
  Nonce nonce{};
  Key key{};
  if (app_key) {
    key = keyOf(in.at("AppKey"));
    nonce = applicationNonce(szmic, seq, src, dst, iv_index);
    EXPECT_EQ(hexOf(nonce), str(ex.at("application_nonce")));
    EXPECT_EQ(applicationKeyId(key), uintOf(in.at("AID")));
  } else {
    key = keyOf(in.at("DevKey"));
    nonce = deviceNonce(szmic, seq, src, dst, iv_index);
    EXPECT_EQ(hexOf(nonce), str(ex.at("device_nonce")));
  }
  LabelUuid label{};
  const LabelUuid* label_ptr = nullptr;
  if (in.contains("LabelUUID")) {
    label = arrayOf<16>(in.at("LabelUUID"));
    label_ptr = &label;
    EXPECT_EQ(virtualAddress(label), dst);
  }
  const MicSize mic = szmic ? MicSize::k64 : MicSize::k32;
  const Bytes access = bytesOf(in.at("access_payload"));
  auto sealed = encryptTransMic(key, nonce, access, mic, label_ptr);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(hexOf(*sealed), str(ex.at("enc_access_payload")) + str(ex.at("trans_mic")));
  EXPECT_EQ(hexOf(*sealed), str(ex.at("upper_transport_pdu")));

  auto opened = decryptTransMic(key, nonce, *sealed, mic, label_ptr);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, access);
  // Wrong label (or a missing one) and a flipped TransMIC bit both fail authentication.
  LabelUuid other = label;
  other[0] ^= 0x01;
  EXPECT_EQ(decryptTransMic(key, nonce, *sealed, mic, &other).error(), Error::kAuthFailed);
  if (label_ptr != nullptr) {
    EXPECT_EQ(decryptTransMic(key, nonce, *sealed, mic).error(), Error::kAuthFailed);
  }
  Bytes bad = *sealed;
  bad.back() ^= 0x01;
  EXPECT_EQ(decryptTransMic(key, nonce, bad, mic, label_ptr).error(), Error::kAuthFailed);
}

void checkMessageFile(const std::string& file, int expected_pdus) {
  int pdus = 0;
  for (const json& v : load(file)) {
    SCOPED_TRACE(str(v.at("name")));
    const json& in = v.at("inputs");
    const json& ex = v.at("expected");
    if (ex.contains("segments")) {
      checkAccessMessage(in, ex);
      for (const json& seg : ex.at("segments")) {
        SCOPED_TRACE("segment " + str(seg.at("lower_transport_pdu")));
        const std::uint32_t seq =
            seg.contains("SEQ") ? uintOf(seg.at("SEQ")) : uintOf(in.at("SEQ"));
        checkNetworkPdu(in, seg, seq, bytesOf(seg.at("lower_transport_pdu")),
                        NetworkNonceType::kNetwork);
        ++pdus;
      }
    } else if (ex.contains("network_nonce")) {
      const json& ltp = ex.contains("lower_transport_pdu") ? ex.at("lower_transport_pdu")
                                                           : in.at("lower_transport_pdu");
      checkNetworkPdu(in, ex, uintOf(in.at("SEQ")), bytesOf(ltp), NetworkNonceType::kNetwork);
      ++pdus;
    } else if (ex.contains("proxy_nonce")) {
      checkNetworkPdu(in, ex, uintOf(in.at("SEQ")), bytesOf(in.at("transport_pdu")),
                      NetworkNonceType::kProxy);
      ++pdus;
    } else if (ex.contains("solicitation_nonce")) {
      checkNetworkPdu(in, ex, uintOf(in.at("SEQ")), {}, NetworkNonceType::kProxySolicitation);
      ++pdus;
    } else {
      ADD_FAILURE() << "vector not understood";
    }
  }
  EXPECT_EQ(pdus, expected_pdus) << file;
}

TEST(SecurityMessages, FirstThreeMessages) {
  // Messages #1-#3 (§8.3.1-8.3.3) on their own, so a regression names them directly.
  const auto vectors = load("btmesh/messages.json");
  ASSERT_GE(vectors.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const json& v = vectors[i];
    SCOPED_TRACE(str(v.at("name")));
    checkNetworkPdu(v.at("inputs"), v.at("expected"), uintOf(v.at("inputs").at("SEQ")),
                    bytesOf(v.at("expected").at("lower_transport_pdu")),
                    NetworkNonceType::kNetwork);
  }
}

TEST(SecurityMessages, AllMessageSamples) {
  checkMessageFile("btmesh/messages.json", 23);
}

TEST(SecurityMessages, Mesh11BridgeAndDirectedSamples) {
  checkMessageFile("btmesh/messages_v11.json", 34);
}

TEST(SecurityMessages, ProxyConfigurationAndSolicitation) {
  checkMessageFile("btmesh/proxy.json", 4);
}

// --- error paths ------------------------------------------------------------------------

class NetworkPduErrors : public ::testing::Test {
 protected:
  const SecurityMaterial material_ = floodingMaterial(keyOf("7dd7364cd842ad18c17c2b820c84c3d6"));
  // Message #1 (§8.3.1), IV Index 0x12345678.
  const Bytes pdu_ = bytesOf("68eca487516765b5e5bfdacbaf6cb7fb6bff871f035444ce83a670df");
  static constexpr std::uint32_t kIv = 0x12345678;
};

TEST_F(NetworkPduErrors, ShortAndLongPdus) {
  for (std::size_t len = 0; len < 18; ++len) {  // CTL = 1 needs 9 + 1 + 8 octets
    const Error e = openNetworkPdu(material_, kIv, ByteSpan(pdu_).first(len)).error();
    EXPECT_TRUE(e == Error::kTruncated || e == Error::kAuthFailed) << len << errorName(e);
    if (len < 14) {
      EXPECT_EQ(e, Error::kTruncated) << len;
    }
  }
  Bytes long_pdu(30, 0x68);
  EXPECT_EQ(openNetworkPdu(material_, kIv, long_pdu).error(), Error::kTooLong);
}

TEST_F(NetworkPduErrors, WrongNidIvOrKey) {
  Bytes other_nid = pdu_;
  other_nid[0] ^= 0x01;
  EXPECT_EQ(openNetworkPdu(material_, kIv, other_nid).error(), Error::kNotFound);
  EXPECT_EQ(openNetworkPdu(material_, kIv + 1, pdu_).error(), Error::kInvalidArgs);
  // Same IVI, other IV Index: the nonce and PECB differ, so the NetMIC fails.
  EXPECT_EQ(openNetworkPdu(material_, kIv + 2, pdu_).error(), Error::kAuthFailed);
  SecurityMaterial wrong = material_;
  wrong.encryption_key[0] ^= 0x01;
  EXPECT_EQ(openNetworkPdu(wrong, kIv, pdu_).error(), Error::kAuthFailed);
}

TEST_F(NetworkPduErrors, SealRejectsOutOfRangeFields) {
  NetworkHeader h{true, 0, 1, 0x1201, 0xfffd};
  const Bytes transport = bytesOf("034b50057e400000010000");
  EXPECT_TRUE(sealNetworkPdu(material_, kIv, h, transport).ok());
  NetworkHeader bad_ttl = h;
  bad_ttl.ttl = 0x80;
  EXPECT_EQ(sealNetworkPdu(material_, kIv, bad_ttl, transport).error(), Error::kInvalidArgs);
  NetworkHeader bad_seq = h;
  bad_seq.seq = 0x1000000;
  EXPECT_EQ(sealNetworkPdu(material_, kIv, bad_seq, transport).error(), Error::kInvalidArgs);
  EXPECT_EQ(sealNetworkPdu(material_, kIv, h, {}).error(), Error::kInvalidArgs);
  EXPECT_EQ(sealNetworkPdu(material_, kIv, h, Bytes(13, 0)).error(), Error::kTooLong);
  NetworkHeader access = h;
  access.ctl = false;
  EXPECT_TRUE(sealNetworkPdu(material_, kIv, access, Bytes(16, 0)).ok());
  EXPECT_EQ(sealNetworkPdu(material_, kIv, access, Bytes(17, 0)).error(), Error::kTooLong);
  // A Solicitation PDU has no TransportPDU and always CTL = 1.
  EXPECT_EQ(
      sealNetworkPdu(material_, 0, h, transport, NetworkNonceType::kProxySolicitation).error(),
      Error::kInvalidArgs);
  EXPECT_EQ(sealNetworkPdu(material_, 0, access, {}, NetworkNonceType::kProxySolicitation).error(),
            Error::kInvalidArgs);
}

TEST_F(NetworkPduErrors, ObfuscationNeedsFourteenOctets) {
  Bytes short_pdu(13, 0);
  EXPECT_EQ(obfuscateHeader(material_.privacy_key, kIv, short_pdu), Error::kTruncated);
  Bytes pdu = pdu_;
  ASSERT_EQ(obfuscateHeader(material_.privacy_key, kIv, pdu), Error::kNone);
  EXPECT_NE(pdu, pdu_);
  ASSERT_EQ(deobfuscateHeader(material_.privacy_key, kIv, pdu), Error::kNone);
  EXPECT_EQ(pdu, pdu_);
}

TEST(TransMicErrors, SizeLimits) {
  const Key key = keyOf("63964771734fbd76e3b40519d1d94a48");
  const Nonce nonce = applicationNonce(false, 1, 0x0001, 0xc000, 0);
  EXPECT_EQ(encryptTransMic(key, nonce, {}, MicSize::k32).error(), Error::kInvalidArgs);
  EXPECT_TRUE(encryptTransMic(key, nonce, Bytes(380, 1), MicSize::k32).ok());
  EXPECT_EQ(encryptTransMic(key, nonce, Bytes(381, 1), MicSize::k32).error(), Error::kTooLong);
  EXPECT_TRUE(encryptTransMic(key, nonce, Bytes(376, 1), MicSize::k64).ok());
  EXPECT_EQ(encryptTransMic(key, nonce, Bytes(377, 1), MicSize::k64).error(), Error::kTooLong);
  EXPECT_EQ(decryptTransMic(key, nonce, Bytes(4, 0), MicSize::k32).error(), Error::kTruncated);
  EXPECT_EQ(decryptTransMic(key, nonce, Bytes(385, 0), MicSize::k32).error(), Error::kTooLong);
  EXPECT_EQ(decryptNetMic(key, nonce, Bytes(8, 0), MicSize::k64).error(), Error::kTruncated);
}

}  // namespace
}  // namespace lpm::btmesh
