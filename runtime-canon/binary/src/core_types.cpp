// Canonical type identities, subtyping and type-section checks for the core validator.
#include "core_types.hpp"

#include <fmt/format.h>

#include <unordered_map>

namespace witc::binary::detail {

failure err_at(std::uint32_t at, std::string msg) {
  return fail(diagnostic::error(span{at, at + 1}, std::move(msg)));
}

namespace {
failure unsupported(std::uint32_t at, std::string_view feature) {
  return err_at(at, fmt::format("feature `{}` is not supported", feature));
}
}  // namespace

result<void> type_ctx::check_valtype(valtype t, std::uint32_t at) const {
  auto code = heap_code(t);
  if (code == 0x7B) return unsupported(at, "simd");
  if (!is_ref(t)) return ok;
  if (is_concrete(t)) {
    if (!f_.function_references && !f_.gc) return unsupported(at, "function-references");
    if (ref_index(t) >= m_.types.size()) return err_at(at, fmt::format("unknown type {}", ref_index(t)));
    return ok;
  }
  if (!ref_nullable(t) && !f_.function_references && !f_.gc) return unsupported(at, "function-references");
  switch (code) {
    case 0x70: case 0x6F: return ok;
    case 0x69: case 0x74:
      if (!f_.exceptions) return unsupported(at, "exceptions");
      return ok;
    default:
      if (!f_.gc) return unsupported(at, "gc");
      return ok;
  }
}

valtype type_ctx::top_of(valtype t) const noexcept {
  auto c = heap_code(t);
  if (c == concrete_heap) return kind_of(ref_index(t)) == sub_kind::func ? valtype::funcref : valtype::anyref;
  switch (c) {
    case 0x70: case 0x73: return valtype::funcref;
    case 0x6F: case 0x72: return valtype::externref;
    case 0x69: case 0x74: return valtype::exnref;
    default: return valtype::anyref;
  }
}

bool type_ctx::heap_sub(valtype a, valtype b) const noexcept {
  auto ha = static_cast<std::uint32_t>(a) & ~0x100u, hb = static_cast<std::uint32_t>(b) & ~0x100u;
  if (ha == hb) return true;
  auto ca = ha & 0xFF, cb = hb & 0xFF;
  if (ca == concrete_heap) {
    std::uint32_t i = ha >> 9;
    if (cb == concrete_heap) {
      std::uint32_t j = hb >> 9;
      // Walk the declared supertypes: each is defined before its subtype, and chains are
      // at most `max_subtype_depth` long (checked in check_sub).
      for (std::uint32_t guard = 0; guard <= 64; ++guard) {
        if (same_type(i, j)) return true;
        if (i >= m_.type_defs.size() || m_.type_defs[i].supers.empty()) return false;
        std::uint32_t s = m_.type_defs[i].supers[0];
        if (s >= i) return false;
        i = s;
      }
      return false;
    }
    switch (kind_of(i)) {
      case sub_kind::func: return cb == 0x70;
      case sub_kind::struct_: return cb == 0x6B || cb == 0x6D || cb == 0x6E;
      case sub_kind::array: return cb == 0x6A || cb == 0x6D || cb == 0x6E;
    }
    return false;
  }
  switch (ca) {
    case 0x71:  // none
      if (cb == concrete_heap) return kind_of(hb >> 9) != sub_kind::func;
      return cb == 0x6E || cb == 0x6D || cb == 0x6C || cb == 0x6B || cb == 0x6A;
    case 0x73:  // nofunc
      if (cb == concrete_heap) return kind_of(hb >> 9) == sub_kind::func;
      return cb == 0x70;
    case 0x72: return cb == 0x6F;  // noextern
    case 0x74: return cb == 0x69;  // noexn
    case 0x6C: case 0x6B: case 0x6A: return cb == 0x6D || cb == 0x6E;
    case 0x6D: return cb == 0x6E;
    default: return false;
  }
}

bool type_ctx::subtype_slow(valtype a, valtype b) const noexcept {
  if (!is_ref(a) || !is_ref(b)) return false;
  if (ref_nullable(a) && !ref_nullable(b)) return false;
  return heap_sub(a, b);
}

// A canonical spelling of one type inside its recursion group: references into the group
// are relative, others name the canonical id, so equal keys mean equivalent groups.
void type_ctx::key_of(std::string& key, valtype t, std::uint32_t rec_start, std::uint32_t rec_size) const {
  if (is_concrete(t)) {
    std::uint32_t i = ref_index(t);
    if (i >= rec_start && i < rec_start + rec_size) {
      fmt::format_to(std::back_inserter(key), "r{}.{},", i - rec_start, ref_nullable(t) ? 1 : 0);
    } else {
      fmt::format_to(std::back_inserter(key), "c{}.{},", i < canon_.size() ? canon_[i] : i, ref_nullable(t) ? 1 : 0);
    }
    return;
  }
  fmt::format_to(std::back_inserter(key), "{},", static_cast<std::uint32_t>(t));
}

result<void> type_ctx::check_types() {
  const auto n = static_cast<std::uint32_t>(m_.types.size());
  canon_.assign(n, 0);
  depth_.assign(n, 0);
  std::unordered_map<std::string, std::uint32_t> groups;
  std::string key;
  bool plain_only = true;
  for (auto& d : m_.type_defs)
    if (!d.plain || d.kind != sub_kind::func) plain_only = false;
  if (!plain_only && !f_.gc) {
    for (auto& d : m_.type_defs)
      if (!d.plain || d.kind != sub_kind::func) return unsupported(d.offset, "gc");
  }
  for (std::uint32_t i = 0; i < n;) {
    const sub_type& d0 = m_.type_defs[i];
    std::uint32_t start = d0.rec_start, size = d0.rec_size;
    key.clear();
    for (std::uint32_t j = start; j < start + size && j < n; ++j) {
      const sub_type& d = m_.type_defs[j];
      auto check = [&](valtype t) -> result<void> {
        WITC_CHECK(check_valtype(t, d.offset));
        // Only this group and earlier ones are visible.
        if (is_concrete(t) && ref_index(t) >= start + size) return err_at(d.offset, fmt::format("unknown type {}", ref_index(t)));
        key_of(key, t, start, size);
        return ok;
      };
      fmt::format_to(std::back_inserter(key), "|{}{}{}:", static_cast<int>(d.kind), d.final ? 'f' : 'o', d.supers.size());
      if (d.supers.size() > 1) return err_at(d.offset, "type must have at most one supertype");
      for (auto s : d.supers) {
        if (s >= j) return err_at(d.offset, fmt::format("unknown type {}: a supertype must be defined first", s));
        WITC_CHECK(check(make_ref(true, s, true)));
      }
      const func_type& ft = m_.types[j];
      // wasmparser's limits; they also bound the validator's work per call and block.
      if (ft.params.size() > 1000) return err_at(d.offset, "function type has too many parameters (at most 1000)");
      if (ft.results.size() > 1000) return err_at(d.offset, "function type has too many results (at most 1000)");
      if (d.fields.size() > 10000) return err_at(d.offset, "struct type has too many fields (at most 10000)");
      for (auto t : ft.params) WITC_CHECK(check(t));
      key += '>';
      for (auto t : ft.results) WITC_CHECK(check(t));
      for (auto& f : d.fields) {
        fmt::format_to(std::back_inserter(key), "{}{}", f.packed, f.mut ? 'm' : 'c');
        WITC_CHECK(check(f.type));
      }
    }
    auto [it, fresh] = groups.try_emplace(key, start);
    for (std::uint32_t j = 0; j < size && start + j < n; ++j) canon_[start + j] = it->second + j;
    (void)fresh;
    for (std::uint32_t j = start; j < start + size && j < n; ++j) WITC_CHECK(check_sub(j));
    i = start + size;
  }
  return ok;
}

// A declared supertype must be open and of the same kind, with a matching structure.
result<void> type_ctx::check_sub(std::uint32_t i) {
  const sub_type& d = m_.type_defs[i];
  if (d.supers.empty()) return ok;
  std::uint32_t s = d.supers[0];
  const sub_type& sd = m_.type_defs[s];
  // wasmparser's limit; it also bounds the walk in heap_sub.
  constexpr std::uint8_t max_subtype_depth = 63;
  if (depth_[s] >= max_subtype_depth) return err_at(d.offset, fmt::format("sub type hierarchy too deep (at most {})", max_subtype_depth));
  depth_[i] = static_cast<std::uint8_t>(depth_[s] + 1);
  if (sd.final) return err_at(d.offset, fmt::format("sub type {} cannot extend final type {}", i, s));
  if (sd.kind != d.kind) return err_at(d.offset, fmt::format("sub type {} does not match super type {}", i, s));
  auto mismatch = [&] { return err_at(d.offset, fmt::format("sub type {} does not match super type {}", i, s)); };
  auto field_ok = [&](const field_type& a, const field_type& b) {
    if (a.mut != b.mut || a.packed != b.packed) return false;
    return a.mut ? (subtype(a.type, b.type) && subtype(b.type, a.type)) : subtype(a.type, b.type);
  };
  switch (d.kind) {
    case sub_kind::func: {
      const func_type &a = m_.types[i], &b = m_.types[s];
      if (a.params.size() != b.params.size() || a.results.size() != b.results.size()) return mismatch();
      for (std::size_t k = 0; k < a.params.size(); ++k)
        if (!subtype(b.params[k], a.params[k])) return mismatch();
      for (std::size_t k = 0; k < a.results.size(); ++k)
        if (!subtype(a.results[k], b.results[k])) return mismatch();
      break;
    }
    case sub_kind::struct_:
    case sub_kind::array:
      if (d.fields.size() < sd.fields.size() || (d.kind == sub_kind::array && d.fields.size() != 1)) return mismatch();
      for (std::size_t k = 0; k < sd.fields.size(); ++k)
        if (!field_ok(d.fields[k], sd.fields[k])) return mismatch();
      break;
  }
  return ok;
}

}  // namespace witc::binary::detail
