// The component validator: walks sections in order, building every index space of
// every scope (components, component types, instance types, module types) and
// checking each definition against them. Types live in one arena (component_types.hpp).
#include "witc/binary/component_validate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "component_names.hpp"
#include "component_types.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/core_validate.hpp"

namespace witc::binary {
namespace component::detail {
namespace {

constexpr std::uint32_t max_flat_params = 16, max_flat_results = 1, max_flat_async_params = 4;

struct name_set {
  std::unordered_set<tid> types;
  std::unordered_set<rid> res;
};

struct scope {
  enum class kind { component, ctype, itype, mtype };
  scope::kind k = kind::component;
  std::uint32_t id = 0;
  std::vector<tid> types, core_types, funcs, components, instances, core_funcs, core_modules,
      core_instances;
  std::vector<vt> values;
  std::vector<core_entity> core_tables, core_memories, core_globals, core_tags;
  std::vector<std::pair<std::string, entity>> imports, exports;
  std::unordered_map<std::string, std::string> import_keys, export_keys;
  std::vector<rid> imported_res, defined_res;
  // Types with a name here: imported ones (visible to imports and exports), and
  // exported ones (visible to exports only).
  name_set imp_names, exp_names;
  std::vector<std::uint8_t> inst_vis;
  std::unordered_set<tid> local_types;  // defined by this scope's type definitions  // per instance index: 0 unnamed, 1 exported, 2 imported
  // Plain names of resources imported (`imp`) and exported (`exp`), for `[method]r.f`.
  std::unordered_map<std::string, rid> res_names_imp, res_names_exp;
  // module types
  std::vector<std::pair<std::pair<std::string, std::string>, core_entity>> core_imports;
  std::vector<std::pair<std::string, core_entity>> core_exports;
};

std::string_view sort_name(ek k) {
  switch (k) {
    case ek::module: return "module";
    case ek::func: return "func";
    case ek::value: return "value";
    case ek::type: return "type";
    case ek::component: return "component";
    case ek::instance: return "instance";
  }
  return "?";
}
std::string_view core_sort_name(core_sort s) {
  switch (s) {
    case core_sort::func: return "func";
    case core_sort::table: return "table";
    case core_sort::memory: return "memory";
    case core_sort::global: return "global";
    case core_sort::tag: return "tag";
    case core_sort::type: return "type";
    case core_sort::module: return "module";
    case core_sort::instance: return "instance";
  }
  return "?";
}

class validator {
 public:
  result<void> run(const component& c) {
    WITC_TRY(tid t, component_(c));
    (void)t;
    return ok;
  }

  result<typed_component> typed(const component& c) {
    WITC_TRY(tid t, component_(c));
    typed_component r;
    r.root = t;
    r.arena = std::move(arena_);
    r.resources = std::move(res_);
    r.resource_nodes = std::move(res_tid_);
    return r;
  }

 private:
  std::vector<tnode> arena_;
  std::vector<resource_info> res_;
  std::unordered_map<rid, tid> res_tid_;
  std::vector<scope> scopes_;
  std::uint32_t next_scope_ = 0;

  static failure err(std::uint32_t at, std::string msg, std::string hint = {}) {
    return fail(diagnostic::error(span{at, at + 1}, std::move(msg), std::move(hint)));
  }
  scope& cur() { return scopes_.back(); }
  tid add(tnode n) {
    arena_.push_back(std::move(n));
    return static_cast<tid>(arena_.size() - 1);
  }
  const tnode& node(tid t) const { return arena_[t]; }

  rid fresh_resource(resource_info info) {
    res_.push_back(std::move(info));
    rid r = static_cast<rid>(res_.size() - 1);
    tnode n;
    n.kind = tk::resource;
    n.res = r;
    res_tid_[r] = add(std::move(n));
    return r;
  }

  void push_scope(scope::kind k) {
    scopes_.emplace_back();
    scopes_.back().k = k;
    scopes_.back().id = next_scope_++;
  }

  // ---- index lookups ----
  template <class V>
  result<typename V::value_type> at(const V& v, std::uint32_t i, std::uint32_t off, std::string_view what) {
    if (i >= v.size()) return err(off, fmt::format("unknown {} {}: {} index out of bounds", what, i, what));
    return v[i];
  }
  result<tid> type_at(std::uint32_t i, std::uint32_t off) {
    if (i >= cur().types.size()) return err(off, fmt::format("unknown type {}: type index out of bounds", i));
    return cur().types[i];
  }
  result<tid> core_type_at(std::uint32_t i, std::uint32_t off) {
    if (i >= cur().core_types.size())
      return err(off, fmt::format("unknown core type {}: type index out of bounds", i));
    return cur().core_types[i];
  }

  // ---- value types ----
  result<vt> val(const valtype& v, std::uint32_t off) {
    if (v.is_prim) return vt{true, v.prim, 0};
    WITC_TRY(tid t, type_at(v.idx, off));
    if (node(t).kind != tk::defval) return err(off, fmt::format("type index {} is not a defined type", v.idx));
    return vt{false, 0, t};
  }
  result<std::optional<vt>> opt_val(const std::optional<valtype>& v, std::uint32_t off) {
    if (!v) return std::optional<vt>{};
    WITC_TRY(vt r, val(*v, off));
    return std::optional<vt>(r);
  }

  // Visits the value types directly inside a defined type.
  template <class F>
  void children(const tnode& n, F&& f) const {
    for (const auto& fl : n.fields) f(fl.second);
    for (const auto& c : n.cases)
      if (c.second) f(*c.second);
    for (const auto& t : n.types) f(t);
    if (n.a) f(*n.a);
    if (n.b) f(*n.b);
  }
  // Does `v` transitively contain a type for which `pred(node)` holds?
  template <class P>
  bool contains(const vt& v, P&& pred, int depth = 0) const {
    if (v.prim || depth > 200) return false;
    const tnode& n = node(v.t);
    if (pred(n)) return true;
    bool found = false;
    children(n, [&](const vt& c) { found = found || contains(c, pred, depth + 1); });
    return found;
  }
  bool has_borrow(const vt& v) const {
    return contains(v, [](const tnode& n) { return n.code == 0x68; });
  }
  // Strings and lists live in linear memory; a stream or future is just a handle.
  bool needs_memory(const vt& v, int depth = 0) const {
    if (v.prim) return v.p == prim::string;
    if (depth > 200) return false;
    const tnode& n = node(v.t);
    switch (n.code) {
      case prim::string: case 0x70: case 0x63: return true;
      case 0x66: case 0x65: return false;
      default: {
        bool found = false;
        children(n, [&](const vt& c) { found = found || needs_memory(c, depth + 1); });
        return found;
      }
    }
  }
  void collect_resources(const vt& v, std::unordered_set<rid>& out, int depth = 0) const {
    if (v.prim || depth > 200) return;
    const tnode& n = node(v.t);
    if (n.code == 0x69 || n.code == 0x68) out.insert(n.res);
    children(n, [&](const vt& c) { collect_resources(c, out, depth + 1); });
  }

  static bool is_name_char_label(const std::string& s, std::string& e) {
    e = check_label(s);
    return e.empty();
  }

  result<void> unique_labels(const std::vector<std::string>& names, std::uint32_t off, std::string_view what) {
    std::unordered_map<std::string, std::string> seen;
    for (const auto& n : names) {
      std::string e;
      if (!is_name_char_label(n, e)) return err(off, fmt::format("{} name {}", what, e));
      std::string k = n;
      for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto [it, fresh] = seen.emplace(k, n);
      if (!fresh)
        return err(off, fmt::format("{} name `{}` conflicts with previous {} name `{}`", what, n, what, it->second));
    }
    return ok;
  }

  result<tid> defval(const defvaltype& d, std::uint32_t off) {
    tnode n;
    n.kind = tk::defval;
    n.code = d.code;
    switch (d.code) {
      case 0x72: {
        if (d.fields.empty()) return err(off, "record type must have at least one field");
        std::vector<std::string> names;
        for (const auto& f : d.fields) {
          WITC_TRY(vt v, val(f.type, off));
          n.fields.emplace_back(f.name, v);
          names.push_back(f.name);
        }
        WITC_CHECK(unique_labels(names, off, "record field"));
        break;
      }
      case 0x71: {
        if (d.cases.empty()) return err(off, "variant type must have at least one case");
        if (d.cases.size() > 0xffffffffu) return err(off, "variant type has too many cases");
        std::vector<std::string> names;
        for (const auto& c : d.cases) {
          WITC_TRY(std::optional<vt> v, opt_val(c.type, off));
          n.cases.emplace_back(c.name, v);
          names.push_back(c.name);
        }
        WITC_CHECK(unique_labels(names, off, "variant case"));
        break;
      }
      case 0x70: case 0x6b: { WITC_TRY(vt v, val(*d.a, off)); n.a = v; break; }
      case 0x67: {
        WITC_TRY(vt v, val(*d.a, off));
        n.a = v;
        if (d.idx == 0) return err(off, "fixed size list must have a length greater than zero");
        n.len = d.idx;
        break;
      }
      case 0x6f: {
        if (d.types.empty()) return err(off, "tuple type must have at least one type");
        for (const auto& t : d.types) {
          WITC_TRY(vt v, val(t, off));
          n.types.push_back(v);
        }
        break;
      }
      case 0x6e: {
        if (d.names.empty()) return err(off, "flags must have at least one entry");
        if (d.names.size() > 32) return err(off, "cannot have more than 32 flags");
        WITC_CHECK(unique_labels(d.names, off, "flag"));
        n.names = d.names;
        break;
      }
      case 0x6d: {
        if (d.names.empty()) return err(off, "enum type must have at least one variant");
        WITC_CHECK(unique_labels(d.names, off, "enum tag"));
        n.names = d.names;
        break;
      }
      case 0x6a: {
        WITC_TRY(n.a, opt_val(d.a, off));
        WITC_TRY(n.b, opt_val(d.b, off));
        break;
      }
      case 0x69: case 0x68: {
        WITC_TRY(tid t, type_at(d.idx, off));
        if (node(t).kind != tk::resource) return err(off, fmt::format("type index {} is not a resource type", d.idx));
        n.res = node(t).res;
        n.ref = t;
        break;
      }
      case 0x66: case 0x65: {
        WITC_TRY(n.a, opt_val(d.a, off));
        if (n.a && has_borrow(*n.a))
          return err(off, fmt::format("{} payload cannot contain a `borrow` type", d.code == 0x66 ? "stream" : "future"));
        break;
      }
      case 0x63: {
        WITC_TRY(vt k, val(*d.a, off));
        WITC_TRY(vt v, val(*d.b, off));
        n.a = k;
        n.b = v;
        break;
      }
      default: break;  // a primitive
    }
    if (d.code == 0x66 && n.a && is_char(*n.a)) return err(off, "`stream<char>` is not valid at this time");
    layout(n);
    if (n.depth > max_type_depth) return err(off, "type nesting is too deep");
    if (n.size >= max_value_size) return err(off, "type exceeds maximum byte size");
    return add(std::move(n));
  }

  bool is_char(const vt& v) const {
    return v.prim ? v.p == prim::char_ : node(v.t).code == prim::char_;
  }

  static constexpr std::uint32_t max_type_depth = 100;
  static constexpr std::uint64_t max_value_size = 1ull << 28;

  std::pair<std::uint64_t, std::uint32_t> size_align(const vt& v) const {
    if (!v.prim) return {node(v.t).size, node(v.t).align};
    switch (v.p) {
      case prim::bool_: case prim::s8: case prim::u8: return {1, 1};
      case prim::s16: case prim::u16: return {2, 2};
      case prim::s64: case prim::u64: case prim::f64: return {8, 8};
      case prim::string: return {16, 8};
      default: return {4, 4};
    }
  }
  static std::uint64_t align_to(std::uint64_t x, std::uint32_t a) { return (x + a - 1) / a * a; }
  static std::uint64_t sat(std::uint64_t x) { return std::min<std::uint64_t>(x, max_value_size * 16); }

  // The canonical ABI size and alignment (with 64-bit pointers) and nesting depth.
  void layout(tnode& n) const {
    std::uint32_t depth = 0;
    children(n, [&](const vt& c) { if (!c.prim) depth = std::max(depth, node(c.t).depth); });
    n.depth = depth + 1;
    auto record = [&](const std::vector<vt>& fs) {
      std::uint64_t size = 0;
      std::uint32_t align = 1;
      for (const auto& f : fs) {
        auto [s, a] = size_align(f);
        size = sat(align_to(size, a) + s);
        align = std::max(align, a);
      }
      n.size = align_to(size, align);
      n.align = align;
    };
    auto variant = [&](const std::vector<std::optional<vt>>& cs) {
      std::uint32_t disc = cs.size() <= 256 ? 1 : cs.size() <= 65536 ? 2 : 4;
      std::uint64_t payload = 0;
      std::uint32_t align = disc;
      for (const auto& c : cs)
        if (c) {
          auto [s, a] = size_align(*c);
          payload = std::max(payload, s);
          align = std::max(align, a);
        }
      n.size = sat(align_to(align_to(disc, align) + payload, align));
      n.align = align;
    };
    switch (n.code) {
      case 0x72: { std::vector<vt> fs; for (const auto& f : n.fields) fs.push_back(f.second); record(fs); break; }
      case 0x6f: record(n.types); break;
      case 0x71: { std::vector<std::optional<vt>> cs; for (const auto& c : n.cases) cs.push_back(c.second); variant(cs); break; }
      case 0x6b: variant({std::nullopt, n.a}); break;
      case 0x6a: variant({n.a, n.b}); break;
      case 0x70: case 0x63: n.size = 16; n.align = 8; break;
      case 0x67: {
        auto [s, a] = size_align(*n.a);
        n.size = sat(s * n.len);
        n.align = a;
        break;
      }
      case 0x6e: n.size = n.names.size() <= 8 ? 1 : n.names.size() <= 16 ? 2 : 4; n.align = static_cast<std::uint32_t>(n.size); break;
      case 0x6d: n.size = n.names.size() <= 256 ? 1 : n.names.size() <= 65536 ? 2 : 4; n.align = static_cast<std::uint32_t>(n.size); break;
      case 0x69: case 0x68: case 0x66: case 0x65: n.size = 4; n.align = 4; break;
      default: { auto [s, a] = size_align(vt{true, n.code, 0}); n.size = s; n.align = a; break; }
    }
  }

  result<tid> functype_(const functype& f, std::uint32_t off) {
    tnode n;
    n.kind = tk::func;
    n.async = f.async;
    std::vector<std::string> names;
    for (const auto& p : f.params) {
      WITC_TRY(vt v, val(p.type, off));
      n.fields.emplace_back(p.name, v);
      names.push_back(p.name);
    }
    WITC_CHECK(unique_labels(names, off, "function parameter"));
    if (f.result) {
      WITC_TRY(vt v, val(*f.result, off));
      if (has_borrow(v)) return err(off, "function result cannot contain a `borrow` type");
      n.a = v;
    }
    return add(std::move(n));
  }

  // ---- core types ----
  core_valtype core_of(binary::valtype v) { return core_valtype{static_cast<std::uint8_t>(v), 0}; }

  result<void> core_type_(const core_type& t, bool in_module_type) {
    if (const auto* mt = std::get_if<core_moduletype>(&t.def)) {
      if (in_module_type) return err(t.offset, "module types cannot be nested in module types");
      push_scope(scope::kind::mtype);
      auto r = module_decls(*mt);
      scope s = std::move(scopes_.back());
      scopes_.pop_back();
      WITC_CHECK(r);
      tnode n;
      n.kind = tk::core_module;
      n.core_imports = std::move(s.core_imports);
      n.core_exports = std::move(s.core_exports);
      cur().core_types.push_back(add(std::move(n)));
      return ok;
    }
    const auto& rt = std::get<core_rectype>(t.def);
    auto base = static_cast<std::uint32_t>(cur().core_types.size());
    auto total = base + static_cast<std::uint32_t>(rt.types.size());
    for (const auto& st : rt.types) {
      for (auto s : st.supers)
        if (s >= total) return err(t.offset, fmt::format("unknown type {}: type index out of bounds", s));
      tnode n;
      auto check_val = [&](const core_valtype& v) -> result<void> {
        if ((v.code == 0x63 || v.code == 0x64) && v.heap >= 0 && static_cast<std::uint64_t>(v.heap) >= total)
          return err(t.offset, fmt::format("unknown type {}: type index out of bounds", v.heap));
        return ok;
      };
      for (const auto& p : st.type.params) WITC_CHECK(check_val(p));
      for (const auto& p : st.type.results) WITC_CHECK(check_val(p));
      for (const auto& f : st.type.fields) WITC_CHECK(check_val(f.type));
      if (st.type.form == 0x60) {
        n.kind = tk::core_func;
        n.params = st.type.params;
        n.results = st.type.results;
      } else {
        n.kind = tk::core_other;
      }
      cur().core_types.push_back(add(std::move(n)));
    }
    return ok;
  }

  result<core_entity> core_extern(const core_externtype& e, std::uint32_t off) {
    core_entity c;
    c.kind = e.kind;
    c.val = e.val;
    c.mut = e.mut;
    c.lim = e.limits;
    if (e.kind == core_sort::func || e.kind == core_sort::tag) {
      WITC_TRY(tid t, core_type_at(e.type_idx, off));
      if (node(t).kind != tk::core_func) return err(off, fmt::format("type index {} is not a function type", e.type_idx));
      c.t = t;
    }
    if (e.kind == core_sort::memory || e.kind == core_sort::table) {
      if ((e.limits.flags & 1) && e.limits.max < e.limits.min)
        return err(off, "size minimum must not be greater than maximum");
      if (e.kind == core_sort::memory && !(e.limits.flags & 4) && e.limits.min > 65536)
        return err(off, "memory size must be at most 65536 pages (4GiB)");
    }
    return c;
  }

  result<void> module_decls(const core_moduletype& mt) {
    std::unordered_set<std::string> import_names, export_names;
    for (const auto& d : mt.decls) {
      switch (d.tag) {
        case 0: {
          WITC_TRY(core_entity e, core_extern(d.import.type, d.offset));
          std::string key = d.import.module + ":" + d.import.name;
          if (!import_names.insert(key).second)
            return err(d.offset, fmt::format("duplicate import name `{}`", key));
          cur().core_imports.push_back({{d.import.module, d.import.name}, e});
          break;
        }
        case 1: WITC_CHECK(core_type_(*d.type, true)); break;
        case 2: {
          std::uint32_t n = static_cast<std::uint32_t>(scopes_.size()) - 1;
          if (d.outer_count > n) return err(d.offset, fmt::format("invalid outer alias count of {}", d.outer_count));
          const scope& target = scopes_[n - d.outer_count];
          if (d.outer_idx >= target.core_types.size())
            return err(d.offset, fmt::format("unknown core type {}: type index out of bounds", d.outer_idx));
          tid t = target.core_types[d.outer_idx];
          if (node(t).kind == tk::core_module) return err(d.offset, "cannot alias a module type into a module type");
          cur().core_types.push_back(t);
          break;
        }
        case 3: {
          WITC_TRY(core_entity e, core_extern(d.import.type, d.offset));
          if (!export_names.insert(d.import.name).second)
            return err(d.offset, fmt::format("export name `{}` already defined", d.import.name));
          cur().core_exports.emplace_back(d.import.name, e);
          break;
        }
        default: break;
      }
    }
    return ok;
  }

  // A core module embedded in the component: the core validator checks it.
  result<tid> embedded_module(const core_module& m) {
    WITC_TRY(auto mod, load_module(m.bytes, m.offset));
    tnode n;
    n.kind = tk::core_module;
    auto func_node = [&](std::uint32_t type_idx) {
      tnode f;
      f.kind = tk::core_func;
      for (auto p : mod->types[type_idx].params) f.params.push_back(core_of(p));
      for (auto p : mod->types[type_idx].results) f.results.push_back(core_of(p));
      return add(std::move(f));
    };
    auto limits_of = [](const binary::limits& l) {
      core_limits c;
      c.min = l.min;
      if (l.max) { c.flags = 1; c.max = *l.max; }
      return c;
    };
    std::unordered_set<std::string> seen;
    for (const auto& im : mod->imports) {
      if (!seen.insert(im.module + ":" + im.name).second)
        return err(im.offset, fmt::format("duplicate import name `{}:{}`", im.module, im.name));
      core_entity e;
      e.kind = static_cast<core_sort>(im.kind);
      switch (im.kind) {
        case extern_kind::func: e.t = func_node(im.func_type); break;
        case extern_kind::table: e.val = core_of(im.table.elem); e.lim = limits_of(im.table.lim); break;
        case extern_kind::memory: e.lim = limits_of(im.memory.lim); break;
        case extern_kind::global: e.val = core_of(im.global.type); e.mut = im.global.mut; break;
      }
      n.core_imports.push_back({{im.module, im.name}, e});
    }
    for (const auto& ex : mod->exports) {
      core_entity e;
      e.kind = static_cast<core_sort>(ex.kind);
      switch (ex.kind) {
        case extern_kind::func: e.t = func_node(mod->func_type_index(ex.index)); break;
        case extern_kind::table: {
          auto tt = mod->table_at(ex.index);
          e.val = core_of(tt.elem);
          e.lim = limits_of(tt.lim);
          break;
        }
        case extern_kind::memory: e.lim = limits_of(mod->memory_at(ex.index).lim); break;
        case extern_kind::global: {
          auto g = mod->global_at(ex.index);
          e.val = core_of(g.type);
          e.mut = g.mut;
          break;
        }
      }
      n.core_exports.emplace_back(ex.name, e);
    }
    return add(std::move(n));
  }

  // ---- subtyping ----
  struct mapping {
    std::unordered_map<rid, rid> m;
    std::unordered_set<rid> bindable;
  };

  bool res_match(rid actual, rid expected, mapping& mp) {
    // Contravariant positions bind the other way round.
    if (auto back = mp.m.find(actual); back != mp.m.end() && back->second == expected) return true;
    auto it = mp.m.find(expected);
    if (it != mp.m.end()) return it->second == actual;
    if (mp.bindable.count(expected)) {
      mp.m[expected] = actual;
      return true;
    }
    return actual == expected;
  }

  // Value types are equal structurally; resources through the mapping.
  std::string vt_mismatch(const vt& a, const vt& b, mapping& mp, int depth = 0) {
    if (depth > 200) return {};
    if (a.prim != b.prim) {
      // A defined type that is just a primitive equals that primitive.
      vt x = a, y = b;
      if (!x.prim && node(x.t).code >= 0x64 && node(x.t).code != 0x69 && node(x.t).code != 0x68 &&
          node(x.t).code != 0x66 && node(x.t).code != 0x65 && node(x.t).code != 0x67 && node(x.t).code != 0x63 &&
          node(x.t).code != 0x6a && node(x.t).code != 0x6b && node(x.t).code != 0x6d && node(x.t).code != 0x6e &&
          node(x.t).code != 0x6f && node(x.t).code != 0x70 && node(x.t).code != 0x71 && node(x.t).code != 0x72)
        x = vt{true, node(x.t).code, 0};
      if (!y.prim && node(y.t).code >= 0x73) y = vt{true, node(y.t).code, 0};
      if (x.prim && y.prim) return x.p == y.p ? std::string{} : "expected primitive, found other primitive";
      return a.prim ? "expected defined type, found primitive" : "expected primitive, found defined type";
    }
    if (a.prim) return a.p == b.p ? std::string{} : "expected primitive, found other primitive";
    if (a.t == b.t) return {};
    const tnode& x = node(a.t);
    const tnode& y = node(b.t);
    if (x.code != y.code) return fmt::format("type mismatch: expected 0x{:x}, found 0x{:x}", y.code, x.code);
    switch (x.code) {
      case 0x69: case 0x68: return res_match(x.res, y.res, mp) ? std::string{} : "resource types are not the same";
      case 0x72:
        if (x.fields.size() != y.fields.size())
          return fmt::format("expected {} fields, found {}", y.fields.size(), x.fields.size());
        for (std::size_t i = 0; i < x.fields.size(); ++i) {
          if (x.fields[i].first != y.fields[i].first)
            return fmt::format("expected field name `{}`, found `{}`", y.fields[i].first, x.fields[i].first);
          if (auto e = vt_mismatch(x.fields[i].second, y.fields[i].second, mp, depth + 1); !e.empty())
            return fmt::format("type mismatch in record field `{}`", x.fields[i].first);
        }
        return {};
      case 0x71:
        if (x.cases.size() != y.cases.size())
          return fmt::format("expected {} cases, found {}", y.cases.size(), x.cases.size());
        for (std::size_t i = 0; i < x.cases.size(); ++i) {
          if (x.cases[i].first != y.cases[i].first)
            return fmt::format("expected case named `{}`, found `{}`", y.cases[i].first, x.cases[i].first);
          if (x.cases[i].second.has_value() != y.cases[i].second.has_value())
            return fmt::format("type mismatch in variant case `{}`", x.cases[i].first);
          if (x.cases[i].second)
            if (auto e = vt_mismatch(*x.cases[i].second, *y.cases[i].second, mp, depth + 1); !e.empty())
              return fmt::format("type mismatch in variant case `{}`", x.cases[i].first);
        }
        return {};
      case 0x6f:
        if (x.types.size() != y.types.size())
          return fmt::format("expected {} types, found {}", y.types.size(), x.types.size());
        for (std::size_t i = 0; i < x.types.size(); ++i)
          if (auto e = vt_mismatch(x.types[i], y.types[i], mp, depth + 1); !e.empty())
            return fmt::format("type mismatch in tuple field {}", i);
        return {};
      case 0x6e: return x.names == y.names ? std::string{} : "mismatch in flags elements";
      case 0x6d: return x.names == y.names ? std::string{} : "mismatch in enum elements";
      case 0x67:
        if (x.len != y.len) return "mismatch in fixed size list length";
        [[fallthrough]];
      default: {
        auto opt = [&](const std::optional<vt>& p, const std::optional<vt>& q) -> std::string {
          if (p.has_value() != q.has_value()) return "type mismatch in optional type";
          if (!p) return {};
          return vt_mismatch(*p, *q, mp, depth + 1);
        };
        if (auto e = opt(x.a, y.a); !e.empty()) return e;
        return opt(x.b, y.b);
      }
    }
  }

  std::string func_mismatch(tid a, tid b, mapping& mp) {
    const tnode& x = node(a);
    const tnode& y = node(b);
    if (x.async != y.async) return "type mismatch in async attribute";
    if (x.fields.size() != y.fields.size())
      return fmt::format("expected {} parameters, found {}", y.fields.size(), x.fields.size());
    for (std::size_t i = 0; i < x.fields.size(); ++i) {
      if (x.fields[i].first != y.fields[i].first)
        return fmt::format("expected parameter named `{}`, found `{}`", y.fields[i].first, x.fields[i].first);
      if (auto e = vt_mismatch(x.fields[i].second, y.fields[i].second, mp); !e.empty())
        return fmt::format("type mismatch in function parameter `{}`: {}", x.fields[i].first, e);
    }
    if (x.a.has_value() != y.a.has_value()) return x.a ? "expected no result, found one" : "expected a result, found none";
    if (x.a)
      if (auto e = vt_mismatch(*x.a, *y.a, mp); !e.empty()) return fmt::format("type mismatch with result type: {}", e);
    return {};
  }

  static bool limits_ok(const core_limits& a, const core_limits& b) {
    if ((a.flags & 6) != (b.flags & 6)) return false;
    if (a.min < b.min) return false;
    if (b.flags & 1) {
      if (!(a.flags & 1) || a.max > b.max) return false;
    }
    return true;
  }

  std::string core_mismatch(const core_entity& a, const core_entity& b) {
    if (a.kind != b.kind)
      return fmt::format("expected {}, found {}", core_sort_name(b.kind), core_sort_name(a.kind));
    switch (a.kind) {
      case core_sort::func: case core_sort::tag: {
        const tnode& x = node(a.t);
        const tnode& y = node(b.t);
        if (x.any || y.any) return {};
        if (x.params != y.params || x.results != y.results) return "type mismatch: expected a different function type";
        return {};
      }
      case core_sort::table:
        if (!(a.val == b.val)) return "type mismatch in table element type";
        return limits_ok(a.lim, b.lim) ? std::string{} : "mismatch in table limits";
      case core_sort::memory: return limits_ok(a.lim, b.lim) ? std::string{} : "mismatch in memory limits";
      case core_sort::global:
        if (!(a.val == b.val) || a.mut != b.mut) return "type mismatch in global";
        return {};
      default: return {};
    }
  }

  std::string entity_mismatch(const entity& a, const entity& b, mapping& mp, int depth = 0) {
    if (depth > 100) return {};
    if (a.kind != b.kind) return fmt::format("expected {}, found {}", sort_name(b.kind), sort_name(a.kind));
    switch (a.kind) {
      case ek::func: return func_mismatch(a.t, b.t, mp);
      case ek::value: return vt_mismatch(a.v, b.v, mp);
      case ek::type: {
        const tnode& y = node(b.t);
        const tnode& x = node(a.t);
        if (y.kind == tk::resource) {
          if (x.kind != tk::resource) return "expected resource, found defined type";
          return res_match(x.res, y.res, mp) ? std::string{} : "resource types are not the same";
        }
        if (x.kind == tk::resource) return "expected defined type, found resource";
        if (x.kind != y.kind) return "type mismatch";
        if (x.kind == tk::func) return func_mismatch(a.t, b.t, mp);
        if (x.kind == tk::defval) return vt_mismatch(vt{false, 0, a.t}, vt{false, 0, b.t}, mp);
        return instance_or_component_mismatch(x, y, mp, depth);
      }
      case ek::instance: case ek::component:
        return instance_or_component_mismatch(node(a.t), node(b.t), mp, depth);
      case ek::module: {
        const tnode& x = node(a.t);
        const tnode& y = node(b.t);
        for (const auto& [name, e] : x.core_imports) {
          auto it = std::find_if(y.core_imports.begin(), y.core_imports.end(),
                                 [&](const auto& p) { return p.first == name; });
          if (it == y.core_imports.end()) return fmt::format("module import `{}::{}` not defined", name.first, name.second);
          if (auto m = core_mismatch(it->second, e); !m.empty()) return m;
        }
        for (const auto& [name, e] : y.core_exports) {
          auto it = std::find_if(x.core_exports.begin(), x.core_exports.end(),
                                 [&](const auto& p) { return p.first == name; });
          if (it == x.core_exports.end()) return fmt::format("module export `{}` not defined", name);
          if (auto m = core_mismatch(it->second, e); !m.empty()) return m;
        }
        return {};
      }
    }
    return {};
  }

  std::string instance_or_component_mismatch(const tnode& x, const tnode& y, mapping& mp, int depth) {
    if (x.kind != y.kind) return "type mismatch";
    mp.bindable.insert(x.imported_res.begin(), x.imported_res.end());
    mp.bindable.insert(y.defined_res.begin(), y.defined_res.end());
    // Imports are contravariant: what `x` needs, `y` must provide.
    for (const auto& [name, e] : x.imports) {
      auto it = std::find_if(y.imports.begin(), y.imports.end(), [&](const auto& p) { return p.first == name; });
      if (it == y.imports.end()) return fmt::format("missing expected import `{}`", name);
      if (auto m = entity_mismatch(it->second, e, mp, depth + 1); !m.empty())
        return fmt::format("type mismatch in import `{}`: {}", name, m);
    }
    for (const auto& [name, e] : y.exports) {
      auto it = std::find_if(x.exports.begin(), x.exports.end(), [&](const auto& p) { return p.first == name; });
      if (it == x.exports.end()) return fmt::format("missing expected export `{}`", name);
      if (auto m = entity_mismatch(it->second, e, mp, depth + 1); !m.empty())
        return fmt::format("type mismatch in export `{}`: {}", name, m);
    }
    return {};
  }

  // ---- substitution ----
  vt subst_vt(const vt& v, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo) {
    if (v.prim) return v;
    return vt{false, 0, subst(v.t, m, memo)};
  }
  entity subst_entity(const entity& e, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo) {
    entity r = e;
    if (e.kind == ek::value) r.v = subst_vt(e.v, m, memo);
    else if (e.kind != ek::module) r.t = subst(e.t, m, memo);
    return r;
  }
  tid subst(tid t, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo) {
    if (m.empty() && memo.empty()) return t;
    if (auto it = memo.find(t); it != memo.end()) return it->second;
    tnode n = node(t);  // a copy: `add` below may move the arena
    switch (n.kind) {
      case tk::resource: {
        auto it = m.find(n.res);
        tid r = t;
        if (it != m.end()) {
          if (n.alias_of) {
            // Another index (name) for the resource stays a distinct node.
            n.res = it->second;
            n.alias_of = subst(*n.alias_of, m, memo);
            r = add(std::move(n));
          } else {
            r = res_tid_[it->second];
          }
        }
        memo[t] = r;
        return r;
      }
      case tk::core_func: case tk::core_module: case tk::core_instance: case tk::core_other:
        return t;
      default: break;
    }
    if (n.alias_of) n.alias_of = subst(*n.alias_of, m, memo);
    if (n.code == 0x69 || n.code == 0x68) {
      if (auto it = m.find(n.res); it != m.end()) n.res = it->second;
      n.ref = subst(n.ref, m, memo);
    }
    for (auto& f : n.fields) f.second = subst_vt(f.second, m, memo);
    for (auto& c : n.cases)
      if (c.second) c.second = subst_vt(*c.second, m, memo);
    for (auto& x : n.types) x = subst_vt(x, m, memo);
    if (n.a) n.a = subst_vt(*n.a, m, memo);
    if (n.b) n.b = subst_vt(*n.b, m, memo);
    for (auto& i : n.imports) i.second = subst_entity(i.second, m, memo);
    for (auto& e : n.exports) e.second = subst_entity(e.second, m, memo);
    for (auto& r : n.imported_res)
      if (auto it = m.find(r); it != m.end()) r = it->second;
    for (auto& r : n.defined_res)
      if (auto it = m.find(r); it != m.end()) r = it->second;
    // A type that mentions nothing substituted stays the same type (and keeps its name).
    if (same_refs(n, node(t))) {
      memo[t] = t;
      return t;
    }
    tid r = add(std::move(n));
    memo[t] = r;
    return r;
  }

  static bool same_entity(const entity& a, const entity& b) { return a.kind == b.kind && a.t == b.t && a.v == b.v; }
  static bool same_refs(const tnode& a, const tnode& b) {
    auto same_list = [](const auto& x, const auto& y, auto eq) {
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!eq(x[i], y[i])) return false;
      return true;
    };
    return a.alias_of == b.alias_of && a.res == b.res && a.ref == b.ref && a.a == b.a && a.b == b.b &&
           a.types == b.types && a.imported_res == b.imported_res && a.defined_res == b.defined_res &&
           same_list(a.fields, b.fields, [](const auto& x, const auto& y) { return x.second == y.second; }) &&
           same_list(a.cases, b.cases, [](const auto& x, const auto& y) { return x.second == y.second; }) &&
           same_list(a.imports, b.imports, [](const auto& x, const auto& y) { return same_entity(x.second, y.second); }) &&
           same_list(a.exports, b.exports, [](const auto& x, const auto& y) { return same_entity(x.second, y.second); });
  }

  // Gives an instance or component type's defined resources fresh identities.
  std::pair<tid, std::vector<rid>> freshen(tid t) {
    const tnode& n = node(t);
    if (n.defined_res.empty()) return {t, {}};
    std::unordered_map<rid, rid> m;
    std::vector<rid> fresh;
    auto defined = n.defined_res;
    for (rid r : defined) {
      rid f = fresh_resource(res_[r]);
      res_[f].local = false;
      m[r] = f;
      fresh.push_back(f);
    }
    std::unordered_map<tid, tid> memo;
    tid nt = subst(t, m, memo);
    arena_[nt].defined_res.clear();
    return {nt, fresh};
  }

  // ---- the "named types" rule for imports and exports ----
  bool named_vt(const vt& v, const name_set& s, const std::unordered_set<tid>& extra, int depth = 0) {
    if (v.prim || depth > 200) return true;
    const tnode& n = node(v.t);
    switch (n.code) {
      case 0x72: case 0x71: case 0x6e: case 0x6d:
        if (!s.types.count(v.t) && !extra.count(v.t)) return false;
        return true;
      case 0x69: case 0x68: return s.types.count(n.ref) > 0 || extra.count(n.ref) > 0;
      default: {
        bool okk = true;
        children(n, [&](const vt& c) { okk = okk && named_vt(c, s, extra, depth + 1); });
        return okk;
      }
    }
  }
  bool named_entity(const entity& e, const name_set& s, std::unordered_set<tid> extra = {}, int depth = 0) {
    if (depth > 50) return true;
    switch (e.kind) {
      case ek::func: {
        const tnode& f = node(e.t);
        for (const auto& p : f.fields)
          if (!named_vt(p.second, s, extra)) return false;
        return !f.a || named_vt(*f.a, s, extra);
      }
      case ek::value: return named_vt(e.v, s, extra);
      case ek::type: {
        const tnode& n = node(e.t);
        if (n.kind == tk::func) return named_entity(entity{ek::func, e.t, {}}, s, extra, depth + 1);
        if (n.kind == tk::instance) return named_entity(entity{ek::instance, e.t, {}}, s, extra, depth + 1);
        if (n.kind != tk::defval) return true;
        bool okk = true;
        children(n, [&](const vt& c) { okk = okk && named_vt(c, s, extra); });
        return okk;
      }
      case ek::instance: {
        const tnode& n = node(e.t);
        for (const auto& [name, x] : n.exports)
          if (x.kind == ek::type) {
            extra.insert(x.t);
            if (node(x.t).kind == tk::resource) extra.insert(res_tid_[node(x.t).res]);
          }
        for (const auto& [name, x] : n.exports)
          if (!named_entity(x, s, extra, depth + 1)) return false;
        return true;
      }
      default: return true;
    }
  }

  // ---- names ----
  result<void> check_attrs(const extern_name& n, const entity& e, const parsed_name& pn, std::uint32_t off) {
    const parsed_name* p = &pn;
    bool seen[3] = {false, false, false};
    for (const auto& a : n.attrs) {
      if (seen[a.kind])
        return err(off, fmt::format("duplicate '{}' option in name",
                                    a.kind == 0 ? "implements" : a.kind == 1 ? "versionsuffix" : "external-id"));
      seen[a.kind] = true;
      if (a.kind == 0) {
        if (e.kind != ek::instance) return err(off, "only instances can have an `implements`");
        if (p->kind != name_kind::label)
          return err(off, fmt::format("name `{}` is not valid with `implements`", n.name));
        std::string m2;
        auto q = parse_name(a.value, false, m2);
        if (!q || q->kind != name_kind::interface)
          return err(off, fmt::format("`{}` must be an interface name", a.value));
      }
    }
    return ok;
  }

  result<parsed_name> check_name(const extern_name& n, const entity& e, bool import, std::uint32_t off) {
    std::string msg;
    auto p = parse_name(n.name, import, msg);
    if (!p) return err(off, msg.empty() ? fmt::format("`{}` is not a valid extern name", n.name) : msg);
    WITC_CHECK(check_attrs(n, e, *p, off));
    bool annotated = p->kind == name_kind::constructor || p->kind == name_kind::method ||
                     p->kind == name_kind::static_;
    if (annotated) {
      if (e.kind != ek::func)
        return err(off, fmt::format("{} not valid to be used as {}", sort_name(e.kind), import ? "import" : "export"));
      auto& names = import ? cur().res_names_imp : cur().res_names_exp;
      auto it = names.find(p->resource);
      if (it == names.end())
        return err(off, fmt::format("resource used in function does not have a name in this context: `{}`", p->resource));
      rid r = it->second;
      const tnode& f = node(e.t);
      if (p->kind == name_kind::constructor) {
        auto own_of = [&](const std::optional<vt>& v) -> bool {
          if (!v || v->prim) return false;
          const tnode& x = node(v->t);
          if (x.code == 0x69) return x.res == r;
          if (x.code == 0x6a && x.a && !x.a->prim) {
            const tnode& y = node(x.a->t);
            return y.code == 0x69 && y.res == r;
          }
          return false;
        };
        if (!own_of(f.a)) return err(off, "function should return `(own $T)` or `(result (own $T))`");
      } else if (p->kind == name_kind::method) {
        bool okk = !f.fields.empty() && f.fields[0].first == "self" && !f.fields[0].second.prim &&
                   node(f.fields[0].second.t).code == 0x68 && node(f.fields[0].second.t).res == r;
        if (!okk) return err(off, fmt::format("function does not match expected resource name `{}`", p->resource));
      }
    }
    return *p;
  }

  result<void> unique(std::unordered_map<std::string, std::string>& keys, const parsed_name& p,
                      const std::string& name, bool import, std::uint32_t off) {
    auto [it, fresh] = keys.emplace(p.key, name);
    if (!fresh) {
      if (it->second == name)
        return err(off, fmt::format("{} name `{}` already defined", import ? "import" : "export", name));
      return err(off, fmt::format("{} name `{}` conflicts with previous name `{}`", import ? "import" : "export", name,
                                  it->second));
    }
    return ok;
  }

  // ---- entities ----
  result<entity> extern_(const externtype& e, std::uint32_t off, const std::string& name, bool import) {
    entity r;
    r.kind = static_cast<ek>(e.kind);
    switch (e.kind) {
      case 0x00: {
        WITC_TRY(tid t, core_type_at(e.idx, off));
        if (node(t).kind != tk::core_module) return err(off, fmt::format("core type index {} is not a module type", e.idx));
        r.t = t;
        return r;
      }
      case 0x01: {
        WITC_TRY(tid t, type_at(e.idx, off));
        if (node(t).kind != tk::func) return err(off, fmt::format("type index {} is not a function type", e.idx));
        r.t = t;
        return r;
      }
      case 0x02: {
        if (e.bound_eq) {
          WITC_TRY(vt v, at(cur().values, e.idx, off, "value"));
          r.v = v;
        } else {
          WITC_TRY(vt v, val(e.value, off));
          r.v = v;
        }
        return r;
      }
      case 0x03: {
        if (e.bound_eq) {
          WITC_TRY(tid t, type_at(e.idx, off));
          r.t = t;
          return r;
        }
        resource_info info;
        info.scope = cur().id;
        info.name = name;
        rid res = fresh_resource(info);
        r.t = res_tid_[res];
        if (import) cur().imported_res.push_back(res);
        else cur().defined_res.push_back(res);
        return r;
      }
      case 0x04: {
        WITC_TRY(tid t, type_at(e.idx, off));
        if (node(t).kind != tk::component) return err(off, fmt::format("type index {} is not a component type", e.idx));
        r.t = t;
        return r;
      }
      default: {
        WITC_TRY(tid t, type_at(e.idx, off));
        if (node(t).kind != tk::instance) return err(off, fmt::format("type index {} is not an instance type", e.idx));
        r.t = t;
        return r;
      }
    }
  }

  // Adds an entity to the index space of its sort in the current scope.
  // An exported resource is a new type index for the same resource: only handles
  // written with the new index count as using the exported name.
  tid rename_resource(tid t) {
    // In a concrete component only a type defined here gets a new index (an aliased
    // one keeps its identity); in component and instance types every `eq` does.
    bool in_type = cur().k == scope::kind::ctype || cur().k == scope::kind::itype;
    if (!cur().local_types.count(t) && !(in_type && (node(t).kind == tk::defval || node(t).kind == tk::resource)))
      return t;
    tnode n = node(t);
    n.alias_of = t;
    return add(std::move(n));
  }

  // Gives type `t` a name in the current scope: `vis` 2 for imports and exports, 1 for exports.
  void add_name(tid t, std::uint8_t vis) {
    if (vis == 0) return;
    scope& s = cur();
    s.exp_names.types.insert(t);
    if (vis == 2) s.imp_names.types.insert(t);
    if (node(t).kind == tk::resource) {
      s.exp_names.res.insert(node(t).res);
      if (vis == 2) s.imp_names.res.insert(node(t).res);
    }
  }

  void push_entity(const entity& e, std::uint8_t vis = 0) {
    scope& s = cur();
    if (e.kind == ek::instance) s.inst_vis.push_back(vis);
    switch (e.kind) {
      case ek::module: s.core_modules.push_back(e.t); break;
      case ek::func: s.funcs.push_back(e.t); break;
      case ek::value: s.values.push_back(e.v); break;
      case ek::type: s.types.push_back(e.t); break;
      case ek::component: s.components.push_back(e.t); break;
      case ek::instance: s.instances.push_back(e.t); break;
    }
  }

  result<void> import_(const extern_name& n, const externtype& et, std::uint32_t off) {
    WITC_TRY(entity e, extern_(et, off, n.name, true));
    if (e.kind == ek::instance) {
      auto [t, fresh] = freshen(e.t);
      e.t = t;
      for (rid r : fresh) cur().imported_res.push_back(r);
    }
    WITC_TRY(parsed_name p, check_name(n, e, true, off));
    WITC_CHECK(unique(cur().import_keys, p, n.name, true, off));
    if (e.kind == ek::type) e.t = rename_resource(e.t);
    if (!named_entity(e, cur().imp_names))
      return err(off, fmt::format("{} not valid to be used as import", sort_name(e.kind)),
                 fmt::format("`{}` uses a type that is neither imported nor exported by name", n.name));
    register_named(e, p, true);
    cur().imports.emplace_back(n.name, e);
    push_entity(e, 2);
    return ok;
  }

  // Exporting or importing an instance names the types it exports.
  void name_instance_types(tid inst, std::uint8_t vis, int depth = 0) {
    if (depth > 50) return;
    for (const auto& [nm, x] : node(inst).exports) {
      if (x.kind == ek::type) add_name(x.t, vis);
      else if (x.kind == ek::instance) name_instance_types(x.t, vis, depth + 1);
    }
  }

  void register_named(const entity& e, const parsed_name& p, bool import) {
    if (e.kind == ek::instance) name_instance_types(e.t, import ? 2 : 1);
    if (e.kind != ek::type) return;
    add_name(e.t, import ? 2 : 1);
    const tnode& n = node(e.t);
    if (n.kind == tk::resource) {
      if (p.kind == name_kind::label) (import ? cur().res_names_imp : cur().res_names_exp)[p.label] = n.res;
      if (res_[n.res].name.empty()) res_[n.res].name = p.label;
    }
  }

  // An `exportdecl` inside a component or instance type.
  result<void> export_decl(const extern_name& n, const externtype& et, std::uint32_t off) {
    WITC_TRY(entity e, extern_(et, off, n.name, false));
    if (e.kind == ek::instance) {
      auto [t, fresh] = freshen(e.t);
      e.t = t;
      for (rid r : fresh) cur().defined_res.push_back(r);
    }
    WITC_TRY(parsed_name p, check_name(n, e, false, off));
    WITC_CHECK(unique(cur().export_keys, p, n.name, false, off));
    if (e.kind == ek::type) e.t = rename_resource(e.t);
    // Instance types check visibility only once attached to an import or export.
    if (cur().k != scope::kind::itype && !named_entity(e, cur().exp_names))
      return err(off, fmt::format("{} not valid to be used as export", sort_name(e.kind)),
                 fmt::format("`{}` uses a type that is neither imported nor exported by name", n.name));
    register_named(e, p, false);
    cur().exports.emplace_back(n.name, e);
    push_entity(e, 1);
    return ok;
  }

  result<entity> item(const sort_idx& si, std::uint32_t off) {
    entity e;
    const scope& s = cur();
    switch (si.sort.kind) {
      case sort_kind::core:
        if (si.sort.core != core_sort::module)
          return err(off, fmt::format("core {} not valid to be used as an export", core_sort_name(si.sort.core)));
        e.kind = ek::module;
        { WITC_TRY(e.t, at(s.core_modules, si.idx, off, "module")); }
        return e;
      case sort_kind::func: e.kind = ek::func; { WITC_TRY(e.t, at(s.funcs, si.idx, off, "func")); } return e;
      case sort_kind::value: e.kind = ek::value; { WITC_TRY(e.v, at(s.values, si.idx, off, "value")); } return e;
      case sort_kind::type: e.kind = ek::type; { WITC_TRY(e.t, at(s.types, si.idx, off, "type")); } return e;
      case sort_kind::component:
        e.kind = ek::component;
        { WITC_TRY(e.t, at(s.components, si.idx, off, "component")); }
        return e;
      case sort_kind::instance:
        e.kind = ek::instance;
        { WITC_TRY(e.t, at(s.instances, si.idx, off, "instance")); }
        return e;
    }
    return e;
  }

  result<void> export_(const ::witc::binary::component::export_& x) {
    WITC_TRY(entity e, item(x.item, x.offset));
    if (x.type) {
      // The ascribed type must be a supertype of the item's own.
      WITC_TRY(entity want, extern_(*x.type, x.offset, x.name.name, false));
      if (want.kind == ek::type && node(want.t).kind == tk::resource && x.type->bound_eq == false) {
        // `(sub resource)`: the item must be a resource; outside, the export is a new abstract one.
        if (node(e.t).kind != tk::resource) return err(x.offset, "expected resource, found defined type");
        e = want;
      } else {
        mapping mp;
        if (auto m = entity_mismatch(e, want, mp); !m.empty())
          return err(x.offset, fmt::format("type mismatch in export `{}`: {}", x.name.name, m));
        e = want;
      }
    }
    WITC_TRY(parsed_name p, check_name(x.name, e, false, x.offset));
    WITC_CHECK(unique(cur().export_keys, p, x.name.name, false, x.offset));
    if (e.kind == ek::type) e.t = rename_resource(e.t);
    if (!named_entity(e, cur().exp_names))
      return err(x.offset, fmt::format("{} not valid to be used as export", sort_name(e.kind)),
                 fmt::format("`{}` uses a type that is neither imported nor exported by name", x.name.name));
    register_named(e, p, false);
    cur().exports.emplace_back(x.name.name, e);
    push_entity(e, 1);
    return ok;
  }

  // ---- aliases ----
  result<void> alias_(const alias& a, bool in_type) {
    if (in_type) {
      bool okk = (a.target == 0 && (a.sort.kind == sort_kind::instance || a.sort.kind == sort_kind::type)) ||
                 (a.target == 2 && (a.sort.kind == sort_kind::type ||
                                    (a.sort.kind == sort_kind::core && a.sort.core == core_sort::type)));
      if (!okk) return err(a.offset, "alias in a type may only refer to types or instances");
    }
    switch (a.target) {
      case 0: {
        WITC_TRY(tid it, at(cur().instances, a.instance, a.offset, "instance"));
        const tnode& in = node(it);
        auto f = std::find_if(in.exports.begin(), in.exports.end(), [&](const auto& p) { return p.first == a.name; });
        if (f == in.exports.end())
          return err(a.offset, fmt::format("instance {} has no export named `{}`", a.instance, a.name));
        entity e = f->second;
        std::uint8_t vis = a.instance < cur().inst_vis.size() ? cur().inst_vis[a.instance] : 0;
        if (a.sort.kind == sort_kind::core) {
          if (a.sort.core != core_sort::module || e.kind != ek::module)
            return err(a.offset, fmt::format("export `{}` for instance {} is not a core {}", a.name, a.instance,
                                             core_sort_name(a.sort.core)));
        } else if (static_cast<std::uint8_t>(a.sort.kind) != static_cast<std::uint8_t>(e.kind)) {
          return err(a.offset, fmt::format("export `{}` for instance {} is not a {}", a.name, a.instance,
                                           sort_name(static_cast<ek>(a.sort.kind))));
        }
        if (e.kind == ek::type) add_name(e.t, vis);
        push_entity(e, vis);
        return ok;
      }
      case 1: {
        WITC_TRY(tid it, at(cur().core_instances, a.instance, a.offset, "core instance"));
        const tnode& in = node(it);
        auto f = std::find_if(in.core_exports.begin(), in.core_exports.end(),
                              [&](const auto& p) { return p.first == a.name; });
        if (f == in.core_exports.end())
          return err(a.offset, fmt::format("core instance {} has no export named `{}`", a.instance, a.name));
        if (a.sort.kind != sort_kind::core || f->second.kind != a.sort.core)
          return err(a.offset, fmt::format("export `{}` for core instance {} is not a {}", a.name, a.instance,
                                           a.sort.kind == sort_kind::core ? core_sort_name(a.sort.core) : "core item"));
        const core_entity& ce = f->second;
        scope& s = cur();
        switch (ce.kind) {
          case core_sort::func: s.core_funcs.push_back(ce.t); break;
          case core_sort::table: s.core_tables.push_back(ce); break;
          case core_sort::memory: s.core_memories.push_back(ce); break;
          case core_sort::global: s.core_globals.push_back(ce); break;
          case core_sort::tag: s.core_tags.push_back(ce); break;
          default: break;
        }
        return ok;
      }
      default: {
        std::uint32_t n = static_cast<std::uint32_t>(scopes_.size()) - 1;
        if (a.count > n) return err(a.offset, fmt::format("invalid outer alias count of {}", a.count));
        const scope& target = scopes_[n - a.count];
        bool crosses = false;
        for (std::uint32_t i = n - a.count + 1; i <= n; ++i)
          if (scopes_[i].k == scope::kind::component) crosses = true;
        const std::vector<tid>* space = nullptr;
        if (a.sort.kind == sort_kind::type) space = &target.types;
        else if (a.sort.kind == sort_kind::component) space = &target.components;
        else if (a.sort.core == core_sort::type) space = &target.core_types;
        else space = &target.core_modules;
        if (a.idx >= space->size()) return err(a.offset, fmt::format("index out of bounds: {}", a.idx));
        tid t = (*space)[a.idx];
        if (a.sort.kind == sort_kind::type && crosses && refers_to_resources(t))
          return err(a.offset, "cannot alias outer type which transitively refers to resources not defined in the current component");
        if (a.sort.kind == sort_kind::type) cur().types.push_back(t);
        else if (a.sort.kind == sort_kind::component) cur().components.push_back(t);
        else if (a.sort.core == core_sort::type) cur().core_types.push_back(t);
        else cur().core_modules.push_back(t);
        return ok;
      }
    }
  }

  bool refers_to_resources(tid t, int depth = 0) {
    if (depth > 100) return false;
    const tnode& n = node(t);
    if (n.kind == tk::resource) return true;
    if (n.code == 0x69 || n.code == 0x68) return true;
    bool found = false;
    children(n, [&](const vt& c) { found = found || (!c.prim && refers_to_resources(c.t, depth + 1)); });
    for (const auto& [nm, e] : n.imports)
      if (e.kind != ek::module && e.kind != ek::value) found = found || refers_to_resources(e.t, depth + 1);
    for (const auto& [nm, e] : n.exports)
      if (e.kind != ek::module && e.kind != ek::value) found = found || refers_to_resources(e.t, depth + 1);
    // A type's own resource declarations do not count: only free ones would.
    if (!n.imports.empty() || !n.exports.empty()) {
      std::unordered_set<rid> own(n.imported_res.begin(), n.imported_res.end());
      own.insert(n.defined_res.begin(), n.defined_res.end());
      std::unordered_set<rid> used;
      collect_entity_resources(n, used, 0);
      found = false;
      for (rid r : used)
        if (!own.count(r)) found = true;
    }
    return found;
  }
  void collect_entity_resources(const tnode& n, std::unordered_set<rid>& out, int depth) {
    if (depth > 100) return;
    auto visit = [&](const entity& e) {
      if (e.kind == ek::value) { collect_resources(e.v, out); return; }
      if (e.kind == ek::module) return;
      const tnode& x = node(e.t);
      if (x.kind == tk::resource) out.insert(x.res);
      else if (x.kind == tk::defval) collect_resources(vt{false, 0, e.t}, out);
      else if (x.kind == tk::func) {
        for (const auto& p : x.fields) collect_resources(p.second, out);
        if (x.a) collect_resources(*x.a, out);
      } else {
        collect_entity_resources(x, out, depth + 1);
      }
    };
    for (const auto& [nm, e] : n.imports) visit(e);
    for (const auto& [nm, e] : n.exports) visit(e);
  }

  // ---- types ----
  result<void> type_(const type& t) {
    if (const auto* d = std::get_if<defvaltype>(&t.def)) {
      WITC_TRY(tid x, defval(*d, t.offset));
      cur().types.push_back(x);
      cur().local_types.insert(x);
      return ok;
    }
    if (const auto* f = std::get_if<functype>(&t.def)) {
      WITC_TRY(tid x, functype_(*f, t.offset));
      cur().types.push_back(x);
      return ok;
    }
    if (const auto* r = std::get_if<resourcetype>(&t.def)) {
      if (cur().k != scope::kind::component)
        return err(t.offset, "resources can only be defined within a concrete component");
      if (r->rep.code != 0x7f) return err(t.offset, "resources can only be represented by `i32`");
      if (r->dtor) {
        WITC_TRY(tid ft, at(cur().core_funcs, *r->dtor, t.offset, "core func"));
        const tnode& f = node(ft);
        if (!f.any && !(f.params == std::vector<core_valtype>{core_valtype{0x7f, 0}} && f.results.empty()))
          return err(t.offset, "core function has wrong type for a resource destructor: expected `[i32] -> []`");
      }
      resource_info info;
      info.local = true;
      info.scope = cur().id;
      info.rep = r->rep;
      rid res = fresh_resource(info);
      cur().types.push_back(res_tid_[res]);
      cur().local_types.insert(res_tid_[res]);
      return ok;
    }
    const auto& ct = std::get<componenttype>(t.def);
    push_scope(t.instance ? scope::kind::itype : scope::kind::ctype);
    auto r = decls(ct, t.instance);
    scope s = std::move(scopes_.back());
    scopes_.pop_back();
    WITC_CHECK(r);
    tnode n;
    n.kind = t.instance ? tk::instance : tk::component;
    n.imports = std::move(s.imports);
    n.exports = std::move(s.exports);
    n.imported_res = std::move(s.imported_res);
    n.defined_res = std::move(s.defined_res);
    cur().types.push_back(add(std::move(n)));
    return ok;
  }

  result<void> decls(const componenttype& ct, bool instance) {
    for (const auto& d : ct.decls) {
      switch (d.tag) {
        case 0: WITC_CHECK(core_type_(*d.core, false)); break;
        case 1: WITC_CHECK(type_(*d.type)); break;
        case 2: WITC_CHECK(alias_(d.alias, true)); break;
        case 3:
          if (instance) return err(d.offset, "instance types cannot have imports");
          WITC_CHECK(import_(d.name, d.ext, d.offset));
          break;
        default: WITC_CHECK(export_decl(d.name, d.ext, d.offset)); break;
      }
    }
    return ok;
  }

  // ---- instances ----
  result<void> core_instance_(const core_instance& ci) {
    tnode n;
    n.kind = tk::core_instance;
    if (ci.form == 0) {
      WITC_TRY(tid mt, at(cur().core_modules, ci.module, ci.offset, "module"));
      std::unordered_map<std::string, std::uint32_t> args;
      for (const auto& a : ci.args) {
        if (a.instance >= cur().core_instances.size())
          return err(ci.offset, fmt::format("unknown core instance {}: instance index out of bounds", a.instance));
        if (!args.emplace(a.name, a.instance).second)
          return err(ci.offset, fmt::format("duplicate module instantiation argument named `{}`", a.name));
      }
      const tnode& m = node(mt);
      for (const auto& [name, want] : m.core_imports) {
        auto it = args.find(name.first);
        if (it == args.end())
          return err(ci.offset, fmt::format("missing module instantiation argument named `{}`", name.first));
        const tnode& inst = node(cur().core_instances[it->second]);
        auto f = std::find_if(inst.core_exports.begin(), inst.core_exports.end(),
                              [&](const auto& p) { return p.first == name.second; });
        if (f == inst.core_exports.end())
          return err(ci.offset, fmt::format("module instantiation argument `{}` does not export an item named `{}`",
                                            name.first, name.second));
        if (auto msg = core_mismatch(f->second, want); !msg.empty())
          return err(ci.offset, fmt::format("type mismatch for export `{}` of module instantiation argument `{}`: {}",
                                            name.second, name.first, msg));
      }
      n.core_exports = m.core_exports;
    } else {
      std::unordered_set<std::string> names;
      for (const auto& e : ci.exports) {
        if (!names.insert(e.name).second) return err(ci.offset, fmt::format("export name `{}` already defined", e.name));
        core_entity ce;
        ce.kind = e.item.sort;
        const scope& s = cur();
        switch (e.item.sort) {
          case core_sort::func: { WITC_TRY(ce.t, at(s.core_funcs, e.item.idx, ci.offset, "func")); break; }
          case core_sort::table: { WITC_TRY(ce, at(s.core_tables, e.item.idx, ci.offset, "table")); break; }
          case core_sort::memory: { WITC_TRY(ce, at(s.core_memories, e.item.idx, ci.offset, "memory")); break; }
          case core_sort::global: { WITC_TRY(ce, at(s.core_globals, e.item.idx, ci.offset, "global")); break; }
          case core_sort::tag: { WITC_TRY(ce, at(s.core_tags, e.item.idx, ci.offset, "tag")); break; }
          default:
            return err(ci.offset, fmt::format("core {} not valid in an instance", core_sort_name(e.item.sort)));
        }
        n.core_exports.emplace_back(e.name, ce);
      }
    }
    cur().core_instances.push_back(add(std::move(n)));
    return ok;
  }

  result<void> instance_(const instance& in) {
    tnode n;
    n.kind = tk::instance;
    if (in.form == 0) {
      WITC_TRY(tid ct, at(cur().components, in.component, in.offset, "component"));
      std::map<std::string, entity> args;
      for (const auto& a : in.args) {
        WITC_TRY(entity e, item(a.item, in.offset));
        if (!args.emplace(a.name, e).second)
          return err(in.offset, fmt::format("instantiation argument `{}` conflicts with previous argument", a.name));
      }
      const tnode c = node(ct);
      mapping mp;
      std::unordered_map<tid, tid> memo;
      mp.bindable.insert(c.imported_res.begin(), c.imported_res.end());
      for (const auto& [name, want] : c.imports) {
        auto it = args.find(name);
        if (it == args.end()) return err(in.offset, fmt::format("missing import named `{}`", name));
        if (auto msg = entity_mismatch(it->second, want, mp); !msg.empty())
          return err(in.offset, fmt::format("type mismatch for component instantiation argument `{}`: {}", name, msg));
        // A type import is replaced by the argument in everything after it.
        if (want.kind == ek::type && node(want.t).kind != tk::resource) memo[want.t] = it->second.t;
      }
      for (rid r : c.defined_res) {
        rid f = fresh_resource(res_[r]);
        mp.m[r] = f;
      }
      for (const auto& [name, e] : c.exports) n.exports.emplace_back(name, subst_entity(e, mp.m, memo));
    } else {
      std::unordered_map<std::string, std::string> keys;
      std::unordered_map<std::string, tid> bag_resources;  // resources this bag exports, by name
      for (const auto& e : in.exports) {
        WITC_TRY(entity x, item(e.item, in.offset));
        if (x.kind == ek::type) {
          x.t = rename_resource(x.t);
          if (node(x.t).kind == tk::resource) bag_resources[e.name.name] = x.t;
        }
        std::string msg;
        auto p = parse_name(e.name.name, false, msg);
        if (!p) return err(in.offset, msg);
        WITC_CHECK(check_attrs(e.name, x, *p, in.offset));
        WITC_CHECK(unique(keys, *p, e.name.name, false, in.offset));
        if (p->kind == name_kind::constructor || p->kind == name_kind::method || p->kind == name_kind::static_) {
          auto r = bag_resources.find(p->resource);
          if (x.kind != ek::func || r == bag_resources.end())
            return err(in.offset, "resource used in function does not have a name in this context");
          // The handle must be written with the bag's exported name of the resource.
          const tnode& f = node(x.t);
          auto uses = [&](const std::optional<vt>& v) {
            if (!v || v->prim) return false;
            const tnode& h = node(v->t);
            if ((h.code == 0x69 || h.code == 0x68) && h.ref == r->second) return true;
            return h.code == 0x6a && h.a && !h.a->prim && node(h.a->t).code == 0x69 && node(h.a->t).ref == r->second;
          };
          bool okk = p->kind == name_kind::static_ ||
                     (p->kind == name_kind::constructor && uses(f.a)) ||
                     (p->kind == name_kind::method && !f.fields.empty() && uses(f.fields[0].second));
          if (!okk) return err(in.offset, "resource used in function does not have a name in this context");
        }
        n.exports.emplace_back(e.name.name, x);
      }
    }
    cur().instances.push_back(add(std::move(n)));
    cur().inst_vis.push_back(0);
    return ok;
  }

  // ---- canonical definitions ----
  std::vector<std::uint8_t> flat(const vt& v, int depth = 0) {
    if (v.prim) {
      switch (v.p) {
        case prim::s64: case prim::u64: return {0x7e};
        case prim::f32: return {0x7d};
        case prim::f64: return {0x7c};
        case prim::string: return {0x7f, 0x7f};
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
      case 0x70: case 0x63: return {0x7f, 0x7f};
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

  struct opts_info {
    bool memory = false, realloc = false, post_return = false, async = false, callback = false;
    std::uint32_t post_return_idx = 0, callback_idx = 0;
  };

  result<opts_info> canon_opts(const std::vector<canon_opt>& os, std::uint32_t off) {
    opts_info r;
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
          if (m.lim.flags & 4) return err(off, "canonical ABI memory must be a 32-bit memory");
          r.memory = true;
          break;
        }
        case 4: {
          WITC_TRY(tid f, at(cur().core_funcs, o.idx, off, "func"));
          const tnode& n = node(f);
          std::vector<core_valtype> i32x4(4, core_valtype{0x7f, 0});
          if (!n.any && !(n.params == i32x4 && n.results == std::vector<core_valtype>{core_valtype{0x7f, 0}}))
            return err(off, "canonical option `realloc` uses a core function with an incorrect signature");
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
    if (r.callback && !r.async) return err(off, "cannot specify callback without async");
    if (r.post_return && r.async) return err(off, "cannot specify post-return function in async");
    return r;
  }

  tid core_func_node(std::vector<std::uint8_t> params, std::vector<std::uint8_t> results) {
    tnode n;
    n.kind = tk::core_func;
    for (auto p : params) n.params.push_back(core_valtype{p, 0});
    for (auto p : results) n.results.push_back(core_valtype{p, 0});
    return add(std::move(n));
  }
  tid any_core_func() {
    tnode n;
    n.kind = tk::core_func;
    n.any = true;
    return add(std::move(n));
  }

  static std::string sig(const std::vector<core_valtype>& v) {
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

  result<void> canon_(const canon& c) {
    std::uint32_t off = c.offset;
    scope& s = cur();
    switch (c.op) {
      case 0x00: {  // lift
        WITC_TRY(tid cf, at(s.core_funcs, c.func, off, "func"));
        WITC_TRY(tid ft, type_at(c.type, off));
        if (node(ft).kind != tk::func) return err(off, fmt::format("type index {} is not a function type", c.type));
        WITC_TRY(opts_info o, canon_opts(c.opts, off));
        const tnode f = node(ft);
        if (o.async && !f.async) return err(off, "the `async` canonical option requires an async function type");
        std::vector<std::uint8_t> params, results;
        bool mem = false, realloc = false;
        for (const auto& p : f.fields) {
          auto x = flat(p.second);
          params.insert(params.end(), x.begin(), x.end());
          if (needs_memory(p.second)) mem = realloc = true;
        }
        // An async lift hands its result to `task.return`, not back through memory.
        if (f.a) {
          results = flat(*f.a);
          if (needs_memory(*f.a) && !o.async) mem = true;
        }
        if (params.size() > max_flat_params) { params = {0x7f}; mem = realloc = true; }
        if (o.async) {
          results = o.callback ? std::vector<std::uint8_t>{0x7f} : std::vector<std::uint8_t>{};
        } else if (results.size() > max_flat_results) {
          results = {0x7f};
          mem = true;
        }
        if (mem && !o.memory) return err(off, "canonical option `memory` is required");
        if (realloc && !o.realloc) return err(off, "canonical option `realloc` is required");
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
        const tnode f = node(ft);
        if (o.async && !f.async) return err(off, "the `async` canonical option requires an async function type");
        std::vector<std::uint8_t> params, results;
        bool mem = false, realloc = false;
        for (const auto& p : f.fields) {
          auto x = flat(p.second);
          params.insert(params.end(), x.begin(), x.end());
          if (needs_memory(p.second)) mem = true;
        }
        if (f.a) {
          results = flat(*f.a);
          if (needs_memory(*f.a)) mem = realloc = true;
        }
        if (o.async) {
          if (params.size() > max_flat_async_params) { params = {0x7f}; mem = true; }
          if (f.a) { params.push_back(0x7f); mem = true; }
          results = {0x7f};
          realloc = false;
        } else {
          if (params.size() > max_flat_params) { params = {0x7f}; mem = true; }
          if (results.size() > max_flat_results) {
            params.push_back(0x7f);
            results.clear();
            mem = true;
          }
        }
        if (mem && !o.memory) return err(off, "canonical option `memory` is required");
        if (realloc && !o.realloc) return err(off, "canonical option `realloc` is required");
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

  // ---- components ----
  result<tid> component_(const component& c) {
    push_scope(scope::kind::component);
    auto r = sections(c);
    scope s = std::move(scopes_.back());
    scopes_.pop_back();
    WITC_CHECK(r);
    tnode n;
    n.kind = tk::component;
    n.imports = std::move(s.imports);
    n.exports = std::move(s.exports);
    n.imported_res = std::move(s.imported_res);
    // Resources reachable from the exports that were not imported are defined by
    // the component: each instantiation makes new ones.
    std::unordered_set<rid> used;
    collect_entity_resources(n, used, 0);
    std::unordered_set<rid> imported(n.imported_res.begin(), n.imported_res.end());
    for (rid x : used)
      if (!imported.count(x) && res_[x].scope == s.id) n.defined_res.push_back(x);
    for (rid x : s.defined_res)
      if (std::find(n.defined_res.begin(), n.defined_res.end(), x) == n.defined_res.end()) n.defined_res.push_back(x);
    std::sort(n.defined_res.begin(), n.defined_res.end());
    return add(std::move(n));
  }

  result<void> sections(const component& c) {
    for (const auto& sec : c.sections) {
      const auto& b = sec.body;
      switch (sec.id) {
        case 0: break;
        case 1: {
          WITC_TRY(tid t, embedded_module(std::get<core_module>(b)));
          cur().core_modules.push_back(t);
          break;
        }
        case 2:
          for (const auto& x : std::get<std::vector<core_instance>>(b)) WITC_CHECK(core_instance_(x));
          break;
        case 3:
          for (const auto& x : std::get<std::vector<core_type>>(b)) WITC_CHECK(core_type_(x, false));
          break;
        case 4: {
          if (scopes_.size() > 100) return err(sec.offset, "components nested too deeply");
          WITC_TRY(tid t, component_(*std::get<detail::box<component>>(b)));
          cur().components.push_back(t);
          break;
        }
        case 5:
          for (const auto& x : std::get<std::vector<instance>>(b)) WITC_CHECK(instance_(x));
          break;
        case 6:
          for (const auto& x : std::get<std::vector<alias>>(b)) WITC_CHECK(alias_(x, false));
          break;
        case 7:
          for (const auto& x : std::get<std::vector<type>>(b)) WITC_CHECK(type_(x));
          break;
        case 8:
          for (const auto& x : std::get<std::vector<canon>>(b)) WITC_CHECK(canon_(x));
          break;
        case 9: {
          const auto& st = std::get<start>(b);
          WITC_TRY(tid f, at(cur().funcs, st.func, st.offset, "func"));
          const tnode fn = node(f);
          if (st.args.size() != fn.fields.size())
            return err(st.offset, fmt::format("component start function requires {} arguments but was given {}",
                                              fn.fields.size(), st.args.size()));
          for (auto a : st.args) { WITC_TRY(vt v, at(cur().values, a, st.offset, "value")); (void)v; }
          if (st.results != (fn.a ? 1u : 0u))
            return err(st.offset, "component start function has a result count mismatch");
          if (fn.a) cur().values.push_back(*fn.a);
          break;
        }
        case 10:
          for (const auto& x : std::get<std::vector<import>>(b)) WITC_CHECK(import_(x.name, x.type, x.offset));
          break;
        case 11:
          for (const auto& x : std::get<std::vector<::witc::binary::component::export_>>(b)) WITC_CHECK(export_(x));
          break;
        case 12:
          for (const auto& x : std::get<std::vector<value>>(b)) {
            WITC_TRY(vt v, val(x.type, x.offset));
            cur().values.push_back(v);
          }
          break;
        default: break;
      }
    }
    return ok;
  }
};

}  // namespace

result<typed_component> type_component(const component& c) {
  validator v;
  return v.typed(c);
}

}  // namespace component::detail

result<void> validate_component(const component::component& c) {
  component::detail::validator v;
  return v.run(c);
}

result<void> validate_wasm(std::span<const std::uint8_t> bytes, std::uint32_t base) {
  if (is_component(bytes)) {
    WITC_TRY(auto c, read_component(bytes, base));
    return validate_component(c);
  }
  WITC_TRY(auto m, load_module(bytes, base));
  (void)m;
  return ok;
}

}  // namespace witc::binary
