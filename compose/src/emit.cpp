// Writing the composed component: the imports that stay (their types encoded from the
// composer's arena), the inputs nested (or imported as components), one instance of
// each in dependency order with its arguments aliased from its providers' instances,
// and the root's exports.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <span>
#include <unordered_map>

#include "state.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"

namespace witc::compose {
namespace detail {
namespace {

namespace bc = binary::component;

// One type index space being written to: the outer component, or the declarations of
// an instance or component type inside it.
struct tscope {
  tscope* parent = nullptr;
  std::vector<bc::decl>* decls = nullptr;  // null: the outer component
  std::uint32_t types = 0, instances = 0;
  std::unordered_map<rid, std::uint32_t> res;
  std::unordered_map<tid, std::uint32_t> memo;
  std::unordered_map<tid, std::uint32_t> named;  // types with a name here (aliased exports)
};

class encoder {
 public:
  encoder(arena& a, bc::component& out, bool unify) : a_(a), out_(&out), unify_(unify) {}
  /// Later definitions go to `out`.
  void retarget(bc::component& out) { out_ = &out; }

  rid key(rid r) const { return unify_ ? a_.find(r) : r; }

  std::uint32_t add_type(tscope& s, bc::type t) {
    if (s.decls) {
      bc::decl d;
      d.tag = 1;
      d.type = std::move(t);
      s.decls->push_back(std::move(d));
    } else {
      section(7).body.emplace<std::vector<bc::type>>().push_back(std::move(t));
    }
    return s.types++;
  }

  bc::section& section(std::uint8_t id) {
    out_->sections.emplace_back();
    out_->sections.back().id = id;
    return out_->sections.back();
  }

  void add_alias(tscope& s, bc::alias al) {
    if (s.decls) {
      bc::decl d;
      d.tag = 2;
      d.alias = std::move(al);
      s.decls->push_back(std::move(d));
    } else {
      section(6).body.emplace<std::vector<bc::alias>>().push_back(std::move(al));
    }
  }

  // The index of resource `r` in `s`, aliasing it in from an enclosing scope if needed.
  std::optional<std::uint32_t> res_idx(tscope& s, rid r) {
    r = key(r);
    if (auto it = s.res.find(r); it != s.res.end()) return it->second;
    std::uint32_t count = 1;
    for (tscope* o = s.parent; o; o = o->parent, ++count) {
      auto it = o->res.find(r);
      if (it == o->res.end()) continue;
      bc::alias al;
      al.sort = {bc::sort_kind::type, bc::core_sort::func};
      al.target = 2;
      al.count = count;
      al.idx = it->second;
      add_alias(s, al);
      std::uint32_t idx = s.types++;
      s.res[r] = idx;
      return idx;
    }
    return std::nullopt;
  }

  result<bc::valtype> val(tscope& s, const vt& v) {
    bc::valtype out;
    if (v.prim) {
      out.prim = v.p;
      return out;
    }
    WITC_TRY(std::uint32_t i, type_idx(s, v.t));
    out.is_prim = false;
    out.idx = i;
    return out;
  }
  result<std::optional<bc::valtype>> opt(tscope& s, const std::optional<vt>& v) {
    if (!v) return std::optional<bc::valtype>{};
    WITC_TRY(bc::valtype x, val(s, *v));
    return std::optional<bc::valtype>{x};
  }

  failure no_resource(rid r) {
    return fail(diagnostic::global(fmt::format("internal error: resource `{}` is not in scope where a type refers to it",
                                               a_.resource(r).name)));
  }

  result<std::uint32_t> type_idx(tscope& s, tid t) {
    if (unify_) t = a_.canonical(t);
    if (auto it = s.memo.find(t); it != s.memo.end()) return it->second;
    // A named type of an enclosing scope (an export of an imported instance, aliased
    // there) is referred to, not defined again, so it keeps its name.
    std::uint32_t count = 1;
    for (tscope* o = s.parent; o; o = o->parent, ++count) {
      auto it = o->named.find(t);
      if (it == o->named.end()) continue;
      bc::alias al;
      al.sort = {bc::sort_kind::type, bc::core_sort::func};
      al.target = 2;
      al.count = count;
      al.idx = it->second;
      add_alias(s, al);
      std::uint32_t idx = s.types++;
      s.memo[t] = idx;
      return idx;
    }
    const tnode n = a_.node(t);
    bc::type out;
    switch (n.kind) {
      case tk::resource: {
        auto i = res_idx(s, n.res);
        if (!i) return no_resource(n.res);
        return *i;
      }
      case tk::defval: {
        bc::defvaltype d;
        d.code = n.code;
        for (const auto& [name, x] : n.fields) {
          WITC_TRY(bc::valtype v, val(s, x));
          d.fields.push_back({name, v});
        }
        for (const auto& [name, x] : n.cases) {
          WITC_TRY(auto v, opt(s, x));
          d.cases.push_back({name, v});
        }
        for (const auto& x : n.types) {
          WITC_TRY(bc::valtype v, val(s, x));
          d.types.push_back(v);
        }
        d.names = n.names;
        WITC_TRY(d.a, opt(s, n.a));
        WITC_TRY(d.b, opt(s, n.b));
        if (n.code == 0x69 || n.code == 0x68) {
          auto i = res_idx(s, n.res);
          if (!i) return no_resource(n.res);
          d.idx = *i;
        }
        if (n.code == 0x67) d.idx = n.len;
        out.def = std::move(d);
        break;
      }
      case tk::func: {
        bc::functype f;
        f.async = n.async;
        for (const auto& [name, x] : n.fields) {
          WITC_TRY(bc::valtype v, val(s, x));
          f.params.push_back({name, v});
        }
        WITC_TRY(f.result, opt(s, n.a));
        out.def = std::move(f);
        break;
      }
      case tk::instance: case tk::component: {
        std::vector<std::pair<std::string, rid>> declared;
        WITC_TRY(out, nested_type(s, n, declared));
        break;
      }
      default:
        return fail(diagnostic::global("core modules and values cannot be imported into a composition yet"));
    }
    std::uint32_t i = add_type(s, std::move(out));
    s.memo[t] = i;
    return i;
  }

  // An externtype for `e` in `s`; resources an instance type declares are listed in
  // `declared` (by export name) so the caller can alias them once it is imported.
  result<bc::externtype> ext(tscope& s, const entity& e, std::vector<std::pair<std::string, rid>>& declared) {
    bc::externtype x;
    x.kind = static_cast<std::uint8_t>(e.kind);
    const tnode& n = a_.node(e.t);
    if (e.kind == ek::type) {
      if (n.kind == tk::resource) {
        if (auto i = res_idx(s, n.res)) {
          x.idx = *i;
          return x;
        }
        x.bound_eq = false;
        declared.emplace_back("", n.res);
        return x;
      }
      WITC_TRY(x.idx, type_idx(s, e.t));
      return x;
    }
    if (e.kind == ek::instance || e.kind == ek::component) {
      WITC_TRY(bc::type t, nested_type(s, n, declared));
      x.idx = add_type(s, std::move(t));
      return x;
    }
    WITC_TRY(x.idx, type_idx(s, e.t));
    return x;
  }

  // The declarations after an entity `name` of sort `k` was added to `s`: the resources
  // it introduced become usable through aliases (or directly, for a type).
  void after_add(tscope& s, const entity& e, std::uint32_t index, const std::vector<std::pair<std::string, rid>>& declared) {
    if (e.kind == ek::instance)
      for (const auto& [name, x] : a_.node(e.t).exports) {
        if (x.kind != ek::type || a_.node(x.t).kind != tk::defval) continue;
        bc::alias al;
        al.sort = {bc::sort_kind::type, bc::core_sort::func};
        al.target = 0;
        al.instance = index;
        al.name = name;
        add_alias(s, al);
        std::uint32_t idx = s.types++;
        tid t = unify_ ? a_.canonical(x.t) : x.t;
        s.named.emplace(t, idx);
        s.memo.emplace(t, idx);
      }
    for (const auto& [name, r] : declared) {
      if (name.empty()) {
        s.res[key(r)] = index;
        continue;
      }
      bc::alias al;
      al.sort = {bc::sort_kind::type, bc::core_sort::func};
      al.target = 0;
      al.instance = index;
      al.name = name;
      add_alias(s, al);
      s.res[key(r)] = s.types++;
    }
    (void)e;
  }

  // An instance or component type: its imports and exports as declarations.
  result<bc::type> nested_type(tscope& s, const tnode& n, std::vector<std::pair<std::string, rid>>& declared_out) {
    bc::type t;
    t.instance = n.kind == tk::instance;
    bc::componenttype ct;
    tscope inner;
    inner.parent = &s;
    inner.decls = &ct.decls;
    auto one = [&](const std::string& name, const entity& e, std::uint8_t tag) -> result<void> {
      std::vector<std::pair<std::string, rid>> declared;
      bc::decl d;
      d.tag = tag;
      d.name.name = name;
      bool type_export = e.kind == ek::type && a_.node(e.t).kind == tk::defval;
      WITC_TRY(d.ext, ext(inner, e, declared));
      ct.decls.push_back(std::move(d));
      switch (e.kind) {
        case ek::type: {
          std::uint32_t idx = inner.types++;
          if (type_export) inner.memo[e.t] = idx;
          for (auto& [dn, r] : declared) {
            inner.res[key(r)] = idx;
            if (tag == 4 && t.instance) declared_out.emplace_back(name, r);
          }
          if (tag == 4 && !t.instance && declared.empty() && a_.node(e.t).kind == tk::resource)
            inner.res[key(a_.node(e.t).res)] = idx;
          break;
        }
        case ek::instance: {
          std::uint32_t idx = inner.instances++;
          after_add(inner, e, idx, declared);
          break;
        }
        default: break;
      }
      return ok;
    };
    for (const auto& [name, e] : n.imports) WITC_CHECK(one(name, e, 3));
    for (const auto& [name, e] : n.exports) WITC_CHECK(one(name, e, 4));
    t.def = std::move(ct);
    return t;
  }

 private:
  arena& a_;
  bc::component* out_;
  bool unify_;
};

std::string label_of(std::string_view path, std::vector<std::string>& taken) {
  auto slash = path.find_last_of('/');
  if (slash != std::string_view::npos) path = path.substr(slash + 1);
  if (auto dot = path.find('.'); dot != std::string_view::npos) path = path.substr(0, dot);
  std::string l;
  for (char ch : path) {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) l += c;
    else if (!l.empty() && l.back() != '-') l += '-';
  }
  while (!l.empty() && l.back() == '-') l.pop_back();
  if (l.empty() || !(l[0] >= 'a' && l[0] <= 'z')) l = "component" + (l.empty() ? "" : "-" + l);
  std::string base = l;
  for (int n = 2; std::find(taken.begin(), taken.end(), l) != taken.end(); ++n) l = fmt::format("{}-{}", base, n);
  taken.push_back(l);
  return l;
}

bc::sort sort_of(ek k) { return {static_cast<bc::sort_kind>(k), bc::core_sort::func}; }

}  // namespace
}  // namespace detail

namespace detail {
namespace {

// The output in parts: `head`, then the inputs in `nested` order as component sections
// (their bytes untouched, from the source map), then `tail` (no preamble).
struct parts {
  std::vector<std::uint8_t> head, tail;
  std::vector<std::string_view> nested;
};

result<parts> assemble(state& s, bool import_components) {
  namespace bc = binary::component;
  // Written in three parts: what comes before the nested inputs, the inputs' bytes as
  // they are (no decode/encode of megabytes of code), and what comes after.
  bc::component out, tail;
  encoder enc(s.a, out, true);
  tscope top;
  // Index spaces of the outer component, by sort.
  std::uint32_t counts[6] = {0, 0, 0, 0, 0, 0};  // module, func, value, type (via top), component, instance
  auto next = [&](ek k) -> std::uint32_t {
    if (k == ek::type) return top.types++;
    if (k == ek::instance) return top.instances++;
    return counts[static_cast<int>(k)]++;
  };

  // The imports that stay.
  std::vector<std::uint32_t> group_idx;
  for (const auto& g : s.groups) {
    std::vector<std::pair<std::string, rid>> declared;
    WITC_TRY(bc::externtype x, enc.ext(top, g.e, declared));
    bc::import im;
    im.name = g.ename;
    im.type = x;
    enc.section(10).body.emplace<std::vector<bc::import>>().push_back(std::move(im));
    std::uint32_t idx = next(g.e.kind);
    group_idx.push_back(idx);
    if (g.e.kind == ek::instance) {
      enc.after_add(top, g.e, idx, declared);
    } else if (g.e.kind == ek::type) {
      for (auto& [n, r] : declared) top.res[s.a.find(r)] = idx;
      if (s.a.node(g.e.t).kind != tk::resource) top.memo[g.e.t] = idx;
    }
  }

  // The inputs, as nested or imported components.
  std::vector<std::uint32_t> comp_idx(s.in.size(), 0);
  std::vector<std::string> labels;
  for (std::size_t i : s.p.order) {
    if (import_components) {
      encoder own(s.a, out, false);
      tscope ts;
      ts.parent = nullptr;
      tnode n;
      n.kind = tk::component;
      for (const auto& im : s.in[i].sh.imports) n.imports.emplace_back(im.name, im.e);
      for (const auto& ex : s.in[i].sh.exports) n.exports.emplace_back(ex.name, ex.e);
      std::vector<std::pair<std::string, rid>> declared;
      WITC_TRY(bc::type t, own.nested_type(ts, n, declared));
      std::uint32_t tidx = enc.add_type(top, std::move(t));
      bc::import im;
      im.name.name = label_of(s.in[i].name, labels);
      im.type.kind = 4;
      im.type.idx = tidx;
      enc.section(10).body.emplace<std::vector<bc::import>>().push_back(std::move(im));
    }
    comp_idx[i] = next(ek::component);
  }
  enc.retarget(tail);

  // One instance of each, providers first.
  std::vector<std::uint32_t> inst_idx(s.in.size(), 0);
  for (std::size_t i : s.p.order) {
    bc::instance in;
    in.form = 0;
    in.component = comp_idx[i];
    for (const auto& l : s.p.links) {
      if (l.consumer != i) continue;
      const item* im = nullptr;
      for (const auto& x : s.in[i].sh.imports)
        if (x.name == l.import) im = &x;
      bc::instance::arg arg;
      arg.name = l.import;
      arg.item.sort = sort_of(im->e.kind);
      if (l.provider) {
        bc::alias al;
        al.sort = arg.item.sort;
        al.target = 0;
        al.instance = inst_idx[*l.provider];
        al.name = l.export_name;
        enc.add_alias(top, al);
        arg.item.idx = next(im->e.kind);
      } else {
        arg.item.idx = group_idx[s.group_of.at({i, l.import})];
      }
      in.args.push_back(std::move(arg));
    }
    enc.section(5).body.emplace<std::vector<bc::instance>>().push_back(std::move(in));
    inst_idx[i] = next(ek::instance);
  }

  // The root's exports.
  for (const auto& ex : s.in[0].sh.exports) {
    bc::alias al;
    al.sort = sort_of(ex.e.kind);
    al.target = 0;
    al.instance = inst_idx[0];
    al.name = ex.name;
    enc.add_alias(top, al);
    std::uint32_t idx = next(ex.e.kind);
    bc::export_ e;
    e.name = ex.ename;
    e.item = {sort_of(ex.e.kind), idx};
    enc.section(11).body.emplace<std::vector<bc::export_>>().push_back(std::move(e));
    next(ex.e.kind);  // an export adds to its sort's index space too
  }

  parts p;
  p.head = binary::write_component(out);
  p.tail = binary::write_component(tail);
  p.tail.erase(p.tail.begin(), p.tail.begin() + 8);
  if (!import_components)
    for (std::size_t i : s.p.order) p.nested.push_back(s.in[i].bytes);
  return p;
}

std::vector<std::uint8_t> section_header(std::size_t size) {
  std::vector<std::uint8_t> h{4};
  std::uint64_t v = size;
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    h.push_back(static_cast<std::uint8_t>(b | (v ? 0x80 : 0)));
  } while (v);
  return h;
}

template <class F>
void for_each_piece(const parts& p, F&& f) {
  f(std::span<const std::uint8_t>(p.head));
  for (auto n : p.nested) {
    auto h = section_header(n.size());
    f(std::span<const std::uint8_t>(h));
    f(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(n.data()), n.size()));
  }
  f(std::span<const std::uint8_t>(p.tail));
}

std::vector<std::uint8_t> concat(const parts& p) {
  std::size_t total = 0;
  for_each_piece(p, [&](std::span<const std::uint8_t> x) { total += x.size(); });
  std::vector<std::uint8_t> out;
  out.reserve(total);
  for_each_piece(p, [&](std::span<const std::uint8_t> x) { out.insert(out.end(), x.begin(), x.end()); });
  return out;
}

failure invalid(const diagnostics& errs) {
  diagnostics ds = errs;
  for (auto& d : ds) {
    d.message = fmt::format("internal error: the composed component does not validate: {}", d.message);
    d.has_span = false;
  }
  return fail(std::move(ds));
}

result<parts> checked(state& s) {
  WITC_TRY(parts p, assemble(s, s.opts.import_components));
  validation v = s.opts.validate;
  // The links alone: the same composition with every input imported by its type, which is
  // small; the inputs' own code is theirs to be valid. Should that not validate, the
  // whole output decides (so an imprecise type here never rejects a good composition).
  if (v == validation::links && !p.nested.empty()) {
    WITC_TRY(parts skeleton, assemble(s, true));
    if (binary::validate_wasm(concat(skeleton))) return p;
    v = validation::full;
  }
  if (v != validation::none)
    if (auto r = binary::validate_wasm(concat(p)); !r) return invalid(r.error());
  return p;
}

}  // namespace
}  // namespace detail

result<std::vector<std::uint8_t>> build(const composition& c) {
  WITC_TRY(detail::parts p, detail::checked(*c.s_));
  return detail::concat(p);
}

result<std::size_t> build_to(const composition& c, const std::function<bool(std::span<const std::uint8_t>)>& sink) {
  WITC_TRY(detail::parts p, detail::checked(*c.s_));
  std::size_t total = 0;
  bool good = true;
  detail::for_each_piece(p, [&](std::span<const std::uint8_t> x) {
    if (good) good = sink(x);
    total += x.size();
  });
  if (!good) return fail(diagnostic::global("could not write the composed component"));
  return total;
}

}  // namespace witc::compose
