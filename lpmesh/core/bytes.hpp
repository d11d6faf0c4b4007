// Bounds-checked byte reader and writers, big- and little-endian integers, bit fields.
//
// ByteReader is sticky: the first out-of-bounds read records Error::kTruncated and every
// later read returns zero / an empty span, so a decoder reads all fields and checks
// `ok()` once (the check-length-once pattern of DESIGN.md "Wire formats").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "lpmesh/core/error.hpp"

namespace lpm {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using MutableByteSpan = std::span<std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  bool ok() const { return error_ == Error::kNone; }
  Error error() const { return error_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool atEnd() const { return pos_ == data_.size(); }
  ByteSpan whole() const { return data_; }

  /// Records an error (first one wins); later reads yield zero.
  void fail(Error e) {
    if (error_ == Error::kNone) error_ = e;
    pos_ = data_.size();
  }

  std::uint8_t u8() { return static_cast<std::uint8_t>(readBe(1)); }
  std::uint16_t u16be() { return static_cast<std::uint16_t>(readBe(2)); }
  std::uint16_t u16le() { return static_cast<std::uint16_t>(readLe(2)); }
  std::uint32_t u24be() { return static_cast<std::uint32_t>(readBe(3)); }
  std::uint32_t u24le() { return static_cast<std::uint32_t>(readLe(3)); }
  std::uint32_t u32be() { return static_cast<std::uint32_t>(readBe(4)); }
  std::uint32_t u32le() { return static_cast<std::uint32_t>(readLe(4)); }
  std::uint64_t u40be() { return readBe(5); }
  std::uint64_t u40le() { return readLe(5); }
  std::uint64_t u64be() { return readBe(8); }
  std::uint64_t u64le() { return readLe(8); }
  /// n-byte integer, n in 0..8.
  std::uint64_t uintBe(std::size_t n) { return readBe(n); }
  std::uint64_t uintLe(std::size_t n) { return readLe(n); }

  /// Next n bytes as a view into the input (empty on failure).
  ByteSpan bytes(std::size_t n) {
    if (!need(n)) return {};
    ByteSpan s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  template <std::size_t N>
  std::array<std::uint8_t, N> array() {
    std::array<std::uint8_t, N> a{};
    ByteSpan s = bytes(N);
    if (!s.empty()) std::memcpy(a.data(), s.data(), N);
    return a;
  }
  /// Everything left (possibly empty).
  ByteSpan rest() {
    ByteSpan s = data_.subspan(pos_);
    pos_ = data_.size();
    return s;
  }
  void skip(std::size_t n) { (void)bytes(n); }
  /// Next byte without consuming it; 0 and an error when none is left.
  std::uint8_t peek() {
    if (!need(1)) return 0;
    return data_[pos_];
  }

  /// Error::kTrailing when bytes are left, else the sticky error.
  Error expectEnd() {
    if (error_ == Error::kNone && pos_ != data_.size()) return Error::kTrailing;
    return error_;
  }

 private:
  bool need(std::size_t n) {
    if (error_ != Error::kNone) return false;
    if (n > data_.size() - pos_) {
      fail(Error::kTruncated);
      return false;
    }
    return true;
  }
  std::uint64_t readBe(std::size_t n) {
    if (!need(n)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
    pos_ += n;
    return v;
  }
  std::uint64_t readLe(std::size_t n) {
    if (!need(n)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | data_[pos_ + i];
    pos_ += n;
    return v;
  }

  ByteSpan data_;
  std::size_t pos_ = 0;
  Error error_ = Error::kNone;
};

/// Where a writer puts bytes: a fixed caller buffer (no allocation, overflow is
/// Error::kTooLong) or a growing vector.
class FixedSink {
 public:
  explicit FixedSink(MutableByteSpan buf) : buf_(buf) {}
  bool reserve(std::size_t n) const { return n <= buf_.size() - len_; }
  std::uint8_t* tail() { return buf_.data() + len_; }
  void commit(std::size_t n) { len_ += n; }
  std::size_t size() const { return len_; }
  std::uint8_t* data() { return buf_.data(); }

 private:
  MutableByteSpan buf_;
  std::size_t len_ = 0;
};

class VectorSink {
 public:
  explicit VectorSink(Bytes& out) : out_(out), start_(out.size()) {}
  // The writer calls reserve(n), then tail(), then commit(n) with the same n.
  bool reserve(std::size_t n) {
    out_.resize(out_.size() + n);
    pending_ = n;
    return true;
  }
  std::uint8_t* tail() { return out_.data() + out_.size() - pending_; }
  void commit(std::size_t /*n*/) { pending_ = 0; }
  std::size_t size() const { return out_.size() - pending_ - start_; }
  std::uint8_t* data() { return out_.data() + start_; }

 private:
  Bytes& out_;
  std::size_t start_;
  std::size_t pending_ = 0;
};

template <class Sink>
class BasicByteWriter {
 public:
  template <class Arg>
  explicit BasicByteWriter(Arg& buf) : sink_(buf) {}
  explicit BasicByteWriter(MutableByteSpan buf) requires std::is_same_v<Sink, FixedSink>
      : sink_(buf) {}

  bool ok() const { return error_ == Error::kNone; }
  Error error() const { return error_; }
  std::size_t size() const { return sink_.size(); }
  /// The bytes written so far.
  ByteSpan written() { return {sink_.data(), sink_.size()}; }
  /// Mutable access to an already written byte (to patch a length field).
  std::uint8_t* at(std::size_t offset) { return offset < size() ? sink_.data() + offset : nullptr; }

  void u8(std::uint8_t v) { writeBe(v, 1); }
  void u16be(std::uint16_t v) { writeBe(v, 2); }
  void u16le(std::uint16_t v) { writeLe(v, 2); }
  void u24be(std::uint32_t v) { writeBe(v, 3); }
  void u24le(std::uint32_t v) { writeLe(v, 3); }
  void u32be(std::uint32_t v) { writeBe(v, 4); }
  void u32le(std::uint32_t v) { writeLe(v, 4); }
  void u40be(std::uint64_t v) { writeBe(v, 5); }
  void u40le(std::uint64_t v) { writeLe(v, 5); }
  void u64be(std::uint64_t v) { writeBe(v, 8); }
  void u64le(std::uint64_t v) { writeLe(v, 8); }
  void uintBe(std::uint64_t v, std::size_t n) { writeBe(v, n); }
  void uintLe(std::uint64_t v, std::size_t n) { writeLe(v, n); }
  void bytes(ByteSpan b) {
    if (!reserve(b.size())) return;
    if (!b.empty()) std::memcpy(sink_.tail(), b.data(), b.size());
    sink_.commit(b.size());
  }
  void fill(std::uint8_t value, std::size_t n) {
    if (!reserve(n)) return;
    std::memset(sink_.tail(), value, n);
    sink_.commit(n);
  }
  void fail(Error e) {
    if (error_ == Error::kNone) error_ = e;
  }

 private:
  bool reserve(std::size_t n) {
    if (error_ != Error::kNone) return false;
    if (!sink_.reserve(n)) {
      error_ = Error::kTooLong;
      return false;
    }
    return true;
  }
  void writeBe(std::uint64_t v, std::size_t n) {
    std::uint8_t tmp[8];
    for (std::size_t i = 0; i < n; ++i) tmp[n - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
    bytes({tmp, n});
  }
  void writeLe(std::uint64_t v, std::size_t n) {
    std::uint8_t tmp[8];
    for (std::size_t i = 0; i < n; ++i) tmp[i] = static_cast<std::uint8_t>(v >> (8 * i));
    bytes({tmp, n});
  }

  Sink sink_;
  Error error_ = Error::kNone;
};

/// Writes into a caller-provided buffer; overflow sets Error::kTooLong.
using ByteWriter = BasicByteWriter<FixedSink>;
/// Appends to a std::vector (tools, tests, scenario code; not the hot path).
using VectorWriter = BasicByteWriter<VectorSink>;

/// Bit-field helpers on unsigned integers: `width` bits starting at bit `shift` (LSB = 0).
namespace bits {
template <class T>
constexpr T get(T value, unsigned shift, unsigned width) {
  return static_cast<T>((value >> shift) & ((T{1} << width) - 1));
}
template <class T>
constexpr T set(T value, unsigned shift, unsigned width, T field) {
  const T mask = static_cast<T>(((T{1} << width) - 1) << shift);
  return static_cast<T>((value & ~mask) | ((field << shift) & mask));
}
constexpr bool test(std::uint64_t value, unsigned bit) { return ((value >> bit) & 1U) != 0; }
}  // namespace bits

}  // namespace lpm
