// One generic TLV helper for every type-length-value format in the project
// (MLE, MeshCoP, Thread network data and diagnostics, RPL options, Mesh
// configuration messages...): DESIGN.md "One object per node" / wire formats.
//
// A format says how wide the type and length fields are, their byte order, and two
// common quirks: an escape length (MeshCoP: length 0xFF then a 16-bit length) and a
// type that stands alone with no length (RPL Pad1 = 0).
#pragma once

#include <cstdint>
#include <optional>

#include "lpmesh/core/bytes.hpp"

namespace lpm {

struct TlvFormat {
  std::uint8_t type_size = 1;        ///< 1 or 2 bytes
  std::uint8_t length_size = 1;      ///< 1 or 2 bytes
  bool big_endian = true;            ///< byte order of 2-byte fields
  bool extended_length_ff = false;   ///< length 0xFF is followed by a 2-byte length
  std::optional<std::uint16_t> pad1_type;  ///< a type made of the type byte alone

  static constexpr TlvFormat simple() { return {}; }
  static TlvFormat meshcop() {
    TlvFormat f;
    f.extended_length_ff = true;
    return f;
  }
  static TlvFormat rplOption() {
    TlvFormat f;
    f.pad1_type = 0;
    return f;
  }
};

struct Tlv {
  std::uint16_t type = 0;
  ByteSpan value;
};

/// Iterates TLVs of a buffer. Stops at the first malformed one and records its error.
class TlvReader {
 public:
  TlvReader(ByteSpan data, TlvFormat format) : reader_(data), format_(format) {}

  /// Next TLV, or nullopt at the end or on error (check error()).
  std::optional<Tlv> next() {
    if (reader_.atEnd() || !reader_.ok()) return std::nullopt;
    Tlv tlv;
    tlv.type = static_cast<std::uint16_t>(readField(format_.type_size));
    if (format_.pad1_type && tlv.type == *format_.pad1_type) return tlv;
    std::size_t len = readField(format_.length_size);
    if (format_.extended_length_ff && format_.length_size == 1 && len == 0xFF) len = readField(2);
    tlv.value = reader_.bytes(len);
    if (!reader_.ok()) return std::nullopt;
    return tlv;
  }
  Error error() const { return reader_.error(); }

 private:
  std::size_t readField(std::uint8_t size) {
    if (size == 1) return reader_.u8();
    return format_.big_endian ? reader_.u16be() : reader_.u16le();
  }
  ByteReader reader_;
  TlvFormat format_;
};

/// Checks the whole buffer is a well-formed TLV sequence.
inline Error validateTlvs(ByteSpan data, TlvFormat format) {
  TlvReader r(data, format);
  while (r.next()) {
  }
  return r.error();
}

/// First TLV of the given type; kNotFound when absent, the parse error when malformed
/// before it.
inline Result<Tlv> findTlv(ByteSpan data, TlvFormat format, std::uint16_t type) {
  TlvReader r(data, format);
  while (auto tlv = r.next()) {
    if (tlv->type == type) return *tlv;
  }
  if (r.error() != Error::kNone) return r.error();
  return Error::kNotFound;
}

/// Appends one TLV. Values too long for the length field give kTooLong.
template <class Writer>
Error appendTlv(Writer& w, TlvFormat format, std::uint16_t type, ByteSpan value) {
  auto put = [&](std::size_t v, std::uint8_t size) {
    if (size == 1) {
      w.u8(static_cast<std::uint8_t>(v));
    } else if (format.big_endian) {
      w.u16be(static_cast<std::uint16_t>(v));
    } else {
      w.u16le(static_cast<std::uint16_t>(v));
    }
  };
  put(type, format.type_size);
  if (format.pad1_type && type == *format.pad1_type) return w.error();
  const std::size_t max_plain = format.length_size == 1 ? 0xFF : 0xFFFF;
  if (format.extended_length_ff && format.length_size == 1 && value.size() >= 0xFF) {
    if (value.size() > 0xFFFF) return Error::kTooLong;
    w.u8(0xFF);
    put(value.size(), 2);
  } else {
    if (value.size() > max_plain) return Error::kTooLong;
    put(value.size(), format.length_size);
  }
  w.bytes(value);
  return w.error();
}

/// A TLV declared once as type metadata: its number and how its value is read and
/// written. Value must provide `static Result<Value> parse(ByteSpan)` and
/// `Error encode(VectorWriter&) const`; integral values use the Int helpers below.
template <std::uint16_t kTypeNumber, class Value>
struct TlvDef {
  static constexpr std::uint16_t kType = kTypeNumber;
  using ValueType = Value;

  static Result<Value> find(ByteSpan data, TlvFormat format) {
    auto tlv = findTlv(data, format, kType);
    if (!tlv) return tlv.error();
    return Value::parse(tlv->value);
  }
  template <class Writer>
  static Error append(Writer& w, TlvFormat format, const Value& v) {
    Bytes tmp;
    VectorWriter vw(tmp);
    LPM_TRY(v.encode(vw));
    return appendTlv(w, format, kType, tmp);
  }
};

/// Big-endian unsigned integer value of N bytes, for TlvDef.
template <class T, std::size_t N = sizeof(T)>
struct BeInt {
  T value{};
  static Result<BeInt> parse(ByteSpan data) {
    if (data.size() < N) return Error::kTruncated;
    if (data.size() > N) return Error::kTrailing;
    ByteReader r(data);
    return BeInt{static_cast<T>(r.uintBe(N))};
  }
  template <class Writer>
  Error encode(Writer& w) const {
    w.uintBe(static_cast<std::uint64_t>(value), N);
    return w.error();
  }
};

}  // namespace lpm
