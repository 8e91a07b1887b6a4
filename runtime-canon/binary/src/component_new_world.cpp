// `component new`: an adapter's world cut down to what its live code uses.
#include <map>
#include <set>

#include "component_new_detail.hpp"

namespace witc::binary::component_new_detail {
namespace {
using component::componenttype;
using component::decl;
using component::defvaltype;
using component::functype;
using component::sort_kind;
using cval = component::valtype;
using u32 = std::uint32_t;
}  // namespace

// An instance type cut down to the functions in `funcs` and the types in `types`
// and what those refer to (wit-component imports only what an adapter uses).
componenttype trim_instance(const componenttype& it, const std::set<std::string>& funcs,
                            const std::set<std::string>& types) {
  std::size_t n = it.decls.size();
  std::vector<std::size_t> producer;  // local type index -> decl
  std::vector<std::vector<u32>> deps(n);
  auto val = [](std::vector<u32>& out, const std::optional<cval>& v) {
    if (v && !v->is_prim) out.push_back(v->idx);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const decl& d = it.decls[i];
    if (d.tag == 1) {
      if (const auto* dv = std::get_if<defvaltype>(&d.type->def)) {
        for (const auto& f : dv->fields) val(deps[i], f.type);
        for (const auto& c : dv->cases) val(deps[i], c.type);
        for (const auto& t : dv->types) val(deps[i], t);
        val(deps[i], dv->a);
        val(deps[i], dv->b);
        if (dv->code == 0x69 || dv->code == 0x68) deps[i].push_back(dv->idx);
      } else if (const auto* ft = std::get_if<functype>(&d.type->def)) {
        for (const auto& p : ft->params) val(deps[i], p.type);
        val(deps[i], ft->result);
      }
      producer.push_back(i);
    } else if (d.tag == 2) {
      producer.push_back(i);
    } else if (d.tag == 4) {
      if (d.ext.kind == 1 || (d.ext.kind == 3 && d.ext.bound_eq)) deps[i].push_back(d.ext.idx);
      if (d.ext.kind == 3) producer.push_back(i);
    }
  }
  std::vector<bool> need(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const decl& d = it.decls[i];
    if (d.tag == 4 && ((d.ext.kind == 1 && funcs.contains(d.name.name)) || (d.ext.kind == 3 && types.contains(d.name.name))))
      need[i] = true;
  }
  for (std::size_t i = n; i-- > 0;)
    if (need[i])
      for (u32 t : deps[i])
        if (t < producer.size()) need[producer[t]] = true;
  componenttype out;
  std::vector<u32> remap_idx;
  u32 next = 0;
  auto fix = [&](u32& idx) { idx = idx < remap_idx.size() ? remap_idx[idx] : idx; };
  auto fixv = [&](std::optional<cval>& v) {
    if (v && !v->is_prim) fix(v->idx);
  };
  for (std::size_t i = 0; i < n; ++i) {
    decl d = it.decls[i];
    bool makes_type = d.tag == 1 || d.tag == 2 || (d.tag == 4 && d.ext.kind == 3);
    if (!need[i]) {
      if (makes_type) remap_idx.push_back(~u32{0});
      continue;
    }
    if (d.tag == 1) {
      if (auto* dv = std::get_if<defvaltype>(&d.type->def)) {
        for (auto& f : dv->fields) if (!f.type.is_prim) fix(f.type.idx);
        for (auto& c : dv->cases) fixv(c.type);
        for (auto& t : dv->types) if (!t.is_prim) fix(t.idx);
        fixv(dv->a);
        fixv(dv->b);
        if (dv->code == 0x69 || dv->code == 0x68) fix(dv->idx);
      } else if (auto* ft = std::get_if<functype>(&d.type->def)) {
        for (auto& p : ft->params) if (!p.type.is_prim) fix(p.type.idx);
        fixv(ft->result);
      }
    } else if (d.tag == 4 && (d.ext.kind == 1 || (d.ext.kind == 3 && d.ext.bound_eq))) {
      fix(d.ext.idx);
    }
    if (makes_type) remap_idx.push_back(next++);
    out.decls.push_back(std::move(d));
  }
  return out;
}

// The world-type decls the named instance imports need (their instance types cut
// down to `uses`: interface -> functions and types used), with the types they
// alias from other instances, transitively; instance types in `ct` are trimmed in place.
std::vector<bool> needed_decls(componenttype& ct, std::size_t split,
                               const std::map<std::string, std::set<std::string>>& uses) {
  std::vector<std::size_t> type_of, inst_of;  // world-type index -> producing decl
  for (std::size_t i = 0; i < split; ++i) {
    const decl& d = ct.decls[i];
    if (d.tag == 1 || (d.tag == 2 && d.alias.sort.kind == sort_kind::type) || (d.tag == 3 && d.ext.kind == 3))
      type_of.push_back(i);
    if ((d.tag == 2 && d.alias.sort.kind == sort_kind::instance) || (d.tag == 3 && d.ext.kind == 5))
      inst_of.push_back(i);
  }
  std::vector<bool> need(split, false);
  std::map<std::size_t, std::set<std::string>> names_of;  // instance decl -> type names aliased from it
  std::map<std::size_t, std::size_t> type_owner;          // instance type decl -> import decl
  for (std::size_t i = 0; i < split; ++i)
    if (ct.decls[i].tag == 3 && ct.decls[i].ext.kind != 5) need[i] = true;
  for (std::size_t i = split; i-- > 0;) {
    decl& d = ct.decls[i];
    if (d.tag == 3 && d.ext.kind == 5) {
      if (uses.contains(d.name.name)) need[i] = true;
      if (!need[i]) continue;
      if (d.ext.idx < type_of.size()) {
        need[type_of[d.ext.idx]] = true;
        type_owner[type_of[d.ext.idx]] = i;
      }
    } else if (d.tag == 2 && need[i]) {
      if (d.alias.instance < inst_of.size()) {
        need[inst_of[d.alias.instance]] = true;
        names_of[inst_of[d.alias.instance]].insert(d.alias.name);
      }
    } else if (d.tag == 1 && need[i]) {
      auto* it = std::get_if<componenttype>(&d.type->def);
      if (it && type_owner.contains(i)) {
        const decl& imp = ct.decls[type_owner[i]];
        std::set<std::string> funcs, types = names_of[type_owner[i]];
        if (auto u = uses.find(imp.name.name); u != uses.end())
          for (const auto& x : u->second) {
            if (x.starts_with("[resource-drop]")) types.insert(x.substr(15));
            else funcs.insert(x);
          }
        *it = trim_instance(*it, funcs, types);
      }
      if (it) {
        for (const auto& x : it->decls)
          if (x.tag == 2 && x.alias.target == 2 && x.alias.count == 1 && x.alias.idx < type_of.size())
            need[type_of[x.alias.idx]] = true;
      } else if (const auto* dv = std::get_if<defvaltype>(&d.type->def)) {
        auto mark = [&](const std::optional<cval>& v) {
          if (v && !v->is_prim && v->idx < type_of.size()) need[type_of[v->idx]] = true;
        };
        for (const auto& f : dv->fields) mark(f.type);
        for (const auto& c : dv->cases) mark(c.type);
        for (const auto& t : dv->types) mark(t);
        mark(dv->a);
        mark(dv->b);
        if ((dv->code == 0x69 || dv->code == 0x68) && dv->idx < type_of.size()) need[type_of[dv->idx]] = true;
      } else if (const auto* ft = std::get_if<functype>(&d.type->def)) {
        auto mark = [&](const std::optional<cval>& v) {
          if (v && !v->is_prim && v->idx < type_of.size()) need[type_of[v->idx]] = true;
        };
        for (const auto& p : ft->params) mark(p.type);
        mark(ft->result);
      }
    }
  }
  return need;
}

}  // namespace witc::binary::component_new_detail
