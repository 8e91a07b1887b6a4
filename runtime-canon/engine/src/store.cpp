// Engine, store and instance: compilation entry points, runtime objects, linking,
// instantiation and host-to-wasm calls.
#include <fmt/format.h>
#include <sys/mman.h>

#include <bit>
#include <cstring>

#include "internal.hpp"
#include "witc/binary/core_validate.hpp"

namespace witc::engine {

using binary::extern_kind;

value value::f32(float v) { return {valtype::f32, std::bit_cast<std::uint32_t>(v)}; }
value value::f64(double v) { return {valtype::f64, std::bit_cast<std::uint64_t>(v)}; }
float value::as_f32() const { return std::bit_cast<float>(static_cast<std::uint32_t>(bits)); }
double value::as_f64() const { return std::bit_cast<double>(bits); }

memory_inst* caller::memory() const {
  return inst && !inst->memories.empty() ? inst->memories[0] : nullptr;
}

std::string describe(const trap& t) {
  std::string s = fmt::format("wasm trap: {}", t.message);
  for (std::size_t i = 0; i < t.backtrace.size(); ++i) s += fmt::format("\n  {}: {}", i, t.backtrace[i]);
  return s;
}

// --- engine ------------------------------------------------------------------------------

engine::engine(engine_options o) : opts_(o) {
  if (!detail::guard_pages_supported()) opts_.guard_pages = false;
}

result<std::shared_ptr<const compiled_module>> engine::compile(std::span<const std::uint8_t> bytes) const {
  WITC_TRY(auto m, binary::load_module(bytes));
  return compile(std::move(m));
}

result<std::shared_ptr<const compiled_module>> engine::compile(std::shared_ptr<const binary::module> m) const {
  auto cm = std::make_shared<compiled_module>();
  cm->guarded = opts_.guard_pages && detail::guard_pages_supported();
  WITC_TRY(cm->funcs, detail::compile_functions(*m, cm->guarded));
  cm->mod = std::move(m);
  return std::shared_ptr<const compiled_module>(std::move(cm));
}

const binary::module& module_of(const compiled_module& m) { return *m.mod; }

// --- memories and tables -----------------------------------------------------------------

memory_inst::~memory_inst() {
  if (base) munmap(base, reserved);
}

std::int64_t memory_inst::grow(std::uint64_t delta) {
  std::uint64_t old = pages();
  if (delta == 0) return static_cast<std::int64_t>(old);
  if (old + delta > max_pages) return -1;
  std::uint64_t new_size = (old + delta) << 16;
  if (new_size > reserved || (old + delta) > 65536) return -1;
  if (mprotect(base + size, new_size - size, PROT_READ | PROT_WRITE) != 0) return -1;
  size = new_size;
  return static_cast<std::int64_t>(old);
}

std::int64_t table_inst::grow(std::uint64_t delta, std::uint64_t init) {
  std::uint64_t old = elems.size();
  if (old + delta > max) return -1;
  elems.resize(old + delta, init);
  return static_cast<std::int64_t>(old);
}

// --- instance ----------------------------------------------------------------------------

std::optional<extern_val> instance::get_export(std::string_view name) const {
  auto it = exports.find(name);
  if (it == exports.end()) return std::nullopt;
  return it->second;
}
func_inst* instance::export_func(std::string_view name) const {
  auto e = get_export(name);
  return e ? e->func() : nullptr;
}
const binary::module& instance::module() const { return *mod->mod; }

// --- store -------------------------------------------------------------------------------

store::store(const engine& eng, limits lim)
    : lim_(lim), guard_pages_(eng.options().guard_pages && detail::guard_pages_supported()),
      d_(std::make_unique<detail_state>()) {
  d_->stack.resize(lim_.value_stack_slots);
  d_->free = d_->stack.data();
  d_->frames.resize(static_cast<std::size_t>(lim_.max_call_depth) + 2);
  d_->fuel = lim_.fuel;
  d_->ticks = 1;
  (void)detail::handlers();
}
store::~store() = default;

std::uint32_t store::intern(const func_type& t) {
  auto [it, inserted] = d_->type_ids.emplace(t, static_cast<std::uint32_t>(d_->type_ids.size()));
  return it->second;
}

func_inst* store::host_func(func_type type, std::string name, host_function fn) {
  d_->host_types.push_back(std::make_unique<func_type>(std::move(type)));
  auto f = std::make_unique<func_inst>();
  f->type = d_->host_types.back().get();
  f->type_id = intern(*f->type);
  f->host = std::move(fn);
  f->name = std::move(name);
  d_->funcs.push_back(std::move(f));
  return d_->funcs.back().get();
}

memory_inst* store::new_memory(binary::memory_type t) {
  auto m = std::make_unique<memory_inst>();
  std::uint64_t max = std::min<std::uint64_t>(t.lim.max.value_or(65536), lim_.max_memory_pages);
  m->max_pages = max;
  m->declared_max = t.lim.max;
  m->reserved = std::max<std::uint64_t>(max << 16, 65536);
  void* p = MAP_FAILED;
  if (guard_pages_) {
    // Address space only (PROT_NONE, no commit): cheap even at 8 GiB.
    p = mmap(nullptr, detail::guard_reservation, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      m->reserved = detail::guard_reservation;
      m->guarded = true;
    }
  }
  if (p == MAP_FAILED) p = mmap(nullptr, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  m->base = static_cast<std::uint8_t*>(p);
  if (t.lim.min > max || m->grow(t.lim.min) < 0) {
    return nullptr;
  }
  d_->memories.push_back(std::move(m));
  return d_->memories.back().get();
}

table_inst* store::new_table(binary::table_type t, std::uint64_t init) {
  auto tb = std::make_unique<table_inst>();
  tb->type = t.elem;
  tb->declared_max = t.lim.max;
  tb->max = std::min<std::uint64_t>(t.lim.max.value_or(0xFFFFFFFFull), lim_.max_table_elements);
  if (t.lim.min > tb->max) return nullptr;
  tb->elems.assign(t.lim.min, init);
  d_->tables.push_back(std::move(tb));
  return d_->tables.back().get();
}

global_inst* store::new_global(binary::global_type t, std::uint64_t bits) {
  auto g = std::make_unique<global_inst>();
  g->type = t;
  g->bits = bits;
  d_->globals.push_back(std::move(g));
  return d_->globals.back().get();
}

namespace {

failure link_error(std::string msg) { return fail(diagnostic::global(std::move(msg))); }

bool limits_match(std::uint64_t have_min, std::optional<std::uint64_t> have_max, const binary::limits& want) {
  if (have_min < want.min) return false;
  if (want.max) {
    if (!have_max || *have_max > *want.max) return false;
  }
  return true;
}

std::uint64_t eval_const(const binary::const_expr& e, const instance& inst) {
  std::uint64_t st[64];
  int n = 0;
  for (auto& in : e.code) {
    switch (in.code) {
      case binary::op::i32_const: st[n++] = static_cast<std::uint32_t>(in.c); break;
      case binary::op::i64_const:
      case binary::op::f32_const:
      case binary::op::f64_const: st[n++] = in.c; break;
      case binary::op::ref_null: st[n++] = 0; break;
      case binary::op::ref_func: st[n++] = reinterpret_cast<std::uintptr_t>(inst.funcs[in.a]); break;
      case binary::op::global_get: st[n++] = inst.globals[in.a]->bits; break;
      case binary::op::i32_add: --n; st[n - 1] = static_cast<std::uint32_t>(st[n - 1] + st[n]); break;
      case binary::op::i32_sub: --n; st[n - 1] = static_cast<std::uint32_t>(st[n - 1] - st[n]); break;
      case binary::op::i32_mul: --n; st[n - 1] = static_cast<std::uint32_t>(st[n - 1] * st[n]); break;
      case binary::op::i64_add: --n; st[n - 1] = st[n - 1] + st[n]; break;
      case binary::op::i64_sub: --n; st[n - 1] = st[n - 1] - st[n]; break;
      case binary::op::i64_mul: --n; st[n - 1] = st[n - 1] * st[n]; break;
      default: break;
    }
    if (n >= 63) break;  // validated expressions never get here; guard anyway
  }
  return n > 0 ? st[n - 1] : 0;
}

}  // namespace

result<instance*> store::instantiate(std::shared_ptr<const compiled_module> cm, std::span<const extern_val> imports) {
  const binary::module& m = *cm->mod;
  if (imports.size() != m.imports.size())
    return link_error(fmt::format("expected {} imports, found {}", m.imports.size(), imports.size()));
  auto owned = std::make_unique<instance>();
  instance& inst = *owned;
  inst.mod = cm;
  inst.type_ids.reserve(m.types.size());
  for (auto& t : m.types) inst.type_ids.push_back(intern(t));

  for (std::size_t i = 0; i < imports.size(); ++i) {
    const auto& im = m.imports[i];
    const extern_val& ev = imports[i];
    if (ev.kind != im.kind || !ev.ptr)
      return link_error(fmt::format("incompatible import type for `{}.{}`: expected {}", im.module, im.name, to_string(im.kind)));
    switch (im.kind) {
      case extern_kind::func: {
        auto* f = ev.func();
        if (*f->type != m.types[im.func_type])
          return link_error(fmt::format("incompatible import type for `{}.{}`: function signature differs", im.module, im.name));
        inst.funcs.push_back(f);
        break;
      }
      case extern_kind::table: {
        auto* t = ev.table();
        if (t->type != im.table.elem || !limits_match(t->elems.size(), t->declared_max, im.table.lim))
          return link_error(fmt::format("incompatible import type for `{}.{}`: table type differs", im.module, im.name));
        inst.tables.push_back(t);
        break;
      }
      case extern_kind::memory: {
        auto* mem = ev.memory();
        if (!limits_match(mem->pages(), mem->declared_max, im.memory.lim))
          return link_error(fmt::format("incompatible import type for `{}.{}`: memory limits differ", im.module, im.name));
        if (cm->guarded && !mem->guarded)
          return link_error(fmt::format("import `{}.{}`: this module relies on guard pages and the memory has none (create it with a store of an engine with `guard_pages`)", im.module, im.name));
        inst.memories.push_back(mem);
        break;
      }
      case extern_kind::global: {
        auto* g = ev.global();
        if (g->type.type != im.global.type || g->type.mut != im.global.mut)
          return link_error(fmt::format("incompatible import type for `{}.{}`: global type differs", im.module, im.name));
        inst.globals.push_back(g);
        break;
      }
    }
  }

  for (std::uint32_t i = 0; i < m.functions.size(); ++i) {
    auto f = std::make_unique<func_inst>();
    f->type = &m.types[m.functions[i]];
    f->type_id = inst.type_ids[m.functions[i]];
    f->inst = &inst;
    f->code = &cm->funcs[i];
    f->index = m.imported_funcs + i;
    inst.funcs.push_back(f.get());
    d_->funcs.push_back(std::move(f));
  }
  for (auto& t : m.tables) {
    auto* tb = new_table(t);
    if (!tb) return link_error("table too large for this store's limits");
    inst.tables.push_back(tb);
  }
  for (auto& mt : m.memories) {
    auto* mem = new_memory(mt);
    if (!mem) return link_error("memory too large for this store's limits");
    if (cm->guarded && !mem->guarded) return link_error("cannot reserve the guard region of a memory");
    inst.memories.push_back(mem);
  }
  for (auto& g : m.globals) inst.globals.push_back(new_global(g.type, eval_const(g.init, inst)));
  for (auto& e : m.exports) {
    extern_val ev{e.kind, nullptr};
    switch (e.kind) {
      case extern_kind::func: ev.ptr = inst.funcs[e.index]; break;
      case extern_kind::table: ev.ptr = inst.tables[e.index]; break;
      case extern_kind::memory: ev.ptr = inst.memories[e.index]; break;
      case extern_kind::global: ev.ptr = inst.globals[e.index]; break;
    }
    inst.exports.emplace(e.name, ev);
  }
  inst.elems.reserve(m.elements.size());
  for (auto& e : m.elements) {
    std::vector<std::uint64_t> refs;
    refs.reserve(e.init.size());
    for (auto& ex : e.init) refs.push_back(eval_const(ex, inst));
    inst.elems.push_back(std::move(refs));
  }
  for (auto& dseg : m.datas) inst.datas.push_back(dseg.bytes);

  d_->instances.push_back(std::move(owned));
  // From here on the instance exists: segment and start traps leave it in the store, as
  // the spec's partial-initialisation semantics require.
  for (std::size_t i = 0; i < m.elements.size(); ++i) {
    auto& e = m.elements[i];
    if (e.mode == binary::segment_mode::active) {
      std::uint64_t off = static_cast<std::uint32_t>(eval_const(e.offset_expr, inst));
      table_inst* t = inst.tables[e.table];
      auto& seg = inst.elems[i];
      if (off + seg.size() > t->elems.size()) {
        last_trap_ = trap{trap_kind::table_out_of_bounds, "out of bounds table access", {}, 0};
        return link_error("out of bounds table access");
      }
      std::copy(seg.begin(), seg.end(), t->elems.begin() + static_cast<std::ptrdiff_t>(off));
    }
    if (e.mode != binary::segment_mode::passive) inst.elems[i].clear();
  }
  for (std::size_t i = 0; i < m.datas.size(); ++i) {
    auto& dseg = m.datas[i];
    if (dseg.mode != binary::segment_mode::active) continue;
    std::uint64_t off = static_cast<std::uint32_t>(eval_const(dseg.offset_expr, inst));
    memory_inst* mem = inst.memories[dseg.memory];
    if (off + dseg.bytes.size() > mem->size) {
      last_trap_ = trap{trap_kind::memory_out_of_bounds, "out of bounds memory access", {}, 0};
      return link_error("out of bounds memory access");
    }
    if (!dseg.bytes.empty()) std::memcpy(mem->base + off, dseg.bytes.data(), dseg.bytes.size());
    inst.datas[i] = {};
  }
  if (m.start) {
    auto r = call(inst.funcs[*m.start], {});
    if (!r) return std::move(r).error();
  }
  return &inst;
}

result<std::vector<value>> store::call(func_inst* f, std::span<const value> args) {
  if (!f) return fail(diagnostic::global("no such function"));
  const func_type& ft = *f->type;
  if (args.size() != ft.params.size())
    return fail(diagnostic::global(fmt::format("expected {} arguments, found {}", ft.params.size(), args.size())));
  for (std::size_t i = 0; i < args.size(); ++i)
    if (args[i].type != ft.params[i])
      return fail(diagnostic::global(fmt::format("argument {}: expected `{}`, found `{}`", i, to_string(ft.params[i]), to_string(args[i].type))));
  std::uint64_t* base = d_->free;
  std::size_t need = std::max(ft.params.size(), ft.results.size()) + 1;
  if (base + need > d_->stack.data() + d_->stack.size()) {
    last_trap_ = trap{trap_kind::call_stack_exhausted, "call stack exhausted", {}, 0};
    return fail(diagnostic::global("wasm trap: call stack exhausted"));
  }
  for (std::size_t i = 0; i < args.size(); ++i) base[i] = args[i].bits;
  last_trap_.reset();
  d_->free = base + need;
  bool okay = detail::execute(this, f, base);
  d_->free = base;
  if (!okay) return fail(diagnostic::global(describe(*last_trap_)));
  std::vector<value> out;
  out.reserve(ft.results.size());
  for (std::size_t i = 0; i < ft.results.size(); ++i) {
    std::uint64_t b = base[i];
    if (ft.results[i] == valtype::i32 || ft.results[i] == valtype::f32) b = static_cast<std::uint32_t>(b);
    out.push_back(value{ft.results[i], b});
  }
  return out;
}

}  // namespace witc::engine
