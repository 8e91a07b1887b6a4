#pragma once
// The dynamic side of the canonical ABI: component-level values, core values, a
// linear memory with its `realloc`, and the lift/lower context. The runtime plugs its
// memories, reallocs and handle tables in here; tests use `vector_memory`.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "witc/canon/layout.hpp"
#include "witc/canon/types.hpp"
#include "witc/support/result.hpp"

namespace witc::canon {

/// The `string-encoding=` canonical option.
enum class string_encoding : std::uint8_t { utf8, utf16, latin1_utf16 };

class value;

/// A string as the spec carries it: the text (code points), the encoding it came from
/// and its (tagged) code-unit count there, which the transcoders use as size hints.
/// Equality compares the text only ("equal modulo string encoding").
struct string_value {
  std::u32string text;
  string_encoding encoding = string_encoding::utf8;
  std::uint64_t tagged_code_units = 0;
  friend bool operator==(const string_value& a, const string_value& b) { return a.text == b.text; }
};

/// A list (also fixed-size lists and despecialized maps: a list of 2-field records).
struct list_value {
  std::vector<value> elements;
  friend bool operator==(const list_value&, const list_value&) = default;
};
/// A record or tuple: field values in declaration order.
struct record_value {
  std::vector<value> fields;
  friend bool operator==(const record_value&, const record_value&) = default;
};
/// A variant, enum, option (none = 0, some = 1) or result (ok = 0, error = 1).
struct variant_value {
  std::uint32_t case_index = 0;
  std::vector<value> payload;  // empty, or one value: the case's payload
  friend bool operator==(const variant_value&, const variant_value&) = default;
};
/// Flags as a bitmask, bit i for label i (at most 32 labels).
struct flags_value {
  std::uint32_t bits = 0;
  friend bool operator==(const flags_value&, const flags_value&) = default;
};
/// A handle (own, borrow, stream, future, error-context) as its table index, or the
/// resource representation after the context's handle hooks translated it.
struct handle_value {
  std::uint32_t index = 0;
  friend bool operator==(const handle_value&, const handle_value&) = default;
};

/// One component-level value. Integers keep their signedness (s8..s64 as `int64_t`,
/// u8..u64 as `uint64_t`); labels live in the type, not in the value.
/// Example: `value::record({value::u(1), value::u(2)})`.
class value {
 public:
  using storage = std::variant<bool, std::int64_t, std::uint64_t, float, double, char32_t,
                               string_value, list_value, record_value, variant_value,
                               flags_value, handle_value>;
  value() : v_(false) {}
  value(storage v) : v_(std::move(v)) {}  // NOLINT: implicit by design

  static value boolean(bool b) { return value(storage(b)); }
  static value s(std::int64_t i) { return value(storage(i)); }
  static value u(std::uint64_t i) { return value(storage(i)); }
  static value f32(float f) { return value(storage(f)); }
  static value f64(double f) { return value(storage(f)); }
  static value ch(char32_t c) { return value(storage(c)); }
  /// A UTF-8 string. Example: `value::str("hi")`.
  static value str(std::string_view utf8);
  static value str(string_value s) { return value(storage(std::move(s))); }
  static value list(std::vector<value> es) { return value(storage(list_value{std::move(es)})); }
  static value record(std::vector<value> fs) { return value(storage(record_value{std::move(fs)})); }
  static value variant(std::uint32_t index) { return value(storage(variant_value{index, {}})); }
  static value variant(std::uint32_t index, value payload) {
    return value(storage(variant_value{index, {std::move(payload)}}));
  }
  static value flags(std::uint32_t bits) { return value(storage(flags_value{bits})); }
  static value handle(std::uint32_t index) { return value(storage(handle_value{index})); }

  [[nodiscard]] const storage& get() const noexcept { return v_; }
  template <class T>
  [[nodiscard]] const T* as() const noexcept { return std::get_if<T>(&v_); }
  friend bool operator==(const value& a, const value& b);

 private:
  storage v_;
};

/// Renders a value for test messages. Example: `to_string(value::u(3)) == "3"`.
[[nodiscard]] std::string to_string(const value& v);

/// A core wasm value: its type and its bits (f32 / f64 as their bit patterns).
/// Example: `core_value::i32(7)`, `core_value::f32(1.5f).as_f32() == 1.5f`.
struct core_value {
  core_type type = core_type::i32;
  std::uint64_t bits = 0;
  static core_value i32(std::uint32_t v) { return {core_type::i32, v}; }
  static core_value i64(std::uint64_t v) { return {core_type::i64, v}; }
  static core_value f32(float f);
  static core_value f64(double f);
  [[nodiscard]] float as_f32() const;
  [[nodiscard]] double as_f64() const;
  friend bool operator==(const core_value&, const core_value&) = default;
};

/// A linear memory. `bytes()` may move after `realloc` grew the memory, so callers
/// re-fetch it after every allocation.
class linear_memory {
 public:
  virtual ~linear_memory() = default;
  [[nodiscard]] virtual std::span<std::uint8_t> bytes() = 0;
  [[nodiscard]] virtual canon::ptr_type ptr_type() const = 0;
};

/// A memory backed by a `std::vector`. Example: `vector_memory m(std::vector<std::uint8_t>(64));`
class vector_memory final : public linear_memory {
 public:
  explicit vector_memory(std::vector<std::uint8_t> bytes = {}, canon::ptr_type p = ptr_type::i32)
      : bytes_(std::move(bytes)), ptr_(p) {}
  std::span<std::uint8_t> bytes() override { return bytes_; }
  [[nodiscard]] canon::ptr_type ptr_type() const override { return ptr_; }
  std::vector<std::uint8_t>& storage() { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
  canon::ptr_type ptr_;
};

/// The `realloc` option: `(old_ptr, old_size, alignment, new_size) -> new_ptr`, or a trap.
using realloc_fn = std::function<witc::result<std::uint64_t>(
    std::uint64_t old_ptr, std::uint64_t old_size, std::uint32_t alignment, std::uint64_t new_size)>;

/// How handles cross the boundary. By default indices pass through unchanged; the
/// runtime installs functions that consult and update its handle tables
/// (`lift_own` removes the handle, `lower_own` adds one, and so on).
struct handle_hooks {
  std::function<witc::result<value>(const valtype& t, std::uint32_t index)> lift;
  std::function<witc::result<std::uint32_t>(const valtype& t, const value& v)> lower;
};

/// The spec's `LiftLowerContext`: options plus the instance's handle logic.
/// Example: `vector_memory m(bytes); context cx{{string_encoding::utf8, &m, realloc}};`
struct context {
  struct options_t {
    string_encoding encoding = string_encoding::utf8;
    linear_memory* memory = nullptr;
    realloc_fn realloc;
  } opts;
  handle_hooks handles;

  /// The spec's `cx.reallocate(...)` and `cx.allocate(alignment, size)`.
  witc::result<std::uint64_t> reallocate(std::uint64_t old, std::uint64_t old_size,
                                         std::uint32_t alignment, std::uint64_t new_size);
  witc::result<std::uint64_t> allocate(std::uint32_t alignment, std::uint64_t size) {
    return reallocate(0, 0, alignment, size);
  }
  [[nodiscard]] canon::ptr_type ptr_type() const {
    return opts.memory ? opts.memory->ptr_type() : canon::ptr_type::i32;
  }
};

/// The spec's `CoreValueIter`: reads flat values one at a time, checking their type.
class core_value_iter {
 public:
  explicit core_value_iter(std::span<const core_value> values) : values_(values) {}
  /// The next value, which must have type `t` (a mismatch is an error, not a trap).
  witc::result<core_value> next(core_type t);
  [[nodiscard]] bool done() const noexcept { return i_ == values_.size(); }
  [[nodiscard]] std::size_t position() const noexcept { return i_; }

 private:
  std::span<const core_value> values_;
  std::size_t i_ = 0;
};

/// A trap: the failure every lift/lower error is. Message starts with "trap: ".
[[nodiscard]] witc::failure trap(std::string why);

// ---- loading and storing (definitions.py: Loading, Storing) -------------------------

/// The spec's `load(cx, ptr, t)`. Example: `load(cx, 0, *u16())`.
witc::result<value> load(context& cx, std::uint64_t ptr, const valtype& t);
/// The spec's `store(cx, v, t, ptr)`.
witc::result<void> store(context& cx, const value& v, const valtype& t, std::uint64_t ptr);

/// The spec's `load_string_from_range`: decodes per the context's encoding.
witc::result<string_value> load_string_from_range(context& cx, std::uint64_t ptr,
                                                  std::uint64_t tagged_code_units);
/// The spec's `store_string_into_range`: allocates with `realloc` and transcodes
/// from the string's own encoding; returns `(ptr, tagged_code_units)`.
witc::result<std::pair<std::uint64_t, std::uint64_t>> store_string_into_range(
    context& cx, const string_value& v);
/// The spec's `load_list_from_range` / `store_list_into_range`.
witc::result<value> load_list_from_range(context& cx, std::uint64_t ptr, std::uint64_t length,
                                         const valtype& elem);
witc::result<std::pair<std::uint64_t, std::uint64_t>> store_list_into_range(
    context& cx, const list_value& v, const valtype& elem);

// ---- flat lifting and lowering -------------------------------------------------------

/// The spec's `lift_flat(cx, vi, t)`. Example:
///   core_value_iter vi(vals); WITC_TRY(value v, lift_flat(cx, vi, *u8()));
witc::result<value> lift_flat(context& cx, core_value_iter& vi, const valtype& t);
/// The spec's `lower_flat(cx, v, t)`.
witc::result<std::vector<core_value>> lower_flat(context& cx, const value& v, const valtype& t);
/// The spec's `lift_flat_values(cx, max_flat, vi, ts)`: reads through a pointer
/// when the flat form of `ts` exceeds `max_flat`.
witc::result<std::vector<value>> lift_flat_values(context& cx, std::size_t max_flat,
                                                  core_value_iter& vi,
                                                  const std::vector<type_ref>& ts);
/// The spec's `lower_flat_values`: spills to memory beyond `max_flat`, to a fresh
/// allocation or, given `out_param`, to the pointer it holds.
witc::result<std::vector<core_value>> lower_flat_values(context& cx, std::size_t max_flat,
                                                        const std::vector<value>& vs,
                                                        const std::vector<type_ref>& ts,
                                                        core_value_iter* out_param = nullptr);

/// NaN canonicalization of lifted floats (`canonicalize_nan32/64`).
[[nodiscard]] float canonicalize_nan32(float f) noexcept;
[[nodiscard]] double canonicalize_nan64(double f) noexcept;
/// `decode_i32_as_float` / `encode_float_as_i32` and the 64-bit pair (deterministic
/// profile: lowered NaNs are the canonical NaN).
[[nodiscard]] float decode_i32_as_float(std::uint32_t i) noexcept;
[[nodiscard]] double decode_i64_as_float(std::uint64_t i) noexcept;
[[nodiscard]] std::uint32_t encode_float_as_i32(float f) noexcept;
[[nodiscard]] std::uint64_t encode_float_as_i64(double f) noexcept;

}  // namespace witc::canon
