// Value types (their canonical ABI size, alignment and depth), function types, core
// types and module types, embedded core modules, and type definitions.
#include <fmt/format.h>

#include <algorithm>

#include "component_validator.hpp"

namespace witc::binary::component::detail {

// ---- value types ----
result<vt> validator::val(const valtype& v, std::uint32_t off) {
  if (v.is_prim) return vt{true, v.prim, 0};
  WITC_TRY(tid t, type_at(v.idx, off));
  if (node(t).kind != tk::defval) return err(off, fmt::format("type index {} is not a defined type", v.idx));
  return vt{false, 0, t};
}

result<std::optional<vt>> validator::opt_val(const std::optional<valtype>& v, std::uint32_t off) {
  if (!v) return std::optional<vt>{};
  WITC_TRY(vt r, val(*v, off));
  return std::optional<vt>(r);
}

bool validator::has_borrow(const vt& v) const {
  return contains(v, [](const tnode& n) { return n.code == 0x68; });
}

// Strings and lists live in linear memory; a stream or future is just a handle.
bool validator::needs_memory(const vt& v, int depth) const {
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

void validator::collect_resources(const vt& v, std::unordered_set<rid>& out, int depth) const {
  if (v.prim || depth > 200) return;
  const tnode& n = node(v.t);
  if (n.code == 0x69 || n.code == 0x68) out.insert(n.res);
  children(n, [&](const vt& c) { collect_resources(c, out, depth + 1); });
}

bool validator::is_name_char_label(const std::string& s, std::string& e) {
  e = check_label(s);
  return e.empty();
}

result<void> validator::unique_labels(const std::vector<std::string>& names, std::uint32_t off, std::string_view what) {
  auto lower = [](std::string k) {
    for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return k;
  };
  auto iequal = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  // Most lists are short: comparing pairs allocates nothing.
  constexpr std::size_t small = 16;
  std::unordered_map<std::string, std::string> seen;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& n = names[i];
    std::string e;
    if (!is_name_char_label(n, e)) return err(off, fmt::format("{} name {}", what, e));
    const std::string* prev = nullptr;
    if (names.size() <= small) {
      for (std::size_t j = 0; j < i && !prev; ++j)
        if (iequal(names[j], n)) prev = &names[j];
    } else if (auto [it, fresh] = seen.emplace(lower(n), n); !fresh) {
      prev = &it->second;
    }
    if (prev)
      return err(off, fmt::format("{} name `{}` conflicts with previous {} name `{}`", what, n, what, *prev));
  }
  return ok;
}

// Record fields or function parameters: `n.fields`, with distinct labels.
template <class Fields>
result<void> validator::named_fields(const Fields& fs, tnode& n, std::uint32_t off, std::string_view what) {
  std::vector<std::string> names;
  for (const auto& f : fs) {
    WITC_TRY(vt v, val(f.type, off));
    n.fields.emplace_back(f.name, v);
    names.push_back(f.name);
  }
  return unique_labels(names, off, what);
}

result<tid> validator::defval(const defvaltype& d, std::uint32_t off) {
  tnode n;
  n.kind = tk::defval;
  n.code = d.code;
  switch (d.code) {
    case 0x72: {
      if (d.fields.empty()) return err(off, "record type must have at least one field");
      WITC_CHECK(named_fields(d.fields, n, off, "record field"));
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

bool validator::is_char(const vt& v) const {
  return v.prim ? v.p == prim::char_ : node(v.t).code == prim::char_;
}

std::pair<std::uint64_t, std::uint32_t> validator::size_align(const vt& v) const {
  if (!v.prim) return {node(v.t).size, node(v.t).align};
  switch (v.p) {
    case prim::bool_: case prim::s8: case prim::u8: return {1, 1};
    case prim::s16: case prim::u16: return {2, 2};
    case prim::s64: case prim::u64: case prim::f64: return {8, 8};
    case prim::string: return {16, 8};
    default: return {4, 4};
  }
}

// The canonical ABI size and alignment (with 64-bit pointers) and nesting depth.
void validator::layout(tnode& n) const {
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

result<tid> validator::functype_(const functype& f, std::uint32_t off) {
  tnode n;
  n.kind = tk::func;
  n.async = f.async;
  WITC_CHECK(named_fields(f.params, n, off, "function parameter"));
  if (f.result) {
    WITC_TRY(vt v, val(*f.result, off));
    if (has_borrow(v)) return err(off, "function result cannot contain a `borrow` type");
    n.a = v;
  }
  return add(std::move(n));
}

result<void> validator::core_type_(const core_type& t, bool in_module_type) {
  if (const auto* mt = std::get_if<core_moduletype>(&t.def)) {
    if (in_module_type) return err(t.offset, "module types cannot be nested in module types");
    push_scope(scope::kind::mtype);
    auto r = module_decls(*mt);
    scope s = pop_scope();
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
      for (const auto& p : st.type.params) n.params.push_back(canonical(p));
      for (const auto& p : st.type.results) n.results.push_back(canonical(p));
    } else {
      n.kind = tk::core_other;
    }
    cur().core_types.push_back(add(std::move(n)));
  }
  return ok;
}

result<core_entity> validator::core_extern(const core_externtype& e, std::uint32_t off) {
  core_entity c;
  c.kind = e.kind;
  c.val = canonical(e.val);
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

result<void> validator::module_decls(const core_moduletype& mt) {
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
result<tid> validator::embedded_module(const core_module& m) {
  WITC_TRY(auto mod, load_module(m.bytes, m.offset, {.features = core_features::all()}));
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
    if (l.is64) c.flags |= 4;
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
      // A tag's type is a function type (its payload as parameters).
      case extern_kind::tag: e.t = func_node(im.tag_type); break;
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
      case extern_kind::tag: {
        const auto& by_tag = mod->imports_by_kind[static_cast<std::size_t>(extern_kind::tag)];
        e.t = func_node(ex.index < by_tag.size() ? mod->imports[by_tag[ex.index]].tag_type
                                                 : mod->tags[ex.index - by_tag.size()]);
        break;
      }
    }
    n.core_exports.emplace_back(ex.name, e);
  }
  return add(std::move(n));
}

// ---- types ----
result<void> validator::type_(const type& t) {
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
  scope s = pop_scope();
  WITC_CHECK(r);
  cur().types.push_back(add(scope_node(s, t.instance ? tk::instance : tk::component)));
  return ok;
}

result<void> validator::decls(const componenttype& ct, bool instance) {
  for (const auto& d : ct.decls) {
    switch (d.tag) {
      case 0: WITC_CHECK(core_type_(*d.core, false)); break;
      case 1: WITC_CHECK(type_(*d.type)); break;
      case 2: WITC_CHECK(alias_(d.alias, true)); break;
      case 3:
        if (instance) return err(d.offset, "instance types cannot have imports");
        WITC_CHECK(extern_decl(d.name, d.ext, d.offset, true));
        break;
      default: WITC_CHECK(extern_decl(d.name, d.ext, d.offset, false)); break;
    }
  }
  return ok;
}

}  // namespace witc::binary::component::detail
