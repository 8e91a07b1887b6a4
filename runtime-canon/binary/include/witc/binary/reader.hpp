#pragma once
// The byte cursor every binary decoder (core modules, components) is built on.
// Errors carry the byte offset; callers add the file to a source_map as binary
// so diagnostics render `--> file.wasm: byte offset 0x..`.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "witc/support/result.hpp"
#include "witc/support/utf8.hpp"

namespace witc::binary {

/// Reads little-endian fixed-width values and LEB128 integers from a byte span.
/// `base` is the global offset (source_map) of `bytes[0]`, so spans in errors point
/// into the right file. Example:
///   reader rd(bytes, base);
///   WITC_TRY(std::uint32_t n, rd.u32());       // unsigned LEB128, at most 5 bytes
///   WITC_TRY(std::string_view name, rd.name()); // length-prefixed UTF-8
class reader {
 public:
  reader(std::span<const std::uint8_t> bytes, std::uint32_t base = 0) noexcept
      : begin_(bytes.data()), p_(bytes.data()), end_(bytes.data() + bytes.size()), base_(base) {}

  [[nodiscard]] std::size_t offset() const noexcept { return static_cast<std::size_t>(p_ - begin_); }
  [[nodiscard]] std::uint32_t global_offset() const noexcept { return base_ + static_cast<std::uint32_t>(offset()); }
  [[nodiscard]] std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  [[nodiscard]] bool at_end() const noexcept { return p_ == end_; }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return p_; }

  /// A diagnostic at the current position (or `back` bytes before it).
  [[nodiscard]] failure error(std::string msg, std::size_t back = 0) const {
    std::uint32_t at = global_offset() - static_cast<std::uint32_t>(back);
    return fail(diagnostic::error(span{at, at + 1}, std::move(msg)));
  }

  result<std::uint8_t> u8() {
    if (p_ == end_) return error("unexpected end of input");
    return *p_++;
  }
  result<std::uint32_t> fixed_u32() {
    if (remaining() < 4) return error("unexpected end of input");
    std::uint32_t v;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    return v;
  }
  result<std::uint64_t> fixed_u64() {
    if (remaining() < 8) return error("unexpected end of input");
    std::uint64_t v;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    return v;
  }
  /// `n` raw bytes.
  result<std::span<const std::uint8_t>> bytes(std::size_t n) {
    if (remaining() < n) return error("unexpected end of input");
    std::span<const std::uint8_t> s(p_, n);
    p_ += n;
    return s;
  }
  result<std::uint32_t> u32() { return uleb<std::uint32_t, 32>("integer representation too long"); }
  result<std::uint64_t> u64() { return uleb<std::uint64_t, 64>("integer representation too long"); }
  result<std::int32_t> s32() { return sleb<std::int32_t, 32>(); }
  result<std::int64_t> s64() { return sleb<std::int64_t, 64>(); }
  /// The signed 33-bit LEB128 of block types (`s33`).
  result<std::int64_t> s33() { return sleb<std::int64_t, 33>(); }

  /// A `vec(byte)` name that must be valid UTF-8.
  result<std::string_view> name() {
    WITC_TRY(std::uint32_t len, u32());
    if (remaining() < len) return error("unexpected end of input");
    std::string_view s(reinterpret_cast<const char*>(p_), len);
    if (!witc::valid_utf8(s)) return error("malformed UTF-8 encoding");
    p_ += len;
    return s;
  }


 private:
  template <class T, unsigned Bits>
  result<T> uleb(const char* too_long) {
    T v = 0;
    unsigned shift = 0;
    while (true) {
      if (p_ == end_) return error("unexpected end of input");
      std::uint8_t b = *p_++;
      if (shift + 7 >= Bits && shift < Bits) {
        // Last permitted byte: no continuation, and unused bits must be zero.
        unsigned used = Bits - shift;
        if (b & 0x80) return error(too_long, 1);
        if (used < 7 && (b >> used) != 0) return error("integer too large", 1);
        v |= static_cast<T>(b) << shift;
        return v;
      }
      v |= static_cast<T>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
      shift += 7;
    }
  }
  template <class T, unsigned Bits>
  result<T> sleb() {
    using U = std::make_unsigned_t<T>;
    U v = 0;
    unsigned shift = 0;
    while (true) {
      if (p_ == end_) return error("unexpected end of input");
      std::uint8_t b = *p_++;
      if (shift + 7 >= Bits) {
        unsigned used = Bits - shift;  // 1..7 bits of payload left
        if (b & 0x80) return error("integer representation too long", 1);
        // The unused high bits must all equal the sign bit.
        std::uint8_t rest = static_cast<std::uint8_t>(b & 0x7F) >> (used - 1);
        std::uint8_t all = static_cast<std::uint8_t>(0x7F >> (used - 1));
        if (rest != 0 && rest != all) return error("integer too large", 1);
        v |= static_cast<U>(b & 0x7F) << shift;
        shift += 7;
        if (shift < sizeof(T) * 8 && (b & 0x40)) v |= ~U(0) << shift;
        if constexpr (Bits < sizeof(T) * 8) {
          // Sign-extend from Bits (s33 in an int64).
          if (v & (U(1) << (Bits - 1))) v |= ~U(0) << Bits;
          else v &= (U(1) << Bits) - 1;
        }
        return static_cast<T>(v);
      }
      v |= static_cast<U>(b & 0x7F) << shift;
      shift += 7;
      if (!(b & 0x80)) {
        if (shift < sizeof(T) * 8 && (b & 0x40)) v |= ~U(0) << shift;
        return static_cast<T>(v);
      }
    }
  }

  const std::uint8_t* begin_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  std::uint32_t base_;
};

}  // namespace witc::binary
