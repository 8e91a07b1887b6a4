// Core and component instances (instantiation arguments against the imports) and
// aliases (instance exports and outer items).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "component_validator.hpp"

namespace witc::binary::component::detail {

// ---- aliases ----
result<void> validator::alias_(const alias& a, bool in_type) {
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
      const entity* f = find_named(in.exports, a.name);
      if (!f)
        return err(a.offset, fmt::format("instance {} has no export named `{}`", a.instance, a.name));
      entity e = *f;
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
      const core_entity* f = find_named(in.core_exports, a.name);
      if (!f)
        return err(a.offset, fmt::format("core instance {} has no export named `{}`", a.instance, a.name));
      if (a.sort.kind != sort_kind::core || f->kind != a.sort.core)
        return err(a.offset, fmt::format("export `{}` for core instance {} is not a {}", a.name, a.instance,
                                         a.sort.kind == sort_kind::core ? core_sort_name(a.sort.core) : "core item"));
      const core_entity& ce = *f;
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

bool validator::refers_to_resources(tid t, int depth) {
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

void validator::collect_entity_resources(const tnode& n, std::unordered_set<rid>& out, int depth) {
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

// ---- instances ----
result<void> validator::core_instance_(const core_instance& ci) {
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
      const core_entity* f = find_named(inst.core_exports, name.second);
      if (!f)
        return err(ci.offset, fmt::format("module instantiation argument `{}` does not export an item named `{}`",
                                          name.first, name.second));
      if (auto msg = core_mismatch(*f, want); !msg.empty())
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

result<void> validator::instance_(const instance& in) {
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
    const tnode& c = node(ct);
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

}  // namespace witc::binary::component::detail
