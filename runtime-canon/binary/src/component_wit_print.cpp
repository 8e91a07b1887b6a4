// Prints a package of a `wit::resolve` as WIT text (what `witc component wit`
// shows), in the layout of wasm-tools' printer: `use` lines first, then types,
// resources with their functions, then freestanding functions.
#include <fmt/format.h>

#include <map>

#include "witc/binary/component_wit.hpp"

namespace witc::binary {
namespace {

using wit::interface_id;
using wit::type_id;

const char* prim_name(wit::primitive p) {
  switch (p) {
    case wit::primitive::bool_: return "bool";
    case wit::primitive::u8: return "u8";
    case wit::primitive::u16: return "u16";
    case wit::primitive::u32: return "u32";
    case wit::primitive::u64: return "u64";
    case wit::primitive::s8: return "s8";
    case wit::primitive::s16: return "s16";
    case wit::primitive::s32: return "s32";
    case wit::primitive::s64: return "s64";
    case wit::primitive::f32: return "f32";
    case wit::primitive::f64: return "f64";
    case wit::primitive::char_: return "char";
    case wit::primitive::string: return "string";
    case wit::primitive::error_context: return "error-context";
  }
  return "?";
}

// WIT keywords used as names need a `%` prefix.
std::string ident(const std::string& s) {
  static const char* const keywords[] = {
      "use", "type", "func", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "f32", "f64", "char",
      "bool", "string", "option", "result", "future", "stream", "list", "record", "flags", "variant", "enum",
      "resource", "own", "borrow", "interface", "world", "import", "export", "package", "include", "with",
      "static", "constructor", "as", "from", "async", "tuple", "map", "error-context", "_"};
  for (const char* k : keywords)
    if (s == k) return "%" + s;
  return s;
}

class printer {
 public:
  printer(const wit::resolve& r, wit::package_id p) : r_(r), pkg_(p) {}
  std::string out;

  std::string type_name(wit::type t) {
    if (!t.is_id()) return prim_name(t.prim());
    const auto& td = r_[t.id()];
    if (td.name) return ident(*td.name);
    return anon(td);
  }

  std::string anon(const wit::type_def& td) {
    const auto& k = td.kind;
    auto opt = [&](const std::optional<wit::type>& t) { return t ? type_name(*t) : std::string("_"); };
    if (const auto* l = std::get_if<wit::list>(&k)) return "list<" + type_name(l->element) + ">";
    if (const auto* l = std::get_if<wit::fixed_list>(&k))
      return fmt::format("list<{}, {}>", type_name(l->element), l->size);
    if (const auto* m = std::get_if<wit::map>(&k)) return "map<" + type_name(m->key) + ", " + type_name(m->value) + ">";
    if (const auto* o = std::get_if<wit::option>(&k)) return "option<" + type_name(o->inner) + ">";
    if (const auto* re = std::get_if<wit::result_>(&k)) {
      if (!re->ok && !re->err) return "result";
      if (!re->err) return "result<" + type_name(*re->ok) + ">";
      return "result<" + opt(re->ok) + ", " + type_name(*re->err) + ">";
    }
    if (const auto* tu = std::get_if<wit::tuple>(&k)) {
      std::string s = "tuple<";
      for (std::size_t i = 0; i < tu->types.size(); ++i) s += (i ? ", " : "") + type_name(tu->types[i]);
      return s + ">";
    }
    if (const auto* h = std::get_if<wit::handle>(&k)) {
      std::string res = type_name(wit::type::of(h->resource));
      return h->borrow ? "borrow<" + res + ">" : res;
    }
    if (const auto* f = std::get_if<wit::future>(&k)) return f->inner ? "future<" + type_name(*f->inner) + ">" : "future";
    if (const auto* s = std::get_if<wit::stream>(&k)) return s->inner ? "stream<" + type_name(*s->inner) + ">" : "stream";
    if (const auto* a = std::get_if<wit::alias>(&k)) return type_name(a->target);
    return "_";
  }

  std::string func_sig(const wit::function& f, bool skip_self) {
    bool async = f.kind == wit::function_kind::async_freestanding || f.kind == wit::function_kind::async_method ||
                 f.kind == wit::function_kind::async_static;
    std::string s = async ? "async func(" : "func(";
    bool first = true;
    for (std::size_t i = skip_self ? 1 : 0; i < f.params.size(); ++i) {
      s += (first ? "" : ", ") + ident(f.params[i].name) + ": " + type_name(f.params[i].ty);
      first = false;
    }
    s += ")";
    if (f.result) s += " -> " + type_name(*f.result);
    return s;
  }

  // The short name of a function attached to a resource (`[method]r.f` -> `f`).
  static std::string short_name(const std::string& n) {
    auto close = n.find(']');
    std::string rest = close == std::string::npos ? n : n.substr(close + 1);
    auto dot = rest.find('.');
    return dot == std::string::npos ? rest : rest.substr(dot + 1);
  }

  std::string iface_ref(interface_id i) {
    const auto& in = r_[i];
    if (!in.name) return "<inline>";
    if (in.package && *in.package == pkg_) return ident(*in.name);
    const auto& n = r_[*in.package].name;
    return n.ns + ":" + n.name + "/" + *in.name + (n.version ? "@" + *n.version : "");
  }

  void type_def(const std::string& ind, type_id id,
                const std::vector<std::pair<std::string, const wit::function*>>& funcs) {
    const auto& td = r_[id];
    std::string name = ident(*td.name);
    const auto& k = td.kind;
    if (const auto* rec = std::get_if<wit::record>(&k)) {
      out += ind + "record " + name + " {\n";
      for (const auto& f : rec->fields) out += ind + "  " + ident(f.name) + ": " + type_name(f.ty) + ",\n";
      out += ind + "}\n";
    } else if (const auto* v = std::get_if<wit::variant>(&k)) {
      out += ind + "variant " + name + " {\n";
      for (const auto& c : v->cases)
        out += ind + "  " + ident(c.name) + (c.ty ? "(" + type_name(*c.ty) + ")" : "") + ",\n";
      out += ind + "}\n";
    } else if (const auto* e = std::get_if<wit::enum_>(&k)) {
      out += ind + "enum " + name + " {\n";
      for (const auto& c : e->cases) out += ind + "  " + ident(c.name) + ",\n";
      out += ind + "}\n";
    } else if (const auto* f = std::get_if<wit::flags>(&k)) {
      out += ind + "flags " + name + " {\n";
      for (const auto& c : f->flags) out += ind + "  " + ident(c.name) + ",\n";
      out += ind + "}\n";
    } else if (std::get_if<wit::resource>(&k)) {
      std::vector<const wit::function*> mine;
      for (const auto& [n, fn] : funcs)
        if (fn->kind != wit::function_kind::freestanding && fn->kind != wit::function_kind::async_freestanding &&
            fn->resource == id)
          mine.push_back(fn);
      if (mine.empty()) {
        out += ind + "resource " + name + ";\n";
        return;
      }
      out += ind + "resource " + name + " {\n";
      for (const auto* fn : mine) {
        switch (fn->kind) {
          case wit::function_kind::constructor: {
            std::string s = "constructor(";
            for (std::size_t i = 0; i < fn->params.size(); ++i)
              s += (i ? ", " : "") + ident(fn->params[i].name) + ": " + type_name(fn->params[i].ty);
            s += ")";
            // Only a fallible constructor spells out its result.
            if (fn->result && fn->result->is_id() && std::holds_alternative<wit::result_>(r_[fn->result->id()].kind))
              s += " -> " + type_name(*fn->result);
            out += ind + "  " + s + ";\n";
            break;
          }
          case wit::function_kind::method: case wit::function_kind::async_method:
            out += ind + "  " + ident(short_name(fn->name)) + ": " + func_sig(*fn, true) + ";\n";
            break;
          default:
            out += ind + "  " + ident(short_name(fn->name)) + ": static " + func_sig(*fn, false) + ";\n";
            break;
        }
      }
      out += ind + "}\n";
    } else {
      out += ind + "type " + name + " = " + anon(td) + ";\n";
    }
  }

  // Types, `use` lines and functions of an interface (or a world's own types).
  void body(const std::string& ind, const ordered_map<std::string, type_id>& types,
            const ordered_map<std::string, wit::function>& functions, bool world_owned) {
    std::vector<std::pair<std::string, const wit::function*>> funcs;
    for (const auto& [n, f] : functions) funcs.emplace_back(n, &f);
    // `use` groups: aliases of types owned by another interface.
    std::vector<std::pair<interface_id, std::vector<std::string>>> uses;
    std::vector<type_id> own;
    for (const auto& [name, id] : types) {
      const auto& td = r_[id];
      const auto* al = std::get_if<wit::alias>(&td.kind);
      if (al && al->target.is_id()) {
        const auto& other = r_[al->target.id()];
        if (other.owner.kind == wit::type_owner::kind::interface &&
            !(other.owner.kind == td.owner.kind && other.owner.index == td.owner.index) && other.name) {
          interface_id from{other.owner.index};
          std::string item = *other.name == name ? ident(name) : ident(*other.name) + " as " + ident(name);
          auto it = std::find_if(uses.begin(), uses.end(), [&](const auto& u) { return u.first == from; });
          if (it == uses.end()) uses.push_back({from, {item}});
          else it->second.push_back(item);
          continue;
        }
      }
      own.push_back(id);
    }
    for (const auto& [from, items] : uses) {
      std::string list;
      for (std::size_t i = 0; i < items.size(); ++i) list += (i ? ", " : "") + items[i];
      out += ind + "use " + iface_ref(from) + ".{" + list + "};\n";
    }
    if (!uses.empty() && (!own.empty() || !funcs.empty())) out += "\n";
    for (std::size_t i = 0; i < own.size(); ++i) {
      if (i) out += "\n";
      type_def(ind, own[i], funcs);
    }
    bool any_free = false;
    for (const auto& [n, f] : funcs)
      if (f->kind == wit::function_kind::freestanding || f->kind == wit::function_kind::async_freestanding) {
        if (!any_free && !own.empty()) out += "\n";
        any_free = true;
        out += ind + ident(n) + ": " + func_sig(*f, false) + ";\n";
      }
    (void)world_owned;
  }

  void interface(interface_id id) {
    out += "interface " + ident(*r_[id].name) + " {\n";
    body("  ", r_[id].types, r_[id].functions, false);
    out += "}\n";
  }

  void world(wit::world_id id) {
    const auto& w = r_[id];
    out += "world " + ident(w.name) + " {\n";
    ordered_map<std::string, type_id> types;
    ordered_map<std::string, wit::function> resource_funcs;
    for (const auto& [k, item] : w.imports)
      if (item.kind == wit::world_item::kind::type) types.insert(k.name, item.type);
    for (const auto& [k, item] : w.imports)
      if (item.kind == wit::world_item::kind::function && item.func.kind != wit::function_kind::freestanding &&
          item.func.kind != wit::function_kind::async_freestanding)
        resource_funcs.insert(k.name, item.func);
    body("  ", types, resource_funcs, true);
    std::size_t before_exports = 0;
    for (int pass = 0; pass < 2; ++pass) {
      const auto& items = pass == 0 ? w.imports : w.exports;
      const char* dir = pass == 0 ? "import" : "export";
      // A blank line separates imports from exports, as wasm-tools prints them.
      if (pass == 1 && out.size() != before_exports && !items.empty()) out += "\n";
      if (pass == 0) before_exports = out.size();
      for (const auto& [k, item] : items) {
        switch (item.kind) {
          case wit::world_item::kind::interface:
            if (k.is_interface) {
              out += fmt::format("  {} {};\n", dir, iface_ref(k.iface));
            } else {
              out += fmt::format("  {} {}: interface {{\n", dir, ident(k.name));
              body("    ", r_[item.iface].types, r_[item.iface].functions, false);
              out += "  }\n";
            }
            break;
          case wit::world_item::kind::function:
            if (item.func.kind == wit::function_kind::freestanding ||
                item.func.kind == wit::function_kind::async_freestanding)
              out += fmt::format("  {} {}: {};\n", dir, ident(k.name), func_sig(item.func, false));
            else if (pass == 1)
              out += fmt::format("  {} {}: {};\n", dir, ident(k.name), func_sig(item.func, false));
            break;
          case wit::world_item::kind::type: break;
        }
      }
    }
    out += "}\n";
  }

  void package() {
    const auto& p = r_[pkg_];
    out += "package " + p.name.to_string() + ";\n";
    for (const auto& [name, id] : p.interfaces) {
      out += "\n";
      interface(id);
    }
    for (const auto& [name, id] : p.worlds) {
      out += "\n";
      world(id);
    }
  }

 private:
  const wit::resolve& r_;
  wit::package_id pkg_;
};

}  // namespace

std::string print_wit(const wit::resolve& r, wit::package_id p) {
  printer pr(r, p);
  pr.package();
  return std::move(pr.out);
}

}  // namespace witc::binary
