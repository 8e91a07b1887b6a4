// From the binary AST to the composer's types: walks a component's index spaces just far
// enough to know the type of every component-level item (core items are not followed:
// no component-level type depends on them except through `canon lift`'s explicit type).
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "model.hpp"

namespace witc::compose::detail {
namespace {

namespace bc = binary::component;

struct scope {
  scope* parent = nullptr;
  std::vector<tid> types, funcs, instances, components;
  std::vector<item> imports, exports;
  std::vector<rid> declared;  // abstract resources introduced by imports (or type-level exports)
};

class extractor {
 public:
  extractor(arena& a, int input, const std::string& file) : a_(a), input_(input), file_(file) {}

  result<tid> component(const bc::component& c, scope* parent, int depth) {
    if (depth > 64) return err(c.offset, "components nest too deeply");
    scope s;
    s.parent = parent;
    for (const auto& sec : c.sections) WITC_CHECK(section(sec, s, depth));
    tnode n;
    n.kind = tk::component;
    for (auto& i : s.imports) n.imports.emplace_back(i.name, i.e);
    for (auto& e : s.exports) n.exports.emplace_back(e.name, e.e);
    n.declared = s.declared;
    if (depth == 0) {
      top_.imports = std::move(s.imports);
      top_.exports = std::move(s.exports);
    }
    return a_.add(std::move(n));
  }

  shape top_;

 private:
  arena& a_;
  int input_;
  const std::string& file_;

  failure err(std::uint32_t off, std::string msg) {
    return fail(diagnostic::error(span{off, off + 1}, fmt::format("in `{}`: {}", file_, msg)));
  }

  template <class V>
  result<typename V::value_type> at(const V& v, std::uint32_t i, std::uint32_t off, std::string_view what) {
    if (i >= v.size()) return err(off, fmt::format("{} index {} out of bounds (there are {})", what, i, v.size()));
    return v[i];
  }

  static scope* outer(scope* s, std::uint32_t count) {
    for (; s && count; --count) s = s->parent;
    return s;
  }

  result<vt> val(const bc::valtype& v, scope& s, std::uint32_t off) {
    if (v.is_prim) return vt{true, v.prim, 0};
    WITC_TRY(tid t, at(s.types, v.idx, off, "type"));
    const tnode& n = a_.node(t);
    if (n.kind != tk::defval) return err(off, fmt::format("type index {} is not a value type", v.idx));
    if (n.code >= 0x73 || n.code == 0x64) return vt{true, n.code, 0};
    return vt{false, 0, t};
  }
  result<std::optional<vt>> opt(const std::optional<bc::valtype>& v, scope& s, std::uint32_t off) {
    if (!v) return std::optional<vt>{};
    WITC_TRY(vt x, val(*v, s, off));
    return std::optional<vt>{x};
  }

  result<tid> defval(const bc::defvaltype& d, scope& s, std::uint32_t off) {
    tnode n;
    n.code = d.code;
    switch (d.code) {
      case 0x72:
        for (const auto& f : d.fields) {
          WITC_TRY(vt x, val(f.type, s, off));
          n.fields.emplace_back(f.name, x);
        }
        break;
      case 0x71:
        for (const auto& c : d.cases) {
          WITC_TRY(auto x, opt(c.type, s, off));
          n.cases.emplace_back(c.name, x);
        }
        break;
      case 0x6f:
        for (const auto& t : d.types) {
          WITC_TRY(vt x, val(t, s, off));
          n.types.push_back(x);
        }
        break;
      case 0x6e: case 0x6d: n.names = d.names; break;
      case 0x69: case 0x68: {
        WITC_TRY(tid r, at(s.types, d.idx, off, "type"));
        if (a_.node(r).kind != tk::resource) return err(off, fmt::format("type index {} is not a resource", d.idx));
        n.res = a_.node(r).res;
        break;
      }
      case 0x67: n.len = d.idx; [[fallthrough]];
      default: {
        WITC_TRY(n.a, opt(d.a, s, off));
        WITC_TRY(n.b, opt(d.b, s, off));
      }
    }
    return a_.add(std::move(n));
  }

  result<tid> type(const bc::type& t, scope& s, int depth) {
    if (const auto* d = std::get_if<bc::defvaltype>(&t.def)) return defval(*d, s, t.offset);
    if (const auto* f = std::get_if<bc::functype>(&t.def)) {
      tnode n;
      n.kind = tk::func;
      n.async = f->async;
      for (const auto& p : f->params) {
        WITC_TRY(vt x, val(p.type, s, t.offset));
        n.fields.emplace_back(p.name, x);
      }
      WITC_TRY(n.a, opt(f->result, s, t.offset));
      return a_.add(std::move(n));
    }
    if (std::holds_alternative<bc::resourcetype>(t.def)) return a_.resource_node(a_.fresh("", input_));
    const auto& ct = std::get<bc::componenttype>(t.def);
    if (depth > 64) return err(t.offset, "types nest too deeply");
    scope inner;
    inner.parent = &s;
    for (const auto& d : ct.decls) WITC_CHECK(decl(d, inner, depth + 1));
    tnode n;
    n.kind = t.instance ? tk::instance : tk::component;
    for (auto& i : inner.imports) n.imports.emplace_back(i.name, i.e);
    for (auto& e : inner.exports) n.exports.emplace_back(e.name, e.e);
    n.declared = std::move(inner.declared);
    return a_.add(std::move(n));
  }

  void push(scope& s, const entity& e) {
    switch (e.kind) {
      case ek::func: s.funcs.push_back(e.t); break;
      case ek::type: s.types.push_back(e.t); break;
      case ek::instance: s.instances.push_back(e.t); break;
      case ek::component: s.components.push_back(e.t); break;
      default: break;
    }
  }

  // An import (or a type-level export) of an instance or component type gets fresh
  // identities for the abstract resources the type declares.
  tid freshen(tid t, const std::string& name, std::vector<rid>& declared) {
    const tnode& n = a_.node(t);
    if (n.declared.empty()) return t;
    std::vector<std::pair<rid, rid>> m;
    for (rid r : n.declared) {
      std::string rname = a_.resource(r).name;
      rid f = a_.fresh(rname.empty() ? name : rname, input_);
      m.emplace_back(r, f);
      declared.push_back(f);
    }
    tid nt = substitute(a_, t, m);
    if (nt != t) {
      auto& nn = a_.node(nt);
      nn.declared.clear();
      for (auto& p : m) nn.declared.push_back(p.second);
    }
    return nt;
  }

  result<entity> extern_(const bc::externtype& x, scope& s, const std::string& name, std::uint32_t off) {
    entity e;
    e.kind = static_cast<ek>(x.kind);
    switch (e.kind) {
      case ek::module: case ek::value: e.t = opaque(); return e;
      case ek::type:
        if (x.bound_eq) {
          WITC_TRY(e.t, at(s.types, x.idx, off, "type"));
        } else {
          rid r = a_.fresh(name, input_);
          s.declared.push_back(r);
          e.t = a_.resource_node(r);
        }
        return e;
      case ek::func: case ek::component: case ek::instance: {
        WITC_TRY(tid t, at(s.types, x.idx, off, "type"));
        tk want = e.kind == ek::func ? tk::func : e.kind == ek::instance ? tk::instance : tk::component;
        if (a_.node(t).kind != want) return err(off, fmt::format("type index {} has the wrong kind for `{}`", x.idx, name));
        e.t = e.kind == ek::instance ? freshen(t, name, s.declared) : t;
        return e;
      }
    }
    return err(off, "unknown sort");
  }

  tid opaque() {
    if (!opaque_) {
      tnode n;
      n.kind = tk::opaque;
      opaque_ = a_.add(std::move(n));
    }
    return *opaque_;
  }
  std::optional<tid> opaque_;

  void name_type(const entity& e, const std::string& name) {
    if (e.kind != ek::type) return;
    tnode& n = a_.node(e.t);
    if (n.kind == tk::resource) a_.name_resource(n.res, name);
    if (n.name.empty() && n.kind != tk::func) n.name = name;
  }

  result<void> alias(const bc::alias& al, scope& s) {
    if (al.sort.kind == bc::sort_kind::core) return ok;
    entity e;
    e.kind = static_cast<ek>(al.sort.kind);
    if (al.target == 0) {
      WITC_TRY(tid it, at(s.instances, al.instance, al.offset, "instance"));
      const tnode& n = a_.node(it);
      auto found = std::find_if(n.exports.begin(), n.exports.end(), [&](const auto& p) { return p.first == al.name; });
      if (found == n.exports.end()) return err(al.offset, fmt::format("instance {} has no export `{}`", al.instance, al.name));
      if (found->second.kind != e.kind) return err(al.offset, fmt::format("export `{}` has another sort", al.name));
      e = found->second;
    } else if (al.target == 2) {
      scope* o = outer(&s, al.count);
      if (!o) return err(al.offset, "outer alias reaches past the outermost component");
      switch (e.kind) {
        case ek::type: { WITC_TRY(e.t, at(o->types, al.idx, al.offset, "outer type")); break; }
        case ek::component: { WITC_TRY(e.t, at(o->components, al.idx, al.offset, "outer component")); break; }
        default: e.t = opaque();
      }
    } else {
      return ok;
    }
    push(s, e);
    return ok;
  }

  result<void> decl(const bc::decl& d, scope& s, int depth) {
    switch (d.tag) {
      case 0: return ok;
      case 1: {
        WITC_TRY(tid t, type(*d.type, s, depth));
        s.types.push_back(t);
        return ok;
      }
      case 2: return alias(d.alias, s);
      case 3: case 4: {
        WITC_TRY(entity e, extern_(d.ext, s, d.name.name, d.offset));
        name_type(e, d.name.name);
        push(s, e);
        (d.tag == 3 ? s.imports : s.exports).push_back({d.name.name, d.name, e, d.offset});
        return ok;
      }
    }
    return err(d.offset, "unknown declaration");
  }

  result<entity> ref(const bc::sort_idx& si, scope& s, std::uint32_t off) {
    entity e;
    e.kind = static_cast<ek>(si.sort.kind);
    switch (si.sort.kind) {
      case bc::sort_kind::func: { WITC_TRY(e.t, at(s.funcs, si.idx, off, "function")); break; }
      case bc::sort_kind::type: { WITC_TRY(e.t, at(s.types, si.idx, off, "type")); break; }
      case bc::sort_kind::instance: { WITC_TRY(e.t, at(s.instances, si.idx, off, "instance")); break; }
      case bc::sort_kind::component: { WITC_TRY(e.t, at(s.components, si.idx, off, "component")); break; }
      default: e.kind = si.sort.kind == bc::sort_kind::value ? ek::value : ek::module; e.t = opaque();
    }
    return e;
  }

  result<void> instance(const bc::instance& in, scope& s) {
    tnode n;
    n.kind = tk::instance;
    if (in.form == 1) {
      for (const auto& x : in.exports) {
        WITC_TRY(entity e, ref(x.item, s, in.offset));
        name_type(e, x.name.name);
        n.exports.emplace_back(x.name.name, e);
      }
      s.instances.push_back(a_.add(std::move(n)));
      return ok;
    }
    WITC_TRY(tid ct, at(s.components, in.component, in.offset, "component"));
    const tnode c = a_.node(ct);
    // Abstract resources of the component are bound to what the arguments provide.
    std::vector<std::pair<rid, rid>> m;
    for (const auto& [name, want] : c.imports) {
      auto arg = std::find_if(in.args.begin(), in.args.end(), [&](const auto& x) { return x.name == name; });
      if (arg == in.args.end()) return err(in.offset, fmt::format("missing instantiation argument `{}`", name));
      WITC_TRY(entity have, ref(arg->item, s, in.offset));
      bind(have, want, m, 0);
    }
    for (const auto& [name, e] : c.exports) {
      entity x = e;
      if (x.kind != ek::module && x.kind != ek::value) x.t = substitute(a_, e.t, m);
      n.exports.emplace_back(name, x);
    }
    s.instances.push_back(a_.add(std::move(n)));
    return ok;
  }

  // Pairs the resources of `want` (an import of a component) with those of `have`.
  void bind(const entity& have, const entity& want, std::vector<std::pair<rid, rid>>& m, int depth) {
    if (depth > 32 || have.kind != want.kind) return;
    const tnode& w = a_.node(want.t);
    const tnode& h = a_.node(have.t);
    if (w.kind == tk::resource && h.kind == tk::resource) {
      if (w.res != h.res) m.emplace_back(w.res, h.res);
      return;
    }
    if (w.kind == tk::instance && h.kind == tk::instance)
      for (const auto& [name, we] : w.exports)
        for (const auto& [hn, he] : h.exports)
          if (hn == name) bind(he, we, m, depth + 1);
  }

  result<void> section(const bc::section& sec, scope& s, int depth) {
    switch (sec.id) {
      case 4: {
        const auto& inner = *std::get<bc::detail::box<bc::component>>(sec.body);
        WITC_TRY(tid t, component(inner, &s, depth + 1));
        s.components.push_back(t);
        return ok;
      }
      case 5:
        for (const auto& in : std::get<std::vector<bc::instance>>(sec.body)) WITC_CHECK(instance(in, s));
        return ok;
      case 6:
        for (const auto& al : std::get<std::vector<bc::alias>>(sec.body)) WITC_CHECK(alias(al, s));
        return ok;
      case 7:
        for (const auto& t : std::get<std::vector<bc::type>>(sec.body)) {
          WITC_TRY(tid x, type(t, s, depth));
          s.types.push_back(x);
        }
        return ok;
      case 8:
        for (const auto& c : std::get<std::vector<bc::canon>>(sec.body)) {
          if (c.op != 0x00) continue;
          WITC_TRY(tid t, at(s.types, c.type, c.offset, "type"));
          if (a_.node(t).kind != tk::func) return err(c.offset, fmt::format("type index {} is not a function type", c.type));
          s.funcs.push_back(t);
        }
        return ok;
      case 10:
        for (const auto& im : std::get<std::vector<bc::import>>(sec.body)) {
          WITC_TRY(entity e, extern_(im.type, s, im.name.name, im.offset));
          name_type(e, im.name.name);
          push(s, e);
          s.imports.push_back({im.name.name, im.name, e, im.offset});
        }
        return ok;
      case 11:
        for (const auto& ex : std::get<std::vector<bc::export_>>(sec.body)) {
          WITC_TRY(entity e, ref(ex.item, s, ex.offset));
          name_type(e, ex.name.name);
          push(s, e);
          s.exports.push_back({ex.name.name, ex.name, e, ex.offset});
        }
        return ok;
      default: return ok;
    }
  }
};

}  // namespace

result<shape> extract(const binary::component::component& c, arena& a, int input, const std::string& file) {
  extractor x(a, input, file);
  WITC_TRY(tid t, x.component(c, nullptr, 0));
  (void)t;
  return std::move(x.top_);
}

tid substitute(arena& a, tid t, const std::vector<std::pair<rid, rid>>& m) {
  if (m.empty()) return t;
  std::unordered_map<tid, tid> memo;
  auto sub_rid = [&](rid r) {
    for (auto& [from, to] : m)
      if (from == r) return to;
    return r;
  };
  // Recursion depth is bounded by the nesting the extractor accepted.
  auto go = [&](auto& self, tid x) -> tid {
    if (auto it = memo.find(x); it != memo.end()) return it->second;
    const tnode& n0 = a.node(x);
    if (n0.kind == tk::opaque) return x;
    if (n0.kind == tk::resource) {
      rid r = sub_rid(n0.res);
      tid out = r == n0.res ? x : a.resource_node(r);
      memo[x] = out;
      return out;
    }
    memo[x] = x;  // cycles cannot occur; this only guards against re-entry
    tnode n = n0;
    bool changed = false;
    auto sv = [&](vt& v) {
      if (v.prim) return;
      tid y = self(self, v.t);
      if (y != v.t) { v.t = y; changed = true; }
    };
    if (n.code == 0x69 || n.code == 0x68) {
      rid r = sub_rid(n.res);
      if (r != n.res) { n.res = r; changed = true; }
    }
    for (auto& f : n.fields) sv(f.second);
    for (auto& c : n.cases) if (c.second) sv(*c.second);
    for (auto& y : n.types) sv(y);
    if (n.a) sv(*n.a);
    if (n.b) sv(*n.b);
    auto se = [&](entity& e) {
      if (e.kind == ek::module || e.kind == ek::value) return;
      tid y = self(self, e.t);
      if (y != e.t) { e.t = y; changed = true; }
    };
    for (auto& i : n.imports) se(i.second);
    for (auto& e : n.exports) se(e.second);
    for (auto& r : n.declared) {
      rid y = sub_rid(r);
      if (y != r) { r = y; changed = true; }
    }
    tid out = changed ? a.add(std::move(n)) : x;
    memo[x] = out;
    return out;
  };
  return go(go, t);
}

}  // namespace witc::compose::detail
