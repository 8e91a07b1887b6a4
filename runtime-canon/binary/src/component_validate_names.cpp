// Imports and exports: extern names and their annotations, the strong-uniqueness
// rule, the rule that every type an import or export uses has a name, and index spaces.
#include <fmt/format.h>

#include <algorithm>

#include "component_validator.hpp"

namespace witc::binary::component::detail {

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

// ---- the "named types" rule for imports and exports ----
bool validator::named_vt(const vt& v, const name_set& s, const std::unordered_set<tid>& extra, int depth) {
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

bool validator::named_entity(const entity& e, const name_set& s, const std::unordered_set<tid>& extra, int depth) {
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
      // An instance's own type exports name the types inside it.
      const tnode& n = node(e.t);
      std::unordered_set<tid> inner = extra;
      for (const auto& [name, x] : n.exports)
        if (x.kind == ek::type) {
          inner.insert(x.t);
          if (node(x.t).kind == tk::resource) inner.insert(res_tid_[node(x.t).res]);
        }
      for (const auto& [name, x] : n.exports)
        if (!named_entity(x, s, inner, depth + 1)) return false;
      return true;
    }
    default: return true;
  }
}

// ---- names ----
result<void> validator::check_attrs(const extern_name& n, const entity& e, const parsed_name& pn, std::uint32_t off) {
  const parsed_name* p = &pn;
  bool seen[3] = {false, false, false};
  for (const auto& a : n.attrs) {
    if (seen[a.kind])
      return err(off, fmt::format("duplicate '{}' option in name",
                                  a.kind == 0 ? "implements" : a.kind == 1 ? "versionsuffix" : "external-id"));
    seen[a.kind] = true;
    if (a.kind == 0) {
      if (!opts_.implements) return err(off, "the `cm-implements` feature is not active");
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

result<parsed_name> validator::check_name(const extern_name& n, const entity& e, bool import, std::uint32_t off) {
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

result<void> validator::unique(std::unordered_map<std::string, std::string>& keys, const parsed_name& p,
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
result<entity> validator::extern_(const externtype& e, std::uint32_t off, const std::string& name, bool import) {
  entity r;
  r.kind = static_cast<ek>(e.kind);
  switch (e.kind) {
    case 0x00: {
      WITC_TRY(tid t, core_type_at(e.idx, off));
      if (node(t).kind != tk::core_module) return err(off, fmt::format("core type index {} is not a module type", e.idx));
      r.t = t;
      return r;
    }
    case 0x01: return typed_extern(r, e.idx, off, tk::func, "a function");
    case 0x02: {
      WITC_TRY(r.v, e.bound_eq ? at(cur().values, e.idx, off, "value") : val(e.value, off));
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
    case 0x04: return typed_extern(r, e.idx, off, tk::component, "a component");
    default: return typed_extern(r, e.idx, off, tk::instance, "an instance");
  }
}

// `r` with the type at index `idx`, which must be of kind `k`.
result<entity> validator::typed_extern(entity r, std::uint32_t idx, std::uint32_t off, tk k, std::string_view what) {
  WITC_TRY(tid t, type_at(idx, off));
  if (node(t).kind != k) return err(off, fmt::format("type index {} is not {} type", idx, what));
  r.t = t;
  return r;
}

// An exported resource is a new type index for the same resource: only handles
// written with the new index count as using the exported name.
tid validator::rename_resource(tid t) {
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
void validator::add_name(tid t, std::uint8_t vis) {
  if (vis == 0) return;
  scope& s = cur();
  s.exp_names.types.insert(t);
  if (vis == 2) s.imp_names.types.insert(t);
  if (node(t).kind == tk::resource) {
    s.exp_names.res.insert(node(t).res);
    if (vis == 2) s.imp_names.res.insert(node(t).res);
  }
}

// Adds an entity to the index space of its sort in the current scope.
void validator::push_entity(const entity& e, std::uint8_t vis) {
  scope& s = cur();
  if (e.kind == ek::instance) s.inst_vis.push_back(vis);
  if (e.kind == ek::func && vis == 2) s.imported_funcs.insert(static_cast<std::uint32_t>(s.funcs.size()));
  switch (e.kind) {
    case ek::module: s.core_modules.push_back(e.t); break;
    case ek::func: s.funcs.push_back(e.t); break;
    case ek::value: s.values.push_back(e.v); break;
    case ek::type: s.types.push_back(e.t); break;
    case ek::component: s.components.push_back(e.t); break;
    case ek::instance: s.instances.push_back(e.t); break;
  }
}

// An import (of a component or component type) or an `exportdecl` (of a component
// or instance type): a new entity for the scope, under a name.
result<void> validator::extern_decl(const extern_name& n, const externtype& et, std::uint32_t off, bool import) {
  WITC_TRY(entity e, extern_(et, off, n.name, import));
  // Wasmtime instantiates a root component with host items only: no component is one.
  if (opts_.wasmtime_restrictions && import && at_root() && e.kind == ek::component)
    return err(off, "root-level component imports are not supported");
  if (e.kind == ek::instance) {
    auto [t, fresh] = freshen(e.t);
    e.t = t;
    auto& own = import ? cur().imported_res : cur().defined_res;
    own.insert(own.end(), fresh.begin(), fresh.end());
  }
  return declare(n, e, import, off);
}

// Names entity `e` as an import or export of the current scope and adds it to its
// index space, after the name, uniqueness and named-types rules.
result<void> validator::declare(const extern_name& n, entity e, bool import, std::uint32_t off) {
  WITC_TRY(parsed_name p, check_name(n, e, import, off));
  WITC_CHECK(unique(import ? cur().import_keys : cur().export_keys, p, n.name, import, off));
  if (e.kind == ek::type) e.t = rename_resource(e.t);
  // Instance types check visibility only once attached to an import or export.
  bool visible = !import && cur().k == scope::kind::itype;
  if (!visible && !named_entity(e, import ? cur().imp_names : cur().exp_names))
    return err(off, fmt::format("{} not valid to be used as {}", sort_name(e.kind), import ? "import" : "export"),
               fmt::format("`{}` uses a type that is neither imported nor exported by name", n.name));
  register_named(e, p, import);
  (import ? cur().imports : cur().exports).emplace_back(n.name, e);
  push_entity(e, import ? 2 : 1);
  return ok;
}

// Exporting or importing an instance names the types it exports.
void validator::name_instance_types(tid inst, std::uint8_t vis, int depth) {
  if (depth > 50) return;
  for (const auto& [nm, x] : node(inst).exports) {
    if (x.kind == ek::type) add_name(x.t, vis);
    else if (x.kind == ek::instance) name_instance_types(x.t, vis, depth + 1);
  }
}

void validator::register_named(const entity& e, const parsed_name& p, bool import) {
  if (e.kind == ek::instance) name_instance_types(e.t, import ? 2 : 1);
  if (e.kind != ek::type) return;
  add_name(e.t, import ? 2 : 1);
  const tnode& n = node(e.t);
  if (n.kind == tk::resource) {
    if (p.kind == name_kind::label) (import ? cur().res_names_imp : cur().res_names_exp)[p.label] = n.res;
    if (res_[n.res].name.empty()) res_[n.res].name = p.label;
  }
}

result<entity> validator::item(const sort_idx& si, std::uint32_t off) {
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

result<void> validator::export_(const ::witc::binary::component::export_& x) {
  WITC_TRY(entity e, item(x.item, x.offset));
  if (opts_.wasmtime_restrictions && at_root()) {
    // Wasmtime's root exports are items it can call or instantiate itself.
    if (e.kind == ek::component) return err(x.offset, "exporting a component from the root component is not supported");
    if (e.kind == ek::func && cur().imported_funcs.count(x.item.idx))
      return err(x.offset, fmt::format("component export `{}` is a reexport of an imported function which is not implemented",
                                       x.name.name));
  }
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
  return declare(x.name, e, false, x.offset);
}

}  // namespace witc::binary::component::detail
