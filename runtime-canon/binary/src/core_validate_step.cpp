// The instructions of the function-body checker that are typed by hand (everything but
// the fixed-signature numeric ones, which `func_checker::run` takes from a table).
#include <fmt/format.h>

#include "core_detail.hpp"
#include "core_func_check.hpp"

namespace witc::binary::detail {


bool func_checker::step(std::uint8_t b) {
  switch (b) {
    case 0x00: set_unreachable(); return true;  // unreachable
    case 0x01: return true;                     // nop
    case 0x02:                                   // block
    case 0x03: {                                 // loop
      ctrl c{};
      if (!block_type(c) || !pop_all(c.params, c.nparams)) return false;
      return push_ctrl(b, c);
    }
    case 0x04: {  // if
      ctrl c{};
      if (!block_type(c) || !pop(valtype::i32) || !pop_all(c.params, c.nparams)) return false;
      return push_ctrl(b, c);
    }
    case 0x05: {  // else
      if (ctrls_.size() < 2 || ctrls_.back().kind != 0x04) return fail("`else` without matching `if`");
      ctrl c;
      if (!pop_ctrl(c)) return false;
      return push_ctrl(0x05, c);
    }
    case 0x0B: {  // end
      ctrl c;
      if (!pop_ctrl(c)) return false;
      const valtype* rs = c.results ? c.results : &c.single;
      if (c.kind == 0x04) {
        // An `if` without `else` must leave its parameters as its results.
        bool same = c.nparams == c.nresults;
        for (std::uint32_t k = 0; same && k < c.nparams; ++k) same = c.params[k] == rs[k];
        if (!same) return fail("type mismatch: `if` without `else` must have matching parameter and result types");
      }
      if (!ctrls_.empty()) push_all(rs, c.nresults);
      return true;
    }
    case 0x0C: {  // br
      std::uint32_t l = u32();
      const valtype* ts;
      std::uint32_t n;
      if (err_ || !label(l, ts, n) || !pop_all(ts, n)) return false;
      set_unreachable();
      return true;
    }
    case 0x0D: {  // br_if
      std::uint32_t l = u32();
      const valtype* ts;
      std::uint32_t n;
      if (err_ || !pop(valtype::i32) || !label(l, ts, n)) return false;
      // The label types are popped and pushed back as the label's own (not narrower) types.
      if (!pop_all(ts, n)) return false;
      push_all(ts, n);
      return true;
    }
    case 0x0E: {  // br_table
      std::uint32_t n = u32();
      if (err_) return false;
      if (n > static_cast<std::size_t>(end_ - p_)) return fail("unexpected end of section or function");
      if (!pop(valtype::i32)) return false;
      // Every target is checked against the operands without consuming them.
      const std::uint8_t* targets = p_;
      for (std::uint32_t k = 0; k < n; ++k) (void)u32();
      std::uint32_t def = u32();
      if (err_) return false;
      const valtype* dts;
      std::uint32_t arity;
      if (!label(def, dts, arity)) return false;
      const std::uint8_t* after = p_;
      p_ = targets;
      ctrl& c = ctrls_.back();
      ++br_table_gen_;
      for (std::uint32_t k = 0; k < n; ++k) {
        std::uint32_t l = u32();
        const valtype* ts;
        std::uint32_t m;
        if (!label(l, ts, m)) return false;
        if (m != arity) return fail("type mismatch: `br_table` targets have different arities");
        // Each target frame is checked once per `br_table`.
        ctrl& target = ctrls_[ctrls_.size() - 1 - l];
        if (target.checked == br_table_gen_) continue;
        target.checked = br_table_gen_;
        std::size_t avail = vals_.size() - c.height;
        for (std::uint32_t j = 0; j < m; ++j) {
          if (j >= avail) {
            if (!c.unreachable) return fail("type mismatch: operand stack is empty");
            continue;
          }
          valtype got = vals_[vals_.size() - 1 - j];
          if (!tc_.subtype(got, ts[m - 1 - j])) return mismatch(ts[m - 1 - j], got);
        }
      }
      p_ = after;
      if (!pop_all(dts, arity)) return false;
      set_unreachable();
      return true;
    }
    case 0x0F:  // return
      if (!pop_all(fn_->results.data(), static_cast<std::uint32_t>(fn_->results.size()))) return false;
      set_unreachable();
      return true;
    case 0x10:    // call
    case 0x12: {  // return_call
      std::uint32_t f = u32();
      if (err_) return false;
      if (f >= mi_.func_types.size()) return fail(fmt::format("unknown function {}", f));
      return call_common(m_.types[mi_.func_types[f]], b == 0x12);
    }
    case 0x11:    // call_indirect
    case 0x13: {  // return_call_indirect
      std::uint32_t type = u32();
      std::uint32_t t = u32();
      if (err_) return false;
      valtype elem = valtype::unknown, addr = valtype::unknown;
      if (!table(t, elem, addr)) return false;
      if (!tc_.subtype(elem, valtype::funcref)) return fail("type mismatch: `call_indirect` needs a `funcref` table");
      const func_type* ft;
      if (!func_type_at(type, ft) || !pop(addr)) return false;
      return call_common(*ft, b == 0x13);
    }
    case 0x14:    // call_ref
    case 0x15: {  // return_call_ref
      if (!f_.function_references) return unsupported("function-references");
      std::uint32_t type = u32();
      const func_type* ft;
      if (err_ || !func_type_at(type, ft) || !pop(make_ref(true, type, true))) return false;
      return call_common(*ft, b == 0x15);
    }
    case 0x08: {  // throw
      if (!f_.exceptions) return unsupported("exceptions");
      std::uint32_t tag = u32();
      if (err_) return false;
      if (tag >= mi_.tags.size()) return fail(fmt::format("unknown tag {}", tag));
      const func_type& ft = m_.types[mi_.tags[tag]];
      if (!pop_all(ft.params.data(), static_cast<std::uint32_t>(ft.params.size()))) return false;
      set_unreachable();
      return true;
    }
    case 0x0A:  // throw_ref
      if (!f_.exceptions) return unsupported("exceptions");
      if (!pop(valtype::exnref)) return false;
      set_unreachable();
      return true;
    case 0x1F: {  // try_table
      if (!f_.exceptions) return unsupported("exceptions");
      ctrl c{};
      if (!block_type(c)) return false;
      std::uint32_t n = u32();
      if (err_) return false;
      if (n > static_cast<std::size_t>(end_ - p_)) return fail("unexpected end of section or function");
      for (std::uint32_t k = 0; k < n; ++k) {
        std::uint8_t kind = byte();
        if (err_) return false;
        if (kind > 3) return fail(fmt::format("malformed catch clause kind {}", kind));
        scratch_.clear();
        if (kind < 2) {
          std::uint32_t tag = u32();
          if (err_) return false;
          if (tag >= mi_.tags.size()) return fail(fmt::format("unknown tag {}", tag));
          const func_type& ft = m_.types[mi_.tags[tag]];
          scratch_.assign(ft.params.begin(), ft.params.end());
        }
        if (kind == 1 || kind == 3) scratch_.push_back(make_ref(false, 0x69));
        std::uint32_t l = u32();
        const valtype* ts;
        std::uint32_t m;
        if (err_ || !label(l, ts, m)) return false;
        if (m != scratch_.size()) return fail("type mismatch: catch clause does not match its label");
        for (std::uint32_t j = 0; j < m; ++j)
          if (!tc_.subtype(scratch_[j], ts[j])) return mismatch(ts[j], scratch_[j]);
      }
      if (!pop_all(c.params, c.nparams)) return false;
      return push_ctrl(0x1F, c);
    }
    case 0x1A: {  // drop
      valtype t = valtype::unknown;
      return pop_any(t);
    }
    case 0x1B: {  // select
      valtype t1 = valtype::unknown, t2 = valtype::unknown;
      if (!pop(valtype::i32) || !pop_any(t1) || !pop_any(t2)) return false;
      bool n1 = is_num(t1) || t1 == valtype::v128 || t1 == valtype::unknown;
      bool n2 = is_num(t2) || t2 == valtype::v128 || t2 == valtype::unknown;
      if (!n1 || !n2) return fail("type mismatch: `select` without a type needs numeric operands");
      if (t1 != t2 && t1 != valtype::unknown && t2 != valtype::unknown) return mismatch(t1, t2);
      push(t1 == valtype::unknown ? t2 : t1);
      return true;
    }
    case 0x1C: {  // select t*
      std::uint32_t n = u32();
      if (err_) return false;
      if (n != 1) return fail("invalid result arity: `select` takes exactly one type");
      auto t = value_type();
      if (!t || !pop(valtype::i32) || !pop(*t) || !pop(*t)) return false;
      push(*t);
      return true;
    }
    case 0x20: {  // local.get
      std::uint32_t i = u32();
      valtype t = valtype::unknown;
      if (err_ || !local(i, t)) return false;
      if (track_init_ && !local_set_[i]) return fail(fmt::format("uninitialized local {}", i));
      push(t);
      return true;
    }
    case 0x21:    // local.set
    case 0x22: {  // local.tee
      std::uint32_t i = u32();
      valtype t = valtype::unknown;
      if (err_ || !local(i, t) || !pop(t)) return false;
      if (track_init_ && !local_set_[i]) {
        local_set_[i] = 1;
        init_stack_.push_back(i);
      }
      if (b == 0x22) push(t);
      return true;
    }
    case 0x23: {  // global.get
      std::uint32_t g = u32();
      if (err_) return false;
      if (g >= mi_.globals.size()) return fail(fmt::format("unknown global {}", g));
      push(mi_.globals[g].type);
      return true;
    }
    case 0x24: {  // global.set
      std::uint32_t g = u32();
      if (err_) return false;
      if (g >= mi_.globals.size()) return fail(fmt::format("unknown global {}", g));
      if (!mi_.globals[g].mut) return fail("global is immutable");
      return pop(mi_.globals[g].type);
    }
    case 0x25:    // table.get
    case 0x26: {  // table.set
      std::uint32_t t = u32();
      valtype elem = valtype::unknown, addr = valtype::unknown;
      if (err_ || !table(t, elem, addr)) return false;
      if (b == 0x25) {
        if (!pop(addr)) return false;
        push(elem);
        return true;
      }
      return pop(elem) && pop(addr);
    }
    case 0x3F:    // memory.size
    case 0x40: {  // memory.grow
      const std::uint8_t* at = p_;
      std::uint32_t m = u32();
      valtype addr = valtype::unknown;
      if (err_) return false;
      if ((m != 0 || p_ - at != 1) && !f_.multi_memory) return fail("zero byte expected");
      if (!mem(m, addr)) return false;
      if (b == 0x40 && !pop(addr)) return false;
      push(addr);
      return true;
    }
    case 0xD0: {  // ref.null
      auto h = heap_type();
      if (!h) return false;
      push(*h);
      return true;
    }
    case 0xD1: {  // ref.is_null
      valtype t = valtype::unknown;
      if (!pop_any(t)) return false;
      if (!is_ref(t) && t != valtype::unknown) return fail(fmt::format("type mismatch: expected a reference, found `{}`", type_name(t)));
      push(valtype::i32);
      return true;
    }
    case 0xD2: {  // ref.func
      std::uint32_t f = u32();
      if (err_) return false;
      if (f >= mi_.func_types.size()) return fail(fmt::format("unknown function {}", f));
      if (!mi_.refs[f]) return fail(fmt::format("undeclared function reference {}", f));
      push(f_.function_references || f_.gc ? make_ref(false, mi_.func_types[f], true) : valtype::funcref);
      return true;
    }
    case 0xD3: {  // ref.eq
      if (!f_.gc) return unsupported("gc");
      return pop(valtype::eqref) && pop(valtype::eqref) && (push(valtype::i32), true);
    }
    case 0xD4: {  // ref.as_non_null
      if (!f_.function_references) return unsupported("function-references");
      valtype t = valtype::unknown;
      if (!pop_any(t)) return false;
      if (t != valtype::unknown && !is_ref(t)) return fail(fmt::format("type mismatch: expected a reference, found `{}`", type_name(t)));
      push(t == valtype::unknown ? t : with_nullable(t, false));
      return true;
    }
    case 0xD5:    // br_on_null
    case 0xD6: {  // br_on_non_null
      if (!f_.function_references) return unsupported("function-references");
      std::uint32_t l = u32();
      if (err_) return false;
      valtype t = valtype::unknown;
      if (!pop_any(t)) return false;
      if (t != valtype::unknown && !is_ref(t)) return fail(fmt::format("type mismatch: expected a reference, found `{}`", type_name(t)));
      const valtype* ts;
      std::uint32_t n;
      if (!label(l, ts, n)) return false;
      if (b == 0xD5) {
        if (!pop_all(ts, n)) return false;
        push_all(ts, n);
        push(t == valtype::unknown ? t : with_nullable(t, false));
        return true;
      }
      // br_on_non_null: the label takes the values plus the non-null reference last.
      if (n == 0) return fail("type mismatch: `br_on_non_null` needs a label with a reference result");
      valtype nn = t == valtype::unknown ? t : with_nullable(t, false);
      if (!tc_.subtype(nn, ts[n - 1])) return mismatch(ts[n - 1], nn);
      if (!pop_all(ts, n - 1)) return false;
      push_all(ts, n - 1);
      return true;
    }
    case 0xFC: return prefixed_fc();
    case 0xFB: return prefixed_fb();
    default:
      if (b >= 0x28 && b <= 0x3E) {
        valtype addr = valtype::unknown;
        if (!memarg(natural_of(b), addr)) return false;
        valtype v = mem_value(b);
        if (b <= 0x35) {
          if (!pop(addr)) return false;
          push(v);
          return true;
        }
        return pop(v) && pop(addr);
      }
      if (b == 0x06 || b == 0x07 || b == 0x18 || b == 0x19) return unsupported("legacy-exceptions");
      if (b == 0xFD) return unsupported("simd");
      if (b == 0xFE) return unsupported("threads");
      return fail(fmt::format("illegal opcode {:#04x}", b));
  }
}

bool func_checker::prefixed_fc() {
  std::uint32_t sub = u32();
  if (err_) return false;
  if (sub <= 7) {  // the saturating truncations
    static constexpr valtype from[] = {valtype::f32, valtype::f32, valtype::f64, valtype::f64,
                                       valtype::f32, valtype::f32, valtype::f64, valtype::f64};
    if (!pop(from[sub])) return false;
    push(sub < 4 ? valtype::i32 : valtype::i64);
    return true;
  }
  auto mem_idx = [&](std::uint32_t& m) {
    const std::uint8_t* at = p_;
    m = u32();
    if (err_) return false;
    if ((m != 0 || p_ - at != 1) && !f_.multi_memory) return fail("zero byte expected");
    return true;
  };
  switch (sub) {
    case 8: {  // memory.init
      std::uint32_t d = u32(), m;
      valtype addr = valtype::unknown;
      if (err_ || !mem_idx(m) || !mem(m, addr)) return false;
      if (!m_.data_count) return fail("data count section required");
      if (d >= *m_.data_count) return fail(fmt::format("unknown data segment {}", d));
      return pop(valtype::i32) && pop(valtype::i32) && pop(addr);
    }
    case 9: {  // data.drop
      std::uint32_t d = u32();
      if (err_) return false;
      if (!m_.data_count) return fail("data count section required");
      if (d >= *m_.data_count) return fail(fmt::format("unknown data segment {}", d));
      return true;
    }
    case 10: {  // memory.copy
      std::uint32_t dm, sm;
      valtype da, sa;
      if (!mem_idx(dm) || !mem_idx(sm) || !mem(dm, da) || !mem(sm, sa)) return false;
      valtype n = da == valtype::i64 && sa == valtype::i64 ? valtype::i64 : valtype::i32;
      return pop(n) && pop(sa) && pop(da);
    }
    case 11: {  // memory.fill
      std::uint32_t m;
      valtype addr = valtype::unknown;
      if (!mem_idx(m) || !mem(m, addr)) return false;
      return pop(addr) && pop(valtype::i32) && pop(addr);
    }
    case 12: {  // table.init elem table
      std::uint32_t e = u32(), t = u32();
      valtype elem = valtype::unknown, addr = valtype::unknown;
      if (err_ || !table(t, elem, addr)) return false;
      if (e >= m_.elements.size()) return fail(fmt::format("unknown elem segment {}", e));
      if (!tc_.subtype(elem_type(e), elem)) return fail("type mismatch: element segment and table types differ");
      return pop(valtype::i32) && pop(valtype::i32) && pop(addr);
    }
    case 13: {  // elem.drop
      std::uint32_t e = u32();
      if (err_) return false;
      if (e >= m_.elements.size()) return fail(fmt::format("unknown elem segment {}", e));
      return true;
    }
    case 14: {  // table.copy dst src
      std::uint32_t d = u32(), s = u32();
      valtype de, da, se, sa;
      if (err_ || !table(d, de, da) || !table(s, se, sa)) return false;
      if (!tc_.subtype(se, de)) return fail("type mismatch: tables have different element types");
      valtype n = da == valtype::i64 && sa == valtype::i64 ? valtype::i64 : valtype::i32;
      return pop(n) && pop(sa) && pop(da);
    }
    case 15: {  // table.grow
      std::uint32_t t = u32();
      valtype elem = valtype::unknown, addr = valtype::unknown;
      if (err_ || !table(t, elem, addr)) return false;
      if (!pop(addr) || !pop(elem)) return false;
      push(addr);
      return true;
    }
    case 16: {  // table.size
      std::uint32_t t = u32();
      valtype elem = valtype::unknown, addr = valtype::unknown;
      if (err_ || !table(t, elem, addr)) return false;
      push(addr);
      return true;
    }
    case 17: {  // table.fill
      std::uint32_t t = u32();
      valtype elem = valtype::unknown, addr = valtype::unknown;
      if (err_ || !table(t, elem, addr)) return false;
      return pop(addr) && pop(elem) && pop(addr);
    }
    default:
      return fail(fmt::format("illegal opcode 0xfc {:#x}", sub));
  }
}

bool func_checker::gc_type(std::uint32_t t, sub_kind want, const sub_type*& d) {
  if (t >= m_.types.size()) return fail(fmt::format("unknown type {}", t));
  d = &m_.type_defs[t];
  if (d->kind != want)
    return fail(fmt::format("type mismatch: type {} is not a {} type", t, want == sub_kind::struct_ ? "struct" : "array"));
  return true;
}

bool func_checker::gc_field(const sub_type& d, std::uint32_t i, const field_type*& f) {
  if (i >= d.fields.size()) return fail(fmt::format("unknown field {}", i));
  f = &d.fields[i];
  return true;
}

bool func_checker::prefixed_fb() {
  std::uint32_t sub = u32();
  if (err_) return false;
  if (!f_.gc) return unsupported("gc");
  auto unpacked = [](const field_type& f) { return f.packed ? valtype::i32 : f.type; };
  auto ref_to = [](std::uint32_t t, bool nullable) { return make_ref(nullable, t, true); };
  const sub_type* d = nullptr;
  const field_type* fld = nullptr;
  switch (sub) {
    case 0:    // struct.new
    case 1: {  // struct.new_default
      std::uint32_t t = u32();
      if (err_ || !gc_type(t, sub_kind::struct_, d)) return false;
      if (sub == 0) {
        for (std::size_t k = d->fields.size(); k-- > 0;)
          if (!pop(unpacked(d->fields[k]))) return false;
      } else {
        for (auto& f : d->fields)
          if (!tc_.defaultable(f.type)) return fail(fmt::format("type {} has a field without a default value", t));
      }
      push(ref_to(t, false));
      return true;
    }
    case 2: case 3: case 4: {  // struct.get(_s/_u)
      std::uint32_t t = u32(), i = u32();
      if (err_ || !gc_type(t, sub_kind::struct_, d) || !gc_field(*d, i, fld)) return false;
      if ((sub == 2) != (fld->packed == 0)) return fail(sub == 2 ? "type mismatch: packed field needs `struct.get_s` or `struct.get_u`" : "type mismatch: field is not packed");
      if (!pop(ref_to(t, true))) return false;
      push(unpacked(*fld));
      return true;
    }
    case 5: {  // struct.set
      std::uint32_t t = u32(), i = u32();
      if (err_ || !gc_type(t, sub_kind::struct_, d) || !gc_field(*d, i, fld)) return false;
      if (!fld->mut) return fail("field is immutable");
      return pop(unpacked(*fld)) && pop(ref_to(t, true));
    }
    case 6: case 7: case 8: {  // array.new, array.new_default, array.new_fixed
      std::uint32_t t = u32();
      std::uint32_t n = sub == 8 ? u32() : 0;
      if (err_ || !gc_type(t, sub_kind::array, d) || !gc_field(*d, 0, fld)) return false;
      if (sub == 6) {
        if (!pop(valtype::i32) || !pop(unpacked(*fld))) return false;
      } else if (sub == 7) {
        if (!tc_.defaultable(fld->type)) return fail(fmt::format("type {} has an element without a default value", t));
        if (!pop(valtype::i32)) return false;
      } else {
        // Below the frame's height only unreachable code may pop, and those pops are free.
        std::size_t avail = vals_.size() - ctrls_.back().height;
        if (n > avail && !ctrls_.back().unreachable) return fail("type mismatch: operand stack is empty");
        for (std::size_t k = 0; k < n && k < avail; ++k)
          if (!pop(unpacked(*fld))) return false;
      }
      push(ref_to(t, false));
      return true;
    }
    case 9: case 10: {  // array.new_data, array.new_elem
      std::uint32_t t = u32(), seg = u32();
      if (err_ || !gc_type(t, sub_kind::array, d) || !gc_field(*d, 0, fld)) return false;
      if (sub == 9) {
        if (is_ref(fld->type)) return fail("type mismatch: array type is not numeric or vector");
        if (!m_.data_count) return fail("data count section required");
        if (seg >= *m_.data_count) return fail(fmt::format("unknown data segment {}", seg));
      } else {
        if (seg >= m_.elements.size()) return fail(fmt::format("unknown elem segment {}", seg));
        if (!tc_.subtype(elem_type(seg), fld->type)) return fail("type mismatch: element segment does not match the array type");
      }
      if (!pop(valtype::i32) || !pop(valtype::i32)) return false;
      push(ref_to(t, false));
      return true;
    }
    case 11: case 12: case 13: {  // array.get(_s/_u)
      std::uint32_t t = u32();
      if (err_ || !gc_type(t, sub_kind::array, d) || !gc_field(*d, 0, fld)) return false;
      if ((sub == 11) != (fld->packed == 0)) return fail(sub == 11 ? "type mismatch: packed array needs `array.get_s` or `array.get_u`" : "type mismatch: array is not packed");
      if (!pop(valtype::i32) || !pop(ref_to(t, true))) return false;
      push(unpacked(*fld));
      return true;
    }
    case 14: {  // array.set
      std::uint32_t t = u32();
      if (err_ || !gc_type(t, sub_kind::array, d) || !gc_field(*d, 0, fld)) return false;
      if (!fld->mut) return fail("array is immutable");
      return pop(unpacked(*fld)) && pop(valtype::i32) && pop(ref_to(t, true));
    }
    case 15:  // array.len
      if (!pop(valtype::arrayref)) return false;
      push(valtype::i32);
      return true;
    case 16: {  // array.fill
      std::uint32_t t = u32();
      if (err_ || !gc_type(t, sub_kind::array, d) || !gc_field(*d, 0, fld)) return false;
      if (!fld->mut) return fail("array is immutable");
      return pop(valtype::i32) && pop(unpacked(*fld)) && pop(valtype::i32) && pop(ref_to(t, true));
    }
    case 17: {  // array.copy
      std::uint32_t t1 = u32(), t2 = u32();
      const sub_type* d2;
      const field_type* f2;
      if (err_ || !gc_type(t1, sub_kind::array, d) || !gc_field(*d, 0, fld) || !gc_type(t2, sub_kind::array, d2) ||
          !gc_field(*d2, 0, f2))
        return false;
      if (!fld->mut) return fail("array is immutable");
      bool storage_ok = fld->packed ? f2->packed == fld->packed : (!f2->packed && tc_.subtype(f2->type, fld->type));
      if (!storage_ok) return fail("type mismatch: array types do not match");
      return pop(valtype::i32) && pop(valtype::i32) && pop(ref_to(t2, true)) && pop(valtype::i32) && pop(ref_to(t1, true));
    }
    case 18: case 19: {  // array.init_data, array.init_elem
      std::uint32_t t = u32(), seg = u32();
      if (err_ || !gc_type(t, sub_kind::array, d) || !gc_field(*d, 0, fld)) return false;
      if (!fld->mut) return fail("array is immutable");
      if (sub == 18) {
        if (is_ref(fld->type)) return fail("type mismatch: array type is not numeric or vector");
        if (!m_.data_count) return fail("data count section required");
        if (seg >= *m_.data_count) return fail(fmt::format("unknown data segment {}", seg));
      } else {
        if (seg >= m_.elements.size()) return fail(fmt::format("unknown elem segment {}", seg));
        if (!tc_.subtype(elem_type(seg), fld->type)) return fail("type mismatch: element segment does not match the array type");
      }
      return pop(valtype::i32) && pop(valtype::i32) && pop(valtype::i32) && pop(ref_to(t, true));
    }
    case 20: case 21: case 22: case 23: {  // ref.test, ref.test null, ref.cast, ref.cast null
      auto h = heap_type();
      if (!h) return false;
      valtype rt = with_nullable(*h, sub == 21 || sub == 23);
      valtype got = valtype::unknown;
      if (!pop_any(got)) return false;
      valtype top = tc_.top_of(rt);
      if (got != valtype::unknown && !tc_.subtype(got, top)) return mismatch(top, got);
      push(sub <= 21 ? valtype::i32 : rt);
      return true;
    }
    case 24: case 25: {  // br_on_cast, br_on_cast_fail
      std::uint8_t flags = byte();
      std::uint32_t l = u32();
      if (err_) return false;
      if (flags > 3) return fail("malformed `br_on_cast` flags");
      auto h1 = heap_type();
      if (!h1) return false;
      auto h2 = heap_type();
      if (!h2) return false;
      valtype rt1 = with_nullable(*h1, flags & 1), rt2 = with_nullable(*h2, flags & 2);
      if (!tc_.subtype(rt2, rt1)) return fail("type mismatch: the cast type must be a subtype of the input type");
      const valtype* ts;
      std::uint32_t n;
      if (!label(l, ts, n)) return false;
      if (n == 0) return fail("type mismatch: the label needs a reference result");
      // rt1 minus rt2: non-null when the cast accepts null.
      valtype diff = (flags & 2) ? with_nullable(rt1, false) : rt1;
      valtype to_label = sub == 24 ? rt2 : diff;
      valtype fallthrough = sub == 24 ? diff : rt2;
      if (!tc_.subtype(to_label, ts[n - 1])) return mismatch(ts[n - 1], to_label);
      if (!pop(rt1) || !pop_all(ts, n - 1)) return false;
      push_all(ts, n - 1);
      push(fallthrough);
      return true;
    }
    case 26: {  // any.convert_extern
      valtype t = valtype::unknown;
      if (!pop_any(t)) return false;
      if (t != valtype::unknown && !tc_.subtype(t, valtype::externref)) return mismatch(valtype::externref, t);
      push(t == valtype::unknown ? valtype::anyref : with_nullable(valtype::anyref, ref_nullable(t)));
      return true;
    }
    case 27: {  // extern.convert_any
      valtype t = valtype::unknown;
      if (!pop_any(t)) return false;
      if (t != valtype::unknown && !tc_.subtype(t, valtype::anyref)) return mismatch(valtype::anyref, t);
      push(t == valtype::unknown ? valtype::externref : with_nullable(valtype::externref, ref_nullable(t)));
      return true;
    }
    case 28:  // ref.i31
      if (!pop(valtype::i32)) return false;
      push(make_ref(false, 0x6C));
      return true;
    case 29:
    case 30:  // i31.get_s/u
      if (!pop(valtype::i31ref)) return false;
      push(valtype::i32);
      return true;
    default:
      return fail(fmt::format("illegal opcode 0xfb {:#x}", sub));
  }
}

}  // namespace witc::binary::detail
