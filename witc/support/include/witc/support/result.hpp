#pragma once
// The one result type of the project and its one propagation macro.
#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "witc/support/diagnostic.hpp"

namespace witc {

/// Wraps the error side so that `result<diagnostics>`-like ambiguity cannot arise.
/// Example: `return fail(diagnostic::error(sp, "expected `;`"));`
struct failure {
  diagnostics items;
};
[[nodiscard]] inline failure fail(diagnostic d) { return failure{{std::move(d)}}; }
[[nodiscard]] inline failure fail(diagnostics ds) { return failure{std::move(ds)}; }

/// A value or the diagnostics that explain why there is none.
/// Example:
///   result<int> parse_u32(std::string_view s);
///   WITC_TRY(auto n, parse_u32("42"));   // returns the failure to our caller
template <class T>
class [[nodiscard]] result {
 public:
  using value_type = T;
  result(T v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT: implicit by design
  result(failure f) : v_(std::in_place_index<1>, std::move(f)) {}  // NOLINT
  template <class U, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                          !std::is_same_v<std::decay_t<U>, failure> &&
                                          !std::is_same_v<std::decay_t<U>, result>, int> = 0>
  result(U&& u) : v_(std::in_place_index<0>, T(std::forward<U>(u))) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const diagnostics& error() const& { assert(!has_value()); return std::get<1>(v_).items; }
  failure error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, failure> v_;
};

/// `result<void>`: success carries nothing.
struct ok_t {};
inline constexpr ok_t ok{};
template <>
class [[nodiscard]] result<void> {
 public:
  result(ok_t = {}) {}  // NOLINT
  result(failure f) : f_(std::move(f)), failed_(true) {}  // NOLINT
  [[nodiscard]] bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return !failed_; }
  const diagnostics& error() const& { return f_.items; }
  failure error() && { return std::move(f_); }

 private:
  failure f_;
  bool failed_ = false;
};

}  // namespace witc

#define WITC_CONCAT_(a, b) a##b
#define WITC_CONCAT(a, b) WITC_CONCAT_(a, b)
/// `WITC_TRY(decl, expr)`: evaluates `expr` (a `result<T>`); on failure returns its
/// diagnostics from the enclosing function, else binds the value to `decl`.
#define WITC_TRY(decl, expr)                                                   \
  auto&& WITC_CONCAT(witc_try_, __LINE__) = (expr);                            \
  if (!WITC_CONCAT(witc_try_, __LINE__))                                        \
    return std::move(WITC_CONCAT(witc_try_, __LINE__)).error();                \
  decl = std::move(*WITC_CONCAT(witc_try_, __LINE__))
/// `WITC_CHECK(expr)`: for `result<void>`; returns the failure, if any.
#define WITC_CHECK(expr)                                                       \
  do {                                                                         \
    auto&& witc_chk_ = (expr);                                                 \
    if (!witc_chk_) return std::move(witc_chk_).error();                       \
  } while (0)
