// Core module validation, following the algorithm in the spec's appendix: module-level
// checks here, types in core_types.cpp, function bodies in core_validate_func.cpp.
#include "witc/binary/core_validate.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "core_func_check.hpp"
#include "core_types.hpp"

namespace witc::binary {

namespace {

using detail::err_at;

constexpr std::uint64_t max_pages = 65536;
constexpr std::uint64_t max_pages64 = 1ull << 48;

failure unsupported(std::uint32_t at, std::string_view feature) {
  return err_at(at, fmt::format("feature `{}` is not supported", feature));
}

class module_checker {
 public:
  module_checker(const module& m, const validate_limits& lim) : m_(m), lim_(lim), f_(lim.features), tc_(m, f_) {}

  result<void> run() {
    WITC_CHECK(tc_.check_types());
    if (m_.has_tag_section && !f_.exceptions) return unsupported(0, "exceptions");
    mi_.func_types.reserve(m_.func_count());
    for (auto& im : m_.imports) {
      switch (im.kind) {
        case extern_kind::func:
          WITC_CHECK(func_type_index(im.func_type, im.offset));
          mi_.func_types.push_back(im.func_type);
          break;
        case extern_kind::table:
          WITC_CHECK(check_table(im.table, im.offset));
          mi_.tables.push_back(im.table);
          break;
        case extern_kind::memory:
          WITC_CHECK(check_memory(im.memory.lim, im.offset));
          mi_.memories.push_back(im.memory.lim);
          break;
        case extern_kind::global:
          WITC_CHECK(tc_.check_valtype(im.global.type, im.offset));
          mi_.globals.push_back(im.global);
          break;
        case extern_kind::tag:
          WITC_CHECK(check_tag(im.tag_type, im.offset));
          mi_.tags.push_back(im.tag_type);
          break;
      }
    }
    for (auto t : m_.functions) {
      WITC_CHECK(func_type_index(t, 0));
      mi_.func_types.push_back(t);
    }
    for (auto& t : m_.tables) {
      WITC_CHECK(check_table(t, 0));
      mi_.tables.push_back(t);
    }
    for (auto& mem : m_.memories) {
      WITC_CHECK(check_memory(mem.lim, 0));
      mi_.memories.push_back(mem.lim);
    }
    if (mi_.memories.size() > 1 && !f_.multi_memory) return err_at(0, "multiple memories");
    for (auto t : m_.tags) {
      WITC_CHECK(check_tag(t, 0));
      mi_.tags.push_back(t);
    }
    for (auto& g : m_.globals) {
      WITC_CHECK(tc_.check_valtype(g.type.type, g.init.offset));
      mi_.globals.push_back(g.type);
    }

    // Functions that bodies may take with `ref.func`: those named outside function bodies.
    mi_.refs.assign(m_.func_count(), 0);
    for (auto& g : m_.globals) mark_refs(g.init);
    for (auto& t : m_.table_inits) mark_refs(t);
    for (auto& e : m_.elements)
      for (auto& ex : e.init) mark_refs(ex);
    for (auto& e : m_.exports)
      if (e.kind == extern_kind::func && e.index < mi_.refs.size()) mi_.refs[e.index] = 1;

    for (std::uint32_t i = 0; i < m_.tables.size(); ++i) {
      const table_type& t = m_.tables[i];
      bool has_init = i < m_.table_inits.size() && !m_.table_inits[i].code.empty();
      if (has_init) {
        if (!f_.function_references) return unsupported(m_.table_inits[i].offset, "function-references");
        WITC_CHECK(check_const(m_.table_inits[i], t.elem, m_.imported_globals));
      } else if (!tc_.defaultable(t.elem)) {
        return err_at(0, "type mismatch: a table of non-nullable references needs an initializer");
      }
    }
    for (std::uint32_t i = 0; i < m_.globals.size(); ++i) {
      auto& g = m_.globals[i];
      WITC_CHECK(check_const(g.init, g.type.type, m_.imported_globals + i));
    }
    std::unordered_set<std::string_view> names;
    names.reserve(m_.exports.size());
    for (auto& e : m_.exports) {
      if (!names.insert(e.name).second) return err_at(e.offset, fmt::format("duplicate export name `{}`", e.name));
      std::size_t n = 0;
      switch (e.kind) {
        case extern_kind::func: n = mi_.func_types.size(); break;
        case extern_kind::table: n = mi_.tables.size(); break;
        case extern_kind::memory: n = mi_.memories.size(); break;
        case extern_kind::global: n = mi_.globals.size(); break;
        case extern_kind::tag:
          if (!f_.exceptions) return unsupported(e.offset, "exceptions");
          n = mi_.tags.size();
          break;
      }
      if (e.index >= n) return err_at(e.offset, fmt::format("unknown {} {}", to_string(e.kind), e.index));
    }
    if (m_.start) {
      if (*m_.start >= mi_.func_types.size()) return err_at(0, fmt::format("unknown function {}", *m_.start));
      auto& ft = m_.types[mi_.func_types[*m_.start]];
      if (!ft.params.empty() || !ft.results.empty()) return err_at(0, "start function must have type [] -> []");
    }
    for (auto& e : m_.elements) {
      WITC_CHECK(tc_.check_valtype(e.type, e.offset_in_file));
      for (auto& ex : e.init) WITC_CHECK(check_const(ex, e.type, m_.global_count()));
      if (e.mode == segment_mode::active) {
        if (e.table >= mi_.tables.size()) return err_at(e.offset_in_file, fmt::format("unknown table {}", e.table));
        const table_type& t = mi_.tables[e.table];
        if (!tc_.subtype(elem_type(e), t.elem)) return err_at(e.offset_in_file, "type mismatch: element segment type differs from table type");
        WITC_CHECK(check_const(e.offset_expr, t.lim.is64 ? valtype::i64 : valtype::i32, m_.global_count()));
      }
    }
    for (auto& d : m_.datas) {
      if (d.mode == segment_mode::active) {
        if (d.memory >= mi_.memories.size()) return err_at(d.offset_in_file, fmt::format("unknown memory {}", d.memory));
        if (d.memory > 0 && !f_.multi_memory) return unsupported(d.offset_in_file, "multi-memory");
        WITC_CHECK(check_const(d.offset_expr, mi_.memories[d.memory].is64 ? valtype::i64 : valtype::i32, m_.global_count()));
      }
    }
    detail::func_checker fc(m_, tc_, mi_, lim_);
    for (std::uint32_t i = 0; i < m_.codes.size(); ++i) WITC_CHECK(fc.check(i));
    return ok;
  }

 private:
  const module& m_;
  const validate_limits& lim_;
  const core_features& f_;
  detail::type_ctx tc_;
  detail::module_info mi_;
  std::vector<valtype> const_stack_;

  // A segment of function indices holds non-null references.
  valtype elem_type(const element& e) const {
    return e.func_indices && (f_.function_references || f_.gc) ? make_ref(false, 0x70) : e.type;
  }

  void mark_refs(const const_expr& e) {
    for (auto& in : e.code)
      if (in.code == op::ref_func && in.a < mi_.refs.size()) mi_.refs[in.a] = 1;
  }

  result<void> func_type_index(std::uint32_t t, std::uint32_t at) const {
    if (t >= m_.types.size()) return err_at(at, fmt::format("unknown type {}", t));
    if (tc_.kind_of(t) != sub_kind::func) return err_at(at, fmt::format("type {} is not a function type", t));
    return ok;
  }

  result<void> check_tag(std::uint32_t t, std::uint32_t at) const {
    if (!f_.exceptions) return unsupported(at, "exceptions");
    WITC_CHECK(func_type_index(t, at));
    if (!m_.types[t].results.empty()) return err_at(at, "non-empty tag result type");
    return ok;
  }

  result<void> check_table(const table_type& t, std::uint32_t at) const {
    WITC_CHECK(tc_.check_valtype(t.elem, at));
    if (t.lim.is64 && !f_.memory64) return unsupported(at, "memory64");
    return check_limits(t.lim, t.lim.is64 ? ~0ull : 0xFFFFFFFFull, at, "table");
  }
  result<void> check_memory(const limits& l, std::uint32_t at) const {
    if (l.is64 && !f_.memory64) return unsupported(at, "memory64");
    if (l.shared) {
      return unsupported(at, "threads");
    }
    return check_limits(l, l.is64 ? max_pages64 : max_pages, at, "memory");
  }

  static result<void> check_limits(const limits& l, std::uint64_t bound, std::uint32_t at, const char* what) {
    auto too_big = [&] {
      std::string b = bound == max_pages ? "65536 pages (4GiB)" : bound == max_pages64 ? "2^48 pages" : bound == ~0ull ? "2^64-1" : "2^32-1";
      return err_at(at, fmt::format("{} size must be at most {}", what, b));
    };
    if (l.min > bound) return too_big();
    if (l.max) {
      if (*l.max > bound) return too_big();
      if (*l.max < l.min) return err_at(at, "size minimum must not be greater than maximum");
    }
    return ok;
  }

  // `globals_visible`: globals with a lower index may be read by `global.get`.
  result<void> check_const(const const_expr& e, valtype want, std::uint32_t globals_visible) {
    auto& st = const_stack_;
    st.clear();
    auto push = [&](valtype t) -> result<void> {
      st.push_back(t);
      return ok;
    };
    auto pop = [&](valtype want, std::uint32_t at) -> result<void> {
      if (st.empty() || !tc_.subtype(st.back(), want)) return err_at(at, "type mismatch");
      st.pop_back();
      return ok;
    };
    auto gc_def = [&](const instr& in, sub_kind k) -> result<const sub_type*> {
      if (!f_.gc) return unsupported(in.offset, "gc");
      if (in.a >= m_.types.size() || m_.type_defs[in.a].kind != k) return err_at(in.offset, fmt::format("type mismatch: type {}", in.a));
      if (k == sub_kind::array && m_.type_defs[in.a].fields.size() != 1) return err_at(in.offset, "type mismatch");
      return &m_.type_defs[in.a];
    };
    auto unpacked = [](const field_type& f) { return f.packed ? valtype::i32 : f.type; };
    for (auto& in : e.code) {
      switch (in.code) {
        case op::i32_const: WITC_CHECK(push(valtype::i32)); break;
        case op::i64_const: WITC_CHECK(push(valtype::i64)); break;
        case op::f32_const: WITC_CHECK(push(valtype::f32)); break;
        case op::f64_const: WITC_CHECK(push(valtype::f64)); break;
        case op::ref_null: {
          auto t = static_cast<valtype>(in.a);
          WITC_CHECK(tc_.check_valtype(t, in.offset));
          WITC_CHECK(push(t));
          break;
        }
        case op::ref_func:
          if (in.a >= mi_.func_types.size()) return err_at(in.offset, fmt::format("unknown function {}", in.a));
          WITC_CHECK(push(f_.function_references || f_.gc ? make_ref(false, mi_.func_types[in.a], true) : valtype::funcref));
          break;
        case op::global_get: {
          if (in.a >= mi_.globals.size()) return err_at(in.offset, fmt::format("unknown global {}", in.a));
          if (in.a >= globals_visible && in.a >= m_.imported_globals)
            return err_at(in.offset, fmt::format("unknown global {}: a constant expression may only read earlier globals", in.a));
          auto gt = mi_.globals[in.a];
          if (gt.mut) return err_at(in.offset, "constant expression required: `global.get` of a mutable global");
          WITC_CHECK(push(gt.type));
          break;
        }
        case op::i32_add: case op::i32_sub: case op::i32_mul:
        case op::i64_add: case op::i64_sub: case op::i64_mul: {
          if (!f_.extended_const) return unsupported(in.offset, "extended-const");
          valtype t = (in.code == op::i32_add || in.code == op::i32_sub || in.code == op::i32_mul) ? valtype::i32 : valtype::i64;
          if (st.size() < 2 || st[st.size() - 1] != t || st[st.size() - 2] != t) return err_at(in.offset, "type mismatch");
          st.pop_back();
          break;
        }
        case op::ref_i31: {
          if (!f_.gc) return unsupported(in.offset, "gc");
          WITC_CHECK(pop(valtype::i32, in.offset));
          WITC_CHECK(push(make_ref(false, 0x6C)));
          break;
        }
        case op::struct_new:
        case op::struct_new_default: {
          WITC_TRY(const sub_type* d, gc_def(in, sub_kind::struct_));
          if (in.code == op::struct_new) {
            for (std::size_t k = d->fields.size(); k-- > 0;) WITC_CHECK(pop(unpacked(d->fields[k]), in.offset));
          } else {
            for (auto& f : d->fields)
              if (!tc_.defaultable(f.type)) return err_at(in.offset, "type mismatch: field without a default value");
          }
          WITC_CHECK(push(make_ref(false, in.a, true)));
          break;
        }
        case op::array_new:
        case op::array_new_default:
        case op::array_new_fixed: {
          WITC_TRY(const sub_type* d, gc_def(in, sub_kind::array));
          valtype et = unpacked(d->fields[0]);
          if (in.code == op::array_new) {
            WITC_CHECK(pop(valtype::i32, in.offset));
            WITC_CHECK(pop(et, in.offset));
          } else if (in.code == op::array_new_default) {
            if (!tc_.defaultable(d->fields[0].type)) return err_at(in.offset, "type mismatch: element without a default value");
            WITC_CHECK(pop(valtype::i32, in.offset));
          } else {
            for (std::uint32_t k = 0; k < in.b; ++k) WITC_CHECK(pop(et, in.offset));
          }
          WITC_CHECK(push(make_ref(false, in.a, true)));
          break;
        }
        case op::any_convert_extern:
        case op::extern_convert_any: {
          if (!f_.gc) return unsupported(in.offset, "gc");
          bool to_any = in.code == op::any_convert_extern;
          if (st.empty()) return err_at(in.offset, "type mismatch");
          valtype t = st.back();
          WITC_CHECK(pop(to_any ? valtype::externref : valtype::anyref, in.offset));
          WITC_CHECK(push(with_nullable(to_any ? valtype::anyref : valtype::externref, ref_nullable(t))));
          break;
        }
        default:
          return err_at(in.offset, fmt::format("constant expression required, found `{}`", op_name(in.code)));
      }
    }
    if (st.size() != 1 || !tc_.subtype(st[0], want))
      return err_at(e.offset, fmt::format("type mismatch: constant expression must have type `{}`", type_name(want)));
    return ok;
  }
};

}  // namespace

result<void> validate_module(const module& m, validate_limits lim) {
  module_checker c(m, lim);
  return c.run();
}

result<std::shared_ptr<const module>> load_module(std::span<const std::uint8_t> bytes, std::uint32_t base,
                                                  validate_limits lim) {
  WITC_TRY(auto m, decode_module(bytes, base));
  WITC_CHECK(validate_module(*m, lim));
  return m;
}

}  // namespace witc::binary
