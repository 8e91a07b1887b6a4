#pragma once
// Helpers shared by the load/store, string and flat implementations.
#include <fmt/format.h>

#include <cstring>

#include "witc/canon/value.hpp"

namespace witc::canon::detail {

/// `trap_if(ptr + n > len(memory))` without overflow.
inline bool out_of_bounds(context& cx, std::uint64_t ptr, std::uint64_t n) {
  auto size = cx.opts.memory ? cx.opts.memory->bytes().size() : 0;
  return ptr > size || n > size - ptr;
}

inline witc::result<void> check_range(context& cx, std::uint64_t ptr, std::uint64_t n,
                                      std::uint64_t alignment, std::string_view what) {
  if (!cx.opts.memory) return trap(fmt::format("{} needs a `memory` option", what));
  if (alignment > 1 && ptr % alignment != 0)
    return trap(fmt::format("{} at {:#x} is not aligned to {}", what, ptr, alignment));
  if (out_of_bounds(cx, ptr, n))
    return trap(fmt::format("{} at {:#x} of {} bytes is out of bounds of memory ({} bytes)", what,
                            ptr, n, cx.opts.memory->bytes().size()));
  return witc::ok;
}

/// The spec's `load_int`; the range was checked by the caller.
inline std::uint64_t load_int(context& cx, std::uint64_t ptr, std::uint32_t nbytes) {
  auto bytes = cx.opts.memory->bytes();
  std::uint64_t v = 0;
  for (std::uint32_t i = 0; i < nbytes; ++i) v |= std::uint64_t{bytes[ptr + i]} << (8 * i);
  return v;
}
/// The spec's `store_int`; the range was checked by the caller.
inline void store_int(context& cx, std::uint64_t v, std::uint64_t ptr, std::uint32_t nbytes) {
  auto bytes = cx.opts.memory->bytes();
  for (std::uint32_t i = 0; i < nbytes; ++i) bytes[ptr + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline witc::failure mismatch(const value& v, std::string_view want) {
  return witc::fail(diagnostic::global(
      fmt::format("expected a value of type `{}`, found `{}`", want, to_string(v))));
}

/// `convert_i32_to_char`: traps on surrogates and values past U+10FFFF.
inline witc::result<char32_t> convert_i32_to_char(std::uint64_t i) {
  if (i >= 0x110000 || (i >= 0xD800 && i <= 0xDFFF))
    return trap(fmt::format("{:#x} is not a unicode scalar value", i));
  return static_cast<char32_t>(i);
}

/// The integer a value of kind `k` carries, range-checked for storing.
witc::result<std::uint64_t> int_bits(const value& v, canon::kind k);
/// The name of a kind for messages.
std::string_view kind_name(canon::kind k);
/// Lifts / lowers a handle-like value through the context's hooks.
witc::result<value> lift_handle(context& cx, const valtype& t, std::uint64_t index);
witc::result<std::uint32_t> lower_handle(context& cx, const valtype& t, const value& v);

}  // namespace witc::canon::detail
