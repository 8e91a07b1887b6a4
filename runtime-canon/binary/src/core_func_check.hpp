#pragma once
// The function-body checker of the core validator. Built once per module and reused
// for every body: the operand, control and local stacks are flat vectors that keep
// their capacity, instructions are decoded in place (no `instr` values, no allocation).
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "core_types.hpp"

namespace witc::binary::detail {

// Natural alignment (log2) of loads and stores 0x28..0x3E, and the value they move.
constexpr std::uint8_t natural_of(std::uint8_t b) {
  constexpr std::uint8_t t[] = {2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 3, 2, 3, 0, 1, 0, 1, 2};
  return t[b - 0x28];
}
// Loads 0x28..0x35 push a value; stores 0x36..0x3E pop one.
constexpr valtype mem_value(std::uint8_t b) {
  switch (b) {
    case 0x28: case 0x2C: case 0x2D: case 0x2E: case 0x2F: case 0x36: case 0x3A: case 0x3B: return valtype::i32;
    case 0x2A: case 0x38: return valtype::f32;
    case 0x2B: case 0x39: return valtype::f64;
    default: return valtype::i64;
  }
}

/// The operand stack: a vector whose push is a store and a compare (growth is cold), so
/// the checker's hot loop inlines it.
class value_stack {
 public:
  value_stack() { grow(256); }
  [[gnu::always_inline]] void push_back(valtype t) {
    if (top_ == cap_) [[unlikely]]
      grow(2 * capacity());
    *top_++ = t;
  }
  void pop_back() { --top_; }
  [[nodiscard]] valtype back() const { return top_[-1]; }
  [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(top_ - data_.data()); }
  [[nodiscard]] valtype operator[](std::size_t i) const { return data_[i]; }
  void resize(std::size_t n) { top_ = data_.data() + n; }  // shrink only
  void clear() { top_ = data_.data(); }
  void insert(const valtype* first, const valtype* last) {
    auto n = static_cast<std::size_t>(last - first);
    while (static_cast<std::size_t>(cap_ - top_) < n) grow(2 * capacity());
    for (std::size_t i = 0; i < n; ++i) top_[i] = first[i];
    top_ += n;
  }

 private:
  std::vector<valtype> data_;
  valtype* top_ = nullptr;
  valtype* cap_ = nullptr;
  [[nodiscard]] std::size_t capacity() const { return static_cast<std::size_t>(cap_ - data_.data()); }
  [[gnu::noinline]] void grow(std::size_t n) {
    std::size_t used = top_ ? size() : 0;
    data_.resize(n);
    top_ = data_.data() + used;
    cap_ = data_.data() + data_.size();
  }
};

/// Index spaces of a module resolved once (imports first), for O(1) lookups.
struct module_info {
  std::vector<std::uint32_t> func_types;  // type index of every function
  std::vector<global_type> globals;
  std::vector<table_type> tables;
  std::vector<limits> memories;
  std::vector<std::uint32_t> tags;  // type index of every tag
  std::vector<std::uint8_t> refs;   // functions `ref.func` may name in bodies
};

class func_checker {
 public:
  func_checker(const module& m, const type_ctx& tc, const module_info& mi, const validate_limits& lim)
      : m_(m), tc_(tc), mi_(mi), lim_(lim), f_(tc.features()) {}

  /// Type-checks body `i` of the code section.
  result<void> check(std::uint32_t i);

 private:
  struct ctrl {
    const valtype* params;
    const valtype* results;
    std::uint32_t nparams, nresults;
    std::uint32_t height;
    std::uint32_t init_height;
    std::uint8_t kind;  // the opcode byte: block, loop, if, else, try_table
    bool unreachable;
    valtype single;
    std::uint32_t checked;  // the `br_table` (generation) that last checked this label  // storage of a one-value block type (results points here when null)
  };

  const module& m_;
  const type_ctx& tc_;
  const module_info& mi_;
  const validate_limits& lim_;
  const core_features& f_;

  value_stack vals_;
  std::vector<ctrl> ctrls_;
  std::vector<valtype> locals_;
  std::vector<std::uint8_t> local_set_;     // non-defaultable locals set so far
  std::vector<std::uint32_t> init_stack_;   // which ones, to forget at block end
  std::vector<valtype> scratch_;
  const func_type* fn_ = nullptr;
  bool track_init_ = false;
  bool mem0_is32_ = false;
  std::uint32_t br_table_gen_ = 0;

  const std::uint8_t* begin_ = nullptr;
  const std::uint8_t* p_ = nullptr;
  const std::uint8_t* end_ = nullptr;
  std::uint32_t base_ = 0;
  std::uint32_t at_ = 0;
  std::optional<failure> err_;

  bool run();
  bool step(std::uint8_t b);
  bool prefixed_fc();
  bool prefixed_fb();
  bool gc_type(std::uint32_t t, sub_kind want, const sub_type*& d);
  bool gc_field(const sub_type& d, std::uint32_t i, const field_type*& f);
  bool memarg(unsigned natural, valtype& addr);

  // Diagnostics: the first one wins; every helper returns false after it.
  bool fail(std::string msg);
  bool fail_at(std::uint32_t at, std::string msg);
  bool unsupported(std::string_view feature);
  bool mismatch(valtype want, valtype got);

  // Immediates. On malformed input they record the error and return 0.
  std::uint32_t u32();
  std::uint8_t byte();
  bool skip_s32();
  bool skip_leb(unsigned max_fast, bool is64);
  bool skip_s64();
  bool skip(std::size_t n);
  bool block_type(ctrl& c);
  std::optional<valtype> value_type();
  std::optional<valtype> heap_type();
  // Reads a type immediate with `read` and checks its type indices.
  std::optional<valtype> checked_type(result<valtype> (*read)(reader&));
  std::uint32_t slow_u32();

  // Stacks.
  [[gnu::always_inline]] void push(valtype t) { vals_.push_back(t); }
  bool pop_any(valtype& got);
  bool pop(valtype want);
  bool pop_all(const valtype* ts, std::uint32_t n);
  void push_all(const valtype* ts, std::uint32_t n) { vals_.insert(ts, ts + n); }
  bool push_ctrl(std::uint8_t kind, ctrl c);
  bool pop_ctrl(ctrl& out);
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }
  bool label(std::uint32_t l, const valtype*& ts, std::uint32_t& n);
  static const valtype* label_types(const ctrl& c, std::uint32_t& n) {
    if (c.kind == 0x03) {
      n = c.nparams;
      return c.params;
    }
    n = c.nresults;
    return c.results ? c.results : &c.single;
  }
  bool local(std::uint32_t i, valtype& t);
  bool mem(std::uint32_t i, valtype& addr);
  bool table(std::uint32_t i, valtype& elem, valtype& addr);
  bool func_type_at(std::uint32_t type, const func_type*& ft);
  bool call_common(const func_type& ft, bool tail);
  valtype elem_type(std::uint32_t e) const {
    const element& el = m_.elements[e];
    return el.func_indices && (f_.function_references || f_.gc) ? make_ref(false, 0x70) : el.type;
  }
  bool binop(valtype t) { return pop(t) && pop(t) && (push(t), true); }
};

// The hot helpers, inline for every file of the checker.
// LEB128s of at most 4 bytes cannot be out of range; longer ones take the exact path.
[[gnu::always_inline]] inline std::uint32_t func_checker::u32() {
  if (end_ - p_ >= 4) [[likely]] {
    std::uint32_t b0 = p_[0];
    if (b0 < 0x80) {
      ++p_;
      return b0;
    }
    std::uint32_t b1 = p_[1];
    if (b1 < 0x80) {
      p_ += 2;
      return (b0 & 0x7F) | (b1 << 7);
    }
    std::uint32_t b2 = p_[2];
    if (b2 < 0x80) {
      p_ += 3;
      return (b0 & 0x7F) | ((b1 & 0x7F) << 7) | (b2 << 14);
    }
    std::uint32_t b3 = p_[3];
    if (b3 < 0x80) {
      p_ += 4;
      return (b0 & 0x7F) | ((b1 & 0x7F) << 7) | ((b2 & 0x7F) << 14) | (b3 << 21);
    }
    // Five bytes (padded indices from linkers): the last holds 4 bits, no continuation.
    if (end_ - p_ >= 5 && p_[4] < 0x10) {
      std::uint32_t b4 = p_[4];
      p_ += 5;
      return (b0 & 0x7F) | ((b1 & 0x7F) << 7) | ((b2 & 0x7F) << 14) | ((b3 & 0x7F) << 21) | (b4 << 28);
    }
  }
  return slow_u32();
}
// Skips a signed LEB128 of at most `max_fast` bytes (always in range), else checks it.
[[gnu::always_inline]] inline bool func_checker::skip_leb(unsigned max_fast, bool is64) {
  const std::uint8_t* q = p_;
  const std::uint8_t* lim = end_ - p_ > static_cast<std::ptrdiff_t>(max_fast) ? p_ + max_fast : end_;
  while (q < lim) {
    if (*q++ < 0x80) {
      p_ = q;
      return true;
    }
  }
  return is64 ? skip_s64() : skip_s32();
}
inline std::uint8_t func_checker::byte() {
  if (p_ < end_) [[likely]]
    return *p_++;
  fail_at(base_ + static_cast<std::uint32_t>(p_ - begin_), "unexpected end of section or function");
  return 0;
}

[[gnu::always_inline]] inline bool func_checker::pop_any(valtype& got) {
  ctrl& c = ctrls_.back();
  if (vals_.size() > c.height) [[likely]] {
    got = vals_.back();
    vals_.pop_back();
    return true;
  }
  got = valtype::unknown;
  if (c.unreachable) return true;
  return fail("type mismatch: operand stack is empty");
}

[[gnu::always_inline]] inline bool func_checker::pop(valtype want) {
  ctrl& c = ctrls_.back();
  if (vals_.size() > c.height) [[likely]] {
    valtype got = vals_.back();
    if (got != want && !tc_.subtype(got, want)) [[unlikely]] {
      if (want != valtype::unknown) return mismatch(want, got);
    }
    vals_.pop_back();
    return true;
  }
  if (c.unreachable) return true;
  return fail("type mismatch: operand stack is empty");
}

inline bool func_checker::local(std::uint32_t i, valtype& t) {
  if (i >= locals_.size()) [[unlikely]]
    return fail(fmt::format("unknown local {}", i));
  t = locals_[i];
  return true;
}

}  // namespace witc::binary::detail
