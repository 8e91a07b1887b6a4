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

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#define WITC_GUARD_PAGES 1
#include <csetjmp>
#include <csignal>
#include <mutex>
#include <ucontext.h>
#endif

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

// The wasm backtrace of a trap in `fn` with the frames above `entry_depth`.
void add_backtrace(store::detail_state& d, trap& t, func_inst* fn, std::size_t entry_depth) {
  if (t.kind == trap_kind::exit) return;
  if (fn && fn->code) t.backtrace.push_back(func_name(fn));
  for (std::size_t i = d.depth; i-- > entry_depth + 1;) {
    if (t.backtrace.size() >= 64) break;
    t.backtrace.push_back(func_name(d.frames[i].fn));
  }
}

// PC range of the unchecked load/store handlers: only faults there can be wasm accesses.
std::uintptr_t g_guard_lo = 0, g_guard_hi = 0;

bool interpret(store* stp, func_inst* entry, std::uint64_t* args);

#ifdef WITC_GUARD_PAGES
// One per active `execute` on this thread (nested when a host function calls wasm).
struct guard_ctx {
  sigjmp_buf jb;
  store::detail_state* d;
  guard_ctx* prev;
};
thread_local guard_ctx* t_guard = nullptr;
struct sigaction g_old_segv, g_old_bus;

void on_fault(int sig, siginfo_t* si, void* uc) {
  if (guard_ctx* c = t_guard) {
    auto* u = static_cast<ucontext_t*>(uc);
#if defined(__x86_64__)
    auto pc = static_cast<std::uintptr_t>(u->uc_mcontext.gregs[REG_RIP]);
#else
    auto pc = static_cast<std::uintptr_t>(u->uc_mcontext.pc);
#endif
    auto a = reinterpret_cast<std::uintptr_t>(si->si_addr);
    auto m = reinterpret_cast<std::uintptr_t>(c->d->cur_mem);
    // A wasm access: in an unchecked handler, inside the running memory's reservation.
    if (m != 0 && a - m < guard_reservation && pc >= g_guard_lo && pc < g_guard_hi) siglongjmp(c->jb, 1);
  }
  const struct sigaction& old = sig == SIGBUS ? g_old_bus : g_old_segv;
  if ((old.sa_flags & SA_SIGINFO) && old.sa_sigaction) {
    old.sa_sigaction(sig, si, uc);
    return;
  }
  if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) {
    old.sa_handler(sig);
    return;
  }
  // Not ours and nobody else's: the default action, taken when the access re-executes.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, nullptr);
}

bool install_fault_handler() {
  struct sigaction cur {};
  if (sigaction(SIGSEGV, nullptr, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_fault) return true;
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  // NODEFER: the handler leaves by siglongjmp, which (with savemask 0) would otherwise
  // leave the signal blocked.
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGSEGV, &sa, &g_old_segv) != 0) return false;
  if (sigaction(SIGBUS, &sa, &g_old_bus) != 0) return false;
  return true;
}
#endif

}  // namespace

bool guard_pages_supported() {
#ifdef WITC_GUARD_PAGES
  static const bool ok = (handlers(), install_fault_handler());
  return ok;
#else
  return false;
#endif
}

bool execute(store* stp, func_inst* entry, std::uint64_t* args) {
#ifdef WITC_GUARD_PAGES
  if (entry == nullptr) return interpret(stp, entry, args);
  auto& d = stp->detail();
  const std::size_t entry_depth = d.depth;
  std::uint64_t* const saved_free = d.free;
  func_inst* const saved_fn = d.cur_fn;
  std::uint8_t* const saved_mem = d.cur_mem;
  guard_ctx ctx;
  ctx.d = &d;
  ctx.prev = t_guard;
  if (ctx.prev == nullptr && stp->guard_pages()) {
    // Someone (a test framework, a crash reporter) may have replaced the handler since;
    // put it back in front (passing their faults on to them). One syscall per entry from
    // the host, none for nested calls.
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    if (!install_fault_handler()) {
      stp->last_trap_ = trap{trap_kind::host_error, "cannot install the guard-page signal handler", {}, 0};
      return false;
    }
  }
  if (sigsetjmp(ctx.jb, 0) != 0) {
    // A guard-page fault in a load/store handler: the interpreter's frame is gone, its
    // state is in `d` (frames, depth, cur_fn).
    t_guard = ctx.prev;
    trap t{trap_kind::memory_out_of_bounds, "out of bounds memory access", {}, 0};
    add_backtrace(d, t, d.cur_fn, entry_depth);
    stp->last_trap_ = std::move(t);
    d.depth = entry_depth;
    d.free = saved_free;
    d.cur_fn = saved_fn;
    d.cur_mem = saved_mem;
    return false;
  }
  t_guard = &ctx;
  bool ok = interpret(stp, entry, args);
  t_guard = ctx.prev;
  d.cur_fn = saved_fn;
  d.cur_mem = saved_mem;
  return ok;
#else
  return interpret(stp, entry, args);
#endif
}

const void* const* handlers() {
  if (!g_handlers) {
    // The interpreter publishes its label table when called with no function.
    interpret(nullptr, nullptr, nullptr);
  }
  return g_handlers;
}

namespace {
[[gnu::noinline]] bool interpret(store* stp, func_inst* entry, std::uint64_t* args) {
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
#define WITC_X(c) table[iop_brl_first + (iop_br_i32_##c - iop_br_i32_eq)] = &&LL_br_i32_##c; \
                  table[iop_brl_first + (iop_br_i64_##c - iop_br_i32_eq)] = &&LL_br_i64_##c;
    WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
    table[iop_brl_first + (iop_br_i32_eqz - iop_br_i32_eq)] = &&LL_br_i32_eqz;
    table[iop_brl_first + (iop_br_i64_eqz - iop_br_i32_eq)] = &&LL_br_i64_eqz;
    table[iop_brl_first + (iop_br_i64_nez - iop_br_i32_eq)] = &&LL_br_i64_nez;
#define WITC_X(c) table[iop_brl_addimm_##c] = &&L_brl_addimm_##c;
    WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
    table[iop_br_loop] = &&L_br_loop;
    table[iop_br_if_loop] = &&L_br_if_loop;
    table[iop_copy2] = &&L_copy2;
    table[iop_copy3] = &&L_copy3;
#define WITC_X(c) table[iop_brl2_addimm_first + (iop_brl_addimm_##c - iop_brl_addimm_eq)] = &&L_brl2_addimm_##c;
    WITC_FUSED_CMPS(WITC_X)
#undef WITC_X
    {
      unsigned k = iop_brf_first;
#define WITC_X(name, t, cmp) table[k++] = &&LBF_##name;
      WITC_FLOAT_CMPS(WITC_X)
#undef WITC_X
#define WITC_X(name, t, cmp) table[k++] = &&LBFN_##name;
      WITC_FLOAT_CMPS(WITC_X)
#undef WITC_X
    }
    {
      unsigned k = iop_opload_first;
#define WITC_X(o, l) table[k++] = &&LOL_##o##_##l;
      WITC_OPLOAD_ALL(WITC_X)
#undef WITC_X
    }
    table[iop_copy4] = &&L_copy4;
#define WITC_X(x, y) table[iop_f2_##x##_##y] = &&L_f2_##x##_##y;
    WITC_F2_ALL(WITC_X)
#undef WITC_X
    table[iop_i32_mul_add] = &&L_i32_mul_add;
    table[iop_i32_mul_add_add] = &&L_i32_mul_add_add;
    table[iop_f32_mul_add_add] = &&L_f32_mul_add_add;
    table[iop_f64_mul_add_add] = &&L_f64_mul_add_add;
    table[iop_f32_mul_add] = &&L_f32_mul_add;
    table[iop_f64_mul_add] = &&L_f64_mul_add;
#define WITC_X(o) table[iop_i32_##o##_imm] = &&L_i32_##o##_imm;
    WITC_IMM_OPS(WITC_X)
#undef WITC_X
    {
      static const void* const loads[] = {
          &&LA_i32_load, &&LA_i64_load, &&LA_f32_load, &&LA_f64_load, &&LA_i32_load8_s,
          &&LA_i32_load8_u, &&LA_i32_load16_s, &&LA_i32_load16_u, &&LA_i64_load8_s, &&LA_i64_load8_u,
          &&LA_i64_load16_s, &&LA_i64_load16_u, &&LA_i64_load32_s, &&LA_i64_load32_u};
      for (unsigned k = 0; k < 14; ++k) table[iop_load_add_first + k] = loads[k];
      static const void* const gloads[] = {
          &&LG_i32_load, &&LG_i64_load, &&LG_f32_load, &&LG_f64_load, &&LG_i32_load8_s,
          &&LG_i32_load8_u, &&LG_i32_load16_s, &&LG_i32_load16_u, &&LG_i64_load8_s, &&LG_i64_load8_u,
          &&LG_i64_load16_s, &&LG_i64_load16_u, &&LG_i64_load32_s, &&LG_i64_load32_u};
      static const void* const gaddloads[] = {
          &&LAG_i32_load, &&LAG_i64_load, &&LAG_f32_load, &&LAG_f64_load, &&LAG_i32_load8_s,
          &&LAG_i32_load8_u, &&LAG_i32_load16_s, &&LAG_i32_load16_u, &&LAG_i64_load8_s, &&LAG_i64_load8_u,
          &&LAG_i64_load16_s, &&LAG_i64_load16_u, &&LAG_i64_load32_s, &&LAG_i64_load32_u};
      static const void* const gstores[] = {
          &&LG_i32_store, &&LG_i64_store, &&LG_f32_store, &&LG_f64_store, &&LG_i32_store8,
          &&LG_i32_store16, &&LG_i64_store8, &&LG_i64_store16, &&LG_i64_store32};
      for (unsigned k = 0; k < 14; ++k) table[iop_load_g_first + k] = gloads[k];
      for (unsigned k = 0; k < 14; ++k) table[iop_load_add_g_first + k] = gaddloads[k];
      for (unsigned k = 0; k < 9; ++k) table[iop_store_g_first + k] = gstores[k];
      static const void* const addstores[] = {
          &&LSA_i32_store, &&LSA_i64_store, &&LSA_f32_store, &&LSA_f64_store, &&LSA_i32_store8,
          &&LSA_i32_store16, &&LSA_i64_store8, &&LSA_i64_store16, &&LSA_i64_store32};
      static const void* const gaddstores[] = {
          &&LSAG_i32_store, &&LSAG_i64_store, &&LSAG_f32_store, &&LSAG_f64_store, &&LSAG_i32_store8,
          &&LSAG_i32_store16, &&LSAG_i64_store8, &&LSAG_i64_store16, &&LSAG_i64_store32};
      static const void* const gloads2[] = {
          &&L2G_i32_load, &&L2G_i64_load, &&L2G_f32_load, &&L2G_f64_load, &&L2G_i32_load8_s,
          &&L2G_i32_load8_u, &&L2G_i32_load16_s, &&L2G_i32_load16_u, &&L2G_i64_load8_s, &&L2G_i64_load8_u,
          &&L2G_i64_load16_s, &&L2G_i64_load16_u, &&L2G_i64_load32_s, &&L2G_i64_load32_u};
      for (unsigned k = 0; k < 14; ++k) table[iop_load2_g_first + k] = gloads2[k];
      for (unsigned k = 0; k < 9; ++k) table[iop_store_add_first + k] = addstores[k];
      for (unsigned k = 0; k < 9; ++k) table[iop_store_add_g_first + k] = gaddstores[k];
      // Faults are recognised between the first and past the last unchecked handler.
      std::uintptr_t lo = UINTPTR_MAX, hi = 0;
      for (unsigned i = iop_load_g_first; i < iop_count; ++i) {
        if (i >= iop_store_add_first && i < iop_store_add_g_first) continue;  // checked ones
        auto a = reinterpret_cast<std::uintptr_t>(table[i]);
        lo = a < lo ? a : lo;
        hi = a > hi ? a : hi;
      }
      g_guard_lo = lo;
      g_guard_hi = hi + 256;
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
  const std::size_t depth_limit = std::min<std::size_t>(entry_depth + lim.max_call_depth, d.frames.size() - 1);
  // The call depth lives in a register; `d.depth` is written on every change (the fault
  // path and host functions read it) but never read back here. The frame array is sized
  // once per store.
  std::size_t depth = entry_depth;
  frame* const frames = d.frames.data();

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
    } else {                                              \
      mem = nullptr;                                      \
      memsize = 0;                                        \
    }                                                     \
    d.cur_mem = mem;                                      \
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
    d.cur_fn = fn;
    if (!host_ok) {
      tk = st.last_trap_->kind;
      goto L_trap_set;
    }
    if (pc == nullptr) goto L_done;
    RELOAD_MEM();
    NEXT();
  }
  const compiled_func* cf = static_cast<const compiled_func*>(f->code);
  if (WITC_UNLIKELY(depth >= depth_limit || nfp + cf->frame_size >= stack_end))
    TRAP(trap_kind::call_stack_exhausted);
  frames[depth] = frame{pc, fp, fn};
  d.depth = ++depth;
  {
    // A plain loop: frames have a few locals and constants, where a libc call (or the
    // `rep movs` the compiler would turn this into) costs more. The empty asm keeps it a loop.
    std::uint64_t* p = nfp + cf->nparams;
    const std::uint64_t* c = cf->frame_init.data();
    const std::size_t n = cf->frame_init.size();
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) {
      p[i] = c[i];
      p[i + 1] = c[i + 1];
      __asm__ volatile("");
    }
    if (i < n) p[i] = c[i];
  }
  fp = nfp;
  pc = cf->code.data();
  fn = f;
  d.cur_fn = f;
  if (WITC_UNLIKELY(f->inst != inst)) {
    inst = f->inst;
    RELOAD_MEM();
  }
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
  const frame& fr = frames[--depth];
  d.depth = depth;
  pc = fr.pc;
  fp = fr.fp;
  fn = fr.fn;
  if (WITC_UNLIKELY(depth == entry_depth)) goto L_done;
  d.cur_fn = fn;
  if (WITC_UNLIKELY(fn->inst != inst)) {
    inst = fn->inst;
    RELOAD_MEM();
  }
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
// The ten i32 comparisons, as (name, condition over `a` and `b`), for the
// handler families that come in one variant per comparison.
#define I32_COMPARISONS(X)                                                           \
  X(eq, a == b)                                                                      \
  X(ne, a != b)                                                                      \
  X(lt_s, static_cast<std::int32_t>(a) < static_cast<std::int32_t>(b))               \
  X(lt_u, a < b)                                                                     \
  X(gt_s, static_cast<std::int32_t>(a) > static_cast<std::int32_t>(b))               \
  X(gt_u, a > b)                                                                     \
  X(le_s, static_cast<std::int32_t>(a) <= static_cast<std::int32_t>(b))              \
  X(le_u, a <= b)                                                                    \
  X(ge_s, static_cast<std::int32_t>(a) >= static_cast<std::int32_t>(b))              \
  X(ge_u, a >= b)
#define BRL_ADDIMM(c, expr)                                      \
  L_brl_addimm_##c: {                                            \
    std::uint64_t w0 = pc[0], w1 = pc[1];                        \
    std::uint32_t a = static_cast<std::uint32_t>(fp[HI(w0)]) + LO(w1); \
    std::uint32_t b = static_cast<std::uint32_t>(fp[HI(w1)]);    \
    fp[LO(w0)] = a;                                              \
    if (expr) {                                                  \
      TICK();                                                    \
      pc = reinterpret_cast<const std::uint64_t*>(pc[2]);        \
      NEXT();                                                    \
    }                                                            \
    pc += 3;                                                     \
    NEXT();                                                      \
  }
  I32_COMPARISONS(BRL_ADDIMM)
#undef BRL_ADDIMM
#define BRL2_ADDIMM(c, expr)                                                 \
  L_brl2_addimm_##c: {                                                       \
    std::uint64_t w0 = pc[0], i2 = pc[1], w1 = pc[2], w2 = pc[3];            \
    fp[LO(w0)] = static_cast<std::uint32_t>(static_cast<std::uint32_t>(fp[HI(w0)]) + static_cast<std::uint32_t>(i2)); \
    std::uint32_t a = static_cast<std::uint32_t>(fp[HI(w1)]) + LO(w2);       \
    fp[LO(w1)] = a;                                                          \
    std::uint32_t b = static_cast<std::uint32_t>(fp[HI(w2)]);                \
    if (expr) {                                                              \
      TICK();                                                                \
      pc = reinterpret_cast<const std::uint64_t*>(pc[4]);                    \
      NEXT();                                                                \
    }                                                                        \
    pc += 5;                                                                 \
    NEXT();                                                                  \
  }
  I32_COMPARISONS(BRL2_ADDIMM)
#undef BRL2_ADDIMM
#undef I32_COMPARISONS
L_br_loop:
  TICK();
  pc = reinterpret_cast<const std::uint64_t*>(*pc);
  NEXT();
L_br_if_loop:
  if (static_cast<std::uint32_t>(fp[pc[0]])) {
    TICK();
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
  TICK();  // may be a loop's back-edge
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
  }                                                            \
  LL_##name: {                                                 \
    std::uint64_t w = pc[0];                                   \
    T a = T(fp[LO(w)]);                                        \
    T b = T(fp[HI(w)]);                                        \
    (void)b;                                                   \
    if (expr) {                                                \
      TICK();                                                  \
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

#define WITC_X(name, t, cmp)                                   \
  LBF_##name: {                                                \
    std::uint64_t w = pc[0];                                   \
    if (t##_of(fp[LO(w)]) cmp t##_of(fp[HI(w)])) {             \
      pc = reinterpret_cast<const std::uint64_t*>(pc[1]);      \
      NEXT();                                                  \
    }                                                          \
    pc += 2;                                                   \
    NEXT();                                                    \
  }                                                            \
  LBFN_##name: {                                               \
    std::uint64_t w = pc[0];                                   \
    if (!(t##_of(fp[LO(w)]) cmp t##_of(fp[HI(w)]))) {          \
      pc = reinterpret_cast<const std::uint64_t*>(pc[1]);      \
      NEXT();                                                  \
    }                                                          \
    pc += 2;                                                   \
    NEXT();                                                    \
  }
  WITC_FLOAT_CMPS(WITC_X)
#undef WITC_X

L_copy: {
  std::uint64_t w = *pc++;
  fp[LO(w)] = fp[HI(w)];
  NEXT();
}
L_copy2: {
  std::uint64_t w0 = pc[0], w1 = pc[1];
  pc += 2;
  fp[LO(w0)] = fp[HI(w0)];
  fp[LO(w1)] = fp[HI(w1)];
  NEXT();
}
L_copy3: {
  std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];
  pc += 3;
  fp[LO(w0)] = fp[HI(w0)];
  fp[LO(w1)] = fp[HI(w1)];
  fp[LO(w2)] = fp[HI(w2)];
  NEXT();
}
L_copy4: {
  std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2], w3 = pc[3];
  pc += 4;
  fp[LO(w0)] = fp[HI(w0)];
  fp[LO(w1)] = fp[HI(w1)];
  fp[LO(w2)] = fp[HI(w2)];
  fp[LO(w3)] = fp[HI(w3)];
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
  // Each access has a checked handler (explicit bounds check) and an unchecked one for
  // memories with guard pages, where an out-of-bounds access faults inside the reservation
  // and the fault handler turns it into a trap.
#define CHECKED(ea, T) \
  if (WITC_UNLIKELY((ea) + sizeof(T) > memsize)) TRAP(trap_kind::memory_out_of_bounds)
#define UNCHECKED(ea, T) (void)0
#define LOAD(label, CHECK, T, conv)                                                  \
  label: {                                                                           \
    std::uint64_t w = pc[0];                                                         \
    std::uint64_t ea = static_cast<std::uint64_t>(static_cast<std::uint32_t>(fp[HI(w)])) + pc[1]; \
    pc += 2;                                                                         \
    CHECK(ea, T);                                                                    \
    T v;                                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                                            \
    fp[LO(w)] = conv;                                                                \
    NEXT();                                                                          \
  }
#define LOAD_ADD(label, CHECK, T, conv)                                              \
  label: {                                                                           \
    std::uint64_t w = pc[0], w1 = pc[1];                                             \
    std::uint32_t addr = static_cast<std::uint32_t>(fp[HI(w)]) + static_cast<std::uint32_t>(fp[LO(w1)]); \
    std::uint64_t ea = static_cast<std::uint64_t>(addr) + HI(w1);                    \
    pc += 2;                                                                         \
    CHECK(ea, T);                                                                    \
    T v;                                                                             \
    std::memcpy(&v, mem + ea, sizeof(T));                                            \
    fp[LO(w)] = conv;                                                                \
    NEXT();                                                                          \
  }
// Unchecked only. The second address is never the first result (the translator fuses
// only when it comes from a local or a constant).
#define LOAD2(label, T, conv)                                                        \
  label: {                                                                           \
    std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];                                \
    pc += 3;                                                                         \
    std::uint64_t ea = static_cast<std::uint64_t>(static_cast<std::uint32_t>(fp[HI(w0)])) + LO(w1); \
    std::uint64_t eb = static_cast<std::uint64_t>(static_cast<std::uint32_t>(fp[HI(w2)])) + HI(w1); \
    T v, v2;                                                                         \
    std::memcpy(&v, mem + ea, sizeof(T));                                            \
    std::memcpy(&v2, mem + eb, sizeof(T));                                           \
    fp[LO(w0)] = conv;                                                               \
    v = v2;                                                                          \
    fp[LO(w2)] = conv;                                                               \
    NEXT();                                                                          \
  }
#define STORE(label, CHECK, T)                                                       \
  label: {                                                                           \
    std::uint64_t w = pc[0];                                                         \
    std::uint64_t ea = static_cast<std::uint64_t>(static_cast<std::uint32_t>(fp[LO(w)])) + pc[1]; \
    T v = static_cast<T>(fp[HI(w)]);                                                 \
    pc += 2;                                                                         \
    CHECK(ea, T);                                                                    \
    std::memcpy(mem + ea, &v, sizeof(T));                                            \
    NEXT();                                                                          \
  }
#define STORE_ADD(label, CHECK, T)                                                   \
  label: {                                                                           \
    std::uint64_t w = pc[0], w1 = pc[1];                                             \
    std::uint32_t addr = static_cast<std::uint32_t>(fp[LO(w)]) + static_cast<std::uint32_t>(fp[HI(w)]); \
    std::uint64_t ea = static_cast<std::uint64_t>(addr) + HI(w1);                    \
    T v = static_cast<T>(fp[LO(w1)]);                                                \
    pc += 2;                                                                         \
    CHECK(ea, T);                                                                    \
    std::memcpy(mem + ea, &v, sizeof(T));                                            \
    NEXT();                                                                          \
  }
#define WITC_LOADS(X)                                                                \
  X(i32_load, std::uint32_t, v)                                                      \
  X(i64_load, std::uint64_t, v)                                                      \
  X(f32_load, std::uint32_t, v)                                                      \
  X(f64_load, std::uint64_t, v)                                                      \
  X(i32_load8_s, std::int8_t, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)))  \
  X(i32_load8_u, std::uint8_t, v)                                                    \
  X(i32_load16_s, std::int16_t, static_cast<std::uint32_t>(static_cast<std::int32_t>(v))) \
  X(i32_load16_u, std::uint16_t, v)                                                  \
  X(i64_load8_s, std::int8_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)))  \
  X(i64_load8_u, std::uint8_t, v)                                                    \
  X(i64_load16_s, std::int16_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v))) \
  X(i64_load16_u, std::uint16_t, v)                                                  \
  X(i64_load32_s, std::int32_t, static_cast<std::uint64_t>(static_cast<std::int64_t>(v))) \
  X(i64_load32_u, std::uint32_t, v)
#define WITC_STORES(X)                                                               \
  X(i32_store, std::uint32_t) X(i64_store, std::uint64_t) X(f32_store, std::uint32_t) \
  X(f64_store, std::uint64_t) X(i32_store8, std::uint8_t) X(i32_store16, std::uint16_t) \
  X(i64_store8, std::uint8_t) X(i64_store16, std::uint16_t) X(i64_store32, std::uint32_t)
#define WITC_X(name, T, conv) LOAD(L_##name, CHECKED, T, conv)
  WITC_LOADS(WITC_X)
#undef WITC_X
#define WITC_X(name, T, conv) LOAD_ADD(LA_##name, CHECKED, T, conv)
  WITC_LOADS(WITC_X)
#undef WITC_X
#define WITC_X(name, T) STORE(L_##name, CHECKED, T)
  WITC_STORES(WITC_X)
#undef WITC_X
#define WITC_X(name, T, conv) LOAD(LG_##name, UNCHECKED, T, conv)
  WITC_LOADS(WITC_X)
#undef WITC_X
#define WITC_X(name, T, conv) LOAD_ADD(LAG_##name, UNCHECKED, T, conv)
  WITC_LOADS(WITC_X)
#undef WITC_X
#define WITC_X(name, T) STORE(LG_##name, UNCHECKED, T)
  WITC_STORES(WITC_X)
#undef WITC_X
#define WITC_X(name, T, conv) LOAD2(L2G_##name, T, conv)
  WITC_LOADS(WITC_X)
#undef WITC_X
  // op(left, load): unchecked, the address an added pair of slots.
#define OLT_i32_load std::uint32_t
#define OLT_i32_load8_s std::int8_t
#define OLT_i32_load8_u std::uint8_t
#define OLT_i32_load16_s std::int16_t
#define OLT_i32_load16_u std::uint16_t
#define OLT_f32_load std::uint32_t
#define OLT_f64_load std::uint64_t
#define OLB_i32_load(v) static_cast<std::uint32_t>(v)
#define OLB_i32_load8_s(v) static_cast<std::uint32_t>(static_cast<std::int32_t>(v))
#define OLB_i32_load8_u(v) static_cast<std::uint32_t>(v)
#define OLB_i32_load16_s(v) static_cast<std::uint32_t>(static_cast<std::int32_t>(v))
#define OLB_i32_load16_u(v) static_cast<std::uint32_t>(v)
#define OLB_f32_load(v) f32_of(v)
#define OLB_f64_load(v) f64_of(v)
#define OLA_i32(x) static_cast<std::uint32_t>(x)
#define OLA_f32(x) f32_of(x)
#define OLA_f64(x) f64_of(x)
#define OLE_i32_add(a, b) static_cast<std::uint32_t>((a) + (b))
#define OLE_i32_sub(a, b) static_cast<std::uint32_t>((a) - (b))
#define OLE_i32_mul(a, b) static_cast<std::uint32_t>((a) * (b))
#define OLE_i32_and(a, b) ((a) & (b))
#define OLE_i32_or(a, b) ((a) | (b))
#define OLE_i32_xor(a, b) ((a) ^ (b))
#define OLE_f32_add(a, b) bits_of((a) + (b))
#define OLE_f32_sub(a, b) bits_of((a) - (b))
#define OLE_f32_mul(a, b) bits_of((a) * (b))
#define OLE_f64_add(a, b) bits_of((a) + (b))
#define OLE_f64_sub(a, b) bits_of((a) - (b))
#define OLE_f64_mul(a, b) bits_of((a) * (b))
#define OLA_i32_add OLA_i32
#define OLA_i32_sub OLA_i32
#define OLA_i32_mul OLA_i32
#define OLA_i32_and OLA_i32
#define OLA_i32_or OLA_i32
#define OLA_i32_xor OLA_i32
#define OLA_f32_add OLA_f32
#define OLA_f32_sub OLA_f32
#define OLA_f32_mul OLA_f32
#define OLA_f64_add OLA_f64
#define OLA_f64_sub OLA_f64
#define OLA_f64_mul OLA_f64
#define WITC_X(o, l)                                                                 \
  LOL_##o##_##l: {                                                                   \
    std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];                                \
    pc += 3;                                                                         \
    std::uint32_t addr = static_cast<std::uint32_t>(fp[LO(w1)]) + static_cast<std::uint32_t>(fp[HI(w1)]); \
    std::uint64_t ea = static_cast<std::uint64_t>(addr) + static_cast<std::uint32_t>(w2); \
    OLT_##l v;                                                                       \
    std::memcpy(&v, mem + ea, sizeof v);                                             \
    auto a = OLA_##o(fp[HI(w0)]);                                                    \
    auto b = OLB_##l(v);                                                             \
    fp[LO(w0)] = OLE_##o(a, b);                                                      \
    NEXT();                                                                          \
  }
  WITC_OPLOAD_ALL(WITC_X)
#undef WITC_X
#define WITC_X(name, T) STORE_ADD(LSA_##name, CHECKED, T)
  WITC_STORES(WITC_X)
#undef WITC_X
#define WITC_X(name, T) STORE_ADD(LSAG_##name, UNCHECKED, T)
  WITC_STORES(WITC_X)
#undef WITC_X
#undef STORE_ADD
#undef LOAD2
#undef LOAD
#undef LOAD_ADD
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
#define BINI(name, expr)                                      \
  L_##name: {                                                 \
    std::uint64_t w = pc[0];                                  \
    std::uint32_t a = U32(fp[HI(w)]);                         \
    std::uint32_t b = U32(pc[1]);                             \
    pc += 2;                                                  \
    fp[LO(w)] = (expr);                                       \
    NEXT();                                                   \
  }
  BINI(i32_add_imm, U32(a + b))
  BINI(i32_sub_imm, U32(a - b))
  BINI(i32_mul_imm, U32(a * b))
  BINI(i32_and_imm, a & b)
  BINI(i32_or_imm, a | b)
  BINI(i32_xor_imm, a ^ b)
  BINI(i32_shl_imm, U32(a << (b & 31)))
  BINI(i32_shr_s_imm, U32(S32(a) >> (b & 31)))
  BINI(i32_shr_u_imm, a >> (b & 31))
  BINI(i32_rotl_imm, std::rotl(a, static_cast<int>(b & 31)))
  BINI(i32_rotr_imm, std::rotr(a, static_cast<int>(b & 31)))
#undef BINI
#define F2_add(a, b) U32((a) + (b))
#define F2_sub(a, b) U32((a) - (b))
#define F2_mul(a, b) U32((a) * (b))
#define F2_and(a, b) ((a) & (b))
#define F2_or(a, b) ((a) | (b))
#define F2_xor(a, b) ((a) ^ (b))
#define F2_shl(a, b) U32((a) << ((b) & 31))
#define F2_shr_s(a, b) U32(S32(a) >> ((b) & 31))
#define F2_shr_u(a, b) ((a) >> ((b) & 31))
#define F2_rotl(a, b) std::rotl((a), static_cast<int>((b) & 31))
#define WITC_X(x, y)                                          \
  L_f2_##x##_##y: {                                           \
    std::uint64_t w0 = pc[0], w1 = pc[1];                     \
    pc += 2;                                                  \
    std::uint32_t a = U32(fp[HI(w0)]);                        \
    std::uint32_t b = U32(fp[LO(w1)]);                        \
    std::uint32_t c = U32(fp[HI(w1)]);                        \
    std::uint32_t t = F2_##x(a, b);                           \
    fp[LO(w0)] = F2_##y(t, c);                                \
    NEXT();                                                   \
  }
  WITC_F2_ALL(WITC_X)
#undef WITC_X
#define MULADD(name, get, T, expr)                            \
  L_##name: {                                                 \
    std::uint64_t w0 = pc[0], w1 = pc[1];                     \
    pc += 2;                                                  \
    T x = get(fp[HI(w0)]);                                    \
    T y = get(fp[LO(w1)]);                                    \
    T z = get(fp[HI(w1)]);                                    \
    T p = x * y;                                              \
    fp[LO(w0)] = (expr);                                      \
    NEXT();                                                   \
  }
  MULADD(i32_mul_add, U32, std::uint32_t, U32(p + z))
  // Rounded product, then the sum: two wasm operations, never a fused multiply-add.
  MULADD(f32_mul_add, f32_of, float, bits_of(p + z))
  MULADD(f64_mul_add, f64_of, double, bits_of(p + z))
#undef MULADD
#define MULADDADD(name, get, T, expr)                         \
  L_##name: {                                                 \
    std::uint64_t w0 = pc[0], w1 = pc[1], w2 = pc[2];         \
    pc += 3;                                                  \
    T x = get(fp[HI(w0)]);                                    \
    T y = get(fp[LO(w1)]);                                    \
    T z = get(fp[HI(w1)]);                                    \
    T e = get(fp[LO(w2)]);                                    \
    T p = x * y;                                              \
    T s = p + z;                                              \
    fp[LO(w0)] = (expr);                                      \
    NEXT();                                                   \
  }
  MULADDADD(i32_mul_add_add, U32, std::uint32_t, U32(e + s))
  MULADDADD(f32_mul_add_add, f32_of, float, bits_of(e + s))
  MULADDADD(f64_mul_add_add, f64_of, double, bits_of(e + s))
#undef MULADDADD
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
  add_backtrace(d, *st.last_trap_, fn, entry_depth);
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

}  // namespace

}  // namespace witc::engine::detail
