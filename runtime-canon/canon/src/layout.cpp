#include "witc/canon/layout.hpp"

#include <algorithm>
#include <cassert>

namespace witc::canon {

std::string_view to_string(core_type t) noexcept {
  switch (t) {
    case core_type::i32: return "i32";
    case core_type::i64: return "i64";
    case core_type::f32: return "f32";
    case core_type::f64: return "f64";
  }
  return "?";
}

canon::kind discriminant_type(std::size_t n) noexcept {
  // ceil(log2(n) / 8) in integers: how many bytes are needed to number n cases.
  if (n <= (std::size_t{1} << 8)) return kind::u8;
  if (n <= (std::size_t{1} << 16)) return kind::u16;
  return kind::u32;
}

std::uint32_t discriminant_size(std::size_t n) noexcept {
  switch (discriminant_type(n)) {
    case kind::u8: return 1;
    case kind::u16: return 2;
    default: return 4;
  }
}

std::uint32_t flags_size(std::size_t n) noexcept {
  if (n <= 8) return 1;
  if (n <= 16) return 2;
  return 4;
}

std::uint32_t max_case_alignment(const std::vector<labelled>& cases, ptr_type p) {
  std::uint32_t a = 1;
  for (const auto& c : cases)
    if (c.type) a = std::max(a, alignment(*c.type, p));
  return a;
}

std::uint32_t alignment(const valtype& t0, ptr_type p) {
  const valtype& t = despecialize(t0);
  switch (t.kind()) {
    case kind::bool_:
    case kind::s8:
    case kind::u8: return 1;
    case kind::s16:
    case kind::u16: return 2;
    case kind::s32:
    case kind::u32:
    case kind::f32:
    case kind::char_:
    case kind::error_context: return 4;
    case kind::s64:
    case kind::u64:
    case kind::f64: return 8;
    case kind::string: return ptr_size(p);
    case kind::list:
      return t.length() ? alignment(*t.element(), p) : ptr_size(p);
    case kind::record: {
      std::uint32_t a = 1;
      for (const auto& f : t.members()) a = std::max(a, alignment(*f.type, p));
      return a;
    }
    case kind::variant:
      return std::max(discriminant_size(t.members().size()), max_case_alignment(t.members(), p));
    case kind::flags: return flags_size(t.labels().size());
    case kind::own:
    case kind::borrow:
    case kind::stream:
    case kind::future: return 4;
    default: break;  // specialized kinds never survive despecialize
  }
  assert(false);
  return 1;
}

std::uint64_t elem_size(const valtype& t0, ptr_type p) {
  const valtype& t = despecialize(t0);
  switch (t.kind()) {
    case kind::bool_:
    case kind::s8:
    case kind::u8: return 1;
    case kind::s16:
    case kind::u16: return 2;
    case kind::s32:
    case kind::u32:
    case kind::f32:
    case kind::char_:
    case kind::error_context: return 4;
    case kind::s64:
    case kind::u64:
    case kind::f64: return 8;
    case kind::string: return 2 * ptr_size(p);
    case kind::list:
      return t.length() ? *t.length() * elem_size(*t.element(), p) : 2 * ptr_size(p);
    case kind::record: {
      std::uint64_t s = 0;
      for (const auto& f : t.members()) {
        s = align_to(s, alignment(*f.type, p));
        s += elem_size(*f.type, p);
      }
      return align_to(s, alignment(t, p));
    }
    case kind::variant: {
      std::uint64_t s = discriminant_size(t.members().size());
      s = align_to(s, max_case_alignment(t.members(), p));
      std::uint64_t cs = 0;
      for (const auto& c : t.members())
        if (c.type) cs = std::max(cs, elem_size(*c.type, p));
      s += cs;
      return align_to(s, alignment(t, p));
    }
    case kind::flags: return flags_size(t.labels().size());
    case kind::own:
    case kind::borrow:
    case kind::stream:
    case kind::future: return 4;
    default: break;
  }
  assert(false);
  return 0;
}

std::vector<std::uint64_t> field_offsets(const valtype& t0, ptr_type p) {
  const valtype& t = despecialize(t0);
  std::vector<std::uint64_t> out;
  std::uint64_t s = 0;
  for (const auto& f : t.members()) {
    s = align_to(s, alignment(*f.type, p));
    out.push_back(s);
    s += elem_size(*f.type, p);
  }
  return out;
}

std::uint64_t payload_offset(const valtype& t0, ptr_type p) {
  const valtype& t = despecialize(t0);
  return align_to(discriminant_size(t.members().size()), max_case_alignment(t.members(), p));
}

core_type join(core_type a, core_type b) noexcept {
  if (a == b) return a;
  if ((a == core_type::i32 && b == core_type::f32) || (a == core_type::f32 && b == core_type::i32))
    return core_type::i32;
  return core_type::i64;
}

void flatten_type_into(const valtype& t0, ptr_type p, std::vector<core_type>& out) {
  const valtype& t = despecialize(t0);
  switch (t.kind()) {
    case kind::s64:
    case kind::u64: out.push_back(core_type::i64); return;
    case kind::f32: out.push_back(core_type::f32); return;
    case kind::f64: out.push_back(core_type::f64); return;
    case kind::string:
      out.push_back(ptr_core_type(p));
      out.push_back(ptr_core_type(p));
      return;
    case kind::list:
      if (t.length()) {
        for (std::uint32_t i = 0; i < *t.length(); ++i) flatten_type_into(*t.element(), p, out);
      } else {
        out.push_back(ptr_core_type(p));
        out.push_back(ptr_core_type(p));
      }
      return;
    case kind::record:
      for (const auto& f : t.members()) flatten_type_into(*f.type, p, out);
      return;
    case kind::variant: {
      std::vector<core_type> flat;
      std::vector<core_type> ct;
      for (const auto& c : t.members()) {
        if (!c.type) continue;
        ct.clear();
        flatten_type_into(*c.type, p, ct);
        for (std::size_t i = 0; i < ct.size(); ++i) {
          if (i < flat.size()) flat[i] = join(flat[i], ct[i]);
          else flat.push_back(ct[i]);
        }
      }
      out.push_back(core_type::i32);  // every discriminant type flattens to i32
      out.insert(out.end(), flat.begin(), flat.end());
      return;
    }
    default:  // bool, 8/16/32-bit integers, char, flags, handles, streams, futures
      out.push_back(core_type::i32);
      return;
  }
}

std::vector<core_type> flatten_type(const valtype& t, ptr_type p) {
  std::vector<core_type> out;
  flatten_type_into(t, p, out);
  return out;
}

std::vector<core_type> flatten_types(const std::vector<type_ref>& ts, ptr_type p) {
  std::vector<core_type> out;
  for (const auto& t : ts) flatten_type_into(*t, p, out);
  return out;
}

core_functype flatten_functype(const flatten_options& opts, const functype& ft,
                               flatten_context context) {
  const core_type ptr = ptr_core_type(opts.memory);
  auto flat_params = flatten_types(ft.params, opts.memory);
  auto flat_results = flatten_types(ft.results, opts.memory);
  if (!opts.async) {
    if (flat_params.size() > max_flat_params) flat_params = {ptr};
    if (flat_results.size() > max_flat_results) {
      if (context == flatten_context::lift) {
        flat_results = {ptr};
      } else {
        flat_params.push_back(ptr);
        flat_results.clear();
      }
    }
    return {std::move(flat_params), std::move(flat_results)};
  }
  if (context == flatten_context::lift) {
    if (flat_params.size() > max_flat_params) flat_params = {ptr};
    flat_results = opts.callback ? std::vector<core_type>{core_type::i32} : std::vector<core_type>{};
  } else {
    if (flat_params.size() > max_flat_async_params) flat_params = {ptr};
    if (!flat_results.empty()) flat_params.push_back(ptr);
    flat_results = {core_type::i32};
  }
  return {std::move(flat_params), std::move(flat_results)};
}

}  // namespace witc::canon
