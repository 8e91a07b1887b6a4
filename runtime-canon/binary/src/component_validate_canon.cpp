// Canonical definitions: `lift` and `lower` against the flattened core signature,
// their options, and the built-ins (resources, async, streams, futures, threads).
#include <fmt/format.h>

#include <algorithm>

#include "component_validator.hpp"

namespace witc::binary::component::detail {

// ---- canonical definitions ----
std::vector<std::uint8_t> validator::flat(const vt& v, int depth) {
  if (v.prim) {
    switch (v.p) {
      case prim::s64: case prim::u64: return {0x7e};
      case prim::f32: return {0x7d};
      case prim::f64: return {0x7c};
      case prim::string: return {ptr_, ptr_};
      default: return {0x7f};
    }
  }
  if (depth > 100) return {};
  const tnode& n = node(v.t);
  std::vector<std::uint8_t> out;
  auto join = [](std::uint8_t a, std::uint8_t b) -> std::uint8_t {
    if (a == b) return a;
    if ((a == 0x7f && b == 0x7d) || (a == 0x7d && b == 0x7f)) return 0x7f;
    return 0x7e;
  };
  auto variant = [&](const std::vector<std::optional<vt>>& cases) {
    std::vector<std::uint8_t> payload;
    for (const auto& c : cases) {
      if (!c) continue;
      auto f = flat(*c, depth + 1);
      for (std::size_t i = 0; i < f.size(); ++i) {
        if (i < payload.size()) payload[i] = join(payload[i], f[i]);
        else payload.push_back(f[i]);
      }
    }
    out.push_back(0x7f);
    out.insert(out.end(), payload.begin(), payload.end());
  };
  switch (n.code) {
    case 0x72: for (const auto& f : n.fields) { auto x = flat(f.second, depth + 1); out.insert(out.end(), x.begin(), x.end()); } break;
    case 0x6f: for (const auto& t : n.types) { auto x = flat(t, depth + 1); out.insert(out.end(), x.begin(), x.end()); } break;
    case 0x71: {
      std::vector<std::optional<vt>> cs;
      for (const auto& c : n.cases) cs.push_back(c.second);
      variant(cs);
      break;
    }
    case 0x6b: variant({std::nullopt, n.a}); break;
    case 0x6a: variant({n.a, n.b}); break;
    case 0x70: case 0x63: return {ptr_, ptr_};
    case 0x67: {
      auto x = flat(*n.a, depth + 1);
      for (std::uint32_t i = 0; i < n.len && out.size() <= 64; ++i) out.insert(out.end(), x.begin(), x.end());
      break;
    }
    case 0x6e: case 0x6d: case 0x69: case 0x68: case 0x66: case 0x65: return {0x7f};
    default: return flat(vt{true, n.code, 0}, depth);
  }
  return out;
}

result<validator::opts_info> validator::canon_opts(const std::vector<canon_opt>& os, std::uint32_t off) {
  opts_info r;
  std::optional<tid> realloc_fn;
  int encodings = 0;
  bool seen[10] = {};
  for (const auto& o : os) {
    if (o.kind <= 2) {
      if (++encodings > 1) return err(off, "canonical encoding option conflicts with a previous encoding option");
      continue;
    }
    if (seen[o.kind]) return err(off, "canonical option specified more than once");
    seen[o.kind] = true;
    switch (o.kind) {
      case 3: {
        WITC_TRY(core_entity m, at(cur().core_memories, o.idx, off, "memory"));
        if ((m.lim.flags & 4) && !opts_.memory64) return err(off, "canonical ABI memory must be a 32-bit memory");
        r.memory = true;
        r.memory64 = (m.lim.flags & 4) != 0;
        break;
      }
      case 4: {
        WITC_TRY(tid f, at(cur().core_funcs, o.idx, off, "func"));
        realloc_fn = f;
        r.realloc = true;
        break;
      }
      case 5: {
        WITC_TRY(tid f, at(cur().core_funcs, o.idx, off, "func"));
        (void)f;
        r.post_return = true;
        r.post_return_idx = o.idx;
        break;
      }
      case 6: r.async = true; break;
      case 7: {
        WITC_TRY(tid f, at(cur().core_funcs, o.idx, off, "func"));
        (void)f;
        r.callback = true;
        r.callback_idx = o.idx;
        break;
      }
      case 8: { WITC_TRY(tid f, at(cur().core_types, o.idx, off, "type")); (void)f; break; }
      default: break;
    }
  }
  if (realloc_fn) {
    // Checked after the loop: the memory option, which may come later, sets the pointer type.
    const tnode& n = node(*realloc_fn);
    core_valtype p{static_cast<std::uint8_t>(r.memory64 ? 0x7e : 0x7f), 0};
    if (!n.any && !(n.params == std::vector<core_valtype>(4, p) && n.results == std::vector<core_valtype>{p}))
      return err(off, "canonical option `realloc` uses a core function with an incorrect signature");
  }
  if (r.callback && !r.async) return err(off, "cannot specify callback without async");
  if (r.post_return && r.async) return err(off, "cannot specify post-return function in async");
  return r;
}

validator::flat_func validator::flatten(const tnode& f) {
  flat_func r;
  for (const auto& p : f.fields) {
    auto x = flat(p.second);
    r.params.insert(r.params.end(), x.begin(), x.end());
    r.param_mem = r.param_mem || needs_memory(p.second);
  }
  if (f.a) {
    r.results = flat(*f.a);
    r.result_mem = needs_memory(*f.a);
  }
  return r;
}

result<void> validator::required_opts(const opts_info& o, bool memory, bool realloc, std::uint32_t off) {
  if (memory && !o.memory) return err(off, "canonical option `memory` is required");
  if (realloc && !o.realloc) return err(off, "canonical option `realloc` is required");
  return ok;
}

tid validator::core_func_node(std::vector<std::uint8_t> params, std::vector<std::uint8_t> results) {
  tnode n;
  n.kind = tk::core_func;
  for (auto p : params) n.params.push_back(core_valtype{p, 0});
  for (auto p : results) n.results.push_back(core_valtype{p, 0});
  return add(std::move(n));
}

tid validator::any_core_func() {
  tnode n;
  n.kind = tk::core_func;
  n.any = true;
  return add(std::move(n));
}

std::string validator::sig(const std::vector<core_valtype>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += " ";
    switch (v[i].code) {
      case 0x7f: s += "i32"; break;
      case 0x7e: s += "i64"; break;
      case 0x7d: s += "f32"; break;
      case 0x7c: s += "f64"; break;
      default: s += "ref"; break;
    }
  }
  return s + "]";
}

result<void> validator::canon_(const canon& c) {
  std::uint32_t off = c.offset;
  scope& s = cur();
  switch (c.op) {
    case 0x00: {  // lift
      WITC_TRY(tid cf, at(s.core_funcs, c.func, off, "func"));
      WITC_TRY(tid ft, type_at(c.type, off));
      if (node(ft).kind != tk::func) return err(off, fmt::format("type index {} is not a function type", c.type));
      WITC_TRY(opts_info o, canon_opts(c.opts, off));
      if (o.async && !node(ft).async) return err(off, "the `async` canonical option requires an async function type");
      ptr_ = o.memory64 ? 0x7e : 0x7f;
      auto [params, results, param_mem, result_mem] = flatten(node(ft));
      const std::uint8_t ptr = ptr_;
      ptr_ = 0x7f;
      bool mem = param_mem, realloc = param_mem;
      // An async lift hands its result to `task.return`, not back through memory.
      if (result_mem && !o.async) mem = true;
      if (params.size() > max_flat_params) { params = {ptr}; mem = realloc = true; }
      if (o.async) {
        results = o.callback ? std::vector<std::uint8_t>{0x7f} : std::vector<std::uint8_t>{};
      } else if (results.size() > max_flat_results) {
        results = {ptr};
        mem = true;
      }
      WITC_CHECK(required_opts(o, mem, realloc, off));
      tid expect = core_func_node(params, results);
      const tnode& core = node(cf);
      if (!core.any && (core.params != node(expect).params || core.results != node(expect).results))
        return err(off, fmt::format("lowered function type `{} -> {}` does not match the type `{} -> {}` of core function {}",
                                    sig(node(expect).params), sig(node(expect).results), sig(core.params),
                                    sig(core.results), c.func));
      if (o.post_return) {
        const tnode& pr = node(s.core_funcs[o.post_return_idx]);
        if (!pr.any && (pr.params != node(expect).results || !pr.results.empty()))
          return err(off, "canonical option `post-return` uses a core function with an incorrect signature");
      }
      s.funcs.push_back(ft);
      return ok;
    }
    case 0x01: {  // lower
      WITC_TRY(tid ft, at(s.funcs, c.func, off, "func"));
      WITC_TRY(opts_info o, canon_opts(c.opts, off));
      if (o.post_return) return err(off, "canonical option `post-return` cannot be used when lowering");
      if (o.async && !node(ft).async) return err(off, "the `async` canonical option requires an async function type");
      ptr_ = o.memory64 ? 0x7e : 0x7f;
      auto [params, results, param_mem, result_mem] = flatten(node(ft));
      const std::uint8_t ptr = ptr_;
      ptr_ = 0x7f;
      bool mem = param_mem || result_mem, realloc = result_mem;
      bool has_result = node(ft).a.has_value();
      if (o.async) {
        if (params.size() > max_flat_async_params) { params = {0x7f}; mem = true; }
        if (has_result) { params.push_back(0x7f); mem = true; }
        results = {0x7f};
        realloc = false;
      } else {
        if (params.size() > max_flat_params) { params = {ptr}; mem = true; }
        if (results.size() > max_flat_results) {
          params.push_back(ptr);
          results.clear();
          mem = true;
        }
      }
      WITC_CHECK(required_opts(o, mem, realloc, off));
      s.core_funcs.push_back(core_func_node(params, results));
      return ok;
    }
    case 0x02: case 0x03: case 0x04: {
      WITC_TRY(tid t, type_at(c.type, off));
      if (node(t).kind != tk::resource) return err(off, fmt::format("type index {} is not a resource type", c.type));
      rid r = node(t).res;
      if (c.op != 0x03 && (!res_[r].local || res_[r].scope != s.id))
        return err(off, fmt::format("type index {} is not a local resource", c.type));
      if (c.op == 0x02) s.core_funcs.push_back(core_func_node({0x7f}, {0x7f}));
      else if (c.op == 0x03) s.core_funcs.push_back(core_func_node({0x7f}, {}));
      else s.core_funcs.push_back(core_func_node({0x7f}, {0x7f}));
      return ok;
    }
    case 0x0a: case 0x0b:
      if (c.val.code != 0x7f) return err(off, "context slots must be of type `i32`");
      if (c.idx > 1) return err(off, "context slot index out of bounds");
      s.core_funcs.push_back(c.op == 0x0a ? core_func_node({}, {0x7f}) : core_func_node({0x7f}, {}));
      return ok;
    case 0x0e: case 0x0f: case 0x10: case 0x11: case 0x12: case 0x13: case 0x14:
    case 0x15: case 0x16: case 0x17: case 0x18: case 0x19: case 0x1a: case 0x1b: {
      WITC_TRY(tid t, type_at(c.type, off));
      std::uint8_t want = c.op <= 0x14 ? 0x66 : 0x65;
      if (node(t).kind != tk::defval || node(t).code != want)
        return err(off, fmt::format("`{}` requires a {} type", c.op <= 0x14 ? "stream" : "future",
                                    c.op <= 0x14 ? "stream" : "future"));
      if (!c.opts.empty()) { WITC_TRY(opts_info o, canon_opts(c.opts, off)); (void)o; }
      s.core_funcs.push_back(any_core_func());
      return ok;
    }
    case 0x09: {
      if (c.result) { WITC_TRY(vt v, val(*c.result, off)); (void)v; }
      WITC_TRY(opts_info o, canon_opts(c.opts, off));
      (void)o;
      s.core_funcs.push_back(any_core_func());
      return ok;
    }
    case 0x1c: case 0x1d: {
      WITC_TRY(opts_info o, canon_opts(c.opts, off));
      (void)o;
      s.core_funcs.push_back(any_core_func());
      return ok;
    }
    case 0x20: case 0x21: {
      WITC_TRY(core_entity m, at(s.core_memories, c.idx, off, "memory"));
      (void)m;
      s.core_funcs.push_back(any_core_func());
      return ok;
    }
    case 0x27: case 0x40: case 0x41: {
      WITC_TRY(tid t, core_type_at(c.type, off));
      if (node(t).kind != tk::core_func) return err(off, fmt::format("core type index {} is not a function type", c.type));
      if (c.op != 0x40 && c.table >= s.core_tables.size())
        return err(off, fmt::format("unknown table {}: table index out of bounds", c.table));
      s.core_funcs.push_back(any_core_func());
      return ok;
    }
    default:
      s.core_funcs.push_back(any_core_func());
      return ok;
  }
}

}  // namespace witc::binary::component::detail
