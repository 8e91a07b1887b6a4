// Component types -> WIT: the validator resolves every type of the component, and
// this walks the root's exports (an encoded WIT package or world) or its imports
// and exports (any other component) into a fresh `wit::resolve`.
#include <fmt/format.h>

#include <map>

#include "component_types.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wit.hpp"

namespace witc::binary {
namespace component::detail {
namespace {

using wit::interface_id;
using wit::package_id;
using wit::type_id;
using wit::world_id;

std::optional<wit::primitive> primitive_of(std::uint8_t b) {
  switch (b) {
    case prim::bool_: return wit::primitive::bool_;
    case prim::u8: return wit::primitive::u8;
    case prim::u16: return wit::primitive::u16;
    case prim::u32: return wit::primitive::u32;
    case prim::u64: return wit::primitive::u64;
    case prim::s8: return wit::primitive::s8;
    case prim::s16: return wit::primitive::s16;
    case prim::s32: return wit::primitive::s32;
    case prim::s64: return wit::primitive::s64;
    case prim::f32: return wit::primitive::f32;
    case prim::f64: return wit::primitive::f64;
    case prim::char_: return wit::primitive::char_;
    case prim::string: return wit::primitive::string;
    case prim::error_context: return wit::primitive::error_context;
    default: return std::nullopt;
  }
}

// `ns:pkg/name@1.0.0` split into its parts.
struct qualified_name {
  std::string ns, pkg, name;
  std::optional<std::string> version;
};
std::optional<qualified_name> split(const std::string& s) {
  auto colon = s.find(':');
  auto slash = s.find('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon) return std::nullopt;
  qualified_name q;
  q.ns = s.substr(0, colon);
  q.pkg = s.substr(colon + 1, slash - colon - 1);
  std::string rest = s.substr(slash + 1);
  auto at = rest.find('@');
  q.name = rest.substr(0, at);
  if (at != std::string::npos) q.version = rest.substr(at + 1);
  return q;
}

failure error(std::string msg) { return fail(diagnostic::global(std::move(msg))); }

class wit_decoder {
 public:
  explicit wit_decoder(const typed_component& tc) : tc_(tc) {}
  wit::resolve r;
  std::vector<package_id> main_packages;

  const tnode& node(tid t) const { return tc_.arena[t]; }

  package_id package(const std::string& ns, const std::string& name, const std::optional<std::string>& version) {
    std::string key = ns + ":" + name + (version ? "@" + *version : "");
    if (auto it = packages_.find(key); it != packages_.end()) return it->second;
    wit::package p;
    p.name = wit::package_name{ns, name, version};
    r.packages.push_back(std::move(p));
    package_id id{static_cast<std::uint32_t>(r.packages.size() - 1)};
    packages_[key] = id;
    return id;
  }

  void note_main(package_id p) {
    if (std::find(main_packages.begin(), main_packages.end(), p) == main_packages.end()) main_packages.push_back(p);
  }

  result<interface_id> named_interface(const std::string& qualified) {
    if (auto it = interfaces_.find(qualified); it != interfaces_.end()) return it->second;
    auto q = split(qualified);
    if (!q) return error(fmt::format("`{}` is not an interface name", qualified));
    package_id p = package(q->ns, q->pkg, q->version);
    wit::interface in;
    in.name = q->name;
    in.package = p;
    r.interfaces.push_back(std::move(in));
    interface_id id{static_cast<std::uint32_t>(r.interfaces.size() - 1)};
    r[p].interfaces.insert(q->name, id);
    interfaces_[qualified] = id;
    return id;
  }

  type_id add_type(wit::type_def td) {
    r.types.push_back(std::move(td));
    return type_id{static_cast<std::uint32_t>(r.types.size() - 1)};
  }

  // ---- value types ----
  result<wit::type> value(const vt& v) {
    if (v.prim) {
      auto p = primitive_of(v.p);
      if (!p) return error("unknown primitive type");
      return wit::type::of(*p);
    }
    if (auto it = tmap_.find(v.t); it != tmap_.end()) return wit::type::of(it->second);
    const tnode& n = node(v.t);
    if (n.kind != tk::defval) return error("a value type that is not a defined type");
    if (auto p = primitive_of(n.code)) return wit::type::of(*p);
    wit::type_def td;
    WITC_TRY(td.kind, kind_of(n));
    type_id id = add_type(std::move(td));
    tmap_[v.t] = id;
    return wit::type::of(id);
  }

  result<std::optional<wit::type>> opt(const std::optional<vt>& v) {
    if (!v) return std::optional<wit::type>{};
    WITC_TRY(wit::type t, value(*v));
    return std::optional<wit::type>(t);
  }

  result<wit::type_def_kind> kind_of(const tnode& n) {
    switch (n.code) {
      case 0x72: {
        wit::record rec;
        for (const auto& [name, v] : n.fields) {
          WITC_TRY(wit::type t, value(v));
          rec.fields.push_back(wit::field{name, t, {}, {}});
        }
        return wit::type_def_kind{std::move(rec)};
      }
      case 0x71: {
        wit::variant var;
        for (const auto& [name, v] : n.cases) {
          WITC_TRY(std::optional<wit::type> t, opt(v));
          var.cases.push_back(wit::variant_case{name, t, {}, {}});
        }
        return wit::type_def_kind{std::move(var)};
      }
      case 0x6f: {
        wit::tuple tu;
        for (const auto& v : n.types) {
          WITC_TRY(wit::type t, value(v));
          tu.types.push_back(t);
        }
        return wit::type_def_kind{std::move(tu)};
      }
      case 0x6e: {
        wit::flags fl;
        for (const auto& nm : n.names) fl.flags.push_back(wit::flag{nm, {}});
        return wit::type_def_kind{std::move(fl)};
      }
      case 0x6d: {
        wit::enum_ en;
        for (const auto& nm : n.names) en.cases.push_back(wit::enum_case{nm, {}});
        return wit::type_def_kind{std::move(en)};
      }
      case 0x6b: { WITC_TRY(wit::type t, value(*n.a)); return wit::type_def_kind{wit::option{t}}; }
      case 0x6a: {
        WITC_TRY(std::optional<wit::type> a, opt(n.a));
        WITC_TRY(std::optional<wit::type> b, opt(n.b));
        return wit::type_def_kind{wit::result_{a, b}};
      }
      case 0x70: { WITC_TRY(wit::type t, value(*n.a)); return wit::type_def_kind{wit::list{t}}; }
      case 0x67: { WITC_TRY(wit::type t, value(*n.a)); return wit::type_def_kind{wit::fixed_list{t, n.len}}; }
      case 0x63: {
        WITC_TRY(wit::type k, value(*n.a));
        WITC_TRY(wit::type v, value(*n.b));
        return wit::type_def_kind{wit::map{k, v}};
      }
      case 0x65: { WITC_TRY(std::optional<wit::type> t, opt(n.a)); return wit::type_def_kind{wit::future{t}}; }
      case 0x66: { WITC_TRY(std::optional<wit::type> t, opt(n.a)); return wit::type_def_kind{wit::stream{t}}; }
      case 0x69: case 0x68: {
        type_id res;
        if (auto it = tmap_.find(n.ref); it != tmap_.end()) res = it->second;
        else if (auto jt = rmap_.find(n.res); jt != rmap_.end()) res = jt->second;
        else return error("a handle to a resource without a name");
        return wit::type_def_kind{wit::handle{n.code == 0x68, res}};
      }
      default: return error(fmt::format("unsupported type 0x{:x}", n.code));
    }
  }

  // A named type of an interface or world: a new definition, or an alias of one
  // seen before (`use`, or `type a = b`).
  result<type_id> named_type(const std::string& name, tid t, wit::type_owner owner) {
    wit::type_def td;
    td.name = name;
    td.owner = owner;
    const tnode& n = node(t);
    if (auto it = tmap_.find(t); it != tmap_.end()) {
      td.kind = wit::alias{wit::type::of(it->second)};
      return add_type(std::move(td));
    }
    // A new index for a type already named elsewhere: `use`, or `type a = b`.
    if (n.alias_of)
      if (auto it = tmap_.find(*n.alias_of); it != tmap_.end()) {
        td.kind = wit::alias{wit::type::of(it->second)};
        type_id id = add_type(std::move(td));
        tmap_[t] = id;
        return id;
      }
    // A resource already named by another interface, reached through a new node:
    // an exported instance made by instantiating a component that imports the
    // resource and re-exports it (wit-component's shape for `use` in an export).
    // Only a named interface can be the source of a `use`.
    if (n.kind == tk::resource)
      if (auto it = rmap_.find(n.res); it != rmap_.end() && usable_from(r[it->second].owner)) {
        td.kind = wit::alias{wit::type::of(it->second)};
        type_id id = add_type(std::move(td));
        tmap_[t] = id;
        return id;
      }
    if (n.kind == tk::resource) {
      td.kind = wit::resource{};
      type_id id = add_type(std::move(td));
      tmap_[t] = id;
      rmap_.emplace(n.res, id);
      return id;
    }
    if (n.kind != tk::defval) return error(fmt::format("type `{}` is not a value type", name));
    if (auto p = primitive_of(n.code)) {
      td.kind = wit::alias{wit::type::of(*p)};
    } else {
      WITC_TRY(td.kind, kind_of(n));
    }
    type_id id = add_type(std::move(td));
    tmap_[t] = id;
    return id;
  }

  bool usable_from(const wit::type_owner& o) const {
    return o.kind == wit::type_owner::kind::interface && r.interfaces[o.index].name.has_value();
  }

  result<wit::function> function(const std::string& name, tid t,
                                 const ordered_map<std::string, type_id>& scope_types) {
    const tnode& f = node(t);
    wit::function fn;
    fn.name = name;
    auto resource_named = [&](const std::string& r) -> result<type_id> {
      auto it = scope_types.find(r);
      if (it == scope_types.end()) return error(fmt::format("function `{}` names an unknown resource `{}`", name, r));
      return it->second;
    };
    auto after = [&](std::string_view prefix) { return name.substr(prefix.size()); };
    if (name.rfind("[constructor]", 0) == 0) {
      fn.kind = wit::function_kind::constructor;
      WITC_TRY(fn.resource, resource_named(after("[constructor]")));
    } else if (name.rfind("[method]", 0) == 0 || name.rfind("[static]", 0) == 0) {
      bool method = name[1] == 'm';
      std::string rest = after("[method]");
      WITC_TRY(fn.resource, resource_named(rest.substr(0, rest.find('.'))));
      fn.kind = method ? (f.async ? wit::function_kind::async_method : wit::function_kind::method)
                       : (f.async ? wit::function_kind::async_static : wit::function_kind::static_);
    } else {
      fn.kind = f.async ? wit::function_kind::async_freestanding : wit::function_kind::freestanding;
    }
    for (const auto& [pname, v] : f.fields) {
      WITC_TRY(wit::type ty, value(v));
      fn.params.push_back(wit::param{pname, ty, {}});
    }
    WITC_TRY(fn.result, opt(f.a));
    return fn;
  }

  // The exports of an instance type into interface `id` (types it already has are kept).
  result<void> instance_into(tid inst, interface_id id) {
    wit::type_owner owner{wit::type_owner::kind::interface, id.index};
    for (const auto& [name, e] : node(inst).exports) {
      if (e.kind == ek::type) {
        if (auto it = r[id].types.find(name); it != r[id].types.end()) {
          tmap_.emplace(e.t, it->second);
          if (node(e.t).kind == tk::resource) rmap_.emplace(node(e.t).res, it->second);
          continue;
        }
        WITC_TRY(type_id t, named_type(name, e.t, owner));
        r[id].types.insert(name, t);
      } else if (e.kind == ek::func) {
        if (r[id].functions.find(name) != r[id].functions.end()) continue;
        WITC_TRY(wit::function f, function(name, e.t, r[id].types));
        r[id].functions.insert(name, std::move(f));
      } else {
        return error(fmt::format("interface item `{}` is not a type or function", name));
      }
    }
    return ok;
  }

  result<void> world_items(const tnode& c, world_id w, package_id pkg) {
    for (int pass = 0; pass < 2; ++pass) {
      bool import = pass == 0;
      const auto& items = import ? c.imports : c.exports;
      for (const auto& [name, e] : items) {
        wit::world_key key;
        wit::world_item item;
        switch (e.kind) {
          case ek::instance: {
            item.kind = wit::world_item::kind::interface;
            if (split(name)) {
              WITC_TRY(interface_id id, named_interface(name));
              WITC_CHECK(instance_into(e.t, id));
              key.is_interface = true;
              key.iface = id;
              item.iface = id;
            } else {
              wit::interface in;
              in.package = pkg;
              r.interfaces.push_back(std::move(in));
              interface_id id{static_cast<std::uint32_t>(r.interfaces.size() - 1)};
              WITC_CHECK(instance_into(e.t, id));
              key.name = name;
              item.iface = id;
            }
            break;
          }
          case ek::func: {
            item.kind = wit::world_item::kind::function;
            key.name = name;
            WITC_TRY(item.func, function(name, e.t, world_types_));
            break;
          }
          case ek::type: {
            item.kind = wit::world_item::kind::type;
            key.name = name;
            WITC_TRY(item.type, named_type(name, e.t, wit::type_owner{wit::type_owner::kind::world, w.index}));
            world_types_.insert(name, item.type);
            break;
          }
          default:
            return error(fmt::format("world item `{}` is a {}, which WIT cannot describe", name,
                                     e.kind == ek::module ? "core module" : e.kind == ek::component ? "component" : "value"));
        }
        auto& target = import ? r[w].imports : r[w].exports;
        target.insert(std::move(key), std::move(item));
      }
    }
    return ok;
  }

  result<world_id> world(const std::string& name, package_id pkg, const tnode& c) {
    wit::world wd;
    wd.name = name;
    wd.package = pkg;
    r.worlds.push_back(std::move(wd));
    world_id w{static_cast<std::uint32_t>(r.worlds.size() - 1)};
    r[pkg].worlds.insert(name, w);
    world_types_ = {};
    WITC_CHECK(world_items(c, w, pkg));
    return w;
  }

  // Is the root an encoded WIT package: only type exports, each a component type
  // exporting one `ns:pkg/name` item?
  bool is_package() const {
    const tnode& root = node(tc_.root);
    if (!root.imports.empty() || root.exports.empty()) return false;
    for (const auto& [name, e] : root.exports) {
      if (e.kind != ek::type || node(e.t).kind != tk::component) return false;
      const tnode& c = node(e.t);
      if (c.exports.size() != 1 || !split(c.exports[0].first)) return false;
    }
    return true;
  }

  result<std::optional<world_id>> package_items() {
    std::optional<world_id> only_world;
    int worlds = 0, ifaces = 0;
    for (const auto& [name, e] : node(tc_.root).exports) {
      const tnode& c = node(e.t);
      const auto& [qname, item] = c.exports[0];
      auto q = *split(qname);
      if (item.kind == ek::instance) {
        for (const auto& [dep, de] : c.imports) {
          if (de.kind != ek::instance) continue;
          WITC_TRY(interface_id d, named_interface(dep));
          WITC_CHECK(instance_into(de.t, d));
        }
        WITC_TRY(interface_id id, named_interface(qname));
        WITC_CHECK(instance_into(item.t, id));
        note_main(*r[id].package);
        ++ifaces;
      } else if (item.kind == ek::component) {
        package_id p = package(q.ns, q.pkg, q.version);
        WITC_TRY(world_id w, world(q.name, p, node(item.t)));
        note_main(p);
        only_world = w;
        ++worlds;
      } else {
        return error(fmt::format("`{}` is neither an interface nor a world", qname));
      }
    }
    if (worlds == 1 && ifaces == 0) return only_world;
    return std::optional<world_id>{};
  }

  result<world_id> component_world() {
    package_id p = package("root", "component", std::nullopt);
    note_main(p);
    return world("root", p, node(tc_.root));
  }

 private:
  const typed_component& tc_;
  std::unordered_map<tid, type_id> tmap_;
  std::unordered_map<rid, type_id> rmap_;
  std::map<std::string, package_id> packages_;
  std::map<std::string, interface_id> interfaces_;
  ordered_map<std::string, type_id> world_types_;
};

}  // namespace
}  // namespace component::detail

result<decoded_wit> decode_wit(std::span<const std::uint8_t> bytes, std::uint32_t base) {
  using namespace component::detail;
  WITC_TRY(component::component c, read_component(bytes, base));
  WITC_TRY(typed_component tc, type_component(c));
  wit_decoder d(tc);
  decoded_wit out;
  for (const auto& s : c.sections)
    if (const auto* cs = std::get_if<component::custom>(&s.body))
      if (cs->name == "wit-component-encoding" && cs->data.size() == 2 && cs->data[1] <= 2)
        out.encoding = static_cast<string_encoding>(cs->data[1]);
  if (d.is_package()) {
    WITC_TRY(out.world, d.package_items());
    out.is_package = true;
  } else {
    WITC_TRY(wit::world_id w, d.component_world());
    out.world = w;
  }
  out.packages = d.main_packages;
  out.resolve = std::move(d.r);
  return out;
}

}  // namespace witc::binary
