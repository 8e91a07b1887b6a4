#pragma once
// Engine internals shared by the compiler, the interpreter and the store.
#include <cstdint>
#include <map>
#include <vector>

#include "witc/binary/core_module.hpp"
#include "witc/engine/engine.hpp"

namespace witc::engine {

namespace detail {

// Internal opcodes: the wasm opcode numbers (0..0x111) plus these.
enum iop : std::uint16_t {
  iop_br_move = 0x120,     // [target][dest height][arity]
  iop_br_if_move,          // [target][dest height][arity]
  iop_br_unless,           // [target]: pop; jump when zero (`if`)
  iop_loop_check,          // back-edge: interrupt / fuel
  iop_const,               // unused
  iop_copy,                // [dst|src<<32]
  // Compare-and-branch: [a|b<<32][target]; taken when the comparison holds.
#define WITC_FUSED_CMPS(X) X(eq) X(ne) X(lt_s) X(lt_u) X(gt_s) X(gt_u) X(le_s) X(le_u) X(ge_s) X(ge_u)
#define WITC_X(c) iop_br_i32_##c, iop_br_i64_##c,
  WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
  iop_br_i32_eqz,          // [a][target]
  iop_br_i64_eqz,
  iop_br_i64_nez,
  // Loads whose address is an `i32.add` of two slots: [dst|x<<32][y|offset<<32].
  iop_load_add_first,
  iop_load_add_last = iop_load_add_first + 13,
  // Unchecked variants for memories with guard pages (same operands as the checked ones):
  // plain loads (0x28..0x35), stores (0x36..0x3E), and loads of an added address.
  iop_load_g_first,
  iop_store_g_first = iop_load_g_first + 14,
  iop_load_add_g_first = iop_store_g_first + 9,
  // Stores whose address is an `i32.add` of two slots: [x|y<<32][value|offset<<32].
  iop_store_add_first = iop_load_add_g_first + 14,
  iop_store_add_g_first = iop_store_add_first + 9,
  // Branches to a loop header: the interrupt/fuel tick is taken with the branch, so a loop
  // costs no extra dispatch per iteration. The fused ones follow the order above.
  iop_br_loop = iop_store_add_g_first + 9,  // [target]
  iop_br_if_loop,                           // [c][target]
  iop_brl_first,                            // iop_br_i32_eq .. iop_br_i64_nez, loop variants
  iop_brl_last = iop_brl_first + (iop_br_i64_nez - iop_br_i32_eq),
  iop_copy2,                                // [d1|s1<<32][d2|s2<<32], in that order
  // i32 binary operations with a constant right operand: [dst|a<<32][imm].
#define WITC_IMM_OPS(X) X(add) X(sub) X(mul) X(and) X(or) X(xor) X(shl) X(shr_s) X(shr_u) X(rotl) X(rotr)
#define WITC_X(o) iop_i32_##o##_imm,
  WITC_IMM_OPS(WITC_X)
#undef WITC_X
  // `x * y + z` when an add consumes the product just computed: [dst|x<<32][y|z<<32].
  iop_i32_mul_add,
  iop_f32_mul_add,
  iop_f64_mul_add,
  // Two i32 operations where the second consumes the first's result:
  // iop_f2_X_Y: dst = Y(X(a, b), c), [dst|a<<32][b|c<<32].
#define WITC_F2_LIST(X) X(add) X(sub) X(mul) X(and) X(or) X(xor) X(shl) X(shr_s) X(shr_u) X(rotl)
#define WITC_F2_INNER(X, x)                                                                 \
  X(x, add) X(x, sub) X(x, mul) X(x, and) X(x, or) X(x, xor) X(x, shl) X(x, shr_s) X(x, shr_u) \
  X(x, rotl)
#define WITC_F2_ALL(X)                                                                      \
  WITC_F2_INNER(X, add) WITC_F2_INNER(X, sub) WITC_F2_INNER(X, mul) WITC_F2_INNER(X, and)      \
  WITC_F2_INNER(X, or) WITC_F2_INNER(X, xor) WITC_F2_INNER(X, shl) WITC_F2_INNER(X, shr_s)    \
  WITC_F2_INNER(X, shr_u) WITC_F2_INNER(X, rotl)
#define WITC_X(x, y) iop_f2_##x##_##y,
  WITC_F2_ALL(WITC_X)
#undef WITC_X
  // A loop back-edge on an i32 comparison whose left operand was just incremented by a
  // constant: x = a + imm; taken when cmp(x, b). [x|a<<32][imm|b<<32][target]
#define WITC_X(c) iop_brl_addimm_##c,
  WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
  // Two plain loads of one kind in a row (guard pages only), both results kept:
  // [d1|a1][o1|o2<<32][d2|a2], in the order of the loads 0x28..0x35.
  iop_load2_g_first,
  // An add consuming a multiply-add just computed, `e + (x * y + z)` (the unrolled
  // dot-product step): [dst|x][y|z][e].
  iop_i32_mul_add_add = iop_load2_g_first + 14,
  iop_f32_mul_add_add,
  iop_f64_mul_add_add,
  iop_copy3,  // copy2 with a third [dst|src] word
  iop_copy4,
  // An increment just before an increment-and-branch (a loop with two induction
  // variables): [x2|a2][imm2] then the iop_brl_addimm operands. In WITC_FUSED_CMPS order.
  iop_brl2_addimm_first,
  // An operation whose right operand is a load just done (guard pages only), the address
  // an `i32.add` of two slots: dst = op(left, load(u32(x + y) + offset)),
  // [dst|left][x|y][offset]. i32 ops over the i32 loads, f32/f64 ops over their load.
  iop_opload_first = iop_brl2_addimm_first + 10,
#define WITC_OPLOAD_I32_OPS(X) X(add) X(sub) X(mul) X(and) X(or) X(xor)
#define WITC_OPLOAD_I32_LOADS(X, o) \
  X(o, i32_load) X(o, i32_load8_s) X(o, i32_load8_u) X(o, i32_load16_s) X(o, i32_load16_u)
#define WITC_OPLOAD_ALL(X)                                                                 \
  WITC_OPLOAD_I32_LOADS(X, i32_add) WITC_OPLOAD_I32_LOADS(X, i32_sub)                        \
  WITC_OPLOAD_I32_LOADS(X, i32_mul) WITC_OPLOAD_I32_LOADS(X, i32_and)                        \
  WITC_OPLOAD_I32_LOADS(X, i32_or) WITC_OPLOAD_I32_LOADS(X, i32_xor)                         \
  X(f32_add, f32_load) X(f32_sub, f32_load) X(f32_mul, f32_load)                             \
  X(f64_add, f64_load) X(f64_sub, f64_load) X(f64_mul, f64_load)
  iop_opload_last = iop_opload_first + 36,
  // Float compare-and-branch, [a|b<<32][target], for forward targets: f32 eq ne lt gt le
  // ge, then f64; then the same twelve taken when the comparison does not hold (NaN
  // operands make that no other comparison).
#define WITC_FLOAT_CMPS(X) \
  X(f32_eq, f32, ==) X(f32_ne, f32, !=) X(f32_lt, f32, <) X(f32_gt, f32, >) X(f32_le, f32, <=) X(f32_ge, f32, >=) \
  X(f64_eq, f64, ==) X(f64_ne, f64, !=) X(f64_lt, f64, <) X(f64_gt, f64, >) X(f64_le, f64, <=) X(f64_ge, f64, >=)
  iop_brf_first = iop_opload_last,
  iop_brf_not_first = iop_brf_first + 12,
  iop_count = iop_brf_not_first + 12,
};

// One function translated to threaded code: handler addresses interleaved with
// immediates, branch targets as absolute addresses into `code`.
struct compiled_func {
  std::vector<std::uint64_t> code;
  std::uint32_t nparams = 0;
  std::uint32_t nresults = 0;
  std::uint32_t nlocals = 0;     // params included
  std::uint32_t max_height = 0;  // unused
  std::uint32_t frame_size = 0;  // slots above fp the function may use
  std::vector<std::uint64_t> consts;  // the constants' values (fp[nlocals..])
  // What a call writes above the parameters: zeros for the declared locals, then the
  // constants; one copy loop instead of a fill and a copy.
  std::vector<std::uint64_t> frame_init;
  std::uint32_t index = 0;       // in the function index space
};

// The handler address of every internal opcode (filled by the interpreter once).
const void* const* handlers();

struct frame {
  const std::uint64_t* pc;
  std::uint64_t* fp;
  func_inst* fn;
};

}  // namespace detail

class compiled_module {
 public:
  std::shared_ptr<const binary::module> mod;
  bool guarded = false;  // loads and stores rely on guard pages (memories must be guarded)
  std::vector<detail::compiled_func> funcs;  // defined functions
};

struct store::detail_state {
  std::vector<std::uint64_t> stack;
  std::uint64_t* free = nullptr;  // first slot not used by any active invocation
  std::vector<detail::frame> frames;
  std::size_t depth = 0;
  // Kept up to date by the interpreter for the guard-page fault path, which cannot read
  // its registers: the running function and the base of the memory it accesses.
  func_inst* cur_fn = nullptr;
  std::uint8_t* cur_mem = nullptr;
  std::int64_t ticks = 0;
  std::optional<std::uint64_t> fuel;  // back-edges/calls until the next interrupt/fuel check
  std::map<func_type, std::uint32_t> type_ids;
  std::vector<std::unique_ptr<instance>> instances;
  std::vector<std::unique_ptr<func_inst>> funcs;
  std::vector<std::unique_ptr<memory_inst>> memories;
  std::vector<std::unique_ptr<table_inst>> tables;
  std::vector<std::unique_ptr<global_inst>> globals;
  std::vector<std::unique_ptr<func_type>> host_types;
};

namespace detail {
// Runs `f` with its arguments already at `args` (a slot inside the store's stack);
// results are written to `args[0..]`. Returns false on a trap (in `st.last_trap_`).
bool execute(store* st, func_inst* f, std::uint64_t* args);
// Translates every function of a validated module.
result<std::vector<compiled_func>> compile_functions(const binary::module& m, bool guarded);
// Bytes reserved per guarded memory: any u32 address + u32 offset + 8 stays inside.
inline constexpr std::uint64_t guard_reservation = (std::uint64_t{1} << 33) + 65536;
// Whether this build can turn guard-page faults into traps.
bool guard_pages_supported();
}  // namespace detail

}  // namespace witc::engine
