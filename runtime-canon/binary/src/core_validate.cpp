// Core module validation, following the algorithm in the spec's appendix.
#include "witc/binary/core_validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_set>

namespace witc::binary {

namespace {

constexpr std::uint64_t max_pages = 65536;

failure err_at(std::uint32_t at, std::string msg) {
  return fail(diagnostic::error(span{at, at + 1}, std::move(msg)));
}

valtype sig_type(char c) {
  switch (c) {
    case 'i': return valtype::i32;
    case 'I': return valtype::i64;
    case 'f': return valtype::f32;
    default: return valtype::f64;
  }
}

// One value type as a span, for block types written as a single value type.
std::span<const valtype> single(valtype t) {
  static const valtype all[] = {valtype::i32, valtype::i64, valtype::f32, valtype::f64,
                                valtype::funcref, valtype::externref};
  for (auto& v : all)
    if (v == t) return std::span<const valtype>(&v, 1);
  return {};
}

struct sig_info {
  std::uint8_t npop = 0;
  std::uint8_t npush = 0;
  valtype pop[3] = {};
  valtype push = valtype::unknown;
};

const std::array<sig_info, op_table_size>& sig_table() {
  static const auto table = [] {
    std::array<sig_info, op_table_size> t{};
    for (std::size_t i = 0; i < op_table_size; ++i) {
      std::string_view sig = op_signature(static_cast<op>(i));
      if (sig.empty()) continue;
      auto gt = sig.find('>');
      t[i].npop = static_cast<std::uint8_t>(gt);
      for (std::size_t k = 0; k < gt; ++k) t[i].pop[k] = sig_type(sig[k]);
      if (gt + 1 < sig.size()) {
        t[i].npush = 1;
        t[i].push = sig_type(sig[gt + 1]);
      }
    }
    return t;
  }();
  return table;
}

class module_checker {
 public:
  module_checker(const module& m, validate_limits lim) : m_(m), lim_(lim) {}

  result<void> run() {
    for (auto& im : m_.imports) {
      switch (im.kind) {
        case extern_kind::func:
          if (im.func_type >= m_.types.size()) return err_at(im.offset, fmt::format("unknown type {}", im.func_type));
          break;
        case extern_kind::table: WITC_CHECK(check_limits(im.table.lim, 0xFFFFFFFFull, im.offset, "table")); break;
        case extern_kind::memory: WITC_CHECK(check_limits(im.memory.lim, max_pages, im.offset, "memory")); break;
        case extern_kind::global: break;
      }
    }
    for (auto t : m_.functions)
      if (t >= m_.types.size()) return err_at(0, fmt::format("unknown type {}", t));
    for (auto& t : m_.tables) WITC_CHECK(check_limits(t.lim, 0xFFFFFFFFull, 0, "table"));
    for (auto& mem : m_.memories) WITC_CHECK(check_limits(mem.lim, max_pages, 0, "memory"));
    if (m_.memory_count() > 1) return err_at(0, "multiple memories");

    // Functions that bodies may take with `ref.func`: those named outside function bodies.
    refs_.assign(m_.func_count(), false);
    for (auto& g : m_.globals) mark_refs(g.init);
    for (auto& e : m_.elements) {
      for (auto& ex : e.init) mark_refs(ex);
    }
    for (auto& e : m_.exports)
      if (e.kind == extern_kind::func && e.index < refs_.size()) refs_[e.index] = true;

    for (std::uint32_t i = 0; i < m_.globals.size(); ++i) {
      auto& g = m_.globals[i];
      WITC_CHECK(check_const(g.init, g.type.type, m_.imported_globals + i));
    }
    std::unordered_set<std::string_view> names;
    for (auto& e : m_.exports) {
      if (!names.insert(e.name).second) return err_at(e.offset, fmt::format("duplicate export name `{}`", e.name));
      std::uint32_t n = 0;
      switch (e.kind) {
        case extern_kind::func: n = m_.func_count(); break;
        case extern_kind::table: n = m_.table_count(); break;
        case extern_kind::memory: n = m_.memory_count(); break;
        case extern_kind::global: n = m_.global_count(); break;
      }
      if (e.index >= n) return err_at(e.offset, fmt::format("unknown {} {}", to_string(e.kind), e.index));
    }
    if (m_.start) {
      if (*m_.start >= m_.func_count()) return err_at(0, fmt::format("unknown function {}", *m_.start));
      auto& ft = m_.types[m_.func_type_index(*m_.start)];
      if (!ft.params.empty() || !ft.results.empty()) return err_at(0, "start function must have type [] -> []");
    }
    for (auto& e : m_.elements) {
      for (auto& ex : e.init) WITC_CHECK(check_const(ex, e.type, m_.global_count()));
      if (e.mode == segment_mode::active) {
        if (e.table >= m_.table_count()) return err_at(e.offset_in_file, fmt::format("unknown table {}", e.table));
        if (m_.table_at(e.table).elem != e.type) return err_at(e.offset_in_file, "type mismatch: element segment type differs from table type");
        WITC_CHECK(check_const(e.offset_expr, valtype::i32, m_.global_count()));
      }
    }
    for (auto& d : m_.datas) {
      if (d.mode == segment_mode::active) {
        if (d.memory >= m_.memory_count()) return err_at(d.offset_in_file, fmt::format("unknown memory {}", d.memory));
        WITC_CHECK(check_const(d.offset_expr, valtype::i32, m_.global_count()));
      }
    }
    for (std::uint32_t i = 0; i < m_.codes.size(); ++i) WITC_CHECK(check_function(i));
    return ok;
  }

 private:
  struct ctrl {
    op kind;
    std::span<const valtype> params, results;
    std::uint32_t height;
    bool unreachable;
  };

  const module& m_;
  validate_limits lim_;
  std::vector<bool> refs_;
  std::vector<valtype> locals_;
  std::vector<valtype> vals_;
  std::vector<ctrl> ctrls_;
  std::span<const valtype> fn_results_;
  std::uint32_t at_ = 0;  // offset of the instruction being checked

  void mark_refs(const const_expr& e) {
    for (auto& in : e.code)
      if (in.code == op::ref_func && in.a < refs_.size()) refs_[in.a] = true;
  }

  static result<void> check_limits(const limits& l, std::uint64_t bound, std::uint32_t at, const char* what) {
    if (l.min > bound) return err_at(at, fmt::format("{} size must be at most {}", what, bound == max_pages ? "65536 pages (4GiB)" : "2^32-1"));
    if (l.max) {
      if (*l.max > bound) return err_at(at, fmt::format("{} size must be at most {}", what, bound == max_pages ? "65536 pages (4GiB)" : "2^32-1"));
      if (*l.max < l.min) return err_at(at, "size minimum must not be greater than maximum");
    }
    return ok;
  }

  // `globals_visible`: globals with a lower index may be read by `global.get`.
  result<void> check_const(const const_expr& e, valtype want, std::uint32_t globals_visible) {
    std::vector<valtype> st;
    for (auto& in : e.code) {
      switch (in.code) {
        case op::i32_const: st.push_back(valtype::i32); break;
        case op::i64_const: st.push_back(valtype::i64); break;
        case op::f32_const: st.push_back(valtype::f32); break;
        case op::f64_const: st.push_back(valtype::f64); break;
        case op::ref_null: st.push_back(static_cast<valtype>(in.a)); break;
        case op::ref_func:
          if (in.a >= m_.func_count()) return err_at(in.offset, fmt::format("unknown function {}", in.a));
          st.push_back(valtype::funcref);
          break;
        case op::global_get: {
          if (in.a >= m_.global_count()) return err_at(in.offset, fmt::format("unknown global {}", in.a));
          if (in.a >= globals_visible && in.a >= m_.imported_globals)
            return err_at(in.offset, fmt::format("unknown global {}: a constant expression may only read earlier globals", in.a));
          auto gt = m_.global_at(in.a);
          if (gt.mut) return err_at(in.offset, "constant expression required: `global.get` of a mutable global");
          st.push_back(gt.type);
          break;
        }
        case op::i32_add: case op::i32_sub: case op::i32_mul:
        case op::i64_add: case op::i64_sub: case op::i64_mul: {
          valtype t = (in.code == op::i32_add || in.code == op::i32_sub || in.code == op::i32_mul) ? valtype::i32 : valtype::i64;
          if (st.size() < 2 || st[st.size() - 1] != t || st[st.size() - 2] != t) return err_at(in.offset, "type mismatch");
          st.pop_back();
          break;
        }
        default:
          return err_at(in.offset, fmt::format("constant expression required, found `{}`", op_name(in.code)));
      }
    }
    if (st.size() != 1 || st[0] != want)
      return err_at(e.offset, fmt::format("type mismatch: constant expression must have type `{}`", to_string(want)));
    return ok;
  }

  // --- operand and control stacks --------------------------------------------------------

  failure mismatch(valtype want, valtype got) const {
    return err_at(at_, fmt::format("type mismatch: expected `{}`, found `{}`", to_string(want), to_string(got)));
  }
  void push(valtype t) { vals_.push_back(t); }
  result<valtype> pop() {
    auto& c = ctrls_.back();
    if (vals_.size() == c.height) {
      if (c.unreachable) return valtype::unknown;
      return err_at(at_, "type mismatch: operand stack is empty");
    }
    valtype t = vals_.back();
    vals_.pop_back();
    return t;
  }
  result<valtype> pop(valtype want) {
    WITC_TRY(valtype got, pop());
    if (got != want && got != valtype::unknown && want != valtype::unknown) return mismatch(want, got);
    return got;
  }
  result<void> pop_all(std::span<const valtype> ts) {
    for (std::size_t i = ts.size(); i-- > 0;) {
      WITC_TRY(valtype t, pop(ts[i]));
      (void)t;
    }
    return ok;
  }
  void push_all(std::span<const valtype> ts) { vals_.insert(vals_.end(), ts.begin(), ts.end()); }
  void push_ctrl(op k, std::span<const valtype> in, std::span<const valtype> out) {
    ctrls_.push_back(ctrl{k, in, out, static_cast<std::uint32_t>(vals_.size()), false});
    push_all(in);
  }
  result<ctrl> pop_ctrl() {
    if (ctrls_.empty()) return err_at(at_, "unexpected `end`");
    ctrl c = ctrls_.back();
    WITC_CHECK(pop_all(c.results));
    if (vals_.size() != c.height) return err_at(at_, "type mismatch: values remain on the stack at the end of a block");
    ctrls_.pop_back();
    return c;
  }
  static std::span<const valtype> label_types(const ctrl& c) { return c.kind == op::loop ? c.params : c.results; }
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }

  result<std::pair<std::span<const valtype>, std::span<const valtype>>> block_type(const instr& in) {
    if (in.a == 0) return std::pair<std::span<const valtype>, std::span<const valtype>>{};
    if (in.a == 1) return std::pair{std::span<const valtype>{}, single(static_cast<valtype>(in.b))};
    if (in.b >= m_.types.size()) return err_at(at_, fmt::format("unknown type {}", in.b));
    auto& ft = m_.types[in.b];
    return std::pair{std::span<const valtype>(ft.params), std::span<const valtype>(ft.results)};
  }
  result<std::span<const valtype>> label(std::uint32_t l) {
    if (l >= ctrls_.size()) return err_at(at_, fmt::format("unknown label {}", l));
    return label_types(ctrls_[ctrls_.size() - 1 - l]);
  }
  result<valtype> local(std::uint32_t i) {
    if (i >= locals_.size()) return err_at(at_, fmt::format("unknown local {}", i));
    return locals_[i];
  }
  result<valtype> table_elem(std::uint32_t t) {
    if (t >= m_.table_count()) return err_at(at_, fmt::format("unknown table {}", t));
    return m_.table_at(t).elem;
  }
  result<void> need_memory() {
    if (m_.memory_count() == 0) return err_at(at_, "unknown memory 0");
    return ok;
  }

  result<void> check_function(std::uint32_t i) {
    const code& c = m_.codes[i];
    const func_type& ft = m_.types[m_.functions[i]];
    std::uint64_t nlocals = ft.params.size() + c.local_count;
    if (nlocals > lim_.max_locals) return err_at(c.offset, "too many locals");
    locals_.assign(ft.params.begin(), ft.params.end());
    for (auto& r : c.locals) locals_.insert(locals_.end(), r.count, r.type);
    vals_.clear();
    ctrls_.clear();
    fn_results_ = ft.results;
    ctrls_.push_back(ctrl{op::block, {}, ft.results, 0, false});

    code_reader cr(c.body, c.offset);
    while (!ctrls_.empty()) {
      if (cr.at_end()) return err_at(cr.global_offset(), "unexpected end of section or function: missing `end`");
      WITC_TRY(instr in, cr.next());
      at_ = in.offset;
      WITC_CHECK(check_instr(in, cr));
      if (vals_.size() + ctrls_.size() > lim_.max_operand_depth) return err_at(at_, "operand stack too deep");
    }
    if (!cr.at_end()) return err_at(cr.global_offset(), "section size mismatch: operators after the final `end`");
    return ok;
  }

  result<void> check_instr(const instr& in, code_reader& cr) {
    std::string_view sig = op_signature(in.code);
    if (!sig.empty()) {
      switch (in.code) {
        case op::memory_size: case op::memory_grow: case op::memory_copy: case op::memory_fill:
          WITC_CHECK(need_memory());
          break;
        case op::memory_init:
          WITC_CHECK(need_memory());
          if (!m_.data_count) return err_at(at_, "data count section required");
          if (in.a >= *m_.data_count) return err_at(at_, fmt::format("unknown data segment {}", in.a));
          break;
        case op::table_init: {
          WITC_TRY(valtype t, table_elem(in.b));
          if (in.a >= m_.elements.size()) return err_at(at_, fmt::format("unknown elem segment {}", in.a));
          if (m_.elements[in.a].type != t) return err_at(at_, "type mismatch: element segment and table types differ");
          break;
        }
        case op::table_copy: {
          WITC_TRY(valtype d, table_elem(in.a));
          WITC_TRY(valtype s, table_elem(in.b));
          if (d != s) return err_at(at_, "type mismatch: tables have different element types");
          break;
        }
        case op::table_size: {
          WITC_TRY(valtype t, table_elem(in.a));
          (void)t;
          break;
        }
        default:
          if (static_cast<unsigned>(in.code) >= 0x28 && static_cast<unsigned>(in.code) <= 0x3E) {
            WITC_CHECK(need_memory());
            unsigned natural = 0;
            switch (in.code) {
              case op::i32_load8_s: case op::i32_load8_u: case op::i64_load8_s: case op::i64_load8_u:
              case op::i32_store8: case op::i64_store8: natural = 0; break;
              case op::i32_load16_s: case op::i32_load16_u: case op::i64_load16_s: case op::i64_load16_u:
              case op::i32_store16: case op::i64_store16: natural = 1; break;
              case op::i32_load: case op::f32_load: case op::i64_load32_s: case op::i64_load32_u:
              case op::i32_store: case op::f32_store: case op::i64_store32: natural = 2; break;
              default: natural = 3; break;
            }
            if (in.a > natural) return err_at(at_, "alignment must not be larger than natural");
          }
          break;
      }
      // Fast path: the operand types come from a table built once from the signatures.
      const sig_info& si = sig_table()[static_cast<std::size_t>(in.code)];
      ctrl& c = ctrls_.back();
      for (int k = si.npop; k-- > 0;) {
        if (vals_.size() > c.height) {
          valtype got = vals_.back();
          if (got != si.pop[k] && got != valtype::unknown) return mismatch(si.pop[k], got);
          vals_.pop_back();
        } else if (!c.unreachable) {
          return err_at(at_, "type mismatch: operand stack is empty");
        }
      }
      if (si.npush) vals_.push_back(si.push);
      return ok;
    }
    switch (in.code) {
      case op::unreachable: set_unreachable(); break;
      case op::nop: break;
      case op::block:
      case op::loop:
      case op::if_: {
        WITC_TRY(auto bt, block_type(in));
        if (in.code == op::if_) {
          WITC_TRY(valtype t, pop(valtype::i32));
          (void)t;
        }
        WITC_CHECK(pop_all(bt.first));
        push_ctrl(in.code, bt.first, bt.second);
        break;
      }
      case op::else_: {
        if (ctrls_.empty() || ctrls_.back().kind != op::if_) return err_at(at_, "`else` without matching `if`");
        WITC_TRY(ctrl c, pop_ctrl());
        push_ctrl(op::else_, c.params, c.results);
        break;
      }
      case op::end: {
        WITC_TRY(ctrl c, pop_ctrl());
        // An `if` without `else` must leave its parameters as its results.
        if (c.kind == op::if_ && !std::equal(c.params.begin(), c.params.end(), c.results.begin(), c.results.end()))
          return err_at(at_, "type mismatch: `if` without `else` must have matching parameter and result types");
        push_all(c.results);
        break;
      }
      case op::br: {
        WITC_TRY(auto ts, label(in.a));
        WITC_CHECK(pop_all(ts));
        set_unreachable();
        break;
      }
      case op::br_if: {
        WITC_TRY(valtype t, pop(valtype::i32));
        (void)t;
        WITC_TRY(auto ts, label(in.a));
        WITC_CHECK(pop_all(ts));
        push_all(ts);
        break;
      }
      case op::br_table: {
        WITC_TRY(valtype t, pop(valtype::i32));
        (void)t;
        WITC_TRY(auto def, label(in.b));
        std::size_t arity = def.size();
        for (auto l : cr.table()) {
          WITC_TRY(auto ts, label(l));
          if (ts.size() != arity) return err_at(at_, "type mismatch: `br_table` targets have different arities");
          // Check each target against the stack without consuming it.
          std::vector<valtype> popped;
          for (std::size_t k = ts.size(); k-- > 0;) {
            WITC_TRY(valtype v, pop(ts[k]));
            popped.push_back(v);
          }
          for (std::size_t k = popped.size(); k-- > 0;) push(popped[k]);
        }
        WITC_CHECK(pop_all(def));
        set_unreachable();
        break;
      }
      case op::return_: {
        WITC_CHECK(pop_all(fn_results_));
        set_unreachable();
        break;
      }
      case op::call: {
        if (in.a >= m_.func_count()) return err_at(at_, fmt::format("unknown function {}", in.a));
        auto& ft = m_.types[m_.func_type_index(in.a)];
        WITC_CHECK(pop_all(ft.params));
        push_all(ft.results);
        break;
      }
      case op::call_indirect: {
        WITC_TRY(valtype et, table_elem(in.b));
        if (et != valtype::funcref) return err_at(at_, "type mismatch: `call_indirect` needs a `funcref` table");
        if (in.a >= m_.types.size()) return err_at(at_, fmt::format("unknown type {}", in.a));
        WITC_TRY(valtype t, pop(valtype::i32));
        (void)t;
        auto& ft = m_.types[in.a];
        WITC_CHECK(pop_all(ft.params));
        push_all(ft.results);
        break;
      }
      case op::drop: {
        WITC_TRY(valtype t, pop());
        (void)t;
        break;
      }
      case op::select: {
        WITC_TRY(valtype c, pop(valtype::i32));
        (void)c;
        WITC_TRY(valtype t1, pop());
        WITC_TRY(valtype t2, pop());
        if (!((is_num(t1) || t1 == valtype::unknown) && (is_num(t2) || t2 == valtype::unknown)))
          return err_at(at_, "type mismatch: `select` without a type needs numeric operands");
        if (t1 != t2 && t1 != valtype::unknown && t2 != valtype::unknown) return mismatch(t1, t2);
        push(t1 == valtype::unknown ? t2 : t1);
        break;
      }
      case op::select_t: {
        if (in.a != 1) return err_at(at_, "invalid result arity: `select` takes exactly one type");
        valtype t = static_cast<valtype>(in.b);
        WITC_TRY(valtype c, pop(valtype::i32));
        (void)c;
        WITC_TRY(valtype t1, pop(t));
        WITC_TRY(valtype t2, pop(t));
        (void)t1, (void)t2;
        push(t);
        break;
      }
      case op::local_get: {
        WITC_TRY(valtype t, local(in.a));
        push(t);
        break;
      }
      case op::local_set: {
        WITC_TRY(valtype t, local(in.a));
        WITC_TRY(valtype v, pop(t));
        (void)v;
        break;
      }
      case op::local_tee: {
        WITC_TRY(valtype t, local(in.a));
        WITC_TRY(valtype v, pop(t));
        (void)v;
        push(t);
        break;
      }
      case op::global_get: {
        if (in.a >= m_.global_count()) return err_at(at_, fmt::format("unknown global {}", in.a));
        push(m_.global_at(in.a).type);
        break;
      }
      case op::global_set: {
        if (in.a >= m_.global_count()) return err_at(at_, fmt::format("unknown global {}", in.a));
        auto gt = m_.global_at(in.a);
        if (!gt.mut) return err_at(at_, "global is immutable");
        WITC_TRY(valtype v, pop(gt.type));
        (void)v;
        break;
      }
      case op::table_get: {
        WITC_TRY(valtype t, table_elem(in.a));
        WITC_TRY(valtype i, pop(valtype::i32));
        (void)i;
        push(t);
        break;
      }
      case op::table_set: {
        WITC_TRY(valtype t, table_elem(in.a));
        WITC_TRY(valtype v, pop(t));
        WITC_TRY(valtype i, pop(valtype::i32));
        (void)v, (void)i;
        break;
      }
      case op::table_grow: {
        WITC_TRY(valtype t, table_elem(in.a));
        WITC_TRY(valtype n, pop(valtype::i32));
        WITC_TRY(valtype v, pop(t));
        (void)n, (void)v;
        push(valtype::i32);
        break;
      }
      case op::table_fill: {
        WITC_TRY(valtype t, table_elem(in.a));
        WITC_TRY(valtype n, pop(valtype::i32));
        WITC_TRY(valtype v, pop(t));
        WITC_TRY(valtype i, pop(valtype::i32));
        (void)n, (void)v, (void)i;
        break;
      }
      case op::elem_drop:
        if (in.a >= m_.elements.size()) return err_at(at_, fmt::format("unknown elem segment {}", in.a));
        break;
      case op::data_drop:
        if (!m_.data_count) return err_at(at_, "data count section required");
        if (in.a >= *m_.data_count) return err_at(at_, fmt::format("unknown data segment {}", in.a));
        break;
      case op::ref_null: push(static_cast<valtype>(in.a)); break;
      case op::ref_is_null: {
        WITC_TRY(valtype t, pop());
        if (!is_ref(t) && t != valtype::unknown) return err_at(at_, fmt::format("type mismatch: expected a reference, found `{}`", to_string(t)));
        push(valtype::i32);
        break;
      }
      case op::ref_func: {
        if (in.a >= m_.func_count()) return err_at(at_, fmt::format("unknown function {}", in.a));
        if (!refs_[in.a]) return err_at(at_, fmt::format("undeclared function reference {}", in.a));
        push(valtype::funcref);
        break;
      }
      default:
        return err_at(at_, fmt::format("illegal opcode `{}`", op_name(in.code)));
    }
    return ok;
  }
};

}  // namespace

result<void> validate_module(const module& m, validate_limits lim) {
  module_checker c(m, lim);
  return c.run();
}

result<std::shared_ptr<const module>> load_module(std::span<const std::uint8_t> bytes, std::uint32_t base) {
  WITC_TRY(auto m, decode_module(bytes, base));
  WITC_CHECK(validate_module(*m));
  return m;
}

}  // namespace witc::binary
