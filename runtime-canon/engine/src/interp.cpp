// The interpreter: threaded code with computed goto (a GNU extension both g++ and clang
// support). Locals and operands share one slot stack; calls never recurse on the host
// stack, so guest recursion is bounded only by the store's limits.
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#ifdef WITC_ENGINE_PROFILE
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#endif

#include "internal.hpp"

#if defined(__GNUC__)
#define WITC_LIKELY(x) __builtin_expect(!!(x), 1)
#define WITC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define WITC_LIKELY(x) (x)
#define WITC_UNLIKELY(x) (x)
#endif

namespace witc::engine::detail {

namespace {

inline float f32_of(std::uint64_t v) { return std::bit_cast<float>(static_cast<std::uint32_t>(v)); }
inline double f64_of(std::uint64_t v) { return std::bit_cast<double>(v); }
inline std::uint64_t bits_of(float f) { return std::bit_cast<std::uint32_t>(f); }
inline std::uint64_t bits_of(double d) { return std::bit_cast<std::uint64_t>(d); }

template <class F>
F fmin_wasm(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
template <class F>
F fmax_wasm(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
template <class I, class F>
I trunc_sat(F x) {
  if (std::isnan(x)) return 0;
  if (x <= static_cast<F>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (x >= static_cast<F>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(x);
}

const void* const* g_handlers = nullptr;

#ifdef WITC_ENGINE_PROFILE
}  // namespace
std::map<const void*, std::uint64_t>& profile_counts() {
  static auto* m = new std::map<const void*, std::uint64_t>;  // outlives the dump below
  return *m;
}
namespace {
struct profile_dump {
  ~profile_dump() {
    std::vector<std::pair<std::uint64_t, std::string>> v;
    for (auto [addr, n] : profile_counts()) {
      std::string name = "?";
      for (unsigned i = 0; i < iop_count; ++i)
        if (g_handlers && g_handlers[i] == addr) {
          name = i < binary::op_table_size ? std::string(binary::op_name(static_cast<binary::op>(i))) : "";
          if (name.empty()) name = "iop" + std::to_string(i);
          break;
        }
      v.emplace_back(n, name);
    }
    std::sort(v.rbegin(), v.rend());
    std::uint64_t total = 0;
    for (auto& e : v) total += e.first;
    std::fprintf(stderr, "total dispatches %llu\n", (unsigned long long)total);
    for (std::size_t i = 0; i < v.size() && i < 30; ++i) std::fprintf(stderr, "%12llu %s\n", (unsigned long long)v[i].first, v[i].second.c_str());
  }
} dump_at_exit;
#endif

std::string func_name(func_inst* f) {
  if (!f) return "?";
  if (!f->code) return f->name.empty() ? "<host>" : f->name;
  auto& m = f->inst->module();
  auto n = m.names.function(f->index);
  if (!n.empty()) return std::string(n);
  return "func[" + std::to_string(f->index) + "]";
}

// Out of line so that no object with a destructor lives in the interpreter's scope
// (clang refuses computed gotos that would leave such a scope).
[[gnu::noinline]] bool call_host(store& st, func_inst* f, instance* in, std::uint64_t* io, std::uint32_t n) {
  caller c{st, in};
  auto t = f->host(c, std::span<std::uint64_t>(io, n));
  if (!t) return true;
  st.last_trap_ = trap{t->kind, std::move(t->message), {}, t->exit_code};
  return false;
}

}  // namespace

const void* const* handlers() {
  if (!g_handlers) {
    // The interpreter publishes its label table when called with no function.
    execute(nullptr, nullptr, nullptr);
  }
  return g_handlers;
}

bool execute(store* stp, func_inst* entry, std::uint64_t* args) {
  static const void* table[iop_count];
  if (WITC_UNLIKELY(entry == nullptr)) {
    for (auto& t : table) t = &&L_bad;
#define WITC_X(name, code, sig) table[code] = &&L_##name;
    WITC_CORE_OPS(WITC_X)
#undef WITC_X
    table[iop_br_move] = &&L_br_move;
    table[iop_br_if_move] = &&L_br_if_move;
    table[iop_br_unless] = &&L_br_unless;
    table[iop_loop_check] = &&L_loop_check;
    table[iop_const] = &&L_const;
    table[iop_copy] = &&L_copy;
#define WITC_X(c) table[iop_br_i32_##c] = &&L_br_i32_##c; table[iop_br_i64_##c] = &&L_br_i64_##c;
    WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
    table[iop_br_i32_eqz] = &&L_br_i32_eqz;
    table[iop_br_i64_eqz] = &&L_br_i64_eqz;
    table[iop_br_i64_nez] = &&L_br_i64_nez;
    {
      static const void* const loads[] = {
          &&LA_i32_load, &&LA_i64_load, &&LA_f32_load, &&LA_f64_load, &&LA_i32_load8_s,
          &&LA_i32_load8_u, &&LA_i32_load16_s, &&LA_i32_load16_u, &&LA_i64_load8_s, &&LA_i64_load8_u,
          &&LA_i64_load16_s, &&LA_i64_load16_u, &&LA_i64_load32_s, &&LA_i64_load32_u};
      for (unsigned k = 0; k < 14; ++k) table[iop_load_add_first + k] = loads[k];
    }
    g_handlers = table;
    return true;
  }

  store& st = *stp;
  auto& d = st.detail();
  const limits& lim = st.get_limits();
  std::uint64_t* const stack_end = d.stack.data() + d.stack.size();
  const std::size_t entry_depth = d.depth;
  std::uint64_t* const saved_free = d.free;

  const std::uint64_t* pc = nullptr;
  std::uint64_t* fp = args;
  func_inst* fn = entry;
  instance* inst = nullptr;
  std::uint8_t* mem = nullptr;
  std::uint64_t memsize = 0;
  std::int64_t ticks = d.ticks;
  trap_kind tk = trap_kind::unreachable;

  func_inst* callee = nullptr;
  std::uint64_t* argbase = nullptr;

#ifdef WITC_ENGINE_PROFILE
#define NEXT()                                             \
  do {                                                     \
    ++profile_counts()[reinterpret_cast<const void*>(*pc)]; \
    goto* reinterpret_cast<const void*>(*pc++);            \
  } while (0)
#else
#define NEXT() goto* reinterpret_cast<const void*>(*pc++)
#endif
#define LO(w) static_cast<std::uint32_t>(w)
#define HI(w) static_cast<std::uint32_t>((w) >> 32)
#define TRAP(k)        \
  do {                 \
    tk = (k);          \
    goto L_trap;       \
  } while (0)
#define TICK()                                                              \
  do {                                                                      \
    if (WITC_UNLIKELY(--ticks <= 0)) {                                      \
      if (st.interrupt_.load(std::memory_order_relaxed)) TRAP(trap_kind::interrupted); \
      if (d.fuel) {                                                         \
        if (*d.fuel == 0) TRAP(trap_kind::out_of_fuel);                     \
        std::uint64_t take = *d.fuel < 4096 ? *d.fuel : 4096;               \
        *d.fuel -= take;                                                    \
        ticks = static_cast<std::int64_t>(take);                            \
      } else {                                                              \
        ticks = 4096;                                                       \
      }                                                                     \
    }                                                                       \
  } while (0)
#define RELOAD_MEM()                                      \
  do {                                                    \
    if (!inst->memories.empty()) {                        \
      mem = inst->memories[0]->base;                      \
      memsize = inst->memories[0]->size;                  \
    }                                                     \
  } while (0)

  callee = entry;
  argbase = args;
  goto do_call;

do_call: {
  func_inst* f = callee;
  std::uint64_t* nfp = argbase;
  TICK();
  if (!f->code) {
    // Host function: arguments and results in place in the caller's slots.
    std::uint32_t np = static_cast<std::uint32_t>(f->type->params.size());
    std::uint32_t nr = static_cast<std::uint32_t>(f->type->results.size());
    std::uint32_t n = np > nr ? np : nr;
    if (WITC_UNLIKELY(nfp + n + 1 > stack_end)) TRAP(trap_kind::call_stack_exhausted);
    d.free = nfp + n;
    d.ticks = ticks;
    bool host_ok = call_host(st, f, inst ? inst : f->inst, nfp, n);
    ticks = d.ticks;
    d.free = saved_free;
    if (!host_ok) {
      tk = st.last_trap_->kind;
      goto L_trap_set;
    }
    if (pc == nullptr) goto L_done;
    RELOAD_MEM();
    NEXT();
  }
  const compiled_func* cf = static_cast<const compiled_func*>(f->code);
  if (WITC_UNLIKELY(d.depth - entry_depth >= lim.max_call_depth || d.depth + 1 >= d.frames.size() ||
                    nfp + cf->frame_size >= stack_end))
    TRAP(trap_kind::call_stack_exhausted);
  d.frames[d.depth++] = frame{pc, fp, fn};
  std::uint32_t np = cf->nparams;
  if (cf->nlocals > np) std::memset(nfp + np, 0, (cf->nlocals - np) * sizeof(std::uint64_t));
  if (!cf->consts.empty()) std::memcpy(nfp + cf->nlocals, cf->consts.data(), cf->consts.size() * sizeof(std::uint64_t));
  fp = nfp;
  pc = cf->code.data();
  fn = f;
  inst = f->inst;
  RELOAD_MEM();
  NEXT();
}

L_loop_check:
  TICK();
  NEXT();

L_return_: {
  std::uint64_t w = *pc;
  std::uint32_t src = LO(w), nr = HI(w);
  if (src != 0)
    for (std::uint32_t i = 0; i < nr; ++i) fp[i] = fp[src + i];
  frame& fr = d.frames[--d.depth];
  pc = fr.pc;
  fp = fr.fp;
  fn = fr.fn;
  if (d.depth == entry_depth) goto L_done;
  inst = fn->inst;
  RELOAD_MEM();
  NEXT();
}

L_call: {
  callee = inst->funcs[pc[0]];
  argbase = fp + LO(pc[1]);
  pc += 2;
  goto do_call;
}
L_call_indirect: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  table_inst* t = inst->tables[HI(w0)];
  std::uint32_t i = static_cast<std::uint32_t>(fp[HI(w1)]);
  if (WITC_UNLIKELY(i >= t->elems.size())) TRAP(trap_kind::undefined_element);
  func_inst* f = reinterpret_cast<func_inst*>(t->elems[i]);
  if (WITC_UNLIKELY(!f)) TRAP(trap_kind::uninitialized_element);
  if (WITC_UNLIKELY(f->type_id != inst->type_ids[LO(w0)])) TRAP(trap_kind::indirect_call_type_mismatch);
  callee = f;
  argbase = fp + LO(w1);
  goto do_call;
}

L_unreachable:
  TRAP(trap_kind::unreachable);
L_nop:
L_block:
L_loop:
L_if_:
L_else_:
L_end:
L_select_t:
L_drop:
L_local_get:
L_local_set:
L_local_tee:
L_i32_const:
L_i64_const:
L_f32_const:
L_f64_const:
L_ref_null:
L_br_move:
L_br_if_move:
L_const:
L_bad:
  TRAP(trap_kind::host_error);

L_br:
  pc = reinterpret_cast<const std::uint64_t*>(*pc);
  NEXT();
L_br_if:
  if (static_cast<std::uint32_t>(fp[pc[0]])) {
    pc = reinterpret_cast<const std::uint64_t*>(pc[1]);
    NEXT();
  }
  pc += 2;
  NEXT();
L_br_unless:
  if (!static_cast<std::uint32_t>(fp[pc[0]])) {
    pc = reinterpret_cast<const std::uint64_t*>(pc[1]);
    NEXT();
  }
  pc += 2;
  NEXT();
L_br_table: {
  std::uint64_t w = pc[0];
  std::uint32_t n = HI(w);
  std::uint32_t i = static_cast<std::uint32_t>(fp[LO(w)]);
  const std::uint64_t* e = pc + 1 + 3 * (i < n ? i : n);
  std::uint32_t dst = LO(e[1]), src = HI(e[1]);
  std::uint32_t k = static_cast<std::uint32_t>(e[2]);
  if (dst != src)
    for (std::uint32_t j = 0; j < k; ++j) fp[dst + j] = fp[src + j];
  pc = reinterpret_cast<const std::uint64_t*>(e[0]);
  NEXT();
}

#define BRCMP(name, T, expr)                                   \
  L_##name: {                                                  \
    std::uint64_t w = pc[0];                                   \
    T a = T(fp[LO(w)]);                                        \
    T b = T(fp[HI(w)]);                                        \
    (void)b;                                                   \
    if (expr) {                                                \
      pc = reinterpret_cast<const std::uint64_t*>(pc[1]);      \
      NEXT();                                                  \
    }                                                          \
    pc += 2;                                                   \
    NEXT();                                                    \
  }
  BRCMP(br_i32_eq, std::uint32_t, a == b)
  BRCMP(br_i32_ne, std::uint32_t, a != b)
  BRCMP(br_i32_lt_s, std::uint32_t, static_cast<std::int32_t>(a) < static_cast<std::int32_t>(b))
  BRCMP(br_i32_lt_u, std::uint32_t, a < b)
  BRCMP(br_i32_gt_s, std::uint32_t, static_cast<std::int32_t>(a) > static_cast<std::int32_t>(b))
  BRCMP(br_i32_gt_u, std::uint32_t, a > b)
  BRCMP(br_i32_le_s, std::uint32_t, static_cast<std::int32_t>(a) <= static_cast<std::int32_t>(b))
  BRCMP(br_i32_le_u, std::uint32_t, a <= b)
  BRCMP(br_i32_ge_s, std::uint32_t, static_cast<std::int32_t>(a) >= static_cast<std::int32_t>(b))
  BRCMP(br_i32_ge_u, std::uint32_t, a >= b)
  BRCMP(br_i64_eq, std::uint64_t, a == b)
  BRCMP(br_i64_ne, std::uint64_t, a != b)
  BRCMP(br_i64_lt_s, std::uint64_t, static_cast<std::int64_t>(a) < static_cast<std::int64_t>(b))
  BRCMP(br_i64_lt_u, std::uint64_t, a < b)
  BRCMP(br_i64_gt_s, std::uint64_t, static_cast<std::int64_t>(a) > static_cast<std::int64_t>(b))
  BRCMP(br_i64_gt_u, std::uint64_t, a > b)
  BRCMP(br_i64_le_s, std::uint64_t, static_cast<std::int64_t>(a) <= static_cast<std::int64_t>(b))
  BRCMP(br_i64_le_u, std::uint64_t, a <= b)
  BRCMP(br_i64_ge_s, std::uint64_t, static_cast<std::int64_t>(a) >= static_cast<std::int64_t>(b))
  BRCMP(br_i64_ge_u, std::uint64_t, a >= b)
  BRCMP(br_i32_eqz, std::uint32_t, a == 0)
  BRCMP(br_i64_eqz, std::uint64_t, a == 0)
  BRCMP(br_i64_nez, std::uint64_t, a != 0)
#undef BRCMP

L_copy: {
  std::uint64_t w = *pc++;
  fp[LO(w)] = fp[HI(w)];
  NEXT();
}
L_select: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  std::uint64_t a = fp[HI(w0)], b = fp[LO(w1)];
  fp[LO(w0)] = static_cast<std::uint32_t>(fp[HI(w1)]) ? a : b;
  NEXT();
}
L_global_get: {
  std::uint64_t w = *pc++;
  fp[LO(w)] = inst->globals[HI(w)]->bits;
  NEXT();
}
L_global_set: {
  std::uint64_t w = *pc++;
  inst->globals[HI(w)]->bits = fp[LO(w)];
  NEXT();
}

L_table_get: {
  std::uint64_t w = pc[0];
  table_inst* t = inst->tables[pc[1]];
  pc += 2;
  std::uint32_t i = static_cast<std::uint32_t>(fp[HI(w)]);
  if (i >= t->elems.size()) TRAP(trap_kind::table_out_of_bounds);
  fp[LO(w)] = t->elems[i];
  NEXT();
}
L_table_set: {
  std::uint64_t w = pc[0];
  table_inst* t = inst->tables[pc[1]];
  pc += 2;
  std::uint32_t i = static_cast<std::uint32_t>(fp[LO(w)]);
  if (i >= t->elems.size()) TRAP(trap_kind::table_out_of_bounds);
  t->elems[i] = fp[HI(w)];
  NEXT();
}
L_table_size: {
  std::uint64_t w = *pc++;
  fp[LO(w)] = inst->tables[HI(w)]->elems.size();
  NEXT();
}
L_table_grow: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  table_inst* t = inst->tables[HI(w1)];
  std::uint32_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint64_t v = fp[HI(w0)];
  std::uint64_t limit = t->max < lim.max_table_elements ? t->max : lim.max_table_elements;
  fp[LO(w0)] = (t->elems.size() + n > limit) ? static_cast<std::uint32_t>(-1) : static_cast<std::uint32_t>(t->grow(n, v));
  NEXT();
}
L_table_fill: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  table_inst* t = inst->tables[HI(w1)];
  std::uint64_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint64_t v = fp[HI(w0)];
  std::uint64_t i = static_cast<std::uint32_t>(fp[LO(w0)]);
  if (i + n > t->elems.size()) TRAP(trap_kind::table_out_of_bounds);
  for (std::uint64_t k = 0; k < n; ++k) t->elems[i + k] = v;
  NEXT();
}
L_table_copy: {
  std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];
  pc += 3;
  table_inst* dt = inst->tables[LO(w2)];
  table_inst* stb = inst->tables[HI(w2)];
  std::uint64_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint64_t s = static_cast<std::uint32_t>(fp[HI(w0)]);
  std::uint64_t dd = static_cast<std::uint32_t>(fp[LO(w0)]);
  if (s + n > stb->elems.size() || dd + n > dt->elems.size()) TRAP(trap_kind::table_out_of_bounds);
  if (n) std::memmove(dt->elems.data() + dd, stb->elems.data() + s, n * sizeof(std::uint64_t));
  NEXT();
}
L_table_init: {
  std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];
  pc += 3;
  auto& seg = inst->elems[LO(w2)];
  table_inst* t = inst->tables[HI(w2)];
  std::uint64_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint64_t s = static_cast<std::uint32_t>(fp[HI(w0)]);
  std::uint64_t dd = static_cast<std::uint32_t>(fp[LO(w0)]);
  if (s + n > seg.size() || dd + n > t->elems.size()) TRAP(trap_kind::table_out_of_bounds);
  for (std::uint64_t k = 0; k < n; ++k) t->elems[dd + k] = seg[s + k];
  NEXT();
}
L_elem_drop:
  inst->elems[*pc++].clear();
  NEXT();
L_ref_func: {
  std::uint64_t w = *pc++;
  fp[LO(w)] = reinterpret_cast<std::uintptr_t>(inst->funcs[HI(w)]);
  NEXT();
}

  // Memory --------------------------------------------------------------------------
#define LOAD(name, T, conv)                                                          \
  L_##name: {                                                                        \
    std::uint64_t w = pc[0];                                                         \
    std::uint64_t ea = static_cast<std::uint64_t>(static_cast<std::uint32_t>(fp[HI(w)])) + pc[1]; \
    pc += 2;                                                                         \
    if (WITC_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(trap_kind::memory_out_of_bounds); \
    T v;                                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                                            \
    fp[LO(w)] = conv;                                                                \
    NEXT();                                                                          \
  }
  LOAD(i32_load, std::uint32_t, v)
  LOAD(i64_load, std::uint64_t, v)
  LOAD(f32_load, std::uint32_t, v)
  LOAD(f64_load, std::uint64_t, v)
  LOAD(i32_load8_s, std::int8_t, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)))
  LOAD(i32_load8_u, std::uint8_t, v)
  LOAD(i32_load16_s, std::int16_t, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)))
  LOAD(i32_load16_u, std::uint16_t, v)
  LOAD(i64_load8_s, std::int8_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))
  LOAD(i64_load8_u, std::uint8_t, v)
  LOAD(i64_load16_s, std::int16_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))
  LOAD(i64_load16_u, std::uint16_t, v)
  LOAD(i64_load32_s, std::int32_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))
  LOAD(i64_load32_u, std::uint32_t, v)
#undef LOAD
#define LOAD_ADD(name, T, conv)                                                      \
  LA_##name: {                                                                       \
    std::uint64_t w = pc[0], w1 = pc[1];                                             \
    std::uint32_t addr = static_cast<std::uint32_t>(fp[HI(w)]) + static_cast<std::uint32_t>(fp[LO(w1)]); \
    std::uint64_t ea = static_cast<std::uint64_t>(addr) + HI(w1);                    \
    pc += 2;                                                                         \
    if (WITC_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(trap_kind::memory_out_of_bounds); \
    T v;                                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                                            \
    fp[LO(w)] = conv;                                                                \
    NEXT();                                                                          \
  }
  LOAD_ADD(i32_load, std::uint32_t, v)
  LOAD_ADD(i64_load, std::uint64_t, v)
  LOAD_ADD(f32_load, std::uint32_t, v)
  LOAD_ADD(f64_load, std::uint64_t, v)
  LOAD_ADD(i32_load8_s, std::int8_t, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)))
  LOAD_ADD(i32_load8_u, std::uint8_t, v)
  LOAD_ADD(i32_load16_s, std::int16_t, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)))
  LOAD_ADD(i32_load16_u, std::uint16_t, v)
  LOAD_ADD(i64_load8_s, std::int8_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))
  LOAD_ADD(i64_load8_u, std::uint8_t, v)
  LOAD_ADD(i64_load16_s, std::int16_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))
  LOAD_ADD(i64_load16_u, std::uint16_t, v)
  LOAD_ADD(i64_load32_s, std::int32_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))
  LOAD_ADD(i64_load32_u, std::uint32_t, v)
#undef LOAD_ADD
#define STORE(name, T)                                                               \
  L_##name: {                                                                        \
    std::uint64_t w = pc[0];                                                         \
    std::uint64_t ea = static_cast<std::uint64_t>(static_cast<std::uint32_t>(fp[LO(w)])) + pc[1]; \
    T v = static_cast<T>(fp[HI(w)]);                                                 \
    pc += 2;                                                                         \
    if (WITC_UNLIKELY(ea + sizeof(T) > memsize)) TRAP(trap_kind::memory_out_of_bounds); \
    std::memcpy(mem + ea, &v, sizeof(T));                                            \
    NEXT();                                                                          \
  }
  STORE(i32_store, std::uint32_t)
  STORE(i64_store, std::uint64_t)
  STORE(f32_store, std::uint32_t)
  STORE(f64_store, std::uint64_t)
  STORE(i32_store8, std::uint8_t)
  STORE(i32_store16, std::uint16_t)
  STORE(i64_store8, std::uint8_t)
  STORE(i64_store16, std::uint16_t)
  STORE(i64_store32, std::uint32_t)
#undef STORE
L_memory_size: {
  std::uint64_t w = *pc++;
  fp[LO(w)] = memsize >> 16;
  NEXT();
}
L_memory_grow: {
  std::uint64_t w = *pc++;
  memory_inst* m = inst->memories[0];
  std::int64_t old = m->grow(static_cast<std::uint32_t>(fp[HI(w)]));
  fp[LO(w)] = static_cast<std::uint32_t>(old);
  RELOAD_MEM();
  NEXT();
}
L_memory_fill: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  std::uint64_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint8_t v = static_cast<std::uint8_t>(fp[HI(w0)]);
  std::uint64_t dd = static_cast<std::uint32_t>(fp[LO(w0)]);
  if (dd + n > memsize) TRAP(trap_kind::memory_out_of_bounds);
  std::memset(mem + dd, v, n);
  NEXT();
}
L_memory_copy: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  std::uint64_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint64_t s = static_cast<std::uint32_t>(fp[HI(w0)]);
  std::uint64_t dd = static_cast<std::uint32_t>(fp[LO(w0)]);
  if (s + n > memsize || dd + n > memsize) TRAP(trap_kind::memory_out_of_bounds);
  std::memmove(mem + dd, mem + s, n);
  NEXT();
}
L_memory_init: {
  std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];
  pc += 3;
  auto seg = inst->datas[LO(w2)];
  std::uint64_t n = static_cast<std::uint32_t>(fp[LO(w1)]);
  std::uint64_t s = static_cast<std::uint32_t>(fp[HI(w0)]);
  std::uint64_t dd = static_cast<std::uint32_t>(fp[LO(w0)]);
  if (s + n > seg.size() || dd + n > memsize) TRAP(trap_kind::memory_out_of_bounds);
  if (n) std::memcpy(mem + dd, seg.data() + s, n);
  NEXT();
}
L_data_drop:
  inst->datas[*pc++] = {};
  NEXT();

  // Numeric ------------------------------------------------------------------------
#define U32(x) static_cast<std::uint32_t>(x)
#define S32(x) static_cast<std::int32_t>(x)
#define U64(x) static_cast<std::uint64_t>(x)
#define S64(x) static_cast<std::int64_t>(x)
#define BIN(name, T, expr)   \
  L_##name: {                \
    std::uint64_t w = pc[0]; \
    T a = T(fp[HI(w)]);      \
    T b = T(fp[pc[1]]);      \
    pc += 2;                 \
    fp[LO(w)] = (expr);      \
    NEXT();                  \
  }
#define UN(name, T, expr)    \
  L_##name: {                \
    std::uint64_t w = *pc++; \
    T a = T(fp[HI(w)]);      \
    fp[LO(w)] = (expr);      \
    NEXT();                  \
  }
#define BINF(name, get, expr) \
  L_##name: {                 \
    std::uint64_t w = pc[0];  \
    auto a = get(fp[HI(w)]);  \
    auto b = get(fp[pc[1]]);  \
    pc += 2;                  \
    fp[LO(w)] = (expr);       \
    NEXT();                   \
  }
#define UNF(name, get, expr) \
  L_##name: {                \
    std::uint64_t w = *pc++; \
    auto a = get(fp[HI(w)]); \
    fp[LO(w)] = (expr);      \
    NEXT();                  \
  }
#define DIVOP(name, T, check, expr)                   \
  L_##name: {                                         \
    std::uint64_t w = pc[0];                          \
    T a = T(fp[HI(w)]);                               \
    T b = T(fp[pc[1]]);                               \
    pc += 2;                                          \
    if (WITC_UNLIKELY(b == 0)) TRAP(trap_kind::integer_divide_by_zero); \
    check;                                            \
    fp[LO(w)] = (expr);                               \
    NEXT();                                           \
  }
  UN(ref_is_null, std::uint64_t, U64(a == 0))
  UN(i32_eqz, std::uint32_t, a == 0)
  BIN(i32_eq, std::uint32_t, a == b)
  BIN(i32_ne, std::uint32_t, a != b)
  BIN(i32_lt_s, std::uint32_t, S32(a) < S32(b))
  BIN(i32_lt_u, std::uint32_t, a < b)
  BIN(i32_gt_s, std::uint32_t, S32(a) > S32(b))
  BIN(i32_gt_u, std::uint32_t, a > b)
  BIN(i32_le_s, std::uint32_t, S32(a) <= S32(b))
  BIN(i32_le_u, std::uint32_t, a <= b)
  BIN(i32_ge_s, std::uint32_t, S32(a) >= S32(b))
  BIN(i32_ge_u, std::uint32_t, a >= b)
  UN(i64_eqz, std::uint64_t, a == 0)
  BIN(i64_eq, std::uint64_t, a == b)
  BIN(i64_ne, std::uint64_t, a != b)
  BIN(i64_lt_s, std::uint64_t, S64(a) < S64(b))
  BIN(i64_lt_u, std::uint64_t, a < b)
  BIN(i64_gt_s, std::uint64_t, S64(a) > S64(b))
  BIN(i64_gt_u, std::uint64_t, a > b)
  BIN(i64_le_s, std::uint64_t, S64(a) <= S64(b))
  BIN(i64_le_u, std::uint64_t, a <= b)
  BIN(i64_ge_s, std::uint64_t, S64(a) >= S64(b))
  BIN(i64_ge_u, std::uint64_t, a >= b)
  BINF(f32_eq, f32_of, a == b)
  BINF(f32_ne, f32_of, a != b)
  BINF(f32_lt, f32_of, a < b)
  BINF(f32_gt, f32_of, a > b)
  BINF(f32_le, f32_of, a <= b)
  BINF(f32_ge, f32_of, a >= b)
  BINF(f64_eq, f64_of, a == b)
  BINF(f64_ne, f64_of, a != b)
  BINF(f64_lt, f64_of, a < b)
  BINF(f64_gt, f64_of, a > b)
  BINF(f64_le, f64_of, a <= b)
  BINF(f64_ge, f64_of, a >= b)
  UN(i32_clz, std::uint32_t, U32(std::countl_zero(a)))
  UN(i32_ctz, std::uint32_t, U32(std::countr_zero(a)))
  UN(i32_popcnt, std::uint32_t, U32(std::popcount(a)))
  BIN(i32_add, std::uint32_t, U32(a + b))
  BIN(i32_sub, std::uint32_t, U32(a - b))
  BIN(i32_mul, std::uint32_t, U32(a * b))
  DIVOP(i32_div_s, std::int32_t, if (WITC_UNLIKELY(a == std::numeric_limits<std::int32_t>::min() && b == -1)) TRAP(trap_kind::integer_overflow), U32(a / b))
  DIVOP(i32_div_u, std::uint32_t, (void)0, a / b)
  DIVOP(i32_rem_s, std::int32_t, (void)0, b == -1 ? 0u : U32(a % b))
  DIVOP(i32_rem_u, std::uint32_t, (void)0, a % b)
  BIN(i32_and, std::uint32_t, a & b)
  BIN(i32_or, std::uint32_t, a | b)
  BIN(i32_xor, std::uint32_t, a ^ b)
  BIN(i32_shl, std::uint32_t, U32(a << (b & 31)))
  BIN(i32_shr_s, std::uint32_t, U32(S32(a) >> (b & 31)))
  BIN(i32_shr_u, std::uint32_t, a >> (b & 31))
  BIN(i32_rotl, std::uint32_t, std::rotl(a, static_cast<int>(b & 31)))
  BIN(i32_rotr, std::uint32_t, std::rotr(a, static_cast<int>(b & 31)))
  UN(i64_clz, std::uint64_t, U64(std::countl_zero(a)))
  UN(i64_ctz, std::uint64_t, U64(std::countr_zero(a)))
  UN(i64_popcnt, std::uint64_t, U64(std::popcount(a)))
  BIN(i64_add, std::uint64_t, a + b)
  BIN(i64_sub, std::uint64_t, a - b)
  BIN(i64_mul, std::uint64_t, a * b)
  DIVOP(i64_div_s, std::int64_t, if (WITC_UNLIKELY(a == std::numeric_limits<std::int64_t>::min() && b == -1)) TRAP(trap_kind::integer_overflow), U64(a / b))
  DIVOP(i64_div_u, std::uint64_t, (void)0, a / b)
  DIVOP(i64_rem_s, std::int64_t, (void)0, b == -1 ? 0ull : U64(a % b))
  DIVOP(i64_rem_u, std::uint64_t, (void)0, a % b)
  BIN(i64_and, std::uint64_t, a & b)
  BIN(i64_or, std::uint64_t, a | b)
  BIN(i64_xor, std::uint64_t, a ^ b)
  BIN(i64_shl, std::uint64_t, a << (b & 63))
  BIN(i64_shr_s, std::uint64_t, U64(S64(a) >> (b & 63)))
  BIN(i64_shr_u, std::uint64_t, a >> (b & 63))
  BIN(i64_rotl, std::uint64_t, std::rotl(a, static_cast<int>(b & 63)))
  BIN(i64_rotr, std::uint64_t, std::rotr(a, static_cast<int>(b & 63)))
  UN(f32_abs, std::uint32_t, a & 0x7FFFFFFFu)
  UN(f32_neg, std::uint32_t, a ^ 0x80000000u)
  UNF(f32_ceil, f32_of, bits_of(std::isnan(a) ? a + a : std::ceil(a)))
  UNF(f32_floor, f32_of, bits_of(std::isnan(a) ? a + a : std::floor(a)))
  UNF(f32_trunc, f32_of, bits_of(std::isnan(a) ? a + a : std::trunc(a)))
  UNF(f32_nearest, f32_of, bits_of(std::isnan(a) ? a + a : std::nearbyint(a)))
  UNF(f32_sqrt, f32_of, bits_of(std::sqrt(a)))
  BINF(f32_add, f32_of, bits_of(a + b))
  BINF(f32_sub, f32_of, bits_of(a - b))
  BINF(f32_mul, f32_of, bits_of(a * b))
  BINF(f32_div, f32_of, bits_of(a / b))
  BINF(f32_min, f32_of, bits_of(fmin_wasm(a, b)))
  BINF(f32_max, f32_of, bits_of(fmax_wasm(a, b)))
  BIN(f32_copysign, std::uint32_t, (a & 0x7FFFFFFFu) | (b & 0x80000000u))
  UN(f64_abs, std::uint64_t, a & 0x7FFFFFFFFFFFFFFFull)
  UN(f64_neg, std::uint64_t, a ^ 0x8000000000000000ull)
  UNF(f64_ceil, f64_of, bits_of(std::isnan(a) ? a + a : std::ceil(a)))
  UNF(f64_floor, f64_of, bits_of(std::isnan(a) ? a + a : std::floor(a)))
  UNF(f64_trunc, f64_of, bits_of(std::isnan(a) ? a + a : std::trunc(a)))
  UNF(f64_nearest, f64_of, bits_of(std::isnan(a) ? a + a : std::nearbyint(a)))
  UNF(f64_sqrt, f64_of, bits_of(std::sqrt(a)))
  BINF(f64_add, f64_of, bits_of(a + b))
  BINF(f64_sub, f64_of, bits_of(a - b))
  BINF(f64_mul, f64_of, bits_of(a * b))
  BINF(f64_div, f64_of, bits_of(a / b))
  BINF(f64_min, f64_of, bits_of(fmin_wasm(a, b)))
  BINF(f64_max, f64_of, bits_of(fmax_wasm(a, b)))
  BIN(f64_copysign, std::uint64_t, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))
  UN(i32_wrap_i64, std::uint64_t, U32(a))
#define TRUNC(name, get, I, lo_ok, hi_ok)                         \
  L_##name: {                                                    \
    std::uint64_t w = *pc++;                                     \
    auto a = get(fp[HI(w)]);                                     \
    if (WITC_UNLIKELY(std::isnan(a))) TRAP(trap_kind::invalid_conversion); \
    if (WITC_UNLIKELY(!((lo_ok) && (hi_ok)))) TRAP(trap_kind::integer_overflow); \
    fp[LO(w)] = static_cast<std::make_unsigned_t<I>>(static_cast<I>(a)); \
    NEXT();                                                      \
  }
  TRUNC(i32_trunc_f32_s, f32_of, std::int32_t, a >= -2147483648.0f, a < 2147483648.0f)
  TRUNC(i32_trunc_f32_u, f32_of, std::uint32_t, a > -1.0f, a < 4294967296.0f)
  TRUNC(i32_trunc_f64_s, f64_of, std::int32_t, a > -2147483649.0, a < 2147483648.0)
  TRUNC(i32_trunc_f64_u, f64_of, std::uint32_t, a > -1.0, a < 4294967296.0)
  TRUNC(i64_trunc_f32_s, f32_of, std::int64_t, a >= -9223372036854775808.0f, a < 9223372036854775808.0f)
  TRUNC(i64_trunc_f32_u, f32_of, std::uint64_t, a > -1.0f, a < 18446744073709551616.0f)
  TRUNC(i64_trunc_f64_s, f64_of, std::int64_t, a >= -9223372036854775808.0, a < 9223372036854775808.0)
  TRUNC(i64_trunc_f64_u, f64_of, std::uint64_t, a > -1.0, a < 18446744073709551616.0)
#undef TRUNC
  UN(i64_extend_i32_s, std::uint64_t, U64(S64(S32(a))))
  UN(i64_extend_i32_u, std::uint64_t, U64(U32(a)))
  UN(f32_convert_i32_s, std::uint64_t, bits_of(static_cast<float>(S32(a))))
  UN(f32_convert_i32_u, std::uint64_t, bits_of(static_cast<float>(U32(a))))
  UN(f32_convert_i64_s, std::uint64_t, bits_of(static_cast<float>(S64(a))))
  UN(f32_convert_i64_u, std::uint64_t, bits_of(static_cast<float>(a)))
  UNF(f32_demote_f64, f64_of, bits_of(static_cast<float>(a)))
  UN(f64_convert_i32_s, std::uint64_t, bits_of(static_cast<double>(S32(a))))
  UN(f64_convert_i32_u, std::uint64_t, bits_of(static_cast<double>(U32(a))))
  UN(f64_convert_i64_s, std::uint64_t, bits_of(static_cast<double>(S64(a))))
  UN(f64_convert_i64_u, std::uint64_t, bits_of(static_cast<double>(a)))
  UNF(f64_promote_f32, f32_of, bits_of(static_cast<double>(a)))
  UN(i32_reinterpret_f32, std::uint64_t, U32(a))
  UN(i64_reinterpret_f64, std::uint64_t, a)
  UN(f32_reinterpret_i32, std::uint64_t, U32(a))
  UN(f64_reinterpret_i64, std::uint64_t, a)
  UN(i32_extend8_s, std::uint32_t, U32(S32(static_cast<std::int8_t>(a))))
  UN(i32_extend16_s, std::uint32_t, U32(S32(static_cast<std::int16_t>(a))))
  UN(i64_extend8_s, std::uint64_t, U64(S64(static_cast<std::int8_t>(a))))
  UN(i64_extend16_s, std::uint64_t, U64(S64(static_cast<std::int16_t>(a))))
  UN(i64_extend32_s, std::uint64_t, U64(S64(static_cast<std::int32_t>(a))))
  UNF(i32_trunc_sat_f32_s, f32_of, U32(trunc_sat<std::int32_t>(a)))
  UNF(i32_trunc_sat_f32_u, f32_of, U32(trunc_sat<std::uint32_t>(a)))
  UNF(i32_trunc_sat_f64_s, f64_of, U32(trunc_sat<std::int32_t>(a)))
  UNF(i32_trunc_sat_f64_u, f64_of, U32(trunc_sat<std::uint32_t>(a)))
  UNF(i64_trunc_sat_f32_s, f32_of, U64(trunc_sat<std::int64_t>(a)))
  UNF(i64_trunc_sat_f32_u, f32_of, U64(trunc_sat<std::uint64_t>(a)))
  UNF(i64_trunc_sat_f64_s, f64_of, U64(trunc_sat<std::int64_t>(a)))
  UNF(i64_trunc_sat_f64_u, f64_of, U64(trunc_sat<std::uint64_t>(a)))

L_trap: {
  static const char* const messages[] = {
      "unreachable", "out of bounds memory access", "out of bounds table access",
      "undefined element", "uninitialized element", "indirect call type mismatch",
      "integer divide by zero", "integer overflow", "invalid conversion to integer",
      "call stack exhausted", "interrupted", "all fuel consumed", "host error", "exit"};
  st.last_trap_ = trap{tk, messages[static_cast<int>(tk)], {}, 0};
}
L_trap_set: {
  trap& t = *st.last_trap_;
  if (t.kind != trap_kind::exit) {
    if (fn && fn->code) t.backtrace.push_back(func_name(fn));
    for (std::size_t i = d.depth; i-- > entry_depth + 1;) {
      if (t.backtrace.size() >= 64) break;
      t.backtrace.push_back(func_name(d.frames[i].fn));
    }
  }
  d.depth = entry_depth;
  d.ticks = ticks;
  d.free = saved_free;
  return false;
}

L_done:
  d.ticks = ticks;
  d.free = saved_free;
  return true;
}

}  // namespace witc::engine::detail
