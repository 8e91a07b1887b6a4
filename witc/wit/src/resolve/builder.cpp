// Phase 1 of resolution: one package's AST files -> `unresolved_package`.
// Mirrors wit-parser's `ast/resolve.rs` step for step, since the order in which
// types, interfaces and worlds are allocated here becomes their ids.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "resolve/name_map.hpp"
#include "resolve/unresolved.hpp"

namespace witc::wit::detail {
namespace {

// Mutable: an interface's body is freed once it is resolved (see `finish`).
using decl_list = std::vector<ast::toplevel_item*>;

failure syntax(witc::span s, std::string msg) { return fail(diagnostic::error(s, std::move(msg))); }
failure item_not_found(const ast::ident& id, std::string_view kind, std::string hint = {}) {
  return fail(diagnostic::error(id.span, fmt::format("{} `{}` does not exist", kind, id.name),
                                std::move(hint)));
}

/// What a name inside an interface or world stands for.
struct lookup_entry {
  bool is_type = true;
  type_id id{};
  const char* what = "";  // for non-types: "function"
  witc::span span;
};
// Keys view identifiers in the AST, which outlives the builder's work.
using lookup_map = ordered_map<std::string_view, lookup_entry>;

enum class path_kind { world, interface, unknown };

package_name to_name(const ast::package_name& n) {
  package_name out;
  out.ns = n.ns.name;
  out.name = n.name.name;
  if (n.ver) out.version = n.ver->text;
  return out;
}

// wit-parser's toposort: nodes in dependency order, ties broken by source order.
// Returns positions in `deps`.
template <class Key>
result<std::vector<std::size_t>> toposort(std::string_view kind,
                                          const ordered_map<Key, std::vector<const ast::ident*>>& deps) {
  std::size_t n = deps.size();
  std::vector<std::size_t> remaining(n);
  std::vector<std::vector<std::size_t>> reverse(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& edges = deps.at_index(i).second;
    remaining[i] = edges.size();
    for (const ast::ident* e : edges) {
      auto it = deps.find(e->name);
      if (it == deps.end()) return item_not_found(*e, kind);
      reverse[static_cast<std::size_t>(it - deps.begin())].push_back(i);
    }
  }
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> heap;
  for (std::size_t i = 0; i < n; ++i)
    if (remaining[i] == 0) heap.push(i);
  std::vector<std::size_t> order;
  order.reserve(n);
  while (!heap.empty()) {
    std::size_t i = heap.top();
    heap.pop();
    order.push_back(i);
    for (std::size_t j : reverse[i])
      if (--remaining[j] == 0) heap.push(j);
  }
  if (order.size() == n) return order;
  for (std::size_t i = 0; i < n; ++i) {
    if (remaining[i] == 0) continue;
    for (const ast::ident* e : deps.at_index(i).second) {
      auto it = deps.find(e->name);
      if (remaining[static_cast<std::size_t>(it - deps.begin())] == 0) continue;
      return fail(diagnostic::error(e->span, fmt::format("{} `{}` depends on itself", kind, e->name)));
    }
  }
  return fail(diagnostic::global("internal error: toposort found no cycle"));
}

// Names a type definition depends on, for ordering the definitions of one scope.
void collect_deps(const ast::type& t, std::vector<const ast::ident*>& out) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::named_type>) {
          out.push_back(&n.name);
        } else if constexpr (std::is_same_v<T, ast::list_type>) {
          collect_deps(*n.element, out);
        } else if constexpr (std::is_same_v<T, ast::map_type>) {
          collect_deps(*n.key, out);
          collect_deps(*n.value, out);
        } else if constexpr (std::is_same_v<T, ast::option_type>) {
          collect_deps(*n.inner, out);
        } else if constexpr (std::is_same_v<T, ast::result_type>) {
          if (n.ok) collect_deps(**n.ok, out);
          if (n.err) collect_deps(**n.err, out);
        } else if constexpr (std::is_same_v<T, ast::tuple_type>) {
          for (const auto& e : n.types) collect_deps(e, out);
        } else if constexpr (std::is_same_v<T, ast::handle_type>) {
          out.push_back(&n.resource);
        } else if constexpr (std::is_same_v<T, ast::future_type> || std::is_same_v<T, ast::stream_type>) {
          if (n.inner) collect_deps(**n.inner, out);
        }
      },
      t.node);
}

void collect_typedef_deps(const ast::typedef_item& t, std::vector<const ast::ident*>& out) {
  if (auto* a = std::get_if<ast::alias_def>(&t.def)) {
    collect_deps(a->target, out);
  } else if (auto* r = std::get_if<ast::record_def>(&t.def)) {
    for (const auto& f : r->fields) collect_deps(f.ty, out);
  } else if (auto* v = std::get_if<ast::variant_def>(&t.def)) {
    for (const auto& c : v->cases)
      if (c.ty) collect_deps(*c.ty, out);
  }
}

// The key under which anonymous types are shared (`list<u32>` is allocated once).
// Integers go in as 4 raw bytes: fixed width keeps keys unambiguous without separators.
void key_u32(std::string& k, std::uint32_t v) { k.append(reinterpret_cast<const char*>(&v), sizeof v); }
void key_type(std::string& k, const wit::type& t) {
  if (t.is_id()) {
    k += 'i';
    key_u32(k, t.id().index);
  } else {
    k += 'p';
    k += static_cast<char>(t.prim());
  }
}
void key_opt(std::string& k, const std::optional<wit::type>& t) {
  if (t) key_type(k, *t);
  else k += 'n';
}
void key_name(std::string& k, const std::string& s) {
  key_u32(k, static_cast<std::uint32_t>(s.size()));
  k += s;
}

}  // namespace

wit::docs convert_docs(const ast::docs& d) {
  if (d.empty()) return {};
  std::vector<std::string_view> docs;
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  for (std::string_view c : d.comments()) {
    if (c.substr(0, 3) == "/**") {
      c.remove_prefix(3);
      if (c.size() >= 2 && c.substr(c.size() - 2) == "*/") c.remove_suffix(2);
    } else {
      while (!c.empty() && c.front() == '/') c.remove_prefix(1);
    }
    while (!c.empty() && is_ws(c.back())) c.remove_suffix(1);
    docs.push_back(c);
  }
  std::size_t min_ws = SIZE_MAX;
  for (auto c : docs) {
    if (c.empty()) continue;
    std::size_t n = 0;
    while (n < c.size() && is_ws(c[n])) ++n;
    min_ws = std::min(min_ws, n);
  }
  if (min_ws != SIZE_MAX && min_ws > 0) {
    for (auto& c : docs) {
      bool all_spaces = c.size() >= min_ws &&
                        std::all_of(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(min_ws),
                                    [](char x) { return x == ' '; });
      if (all_spaces) c.remove_prefix(min_ws);
    }
  }
  std::string out;
  for (auto c : docs) {
    if (c.empty()) {
      out += '\n';
      continue;
    }
    // `str::lines`: split on `\n`, drop one trailing `\r` per line, no empty last line.
    while (!c.empty()) {
      auto nl = c.find('\n');
      std::string_view line = c.substr(0, nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      out += line;
      out += '\n';
      if (nl == std::string_view::npos) break;
      c.remove_prefix(nl + 1);
    }
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return wit::docs{std::move(out)};
}

struct package_builder::impl {
  std::optional<std::pair<package_name, witc::span>> name;
  wit::docs package_docs;
  std::vector<decl_list> decl_lists;

  block_queue<type_def> types;
  std::deque<wit::interface> interfaces;
  std::deque<wit::world> worlds;
  std::deque<std::vector<world_include>> includes;
  // wit-parser's `anon_types` (one id per distinct anonymous type), open-addressed
  // over type ids: a node-based map keyed by strings held several MB on large
  // packages for the whole build.
  struct anon_entry {
    std::uint32_t hash = 0;
    std::uint32_t index = 0;  // type index + 1; 0 = empty
  };
  std::vector<anon_entry> anon_slots;
  std::size_t anon_count = 0;
  std::string anon_key_buf, anon_scratch;

  std::size_t cur_ast_index = 0;
  std::vector<name_map<ast_item>> ast_items;
  name_map<ast_item> package_items;
  std::vector<foreign_package> foreign_deps;
  std::unordered_map<std::string, std::size_t> foreign_index;
  std::unordered_set<std::uint32_t> foreign_interfaces;
  lookup_map type_lookup;
  std::vector<witc::span> unknown_type_spans;
  std::vector<std::pair<type_id, witc::span>> required_resource_types;

  // ---- files --------------------------------------------------------------------

  result<void> set_name(const ast::package_name& n, const ast::docs& d) {
    package_name cur = to_name(n);
    if (name && !(name->first == cur))
      return syntax(n.span, fmt::format("package identifier `{}` does not match previous package name of `{}`",
                                        cur.to_string(), name->first.to_string()));
    name = {cur, n.span};
    wit::docs docs = convert_docs(d);
    if (docs.contents) {
      if (package_docs.contents) return syntax(d.span(), "found doc comments on multiple 'package' items");
      package_docs = std::move(docs);
    }
    return ok;
  }

  // ---- use paths ------------------------------------------------------------------

  template <class F>
  static result<void> for_each_path(const decl_list& dl, F&& f) {
    for (const ast::toplevel_item* item : dl) {
      if (auto* w = std::get_if<ast::world_def>(item)) {
        std::vector<const ast::extern_item*> imports, exports;
        for (const auto& wi : w->items) {
          if (auto* u = std::get_if<ast::use_item>(&wi)) {
            WITC_CHECK(f(nullptr, u->attrs, u->from, &u->names, path_kind::interface));
          } else if (auto* inc = std::get_if<ast::include_item>(&wi)) {
            WITC_CHECK(f(&w->name, inc->attrs, inc->from, nullptr, path_kind::world));
          } else if (auto* e = std::get_if<ast::extern_item>(&wi)) {
            (e->is_import ? imports : exports).push_back(e);
          }
        }
        auto visit = [&](const ast::extern_item* e) -> result<void> {
          if (auto* ii = std::get_if<ast::inline_interface>(&e->what)) {
            for (const auto& it : ii->items)
              if (auto* u = std::get_if<ast::use_item>(&it))
                WITC_CHECK(f(nullptr, u->attrs, u->from, &u->names, path_kind::interface));
          } else if (auto* p = std::get_if<ast::use_path>(&e->what)) {
            WITC_CHECK(f(nullptr, e->attrs, *p, nullptr, path_kind::interface));
          }
          return ok;
        };
        for (auto* e : imports) WITC_CHECK(visit(e));
        for (auto* e : exports) WITC_CHECK(visit(e));
      } else if (auto* i = std::get_if<ast::interface_def>(item)) {
        for (const auto& it : i->items)
          if (auto* u = std::get_if<ast::use_item>(&it))
            WITC_CHECK(f(&i->name, u->attrs, u->from, &u->names, path_kind::interface));
      } else if (auto* u = std::get_if<ast::toplevel_use>(item)) {
        WITC_CHECK(f(nullptr, u->attrs, u->item, nullptr, path_kind::unknown));
      }
    }
    return ok;
  }

  interface_id alloc_interface(witc::span s) {
    wit::interface i;
    i.span = s;
    interfaces.push_back(std::move(i));
    return interface_id{static_cast<std::uint32_t>(interfaces.size() - 1)};
  }
  world_id alloc_world(witc::span s) {
    wit::world w;
    w.span = s;
    worlds.push_back(std::move(w));
    includes.emplace_back();
    return world_id{static_cast<std::uint32_t>(worlds.size() - 1)};
  }
  type_id alloc_type(type_def&& t) {
    types.push_back(std::move(t));
    return type_id{static_cast<std::uint32_t>(types.size() - 1)};
  }

  void populate_foreign_deps() {
    for (const auto& dl : decl_lists) {
      (void)for_each_path(dl, [&](const ast::ident*, const ast::attributes& attrs, const ast::use_path& path,
                                  const ast::vec<ast::use_name>*, path_kind kind) -> result<void> {
        if (!path.package) return ok;
        auto st = stability(attrs);
        wit::stability s = st ? *st : wit::stability{};
        package_name pn = to_name(*path.package);
        std::string key = pn.to_string();
        auto it = foreign_index.find(key);
        if (it == foreign_index.end()) {
          it = foreign_index.emplace(key, foreign_deps.size()).first;
          foreign_deps.push_back(foreign_package{pn, {}, path.package->span});
        }
        auto& items = foreign_deps[it->second].items;
        auto found = items.find(std::string(path.name.name));
        if (found == items.end()) {
          ast_item item;
          if (kind == path_kind::world) {
            item = {true, alloc_world(path.name.span).index};
          } else {
            item = {false, alloc_interface(path.name.span).index};
          }
          found = items.insert(std::string(path.name.name), foreign_item{item, {}}).first;
        }
        found->second.stabilities.push_back(std::move(s));
        if (!found->second.item.is_world) foreign_interfaces.insert(found->second.item.index);
        return ok;
      });
    }
  }

  struct order_result {
    std::vector<interface_id> ifaces;
    std::vector<world_id> worlds;
  };

  result<order_result> populate_ast_items() {
    name_map<witc::span> pkg_items;
    name_map<bool> is_world;  // name -> world?
    ordered_map<std::string_view, std::vector<const ast::ident*>> order;
    for (const auto& dl : decl_lists) {
      for (const ast::toplevel_item* item : dl) {
        const ast::ident* n = nullptr;
        bool w = false;
        if (auto* i = std::get_if<ast::interface_def>(item)) n = &i->name;
        else if (auto* wd = std::get_if<ast::world_def>(item)) n = &wd->name, w = true;
        if (!n) continue;
        if (!pkg_items.emplace(n->name, n->span).second)
          return syntax(n->span, fmt::format("duplicate item named `{}`", n->name));
        order.insert(n->name, {});
        is_world[n->name] = w;
      }
    }

    struct source {
      bool foreign = false;
      const ast::ident* local = nullptr;
    };
    for (const auto& dl : decl_lists) {
      name_map<source> ns;
      for (const ast::toplevel_item* item : dl) {
        const ast::ident* n = nullptr;
        source src;
        if (auto* u = std::get_if<ast::toplevel_use>(item)) {
          n = u->as ? &*u->as : &u->item.name;
          if (u->item.package) src.foreign = true;
          else src.local = &u->item.name;
        } else if (auto* i = std::get_if<ast::interface_def>(item)) {
          n = &i->name;
          src.local = &i->name;
        } else if (auto* w = std::get_if<ast::world_def>(item)) {
          n = &w->name;
          src.local = &w->name;
        }
        if (!n) continue;
        if (!ns.emplace(n->name, src).second)
          return syntax(n->span, fmt::format("duplicate name `{}` in this file", n->name));
      }
      WITC_CHECK(for_each_path(dl, [&](const ast::ident* iface, const ast::attributes&, const ast::use_path& path,
                                       const ast::vec<ast::use_name>*, path_kind) -> result<void> {
        if (!iface || path.package) return ok;
        const ast::ident& used = path.name;
        auto it = ns.find(used.name);
        if (it != ns.end()) {
          if (!it->second.foreign) order[iface->name].push_back(it->second.local);
          return ok;
        }
        if (pkg_items.count(used.name)) {
          order[iface->name].push_back(&used);
          return ok;
        }
        return item_not_found(used, "interface or world");
      }));
    }

    WITC_TRY(auto sorted, toposort("interface or world", order));
    order_result out;
    name_map<ast_item> ids;
    for (std::size_t pos : sorted) {
      std::string_view n = order.at_index(pos).first;
      if (is_world[n]) {
        world_id id = alloc_world(pkg_items[n]);
        worlds[id.index].name = n;
        ids[n] = {true, id.index};
        out.worlds.push_back(id);
      } else {
        interface_id id = alloc_interface(pkg_items[n]);
        interfaces[id.index].name = n;
        ids[n] = {false, id.index};
        out.ifaces.push_back(id);
      }
    }
    for (const auto& dl : decl_lists) {
      name_map<ast_item> items;
      for (const ast::toplevel_item* item : dl) {
        if (auto* u = std::get_if<ast::toplevel_use>(item)) {
          if (!u->attrs.empty()) return syntax(u->span, "attributes not allowed on top-level use");
          const ast::ident& n = u->as ? *u->as : u->item.name;
          ast_item target;
          if (u->item.package) {
            const auto& fp = foreign_deps[foreign_index.at(to_name(*u->item.package).to_string())];
            target = fp.items.find(std::string(u->item.name.name))->second.item;
          } else {
            auto it = ids.find(u->item.name.name);
            if (it == ids.end()) return item_not_found(u->item.name, "interface or world");
            target = it->second;
          }
          items[n.name] = target;
        } else if (auto* i = std::get_if<ast::interface_def>(item)) {
          items[i->name.name] = ids[i->name.name];
          package_items[i->name.name] = ids[i->name.name];
        } else if (auto* w = std::get_if<ast::world_def>(item)) {
          items[w->name.name] = ids[w->name.name];
          package_items[w->name.name] = ids[w->name.name];
        }
      }
      ast_items.push_back(std::move(items));
    }
    return out;
  }

  struct path_target {
    ast_item item;
    std::string_view name;
    witc::span span;
  };

  result<path_target> resolve_path(const ast::use_path& p) {
    if (p.package) {
      const auto& fp = foreign_deps[foreign_index.at(to_name(*p.package).to_string())];
      return path_target{fp.items.find(std::string(p.name.name))->second.item, p.name.name, p.name.span};
    }
    auto& local = ast_items[cur_ast_index];
    auto it = local.find(p.name.name);
    if (it != local.end()) return path_target{it->second, p.name.name, p.name.span};
    auto pit = package_items.find(p.name.name);
    if (pit != package_items.end()) return path_target{pit->second, p.name.name, p.name.span};
    return item_not_found(p.name, "interface or world");
  }
  static result<interface_id> as_interface(const path_target& t) {
    if (t.item.is_world)
      return syntax(t.span, fmt::format("name `{}` is defined as a world, not an interface", t.name));
    return interface_id{t.item.index};
  }
  static result<world_id> as_world(const path_target& t) {
    if (!t.item.is_world)
      return syntax(t.span, fmt::format("name `{}` is defined as an interface, not a world", t.name));
    return world_id{t.item.index};
  }

  result<void> populate_foreign_types() {
    for (std::size_t i = 0; i < decl_lists.size(); ++i) {
      cur_ast_index = i;
      WITC_CHECK(for_each_path(decl_lists[i], [&](const ast::ident*, const ast::attributes& attrs,
                                                  const ast::use_path& path,
                                                  const ast::vec<ast::use_name>* names, path_kind) -> result<void> {
        if (!names) return ok;
        WITC_TRY(auto st, stability(attrs));
        WITC_TRY(auto ext, external_id(attrs));
        WITC_TRY(auto target, resolve_path(path));
        WITC_TRY(interface_id iface, as_interface(target));
        if (!foreign_interfaces.count(iface.index)) return ok;
        for (const auto& n : *names) {
          if (interfaces[iface.index].types.contains(std::string(n.name.name))) continue;
          type_def t;
          t.stability = st;
          t.kind = wit::unknown{};
          t.name = n.name.name;
          t.owner = {type_owner::kind::interface, iface.index};
          t.span = n.name.span;
          t.external_id = ext;
          type_id id = alloc_type(std::move(t));
          unknown_type_spans.push_back(n.name.span);
          interfaces[iface.index].types.insert(std::string(n.name.name), id);
        }
        return ok;
      }));
    }
    return ok;
  }

  // ---- attributes -----------------------------------------------------------------

  static result<wit::stability> stability(const ast::attributes& attrs) {
    const ast::attribute* since = nullptr;
    const ast::attribute* deprecated = nullptr;
    const ast::attribute* unstable = nullptr;
    for (const auto& a : attrs) {
      switch (a.kind) {
        case ast::attribute::kind::since:
          if (since) return syntax(a.span, "cannot specify @since twice");
          since = &a;
          break;
        case ast::attribute::kind::deprecated:
          if (deprecated) return syntax(a.span, "cannot specify @deprecated twice");
          deprecated = &a;
          break;
        case ast::attribute::kind::unstable:
          if (unstable) return syntax(a.span, "cannot specify @unstable twice");
          unstable = &a;
          break;
        default: break;
      }
    }
    if (since && unstable) return syntax(since->span, "cannot specify both @since and @unstable");
    std::optional<std::string> dep;
    if (deprecated) dep = deprecated->ver ? deprecated->ver->text : std::string();
    if (since) return wit::stability::stable(since->ver ? since->ver->text : std::string(), std::move(dep));
    if (unstable)
      return wit::stability::unstable(std::string(unstable->feature ? unstable->feature->name : std::string_view()),
                                      std::move(dep));
    if (deprecated) return syntax(deprecated->span, "cannot specify both @deprecated without @since or @unstable");
    return wit::stability{};
  }

  static result<std::optional<std::string>> external_id(const ast::attributes& attrs) {
    std::optional<std::string> out;
    for (const auto& a : attrs) {
      if (a.kind != ast::attribute::kind::external_id) continue;
      if (out) return syntax(a.span, "cannot specify @external-id twice");
      out = a.external_id;
    }
    return out;
  }

  // ---- interfaces and worlds ------------------------------------------------------------

  result<void> define_name(const ast::ident& n, lookup_entry e) {
    e.span = n.span;
    if (!type_lookup.insert(n.name, e).second)
      return syntax(n.span, fmt::format("name `{}` is defined more than once", n.name));
    return ok;
  }

  result<void> resolve_use(type_owner owner, const ast::use_item& u) {
    WITC_TRY(auto target, resolve_path(u.from));
    WITC_TRY(interface_id from, as_interface(target));
    WITC_TRY(auto st, stability(u.attrs));
    WITC_TRY(auto ext, external_id(u.attrs));
    for (const auto& n : u.names) {
      // An interface's own names are its types and its functions (already resolved:
      // interfaces are visited in dependency order).
      const auto& from_iface = interfaces[from.index];
      auto it = from_iface.types.find(std::string(n.name.name));
      if (it == from_iface.types.end()) {
        if (from_iface.functions.contains(std::string(n.name.name)))
          return syntax(n.name.span, fmt::format("cannot import function `{}`", n.name.name));
        return item_not_found(n.name, "name");
      }
      type_id target_id = it->second;
      const ast::ident& as = n.as ? *n.as : n.name;
      type_def t;
      t.stability = st;
      t.kind = wit::alias{wit::type::of(target_id)};
      t.name = as.name;
      t.owner = owner;
      t.span = n.name.span;
      t.external_id = ext;
      type_id id = alloc_type(std::move(t));
      WITC_CHECK(define_name(as, {true, id, "", {}}));
    }
    return ok;
  }

  /// The use and type items of one interface or world, in source order.
  struct scope_items {
    std::vector<const ast::use_item*> uses;
    std::vector<const ast::typedef_item*> defs;
    std::vector<std::pair<bool, const void*>> all;  // (is_use, item) in source order
  };

  result<void> resolve_types(type_owner owner, const scope_items& items) {
    for (const auto* u : items.uses) WITC_CHECK(resolve_use(owner, *u));
    // Keys view names in the AST, which outlives this scope. `def_at` runs
    // parallel to `deps`: the definition, or null for a name brought in by `use`.
    ordered_map<std::string_view, std::vector<const ast::ident*>> deps;
    std::vector<const ast::typedef_item*> def_at;
    deps.reserve(items.all.size());
    def_at.reserve(items.all.size());
    for (const auto& [is_use, p] : items.all) {
      if (is_use) {
        for (const auto& n : static_cast<const ast::use_item*>(p)->names) {
          const ast::ident& as = n.as ? *n.as : n.name;
          auto [it, added] = deps.insert(as.name, {});
          if (added) def_at.push_back(nullptr);
          else it->second.clear(), def_at[static_cast<std::size_t>(it - deps.begin())] = nullptr;
        }
      } else {
        const auto* t = static_cast<const ast::typedef_item*>(p);
        auto [it, added] = deps.insert(t->name.name, {});
        if (!added) return syntax(t->name.span, fmt::format("name `{}` is defined more than once", t->name.name));
        def_at.push_back(t);
        collect_typedef_deps(*t, it->second);
      }
    }
    auto sorted = toposort("type", deps);
    if (!sorted) {
      diagnostics ds = sorted.error();
      // wit-parser's hint for the float types renamed long ago.
      for (auto& d : ds) {
        for (auto [old_name, new_name] : {std::pair{"float32", "f32"}, std::pair{"float64", "f64"}}) {
          if (d.message == fmt::format("type `{}` does not exist", old_name))
            d.hint = fmt::format("the `{}` type has been renamed to `{}` and is no longer accepted, but the "
                                 "`WIT_REQUIRE_F32_F64=0` environment variable can be used to temporarily "
                                 "disable this error",
                                 old_name, new_name);
        }
      }
      return fail(std::move(ds));
    }
    for (std::size_t pos : *sorted) {
      const ast::typedef_item* def = def_at[pos];
      if (!def) continue;
      type_def t;
      t.docs = convert_docs(def->doc);
      WITC_TRY(t.stability, stability(def->attrs));
      WITC_TRY(t.external_id, external_id(def->attrs));
      WITC_TRY(t.kind, resolve_typedef_kind(*def, t.stability));
      t.name = def->name.name;
      t.owner = owner;
      t.span = def->name.span;
      type_id id = alloc_type(std::move(t));
      WITC_CHECK(define_name(def->name, {true, id, "", {}}));
    }
    return ok;
  }

  template <class Items>
  static scope_items split_scope(const Items& items) {
    scope_items out;
    for (const auto& it : items) {
      if (auto* u = std::get_if<ast::use_item>(&it)) {
        out.uses.push_back(u);
        out.all.emplace_back(true, u);
      } else if (auto* t = std::get_if<ast::typedef_item>(&it)) {
        out.defs.push_back(t);
        out.all.emplace_back(false, t);
      }
    }
    return out;
  }

  result<void> resolve_interface(interface_id id, const ast::vec<ast::interface_item>& items,
                                 const ast::docs& d, const ast::attributes& attrs) {
    interfaces[id.index].docs = convert_docs(d);
    WITC_TRY(interfaces[id.index].stability, stability(attrs));
    WITC_CHECK(resolve_types({type_owner::kind::interface, id.index}, split_scope(items)));
    interfaces[id.index].types.reserve(type_lookup.size());
    for (const auto& [name, e] : type_lookup) interfaces[id.index].types.insert(std::string(name), e.id);
    auto& functions = interfaces[id.index].functions;
    std::size_t function_count = 0;
    for (const auto& it : items) {
      if (std::holds_alternative<ast::func_item>(it)) ++function_count;
      else if (auto* t = std::get_if<ast::typedef_item>(&it))
        if (auto* r = std::get_if<ast::resource_def>(&t->def)) function_count += r->funcs.size();
    }
    functions.reserve(function_count);
    auto add = [&](function&& fn) {
      std::string n = fn.name;
      functions.insert(std::move(n), std::move(fn));
    };
    for (const auto& it : items) {
      if (auto* f = std::get_if<ast::func_item>(&it)) {
        WITC_CHECK(define_name(f->name, {false, {}, "function", {}}));
        WITC_TRY(auto fn, resolve_function(f->doc, f->attrs, f->name.name, f->name.span, f->func,
                                           f->func.is_async ? function_kind::async_freestanding
                                                            : function_kind::freestanding));
        add(std::move(fn));
      } else if (auto* t = std::get_if<ast::typedef_item>(&it)) {
        if (auto* r = std::get_if<ast::resource_def>(&t->def)) {
          for (const auto& rf : r->funcs) {
            WITC_TRY(auto fn, resolve_resource_func(rf, t->name));
            add(std::move(fn));
          }
        }
      }
    }
    type_lookup.clear();
    return ok;
  }

  result<void> resolve_world(world_id id, const ast::world_def& w) {
    worlds[id.index].docs = convert_docs(w.doc);
    WITC_TRY(worlds[id.index].stability, stability(w.attrs));
    type_owner owner{type_owner::kind::world, id.index};
    WITC_CHECK(resolve_types(owner, split_scope(w.items)));
    for (const auto& wi : w.items) {
      if (auto* inc = std::get_if<ast::include_item>(&wi)) {
        WITC_TRY(auto st, stability(inc->attrs));
        WITC_TRY(auto target, resolve_path(inc->from));
        WITC_TRY(world_id from, as_world(target));
        world_include wi2{std::move(st), from, {}, target.span};
        for (const auto& n : inc->with) wi2.names.push_back({std::string(n.name.name), std::string(n.as.name)});
        includes[id.index].push_back(std::move(wi2));
      }
    }
    for (const auto& [name, e] : type_lookup) {
      world_item item;
      item.kind = world_item::kind::type;
      item.type = e.id;
      item.span = e.span;
      if (!worlds[id.index].imports.insert(world_key{false, std::string(name), {}}, std::move(item)).second)
        return syntax(e.span, fmt::format("import `{}` conflicts with prior import of same name", name));
    }
    std::unordered_set<std::uint32_t> imported, exported;
    for (const auto& wi : w.items) {
      if (auto* t = std::get_if<ast::typedef_item>(&wi)) {
        if (auto* r = std::get_if<ast::resource_def>(&t->def)) {
          for (const auto& rf : r->funcs) {
            WITC_TRY(auto fn, resolve_resource_func(rf, t->name));
            world_item item;
            item.kind = world_item::kind::function;
            item.span = fn.span;
            std::string key = fn.name;
            item.func = std::move(fn);
            worlds[id.index].imports.insert(world_key{false, std::move(key), {}}, std::move(item));
          }
        }
        continue;
      }
      auto* e = std::get_if<ast::extern_item>(&wi);
      if (!e) continue;
      const char* desc = e->is_import ? "import" : "export";
      WITC_TRY(world_item item, resolve_world_item(*e));
      world_key key;
      witc::span kind_span;
      if (auto* ii = std::get_if<ast::inline_interface>(&e->what)) {
        key = world_key{false, std::string(ii->name.name), {}};
        kind_span = ii->name.span;
      } else if (auto* nf = std::get_if<ast::named_func>(&e->what)) {
        key = world_key{false, item.func.name, {}};
        kind_span = nf->name.span;
      } else if (auto* p = std::get_if<ast::use_path>(&e->what)) {
        if (e->label) {
          key = world_key{false, std::string(e->label->name), {}};
          kind_span = e->label->span;
        } else {
          key = world_key{true, {}, item.iface};
          kind_span = p->name.span;
        }
      }
      if (key.is_interface) {
        auto& set = e->is_import ? imported : exported;
        if (!set.insert(key.iface.index).second)
          return syntax(kind_span, fmt::format("interface cannot be {}ed more than once", desc));
      }
      auto& dst = e->is_import ? worlds[id.index].imports : worlds[id.index].exports;
      auto [pos, fresh] = dst.insert(key, std::move(item));
      if (!fresh) {
        const char* prev = pos->second.kind == world_item::kind::interface ? "interface"
                           : pos->second.kind == world_item::kind::function ? "func"
                                                                            : "type";
        return syntax(kind_span, fmt::format("{} `{}` conflicts with prior {} of same name", desc, key.name, prev));
      }
    }
    type_lookup.clear();
    return ok;
  }

  result<world_item> resolve_world_item(const ast::extern_item& e) {
    world_item item;
    if (auto* ii = std::get_if<ast::inline_interface>(&e.what)) {
      lookup_map saved = std::move(type_lookup);
      type_lookup.clear();
      interface_id id = alloc_interface(ii->name.span);
      WITC_CHECK(resolve_interface(id, ii->items, e.doc, e.attrs));
      type_lookup = std::move(saved);
      WITC_TRY(item.external_id, external_id(e.attrs));
      item.kind = world_item::kind::interface;
      item.iface = id;
      item.stability = interfaces[id.index].stability;
      item.span = ii->name.span;
      return item;
    }
    if (auto* p = std::get_if<ast::use_path>(&e.what)) {
      WITC_TRY(item.stability, stability(e.attrs));
      WITC_TRY(item.external_id, external_id(e.attrs));
      item.docs = convert_docs(e.doc);
      WITC_TRY(auto target, resolve_path(*p));
      WITC_TRY(item.iface, as_interface(target));
      item.kind = world_item::kind::interface;
      item.span = e.label ? e.label->span : target.span;
      return item;
    }
    const auto& nf = std::get<ast::named_func>(e.what);
    WITC_TRY(item.func, resolve_function(e.doc, e.attrs, nf.name.name, nf.name.span, nf.func,
                                         nf.func.is_async ? function_kind::async_freestanding
                                                          : function_kind::freestanding));
    item.kind = world_item::kind::function;
    item.span = nf.name.span;
    return item;
  }

  // ---- functions --------------------------------------------------------------------

  result<function> resolve_resource_func(const ast::resource_func& rf, const ast::ident& resource) {
    auto it = type_lookup.find(resource.name);
    type_id rid = it->second.id;
    std::string name;
    function_kind kind = function_kind::method;
    bool async = rf.func.is_async;
    switch (rf.kind) {
      case ast::resource_func::kind::method:
        name = fmt::format("[method]{}.{}", resource.name, rf.name.name);
        kind = async ? function_kind::async_method : function_kind::method;
        break;
      case ast::resource_func::kind::static_:
        name = fmt::format("[static]{}.{}", resource.name, rf.name.name);
        kind = async ? function_kind::async_static : function_kind::static_;
        break;
      case ast::resource_func::kind::constructor:
        name = fmt::format("[constructor]{}", resource.name);
        kind = function_kind::constructor;
        break;
    }
    return resolve_function(rf.doc, rf.attrs, name, rf.name.span, rf.func, kind, rid);
  }

  result<function> resolve_function(const ast::docs& d, const ast::attributes& attrs, std::string_view name,
                                    witc::span name_span, const ast::func_type& ft, function_kind kind,
                                    type_id resource = {}) {
    function f;
    f.docs = convert_docs(d);
    WITC_TRY(f.stability, stability(attrs));
    WITC_TRY(f.external_id, external_id(attrs));
    f.name = name;
    f.kind = kind;
    f.span = name_span;
    if (kind != function_kind::freestanding && kind != function_kind::async_freestanding) f.resource = resource;
    // Exact sizes throughout: a large package's graph is mostly these vectors.
    f.params.reserve(ft.params.size() + 1);
    if (kind == function_kind::method || kind == function_kind::async_method) {
      type_def h;
      h.kind = handle{true, resource};
      h.stability = find_stability(h.kind, {});
      h.span = ft.span;
      param self{"self", anon_type(std::move(h)), ft.span};
      f.params.push_back(std::move(self));
    }
    for (const auto& p : ft.params) {
      for (const auto& prev : f.params)
        if (prev.name == p.name.name)
          return syntax(p.name.span, fmt::format("param `{}` is defined more than once", p.name.name));
      WITC_TRY(wit::type t, resolve_type(p.ty, {}));
      f.params.push_back(param{std::string(p.name.name), t, p.name.span});
    }
    if (kind == function_kind::constructor) {
      if (!ft.result) {
        f.result = wit::type::of(resource);
      } else {
        WITC_TRY(f.result, resolve_constructor_result(resource, *ft.result));
      }
    } else if (ft.result) {
      WITC_TRY(f.result, resolve_type(*ft.result, {}));
    }
    return f;
  }

  result<wit::type> resolve_constructor_result(type_id resource, const ast::type& r) {
    WITC_TRY(wit::type t, resolve_type(r, {}));
    const result_* res = t.is_id() ? std::get_if<result_>(&types[t.id().index].kind) : nullptr;
    if (!res) return syntax(r.span, "if a constructor return type is declared it must be a `result`");
    if (res->ok && res->ok->is_id() && res->ok->id() == resource) return t;
    witc::span s = r.span;
    if (auto* rt = std::get_if<ast::result_type>(&r.node); rt && rt->ok) s = (*rt->ok)->span;
    return syntax(s, "the `ok` type must be the resource being constructed");
  }

  // ---- types --------------------------------------------------------------------------

  result<type_id> resolve_type_name(const ast::ident& n) {
    auto it = type_lookup.find(n.name);
    if (it == type_lookup.end()) return item_not_found(n, "name");
    if (!it->second.is_type) return syntax(n.span, fmt::format("cannot use {} `{}` as a type", it->second.what, n.name));
    return it->second.id;
  }

  result<type_id> validate_resource(const ast::ident& n) {
    WITC_TRY(type_id id, resolve_type_name(n));
    type_id cur = id;
    while (true) {
      const auto& k = types[cur.index].kind;
      if (std::holds_alternative<wit::resource>(k)) return id;
      if (auto* a = std::get_if<alias>(&k); a && a->target.is_id()) {
        cur = a->target.id();
        continue;
      }
      if (std::holds_alternative<wit::unknown>(k)) {
        required_resource_types.emplace_back(cur, n.span);
        return id;
      }
      return syntax(n.span, fmt::format("type `{}` used in a handle must be a resource", n.name));
    }
  }

  result<type_def_kind> resolve_typedef_kind(const ast::typedef_item& t, const wit::stability& st) {
    if (auto* a = std::get_if<ast::alias_def>(&t.def)) return resolve_type_kind(a->target, st);
    if (auto* r = std::get_if<ast::resource_def>(&t.def)) {
      int ctors = 0;
      std::unordered_set<std::string_view> names;
      for (const auto& f : r->funcs) {
        if (f.kind == ast::resource_func::kind::constructor) {
          if (++ctors > 1) return syntax(f.name.span, "duplicate constructors");
        } else if (!names.insert(f.name.name).second) {
          return syntax(f.name.span, fmt::format("duplicate function name `{}`", f.name.name));
        }
      }
      return type_def_kind{wit::resource{}};
    }
    if (auto* r = std::get_if<ast::record_def>(&t.def)) {
      record out;
      out.fields.reserve(r->fields.size());
      for (const auto& f : r->fields) {
        field fd;
        fd.docs = convert_docs(f.doc);
        fd.name = f.name.name;
        WITC_TRY(fd.ty, resolve_type(f.ty, st));
        fd.span = f.name.span;
        out.fields.push_back(std::move(fd));
      }
      return type_def_kind{std::move(out)};
    }
    if (auto* f = std::get_if<ast::flags_def>(&t.def)) {
      flags out;
      out.flags.reserve(f->flags.size());
      for (const auto& fl : f->flags) out.flags.push_back(flag{std::string(fl.name.name), convert_docs(fl.doc)});
      return type_def_kind{std::move(out)};
    }
    if (auto* v = std::get_if<ast::variant_def>(&t.def)) {
      if (v->cases.empty()) return syntax(t.name.span, "empty variant");
      variant out;
      out.cases.reserve(v->cases.size());
      for (const auto& c : v->cases) {
        variant_case vc;
        vc.docs = convert_docs(c.doc);
        vc.name = c.name.name;
        if (c.ty) {
          WITC_TRY(vc.ty, resolve_type(*c.ty, st));
        }
        vc.span = c.name.span;
        out.cases.push_back(std::move(vc));
      }
      return type_def_kind{std::move(out)};
    }
    const auto& e = std::get<ast::enum_def>(t.def);
    if (e.cases.empty()) return syntax(t.name.span, "empty enum");
    enum_ out;
    out.cases.reserve(e.cases.size());
    for (const auto& c : e.cases) out.cases.push_back(enum_case{std::string(c.name.name), convert_docs(c.doc)});
    return type_def_kind{std::move(out)};
  }

  result<std::optional<wit::type>> resolve_opt(const std::optional<ast::box<ast::type>>& t,
                                               const wit::stability& st) {
    if (!t) return std::optional<wit::type>{};
    WITC_TRY(wit::type r, resolve_type(**t, st));
    return std::optional<wit::type>{r};
  }

  result<type_def_kind> resolve_type_kind(const ast::type& t, const wit::stability& st) {
    if (auto* p = std::get_if<ast::primitive>(&t.node))
      return type_def_kind{alias{wit::type::of(static_cast<wit::primitive>(*p))}};
    if (auto* n = std::get_if<ast::named_type>(&t.node)) {
      WITC_TRY(type_id id, resolve_type_name(n->name));
      return type_def_kind{alias{wit::type::of(id)}};
    }
    if (auto* l = std::get_if<ast::list_type>(&t.node)) {
      WITC_TRY(wit::type e, resolve_type(*l->element, st));
      if (l->size) return type_def_kind{fixed_list{e, *l->size}};
      return type_def_kind{list{e}};
    }
    if (auto* m = std::get_if<ast::map_type>(&t.node)) {
      WITC_TRY(wit::type k, resolve_type(*m->key, st));
      WITC_TRY(wit::type v, resolve_type(*m->value, st));
      bool valid = !k.is_id() && k.prim() != wit::primitive::f32 && k.prim() != wit::primitive::f64 &&
                   k.prim() != wit::primitive::error_context;
      if (!valid)
        return syntax(t.span, "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, "
                              "s64, char, or string");
      return type_def_kind{map{k, v}};
    }
    if (auto* h = std::get_if<ast::handle_type>(&t.node)) {
      WITC_TRY(type_id id, validate_resource(h->resource));
      return type_def_kind{handle{h->borrow, id}};
    }
    if (auto* tu = std::get_if<ast::tuple_type>(&t.node)) {
      tuple out;
      out.types.reserve(tu->types.size());
      for (const auto& e : tu->types) {
        WITC_TRY(wit::type r, resolve_type(e, st));
        out.types.push_back(r);
      }
      return type_def_kind{std::move(out)};
    }
    if (auto* o = std::get_if<ast::option_type>(&t.node)) {
      WITC_TRY(wit::type r, resolve_type(*o->inner, st));
      return type_def_kind{option{r}};
    }
    if (auto* r = std::get_if<ast::result_type>(&t.node)) {
      WITC_TRY(auto ok_t, resolve_opt(r->ok, st));
      WITC_TRY(auto err_t, resolve_opt(r->err, st));
      return type_def_kind{result_{ok_t, err_t}};
    }
    if (auto* f = std::get_if<ast::future_type>(&t.node)) {
      WITC_TRY(auto in, resolve_opt(f->inner, st));
      return type_def_kind{future{in}};
    }
    const auto& s = std::get<ast::stream_type>(t.node);
    WITC_TRY(auto in, resolve_opt(s.inner, st));
    return type_def_kind{stream{in}};
  }

  result<wit::type> resolve_type(const ast::type& t, const wit::stability& st) {
    // Most type uses are a primitive or a name: no anonymous definition to build.
    if (auto* p = std::get_if<ast::primitive>(&t.node)) return wit::type::of(static_cast<wit::primitive>(*p));
    if (auto* n = std::get_if<ast::named_type>(&t.node)) {
      WITC_TRY(type_id id, resolve_type_name(n->name));
      return wit::type::of(id);
    }
    WITC_TRY(type_def_kind kind, resolve_type_kind(t, st));
    type_def def;
    def.stability = find_stability(kind, st);
    def.kind = std::move(kind);
    def.span = t.span;
    return anon_type(std::move(def));
  }

  const wit::stability* stability_of(const wit::type& t) const {
    if (!t.is_id()) return nullptr;
    const auto& s = types[t.id().index].stability;
    return s.kind == wit::stability::kind::unknown ? nullptr : &s;
  }

  // `option<T>` and friends inherit the stability of the first gated type they name.
  wit::stability find_stability(const type_def_kind& kind, const wit::stability& st) const {
    if (st.kind != wit::stability::kind::unknown) return st;
    const wit::stability* found = nullptr;
    auto opt = [&](const std::optional<wit::type>& t) { return t ? stability_of(*t) : nullptr; };
    if (auto* a = std::get_if<alias>(&kind)) found = stability_of(a->target);
    else if (auto* h = std::get_if<handle>(&kind)) found = stability_of(wit::type::of(h->resource));
    else if (auto* tu = std::get_if<tuple>(&kind)) {
      for (const auto& e : tu->types)
        if ((found = stability_of(e))) break;
    } else if (auto* l = std::get_if<list>(&kind)) found = stability_of(l->element);
    else if (auto* fl = std::get_if<fixed_list>(&kind)) found = stability_of(fl->element);
    else if (auto* o = std::get_if<option>(&kind)) found = stability_of(o->inner);
    else if (auto* m = std::get_if<map>(&kind)) {
      found = stability_of(m->key);
      if (!found) found = stability_of(m->value);
    } else if (auto* f = std::get_if<future>(&kind)) found = opt(f->inner);
    else if (auto* s = std::get_if<stream>(&kind)) found = opt(s->inner);
    else if (auto* r = std::get_if<result_>(&kind)) {
      found = opt(r->ok);
      if (!found) found = opt(r->err);
    }
    return found ? *found : wit::stability{};
  }

  // The key wit-parser's `anon_types` map would hash for `kind`, or false for the
  // kinds that are never deduplicated (aliases resolve to their target, `own<r>`
  // is `r` itself).
  static bool anon_key(std::string& k, const type_def_kind& kind) {
    k.clear();
    if (auto* h = std::get_if<handle>(&kind)) {
      if (!h->borrow) return false;
      k = "b";
      key_u32(k, h->resource.index);
    } else if (auto* v = std::get_if<variant>(&kind)) {
      k = "v";
      for (const auto& c : v->cases) key_name(k, c.name), key_opt(k, c.ty);
    } else if (auto* r = std::get_if<record>(&kind)) {
      k = "r";
      for (const auto& f : r->fields) key_name(k, f.name), key_type(k, f.ty);
    } else if (auto* fl = std::get_if<flags>(&kind)) {
      k = "f";
      for (const auto& f : fl->flags) key_name(k, f.name);
    } else if (auto* tu = std::get_if<tuple>(&kind)) {
      k = "t";
      for (const auto& e : tu->types) key_type(k, e);
    } else if (auto* e = std::get_if<enum_>(&kind)) {
      k = "e";
      for (const auto& c : e->cases) key_name(k, c.name);
    } else if (auto* l = std::get_if<list>(&kind)) {
      k = "l";
      key_type(k, l->element);
    } else if (auto* m = std::get_if<map>(&kind)) {
      k = "m";
      key_type(k, m->key);
      key_type(k, m->value);
    } else if (auto* x = std::get_if<fixed_list>(&kind)) {
      k = "x";
      key_u32(k, x->size);
      key_type(k, x->element);
    } else if (auto* o = std::get_if<option>(&kind)) {
      k = "o";
      key_type(k, o->inner);
    } else if (auto* r = std::get_if<result_>(&kind)) {
      k = "R";
      key_opt(k, r->ok);
      key_opt(k, r->err);
    } else if (auto* f = std::get_if<future>(&kind)) {
      k = "F";
      key_opt(k, f->inner);
    } else if (auto* s = std::get_if<stream>(&kind)) {
      k = "S";
      key_opt(k, s->inner);
    } else {
      return false;
    }
    return true;
  }

  // Finds or adds the slot for key `k` (hash `h`); a slot holds a type index + 1.
  anon_entry& anon_slot(std::string_view k, std::uint32_t h) {
    std::size_t mask = anon_slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      auto& slot = anon_slots[i];
      if (slot.index == 0) return slot;
      if (slot.hash == h) {
        anon_key(anon_scratch, types[slot.index - 1].kind);
        if (anon_scratch == k) return slot;
      }
    }
  }

  void anon_grow() {
    std::vector<anon_entry> old(std::max<std::size_t>(64, anon_slots.size() * 2));
    old.swap(anon_slots);
    std::size_t mask = anon_slots.size() - 1;
    for (const auto& e : old) {
      if (e.index == 0) continue;
      std::size_t i = e.hash & mask;
      while (anon_slots[i].index != 0) i = (i + 1) & mask;
      anon_slots[i] = e;
    }
  }

  wit::type anon_type(type_def&& def) {
    if (auto* a = std::get_if<alias>(&def.kind)) return a->target;
    if (auto* h = std::get_if<handle>(&def.kind); h && !h->borrow) return wit::type::of(h->resource);
    std::string& k = anon_key_buf;
    if (!anon_key(k, def.kind)) return wit::type::of(alloc_type(std::move(def)));
    if ((anon_count + 1) * 2 > anon_slots.size()) anon_grow();
    std::uint32_t h = name_hash(k);
    anon_entry& slot = anon_slot(k, h);
    if (slot.index != 0) return wit::type::of(type_id{slot.index - 1});
    type_id id = alloc_type(std::move(def));
    slot = {h, id.index + 1};  // still valid: the table only grows above
    ++anon_count;
    return wit::type::of(id);
  }

  // ---- driver ---------------------------------------------------------------------------

  result<unresolved_package> finish() {
    if (!name) return fail(diagnostic::global("no `package` header was found in any WIT file for this package"));
    populate_foreign_deps();
    WITC_TRY(auto order, populate_ast_items());
    WITC_CHECK(populate_foreign_types());

    std::unordered_map<std::uint32_t, std::pair<ast::interface_def*, std::size_t>> iface_ast;
    std::unordered_map<std::uint32_t, std::pair<ast::world_def*, std::size_t>> world_ast;
    for (std::size_t i = 0; i < decl_lists.size(); ++i) {
      for (ast::toplevel_item* item : decl_lists[i]) {
        if (auto* in = std::get_if<ast::interface_def>(item))
          iface_ast[ast_items[i].at(in->name.name).index] = {in, i};
        else if (auto* w = std::get_if<ast::world_def>(item))
          world_ast[ast_items[i].at(w->name.name).index] = {w, i};
      }
    }
    for (interface_id id : order.ifaces) {
      auto [def, i] = iface_ast.at(id.index);
      cur_ast_index = i;
      WITC_CHECK(resolve_interface(id, def->items, def->doc, def->attrs));
      // Nothing refers to an interface's body once it is resolved (names were
      // copied, lookups cleared): free it now so the graph reuses its memory.
      ast::vec<ast::interface_item>().swap(def->items);
    }
    for (world_id id : order.worlds) {
      auto [def, i] = world_ast.at(id.index);
      cur_ast_index = i;
      WITC_CHECK(resolve_world(id, *def));
      ast::vec<ast::world_item>().swap(def->items);  // as for interfaces: its chunks can go
    }

    unresolved_package out;
    out.name = name->first;
    out.name_span = name->second;
    out.docs = std::move(package_docs);
    out.types = std::move(types);
    out.interfaces = std::move(interfaces);
    out.worlds = std::move(worlds);
    out.includes = std::move(includes);
    out.foreign_deps = std::move(foreign_deps);
    out.unknown_type_spans = std::move(unknown_type_spans);
    out.required_resource_types = std::move(required_resource_types);
    return out;
  }
};

package_builder::package_builder() : p_(std::make_unique<impl>()) {}
package_builder::~package_builder() = default;

result<void> package_builder::push_file(ast::file& f) {
  if (f.package) WITC_CHECK(p_->set_name(f.package->name, f.package->doc));
  decl_list dl;
  for (auto& item : f.items)
    if (!std::holds_alternative<ast::box<ast::nested_package>>(item)) dl.push_back(&item);
  p_->decl_lists.push_back(std::move(dl));
  return ok;
}

result<void> package_builder::push_nested(ast::nested_package& p) {
  WITC_CHECK(p_->set_name(p.name, p.doc));
  decl_list dl;
  for (auto& item : p.items) {
    if (auto* nested = std::get_if<ast::box<ast::nested_package>>(&item))
      return syntax((*nested)->name.span, "nested packages must be placed at the top-level");
    dl.push_back(&item);
  }
  p_->decl_lists.push_back(std::move(dl));
  return ok;
}

result<unresolved_package> package_builder::finish() { return p_->finish(); }

}  // namespace witc::wit::detail
