// Subtyping of component entities (with resources matched through a mapping) and
// the substitution of resources and imported types that instantiation performs.
#include <fmt/format.h>

#include <algorithm>

#include "component_validator.hpp"

namespace witc::binary::component::detail {

bool validator::res_match(rid actual, rid expected, mapping& mp) {
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
std::string validator::vt_mismatch(const vt& a, const vt& b, mapping& mp, int depth) {
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

std::string validator::func_mismatch(tid a, tid b, mapping& mp) {
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

bool validator::limits_ok(const core_limits& a, const core_limits& b) {
  if ((a.flags & 6) != (b.flags & 6)) return false;
  if (a.min < b.min) return false;
  if (b.flags & 1) {
    if (!(a.flags & 1) || a.max > b.max) return false;
  }
  return true;
}

std::string validator::core_mismatch(const core_entity& a, const core_entity& b) {
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

std::string validator::entity_mismatch(const entity& a, const entity& b, mapping& mp, int depth) {
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
        const core_entity* it = find_named(y.core_imports, name);
        if (!it) return fmt::format("module import `{}::{}` not defined", name.first, name.second);
        if (auto m = core_mismatch(*it, e); !m.empty()) return m;
      }
      for (const auto& [name, e] : y.core_exports) {
        const core_entity* it = find_named(x.core_exports, name);
        if (!it) return fmt::format("module export `{}` not defined", name);
        if (auto m = core_mismatch(*it, e); !m.empty()) return m;
      }
      return {};
    }
  }
  return {};
}

std::string validator::instance_or_component_mismatch(const tnode& x, const tnode& y, mapping& mp, int depth) {
  if (x.kind != y.kind) return "type mismatch";
  mp.bindable.insert(x.imported_res.begin(), x.imported_res.end());
  mp.bindable.insert(y.defined_res.begin(), y.defined_res.end());
  // Imports are contravariant: what `x` needs, `y` must provide.
  for (const auto& [name, e] : x.imports) {
    const entity* it = find_named(y.imports, name);
    if (!it) return fmt::format("missing expected import `{}`", name);
    if (auto m = entity_mismatch(*it, e, mp, depth + 1); !m.empty())
      return fmt::format("type mismatch in import `{}`: {}", name, m);
  }
  for (const auto& [name, e] : y.exports) {
    const entity* it = find_named(x.exports, name);
    if (!it) return fmt::format("missing expected export `{}`", name);
    if (auto m = entity_mismatch(*it, e, mp, depth + 1); !m.empty())
      return fmt::format("type mismatch in export `{}`: {}", name, m);
  }
  return {};
}

// ---- substitution ----
vt validator::subst_vt(const vt& v, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo) {
  if (v.prim) return v;
  return vt{false, 0, subst(v.t, m, memo)};
}

entity validator::subst_entity(const entity& e, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo) {
  entity r = e;
  if (e.kind == ek::value) r.v = subst_vt(e.v, m, memo);
  else if (e.kind != ek::module) r.t = subst(e.t, m, memo);
  return r;
}

tid validator::subst(tid t, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo) {
  if (m.empty() && memo.empty()) return t;
  if (auto it = memo.find(t); it != memo.end()) return it->second;
  // The arena is a deque: `o` stays valid while the recursion below adds nodes.
  const tnode& o = node(t);
  switch (o.kind) {
    case tk::resource: {
      auto it = m.find(o.res);
      tid r = t;
      if (it != m.end()) {
        if (o.alias_of) {
          // Another index (name) for the resource stays a distinct node.
          tnode n = o;
          n.res = it->second;
          n.alias_of = subst(*o.alias_of, m, memo);
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
  // Copied on the first reference that changes: a type that mentions nothing
  // substituted stays the same type (and keeps its name), with no copy made.
  std::optional<tnode> n;
  auto edit = [&]() -> tnode& {
    if (!n) n.emplace(o);
    return *n;
  };
  auto vt_slot = [&](auto get) {
    const vt& v = get(o);
    vt x = subst_vt(v, m, memo);
    if (!(x == v)) get(edit()) = x;
  };
  if (o.alias_of)
    if (tid x = subst(*o.alias_of, m, memo); x != *o.alias_of) edit().alias_of = x;
  if (o.code == 0x69 || o.code == 0x68) {
    if (auto it = m.find(o.res); it != m.end() && it->second != o.res) edit().res = it->second;
    if (tid x = subst(o.ref, m, memo); x != o.ref) edit().ref = x;
  }
  for (std::size_t i = 0; i < o.fields.size(); ++i) vt_slot([i](auto& k) -> auto& { return k.fields[i].second; });
  for (std::size_t i = 0; i < o.cases.size(); ++i)
    if (o.cases[i].second) vt_slot([i](auto& k) -> auto& { return *k.cases[i].second; });
  for (std::size_t i = 0; i < o.types.size(); ++i) vt_slot([i](auto& k) -> auto& { return k.types[i]; });
  if (o.a) vt_slot([](auto& k) -> auto& { return *k.a; });
  if (o.b) vt_slot([](auto& k) -> auto& { return *k.b; });
  for (std::size_t i = 0; i < o.imports.size(); ++i) {
    entity x = subst_entity(o.imports[i].second, m, memo);
    if (!same_entity(x, o.imports[i].second)) edit().imports[i].second = x;
  }
  for (std::size_t i = 0; i < o.exports.size(); ++i) {
    entity x = subst_entity(o.exports[i].second, m, memo);
    if (!same_entity(x, o.exports[i].second)) edit().exports[i].second = x;
  }
  for (std::size_t i = 0; i < o.imported_res.size(); ++i)
    if (auto it = m.find(o.imported_res[i]); it != m.end() && it->second != o.imported_res[i])
      edit().imported_res[i] = it->second;
  for (std::size_t i = 0; i < o.defined_res.size(); ++i)
    if (auto it = m.find(o.defined_res[i]); it != m.end() && it->second != o.defined_res[i])
      edit().defined_res[i] = it->second;
  tid r = n ? add(std::move(*n)) : t;
  memo[t] = r;
  return r;
}

// Gives an instance or component type's defined resources fresh identities.
std::pair<tid, std::vector<rid>> validator::freshen(tid t) {
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

}  // namespace witc::binary::component::detail
