// Test-only helpers for the 6LoWPAN suites: reading the vector conventions, a minimal
// IEEE 802.15.4 data-frame header (to find the 6LoWPAN payload in the vectors' MAC
// frames, and to build frames for tshark), CRC-16/KERMIT and a pcap writer.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lpmesh/core/bytes.hpp"
#include "lpmesh/core/hex.hpp"
#include "lpmesh/ipv6/address.hpp"
#include "lpmesh/sixlowpan/context.hpp"
#include "lpmesh/sixlowpan/link_address.hpp"

namespace lpm::test {

/// Vector L2 address: a hex string is an EUI-64 (text order), a number a short address.
inline sixlowpan::LinkAddress linkAddressFromJson(const nlohmann::json& v) {
  if (v.is_number()) return sixlowpan::LinkAddress::fromShort(v.get<std::uint16_t>(), 0xabcd);
  const std::string s = v.get<std::string>();
  if (s.size() == 4) {
    return sixlowpan::LinkAddress::fromShort(static_cast<std::uint16_t>(std::stoul(s, nullptr, 16)),
                                             0xabcd);
  }
  auto eui = parseHexArray<8>(s);
  if (!eui) throw std::runtime_error("bad EUI-64 in vector: " + s);
  return sixlowpan::LinkAddress::fromExtended(*eui);
}

inline sixlowpan::ContextTable contextsFromJson(const nlohmann::json& v) {
  sixlowpan::ContextTable t;
  if (v.is_null()) return t;
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto p = ipv6::Prefix::parse(it.value().get<std::string>());
    if (!p) throw std::runtime_error("bad context prefix in vector");
    (void)t.set(static_cast<std::uint8_t>(std::stoi(it.key())), *p);
  }
  return t;
}

inline ipv6::Address addr(const char* text) {
  auto a = ipv6::Address::parse(text);
  if (!a) throw std::runtime_error(std::string("bad address literal ") + text);
  return *a;
}

/// Length of an IEEE 802.15.4-2015 data frame MAC header without security or IEs
/// (frame control, sequence number, PAN IDs and addresses per Table 7-2 for frame
/// versions 0-2).
inline std::size_t macHeaderLength(ByteSpan frame) {
  if (frame.size() < 3) throw std::runtime_error("short MAC frame");
  const auto fc = static_cast<std::uint16_t>(frame[0] | (frame[1] << 8));
  const unsigned dst_mode = (fc >> 10) & 3;
  const unsigned src_mode = (fc >> 14) & 3;
  const bool pan_comp = ((fc >> 6) & 1) != 0;
  const unsigned version = (fc >> 12) & 3;
  auto addr_len = [](unsigned mode) { return mode == 2 ? 2U : mode == 3 ? 8U : 0U; };
  std::size_t len = 3;
  bool dst_pan = dst_mode != 0;
  bool src_pan = src_mode != 0 && !pan_comp;
  if (version == 2 && dst_mode == 3 && src_mode == 3) {
    dst_pan = !pan_comp;  // Table 7-2: ext/ext carries one PAN ID unless compressed
    src_pan = false;
  }
  len += (dst_pan ? 2 : 0) + addr_len(dst_mode) + (src_pan ? 2 : 0) + addr_len(src_mode);
  return len;
}

/// The 6LoWPAN payload of a vector's MAC frame (no FCS).
inline ByteSpan lowpanPayload(const Bytes& frame) {
  return ByteSpan(frame).subspan(macHeaderLength(frame));
}

/// CRC-16/KERMIT (the IEEE 802.15.4 FCS): reflected polynomial 0x1021, init 0.
inline std::uint16_t crc16Kermit(ByteSpan data) {
  std::uint16_t crc = 0;
  for (std::uint8_t b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 1) != 0 ? static_cast<std::uint16_t>((crc >> 1) ^ 0x8408)
                           : static_cast<std::uint16_t>(crc >> 1);
    }
  }
  return crc;
}

/// A data frame (version 2021/2015 = 2, PAN ID 0xabcd) from src to dst carrying
/// `payload`, with the FCS appended (little-endian) when `with_fcs`.
inline Bytes macDataFrame(const sixlowpan::LinkAddress& src, const sixlowpan::LinkAddress& dst,
                          std::uint8_t seq, ByteSpan payload, bool with_fcs = true) {
  auto mode = [](const sixlowpan::LinkAddress& a) {
    return a.isShort() ? 2U : a.isExtended() ? 3U : 0U;
  };
  const unsigned dm = mode(dst);
  const unsigned sm = mode(src);
  // 802.15.4-2015 Table 7-2: with both addresses present, one PAN ID. For ext/ext the
  // PAN ID Compression bit 0 means "destination PAN present"; otherwise it is set.
  const bool ext_ext = dm == 3 && sm == 3;
  const bool pan_comp = !ext_ext && dm != 0 && sm != 0;
  const auto fc = static_cast<std::uint16_t>(0x0001 | (pan_comp ? 0x0040 : 0) | (dm << 10) |
                                             (2U << 12) | (sm << 14));
  Bytes f;
  f.push_back(static_cast<std::uint8_t>(fc));
  f.push_back(static_cast<std::uint8_t>(fc >> 8));
  f.push_back(seq);
  auto put_addr = [&](const sixlowpan::LinkAddress& a) {
    if (a.isShort()) {
      f.push_back(static_cast<std::uint8_t>(a.short_address));
      f.push_back(static_cast<std::uint8_t>(a.short_address >> 8));
    } else if (a.isExtended()) {
      for (std::size_t i = 8; i-- > 0;)
        f.push_back(a.extended[i]);
    }
  };
  if (dm != 0) {
    f.push_back(0xcd);
    f.push_back(0xab);
  }
  put_addr(dst);
  if (sm != 0 && dm == 0) {
    f.push_back(0xcd);
    f.push_back(0xab);
  }
  put_addr(src);
  f.insert(f.end(), payload.begin(), payload.end());
  if (with_fcs) {
    const std::uint16_t crc = crc16Kermit(f);
    f.push_back(static_cast<std::uint8_t>(crc));
    f.push_back(static_cast<std::uint8_t>(crc >> 8));
  }
  return f;
}

/// Writes a classic pcap file with one record per frame.
inline void writePcap(const std::string& path, std::uint32_t linktype,
                      const std::vector<Bytes>& frames) {
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(linktype);
  std::uint32_t t = 0;
  for (const Bytes& f : frames) {
    u32(++t);
    u32(0);
    u32(static_cast<std::uint32_t>(f.size()));
    u32(static_cast<std::uint32_t>(f.size()));
    out.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
  }
}

inline bool haveTshark() {
  return std::system("command -v tshark >/dev/null 2>&1") == 0;
}

/// Runs tshark on `pcap` with extra options and returns one vector of field values per
/// frame (all occurrences of a field joined with ',').
inline std::vector<std::vector<std::string>> runTshark(const std::string& pcap,
                                                       const std::string& options,
                                                       const std::vector<std::string>& fields) {
  std::string cmd = "tshark -r '" + pcap + "' " + options +
                    " -T fields -E separator=/t -E occurrence=a -E aggregator=,";
  for (const auto& f : fields)
    cmd += " -e " + f;
  cmd += " 2>/dev/null";
  std::vector<std::vector<std::string>> rows;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return rows;
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), static_cast<int>(buf.size()), p) != nullptr)
    out += buf.data();
  pclose(p);
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> row;
    std::size_t start = 0;
    while (true) {
      const std::size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    row.resize(fields.size());
    rows.push_back(row);
  }
  return rows;
}

}  // namespace lpm::test
