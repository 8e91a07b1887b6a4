#pragma once
// The type context of the core validator: canonical (iso-recursive) type identities,
// reference subtyping and the well-formedness of the type section (Wasm 3.0 GC and
// function references; for Wasm 2.0 modules it reduces to structural equality).
#include <cstdint>
#include <string>
#include <vector>

#include "witc/binary/core_module.hpp"
#include "witc/binary/core_validate.hpp"

namespace witc::binary::detail {

failure err_at(std::uint32_t at, std::string msg);

class type_ctx {
 public:
  type_ctx(const module& m, const core_features& f) : m_(m), f_(f) {}

  /// Checks the type section and computes canonical ids. Call once, first.
  result<void> check_types();
  /// A value type is allowed (features) and names known types.
  result<void> check_valtype(valtype t, std::uint32_t at) const;

  /// `a <: b`, `unknown` (bottom) below everything.
  [[nodiscard]] bool subtype(valtype a, valtype b) const noexcept {
    if (a == b || a == valtype::unknown) return true;
    return subtype_slow(a, b);
  }
  [[nodiscard]] bool subtype_slow(valtype a, valtype b) const noexcept;
  /// Heap type `a` below heap type `b` (nullability ignored).
  [[nodiscard]] bool heap_sub(valtype a, valtype b) const noexcept;
  [[nodiscard]] bool same_type(std::uint32_t a, std::uint32_t b) const noexcept {
    return a == b || (a < canon_.size() && b < canon_.size() && canon_[a] == canon_[b]);
  }
  [[nodiscard]] bool defaultable(valtype t) const noexcept { return !is_ref(t) || ref_nullable(t); }
  [[nodiscard]] sub_kind kind_of(std::uint32_t idx) const noexcept {
    return idx < m_.type_defs.size() ? m_.type_defs[idx].kind : sub_kind::func;
  }
  /// The top of a heap type's hierarchy: any, func, extern or exn (as nullable refs).
  [[nodiscard]] valtype top_of(valtype t) const noexcept;
  [[nodiscard]] const core_features& features() const noexcept { return f_; }

 private:
  const module& m_;
  const core_features& f_;
  std::vector<std::uint32_t> canon_;  // canonical id: index of the first equivalent type
  std::vector<std::uint8_t> depth_;   // length of the declared supertype chain

  result<void> check_sub(std::uint32_t i);
  void key_of(std::string& key, valtype t, std::uint32_t rec_start, std::uint32_t rec_size) const;
};

}  // namespace witc::binary::detail
