// Phase 2 of resolution: an `unresolved_package` joins the shared `resolve`.
// Mirrors wit-parser's `Remap::append`, `elaborate_world` and the `include` cloner.
// Walks over chains of types and interfaces use explicit stacks: a long chain of
// `use` or `type a = b` must not overflow the host stack.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "resolve/semver.hpp"
#include "resolve/unresolved.hpp"

namespace witc::wit::detail {
namespace {

failure semantic(witc::span s, std::string msg) { return fail(diagnostic::error(s, std::move(msg))); }

bool is_unknown(const wit::stability& s) { return s.kind == wit::stability::kind::unknown; }
bool same_owner(type_owner a, type_owner b) { return a.kind == b.kind && (a.kind == type_owner::kind::none || a.index == b.index); }

std::string debug_stability(const wit::stability& s) {
  std::string dep = s.deprecated() ? fmt::format("Some({})", *s.deprecated()) : "None";
  switch (s.kind) {
    case wit::stability::kind::unknown: return "Unknown";
    case wit::stability::kind::stable: return fmt::format("Stable {{ since: {}, deprecated: {} }}", s.since(), dep);
    case wit::stability::kind::unstable:
      return fmt::format("Unstable {{ feature: \"{}\", deprecated: {} }}", s.feature(), dep);
  }
  return "Unknown";
}

result<void> update_stability(const wit::stability& from, wit::stability& into, witc::span s) {
  if (from == into || is_unknown(from)) return ok;
  if (is_unknown(into)) {
    into = from;
    return ok;
  }
  return semantic(s, fmt::format("mismatch in stability from '{}' to '{}'", debug_stability(from),
                                 debug_stability(into)));
}

/// The interface `id` takes a type from through `use`, if not its own owner.
std::optional<interface_id> type_interface_dep(const resolve& r, type_id id) {
  const auto& t = r[id];
  auto* a = std::get_if<alias>(&t.kind);
  if (!a || !a->target.is_id()) return std::nullopt;
  const auto& other = r[a->target.id()];
  if (same_owner(t.owner, other.owner)) return std::nullopt;
  if (other.owner.kind != type_owner::kind::interface) return std::nullopt;
  return interface_id{other.owner.index};
}

std::vector<interface_id> interface_direct_deps(const resolve& r, interface_id id) {
  std::vector<interface_id> out;
  for (const auto& [name, ty] : r[id].types)
    if (auto d = type_interface_dep(r, ty)) out.push_back(*d);
  return out;
}

std::string id_of(const resolve& r, interface_id id) {
  const auto& i = r[id];
  if (!i.package || !i.name) return i.name.value_or("<anonymous>");
  const auto& pn = r[*i.package].name;
  std::string s = fmt::format("{}:{}/{}", pn.ns, pn.name, *i.name);
  if (pn.version) s += "@" + *pn.version;
  return s;
}

std::string name_world_key(const resolve& r, const world_key& k) {
  return k.is_interface ? id_of(r, k.iface) : k.name;
}

using item_map = ordered_map<world_key, world_item, world_key_hash>;

world_key iface_key(interface_id id) { return world_key{true, {}, id}; }

/// `rename` of wit-parser: `a` -> `b`, and `[method]a.f` -> `[method]b.f`.
std::optional<std::string> rename(const std::string& original, const include_name& n) {
  if (original == n.name) return n.as;
  auto close = original.find(']');
  if (close == std::string::npos) return std::nullopt;
  std::string kind = original.substr(0, close);
  std::string rest = original.substr(close + 1);
  auto dot = rest.find('.');
  if (dot != std::string::npos && rest.substr(0, dot) == n.name)
    return fmt::format("{}]{}.{}", kind, n.as, rest.substr(dot + 1));
  if (rest == n.name) return fmt::format("{}]{}", kind, n.as);
  return std::nullopt;
}

/// A reference to a type inside a definition being copied: a `wit::type` or a bare id.
struct type_slot {
  wit::type* ty = nullptr;
  type_id* id = nullptr;
  bool alias_rule = false;  // `type a = b`: copy `b` only when it has the same owner
  [[nodiscard]] type_id get() const { return ty ? ty->id() : *id; }
  void set(type_id v) const {
    if (ty) *ty = wit::type::of(v);
    else *id = v;
  }
};

void add_slot(std::vector<type_slot>& out, wit::type& t) {
  if (t.is_id()) out.push_back({&t, nullptr, false});
}
void add_slot(std::vector<type_slot>& out, std::optional<wit::type>& t) {
  if (t) add_slot(out, *t);
}

/// The type references of `k`, in wit-parser's visiting order.
std::vector<type_slot> slots_of(type_def_kind& k) {
  std::vector<type_slot> out;
  std::visit(
      [&](auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, alias>) {
          if (n.target.is_id()) out.push_back({&n.target, nullptr, true});
        } else if constexpr (std::is_same_v<T, handle>) {
          out.push_back({nullptr, &n.resource, false});
        } else if constexpr (std::is_same_v<T, option>) {
          add_slot(out, n.inner);
        } else if constexpr (std::is_same_v<T, list>) {
          add_slot(out, n.element);
        } else if constexpr (std::is_same_v<T, fixed_list>) {
          add_slot(out, n.element);
        } else if constexpr (std::is_same_v<T, map>) {
          add_slot(out, n.key);
          add_slot(out, n.value);
        } else if constexpr (std::is_same_v<T, tuple>) {
          for (auto& t : n.types) add_slot(out, t);
        } else if constexpr (std::is_same_v<T, record>) {
          for (auto& f : n.fields) add_slot(out, f.ty);
        } else if constexpr (std::is_same_v<T, variant>) {
          for (auto& c : n.cases) add_slot(out, c.ty);
        } else if constexpr (std::is_same_v<T, result_>) {
          add_slot(out, n.ok);
          add_slot(out, n.err);
        } else if constexpr (std::is_same_v<T, future> || std::is_same_v<T, stream>) {
          add_slot(out, n.inner);
        }
      },
      k);
  return out;
}

/// Deep copy of world items brought in by `include`, as wit-parser's `Cloner`.
struct cloner {
  resolve& r;
  std::unordered_map<std::uint32_t, type_id>& types;
  std::unordered_map<std::uint32_t, interface_id>& ifaces;
  type_owner prev_owner;
  type_owner new_owner;
  std::optional<package_id> new_package;

  struct frame {
    type_id orig;
    type_def def;
    std::vector<type_slot> slots;
    std::size_t next = 0;
    type_slot parent;
    bool has_parent = false;
  };

  frame make_frame(type_id orig) {
    frame f;
    f.orig = orig;
    f.def = r[orig];
    if (f.def.owner.kind != type_owner::kind::none && same_owner(f.def.owner, prev_owner)) f.def.owner = new_owner;
    return f;
  }

  // Post-order copy (children first), with an explicit stack.
  type_id clone_type(type_id root) {
    if (auto it = types.find(root.index); it != types.end()) return it->second;
    std::deque<frame> stack;
    stack.push_back(make_frame(root));
    stack.back().slots = slots_of(stack.back().def.kind);
    type_id result{};
    while (!stack.empty()) {
      frame& f = stack.back();
      if (f.next < f.slots.size()) {
        type_slot s = f.slots[f.next++];
        type_id child = s.get();
        auto mapped = types.find(child.index);
        if (s.alias_rule && !same_owner(r[child].owner, prev_owner)) {
          if (mapped != types.end()) s.set(mapped->second);
          continue;
        }
        if (mapped != types.end()) {
          s.set(mapped->second);
          continue;
        }
        frame nf = make_frame(child);
        nf.parent = s;
        nf.has_parent = true;
        stack.push_back(std::move(nf));
        stack.back().slots = slots_of(stack.back().def.kind);
        continue;
      }
      r.types.push_back(std::move(f.def));
      type_id id{static_cast<std::uint32_t>(r.types.size() - 1)};
      types[f.orig.index] = id;
      if (f.has_parent) f.parent.set(id);
      result = id;
      stack.pop_back();
    }
    return result;
  }

  void ty(wit::type& t) {
    if (t.is_id()) t = wit::type::of(clone_type(t.id()));
  }

  void function(wit::function& f) {
    if (f.kind != function_kind::freestanding && f.kind != function_kind::async_freestanding)
      f.resource = clone_type(f.resource);
    for (auto& p : f.params) ty(p.ty);
    if (f.result) ty(*f.result);
  }

  void interface(interface_id& id) {
    interface_id old = id;
    wit::interface copy = r[old];
    interface_id next{static_cast<std::uint32_t>(r.interfaces.size())};
    cloner inner{r, types, ifaces, {type_owner::kind::interface, old.index},
                 {type_owner::kind::interface, next.index}, std::nullopt};
    for (auto& [name, t] : copy.types) t = inner.clone_type(t);
    for (auto& [name, f] : copy.functions) inner.function(f);
    if (new_package) copy.package = new_package;
    else if (new_owner.kind == type_owner::kind::world) copy.package = r.worlds[new_owner.index].package;
    else if (new_owner.kind == type_owner::kind::interface) copy.package = r.interfaces[new_owner.index].package;
    copy.clone_of = old;
    r.interfaces.push_back(std::move(copy));
    id = interface_id{static_cast<std::uint32_t>(r.interfaces.size() - 1)};
    ifaces[old.index] = next;
  }

  void world_item_(const world_key& key, wit::world_item& item) {
    if (key.is_interface) return;
    switch (item.kind) {
      case world_item::kind::type: item.type = clone_type(item.type); break;
      case world_item::kind::function: function(item.func); break;
      case world_item::kind::interface:
        if (r[item.iface].name) return;
        interface(item.iface);
        break;
    }
  }
};

template <class Id>
result<Id> apply_map(const std::vector<std::optional<Id>>& m, Id id, std::string_view desc, witc::span s) {
  if (id.index >= m.size())
    return fail(diagnostic::error(s, fmt::format("internal error: {} used before it was defined", desc)));
  if (!m[id.index])
    return semantic(s, fmt::format("found a reference to a {} which is excluded due to its feature not being "
                                   "activated",
                                   desc));
  return *m[id.index];
}

struct remap {
  resolve& r;
  package_id pkg{};
  std::vector<std::optional<type_id>> types;
  std::vector<std::optional<interface_id>> interfaces;
  std::vector<std::optional<world_id>> worlds;
  // By resource type index: the index + 1 of its anonymous `own` handle, 0 = none
  // yet (a vector: every type use looks here).
  std::vector<std::uint32_t> own_handles;

  // The `own<res>` handle already made, or `nid` (just added), which becomes it.
  type_id own_handle(type_id res, type_id nid) {
    if (own_handles.size() <= res.index) own_handles.resize(std::max<std::size_t>(res.index + 1, r.types.size()), 0);
    auto& slot = own_handles[res.index];
    if (slot == 0) slot = nid.index + 1;
    return type_id{slot - 1};
  }
  std::vector<std::int8_t> has_borrow;  // per resolve type: -1 unknown
  // Per resolve type: whether it is a resource after following aliases, -1 not
  // yet known. Every type use asks, and chasing through the type arena itself
  // cost a cache miss per parameter on large packages.
  std::vector<std::int8_t> is_resource;

  bool resolves_to_resource(type_id id) {
    if (is_resource.size() <= id.index) is_resource.resize(std::max<std::size_t>(id.index + 1, r.types.size()), -1);
    if (is_resource[id.index] >= 0) return is_resource[id.index] == 1;
    type_id cur = id;
    bool res = false;
    while (true) {
      const auto& k = r[cur].kind;
      if (auto* a = std::get_if<alias>(&k); a && a->target.is_id()) {
        cur = a->target.id();
        continue;
      }
      res = std::holds_alternative<wit::resource>(k);
      break;
    }
    is_resource[id.index] = res ? 1 : 0;
    return res;
  }

  result<type_id> map_type(type_id id, witc::span s) const { return apply_map(types, id, "type", s); }
  result<interface_id> map_interface(interface_id id, witc::span s) const {
    return apply_map(interfaces, id, "interface", s);
  }
  result<world_id> map_world(world_id id, witc::span s) const { return apply_map(worlds, id, "world", s); }

  result<bool> include_stability(const wit::stability& st, witc::span s) const {
    switch (st.kind) {
      case wit::stability::kind::unknown: return true;
      case wit::stability::kind::stable: {
        const auto& p = r[pkg];
        if (!p.name.version)
          return semantic(s, fmt::format("package [{}] contains a feature gate with a version specifier, so it "
                                         "must have a version",
                                         p.name.to_string()));
        if (compare_versions(st.since(), *p.name.version) > 0)
          return semantic(s, fmt::format("feature gate cannot reference unreleased version {} of package [{}] "
                                         "(current version {})",
                                         st.since(), p.name.to_string(), *p.name.version));
        return true;
      }
      case wit::stability::kind::unstable:
        return r.all_features ||
               std::find(r.features.begin(), r.features.end(), st.feature()) != r.features.end();
    }
    return true;
  }

  std::optional<package_id> find_package(const package_name& n) const {
    for (std::uint32_t i = 0; i < r.packages.size(); ++i)
      if (r.packages[i].name == n) return package_id{i};
    return std::nullopt;
  }

  failure package_not_found(const package_name& n, witc::span s) const {
    if (r.packages.empty()) return semantic(s, fmt::format("package '{}' not found", n.to_string()));
    std::string msg = fmt::format("package '{}' not found. known packages:", n.to_string());
    for (const auto& p : r.packages) msg += "\n    " + p.name.to_string();
    return semantic(s, std::move(msg));
  }

  // ---- foreign dependencies --------------------------------------------------------------

  result<void> process_foreign_deps(const unresolved_package& u) {
    struct dep_info {
      const package_name* pkg;
      const std::string* name;
      witc::span span;
      const std::vector<wit::stability>* stabilities;
    };
    std::unordered_map<std::uint32_t, dep_info> iface_deps, world_deps;
    for (const auto& fp : u.foreign_deps)
      for (const auto& [name, item] : fp.items)
        (item.item.is_world ? world_deps : iface_deps)[item.item.index] = {&fp.name, &name, fp.span, &item.stabilities};

    for (std::uint32_t i = 0; i < u.interfaces.size(); ++i) {
      auto it = iface_deps.find(i);
      if (it == iface_deps.end()) break;
      const auto& d = it->second;
      auto pid = find_package(*d.pkg);
      if (!pid) return package_not_found(*d.pkg, d.span);
      witc::span ispan = u.interfaces[i].span;
      bool enabled = false;
      for (const auto& st : *d.stabilities) {
        WITC_TRY(bool inc, include_stability(st, ispan));
        if (inc) {
          enabled = true;
          break;
        }
      }
      if (!enabled) {
        interfaces.push_back(std::nullopt);
        continue;
      }
      const auto& p = r[*pid];
      auto found = p.interfaces.find(*d.name);
      if (found == p.interfaces.end())
        return semantic(ispan, fmt::format("interface '{}' not found in package '{}'", *d.name, p.name.to_string()));
      interfaces.push_back(found->second);
    }
    for (std::uint32_t i = 0; i < u.worlds.size(); ++i) {
      auto it = world_deps.find(i);
      if (it == world_deps.end()) break;
      const auto& d = it->second;
      auto pid = find_package(*d.pkg);
      if (!pid) return package_not_found(*d.pkg, d.span);
      witc::span wspan = u.worlds[i].span;
      bool enabled = false;
      for (const auto& st : *d.stabilities) {
        WITC_TRY(bool inc, include_stability(st, wspan));
        if (inc) {
          enabled = true;
          break;
        }
      }
      if (!enabled) {
        worlds.push_back(std::nullopt);
        continue;
      }
      const auto& p = r[*pid];
      auto found = p.worlds.find(*d.name);
      if (found == p.worlds.end())
        return semantic(wspan, fmt::format("world '{}' not found in package '{}'", *d.name, p.name.to_string()));
      worlds.push_back(found->second);
    }
    for (std::uint32_t i = 0; i < u.types.size(); ++i) {
      const auto& t = u.types[i];
      if (!std::holds_alternative<wit::unknown>(t.kind)) break;
      WITC_TRY(bool inc, include_stability(t.stability, t.span));
      if (!inc) {
        types.push_back(std::nullopt);
        continue;
      }
      WITC_TRY(interface_id iid, map_interface(interface_id{t.owner.index}, {}));
      const auto& name = *t.name;
      auto found = r[iid].types.find(name);
      if (found == r[iid].types.end())
        return semantic(u.unknown_type_spans.at(i), fmt::format("type `{}` not defined in interface", name));
      types.push_back(found->second);
    }
    for (const auto& [id, s] : u.required_resource_types) {
      auto mapped = map_type(id, s);
      if (!mapped) continue;
      type_id cur = *mapped;
      while (true) {
        const auto& k = r[cur].kind;
        if (auto* a = std::get_if<alias>(&k); a && a->target.is_id()) {
          cur = a->target.id();
          continue;
        }
        if (std::holds_alternative<wit::resource>(k)) break;
        return semantic(s, "type used in a handle must be a resource");
      }
    }
    return ok;
  }

  // ---- types and functions ------------------------------------------------------------------

  result<void> update_type_id(type_id& id, witc::span s) {
    WITC_TRY(id, map_type(id, s));
    return ok;
  }

  // A type use naming a resource means `own<resource>`: allocate (once) that handle.
  result<void> update_ty(wit::type& t, witc::span s) {
    if (!t.is_id()) return ok;
    type_id id = t.id();
    WITC_CHECK(update_type_id(id, s));
    if (resolves_to_resource(id)) {
      if (id.index >= own_handles.size() || own_handles[id.index] == 0) {
        type_def h;
        h.kind = handle{false, id};
        r.types.push_back(std::move(h));
        id = own_handle(id, type_id{static_cast<std::uint32_t>(r.types.size() - 1)});
      } else {
        id = type_id{own_handles[id.index] - 1};
      }
    }
    t = wit::type::of(id);
    return ok;
  }

  result<void> update_typedef(type_def& t, witc::span s) {
    auto& k = t.kind;
    if (auto* h = std::get_if<handle>(&k)) return update_type_id(h->resource, s);
    if (auto* rec = std::get_if<record>(&k)) {
      for (auto& f : rec->fields) WITC_CHECK(update_ty(f.ty, f.span));
      return ok;
    }
    if (auto* a = std::get_if<alias>(&k)) {
      if (!a->target.is_id()) return ok;
      type_id id = a->target.id();
      WITC_CHECK(update_type_id(id, s));
      a->target = wit::type::of(id);
      return ok;
    }
    auto opt = [&](std::optional<wit::type>& o) -> result<void> {
      if (o) return update_ty(*o, s);
      return ok;
    };
    if (auto* tu = std::get_if<tuple>(&k)) {
      for (auto& e : tu->types) WITC_CHECK(update_ty(e, s));
    } else if (auto* v = std::get_if<variant>(&k)) {
      for (auto& c : v->cases) WITC_CHECK(opt(c.ty));
    } else if (auto* o = std::get_if<option>(&k)) {
      WITC_CHECK(update_ty(o->inner, s));
    } else if (auto* l = std::get_if<list>(&k)) {
      WITC_CHECK(update_ty(l->element, s));
    } else if (auto* fl = std::get_if<fixed_list>(&k)) {
      WITC_CHECK(update_ty(fl->element, s));
    } else if (auto* f = std::get_if<future>(&k)) {
      WITC_CHECK(opt(f->inner));
    } else if (auto* st = std::get_if<stream>(&k)) {
      WITC_CHECK(opt(st->inner));
    } else if (auto* m = std::get_if<map>(&k)) {
      WITC_CHECK(update_ty(m->key, s));
      WITC_CHECK(update_ty(m->value, s));
    } else if (auto* res = std::get_if<result_>(&k)) {
      WITC_CHECK(opt(res->ok));
      WITC_CHECK(opt(res->err));
    }
    return ok;
  }

  // Whether a type contains `borrow<T>`, memoised; iterative over the type graph.
  bool type_has_borrow(const wit::type& root) {
    if (!root.is_id()) return false;
    if (has_borrow.size() < r.types.size()) has_borrow.resize(r.types.size(), -1);
    struct fr {
      type_id id;
      std::vector<type_id> kids;
      std::size_t next = 0;
      bool any = false;
    };
    auto kids_of = [&](type_id id) {
      std::vector<type_id> out;
      // slots_of only takes addresses here; nothing is written through them.
      for (const auto& s : slots_of(r.types.at(id.index).kind)) out.push_back(s.get());
      return out;
    };
    auto direct = [&](type_id id) -> std::optional<bool> {
      const auto& k = r[id].kind;
      if (auto* h = std::get_if<handle>(&k)) return h->borrow;
      if (std::holds_alternative<wit::resource>(k) || std::holds_alternative<flags>(k) ||
          std::holds_alternative<enum_>(k) || std::holds_alternative<wit::unknown>(k))
        return false;
      return std::nullopt;
    };
    auto known = [&](type_id id) -> std::optional<bool> {
      if (has_borrow[id.index] >= 0) return has_borrow[id.index] == 1;
      return direct(id);
    };
    if (auto k = known(root.id())) return *k;
    std::vector<fr> stack;
    stack.push_back({root.id(), kids_of(root.id())});
    bool last = false;
    while (!stack.empty()) {
      fr& f = stack.back();
      if (!f.any && f.next < f.kids.size()) {
        type_id c = f.kids[f.next++];
        if (auto k = known(c)) {
          f.any = *k;
          continue;
        }
        auto kids = kids_of(c);
        stack.push_back({c, std::move(kids)});
        continue;
      }
      last = f.any;
      has_borrow[f.id.index] = last ? 1 : 0;
      stack.pop_back();
      if (!stack.empty() && last) stack.back().any = true;
    }
    return last;
  }

  result<void> update_function(wit::function& f, witc::span s) {
    if (f.kind != function_kind::freestanding && f.kind != function_kind::async_freestanding)
      WITC_CHECK(update_type_id(f.resource, s));
    for (auto& p : f.params) WITC_CHECK(update_ty(p.ty, s));
    if (f.result) WITC_CHECK(update_ty(*f.result, s));
    if (f.result && type_has_borrow(*f.result))
      return semantic(s, fmt::format("function `{}` returns a type which contains a `borrow<T>` which is not "
                                     "supported",
                                     f.name));
    return ok;
  }

  // Updates in place; the maps are rebuilt only when a feature gate drops an entry.
  result<void> update_interface(wit::interface& iface) {
    bool dropped = std::any_of(iface.types.begin(), iface.types.end(), [&](const auto& e) {
      return e.second.index < types.size() && !types[e.second.index];
    });
    if (dropped) {
      ordered_map<std::string, type_id> kept;
      for (auto& [name, t] : iface.types)
        if (!(t.index < types.size() && !types[t.index])) kept.insert(std::move(name), t);
      iface.types = std::move(kept);
    }
    for (auto& [name, t] : iface.types) WITC_CHECK(update_type_id(t, iface.span));
    std::size_t n = iface.functions.size(), first_dropped = n;
    for (std::size_t i = 0; i < n; ++i) {
      auto& f = iface.functions.at_index(i).second;
      WITC_TRY(bool inc, include_stability(f.stability, f.span));
      if (!inc) {
        first_dropped = i;
        break;
      }
      WITC_CHECK(update_function(f, f.span));
    }
    if (first_dropped == n) return ok;
    ordered_map<std::string, function> funcs;
    for (std::size_t i = 0; i < n; ++i) {
      auto& [name, f] = iface.functions.at_index(i);
      if (i > first_dropped) {
        WITC_TRY(bool inc, include_stability(f.stability, f.span));
        if (!inc) continue;
        WITC_CHECK(update_function(f, f.span));
      } else if (i == first_dropped) {
        continue;
      }
      funcs.insert(std::move(name), std::move(f));
    }
    iface.functions = std::move(funcs);
    return ok;
  }

  result<void> update_world(wit::world& w) {
    item_map imports = std::move(w.imports), exports = std::move(w.exports);
    w.imports.clear();
    w.exports.clear();
    for (int pass = 0; pass < 2; ++pass) {
      for (auto& [key0, item] : pass == 0 ? imports : exports) {
        world_key key = key0;
        witc::span s = item.span;
        if (item.kind == world_item::kind::type) {
          WITC_TRY(item.type, map_type(item.type, s));
        }
        const wit::stability& st = item.kind == world_item::kind::interface  ? item.stability
                                   : item.kind == world_item::kind::function ? item.func.stability
                                                                             : r[item.type].stability;
        WITC_TRY(bool inc, include_stability(st, s));
        if (!inc) continue;
        if (key.is_interface) {
          WITC_TRY(key.iface, map_interface(key.iface, s));
        }
        if (item.kind == world_item::kind::interface) {
          WITC_TRY(item.iface, map_interface(item.iface, s));
        } else if (item.kind == world_item::kind::function) {
          WITC_CHECK(update_function(item.func, s));
        }
        (pass == 0 ? w.imports : w.exports).insert(std::move(key), std::move(item));
      }
    }
    return ok;
  }

  // ---- include ----------------------------------------------------------------------------------

  result<void> resolve_include(world_id id, world_id orig, const std::vector<include_name>& names, witc::span s) {
    WITC_TRY(world_id inc_id, map_world(orig, s));
    wit::world inc = r[inc_id];
    std::vector<include_name> left = names;
    for (const auto* m : {&inc.imports, &inc.exports})
      for (const auto& [k, item] : *m)
        if (!k.is_interface)
          left.erase(std::remove_if(left.begin(), left.end(), [&](const include_name& n) { return rename(k.name, n).has_value(); }),
                     left.end());
    if (!left.empty())
      return semantic(s, fmt::format("no import or export kebab-name `{}`. Note that an ID does not support renaming",
                                     left[0].name));
    bool external = !(r[id].package == inc.package);
    std::unordered_map<std::uint32_t, type_id> tmap;
    std::unordered_map<std::uint32_t, interface_id> imap;
    cloner c{r, tmap, imap, {type_owner::kind::world, inc_id.index}, {type_owner::kind::world, id.index}, pkg};
    for (int pass = 0; pass < 2; ++pass) {
      const char* what = pass == 0 ? "import" : "export";
      for (const auto& [k, item] : pass == 0 ? inc.imports : inc.exports) {
        if (!k.is_interface) {
          std::string n = k.name;
          for (const auto& in : names)
            if (auto re = rename(k.name, in)) {
              n = *re;
              break;
            }
          world_item copy = item;
          world_key nk{false, n, {}};
          c.world_item_(nk, copy);
          if (copy.kind == world_item::kind::function) copy.func.name = n;
          else if (copy.kind == world_item::kind::type) r.types[copy.type.index].name = n;
          auto& dst = pass == 0 ? r.worlds[id.index].imports : r.worlds[id.index].exports;
          if (!dst.insert(nk, std::move(copy)).second)
            return semantic(s, fmt::format("{} of `{}` shadows previously {}ed items", what, n, what));
        } else {
          auto& dst = pass == 0 ? r.worlds[id.index].imports : r.worlds[id.index].exports;
          auto [pos, fresh] = dst.insert(k, item);
          if (external && item.stability.kind == wit::stability::kind::stable) {
            pos->second.stability = {};
          } else {
            WITC_CHECK(update_stability(item.stability, pos->second.stability, item.span));
          }
          (void)fresh;
        }
      }
    }
    return ok;
  }

  result<void> validate_case_insensitive(world_id id) const {
    const auto& w = r[id];
    for (int pass = 0; pass < 2; ++pass) {
      const char* what = pass == 0 ? "import" : "export";
      std::unordered_map<std::string, std::string> seen;
      for (const auto& [k, item] : pass == 0 ? w.imports : w.exports) {
        if (k.is_interface) continue;
        std::string lower = k.name;
        for (char& ch : lower)
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        auto it = seen.find(lower);
        if (it != seen.end() && it->second != k.name)
          return fail(diagnostic::global(fmt::format(
              "{} `{}` in world `{}` conflicts with {} `{}` (kebab-case identifiers are case-insensitive)", what,
              k.name, w.name, what, it->second)));
        seen[lower] = k.name;
      }
    }
    return ok;
  }

  // ---- elaboration ----------------------------------------------------------------------------------

  int sort_key(const world_item& item) const {
    switch (item.kind) {
      case world_item::kind::interface: return 0;
      case world_item::kind::type: {
        const auto& t = r[item.type];
        if (auto* a = std::get_if<alias>(&t.kind); a && a->target.is_id() && !same_owner(r[a->target.id()].owner, t.owner))
          return 1;
        return 2;
      }
      case world_item::kind::function:
        return (item.func.kind == function_kind::freestanding || item.func.kind == function_kind::async_freestanding)
                   ? 3
                   : 4;
    }
    return 0;
  }

  void sort_items(item_map& m) const {
    std::vector<std::pair<world_key, world_item>> v(std::make_move_iterator(m.begin()), std::make_move_iterator(m.end()));
    std::stable_sort(v.begin(), v.end(), [&](const auto& a, const auto& b) { return sort_key(a.second) < sort_key(b.second); });
    m.clear();
    for (auto& [k, i] : v) m.insert(std::move(k), std::move(i));
  }

  // An import and, first, every interface it takes types from.
  void elaborate_import(item_map& imports, const world_key& key, interface_id id, const wit::stability& st,
                        const wit::docs& docs, const opt_string& ext) const {
    if (imports.contains(key)) return;
    struct fr {
      world_key key;
      interface_id id;
      wit::docs docs;
      std::vector<interface_id> deps;
      std::size_t next = 0;
      opt_string ext;
    };
    std::vector<fr> stack;
    stack.push_back({key, id, docs, interface_direct_deps(r, id), 0, ext});
    while (!stack.empty()) {
      if (stack.back().next < stack.back().deps.size()) {
        interface_id dep = stack.back().deps[stack.back().next++];
        world_key k = iface_key(dep);
        if (!imports.contains(k)) stack.push_back({k, dep, {}, interface_direct_deps(r, dep), 0, std::nullopt});
        continue;
      }
      fr& f = stack.back();
      world_item item;
      item.kind = world_item::kind::interface;
      item.iface = f.id;
      item.stability = st;
      item.docs = f.docs;
      item.external_id = f.ext;
      imports.insert(f.key, std::move(item));
      stack.pop_back();
    }
  }

  // wit-parser's `add_world_export`: false when an export would need an interface
  // both imported and exported.
  bool add_export(item_map& imports, item_map& exports, const item_map& export_ifaces,
                  std::unordered_set<std::uint32_t>& required, const world_key& key, const world_item& item,
                  bool add) const {
    struct fr {
      world_key key;
      world_item item;
      bool add;
      std::vector<interface_id> deps;
      std::size_t next = 0;
    };
    std::vector<fr> stack;
    // Returns a value when the call finishes at once, else pushes a frame.
    auto enter = [&](const world_key& k, const world_item& it, bool a) -> std::optional<bool> {
      if (exports.contains(k)) return a;
      if (!a && required.count(it.iface.index)) return true;
      stack.push_back({k, it, a, interface_direct_deps(r, it.iface)});
      return std::nullopt;
    };
    if (auto v = enter(key, item, add)) return *v;
    while (!stack.empty()) {
      if (stack.back().next < stack.back().deps.size()) {
        fr& f = stack.back();
        interface_id dep = f.deps[f.next++];
        world_item di;
        di.kind = world_item::kind::interface;
        di.iface = dep;
        di.stability = f.item.stability;
        di.external_id = f.item.external_id;
        world_key dk = iface_key(dep);
        bool da = f.add && export_ifaces.contains(dk);
        if (auto v = enter(dk, di, da); v && !*v) return false;
        continue;
      }
      fr f = std::move(stack.back());
      stack.pop_back();
      if (f.add) {
        if (required.count(f.item.iface.index)) return false;
        exports.insert(f.key, f.item);
      } else {
        required.insert(f.item.iface.index);
        if (!imports.contains(f.key)) imports.insert(f.key, f.item);
      }
    }
    return true;
  }

  result<void> elaborate_world(world_id id, witc::span s) {
    item_map new_imports;
    const wit::world& w = r[id];
    std::vector<std::pair<world_key, world_item>> sorted(w.imports.begin(), w.imports.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [&](const auto& a, const auto& b) { return sort_key(a.second) < sort_key(b.second); });
    for (const auto& [key, item] : sorted) {
      switch (item.kind) {
        case world_item::kind::interface:
          elaborate_import(new_imports, key, item.iface, item.stability, item.docs, item.external_id);
          break;
        case world_item::kind::function: new_imports.insert(key, item); break;
        case world_item::kind::type:
          if (auto dep = type_interface_dep(r, item.type))
            elaborate_import(new_imports, iface_key(*dep), *dep, r[item.type].stability, {}, std::nullopt);
          new_imports.insert(key, item);
          break;
      }
    }
    item_map new_exports, export_ifaces;
    for (const auto& [key, item] : w.exports) {
      if (item.kind == world_item::kind::interface) export_ifaces.insert(key, item);
      else new_exports.insert(key, item);
    }
    std::unordered_set<std::uint32_t> required;
    for (const auto& [key, item] : export_ifaces) {
      if (!add_export(new_imports, new_exports, export_ifaces, required, key, item, true))
        return semantic(s, fmt::format("interface `{}` transitively depends on an interface in incompatible ways",
                                       name_world_key(r, key)));
    }
    sort_items(new_imports);
    r.worlds[id.index].imports = std::move(new_imports);
    r.worlds[id.index].exports = std::move(new_exports);
    return ok;
  }

  // ---- the whole package --------------------------------------------------------------------------

  result<package_id> append(unresolved_package u) {
    wit::package p;
    p.name = u.name;
    p.docs = u.docs;
    if (find_package(u.name))
      return semantic(u.name_span, fmt::format("package `{}` is defined in two different locations", u.name.to_string()));
    r.packages.push_back(std::move(p));
    pkg = package_id{static_cast<std::uint32_t>(r.packages.size() - 1)};
    WITC_CHECK(process_foreign_deps(u));
    std::size_t foreign_types = types.size(), foreign_ifaces = interfaces.size(), foreign_worlds = worlds.size();

    // Reserve geometrically: many small packages must not copy the arena each time.
    auto reserve = [](auto& v, std::size_t extra) {
      std::size_t need = v.size() + extra;
      if (v.capacity() < need) v.reserve(std::max(need, v.capacity() * 2));
    };
    reserve(r.types, u.types.size() + u.types.size() / 8);
    reserve(r.interfaces, u.interfaces.size());
    reserve(r.worlds, u.worlds.size());
    std::size_t type_count = u.types.size();
    for (std::size_t i = 0; i < foreign_types; ++i) u.types.pop_front();
    for (std::size_t i = foreign_types; i < type_count; ++i) {
      type_def t = std::move(u.types.front());
      u.types.pop_front();
      witc::span s = t.span;
      WITC_TRY(bool inc, include_stability(t.stability, s));
      if (!inc) {
        types.push_back(std::nullopt);
        continue;
      }
      WITC_CHECK(update_typedef(t, s));
      bool own_anon = !t.name && t.owner.kind == type_owner::kind::none && std::holds_alternative<handle>(t.kind) &&
                      !std::get<handle>(t.kind).borrow;
      type_id res = std::get_if<handle>(&t.kind) ? std::get<handle>(t.kind).resource : type_id{};
      r.types.push_back(std::move(t));
      type_id nid{static_cast<std::uint32_t>(r.types.size() - 1)};
      if (own_anon) nid = own_handle(res, nid);
      types.push_back(nid);
    }

    for (std::size_t i = foreign_ifaces; i < u.interfaces.size(); ++i) {
      wit::interface iface = std::move(u.interfaces[i]);
      WITC_TRY(bool inc, include_stability(iface.stability, iface.span));
      if (!inc) {
        interfaces.push_back(std::nullopt);
        continue;
      }
      iface.package = pkg;
      WITC_CHECK(update_interface(iface));
      r.interfaces.push_back(std::move(iface));
      interfaces.push_back(interface_id{static_cast<std::uint32_t>(r.interfaces.size() - 1)});
    }

    for (std::size_t i = foreign_types; i < types.size(); ++i) {
      if (!types[i]) continue;
      auto& t = r.types[types[i]->index];
      if (t.owner.kind != type_owner::kind::interface) continue;
      auto m = map_interface(interface_id{t.owner.index}, t.span);
      if (!m)
        return semantic(t.span, fmt::format("{}; this type is not gated by a feature but its interface is",
                                            m.error().front().message));
      t.owner.index = m->index;
    }

    std::vector<std::pair<world_id, std::vector<world_include>>> local_worlds;
    for (std::size_t i = foreign_worlds; i < u.worlds.size(); ++i) {
      wit::world w = std::move(u.worlds[i]);
      WITC_TRY(bool inc, include_stability(w.stability, w.span));
      if (!inc) {
        worlds.push_back(std::nullopt);
        continue;
      }
      WITC_CHECK(update_world(w));
      r.worlds.push_back(std::move(w));
      world_id nid{static_cast<std::uint32_t>(r.worlds.size() - 1)};
      worlds.push_back(nid);
      local_worlds.emplace_back(nid, std::move(u.includes[i]));
    }

    for (std::size_t i = foreign_types; i < types.size(); ++i) {
      if (!types[i]) continue;
      auto& t = r.types[types[i]->index];
      if (t.owner.kind != type_owner::kind::world) continue;
      auto m = map_world(world_id{t.owner.index}, t.span);
      if (!m)
        return semantic(t.span, fmt::format("{}; this type is not gated by a feature but its world is",
                                            m.error().front().message));
      t.owner.index = m->index;
    }

    for (auto& [wid, incs] : local_worlds) {
      for (const auto& inc : incs) {
        WITC_TRY(bool keep, include_stability(inc.stability, inc.span));
        if (!keep) continue;
        WITC_CHECK(resolve_include(wid, inc.id, inc.names, inc.span));
      }
      WITC_CHECK(validate_case_insensitive(wid));
      WITC_CHECK(elaborate_world(wid, r[wid].span));
    }

    for (std::size_t i = foreign_ifaces; i < interfaces.size(); ++i) {
      if (!interfaces[i]) continue;
      auto& iface = r.interfaces[interfaces[i]->index];
      iface.package = pkg;
      if (iface.name) r.packages[pkg.index].interfaces.insert(*iface.name, *interfaces[i]);
    }
    for (std::size_t i = foreign_worlds; i < worlds.size(); ++i) {
      if (!worlds[i]) continue;
      auto& w = r.worlds[worlds[i]->index];
      w.package = pkg;
      r.packages[pkg.index].worlds.insert(w.name, *worlds[i]);
    }
    return pkg;
  }
};

}  // namespace

result<package_id> append_package(resolve& r, unresolved_package pkg) {
  remap m{r, {}, {}, {}, {}, {}, {}, {}};
  return m.append(std::move(pkg));
}

}  // namespace witc::wit::detail
