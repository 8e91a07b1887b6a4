// The component model's subtyping as composition needs it (Explainer.md "Subtyping"):
// value types are equal structurally, functions exactly, an instance may export more
// than is expected, a component may import less; resources are equal by identity, where
// an abstract resource of the expected side is bound to the actual side's on first use.
// Also the WIT-like printer used in messages.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "model.hpp"

namespace witc::compose::detail {
namespace {

std::string_view prim_name(std::uint8_t p) {
  switch (p) {
    case 0x7f: return "bool";
    case 0x7e: return "s8";
    case 0x7d: return "u8";
    case 0x7c: return "s16";
    case 0x7b: return "u16";
    case 0x7a: return "s32";
    case 0x79: return "u32";
    case 0x78: return "s64";
    case 0x77: return "u64";
    case 0x76: return "f32";
    case 0x75: return "f64";
    case 0x74: return "char";
    case 0x73: return "string";
    case 0x64: return "error-context";
    default: return "?";
  }
}

std::string_view sort_name(ek k) {
  switch (k) {
    case ek::module: return "core module";
    case ek::func: return "function";
    case ek::value: return "value";
    case ek::type: return "type";
    case ek::component: return "component";
    case ek::instance: return "instance";
  }
  return "?";
}

class checker {
 public:
  checker(arena& a, const std::vector<rid>& bindable) : a_(a) {
    for (rid r : bindable) bindable_.insert(a.find(r));
  }

  bool res_eq(rid have, rid want) {
    rid h = a_.find(have), w = a_.find(want);
    if (h == w) return true;
    if (bindable_.erase(w)) {
      a_.join(w, h);
      return true;
    }
    return false;
  }

  // "" when equal, else why not.
  std::string vt_eq(const vt& h, const vt& w, int depth) {
    if (depth > 100) return "types nest too deeply to compare";
    if (h.prim || w.prim) {
      if (h.prim && w.prim && h.p == w.p) return {};
      return fmt::format("expected `{}`, found `{}`", print_vt(a_, w), print_vt(a_, h));
    }
    if (h.t == w.t) return {};
    const tnode& x = a_.node(h.t);
    const tnode& y = a_.node(w.t);
    auto differ = [&] { return fmt::format("expected `{}`, found `{}`", print_vt(a_, w), print_vt(a_, h)); };
    if (x.code != y.code) return differ();
    switch (x.code) {
      case 0x69: case 0x68:
        if (res_eq(x.res, y.res)) return {};
        return fmt::format("expected resource `{}`, found resource `{}`", print_vt(a_, w), print_vt(a_, h));
      case 0x72:
        if (x.fields.size() != y.fields.size()) return differ();
        for (std::size_t i = 0; i < x.fields.size(); ++i) {
          if (x.fields[i].first != y.fields[i].first)
            return fmt::format("expected record field `{}`, found `{}`", y.fields[i].first, x.fields[i].first);
          if (auto e = vt_eq(x.fields[i].second, y.fields[i].second, depth + 1); !e.empty())
            return fmt::format("in record field `{}`: {}", x.fields[i].first, e);
        }
        return {};
      case 0x71:
        if (x.cases.size() != y.cases.size()) return differ();
        for (std::size_t i = 0; i < x.cases.size(); ++i) {
          if (x.cases[i].first != y.cases[i].first)
            return fmt::format("expected variant case `{}`, found `{}`", y.cases[i].first, x.cases[i].first);
          if (x.cases[i].second.has_value() != y.cases[i].second.has_value()) return differ();
          if (x.cases[i].second)
            if (auto e = vt_eq(*x.cases[i].second, *y.cases[i].second, depth + 1); !e.empty())
              return fmt::format("in variant case `{}`: {}", x.cases[i].first, e);
        }
        return {};
      case 0x6f:
        if (x.types.size() != y.types.size()) return differ();
        for (std::size_t i = 0; i < x.types.size(); ++i)
          if (auto e = vt_eq(x.types[i], y.types[i], depth + 1); !e.empty()) return e;
        return {};
      case 0x6e: case 0x6d: return x.names == y.names ? std::string{} : differ();
      default: {
        if (x.len != y.len || x.a.has_value() != y.a.has_value() || x.b.has_value() != y.b.has_value()) return differ();
        if (x.a)
          if (auto e = vt_eq(*x.a, *y.a, depth + 1); !e.empty()) return e;
        if (x.b)
          if (auto e = vt_eq(*x.b, *y.b, depth + 1); !e.empty()) return e;
        return {};
      }
    }
  }

  std::string func_eq(tid h, tid w) {
    const tnode& x = a_.node(h);
    const tnode& y = a_.node(w);
    if (x.async != y.async) return y.async ? "expected an async function" : "expected a function that is not async";
    if (x.fields.size() != y.fields.size())
      return fmt::format("expected {} parameters, found {}", y.fields.size(), x.fields.size());
    for (std::size_t i = 0; i < x.fields.size(); ++i) {
      if (x.fields[i].first != y.fields[i].first)
        return fmt::format("expected parameter `{}`, found `{}`", y.fields[i].first, x.fields[i].first);
      if (auto e = vt_eq(x.fields[i].second, y.fields[i].second, 0); !e.empty())
        return fmt::format("in parameter `{}`: {}", x.fields[i].first, e);
    }
    if (x.a.has_value() != y.a.has_value()) return y.a ? "expected a result, found none" : "expected no result, found one";
    if (x.a)
      if (auto e = vt_eq(*x.a, *y.a, 0); !e.empty()) return fmt::format("in the result: {}", e);
    return {};
  }

  std::string entity_eq(const entity& h, const entity& w, int depth) {
    if (h.kind != w.kind) return fmt::format("expected a {}, found a {}", sort_name(w.kind), sort_name(h.kind));
    if (depth > 32) return "types nest too deeply to compare";
    switch (h.kind) {
      case ek::func: return func_eq(h.t, w.t);
      case ek::type: {
        const tnode& x = a_.node(h.t);
        const tnode& y = a_.node(w.t);
        if (y.kind == tk::resource) {
          if (x.kind != tk::resource) return "expected a resource, found a defined type";
          return res_eq(x.res, y.res) ? std::string{} : "expected another resource";
        }
        if (x.kind != y.kind) return "expected another kind of type";
        if (x.kind == tk::func) return func_eq(h.t, w.t);
        if (x.kind == tk::defval) return vt_eq(vt{false, 0, h.t}, vt{false, 0, w.t}, 0);
        if (auto d = nested(x, y, depth)) return d->why.empty() ? fmt::format("in `{}`", d->item) : d->why;
        return {};
      }
      case ek::instance: case ek::component:
        if (auto d = nested(a_.node(h.t), a_.node(w.t), depth)) return fmt::format("in `{}`: {}", d->item, d->why);
        return {};
      default: return {};  // modules and values are not compared
    }
  }

  std::optional<difference> nested(const tnode& h, const tnode& w, int depth) {
    for (rid r : w.declared) bindable_.insert(a_.find(r));
    // What the expected component imports, the actual one may import too; no more.
    for (const auto& [name, he] : h.imports) {
      auto it = std::find_if(w.imports.begin(), w.imports.end(), [&](const auto& p) { return p.first == name; });
      if (it == w.imports.end())
        return difference{name, "", fmt::format("{}: {}", name, print_entity(a_, he)), "it imports something not expected"};
      if (auto why = entity_eq(it->second, he, depth + 1); !why.empty())
        return difference{name, fmt::format("{}: {}", name, print_entity(a_, it->second)),
                          fmt::format("{}: {}", name, print_entity(a_, he)), why};
    }
    for (const auto& [name, we] : w.exports) {
      auto it = std::find_if(h.exports.begin(), h.exports.end(), [&](const auto& p) { return p.first == name; });
      if (it == h.exports.end()) return difference{name, fmt::format("{}: {}", name, print_entity(a_, we)), "", "missing"};
      if (auto why = entity_eq(it->second, we, depth + 1); !why.empty())
        return difference{name, fmt::format("{}: {}", name, print_entity(a_, we)),
                          fmt::format("{}: {}", name, print_entity(a_, it->second)), why};
    }
    return std::nullopt;
  }

 private:
  arena& a_;
  std::unordered_set<rid> bindable_;
};

std::string join_vts(const arena& a, const std::vector<vt>& v, int depth) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + print_vt(a, x, depth + 1);
  return s;
}

}  // namespace

std::optional<difference> mismatch(arena& a, const entity& actual, const entity& expected, const std::vector<rid>& bindable) {
  checker c(a, bindable);
  if ((actual.kind == ek::instance || actual.kind == ek::component) && actual.kind == expected.kind)
    return c.nested(a.node(actual.t), a.node(expected.t), 0);
  if (auto why = c.entity_eq(actual, expected, 0); !why.empty())
    return difference{"", print_entity(a, expected), print_entity(a, actual), why};
  return std::nullopt;
}

namespace {
std::string print_def(const arena& a, tid t, int depth);
}

std::string print_vt(const arena& a, const vt& v, int depth) {
  if (v.prim) return std::string(prim_name(v.p));
  if (depth > 20) return "...";
  const tnode& n = a.node(v.t);
  if (!n.name.empty() && (n.code == 0x72 || n.code == 0x71 || n.code == 0x6e || n.code == 0x6d)) return n.name;
  return print_def(a, v.t, depth);
}

namespace {
std::string print_def(const arena& a, tid t, int depth) {
  const tnode& n = a.node(t);
  auto res_name = [&](rid r) {
    const auto& info = a.resource(r);
    if (!info.name.empty()) return info.name;
    const auto& root = a.resource(a.find(r));
    return root.name.empty() ? std::string("resource") : root.name;
  };
  auto opt = [&](const std::optional<vt>& x) { return x ? print_vt(a, *x, depth + 1) : std::string("_"); };
  switch (n.code) {
    case 0x72: {
      std::string s;
      for (const auto& [name, t] : n.fields) s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", name, print_vt(a, t, depth + 1));
      return fmt::format("record {{ {} }}", s);
    }
    case 0x71: {
      std::string s;
      for (const auto& [name, t] : n.cases)
        s += fmt::format("{}{}{}", s.empty() ? "" : ", ", name, t ? "(" + print_vt(a, *t, depth + 1) + ")" : "");
      return fmt::format("variant {{ {} }}", s);
    }
    case 0x70: return fmt::format("list<{}>", opt(n.a));
    case 0x67: return fmt::format("list<{}, {}>", opt(n.a), n.len);
    case 0x6f: return fmt::format("tuple<{}>", join_vts(a, n.types, depth));
    case 0x6e: return fmt::format("flags {{ {} }}", fmt::join(n.names, ", "));
    case 0x6d: return fmt::format("enum {{ {} }}", fmt::join(n.names, ", "));
    case 0x6b: return fmt::format("option<{}>", opt(n.a));
    case 0x6a:
      if (!n.a && !n.b) return "result";
      if (!n.b) return fmt::format("result<{}>", opt(n.a));
      return fmt::format("result<{}, {}>", opt(n.a), opt(n.b));
    case 0x69: return res_name(n.res);
    case 0x68: return fmt::format("borrow<{}>", res_name(n.res));
    case 0x66: return n.a ? fmt::format("stream<{}>", opt(n.a)) : "stream";
    case 0x65: return n.a ? fmt::format("future<{}>", opt(n.a)) : "future";
    case 0x63: return fmt::format("map<{}, {}>", opt(n.a), opt(n.b));
    default: return std::string(prim_name(n.code));
  }
}
}  // namespace

std::string print_entity(const arena& a, const entity& e, int depth) {
  if (depth > 20) return "...";
  const tnode& n = a.node(e.t);
  switch (e.kind) {
    case ek::func: {
      std::string s;
      for (const auto& [name, t] : n.fields) s += fmt::format("{}{}: {}", s.empty() ? "" : ", ", name, print_vt(a, t, depth + 1));
      std::string r = n.a ? " -> " + print_vt(a, *n.a, depth + 1) : "";
      return fmt::format("{}func({}){}", n.async ? "async " : "", s, r);
    }
    case ek::type:
      if (n.kind == tk::resource) return "resource";
      if (n.kind == tk::defval) return fmt::format("type {}", print_def(a, e.t, depth + 1));
      return "type";
    case ek::instance: {
      std::string s;
      for (const auto& [name, x] : n.exports) s += fmt::format("{}{}", s.empty() ? "" : ", ", name);
      return fmt::format("instance {{ {} }}", s);
    }
    case ek::component: return "component";
    case ek::module: return "core module";
    case ek::value: return "value";
  }
  return "?";
}

void collect_resources(const arena& a, const entity& e, std::vector<rid>& out) {
  std::unordered_set<tid> seen;
  auto add = [&](rid r) {
    r = a.find(r);
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  };
  auto go = [&](auto& self, tid t, int depth) -> void {
    if (depth > 100 || !seen.insert(t).second) return;
    const tnode& n = a.node(t);
    if (n.kind == tk::resource) return add(n.res);
    if (n.kind == tk::opaque) return;
    if (n.code == 0x69 || n.code == 0x68) add(n.res);
    auto v = [&](const vt& x) { if (!x.prim) self(self, x.t, depth + 1); };
    for (const auto& f : n.fields) v(f.second);
    for (const auto& c : n.cases) if (c.second) v(*c.second);
    for (const auto& x : n.types) v(x);
    if (n.a) v(*n.a);
    if (n.b) v(*n.b);
    for (const auto& i : n.imports) if (i.second.kind != ek::module && i.second.kind != ek::value) self(self, i.second.t, depth + 1);
    for (const auto& x : n.exports) if (x.second.kind != ek::module && x.second.kind != ek::value) self(self, x.second.t, depth + 1);
  };
  if (e.kind != ek::module && e.kind != ek::value) go(go, e.t, 0);
}

}  // namespace witc::compose::detail
