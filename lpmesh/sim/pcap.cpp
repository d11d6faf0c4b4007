#include "lpmesh/sim/pcap.hpp"

#include <array>
#include <cstring>

namespace lpm::sim {

namespace {

void putLe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void putLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void putLe64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint8_t reverse8(std::uint8_t b) {
  std::uint8_t r = 0;
  for (unsigned i = 0; i < 8; ++i) {
    r = static_cast<std::uint8_t>((unsigned{r} << 1U) | ((unsigned{b} >> i) & 1U));
  }
  return r;
}

}  // namespace

namespace {

// Byte-at-a-time table of the reflected ITU-T polynomial 0x8408, built at compile time.
constexpr std::array<std::uint16_t, 256> makeFcsTable() {
  std::array<std::uint16_t, 256> t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned crc = b;
    for (int i = 0; i < 8; ++i)
      crc = (crc & 1U) != 0 ? (crc >> 1) ^ 0x8408U : crc >> 1;
    t[b] = static_cast<std::uint16_t>(crc);
  }
  return t;
}
constexpr std::array<std::uint16_t, 256> kFcsTable = makeFcsTable();

}  // namespace

std::uint16_t fcs16(ByteSpan data) {
  unsigned crc = 0;
  for (std::uint8_t byte : data)
    crc = (crc >> 8) ^ kFcsTable[(crc ^ byte) & 0xFFU];
  return static_cast<std::uint16_t>(crc);
}

std::uint32_t bleCrc24(ByteSpan pdu, std::uint32_t init) {
  // The LFSR of Vol 6 Part B Figure 3.4: position 23 is the feedback tap, the input
  // bit is XORed with it and fed into positions 0, 1, 3, 4, 6, 9, 10.
  constexpr std::uint32_t kTaps = 0x00065B;
  std::uint32_t reg = init & 0xFFFFFFU;
  for (std::uint8_t byte : pdu) {
    for (unsigned i = 0; i < 8; ++i) {
      const std::uint32_t in = (std::uint32_t{byte} >> i) & 1U;
      const std::uint32_t fb = in ^ ((reg >> 23) & 1U);
      reg = (reg << 1) & 0xFFFFFFU;
      if (fb != 0) reg ^= kTaps;
    }
  }
  return reg;
}

std::array<std::uint8_t, 3> bleCrc24Bytes(std::uint32_t crc) {
  return {reverse8(static_cast<std::uint8_t>(crc >> 16)),
          reverse8(static_cast<std::uint8_t>(crc >> 8)), reverse8(static_cast<std::uint8_t>(crc))};
}

PcapWriter::~PcapWriter() {
  close();
}

Error PcapWriter::open(const std::string& path, std::uint32_t linktype) {
  close();
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) return Error::kNotFound;
  std::array<std::uint8_t, 24> header{};
  putLe32(&header[0], 0xa1b23c4dU);  // nanosecond-resolution pcap
  putLe16(&header[4], 2);
  putLe16(&header[6], 4);
  // thiszone 0, sigfigs 0
  putLe32(&header[16], 65535);
  putLe32(&header[20], linktype);
  std::fwrite(header.data(), 1, header.size(), file_);
  packets_ = 0;
  return Error::kNone;
}

void PcapWriter::write(SimTime time, ByteSpan head, ByteSpan tail) {
  if (file_ == nullptr) return;
  const std::int64_t ns = time.time_since_epoch().count();
  const auto len = static_cast<std::uint32_t>(head.size() + tail.size());
  std::array<std::uint8_t, 16> rec{};
  putLe32(&rec[0], static_cast<std::uint32_t>(ns / 1'000'000'000));
  putLe32(&rec[4], static_cast<std::uint32_t>(ns % 1'000'000'000));
  putLe32(&rec[8], len);
  putLe32(&rec[12], len);
  std::fwrite(rec.data(), 1, rec.size(), file_);
  if (!head.empty()) std::fwrite(head.data(), 1, head.size(), file_);
  if (!tail.empty()) std::fwrite(tail.data(), 1, tail.size(), file_);
  ++packets_;
}

void PcapWriter::flush() {
  if (file_ != nullptr) std::fflush(file_);
}

void PcapWriter::close() {
  if (file_ != nullptr) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

std::size_t encodeTapHeader(std::span<std::uint8_t, kTapMaxHeader> out, const Capture802154& info) {
  std::uint8_t* p = out.data();
  std::memset(p, 0, kTapMaxHeader);
  std::size_t n = 4;  // version 0, reserved 0, length (filled below)
  // TLV 0: FCS type, 1 = 16-bit CRC.
  putLe16(p + n, 0);
  putLe16(p + n + 2, 1);
  p[n + 4] = 1;
  n += 8;
  // TLV 1: RSS, IEEE 754 float dBm.
  putLe16(p + n, 1);
  putLe16(p + n + 2, 4);
  std::uint32_t bits = 0;
  std::memcpy(&bits, &info.rss_dbm, sizeof bits);
  putLe32(p + n + 4, bits);
  n += 8;
  // TLV 3: channel assignment, channel LE16 + page u8 (page 0: 2.4 GHz O-QPSK).
  putLe16(p + n, 3);
  putLe16(p + n + 2, 3);
  putLe16(p + n + 4, info.channel);
  p[n + 6] = 0;
  n += 8;
  if (info.asn) {
    // TLV 7: ASN, u64.
    putLe16(p + n, 7);
    putLe16(p + n + 2, 8);
    putLe64(p + n + 4, *info.asn);
    n += 12;
  }
  putLe16(p + 2, static_cast<std::uint16_t>(n));
  return n;
}

void encodeBlePhdr(std::span<std::uint8_t, kBleCaptureHeadSize> out, const CaptureBle& info) {
  std::uint8_t* p = out.data();
  p[0] = info.rf_channel;
  p[1] = static_cast<std::uint8_t>(info.signal_dbm);
  p[2] = 0;  // noise power (not valid)
  p[3] = 0;  // access address offenses
  putLe32(p + 4, info.access_address);
  // Flags: dewhitened (we never whiten), signal power valid, reference AA valid;
  // PDU type 0 (advertising or data, unspecified), PHY 0 (LE 1M).
  std::uint16_t flags = 0x0001 | 0x0002 | 0x0010;
  if (info.crc_checked_flag) flags |= 0x0400 | 0x0800;
  putLe16(p + 8, flags);
  putLe32(p + 10, info.access_address);
}

}  // namespace lpm::sim
