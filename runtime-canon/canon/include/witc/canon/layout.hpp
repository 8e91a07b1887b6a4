#pragma once
// Memory layout and flattening: the spec's `alignment`, `elem_size`,
// `discriminant_type`, `flatten_type`, `flatten_functype` and `join`.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "witc/canon/types.hpp"

namespace witc::canon {

/// The address type of a linear memory (`memory64` uses i64 pointers).
enum class ptr_type : std::uint8_t { i32, i64 };
/// A core wasm value type in a flattened signature.
enum class core_type : std::uint8_t { i32, i64, f32, f64 };

/// The spec's constants.
inline constexpr std::size_t max_flat_params = 16;
inline constexpr std::size_t max_flat_async_params = 4;
inline constexpr std::size_t max_flat_results = 1;
/// Largest string / list payload, in bytes, that lifting accepts.
inline constexpr std::uint64_t max_string_byte_length = (std::uint64_t{1} << 28) - 1;
inline constexpr std::uint64_t max_list_byte_length = (std::uint64_t{1} << 28) - 1;
inline constexpr std::uint64_t realloc_i32_max = (std::uint64_t{1} << 32) - 1;
inline constexpr std::uint32_t canonical_float32_nan = 0x7fc00000;
inline constexpr std::uint64_t canonical_float64_nan = 0x7ff8000000000000;

/// 4 or 8. Example: `ptr_size(ptr_type::i64) == 8`.
[[nodiscard]] constexpr std::uint32_t ptr_size(ptr_type p) noexcept {
  return p == ptr_type::i32 ? 4 : 8;
}
/// The core type of a pointer. Example: `ptr_core_type(ptr_type::i32) == core_type::i32`.
[[nodiscard]] constexpr core_type ptr_core_type(ptr_type p) noexcept {
  return p == ptr_type::i32 ? core_type::i32 : core_type::i64;
}
/// The high bit of a string length marks UTF-16 in `latin1+utf16`.
[[nodiscard]] constexpr std::uint64_t utf16_tag(ptr_type p) noexcept {
  return std::uint64_t{1} << (ptr_size(p) * 8 - 1);
}
/// Rounds `ptr` up to a multiple of `alignment`. Example: `align_to(5, 4) == 8`.
[[nodiscard]] constexpr std::uint64_t align_to(std::uint64_t ptr, std::uint64_t alignment) noexcept {
  return (ptr + alignment - 1) / alignment * alignment;
}
/// `"i32"`, `"i64"`, `"f32"` or `"f64"`.
[[nodiscard]] std::string_view to_string(core_type t) noexcept;

/// The spec's `discriminant_type(cases)` for `n` cases: u8, u16 or u32.
/// Example: `discriminant_type(256) == kind::u8`, `discriminant_type(257) == kind::u16`.
[[nodiscard]] canon::kind discriminant_type(std::size_t n) noexcept;
/// Byte size of the discriminant for `n` cases (1, 2 or 4).
[[nodiscard]] std::uint32_t discriminant_size(std::size_t n) noexcept;

/// The spec's `alignment(t, ptr_type)`. Example: `alignment(*string(), ptr_type::i32) == 4`.
[[nodiscard]] std::uint32_t alignment(const valtype& t, ptr_type p = ptr_type::i32);
/// The spec's `elem_size(t, ptr_type)`. Example: `elem_size(*string(), ptr_type::i32) == 8`.
[[nodiscard]] std::uint64_t elem_size(const valtype& t, ptr_type p = ptr_type::i32);
/// `max_case_alignment(cases)`: the largest payload alignment of a variant's cases.
[[nodiscard]] std::uint32_t max_case_alignment(const std::vector<labelled>& cases, ptr_type p);
/// Flags occupy 1, 2 or 4 bytes (`alignment_flags` / `elem_size_flags`).
[[nodiscard]] std::uint32_t flags_size(std::size_t label_count) noexcept;

/// Byte offset of each field of a record (or tuple) from the record's start.
/// Example: `field_offsets(*tuple({u8(), u32()}))` is `{0, 4}`.
[[nodiscard]] std::vector<std::uint64_t> field_offsets(const valtype& t, ptr_type p = ptr_type::i32);
/// Byte offset of a variant's payload (after the discriminant, aligned).
/// Example: `payload_offset(*option(u64())) == 8`.
[[nodiscard]] std::uint64_t payload_offset(const valtype& t, ptr_type p = ptr_type::i32);

/// The spec's `join(a, b)` of two flat types sharing a variant slot.
[[nodiscard]] core_type join(core_type a, core_type b) noexcept;
/// The spec's `flatten_type(t)`. Example: `flatten_type(*string())` is `{i32, i32}`.
[[nodiscard]] std::vector<core_type> flatten_type(const valtype& t, ptr_type p = ptr_type::i32);
/// Appends `flatten_type(t)` to `out` (no intermediate vectors).
void flatten_type_into(const valtype& t, ptr_type p, std::vector<core_type>& out);
/// The spec's `flatten_types(ts)`.
[[nodiscard]] std::vector<core_type> flatten_types(const std::vector<type_ref>& ts,
                                                   ptr_type p = ptr_type::i32);

/// A core function type, the result of flattening.
struct core_functype {
  std::vector<core_type> params;
  std::vector<core_type> results;
  friend bool operator==(const core_functype&, const core_functype&) = default;
};

/// Whether the function is being lifted (exported by a core module) or lowered (imported).
enum class flatten_context : std::uint8_t { lift, lower };

/// The options flattening depends on.
struct flatten_options {
  ptr_type memory = ptr_type::i32;
  bool async = false;
  bool callback = false;  // async lift: a `callback` is given
};

/// The spec's `flatten_functype(opts, ft, context)`: spills params beyond
/// `max_flat_params` and results beyond `max_flat_results` to memory.
/// Example: `flatten_functype({}, {{u8()}, {string()}}, flatten_context::lower)`
///   is `(i32, i32) -> ()`: the results go through a return pointer.
[[nodiscard]] core_functype flatten_functype(const flatten_options& opts, const functype& ft,
                                             flatten_context context);

}  // namespace witc::canon
