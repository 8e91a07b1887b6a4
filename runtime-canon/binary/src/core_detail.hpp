#pragma once
// Pieces of the core decoder shared by the section decoder (core_decode.cpp), the
// instruction decoder (core_instr.cpp) and the validator: value and heap types.
#include <fmt/format.h>

#include "witc/binary/core_module.hpp"

namespace witc::binary::detail {

/// An abstract heap type's code (0x69 exn .. 0x74 noexn), as a nullable shorthand.
[[nodiscard]] constexpr bool is_abstract_heap(std::uint8_t b) noexcept { return b >= 0x69 && b <= 0x74; }

/// A heap type: an abstract one (one byte) or a type index (s33 >= 0). Returns the
/// nullable reference to it.
inline result<valtype> read_heap_type(reader& s) {
  if (s.remaining() && is_abstract_heap(*s.data())) {
    std::uint8_t b = *s.data();
    (void)s.u8();
    return static_cast<valtype>(b);
  }
  WITC_TRY(std::int64_t idx, s.s33());
  if (idx < 0) return s.error("malformed heap type", 1);
  if (idx > max_type_index) return s.error("type index out of range", 1);
  return make_ref(true, static_cast<std::uint32_t>(idx), true);
}

/// A value type: number, vector, reference shorthand, `(ref null? ht)` (0x63/0x64).
inline result<valtype> read_value_type(reader& s) {
  WITC_TRY(std::uint8_t b, s.u8());
  switch (b) {
    case 0x7F: case 0x7E: case 0x7D: case 0x7C: case 0x7B:
      return static_cast<valtype>(b);
    case 0x63:
    case 0x64: {
      WITC_TRY(valtype h, read_heap_type(s));
      return with_nullable(h, b == 0x63);
    }
    default:
      if (is_abstract_heap(b)) return static_cast<valtype>(b);
      return s.error(fmt::format("malformed value type {:#04x}", b), 1);
  }
}

/// A reference type (a value type that is a reference).
inline result<valtype> read_ref_type(reader& s) {
  WITC_TRY(std::uint8_t b, s.u8());
  if (is_abstract_heap(b)) return static_cast<valtype>(b);
  if (b == 0x63 || b == 0x64) {
    WITC_TRY(valtype h, read_heap_type(s));
    return with_nullable(h, b == 0x63);
  }
  return s.error(fmt::format("malformed reference type {:#04x}", b), 1);
}

}  // namespace witc::binary::detail
