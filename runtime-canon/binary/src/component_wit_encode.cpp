// WIT -> component types, as wit-component encodes them: each interface becomes an
// instance type whose named types are `(export "n" (type (eq i)))` (resources
// `(sub resource)`), types of other interfaces arrive by `alias outer` from an
// imported instance, and functions are exported after their types. Keeping the
// same shape (and order) as wit-component makes our output and theirs agree.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wit.hpp"

namespace witc::binary {
namespace component::detail {
namespace {

using wit::interface_id;
using wit::type_id;

std::uint8_t prim_byte(wit::primitive p) {
  switch (p) {
    case wit::primitive::bool_: return prim::bool_;
    case wit::primitive::u8: return prim::u8;
    case wit::primitive::u16: return prim::u16;
    case wit::primitive::u32: return prim::u32;
    case wit::primitive::u64: return prim::u64;
    case wit::primitive::s8: return prim::s8;
    case wit::primitive::s16: return prim::s16;
    case wit::primitive::s32: return prim::s32;
    case wit::primitive::s64: return prim::s64;
    case wit::primitive::f32: return prim::f32;
    case wit::primitive::f64: return prim::f64;
    case wit::primitive::char_: return prim::char_;
    case wit::primitive::string: return prim::string;
    case wit::primitive::error_context: return prim::error_context;
  }
  return prim::bool_;
}

std::string version_suffix(const std::optional<std::string>& v) { return v ? "@" + *v : ""; }

// `ns:pkg/name@version` for an interface (or world) of package `p`.
std::string qualified(const wit::resolve& r, wit::package_id p, const std::string& name) {
  const auto& n = r[p].name;
  return n.ns + ":" + n.name + "/" + name + version_suffix(n.version);
}

result<std::string> interface_name(const wit::resolve& r, interface_id i) {
  const auto& in = r[i];
  if (!in.name || !in.package) return fail(diagnostic::global("an inline interface has no qualified name"));
  return qualified(r, *in.package, *in.name);
}

// One type index space being filled: the outer component type, or an instance
// type inside it.
struct scope_builder {
  componenttype ct;
  std::uint32_t types = 0;
};

class encoder {
 public:
  explicit encoder(const wit::resolve& r) : r_(r) {}

  // ---- scopes ----
  scope_builder outer;
  std::optional<scope_builder> inst;
  std::unordered_map<std::uint32_t, std::uint32_t> type_map;       // wit type -> index in the current scope
  std::unordered_map<std::string, std::uint32_t> func_type_map;    // signature -> index
  std::unordered_map<std::uint32_t, std::uint32_t> import_map;     // interface -> outer instance index
  std::unordered_map<std::uint32_t, std::uint32_t> outer_type_map; // wit type -> outer alias index
  std::uint32_t instances = 0;
  bool import_types = false;
  std::optional<interface_id> iface;

  scope_builder& cur() { return inst ? *inst : outer; }

  std::uint32_t define(type t) {
    decl d;
    d.tag = 1;
    d.type = std::move(t);
    cur().ct.decls.push_back(std::move(d));
    return cur().types++;
  }
  std::uint32_t define_val(defvaltype v) {
    type t;
    t.def = std::move(v);
    return define(std::move(t));
  }
  void add_extern(std::uint8_t tag, const std::string& name, externtype e, scope_builder& s) {
    decl d;
    d.tag = tag;
    d.name.name = name;
    d.ext = e;
    s.ct.decls.push_back(std::move(d));
  }
  std::uint32_t export_type(std::uint32_t idx, const std::string& name) {
    externtype e;
    e.kind = 3;
    e.idx = idx;
    add_extern(!inst && import_types ? 3 : 4, name, e, cur());
    return cur().types++;
  }
  std::uint32_t export_resource(const std::string& name) {
    externtype e;
    e.kind = 3;
    e.bound_eq = false;
    add_extern(!inst && import_types ? 3 : 4, name, e, cur());
    return cur().types++;
  }
  result<std::uint32_t> import_type(interface_id owner, type_id id) {
    auto it = outer_type_map.find(id.index);
    std::uint32_t outer_idx;
    if (it != outer_type_map.end()) {
      outer_idx = it->second;
    } else {
      auto inst_it = import_map.find(owner.index);
      if (inst_it == import_map.end())
        return fail(diagnostic::global(fmt::format("type `{}` comes from an interface that is not imported first",
                                                   r_[id].name.value_or("?"))));
      decl d;
      d.tag = 2;
      d.alias.sort.kind = sort_kind::type;
      d.alias.target = 0;
      d.alias.instance = inst_it->second;
      d.alias.name = *r_[id].name;
      outer.ct.decls.push_back(std::move(d));
      outer_idx = outer.types++;
      outer_type_map[id.index] = outer_idx;
    }
    if (!inst) return outer_idx;
    decl d;
    d.tag = 2;
    d.alias.sort.kind = sort_kind::type;
    d.alias.target = 2;
    d.alias.count = 1;
    d.alias.idx = outer_idx;
    inst->ct.decls.push_back(std::move(d));
    return inst->types++;
  }

  void push_instance() {
    saved_ = {std::move(type_map), std::move(func_type_map)};
    type_map.clear();
    func_type_map.clear();
    inst = scope_builder{};
  }
  componenttype pop_instance() {
    type_map = std::move(saved_.first);
    func_type_map = std::move(saved_.second);
    componenttype ct = std::move(inst->ct);
    inst.reset();
    return ct;
  }
  std::uint32_t add_instance_type(componenttype ct) {
    type t;
    t.instance = true;
    t.def = std::move(ct);
    decl d;
    d.tag = 1;
    d.type = std::move(t);
    outer.ct.decls.push_back(std::move(d));
    return outer.types++;
  }

  // ---- types ----
  result<valtype> opt_encode(const std::optional<wit::type>& t, std::optional<valtype>& out) {
    if (!t) return valtype{};
    WITC_TRY(valtype v, encode(*t));
    out = v;
    return v;
  }

  result<valtype> encode(wit::type t) {
    valtype v;
    if (!t.is_id()) {
      v.prim = prim_byte(t.prim());
      return v;
    }
    type_id id = t.id();
    if (auto it = type_map.find(id.index); it != type_map.end()) return index(it->second);
    const auto& td = r_[id];
    if (td.owner.kind == wit::type_owner::kind::interface && (!iface || iface->index != td.owner.index)) {
      WITC_TRY(std::uint32_t i, import_type(interface_id{td.owner.index}, id));
      type_map[id.index] = i;
      return index(i);
    }
    std::optional<valtype> encoded;
    defvaltype d;
    bool define_it = true;
    const auto& k = td.kind;
    if (const auto* rec = std::get_if<wit::record>(&k)) {
      d.code = 0x72;
      for (const auto& f : rec->fields) {
        WITC_TRY(valtype x, encode(f.ty));
        d.fields.push_back({f.name, x});
      }
    } else if (const auto* tu = std::get_if<wit::tuple>(&k)) {
      d.code = 0x6f;
      for (const auto& x : tu->types) {
        WITC_TRY(valtype e, encode(x));
        d.types.push_back(e);
      }
    } else if (const auto* fl = std::get_if<wit::flags>(&k)) {
      d.code = 0x6e;
      for (const auto& f : fl->flags) d.names.push_back(f.name);
    } else if (const auto* va = std::get_if<wit::variant>(&k)) {
      d.code = 0x71;
      for (const auto& c : va->cases) {
        variant_case vc;
        vc.name = c.name;
        if (c.ty) {
          WITC_TRY(valtype e, encode(*c.ty));
          vc.type = e;
        }
        d.cases.push_back(std::move(vc));
      }
    } else if (const auto* en = std::get_if<wit::enum_>(&k)) {
      d.code = 0x6d;
      for (const auto& c : en->cases) d.names.push_back(c.name);
    } else if (const auto* op = std::get_if<wit::option>(&k)) {
      d.code = 0x6b;
      WITC_TRY(valtype e, encode(op->inner));
      d.a = e;
    } else if (const auto* re = std::get_if<wit::result_>(&k)) {
      d.code = 0x6a;
      WITC_TRY(auto a, opt_encode(re->ok, d.a));
      WITC_TRY(auto b, opt_encode(re->err, d.b));
      (void)a;
      (void)b;
    } else if (const auto* li = std::get_if<wit::list>(&k)) {
      d.code = 0x70;
      WITC_TRY(valtype e, encode(li->element));
      d.a = e;
    } else if (const auto* fx = std::get_if<wit::fixed_list>(&k)) {
      d.code = 0x67;
      WITC_TRY(valtype e, encode(fx->element));
      d.a = e;
      d.idx = fx->size;
    } else if (const auto* ma = std::get_if<wit::map>(&k)) {
      d.code = 0x63;
      WITC_TRY(valtype a, encode(ma->key));
      WITC_TRY(valtype b, encode(ma->value));
      d.a = a;
      d.b = b;
    } else if (const auto* fu = std::get_if<wit::future>(&k)) {
      d.code = 0x65;
      WITC_TRY(auto a, opt_encode(fu->inner, d.a));
      (void)a;
    } else if (const auto* st = std::get_if<wit::stream>(&k)) {
      d.code = 0x66;
      WITC_TRY(auto a, opt_encode(st->inner, d.a));
      (void)a;
    } else if (const auto* h = std::get_if<wit::handle>(&k)) {
      d.code = h->borrow ? 0x68 : 0x69;
      WITC_TRY(valtype e, encode(wit::type::of(h->resource)));
      d.idx = e.idx;
    } else if (std::get_if<wit::resource>(&k)) {
      if (!td.name) return fail(diagnostic::global("a resource has no name"));
      std::uint32_t i = export_resource(*td.name);
      type_map[id.index] = i;
      return index(i);
    } else if (const auto* al = std::get_if<wit::alias>(&k)) {
      WITC_TRY(valtype e, encode(al->target));
      encoded = e;
      define_it = false;
    } else {
      return fail(diagnostic::global(fmt::format("type `{}` is not resolved", td.name.value_or("?"))));
    }
    if (define_it) encoded = index(define_val(std::move(d)));
    if (td.name) {
      std::uint32_t i;
      if (encoded->is_prim) {
        defvaltype p;
        p.code = encoded->prim;
        i = define_val(std::move(p));
      } else {
        i = encoded->idx;
      }
      encoded = index(export_type(i, *td.name));
    }
    if (!encoded->is_prim) type_map[id.index] = encoded->idx;
    return *encoded;
  }

  static valtype index(std::uint32_t i) {
    valtype v;
    v.is_prim = false;
    v.idx = i;
    return v;
  }

  static std::string key_of(const valtype& v) {
    return v.is_prim ? fmt::format("p{}", v.prim) : fmt::format("t{}", v.idx);
  }

  result<std::uint32_t> encode_func(const wit::function& f) {
    functype ft;
    ft.async = f.kind == wit::function_kind::async_freestanding || f.kind == wit::function_kind::async_method ||
               f.kind == wit::function_kind::async_static;
    std::string key = ft.async ? "async(" : "(";
    for (const auto& p : f.params) {
      WITC_TRY(valtype v, encode(p.ty));
      ft.params.push_back({p.name, v});
      key += p.name + ":" + key_of(v) + ",";
    }
    key += ")->";
    if (f.result) {
      WITC_TRY(valtype v, encode(*f.result));
      // A constructor may name its resource directly: that is an owned handle.
      if (f.result->is_id() && std::holds_alternative<wit::resource>(r_[f.result->id()].kind)) {
        defvaltype own;
        own.code = 0x69;
        own.idx = v.idx;
        v = index(define_val(std::move(own)));
      }
      ft.result = v;
      key += key_of(v);
    }
    if (auto it = func_type_map.find(key); it != func_type_map.end()) return it->second;
    type t;
    t.def = std::move(ft);
    std::uint32_t i = define(std::move(t));
    func_type_map[key] = i;
    return i;
  }

  // The interface as an instance type in `outer`; returns its type index.
  result<std::uint32_t> encode_instance(interface_id id) {
    push_instance();
    const auto& in = r_[id];
    std::vector<std::uint32_t> order;
    for (const auto& [name, t] : in.types) {
      WITC_TRY(valtype v, encode(wit::type::of(t)));
      (void)v;
      order.push_back(t.index);
    }
    // Resource functions first, in the order of their resources; freestanding last.
    std::vector<const wit::function*> funcs;
    for (const auto& [name, f] : in.functions) funcs.push_back(&f);
    auto rank = [&](const wit::function* f) -> std::size_t {
      bool attached = f->kind == wit::function_kind::method || f->kind == wit::function_kind::async_method ||
                      f->kind == wit::function_kind::static_ || f->kind == wit::function_kind::async_static ||
                      f->kind == wit::function_kind::constructor;
      if (!attached) return order.size();
      auto it = std::find(order.begin(), order.end(), f->resource.index);
      return it == order.end() ? order.size() : static_cast<std::size_t>(it - order.begin());
    };
    std::stable_sort(funcs.begin(), funcs.end(), [&](auto* a, auto* b) { return rank(a) < rank(b); });
    for (const auto* f : funcs) {
      WITC_TRY(std::uint32_t i, encode_func(*f));
      externtype e;
      e.kind = 1;
      e.idx = i;
      add_extern(4, f->name, e, *inst);
    }
    std::uint32_t idx = add_instance_type(pop_instance());
    import_map[id.index] = instances++;
    return idx;
  }

  // Only the interface's types, for an interface imported as a dependency.
  result<std::uint32_t> encode_types_only(interface_id id) {
    push_instance();
    for (const auto& [name, t] : r_[id].types) {
      WITC_TRY(valtype v, encode(wit::type::of(t)));
      (void)v;
    }
    std::uint32_t idx = add_instance_type(pop_instance());
    import_map[id.index] = instances++;
    return idx;
  }

  result<std::string> key_name(const wit::world_key& k) {
    if (!k.is_interface) return k.name;
    return interface_name(r_, k.iface);
  }

  result<componenttype> world(wit::world_id wid) {
    const auto& w = r_[wid];
    std::vector<std::pair<const wit::world_key*, const wit::world_item*>> imports;
    for (const auto& [k, item] : w.imports) imports.emplace_back(&k, &item);
    auto attached = [](const wit::world_item* it) {
      return it->kind == wit::world_item::kind::function && it->func.kind != wit::function_kind::freestanding &&
             it->func.kind != wit::function_kind::async_freestanding;
    };
    std::stable_sort(imports.begin(), imports.end(),
                     [&](const auto& a, const auto& b) { return !attached(a.second) && attached(b.second); });
    for (const auto& [k, item] : imports) WITC_CHECK(world_item(*k, *item, true));
    for (const auto& [k, item] : w.exports) WITC_CHECK(world_item(k, item, false));
    return std::move(outer.ct);
  }

  result<void> world_item(const wit::world_key& k, const wit::world_item& item, bool import) {
    WITC_TRY(std::string name, key_name(k));
    externtype e;
    switch (item.kind) {
      case wit::world_item::kind::interface: {
        iface = item.iface;
        WITC_TRY(std::uint32_t i, encode_instance(item.iface));
        e.kind = 5;
        e.idx = i;
        break;
      }
      case wit::world_item::kind::function: {
        iface.reset();
        WITC_TRY(std::uint32_t i, encode_func(item.func));
        e.kind = 1;
        e.idx = i;
        break;
      }
      case wit::world_item::kind::type: {
        iface.reset();
        import_types = import;
        WITC_TRY(valtype v, encode(wit::type::of(item.type)));
        (void)v;
        import_types = false;
        return ok;
      }
    }
    add_extern(import ? 3 : 4, name, e, outer);
    return ok;
  }

  // The interface and every interface its types come from, dependencies first.
  void live(interface_id id, std::vector<interface_id>& out) {
    if (std::find(out.begin(), out.end(), id) != out.end()) return;
    for (const auto& [name, t] : r_[id].types) {
      const auto& td = r_[t];
      const auto* al = std::get_if<wit::alias>(&td.kind);
      if (!al || !al->target.is_id()) continue;
      const auto& other = r_[al->target.id()];
      if (other.owner.kind == wit::type_owner::kind::interface &&
          !(td.owner.kind == other.owner.kind && td.owner.index == other.owner.index))
        live(interface_id{other.owner.index}, out);
    }
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }

  result<componenttype> interface_component(interface_id id) {
    std::vector<interface_id> ifaces;
    live(id, ifaces);
    for (auto i : ifaces) {
      iface = i;
      WITC_TRY(std::string name, interface_name(r_, i));
      externtype e;
      e.kind = 5;
      if (i == id) {
        WITC_TRY(e.idx, encode_instance(i));
        add_extern(4, name, e, outer);
      } else {
        WITC_TRY(e.idx, encode_types_only(i));
        add_extern(3, name, e, outer);
      }
    }
    iface.reset();
    return std::move(outer.ct);
  }

 private:
  const wit::resolve& r_;
  std::pair<std::unordered_map<std::uint32_t, std::uint32_t>, std::unordered_map<std::string, std::uint32_t>> saved_;
};

// A top-level component: `(type T) (export "name" (type T))` for each item, then customs.
struct package_builder {
  component c;
  std::uint32_t types = 0;

  void add_type_export(const std::string& name, type t) {
    section ts;
    ts.id = 7;
    ts.body = std::vector<type>{std::move(t)};
    c.sections.push_back(std::move(ts));
    section es;
    es.id = 11;
    export_ e;
    e.name.name = name;
    e.item.sort.kind = sort_kind::type;
    e.item.idx = types;
    es.body = std::vector<export_>{std::move(e)};
    c.sections.push_back(std::move(es));
    types += 2;  // the type and the export's new index
  }
  void add_custom(std::string name, std::vector<std::uint8_t> data) {
    section s;
    s.id = 0;
    s.body = custom{std::move(name), std::move(data)};
    c.sections.push_back(std::move(s));
  }
};

std::vector<std::uint8_t> producers_section() {
  // producers: one field `processed-by` with one value `witc` `0.1.0`.
  std::vector<std::uint8_t> out;
  auto str = [&](std::string_view s) {
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  };
  out.push_back(1);
  str("processed-by");
  out.push_back(1);
  str("witc");
  str("0.1.0");
  return out;
}

type component_type_of(componenttype ct) {
  type t;
  t.def = std::move(ct);
  return t;
}

// `(component (type <inner>) (export "ns:pkg/name" (component (type 0))))`.
type wrap_world(componenttype inner, const std::string& qualified_name) {
  componenttype w;
  decl d;
  d.tag = 1;
  d.type = component_type_of(std::move(inner));
  w.decls.push_back(std::move(d));
  decl e;
  e.tag = 4;
  e.name.name = qualified_name;
  e.ext.kind = 4;
  e.ext.idx = 0;
  w.decls.push_back(std::move(e));
  return component_type_of(std::move(w));
}

}  // namespace
}  // namespace component::detail

result<component::type> world_type(const wit::resolve& r, wit::world_id w) {
  component::detail::encoder e(r);
  WITC_TRY(component::componenttype ct, e.world(w));
  return component::detail::component_type_of(std::move(ct));
}

std::string world_section_name(const wit::resolve& r, wit::world_id w) {
  return "component-type:" + r[w].name;
}

result<std::vector<std::uint8_t>> encode_world(const wit::resolve& r, wit::world_id w, string_encoding enc) {
  using namespace component::detail;
  if (!r[w].package) return fail(diagnostic::global(fmt::format("world `{}` belongs to no package", r[w].name)));
  WITC_TRY(component::type t, world_type(r, w));
  package_builder b;
  b.add_custom("wit-component-encoding", {0x04, static_cast<std::uint8_t>(enc)});
  auto inner = std::move(std::get<component::componenttype>(t.def));
  b.add_type_export(r[w].name, wrap_world(std::move(inner), qualified(r, *r[w].package, r[w].name)));
  b.add_custom("producers", producers_section());
  return write_component(b.c);
}

result<std::vector<std::uint8_t>> encode_package(const wit::resolve& r, wit::package_id p) {
  using namespace component::detail;
  package_builder b;
  for (const auto& [name, id] : r[p].interfaces) {
    encoder e(r);
    WITC_TRY(component::componenttype ct, e.interface_component(id));
    b.add_type_export(name, component_type_of(std::move(ct)));
  }
  for (const auto& [name, wid] : r[p].worlds) {
    encoder e(r);
    WITC_TRY(component::componenttype ct, e.world(wid));
    b.add_type_export(name, wrap_world(std::move(ct), qualified(r, p, name)));
  }
  b.add_custom("producers", producers_section());
  return write_component(b.c);
}

}  // namespace witc::binary
