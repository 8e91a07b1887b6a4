// Translation of validated function bodies into threaded code, once per module.
// The operand stack lives in 64-bit slots above the locals; every instruction's stack
// effect is known statically, so branches carry their destination height and arity and
// never inspect types at run time.
#include <fmt/format.h>

#include "internal.hpp"

namespace witc::engine::detail {

namespace {

using binary::code_reader;
using binary::instr;
using binary::op;

struct cframe {
  op kind;
  std::uint32_t base;      // stack height (from fp) below the block's parameters
  std::uint32_t nparams;
  std::uint32_t nresults;
  std::size_t loop_start;  // loops: where a branch goes
  std::vector<std::size_t> fixups;  // slots to patch with the end address
  std::size_t else_fixup = SIZE_MAX;
};

class translator {
 public:
  translator(const binary::module& m, const void* const* h) : m_(m), h_(h) {}

  result<compiled_func> run(std::uint32_t defined) {
    const binary::code& c = m_.codes[defined];
    const func_type& ft = m_.types[m_.functions[defined]];
    compiled_func f;
    f.index = m_.imported_funcs + defined;
    f.nparams = static_cast<std::uint32_t>(ft.params.size());
    f.nresults = static_cast<std::uint32_t>(ft.results.size());
    f.nlocals = static_cast<std::uint32_t>(ft.params.size() + c.local_count);
    code_ = &f.code;
    code_->reserve(c.body.size() * 2 + 8);
    h_cur_ = f.nlocals;
    max_ = h_cur_;
    ctrls_.clear();
    ctrls_.push_back(cframe{op::block, f.nlocals, 0, f.nresults, 0, {}, SIZE_MAX});
    code_reader cr(c.body, c.offset);
    dead_ = false;
    skip_depth_ = 0;
    while (!ctrls_.empty()) {
      if (cr.at_end()) return fail(diagnostic::error(span{cr.global_offset(), cr.global_offset() + 1}, "missing `end`"));
      WITC_TRY(instr in, cr.next());
      step(in, cr);
      if (h_cur_ > max_) max_ = h_cur_;
    }
    // Branch targets were recorded as offsets; turn them into addresses now that the
    // code no longer moves.
    for (std::size_t at : relocs_) f.code[at] = reinterpret_cast<std::uint64_t>(f.code.data() + f.code[at]);
    relocs_.clear();
    f.max_height = max_ + 8;
    return f;
  }

 private:
  const binary::module& m_;
  const void* const* h_;
  std::vector<std::uint64_t>* code_ = nullptr;
  std::vector<cframe> ctrls_;
  std::vector<std::size_t> relocs_;
  std::uint32_t h_cur_ = 0;
  std::uint32_t max_ = 0;
  bool dead_ = false;
  std::uint32_t skip_depth_ = 0;

  void emit_op(unsigned o) { code_->push_back(reinterpret_cast<std::uint64_t>(h_[o])); }
  void emit(std::uint64_t v) { code_->push_back(v); }
  std::size_t here() const { return code_->size(); }
  // A branch-target slot; `target` is an offset, relocated at the end.
  void emit_target(std::size_t target) {
    relocs_.push_back(here());
    emit(target);
  }
  void patch(std::size_t at, std::size_t target) { (*code_)[at] = target; }

  std::pair<std::uint32_t, std::uint32_t> block_arity(const instr& in) const {
    if (in.a == 0) return {0, 0};
    if (in.a == 1) return {0, 1};
    auto& ft = m_.types[in.b];
    return {static_cast<std::uint32_t>(ft.params.size()), static_cast<std::uint32_t>(ft.results.size())};
  }

  // Emits a branch to label `l` (0 = innermost) from the current height.
  void branch(std::uint32_t l, bool conditional) {
    cframe& t = ctrls_[ctrls_.size() - 1 - l];
    std::uint32_t arity = t.kind == op::loop ? t.nparams : t.nresults;
    bool move = h_cur_ != t.base + arity;
    if (move) {
      emit_op(conditional ? iop_br_if_move : iop_br_move);
    } else {
      emit_op(conditional ? static_cast<unsigned>(op::br_if) : static_cast<unsigned>(op::br));
    }
    if (t.kind == op::loop) {
      emit_target(t.loop_start);
    } else {
      t.fixups.push_back(here());
      relocs_.push_back(here());
      emit(0);
    }
    if (move) {
      emit(t.base);
      emit(arity);
    }
  }

  void step(const instr& in, code_reader& cr) {
    if (dead_) {
      // Unreachable code is validated but never run: skip to the end of the block.
      switch (in.code) {
        case op::block: case op::loop: case op::if_: ++skip_depth_; return;
        case op::else_: if (skip_depth_ > 0) return; break;
        case op::end: if (skip_depth_ > 0) { --skip_depth_; return; } break;
        default: return;
      }
      dead_ = false;
    }
    std::string_view sig = binary::op_signature(in.code);
    if (!sig.empty()) {
      auto gt = sig.find('>');
      unsigned pops = static_cast<unsigned>(gt), pushes = static_cast<unsigned>(sig.size() - gt - 1);
      switch (in.code) {
        case op::i32_const:
        case op::i64_const:
        case op::f32_const:
        case op::f64_const:
          emit_op(iop_const);
          emit(in.code == op::i32_const ? static_cast<std::uint32_t>(in.c) : in.c);
          break;
        case op::memory_init:
        case op::table_init:
        case op::table_copy:
          emit_op(static_cast<unsigned>(in.code));
          emit(in.a);
          emit(in.b);
          break;
        case op::table_size:
          emit_op(static_cast<unsigned>(in.code));
          emit(in.a);
          break;
        default:
          emit_op(static_cast<unsigned>(in.code));
          if (static_cast<unsigned>(in.code) >= 0x28 && static_cast<unsigned>(in.code) <= 0x3E) emit(in.b);
          break;
      }
      h_cur_ = h_cur_ - pops + pushes;
      return;
    }
    switch (in.code) {
      case op::unreachable:
        emit_op(static_cast<unsigned>(op::unreachable));
        dead_ = true;
        break;
      case op::nop: break;
      case op::block: {
        auto [np, nr] = block_arity(in);
        ctrls_.push_back(cframe{op::block, h_cur_ - np, np, nr, 0, {}, SIZE_MAX});
        break;
      }
      case op::loop: {
        auto [np, nr] = block_arity(in);
        std::size_t start = here();
        emit_op(iop_loop_check);
        ctrls_.push_back(cframe{op::loop, h_cur_ - np, np, nr, start, {}, SIZE_MAX});
        break;
      }
      case op::if_: {
        auto [np, nr] = block_arity(in);
        --h_cur_;
        emit_op(iop_br_unless);
        std::size_t fix = here();
        relocs_.push_back(fix);
        emit(0);
        ctrls_.push_back(cframe{op::if_, h_cur_ - np, np, nr, 0, {}, fix});
        break;
      }
      case op::else_: {
        cframe& f = ctrls_.back();
        if (h_cur_ == f.base + f.nresults || true) {
          // Reached only when the then-branch falls through (dead_ is false here).
          emit_op(static_cast<unsigned>(op::br));
          f.fixups.push_back(here());
          relocs_.push_back(here());
          emit(0);
        }
        patch(f.else_fixup, here());
        f.else_fixup = SIZE_MAX;
        f.kind = op::else_;
        h_cur_ = f.base + f.nparams;
        break;
      }
      case op::end: {
        cframe f = std::move(ctrls_.back());
        ctrls_.pop_back();
        if (f.else_fixup != SIZE_MAX) patch(f.else_fixup, here());
        for (std::size_t at : f.fixups) patch(at, here());
        h_cur_ = f.base + f.nresults;
        if (ctrls_.empty()) {
          emit_op(static_cast<unsigned>(op::return_));
          emit(f.nresults);
        }
        break;
      }
      case op::br:
        branch(in.a, false);
        dead_ = true;
        break;
      case op::br_if:
        --h_cur_;
        branch(in.a, true);
        break;
      case op::br_table: {
        --h_cur_;
        emit_op(static_cast<unsigned>(op::br_table));
        auto targets = cr.table();
        emit(targets.size());
        auto entry = [&](std::uint32_t l) {
          cframe& t = ctrls_[ctrls_.size() - 1 - l];
          std::uint32_t arity = t.kind == op::loop ? t.nparams : t.nresults;
          if (t.kind == op::loop) {
            emit_target(t.loop_start);
          } else {
            t.fixups.push_back(here());
            relocs_.push_back(here());
            emit(0);
          }
          emit(t.base);
          emit(arity);
        };
        for (auto l : targets) entry(l);
        entry(in.b);
        dead_ = true;
        break;
      }
      case op::return_:
        emit_op(static_cast<unsigned>(op::return_));
        emit(ctrls_.front().nresults);
        dead_ = true;
        break;
      case op::call: {
        auto& ft = m_.types[m_.func_type_index(in.a)];
        emit_op(static_cast<unsigned>(op::call));
        emit(in.a);
        h_cur_ = h_cur_ - static_cast<std::uint32_t>(ft.params.size()) + static_cast<std::uint32_t>(ft.results.size());
        max_ = std::max<std::uint32_t>(max_, h_cur_ + static_cast<std::uint32_t>(ft.params.size()));
        break;
      }
      case op::call_indirect: {
        auto& ft = m_.types[in.a];
        emit_op(static_cast<unsigned>(op::call_indirect));
        emit(in.a);
        emit(in.b);
        --h_cur_;
        h_cur_ = h_cur_ - static_cast<std::uint32_t>(ft.params.size()) + static_cast<std::uint32_t>(ft.results.size());
        max_ = std::max<std::uint32_t>(max_, h_cur_ + static_cast<std::uint32_t>(ft.params.size()));
        break;
      }
      case op::drop:
        emit_op(static_cast<unsigned>(op::drop));
        --h_cur_;
        break;
      case op::select:
      case op::select_t:
        emit_op(static_cast<unsigned>(op::select));
        h_cur_ -= 2;
        break;
      case op::local_get:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        ++h_cur_;
        break;
      case op::local_set:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        --h_cur_;
        break;
      case op::local_tee:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        break;
      case op::global_get:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        ++h_cur_;
        break;
      case op::global_set:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        --h_cur_;
        break;
      case op::table_get:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        break;
      case op::table_set:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        h_cur_ -= 2;
        break;
      case op::table_grow:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        --h_cur_;
        break;
      case op::table_fill:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        h_cur_ -= 3;
        break;
      case op::elem_drop:
      case op::data_drop:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        break;
      case op::ref_null:
        emit_op(iop_const);
        emit(0);
        ++h_cur_;
        break;
      case op::ref_is_null:
        emit_op(static_cast<unsigned>(in.code));
        break;
      case op::ref_func:
        emit_op(static_cast<unsigned>(in.code));
        emit(in.a);
        ++h_cur_;
        break;
      default:
        break;
    }
  }
};

}  // namespace

result<std::vector<compiled_func>> compile_functions(const binary::module& m) {
  std::vector<compiled_func> out;
  out.reserve(m.codes.size());
  translator t(m, handlers());
  for (std::uint32_t i = 0; i < m.codes.size(); ++i) {
    WITC_TRY(compiled_func f, t.run(i));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace witc::engine::detail
