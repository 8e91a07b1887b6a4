// Translation of validated function bodies into register-style threaded code, once per
// module.
//
// Every value has a frame slot: locals first, then the function's distinct constants
// (copied in at entry), then one home slot per operand-stack position. Instructions
// name their operand and result slots, so `local.get a; local.get b; i32.add; local.set c`
// becomes the single instruction `c = a + b`. The translator keeps a virtual operand stack
// whose entries may still live in a local or constant slot; they are copied to their home
// slot ("materialised") only when a control-flow join, a call or a write to that local
// needs it.
#include <fmt/format.h>

#include <array>
#include <unordered_map>

#include "internal.hpp"

namespace witc::engine::detail {

namespace {

using binary::code_reader;
using binary::instr;
using binary::op;

constexpr std::uint32_t stack_tag = 0x80000000u;  // operand names a stack home, fixed up later

struct ventry {
  enum kind_t : std::uint8_t { home, local, konst } kind;
  std::uint32_t slot;  // local index or constant slot (kind != home)
};

struct cframe {
  op kind;
  std::uint32_t base;  // virtual-stack height below the block's parameters
  std::uint32_t nparams;
  std::uint32_t nresults;
  std::size_t loop_start;
  std::vector<std::size_t> fixups;  // words to patch with the end address
  std::size_t else_fixup = SIZE_MAX;
};

// The control stack; frames are reused so their fixup lists keep their capacity (no
// allocation per block once the deepest nesting has been seen).
class ctrl_stack {
 public:
  void clear() { n_ = 0; }
  [[nodiscard]] bool empty() const { return n_ == 0; }
  [[nodiscard]] std::size_t size() const { return n_; }
  cframe& back() { return v_[n_ - 1]; }
  cframe& front() { return v_[0]; }
  cframe& operator[](std::size_t i) { return v_[i]; }
  void push(op kind, std::uint32_t base, std::uint32_t np, std::uint32_t nr, std::size_t loop_start,
            std::size_t else_fixup) {
    if (n_ == v_.size()) v_.emplace_back();
    cframe& f = v_[n_++];
    f.kind = kind;
    f.base = base;
    f.nparams = np;
    f.nresults = nr;
    f.loop_start = loop_start;
    f.fixups.clear();
    f.else_fixup = else_fixup;
  }
  void pop_back() { --n_; }  // the frame stays readable until the next push

 private:
  std::vector<cframe> v_;
  std::size_t n_ = 0;
};

class translator {
 public:
  translator(const binary::module& m, const void* const* h, bool guarded) : m_(m), h_(h), guarded_(guarded) {}

  result<compiled_func> run(std::uint32_t defined) {
    const binary::code& c = m_.codes[defined];
    const func_type& ft = m_.types[m_.functions[defined]];
    compiled_func f;
    f.index = m_.imported_funcs + defined;
    f.nparams = static_cast<std::uint32_t>(ft.params.size());
    f.nresults = static_cast<std::uint32_t>(ft.results.size());
    f.nlocals = static_cast<std::uint32_t>(ft.params.size() + c.local_count);
    nlocals_ = f.nlocals;
    // Emit into a scratch buffer reused across functions (warm, no page faults), then
    // copy out exactly what was emitted.
    code_ = &scratch_;
    code_->clear();
    code_->reserve(c.body.size() * 2 + 8);
    consts_.clear();
    if (!const_index_.empty()) const_index_.clear();
    fixups_.clear();
    relocs_.clear();
    vs_.clear();
    max_ = 0;
    local_refs_.assign(f.nlocals, 0);
    written_.assign(f.nlocals, false);
    in_entry_ = true;
    nparams_ = f.nparams;
    last_dst_ = SIZE_MAX;
    last_copy_ = SIZE_MAX;
    addimm_start_ = SIZE_MAX;
    ctrls_.clear();
    ctrls_.push(op::block, 0, 0, f.nresults, 0, SIZE_MAX);
    code_reader cr(c.body, c.offset);
    dead_ = false;
    skip_depth_ = 0;
    while (!ctrls_.empty()) {
      if (cr.at_end()) return fail(diagnostic::error(span{cr.global_offset(), cr.global_offset() + 1}, "missing `end`"));
      WITC_TRY(instr in, cr.next());
      step(in, cr);
    }
    std::uint32_t nconsts = static_cast<std::uint32_t>(consts_.size());
    std::uint32_t stack_base = f.nlocals + nconsts;
    f.code.assign(scratch_.begin(), scratch_.end());
    for (auto [at, shift] : fixups_) {
      if (at == SIZE_MAX) continue;
      std::uint64_t w = f.code[at];
      std::uint32_t v = static_cast<std::uint32_t>(w >> shift);
      v = (v & ~stack_tag) + stack_base;
      w = (w & ~(0xFFFFFFFFull << shift)) | (static_cast<std::uint64_t>(v) << shift);
      f.code[at] = w;
    }
    for (std::size_t at : relocs_) f.code[at] = reinterpret_cast<std::uint64_t>(f.code.data() + f.code[at]);
    f.frame_init.assign(f.nlocals - f.nparams, 0);
    f.frame_init.insert(f.frame_init.end(), consts_.begin(), consts_.end());
    f.consts = std::move(consts_);
    f.frame_size = stack_base + max_ + 4;
    return f;
  }

 private:
  const binary::module& m_;
  const void* const* h_;
  bool guarded_;  // memories have guard pages: loads and stores use the unchecked handlers
  std::vector<std::uint64_t>* code_ = nullptr;
  std::vector<std::uint64_t> scratch_;
  std::uint32_t nlocals_ = 0;
  ctrl_stack ctrls_;
  std::vector<ventry> vs_;
  std::vector<std::uint32_t> local_refs_;
  // Until the first join (`loop`, `else`, `end`) every path from the entry is straight
  // or forward, and a declared local nobody wrote yet still holds its initial zero.
  bool in_entry_ = true;
  std::vector<bool> written_;
  std::uint32_t nparams_ = 0;
  std::vector<std::uint64_t> consts_;
  std::unordered_map<std::uint64_t, std::uint32_t> const_index_;
  std::vector<std::pair<std::size_t, unsigned>> fixups_;
  std::vector<std::size_t> relocs_;
  std::uint32_t max_ = 0;
  bool dead_ = false;
  bool was_dead_ = false;  // this `else`/`end` ends unreachable code: nothing falls through
  std::uint32_t skip_depth_ = 0;
  // The word holding the result slot of the last instruction, while retargeting that
  // result straight into a local is still sound.
  std::size_t last_dst_ = SIZE_MAX;
  std::size_t last_copy_ = SIZE_MAX;  // opcode word of a `copy` just emitted (may become copy2)
  std::size_t addimm_start_ = SIZE_MAX;  // the last `i32.add` with an immediate emitted
  std::uint64_t labels_ = 0, addimm_labels_ = 0;  // labels placed so far, and before it
  std::size_t prev_addimm_start_ = SIZE_MAX;  // the one before it
  std::uint64_t prev_addimm_labels_ = 0;
  // The load that produced last_dst_ (guard pages): its opcode (0 if none), where it
  // starts, its address slots (y = no_slot for a plain load) and offset.
  static constexpr std::uint32_t no_slot = 0xFFFFFFFFu;
  unsigned last_load_ = 0;
  std::size_t last_load_start_ = 0;
  std::uint32_t last_load_x_ = 0, last_load_y_ = no_slot;
  std::uint64_t last_load_off_ = 0;
  std::size_t last_dst_fixup_ = SIZE_MAX;
  std::uint32_t last_dst_pos_ = 0;
  std::size_t last_start_ = 0;
  std::uint32_t last_a_ = 0, last_b_ = 0;  // where the instruction owning last_dst_ begins
  std::uint32_t last_c_ = 0;               // a multiply-add's addend
  op last_op_ = op::nop;
  unsigned last_muladd_ = 0;  // the multiply-add opcode that produced last_dst_, or 0
  // The comparison an `i32.eqz` just emitted consumed (op::nop if none), its operands and start.
  op eqz_cmp_op_ = op::nop;
  std::uint32_t eqz_cmp_a_ = 0, eqz_cmp_b_ = 0;
  std::size_t eqz_cmp_start_ = 0;

  // --- emission ------------------------------------------------------------------------
  std::size_t here() const { return code_->size(); }
  // Drops the code from `at` on (an instruction being fused into a later one), with the
  // operand fixups recorded for it; marks of instructions there are forgotten.
  void truncate(std::size_t at) {
    code_->resize(at);
    while (!fixups_.empty() && fixups_.back().first != SIZE_MAX && fixups_.back().first >= at) fixups_.pop_back();
    if (addimm_start_ != SIZE_MAX && addimm_start_ >= at) addimm_start_ = SIZE_MAX;
    if (prev_addimm_start_ != SIZE_MAX && prev_addimm_start_ >= at) prev_addimm_start_ = SIZE_MAX;
  }
  void emit_op(unsigned o) {
    code_->push_back(reinterpret_cast<std::uint64_t>(h_[o]));
    last_dst_ = SIZE_MAX;
    last_copy_ = SIZE_MAX;
  }
  void emit(std::uint64_t v) { code_->push_back(v); }
  // `dst = src`; up to four copies in a row become one `copy2`..`copy4` dispatch (in
  // order: a later copy may read what an earlier one wrote).
  void emit_copy(std::uint32_t dst, std::uint32_t src) {
    if (last_copy_ != SIZE_MAX && last_copy_ + 2 <= here() && here() <= last_copy_ + 4) {
      unsigned n = static_cast<unsigned>(here() - last_copy_);  // copies so far + 1
      (*code_)[last_copy_] = reinterpret_cast<std::uint64_t>(h_[n == 2 ? iop_copy2 : n == 3 ? iop_copy3 : iop_copy4]);
      emit2(dst, src);
      if (n == 4) last_copy_ = SIZE_MAX;
      last_dst_ = SIZE_MAX;
      return;
    }
    emit_op(iop_copy);
    last_copy_ = here() - 1;
    emit2(dst, src);
  }
  // Two 32-bit operands in one word; stack-home operands are fixed up at the end.
  void emit2(std::uint32_t lo, std::uint32_t hi) {
    if (lo & stack_tag) fixups_.emplace_back(here(), 0);
    if (hi & stack_tag) fixups_.emplace_back(here(), 32);
    code_->push_back(static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << 32));
  }
  void emit_target(std::size_t target) {
    relocs_.push_back(here());
    emit(target);
  }
  void emit_forward(cframe& t) {
    t.fixups.push_back(here());
    relocs_.push_back(here());
    emit(0);
  }

  // --- virtual stack -------------------------------------------------------------------
  static std::uint32_t home_of(std::uint32_t pos) { return stack_tag | pos; }
  std::uint32_t height() const { return static_cast<std::uint32_t>(vs_.size()); }
  std::uint32_t slot_of(std::uint32_t pos) const {
    const ventry& e = vs_[pos];
    return e.kind == ventry::home ? home_of(pos) : e.slot;
  }
  std::uint32_t const_slot(std::uint64_t bits) {
    // Most functions have a handful of distinct constants: a linear scan beats hashing.
    if (consts_.size() < 16) {
      for (std::size_t i = 0; i < consts_.size(); ++i)
        if (consts_[i] == bits) return nlocals_ + static_cast<std::uint32_t>(i);
      if (consts_.size() == 15)
        for (std::size_t i = 0; i < consts_.size(); ++i) const_index_.try_emplace(consts_[i], static_cast<std::uint32_t>(i));
      else {
        consts_.push_back(bits);
        return nlocals_ + static_cast<std::uint32_t>(consts_.size() - 1);
      }
    }
    auto [it, fresh] = const_index_.try_emplace(bits, static_cast<std::uint32_t>(consts_.size()));
    if (fresh) consts_.push_back(bits);
    return nlocals_ + it->second;
  }
  void push_home() {
    vs_.push_back({ventry::home, 0});
    if (height() > max_) max_ = height();
  }
  void push_local(std::uint32_t l) {
    vs_.push_back({ventry::local, l});
    ++local_refs_[l];
    if (height() > max_) max_ = height();
  }
  void push_const(std::uint64_t bits) {
    vs_.push_back({ventry::konst, const_slot(bits)});
    if (height() > max_) max_ = height();
  }
  // Pops the top entry and returns the slot holding its value.
  std::uint32_t pop() {
    std::uint32_t pos = height() - 1;
    std::uint32_t s = slot_of(pos);
    if (vs_[pos].kind == ventry::local) --local_refs_[vs_[pos].slot];
    vs_.pop_back();
    return s;
  }
  void materialize(std::uint32_t pos) {
    ventry& e = vs_[pos];
    if (e.kind == ventry::home) return;
    std::uint32_t src = e.slot;
    if (e.kind == ventry::local) --local_refs_[e.slot];
    e = {ventry::home, 0};
    emit_copy(home_of(pos), src);
  }
  void materialize_all() {
    for (std::uint32_t i = 0; i < height(); ++i) materialize(i);
  }
  void materialize_local(std::uint32_t l) {
    if (local_refs_[l] == 0) return;
    for (std::uint32_t i = 0; i < height(); ++i)
      if (vs_[i].kind == ventry::local && vs_[i].slot == l) materialize(i);
  }
  // After emitting an instruction whose result word is at `at` (low half = result slot).
  void produced(std::size_t at) {
    last_dst_ = at;
    last_dst_fixup_ = fixups_.size();
    // emit2 recorded the fixup for the low half first.
    for (std::size_t i = fixups_.size(); i-- > 0;) {
      if (fixups_[i].first == at && fixups_[i].second == 0) {
        last_dst_fixup_ = i;
        break;
      }
      if (fixups_[i].first < at) break;
    }
    last_dst_pos_ = height() - 1;
    last_op_ = op::nop;  // unary/binary_op set it after this; other producers never fuse
    last_muladd_ = 0;
    last_load_ = 0;
  }
  void label_here() {
    ++labels_;
    last_dst_ = SIZE_MAX;
    last_copy_ = SIZE_MAX;
  }

  std::pair<std::uint32_t, std::uint32_t> block_arity(const instr& in) const {
    if (in.a == 0) return {0, 0};
    if (in.a == 1) return {0, 1};
    auto& ft = m_.types[in.b];
    return {static_cast<std::uint32_t>(ft.params.size()), static_cast<std::uint32_t>(ft.results.size())};
  }

  // Copies the top `arity` values to the home slots starting at `base`.
  void move_to(std::uint32_t base, std::uint32_t arity) {
    std::uint32_t from = height() - arity;
    for (std::uint32_t i = 0; i < arity; ++i) {
      std::uint32_t src = slot_of(from + i);
      std::uint32_t dst = home_of(base + i);
      if (src == dst) continue;
      emit_copy(dst, src);
    }
  }
  bool needs_move(std::uint32_t base, std::uint32_t arity) const {
    std::uint32_t from = height() - arity;
    for (std::uint32_t i = 0; i < arity; ++i)
      if (slot_of(from + i) != home_of(base + i)) return true;
    return false;
  }

  void branch_to(std::uint32_t l) {
    cframe& t = ctrls_[ctrls_.size() - 1 - l];
    std::uint32_t arity = t.kind == op::loop ? t.nparams : t.nresults;
    move_to(t.base, arity);
    emit_op(t.kind == op::loop ? iop_br_loop : static_cast<unsigned>(op::br));
    if (t.kind == op::loop) emit_target(t.loop_start);
    else emit_forward(t);
  }

  static bool is_compare(op o) {
    unsigned c = static_cast<unsigned>(o);
    return (c >= 0x46 && c <= 0x4F) || (c >= 0x51 && c <= 0x66);
  }
  void unary(op o) {
    std::uint32_t h = height();
    eqz_cmp_op_ = op::nop;
    if (o == op::i32_eqz && last_dst_ != SIZE_MAX && last_dst_pos_ == h - 1 && vs_[h - 1].kind == ventry::home &&
        is_compare(last_op_)) {
      // `eqz` of a comparison just computed: a branch on it can take the negated comparison.
      eqz_cmp_op_ = last_op_;
      eqz_cmp_a_ = last_a_;
      eqz_cmp_b_ = last_b_;
      eqz_cmp_start_ = last_start_;
    }
    std::uint32_t a = pop();
    push_home();
    std::size_t start = here();
    emit_op(static_cast<unsigned>(o));
    std::size_t at = here();
    emit2(home_of(height() - 1), a);
    produced(at);
    last_start_ = start;
    last_op_ = o;
    last_a_ = a;
  }
  static unsigned imm_form(op o) {
    switch (o) {
#define WITC_X(n) \
  case op::i32_##n: return iop_i32_##n##_imm;
      WITC_IMM_OPS(WITC_X)
#undef WITC_X
      default: return 0;
    }
  }
  static bool commutes(op o) {
    return o == op::i32_add || o == op::i32_mul || o == op::i32_and || o == op::i32_or || o == op::i32_xor;
  }
  // When `o` is an add consuming the product the last instruction computed, replaces both
  // with one multiply-add. Returns whether it did.
  bool fuse_mul_add(op o) {
    op mul;
    unsigned fused;
    if (o == op::i32_add) mul = op::i32_mul, fused = iop_i32_mul_add;
    else if (o == op::f32_add) mul = op::f32_mul, fused = iop_f32_mul_add;
    else if (o == op::f64_add) mul = op::f64_mul, fused = iop_f64_mul_add;
    else return false;
    std::uint32_t h = height();
    if (last_op_ != mul || last_dst_ == SIZE_MAX) return false;
    std::uint32_t prod_pos;
    if (last_dst_pos_ == h - 1 && vs_[h - 1].kind == ventry::home) prod_pos = h - 1;
    else if (last_dst_pos_ == h - 2 && vs_[h - 2].kind == ventry::home && vs_[h - 1].kind != ventry::home) prod_pos = h - 2;
    else return false;
    std::uint32_t x = last_a_, y = last_b_;
    std::uint32_t other = slot_of(prod_pos == h - 1 ? h - 2 : h - 1);
    pop();
    pop();
    truncate(last_start_);
    push_home();
    std::size_t start = here();
    emit_op(fused);
    std::size_t at = here();
    emit2(home_of(height() - 1), x);
    emit2(y, other);
    produced(at);
    last_muladd_ = fused;
    last_start_ = start;
    last_a_ = x;
    last_b_ = y;
    last_c_ = other;
    return true;
  }
  // When `o` is an add consuming the multiply-add just computed (`s += a*b + c*d` as
  // clang unrolls a dot product), replaces both with one `e + (x * y + z)`.
  bool fuse_mul_add_add(op o) {
    unsigned muladd, fused;
    if (o == op::i32_add) muladd = iop_i32_mul_add, fused = iop_i32_mul_add_add;
    else if (o == op::f32_add) muladd = iop_f32_mul_add, fused = iop_f32_mul_add_add;
    else if (o == op::f64_add) muladd = iop_f64_mul_add, fused = iop_f64_mul_add_add;
    else return false;
    if (last_dst_ == SIZE_MAX || last_muladd_ != muladd) return false;
    std::uint32_t h = height();
    std::uint32_t pos;
    if (last_dst_pos_ == h - 1 && vs_[h - 1].kind == ventry::home) pos = h - 1;
    else if (last_dst_pos_ == h - 2 && vs_[h - 2].kind == ventry::home && vs_[h - 1].kind != ventry::home) pos = h - 2;
    else return false;
    std::uint32_t x = last_a_, y = last_b_, z = last_c_;
    std::uint32_t e = slot_of(pos == h - 1 ? h - 2 : h - 1);
    pop();
    pop();
    truncate(last_start_);
    push_home();
    emit_op(fused);
    std::size_t at = here();
    emit2(home_of(height() - 1), x);
    emit2(y, z);
    emit2(e, 0);
    produced(at);
    return true;
  }
  // Index of an i32 operation in WITC_F2_LIST, or -1.
  static int f2_index(op o) {
    int i = 0;
#define WITC_X(n) \
  if (o == op::i32_##n) return i; \
  ++i;
    WITC_F2_LIST(WITC_X)
#undef WITC_X
    return -1;
  }
  // When `o` consumes the result of the i32 operation just emitted, replaces both with
  // one `iop_f2_X_Y`. A result on the right only fuses into a commutative `o`.
  bool fuse_pair(op o) {
    int y = f2_index(o);
    if (y < 0 || last_dst_ == SIZE_MAX) return false;
    int x = f2_index(last_op_);
    if (x < 0) return false;
    std::uint32_t h = height();
    std::uint32_t prod_pos;
    if (last_dst_pos_ == h - 2 && vs_[h - 2].kind == ventry::home && vs_[h - 1].kind != ventry::home) prod_pos = h - 2;
    else if (last_dst_pos_ == h - 1 && vs_[h - 1].kind == ventry::home && commutes(o)) prod_pos = h - 1;
    else return false;
    std::uint32_t a = last_a_, b = last_b_;
    std::uint32_t c = slot_of(prod_pos == h - 1 ? h - 2 : h - 1);
    pop();
    pop();
    truncate(last_start_);
    push_home();
    emit_op(iop_f2_add_add + static_cast<unsigned>(x * 10 + y));
    std::size_t at = here();
    emit2(home_of(height() - 1), a);
    emit2(b, c);
    produced(at);
    return true;
  }
  // Index of `o` over load `l` in WITC_OPLOAD_ALL, or -1.
  static int opload_index(op o, unsigned l) {
    int i = 0;
#define WITC_X(x, y)                                                  \
  if (o == op::x && l == static_cast<unsigned>(op::y)) return i; \
  ++i;
    WITC_OPLOAD_ALL(WITC_X)
#undef WITC_X
    return -1;
  }
  // When `o` consumes the result of the load just emitted, replaces both with one
  // op-with-load; a load on the left only fuses into a commutative `o`.
  bool fuse_opload(op o) {
    if (!guarded_ || last_load_ == 0 || last_dst_ == SIZE_MAX) return false;
    int idx = opload_index(o, last_load_);
    if (idx < 0) return false;
    bool comm = o != op::i32_sub && o != op::f32_sub && o != op::f64_sub;
    std::uint32_t h = height();
    std::uint32_t pos;
    if (last_dst_pos_ == h - 1 && vs_[h - 1].kind == ventry::home) pos = h - 1;
    else if (comm && last_dst_pos_ == h - 2 && vs_[h - 2].kind == ventry::home && vs_[h - 1].kind != ventry::home) pos = h - 2;
    else return false;
    std::uint32_t left = slot_of(pos == h - 1 ? h - 2 : h - 1);
    std::uint32_t x = last_load_x_, y = last_load_y_ == no_slot ? const_slot(0) : last_load_y_;
    std::uint64_t off = last_load_off_;
    pop();
    pop();
    truncate(last_load_start_);
    push_home();
    emit_op(iop_opload_first + static_cast<unsigned>(idx));
    std::size_t at = here();
    emit2(home_of(height() - 1), left);
    emit2(x, y);
    emit(off);
    produced(at);
    return true;
  }
  void binary_op(op o) {
    if (fuse_mul_add_add(o) || fuse_mul_add(o) || fuse_pair(o) || fuse_opload(o)) return;
    unsigned imm = imm_form(o);
    std::uint32_t h = height();
    bool swap = imm && vs_[h - 2].kind == ventry::konst && vs_[h - 1].kind != ventry::konst && commutes(o);
    bool konst_b = imm && (swap || vs_[h - 1].kind == ventry::konst);
    std::uint32_t b = pop();
    std::uint32_t a = pop();
    if (swap) std::swap(a, b);  // slots, not entries: a home entry's slot is its position
    push_home();
    std::size_t start = here();
    if (konst_b) {
      // The constant travels in the instruction; its slot stays valid for fusions that
      // re-read the operands (a load folding this `i32.add`).
      emit_op(imm);
      if (o == op::i32_add) {
        prev_addimm_start_ = addimm_start_;
        prev_addimm_labels_ = addimm_labels_;
        addimm_start_ = start;
        addimm_labels_ = labels_;
      }
      std::size_t at = here();
      emit2(home_of(height() - 1), a);
      emit(consts_[b - nlocals_]);
      produced(at);
      last_start_ = start;
      last_op_ = o;
      last_a_ = a;
      last_b_ = b;
      return;
    }
    emit_op(static_cast<unsigned>(o));
    std::size_t at = here();
    emit2(home_of(height() - 1), a);
    emit2(b, 0);
    produced(at);
    last_start_ = start;
    last_op_ = o;
    last_a_ = a;
    last_b_ = b;
  }

  // When the condition on top was just computed by an integer comparison, drops that
  // instruction and returns the compare-and-branch opcode taking its operands, negated
  // for `if` (branch when false). Returns 0 when there is nothing to fuse.
  unsigned fuse_condition(bool negate, bool allow_float) {
    std::uint32_t pos = height() - 1;
    if (vs_[pos].kind != ventry::home || last_dst_ == SIZE_MAX || last_dst_pos_ != pos) return 0;
    unsigned o = static_cast<unsigned>(last_op_);
    std::size_t start = last_start_;
    if (o == 0x45 && eqz_cmp_op_ != op::nop) {
      // A branch on `eqz` of a comparison is a branch on the comparison, negated.
      o = static_cast<unsigned>(eqz_cmp_op_);
      negate = !negate;
      start = eqz_cmp_start_;
    }
    unsigned fused = 0;
    static const unsigned i32_ops[] = {
#define WITC_X(c) iop_br_i32_##c,
        WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
    };
    static const unsigned i64_ops[] = {
#define WITC_X(c) iop_br_i64_##c,
        WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
    };
    // Index of the negation within eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u.
    static const int neg[] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
    if (o >= 0x46 && o <= 0x4F) {
      int k = static_cast<int>(o - 0x46);
      fused = i32_ops[negate ? neg[k] : k];
    } else if (o >= 0x51 && o <= 0x5A) {
      int k = static_cast<int>(o - 0x51);
      fused = i64_ops[negate ? neg[k] : k];
    } else if (o == 0x45) {
      fused = negate ? 0 : iop_br_i32_eqz;  // `if (eqz x)` is a plain branch on x
      if (negate) return 0;
    } else if (o == 0x50) {
      fused = negate ? iop_br_i64_nez : iop_br_i64_eqz;
    } else if (o >= 0x5B && o <= 0x66 && allow_float) {
      fused = (negate ? iop_brf_not_first : iop_brf_first) + (o - 0x5B);
    } else {
      return 0;
    }
    if (start != last_start_) {
      // The `eqz` goes too: the comparison's operands are the ones to branch on.
      last_op_ = eqz_cmp_op_;
      last_a_ = eqz_cmp_a_;
      last_b_ = eqz_cmp_b_;
    }
    // Remove the comparison; its operand fixups are the last ones recorded.
    truncate(start);
    last_dst_ = SIZE_MAX;
    vs_.pop_back();
    return fused;
  }
  // After fuse_condition removed an i32 comparison feeding a loop back-edge: when the code
  // now ends with `x = a + imm` (x a local, nothing in between, no label) and the
  // comparison reads x on the left, emits the increment-and-branch instead (the caller
  // adds the target).
  bool fuse_increment(unsigned fused) {
    if (fused < iop_br_i32_eq || fused > iop_br_i32_ge_u || (fused - iop_br_i32_eq) % 2 != 0) return false;
    if (addimm_start_ == SIZE_MAX || addimm_labels_ != labels_ || addimm_start_ + 3 != here()) return false;
    if ((*code_)[addimm_start_] != reinterpret_cast<std::uint64_t>(h_[iop_i32_add_imm])) return false;
    std::uint64_t w = (*code_)[addimm_start_ + 1];
    std::uint32_t x = static_cast<std::uint32_t>(w), a = static_cast<std::uint32_t>(w >> 32);
    // Locals and constants only: a stack-home operand would carry a fixup to move.
    if ((x & stack_tag) || (a & stack_tag) || x >= nlocals_ || last_a_ != x || last_b_ == x) return false;
    std::uint64_t imm = (*code_)[addimm_start_ + 2];
    // Another increment right before (no label between): its words stay, its opcode
    // becomes the two-increment branch.
    bool two = prev_addimm_start_ != SIZE_MAX && prev_addimm_start_ + 3 == addimm_start_ &&
               prev_addimm_labels_ == labels_ &&
               (*code_)[prev_addimm_start_] == reinterpret_cast<std::uint64_t>(h_[iop_i32_add_imm]);
    std::size_t prev = prev_addimm_start_;
    truncate(addimm_start_);
    emit_op(iop_brl_addimm_eq + (fused - iop_br_i32_eq) / 2);
    if (two) {
      code_->pop_back();
      (*code_)[prev] = reinterpret_cast<std::uint64_t>(h_[iop_brl2_addimm_first + (fused - iop_br_i32_eq) / 2]);
      prev_addimm_start_ = SIZE_MAX;
    }
    emit2(x, a);
    // Not emit2: the immediate is not a slot, and its top bit must not read as a stack tag.
    if (last_b_ & stack_tag) fixups_.emplace_back(here(), 32);
    emit((imm & 0xFFFFFFFFull) | (static_cast<std::uint64_t>(last_b_) << 32));
    addimm_start_ = SIZE_MAX;
    return true;
  }
  void emit_fused(unsigned fused) {
    emit_op(fused);
    if (last_op_ == op::i32_eqz || last_op_ == op::i64_eqz) emit2(last_a_, 0);
    else emit2(last_a_, last_b_);
  }

  // Returns the one value on top. When the last instruction just computed it, that
  // instruction writes the result slot (fp[0]) itself and the return copies nothing; a
  // value in a local or a constant is copied by the return straight from there.
  void emit_return_one() {
    std::uint32_t h = height();
    std::uint32_t src = slot_of(h - 1);
    if (last_dst_ != SIZE_MAX && last_dst_pos_ == h - 1 && vs_[h - 1].kind == ventry::home) {
      std::uint64_t& w = (*code_)[last_dst_];
      w &= ~0xFFFFFFFFull;
      if (last_dst_fixup_ < fixups_.size()) fixups_[last_dst_fixup_].first = SIZE_MAX;
      src = 0;
    }
    emit_op(static_cast<unsigned>(op::return_));
    emit2(src, 1);
  }

  void set_local(std::uint32_t x) {
    std::uint32_t pos = height() - 1;
    ventry top = vs_[pos];
    bool retarget = top.kind == ventry::home && last_dst_ != SIZE_MAX && last_dst_pos_ == pos;
    std::uint32_t src = pop();
    if (top.kind == ventry::local && top.slot == x) return;
    if (in_entry_ && x >= nparams_ && !written_[x] && top.kind == ventry::konst && consts_[top.slot - nlocals_] == 0)
      return;  // still the zero it was initialised with on every path from the entry
    if (in_entry_) written_[x] = true;
    if (local_refs_[x] > 0) {
      materialize_local(x);
      retarget = false;
    }
    if (retarget) {
      std::uint64_t& w = (*code_)[last_dst_];
      w = (w & ~0xFFFFFFFFull) | x;
      if (last_dst_fixup_ < fixups_.size()) fixups_[last_dst_fixup_].first = SIZE_MAX;
      last_dst_ = SIZE_MAX;
      return;
    }
    emit_copy(x, src);
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
      was_dead_ = true;
    } else {
      was_dead_ = false;
    }
    unsigned code = static_cast<unsigned>(in.code);
    switch (in.code) {
      case op::i32_const: push_const(static_cast<std::uint32_t>(in.c)); return;
      case op::i64_const:
      case op::f32_const:
      case op::f64_const: push_const(in.c); return;
      case op::ref_null: push_const(0); return;
      case op::nop: return;
      case op::unreachable:
        emit_op(code);
        dead_ = true;
        return;
      case op::block: {
        auto [np, nr] = block_arity(in);
        materialize_all();
        label_here();
        ctrls_.push(op::block, height() - np, np, nr, 0, SIZE_MAX);
        return;
      }
      case op::loop: {
        in_entry_ = false;
        auto [np, nr] = block_arity(in);
        materialize_all();
        std::size_t start = here();
        label_here();
        ctrls_.push(op::loop, height() - np, np, nr, start, SIZE_MAX);
        return;
      }
      case op::if_: {
        auto [np, nr] = block_arity(in);
        unsigned fused = height() > np ? fuse_condition(true, true) : 0;
        std::uint32_t c = fused ? 0 : pop();
        materialize_all();
        if (fused) {
          emit_fused(fused);
        } else {
          emit_op(iop_br_unless);
          emit2(c, 0);
        }
        std::size_t fix = here();
        relocs_.push_back(fix);
        emit(0);
        label_here();
        ctrls_.push(op::if_, height() - np, np, nr, 0, fix);
        return;
      }
      case op::else_: {
        in_entry_ = false;
        cframe& f = ctrls_.back();
        if (!was_dead_) {
          // The then-branch falls through here: its results go home, then jump to the end.
          move_to(f.base, f.nresults);
          emit_op(static_cast<unsigned>(op::br));
          emit_forward(f);
        }
        (*code_)[f.else_fixup] = here();
        f.else_fixup = SIZE_MAX;
        f.kind = op::else_;
        reset_to(f.base, f.nparams);
        label_here();
        return;
      }
      case op::end: {
        in_entry_ = false;
        cframe& f = ctrls_.back();
        bool returned = false;  // the fall-through path of the function body has returned
        if (!was_dead_ && ctrls_.size() == 1 && f.nresults == 1) {
          emit_return_one();
          returned = true;
        } else if (!was_dead_) {
          move_to(f.base, f.nresults);
        }
        cframe& done = ctrls_.back();
        ctrls_.pop_back();
        if (done.else_fixup != SIZE_MAX) (*code_)[done.else_fixup] = here();
        for (std::size_t at : done.fixups) (*code_)[at] = here();
        reset_to(done.base, done.nresults);
        label_here();
        if (ctrls_.empty() && (!returned || !done.fixups.empty())) {
          emit_op(static_cast<unsigned>(op::return_));
          emit2(home_of(0), done.nresults);
        }
        return;
      }
      case op::br:
        branch_to(in.a);
        dead_ = true;
        return;
      case op::br_if: {
        cframe& t = ctrls_[ctrls_.size() - 1 - in.a];
        std::uint32_t arity = t.kind == op::loop ? t.nparams : t.nresults;
        if (arity == 0) {
          // Float compare-and-branch has no loop variant (no tick): forward targets only.
          if (unsigned fused = fuse_condition(false, t.kind != op::loop)) {
            if (t.kind == op::loop && fuse_increment(fused)) {
              emit_target(t.loop_start);
              return;
            }
            emit_fused(t.kind == op::loop ? fused - iop_br_i32_eq + iop_brl_first : fused);
            if (t.kind == op::loop) emit_target(t.loop_start);
            else emit_forward(t);
            return;
          }
        }
        std::uint32_t c = pop();
        if (!needs_move(t.base, arity)) {
          emit_op(t.kind == op::loop ? iop_br_if_loop : static_cast<unsigned>(op::br_if));
          emit2(c, 0);
          if (t.kind == op::loop) emit_target(t.loop_start);
          else emit_forward(t);
          return;
        }
        // Taken: move the values, then jump; not taken: skip over both.
        emit_op(iop_br_unless);
        emit2(c, 0);
        std::size_t skip = here();
        relocs_.push_back(skip);
        emit(0);
        branch_to(in.a);
        (*code_)[skip] = here();
        label_here();
        return;
      }
      case op::br_table: {
        std::uint32_t c = pop();
        auto targets = cr.table();
        cframe& def = ctrls_[ctrls_.size() - 1 - in.b];
        std::uint32_t arity = def.kind == op::loop ? def.nparams : def.nresults;
        for (std::uint32_t i = height() - arity; i < height(); ++i) materialize(i);
        std::uint32_t src = home_of(height() - arity);
        emit_op(static_cast<unsigned>(op::br_table));
        emit2(c, static_cast<std::uint32_t>(targets.size()));
        auto entry = [&](std::uint32_t l) {
          cframe& t = ctrls_[ctrls_.size() - 1 - l];
          if (t.kind == op::loop) emit_target(t.loop_start);
          else emit_forward(t);
          emit2(home_of(t.base), src);
          emit(arity);
        };
        for (auto l : targets) entry(l);
        entry(in.b);
        dead_ = true;
        return;
      }
      case op::return_: {
        std::uint32_t nr = ctrls_.front().nresults;
        if (nr == 1) {
          emit_return_one();
          dead_ = true;
          return;
        }
        for (std::uint32_t i = height() - nr; i < height(); ++i) materialize(i);
        emit_op(static_cast<unsigned>(op::return_));
        emit2(home_of(height() - nr), nr);
        dead_ = true;
        return;
      }
      case op::call:
      case op::call_indirect: {
        const func_type& ft = in.code == op::call ? m_.types[m_.func_type_index(in.a)] : m_.types[in.a];
        std::uint32_t idx = in.code == op::call_indirect ? pop() : 0;
        std::uint32_t np = static_cast<std::uint32_t>(ft.params.size());
        std::uint32_t nr = static_cast<std::uint32_t>(ft.results.size());
        std::uint32_t base = height() - np;
        for (std::uint32_t i = base; i < height(); ++i) materialize(i);
        emit_op(code);
        if (in.code == op::call) {
          emit(in.a);
          emit2(home_of(base), 0);
        } else {
          emit2(in.a, in.b);
          emit2(home_of(base), idx);
        }
        for (std::uint32_t i = 0; i < np; ++i) pop();
        for (std::uint32_t i = 0; i < nr; ++i) push_home();
        // The callee's frame starts at `base`; reserve room for its results too.
        if (base + std::max(np, nr) > max_) max_ = base + std::max(np, nr);
        return;
      }
      case op::drop: pop(); return;
      case op::select:
      case op::select_t: {
        std::uint32_t c = pop();
        std::uint32_t b = pop();
        std::uint32_t a = pop();
        push_home();
        emit_op(static_cast<unsigned>(op::select));
        std::size_t at = here();
        emit2(home_of(height() - 1), a);
        emit2(b, c);
        produced(at);
        return;
      }
      case op::local_get: push_local(in.a); return;
      case op::local_set: set_local(in.a); return;
      case op::local_tee:
        set_local(in.a);
        push_local(in.a);
        return;
      case op::global_get: {
        push_home();
        emit_op(code);
        std::size_t at = here();
        emit2(home_of(height() - 1), in.a);
        produced(at);
        return;
      }
      case op::global_set: {
        std::uint32_t v = pop();
        emit_op(code);
        emit2(v, in.a);
        return;
      }
      case op::memory_size:
        push_home();
        emit_op(code);
        emit2(home_of(height() - 1), 0);
        return;
      case op::memory_grow: unary(in.code); return;
      case op::memory_fill:
      case op::memory_copy: {
        std::uint32_t n = pop(), s = pop(), d = pop();
        emit_op(code);
        emit2(d, s);
        emit2(n, 0);
        return;
      }
      case op::memory_init:
      case op::table_init:
      case op::table_copy: {
        std::uint32_t n = pop(), s = pop(), d = pop();
        emit_op(code);
        emit2(d, s);
        emit2(n, 0);
        emit2(in.a, in.b);
        return;
      }
      case op::data_drop:
      case op::elem_drop:
        emit_op(code);
        emit(in.a);
        return;
      case op::table_size:
        push_home();
        emit_op(code);
        emit2(home_of(height() - 1), in.a);
        return;
      case op::table_get: {
        std::uint32_t i = pop();
        push_home();
        emit_op(code);
        emit2(home_of(height() - 1), i);
        emit(in.a);
        return;
      }
      case op::table_set: {
        std::uint32_t v = pop(), i = pop();
        emit_op(code);
        emit2(i, v);
        emit(in.a);
        return;
      }
      case op::table_grow: {
        std::uint32_t n = pop(), v = pop();
        push_home();
        emit_op(code);
        emit2(home_of(height() - 1), v);
        emit2(n, in.a);
        return;
      }
      case op::table_fill: {
        std::uint32_t n = pop(), v = pop(), i = pop();
        emit_op(code);
        emit2(i, v);
        emit2(n, in.a);
        return;
      }
      case op::ref_is_null: unary(in.code); return;
      case op::ref_func:
        push_home();
        emit_op(code);
        emit2(home_of(height() - 1), in.a);
        return;
      default: break;
    }
    if (code >= 0x28 && code <= 0x35) {  // loads
      std::uint32_t pos = height() - 1;
      if (last_op_ == op::i32_add && last_dst_ != SIZE_MAX && last_dst_pos_ == pos && vs_[pos].kind == ventry::home) {
        // The address was just computed by `i32.add`: fold the addition into the load.
        std::uint32_t x = last_a_, y = last_b_;
        truncate(last_start_);
        vs_.pop_back();
        push_home();
        std::size_t start = here();
        emit_op((guarded_ ? iop_load_add_g_first : iop_load_add_first) + (code - 0x28));
        std::size_t at = here();
        emit2(home_of(height() - 1), x);
        emit2(y, 0);
        (*code_)[here() - 1] |= static_cast<std::uint64_t>(in.b) << 32;
        produced(at);
        if (guarded_) {
          last_load_ = code;
          last_load_start_ = start;
          last_load_x_ = x;
          last_load_y_ = y;
          last_load_off_ = in.b;
        }
        return;
      }
      std::uint32_t h = height();
      if (guarded_ && last_op_ == in.code && last_dst_ != SIZE_MAX && last_start_ + 3 == here() && h >= 2 &&
          last_dst_pos_ == h - 2 && vs_[h - 2].kind == ventry::home && vs_[h - 1].kind != ventry::home) {
        // The same load just ran and its result is still on the stack, under this load's
        // address (a local or a constant, so never that result): one dispatch for both.
        std::uint32_t a = pop();
        push_home();
        (*code_)[last_start_] = reinterpret_cast<std::uint64_t>(h_[iop_load2_g_first + (code - 0x28)]);
        (*code_)[last_start_ + 2] |= static_cast<std::uint64_t>(in.b) << 32;
        std::size_t at = here();
        emit2(home_of(height() - 1), a);
        produced(at);
        return;
      }
      std::uint32_t a = pop();
      push_home();
      std::size_t start = here();
      emit_op(guarded_ ? iop_load_g_first + (code - 0x28) : code);
      std::size_t at = here();
      emit2(home_of(height() - 1), a);
      emit(in.b);
      produced(at);
      last_op_ = in.code;
      last_start_ = start;
      if (guarded_) {
        last_load_ = code;
        last_load_start_ = start;
        last_load_x_ = a;
        last_load_y_ = no_slot;
        last_load_off_ = in.b;
      }
      return;
    }
    if (code >= 0x36 && code <= 0x3E) {  // stores
      std::uint32_t pos = height() - 2;
      if (last_op_ == op::i32_add && last_dst_ != SIZE_MAX && last_dst_pos_ == pos && vs_[pos].kind == ventry::home &&
          vs_[pos + 1].kind != ventry::home) {
        // The address was just computed by `i32.add` and the value sits in a local or a
        // constant: fold the addition into the store.
        std::uint32_t x = last_a_, y = last_b_;
        std::uint32_t v = pop();
        truncate(last_start_);
        vs_.pop_back();
        emit_op((guarded_ ? iop_store_add_g_first : iop_store_add_first) + (code - 0x36));
        emit2(x, y);
        emit2(v, 0);
        (*code_)[here() - 1] |= static_cast<std::uint64_t>(in.b) << 32;
        return;
      }
      std::uint32_t v = pop(), a = pop();
      emit_op(guarded_ ? iop_store_g_first + (code - 0x36) : code);
      emit2(a, v);
      emit(in.b);
      return;
    }
    // Signature lengths, looked up once: "x>y" is unary, "xy>z" binary.
    static const auto sig_len = [] {
      std::array<std::uint8_t, binary::op_table_size> t{};
      for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::uint8_t>(binary::op_signature(static_cast<op>(i)).size());
      return t;
    }();
    unsigned len = code < sig_len.size() ? sig_len[code] : 0;
    if (len == 3) unary(in.code);
    else if (len == 4) binary_op(in.code);
  }

  void reset_to(std::uint32_t base, std::uint32_t n) {
    while (height() > base) pop();
    for (std::uint32_t i = 0; i < n; ++i) push_home();
  }
};

}  // namespace

result<std::vector<compiled_func>> compile_functions(const binary::module& m, bool guarded) {
  std::vector<compiled_func> out;
  out.reserve(m.codes.size());
  translator t(m, handlers(), guarded);
  for (std::uint32_t i = 0; i < m.codes.size(); ++i) {
    WITC_TRY(compiled_func f, t.run(i));
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace witc::engine::detail
