// `component new`, in wit-component's shape:
//   1. the world's imports (types, instances, functions), replayed from its
//      component type (`world_type`), so the component's type index space starts
//      as the world type's does;
//   2. the core modules: main, adapters, a shim holding a table of `call_indirect`
//      trampolines, a fixup module that fills that table, and the `_initialize` caller;
//   3. the shim instance, exported resource types (their dtors go through the
//      shim, since the main module exists only later), lowered imports, the main
//      instance, adapter instances, then the lowerings that needed memory or realloc
//      and the fixup instance, then `_initialize`;
//   4. the world's exports: each exported interface's types redefined at the top
//      level, its functions lifted, an instance of them exported under the
//      interface's instance type (type ascription keeps the world's own types).
#include "witc/binary/component_new.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <memory>

#include "component_new_detail.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/binary/core_module.hpp"
#include "witc/binary/core_validate.hpp"
#include "witc/wit/merge.hpp"

namespace witc::binary {
namespace {

using component::alias;
using component::canon;
using component::canon_opt;
using component::componenttype;
using component::core_instance;
using component::core_module;
using component::core_sort;
using component::core_sort_idx;
using component::decl;
using component::defvaltype;
using component::externtype;
using component::functype;
using component::instance;
using component::resourcetype;
using component::section;
using component::sort;
using component::sort_kind;
using component::type;
using cval = component::valtype;
using cimport = component::import;
using cexport = component::export_;
using namespace component_new_detail;
using u32 = std::uint32_t;

failure error(std::string msg, std::string hint = {}) { return fail(diagnostic::global(std::move(msg), std::move(hint))); }

std::string key_name(const wit::resolve& r, const wit::world_key& k) {
  if (!k.is_interface) return k.name;
  const auto& in = r[k.iface];
  if (!in.package) return in.name.value_or("");
  const auto& n = r[*in.package].name;
  return n.ns + ":" + n.name + "/" + in.name.value_or("") + (n.version ? "@" + *n.version : "");
}

// `ns:pkg/iface@1.2.3` -> (`ns:pkg/iface`, `1.2.3`).
std::pair<std::string, std::string> split_version(const std::string& s) {
  auto at = s.rfind('@');
  if (at == std::string::npos) return {s, ""};
  return {s.substr(0, at), s.substr(at + 1)};
}

// Semver compatibility as wit-component applies it to import names: the same
// major version, and for 0.x the same minor.
bool compatible(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& v) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= v.size(); ++i)
      if (i == v.size() || v[i] == '.' || v[i] == '-' || v[i] == '+') {
        out.push_back(v.substr(start, i - start));
        if (i < v.size() && v[i] != '.') break;
        start = i + 1;
      }
    return out;
  };
  auto x = parts(a), y = parts(b);
  if (x.size() < 2 || y.size() < 2) return a == b;
  if (x[0] != y[0]) return false;
  return x[0] != "0" || x[1] == y[1];
}


// ---- one world carried by the component ------------------------------------------------

struct source {
  std::string label;  // "the module" / "adapter `wasi_snapshot_preview1`"
  decoded_wit d;
  wit::world_id w{};
  componenttype ct;
  std::size_t split = 0;  // decls before it are the imports' part
  // World-type index -> component index, per sort.
  std::vector<u32> tmap, imap, fmap;
  std::vector<const type*> wtype;  // world-type type index -> its definition, if defined there
  std::vector<std::pair<u32, std::string>> walias;  // world-type type index -> (instance, name) if aliased
  std::vector<std::string> winst;                   // world-type instance index -> its name
  std::vector<u32> winst_type;                      // world-type instance index -> its type index
  std::map<std::string, u32> inst_by_name, func_by_name, type_by_name;
  std::map<std::pair<std::string, std::string>, u32> resources;  // exported (interface, resource) -> type
  std::map<std::pair<u32, std::string>, u32> aliased_types;      // (instance, name) -> type + 1
  std::map<std::pair<u32, std::string>, u32> aliased_funcs;      // (instance, name) -> func + 1
};

struct core_item {
  std::string name;
  std::shared_ptr<const module> m;
  std::vector<std::uint8_t> bytes;
  source* src = nullptr;
  u32 module_idx = 0, instance = 0;
  bool is_main = true;
  std::string realloc_export;  // what its lowered imports (or lifts) use as realloc
  std::vector<bool> live;      // adapters: functions reachable from what is used (empty: all)

  const export_* find_export(std::string_view n) const {
    for (const auto& e : m->exports)
      if (e.name == n) return &e;
    return nullptr;
  }
  core_sig func_sig(u32 func) const {
    const auto& ft = m->types.at(m->func_type_index(func));
    core_sig s;
    for (auto v : ft.params) s.params.push_back(static_cast<std::uint8_t>(v));
    for (auto v : ft.results) s.results.push_back(static_cast<std::uint8_t>(v));
    return s;
  }
};

// How one core import is satisfied.
struct import_plan {
  enum class how { lower, shim, resource_op, main_memory, main_export, grow_realloc, trap } kind = how::lower;
  std::string module, field;
  u32 comp_func = 0;  // lower
  u32 comp_type = 0;  // resource_op
  std::uint8_t op = 0;
  int slot = -1;      // shim
  std::string target; // main_export; resource_op of an exported resource: its interface
  std::string resource;  // resource_op of an exported resource
  source* src = nullptr;
};

// What fills one shim slot once everything is instantiated.
struct slot_fill {
  enum class how { lower, core_export } kind = how::lower;
  core_sig sig;
  u32 comp_func = 0;
  abi a;
  string_encoding enc = string_encoding::utf8;
  core_item* owner = nullptr;  // lower: whose realloc; core_export: whose export
  std::string name;
};

// ---- the component being written -------------------------------------------------------

class builder {
 public:
  component::component c;
  u32 types = 0, funcs = 0, instances = 0, core_funcs = 0, core_instances = 0, core_modules = 0,
      core_memories = 0, core_tables = 0, components = 0;

  template <class T>
  void push(std::uint8_t id, T item) {
    if (!c.sections.empty() && c.sections.back().id == id)
      if (auto* v = std::get_if<std::vector<T>>(&c.sections.back().body)) {
        v->push_back(std::move(item));
        return;
      }
    section s;
    s.id = id;
    s.body = std::vector<T>{std::move(item)};
    c.sections.push_back(std::move(s));
  }
  u32 add_type(type t) {
    push<type>(7, std::move(t));
    return types++;
  }
  u32 bump(sort s) {
    switch (s.kind) {
      case sort_kind::type: return types++;
      case sort_kind::func: return funcs++;
      case sort_kind::instance: return instances++;
      case sort_kind::core:
        switch (s.core) {
          case core_sort::func: return core_funcs++;
          case core_sort::memory: return core_memories++;
          case core_sort::table: return core_tables++;
          default: return 0;
        }
      default: return 0;
    }
  }
  u32 alias_export(u32 inst, std::string name, sort_kind k) {
    alias a;
    a.sort.kind = k;
    a.target = 0;
    a.instance = inst;
    a.name = std::move(name);
    push<alias>(6, a);
    return bump(a.sort);
  }
  u32 alias_core(u32 inst, std::string name, core_sort k) {
    alias a;
    a.sort.kind = sort_kind::core;
    a.sort.core = k;
    a.target = 1;
    a.instance = inst;
    a.name = std::move(name);
    push<alias>(6, a);
    return bump(a.sort);
  }
  u32 add_module(std::vector<std::uint8_t> bytes) {
    section s;
    s.id = 1;
    s.body = core_module{std::move(bytes), 0};
    c.sections.push_back(std::move(s));
    return core_modules++;
  }
  u32 instantiate(u32 module, std::vector<core_instance::arg> args) {
    core_instance ci;
    ci.form = 0;
    ci.module = module;
    ci.args = std::move(args);
    push<core_instance>(2, std::move(ci));
    return core_instances++;
  }
  u32 inline_core(std::vector<core_instance::export_> exports) {
    core_instance ci;
    ci.form = 1;
    ci.exports = std::move(exports);
    push<core_instance>(2, std::move(ci));
    return core_instances++;
  }
  u32 add_canon(canon cn) {
    bool lift = cn.op == 0x00;
    push<canon>(8, std::move(cn));
    return lift ? funcs++ : core_funcs++;
  }
};

// ---- index remapping ----------------------------------------------------------------------

result<u32> at(const std::vector<u32>& m, u32 i, const char* what) {
  if (i >= m.size()) return error(fmt::format("{} index {} is out of range in the world type", what, i));
  return m[i];
}
result<cval> remap(cval v, const std::vector<u32>& m) {
  if (v.is_prim) return v;
  WITC_TRY(v.idx, at(m, v.idx, "type"));
  return v;
}
result<std::optional<cval>> remap(const std::optional<cval>& v, const std::vector<u32>& m) {
  if (!v) return std::optional<cval>{};
  WITC_TRY(cval x, remap(*v, m));
  return std::optional<cval>{x};
}
result<type> remap(const type& t, const std::vector<u32>& m) {
  type out = t;
  if (auto* d = std::get_if<defvaltype>(&out.def)) {
    for (auto& f : d->fields) { WITC_TRY(f.type, remap(f.type, m)); }
    for (auto& c : d->cases) { WITC_TRY(c.type, remap(c.type, m)); }
    for (auto& x : d->types) { WITC_TRY(x, remap(x, m)); }
    WITC_TRY(d->a, remap(d->a, m));
    WITC_TRY(d->b, remap(d->b, m));
    if (d->code == 0x69 || d->code == 0x68) { WITC_TRY(d->idx, at(m, d->idx, "type")); }
  } else if (auto* f = std::get_if<functype>(&out.def)) {
    for (auto& p : f->params) { WITC_TRY(p.type, remap(p.type, m)); }
    WITC_TRY(f->result, remap(f->result, m));
  } else if (auto* ct = std::get_if<componenttype>(&out.def)) {
    // Only outer aliases leave the nested scope.
    for (auto& d : ct->decls)
      if (d.tag == 2 && d.alias.target == 2 && d.alias.count == 1) { WITC_TRY(d.alias.idx, at(m, d.alias.idx, "type")); }
  } else {
    return error("a world type defines a resource, which `component new` does not expect");
  }
  return out;
}

// The world import that core import module `module` names: exactly, or a
// semver-compatible version of the same interface.
std::optional<wit::world_key> find_import_key(const wit::resolve& r, wit::world_id w, const std::string& module) {
  for (const auto& [k, it] : r[w].imports)
    if (it.kind == wit::world_item::kind::interface && key_name(r, k) == module) return k;
  auto [base_name, version] = split_version(module);
  std::optional<wit::world_key> found;
  for (const auto& [k, it] : r[w].imports) {
    if (it.kind != wit::world_item::kind::interface) continue;
    auto [b2, v2] = split_version(key_name(r, k));
    if (b2 == base_name && !version.empty() && !v2.empty() && compatible(version, v2)) found = k;
  }
  return found;
}

class maker {
 public:
  explicit maker(const component_new_options& o) : opts_(o) {}

  result<std::vector<std::uint8_t>> run(std::span<const std::uint8_t> core, std::uint32_t base);

 private:
  const component_new_options& opts_;
  builder b_;
  std::vector<std::unique_ptr<source>> sources_;
  std::vector<std::unique_ptr<core_item>> cores_;
  std::vector<slot_fill> slots_;
  std::map<std::string, std::string> imported_by_;  // component import name -> which world
  std::optional<u32> memory_, grow_realloc_;
  std::map<std::string, u32> realloc_of_;  // core item name -> core func
  u32 shim_instance_ = 0;
  std::vector<core_sig> traps_;
  std::optional<u32> trap_instance_;

  core_item& main() { return *cores_.front(); }

  result<std::unique_ptr<source>> load_source(std::string label, const std::vector<std::vector<std::uint8_t>>& payloads);
  result<void> replay_imports(source& s, const std::map<std::string, std::set<std::string>>* needed);
  void skip_decl(source& s, const decl& d);
  result<void> collect_garbage(core_item& ad, std::map<std::string, std::set<std::string>>& needed);
  result<void> replay_decl(source& s, const decl& d);
  struct pending_resource {
    source* src;
    std::string key, name;
    int slot;
  };
  std::vector<pending_resource> resources_;
  result<void> plan_resources(source& s, core_item& owner);
  result<std::vector<import_plan>> plan_imports(core_item& ci);
  result<import_plan> plan_interface_import(core_item& ci, source& s, const import& im);
  result<void> check_sig(const core_item& ci, const import& im, const core_sig& want, const std::string& what);
  int add_slot(slot_fill f) {
    slots_.push_back(std::move(f));
    return static_cast<int>(slots_.size() - 1);
  }
  result<void> instantiate(core_item& ci, const std::vector<import_plan>& plans);
  result<u32> memory();
  result<u32> realloc_for(core_item& ci, const std::string& why);
  result<std::vector<canon_opt>> options(core_item& ci, const abi& a, string_encoding enc, const std::string& why);
  result<void> exports(source& s, core_item& owner);
  result<void> export_interface(source& s, core_item& owner, const decl& d);
  result<void> copy_interface(source& s, builder& ib, u32 wi, int depth,
                              const std::function<u32(const std::string&, std::optional<u32>, u32)>& import_type,
                              std::map<u32, std::map<std::string, u32>>& done);
  result<u32> nested_instance(source& s, const std::string& iface_name, const componenttype& it,
                              const std::vector<u32>& outer_local, const std::vector<instance::export_>& lifted);
  result<u32> lift(source& s, core_item& owner, const std::string& core_name, const wit::function& f, u32 type);
};

result<std::unique_ptr<source>> maker::load_source(std::string label,
                                                   const std::vector<std::vector<std::uint8_t>>& payloads) {
  auto s = std::make_unique<source>();
  s->label = std::move(label);
  auto decode = [&](std::span<const std::uint8_t> payload) -> result<decoded_wit> {
    auto d = decode_wit(payload);
    if (!d) {
      auto ds = d.error();
      for (auto& x : ds) x.message = fmt::format("{}: its `component-type` section: {}", s->label, x.message);
      return fail(std::move(ds));
    }
    if (!d->world) return error(fmt::format("{}: its `component-type` section holds no world", s->label));
    return std::move(*d);
  };
  // Functions of two decodings: named types have different ids, so only primitives
  // and the shape are compared.
  auto same_type = [](const std::optional<wit::type>& a, const std::optional<wit::type>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    if (a->is_id() != b->is_id()) return false;
    return a->is_id() || a->prim() == b->prim();
  };
  auto same_function = [&](const wit::function& a, const wit::function& b) {
    if (a.name != b.name || a.kind != b.kind || a.params.size() != b.params.size() || !same_type(a.result, b.result))
      return false;
    for (std::size_t i = 0; i < a.params.size(); ++i)
      if (a.params[i].name != b.params[i].name || !same_type(a.params[i].ty, b.params[i].ty)) return false;
    return true;
  };
  WITC_TRY(s->d, decode(payloads.front()));
  s->w = *s->d.world;
  // Several worlds (one per bindings generator run, say) merge as wit-component's
  // `merge_world_imports_based_on_semver`-free union: same names must be the same item.
  for (std::size_t i = 1; i < payloads.size(); ++i) {
    WITC_TRY(decoded_wit other, decode(payloads[i]));
    wit::world_id ow = *other.world;
    WITC_TRY(wit::merge_map mm, wit::merge(s->d.resolve, std::move(other.resolve)));
    wit::world merged = s->d.resolve[s->w];
    const wit::world& add = s->d.resolve[mm.worlds.at(ow.index)];
    auto join = [&](auto& into, const auto& from, const char* what) -> result<void> {
      for (const auto& [k, item] : from) {
        if (auto it = into.find(k); it != into.end()) {
          bool same = it->second.kind == item.kind &&
                      (item.kind != wit::world_item::kind::interface || it->second.iface == item.iface) &&
                      (item.kind != wit::world_item::kind::type || it->second.type == item.type) &&
                      (item.kind != wit::world_item::kind::function || same_function(it->second.func, item.func));
          if (!same)
            return error(fmt::format("{}: its `component-type` sections disagree on {} `{}`", s->label, what,
                                     key_name(s->d.resolve, k)));
          continue;
        }
        into.insert(k, item);
      }
      return ok;
    };
    WITC_CHECK(join(merged.imports, add.imports, "import"));
    WITC_CHECK(join(merged.exports, add.exports, "export"));
    s->d.resolve.worlds.push_back(std::move(merged));
    s->w = wit::world_id{static_cast<u32>(s->d.resolve.worlds.size() - 1)};
    s->d.world = s->w;
  }
  WITC_TRY(type wt, world_type(s->d.resolve, s->w));
  auto* ct = std::get_if<componenttype>(&wt.def);
  if (!ct) return error(fmt::format("{}: its world is not a component type", s->label));
  s->ct = std::move(*ct);
  for (std::size_t i = 0; i < s->ct.decls.size(); ++i)
    if (s->ct.decls[i].tag == 3) s->split = i + 1;
  return s;
}

result<void> maker::replay_decl(source& s, const decl& d) {
  switch (d.tag) {
    case 1: {
      WITC_TRY(type t, remap(*d.type, s.tmap));
      s.tmap.push_back(b_.add_type(std::move(t)));
      s.wtype.push_back(&*d.type);
      s.walias.push_back({~u32{0}, ""});
      return ok;
    }
    case 2: {
      if (d.alias.target != 0) return error("the world type has an outer alias at its top");
      WITC_TRY(u32 inst, at(s.imap, d.alias.instance, "instance"));
      u32 i = b_.alias_export(inst, d.alias.name, d.alias.sort.kind);
      switch (d.alias.sort.kind) {
        case sort_kind::type:
          s.tmap.push_back(i);
          s.wtype.push_back(nullptr);
          s.walias.push_back({d.alias.instance, d.alias.name});
          break;
        case sort_kind::func: s.fmap.push_back(i); break;
        case sort_kind::instance:
          s.imap.push_back(i);
          s.winst.push_back(d.alias.name);
          s.winst_type.push_back(~u32{0});
          break;
        default: return error("the world type aliases an unexpected sort");
      }
      return ok;
    }
    case 3: {
      const std::string& name = d.name.name;
      if (auto it = imported_by_.find(name); it != imported_by_.end())
        return error(fmt::format("{} and {} both import `{}`", it->second, s.label, name),
                     "merging the worlds of adapters and the module is not supported yet");
      imported_by_[name] = s.label;
      cimport im;
      im.name = d.name;
      im.type = d.ext;
      if (d.ext.kind == 1 || d.ext.kind == 5 || (d.ext.kind == 3 && d.ext.bound_eq)) {
        WITC_TRY(im.type.idx, at(s.tmap, d.ext.idx, "type"));
      }
      b_.push<cimport>(10, std::move(im));
      switch (d.ext.kind) {
        case 1: s.func_by_name[name] = b_.funcs; s.fmap.push_back(b_.funcs++); break;
        case 5:
          s.inst_by_name[name] = b_.instances;
          s.imap.push_back(b_.instances++);
          s.winst.push_back(name);
          s.winst_type.push_back(d.ext.idx);
          break;
        case 3:
          s.type_by_name[name] = b_.types;
          s.tmap.push_back(b_.types++);
          s.wtype.push_back(nullptr);
          s.walias.push_back({~u32{0}, ""});
          break;
        default: return error(fmt::format("the world imports `{}` of a kind `component new` does not handle", name));
      }
      return ok;
    }
    default: return error("unexpected declaration in the world type");
  }
}

void maker::skip_decl(source& s, const decl& d) {
  constexpr u32 none = ~u32{0};
  if (d.tag == 1) {
    s.tmap.push_back(none);
    s.wtype.push_back(&*d.type);
    s.walias.push_back({none, ""});
  } else if (d.tag == 2) {
    if (d.alias.sort.kind == sort_kind::type) {
      s.tmap.push_back(none);
      s.wtype.push_back(nullptr);
      s.walias.push_back({d.alias.instance, d.alias.name});
    } else if (d.alias.sort.kind == sort_kind::func) {
      s.fmap.push_back(none);
    } else if (d.alias.sort.kind == sort_kind::instance) {
      s.imap.push_back(none);
      s.winst.push_back(d.alias.name);
      s.winst_type.push_back(none);
    }
  } else if (d.tag == 3) {
    if (d.ext.kind == 1) s.fmap.push_back(none);
    if (d.ext.kind == 3) {
      s.tmap.push_back(none);
      s.wtype.push_back(nullptr);
      s.walias.push_back({none, ""});
    }
    if (d.ext.kind == 5) {
      s.imap.push_back(none);
      s.winst.push_back(d.name.name);
      s.winst_type.push_back(d.ext.idx);
    }
  }
}

result<void> maker::replay_imports(source& s, const std::map<std::string, std::set<std::string>>* needed) {
  std::vector<bool> need;
  if (needed) need = needed_decls(s.ct, s.split, *needed);
  for (std::size_t i = 0; i < s.split; ++i) {
    if (needed && !need[i]) {
      skip_decl(s, s.ct.decls[i]);
      continue;
    }
    WITC_CHECK(replay_decl(s, s.ct.decls[i]));
  }
  return ok;
}

// The adapter's live functions, from what the module imports of it and what its world
// exports; `needed` gets the world imports those functions use.
result<void> maker::collect_garbage(core_item& ad, std::map<std::string, std::set<std::string>>& needed) {
  std::vector<u32> roots;
  std::string prefix = ad.name.substr(9, ad.name.size() - 10);  // adapter `NAME`
  for (const auto& im : main().m->imports)
    if (im.module == prefix)
      if (const auto* e = ad.find_export(im.name); e && e->kind == extern_kind::func) roots.push_back(e->index);
  for (const auto& e : ad.m->exports)
    if (e.kind == extern_kind::func && e.name.find('#') != std::string::npos) roots.push_back(e.index);
  // `cabi_import_realloc` is live only when a live import needs a realloc to lower.
  const export_* realloc = ad.find_export("cabi_import_realloc");
  for (int round = 0; round < 2; ++round) {
    WITC_TRY(ad.live, live_functions(*ad.m, roots));
    if (!ad.src || !realloc || realloc->kind != extern_kind::func || ad.live[realloc->index]) break;
    const auto& r = ad.src->d.resolve;
    bool wants_realloc = false;
    u32 f = 0;
    for (const auto& im : ad.m->imports) {
      if (im.kind != extern_kind::func) continue;
      if (!ad.live[f++] || im.module == "env" || im.module == "__main_module__") continue;
      auto k = find_import_key(r, ad.src->w, im.module);
      if (!k) continue;
      const auto& item = r[ad.src->w].imports.find(*k)->second;
      if (item.kind != wit::world_item::kind::interface) continue;
      if (auto fn = r[item.iface].functions.find(im.name); fn != r[item.iface].functions.end())
        wants_realloc = wants_realloc || function_abi(r, fn->second, false).realloc;
    }
    if (!wants_realloc) break;
    roots.push_back(realloc->index);
  }
  if (!ad.src) return ok;
  const auto& r = ad.src->d.resolve;
  u32 f = 0;
  for (const auto& im : ad.m->imports) {
    if (im.kind != extern_kind::func) continue;
    if (ad.live[f++] && im.module != "env" && im.module != "__main_module__") {
      if (auto k = find_import_key(r, ad.src->w, im.module)) needed[key_name(r, *k)].insert(im.name);
    }
  }
  return ok;
}

result<void> maker::check_sig(const core_item& ci, const import& im, const core_sig& want, const std::string& what) {
  if (im.kind != extern_kind::func)
    return error(fmt::format("{} imports `{}` `{}` as a {}, expected a function", ci.name, im.module, im.name,
                             to_string(im.kind)));
  core_sig have;
  const auto& ft = ci.m->types.at(im.func_type);
  for (auto v : ft.params) have.params.push_back(static_cast<std::uint8_t>(v));
  for (auto v : ft.results) have.results.push_back(static_cast<std::uint8_t>(v));
  if (have != want)
    return error(fmt::format("{} imports `{}` `{}` with type {}, expected {} for {}", ci.name, im.module, im.name,
                             to_string(have), to_string(want), what));
  return ok;
}

result<void> maker::plan_resources(source& s, core_item& owner) {
  const auto& r = s.d.resolve;
  for (const auto& [k, item] : r[s.w].exports) {
    if (item.kind != wit::world_item::kind::interface) continue;
    std::string key = key_name(r, k);
    for (const auto& [tname, t] : r[item.iface].types) {
      if (!std::holds_alternative<wit::resource>(r[t].kind)) continue;
      pending_resource pr{&s, key, tname, -1};
      std::string dtor = key + "#[dtor]" + tname;
      if (const auto* e = owner.find_export(dtor)) {
        if (e->kind != extern_kind::func)
          return error(fmt::format("{} exports `{}` but not as a function", owner.name, dtor));
        core_sig want{{i32}, {}};
        if (owner.func_sig(e->index) != want)
          return error(fmt::format("{} exports `{}` with type {}, expected {}", owner.name, dtor,
                                   to_string(owner.func_sig(e->index)), to_string(want)));
        slot_fill f;
        f.kind = slot_fill::how::core_export;
        f.sig = want;
        f.owner = &owner;
        f.name = dtor;
        pr.slot = add_slot(std::move(f));
      }
      s.resources[{key, tname}] = 0;
      resources_.push_back(std::move(pr));
    }
  }
  return ok;
}

result<import_plan> maker::plan_interface_import(core_item& ci, source& s, const import& im) {
  const auto& r = s.d.resolve;
  const auto& w = r[s.w];
  import_plan p;
  p.module = im.module;
  p.field = im.name;
  auto lower_func = [&](const wit::function& f, u32 comp_func, const std::string& what) -> result<import_plan> {
    abi a = function_abi(r, f, false);
    WITC_CHECK(check_sig(ci, im, a.sig, what));
    p.comp_func = comp_func;
    if (a.memory || a.realloc) {
      slot_fill fill;
      fill.kind = slot_fill::how::lower;
      fill.sig = a.sig;
      fill.comp_func = comp_func;
      fill.a = a;
      fill.enc = s.d.encoding;
      fill.owner = &ci;
      fill.name = what;
      p.kind = import_plan::how::shim;
      p.slot = add_slot(std::move(fill));
    } else {
      p.kind = import_plan::how::lower;
    }
    return p;
  };
  auto resource = [&](u32 type, std::uint8_t op) -> result<import_plan> {
    core_sig want = op == 0x03 ? core_sig{{i32}, {}} : core_sig{{i32}, {i32}};
    WITC_CHECK(check_sig(ci, im, want, fmt::format("`{}`", im.name)));
    p.kind = import_plan::how::resource_op;
    p.comp_type = type;
    p.op = op;
    return p;
  };
  const std::string& field = im.name;
  if (im.module == "$root") {
    if (field.starts_with("[resource-drop]")) {
      auto it = s.type_by_name.find(field.substr(15));
      if (it == s.type_by_name.end())
        return error(fmt::format("{} imports `$root` `{}`, but the world imports no resource `{}`", ci.name, field,
                                 field.substr(15)));
      return resource(it->second, 0x03);
    }
    for (const auto& [k, item] : w.imports)
      if (item.kind == wit::world_item::kind::function && item.func.name == field) {
        auto it = s.func_by_name.find(key_name(r, k));
        if (it == s.func_by_name.end()) break;
        return lower_func(item.func, it->second, fmt::format("function `{}`", field));
      }
    return error(fmt::format("{} imports function `{}` from `$root`, which the world does not import", ci.name, field));
  }
  if (im.module.starts_with("[export]")) {
    std::string key = im.module.substr(8);
    std::uint8_t op = 0;
    std::string res;
    for (auto [prefix, o] : {std::pair{"[resource-new]", 0x02}, {"[resource-rep]", 0x04}, {"[resource-drop]", 0x03}})
      if (field.starts_with(prefix)) {
        op = static_cast<std::uint8_t>(o);
        res = field.substr(std::string_view(prefix).size());
      }
    if (op == 0 || !s.resources.contains({key, res}))
      return error(fmt::format("{} imports `{}` from `{}`, but the world exports no such resource", ci.name, field,
                               im.module));
    p.target = key;
    p.resource = res;
    p.src = &s;
    return resource(0, op);
  }
  // An imported interface: exact name, else a semver-compatible version of it.
  auto found = find_import_key(r, s.w, im.module);
  const wit::world_key* key = found ? &*found : nullptr;
  const wit::world_item* item = found ? &w.imports.find(*found)->second : nullptr;
  if (!key)
    return error(fmt::format("{} imports `{}` from module `{}`, which the world does not import", ci.name, field,
                             im.module),
                 "the module's imports must be the world's interfaces, `$root`, `[export]<interface>` or an adapter");
  std::string name = key_name(r, *key);
  auto inst = s.inst_by_name.find(name);
  if (inst == s.inst_by_name.end()) return error(fmt::format("interface `{}` has no imported instance", name));
  const auto& iface = r[item->iface];
  if (field.starts_with("[resource-drop]")) {
    std::string res = field.substr(15);
    auto t = iface.types.find(res);
    if (t == iface.types.end() || !std::holds_alternative<wit::resource>(r[t->second].kind))
      return error(fmt::format("{} imports `{}` from `{}`, but the interface has no resource `{}`", ci.name, field,
                               im.module, res));
    auto& cached = s.aliased_types[{inst->second, res}];
    if (!cached) cached = b_.alias_export(inst->second, res, sort_kind::type) + 1;
    return resource(cached - 1, 0x03);
  }
  auto f = iface.functions.find(field);
  if (f == iface.functions.end())
    return error(fmt::format("{} imports `{}` from `{}`, which has no such function", ci.name, field, im.module));
  auto& cached = s.aliased_funcs[{inst->second, field}];
  if (!cached) cached = b_.alias_export(inst->second, field, sort_kind::func) + 1;
  return lower_func(f->second, cached - 1, fmt::format("function `{}` of `{}`", field, name));
}


result<std::vector<import_plan>> maker::plan_imports(core_item& ci) {
  std::vector<import_plan> plans;
  u32 func = 0;
  for (const auto& im : ci.m->imports) {
    import_plan p;
    p.module = im.module;
    p.field = im.name;
    bool dead = im.kind == extern_kind::func && !ci.live.empty() && !ci.live[func];
    if (im.kind == extern_kind::func) ++func;
    if (dead) {
      const auto& ft = ci.m->types.at(im.func_type);
      core_sig sig;
      for (auto v : ft.params) sig.params.push_back(static_cast<std::uint8_t>(v));
      for (auto v : ft.results) sig.results.push_back(static_cast<std::uint8_t>(v));
      p.kind = import_plan::how::trap;
      p.slot = static_cast<int>(traps_.size());
      traps_.push_back(std::move(sig));
    } else if (!ci.is_main && im.module == "env" && im.name == "memory" && im.kind == extern_kind::memory) {
      p.kind = import_plan::how::main_memory;
    } else if (!ci.is_main && im.module == "__main_module__") {
      bool realloc = im.name == "cabi_realloc" || im.name == "canonical_abi_realloc";
      const export_* e = main().find_export(im.name);
      if (!e && realloc) e = main().find_export("cabi_realloc");
      if (e && e->kind == extern_kind::func) {
        p.kind = import_plan::how::main_export;
        p.target = e->name;
        WITC_CHECK(check_sig(ci, im, main().func_sig(e->index), fmt::format("`{}` of the module", e->name)));
      } else if (realloc) {
        WITC_CHECK(check_sig(ci, im, core_sig{{i32, i32, i32, i32}, {i32}}, "a realloc function"));
        p.kind = import_plan::how::grow_realloc;
      } else {
        return error(fmt::format("{} imports `{}` from the main module, which does not export it", ci.name, im.name));
      }
    } else if (auto ad = std::find_if(cores_.begin() + 1, cores_.end(),
                                      [&](const auto& c) { return c->name == "adapter `" + im.module + "`"; });
               ad != cores_.end() && ci.is_main) {
      const export_* e = (*ad)->find_export(im.name);
      if (!e || e->kind != extern_kind::func)
        return error(fmt::format("{} imports `{}` `{}`, which the adapter does not export", ci.name, im.module, im.name));
      core_sig want = (*ad)->func_sig(e->index);
      WITC_CHECK(check_sig(ci, im, want, fmt::format("the adapter's `{}`", im.name)));
      slot_fill f;
      f.kind = slot_fill::how::core_export;
      f.sig = want;
      f.owner = ad->get();
      f.name = im.name;
      p.kind = import_plan::how::shim;
      p.slot = add_slot(std::move(f));
    } else if (!ci.src) {
      return error(fmt::format("{} imports `{}` from `{}`, but it carries no `component-type` section", ci.name, im.name,
                               im.module),
                   "embed a world with `witc component embed`, or adapt the module with `--adapt`");
    } else {
      if (im.kind == extern_kind::memory || im.kind == extern_kind::table || im.kind == extern_kind::global)
        return error(fmt::format("{} imports {} `{}` from `{}`; only functions can be imported", ci.name,
                                 to_string(im.kind), im.name, im.module));
      WITC_TRY(p, plan_interface_import(ci, *ci.src, im));
    }
    plans.push_back(std::move(p));
  }
  return plans;
}

result<u32> maker::memory() {
  if (memory_) return *memory_;
  const export_* e = main().find_export("memory");
  if (!e || e->kind != extern_kind::memory)
    return error("the module does not export a memory named `memory`, which the canonical ABI needs");
  memory_ = b_.alias_core(main().instance, "memory", core_sort::memory);
  return *memory_;
}

result<u32> maker::realloc_for(core_item& ci, const std::string& why) {
  if (auto it = realloc_of_.find(ci.name); it != realloc_of_.end()) return it->second;
  const export_* e = ci.find_export(ci.realloc_export);
  if (!e && !ci.is_main) e = ci.find_export("cabi_realloc");
  if (!e || e->kind != extern_kind::func)
    return error(fmt::format("{} does not export `{}`, which {} needs", ci.name, ci.realloc_export, why));
  core_sig want{{i32, i32, i32, i32}, {i32}};
  if (ci.func_sig(e->index) != want)
    return error(fmt::format("{} exports `{}` with type {}, expected {}", ci.name, e->name,
                             to_string(ci.func_sig(e->index)), to_string(want)));
  u32 f = b_.alias_core(ci.instance, e->name, core_sort::func);
  realloc_of_[ci.name] = f;
  return f;
}

result<std::vector<canon_opt>> maker::options(core_item& ci, const abi& a, string_encoding enc, const std::string& why) {
  std::vector<canon_opt> out;
  if (a.strings && enc != string_encoding::utf8) out.push_back({static_cast<std::uint8_t>(enc), 0});
  if (a.memory) {
    WITC_TRY(u32 m, memory());
    out.push_back({3, m});
  }
  if (a.realloc) {
    WITC_TRY(u32 r, realloc_for(ci, why));
    out.push_back({4, r});
  }
  return out;
}

result<void> maker::instantiate(core_item& ci, const std::vector<import_plan>& plans) {
  // One inline instance per import module, in first-use order.
  std::vector<std::string> order;
  std::map<std::string, std::vector<core_instance::export_>> groups;
  for (const auto& p : plans) {
    core_sort_idx item;
    item.sort = core_sort::func;
    switch (p.kind) {
      case import_plan::how::lower: {
        canon cn;
        cn.op = 0x01;
        cn.func = p.comp_func;
        item.idx = b_.add_canon(std::move(cn));
        break;
      }
      case import_plan::how::shim:
        item.idx = b_.alias_core(shim_instance_, std::to_string(p.slot), core_sort::func);
        break;
      case import_plan::how::resource_op: {
        canon cn;
        cn.op = p.op;
        cn.type = p.comp_type;
        if (p.src) cn.type = p.src->resources.at({p.target, p.resource});
        item.idx = b_.add_canon(std::move(cn));
        break;
      }
      case import_plan::how::main_memory: {
        item.sort = core_sort::memory;
        WITC_TRY(item.idx, memory());
        break;
      }
      case import_plan::how::main_export:
        item.idx = b_.alias_core(main().instance, p.target, core_sort::func);
        break;
      case import_plan::how::trap:
        if (!trap_instance_) trap_instance_ = b_.instantiate(b_.add_module(trap_module(traps_)), {});
        item.idx = b_.alias_core(*trap_instance_, std::to_string(p.slot), core_sort::func);
        break;
      case import_plan::how::grow_realloc: {
        if (!grow_realloc_) {
          WITC_TRY(u32 mem, memory());
          u32 env = b_.inline_core({{"memory", {core_sort::memory, mem}}});
          u32 mod = b_.add_module(grow_realloc_module());
          u32 inst = b_.instantiate(mod, {{"env", env}});
          grow_realloc_ = b_.alias_core(inst, "cabi_realloc", core_sort::func);
        }
        item.idx = *grow_realloc_;
        break;
      }
    }
    if (!groups.contains(p.module)) order.push_back(p.module);
    auto& g = groups[p.module];
    if (std::none_of(g.begin(), g.end(), [&](const auto& e) { return e.name == p.field; }))
      g.push_back({p.field, item});
  }
  std::vector<core_instance::arg> args;
  for (const auto& m : order) args.push_back({m, b_.inline_core(std::move(groups[m]))});
  ci.instance = b_.instantiate(ci.module_idx, std::move(args));
  return ok;
}

result<u32> maker::lift(source& s, core_item& owner, const std::string& core_name, const wit::function& f, u32 type) {
  const export_* e = owner.find_export(core_name);
  if (!e || e->kind != extern_kind::func)
    return error(fmt::format("{} does not export function `{}`, which the world's export needs", owner.name, core_name));
  abi a = function_abi(s.d.resolve, f, true);
  if (owner.func_sig(e->index) != a.sig)
    return error(fmt::format("{} exports `{}` with type {}, expected {}", owner.name, core_name,
                             to_string(owner.func_sig(e->index)), to_string(a.sig)));
  canon cn;
  cn.op = 0x00;
  cn.func = b_.alias_core(owner.instance, core_name, core_sort::func);
  WITC_TRY(cn.opts, options(owner, a, s.d.encoding, fmt::format("the export `{}`", core_name)));
  std::string post = "cabi_post_" + core_name;
  if (const export_* pe = owner.find_export(post)) {
    if (pe->kind != extern_kind::func || owner.func_sig(pe->index) != core_sig{a.sig.results, {}})
      return error(fmt::format("{} exports `{}` with the wrong type, expected {}", owner.name, post,
                               to_string(core_sig{a.sig.results, {}})));
    cn.opts.push_back({5, b_.alias_core(owner.instance, post, core_sort::func)});
  }
  cn.type = type;
  return b_.add_canon(std::move(cn));
}

result<void> maker::export_interface(source& s, core_item& owner, const decl& d) {
  const auto& r = s.d.resolve;
  const std::string& name = d.name.name;
  const wit::interface* iface = nullptr;
  for (const auto& [k, item] : r[s.w].exports)
    if (item.kind == wit::world_item::kind::interface && key_name(r, k) == name) iface = &r[item.iface];
  if (!iface) return error(fmt::format("the world exports `{}`, which is not an interface", name));
  if (d.ext.idx >= s.wtype.size() || !s.wtype[d.ext.idx] || !std::holds_alternative<componenttype>(s.wtype[d.ext.idx]->def))
    return error(fmt::format("the export `{}` has no instance type", name));
  const auto& ct = std::get<componenttype>(s.wtype[d.ext.idx]->def);
  std::vector<u32> local;
  std::vector<instance::export_> items;
  for (const auto& x : ct.decls) {
    switch (x.tag) {
      case 1: {
        WITC_TRY(type t, remap(*x.type, local));
        local.push_back(b_.add_type(std::move(t)));
        break;
      }
      case 2: {
        if (x.alias.target != 2 || x.alias.count != 1) return error("unexpected alias in an instance type");
        WITC_TRY(u32 i, at(s.tmap, x.alias.idx, "type"));
        local.push_back(i);
        break;
      }
      case 4: {
        instance::export_ e;
        e.name.name = x.name.name;
        if (x.ext.kind == 3) {
          u32 t;
          if (x.ext.bound_eq) {
            WITC_TRY(t, at(local, x.ext.idx, "type"));
          } else {
            auto it = s.resources.find({name, x.name.name});
            if (it == s.resources.end()) return error(fmt::format("resource `{}` of `{}` is not defined", x.name.name, name));
            t = it->second;
          }
          local.push_back(t);
          e.item.sort.kind = sort_kind::type;
          e.item.idx = t;
        } else if (x.ext.kind == 1) {
          auto f = iface->functions.find(x.name.name);
          if (f == iface->functions.end()) return error(fmt::format("`{}` has no function `{}`", name, x.name.name));
          WITC_TRY(u32 ft, at(local, x.ext.idx, "type"));
          WITC_TRY(u32 fi, lift(s, owner, name + "#" + x.name.name, f->second, ft));
          e.item.sort.kind = sort_kind::func;
          e.item.idx = fi;
        } else {
          return error(fmt::format("unexpected export `{}` in the instance type of `{}`", x.name.name, name));
        }
        items.push_back(std::move(e));
        break;
      }
      default: return error(fmt::format("unexpected declaration in the instance type of `{}`", name));
    }
  }
  WITC_TRY(u32 inst, nested_instance(s, name, ct, local, items));
  cexport ex;
  ex.name = d.name;
  ex.item.sort.kind = sort_kind::instance;
  ex.item.idx = inst;
  b_.push<cexport>(11, std::move(ex));
  s.imap.push_back(b_.instances++);
  s.winst.push_back(name);
  s.winst_type.push_back(d.ext.idx);
  return ok;
}

// Copies the types of world instance `wi` (an imported or exported interface) into
// nested component `ib`, each exported type named by an `import-type-*` import whose
// argument is the same type aliased from that instance outside.
result<void> maker::copy_interface(source& s, builder& ib, u32 wi, int depth,
                                   const std::function<u32(const std::string&, std::optional<u32>, u32)>& import_type,
                                   std::map<u32, std::map<std::string, u32>>& done) {
  if (done.contains(wi)) return ok;
  if (depth > 50) return error("interfaces use each other's types too deeply");
  if (wi >= s.winst_type.size() || s.winst_type[wi] >= s.wtype.size() || !s.wtype[s.winst_type[wi]])
    return error("an interface's instance type is missing");
  const auto* ct = std::get_if<componenttype>(&s.wtype[s.winst_type[wi]]->def);
  if (!ct) return error("an interface's type is not an instance type");
  auto& names = done[wi];
  std::vector<u32> m;
  for (const auto& x : ct->decls) {
    if (x.tag == 1) {
      if (std::holds_alternative<functype>(x.type->def)) {
        m.push_back(~u32{0});  // functions are not copied; nothing refers to their types
        continue;
      }
      WITC_TRY(type t, remap(*x.type, m));
      m.push_back(ib.add_type(std::move(t)));
    } else if (x.tag == 2) {
      if (x.alias.idx >= s.walias.size() || s.walias[x.alias.idx].first >= s.winst.size())
        return error(fmt::format("a type used by `{}` does not come from another interface", s.winst[wi]));
      auto [other, tname] = s.walias[x.alias.idx];
      WITC_CHECK(copy_interface(s, ib, other, depth + 1, import_type, done));
      auto f = done[other].find(tname);
      if (f == done[other].end()) return error(fmt::format("type `{}` of `{}` is not exported", tname, s.winst[other]));
      m.push_back(f->second);
    } else if (x.tag == 4 && x.ext.kind == 3) {
      auto& cached = s.aliased_types[{s.imap.at(wi), x.name.name}];
      if (!cached) cached = b_.alias_export(s.imap.at(wi), x.name.name, sort_kind::type) + 1;
      std::optional<u32> eq;
      if (x.ext.bound_eq) {
        WITC_TRY(u32 j, at(m, x.ext.idx, "type"));
        eq = j;
      }
      u32 i = import_type(x.name.name, eq, cached - 1);
      m.push_back(i);
      done[wi][x.name.name] = i;
    }
  }
  (void)names;
  return ok;
}

// wit-component's shape for an exported interface: a nested component importing
// the lifted functions and the interface's types (`import-type-*`, resources as
// `(sub resource)`) and exporting them again under their own names, so that every
// annotated function (`[method]r.f`) refers to a resource exported beside it.
result<u32> maker::nested_instance(source& s, const std::string& iface_name, const componenttype& it,
                                   const std::vector<u32>& outer_local, const std::vector<instance::export_>& lifted) {
  builder ib;
  std::vector<component::instance::arg> args;
  std::vector<u32> mi, me;  // instance-type local index -> inner index (import side / export side)
  std::vector<u32> func_imports;
  std::map<std::string, int> used;
  auto unique = [&](std::string n) {
    while (used[n]++) n += "-x";
    return n;
  };
  std::function<u32(const std::string&, std::optional<u32>, u32)> import_type = [&](const std::string& name,
                                                                                   std::optional<u32> eq, u32 outer) {
    cimport im;
    im.name.name = unique("import-type-" + name);
    im.type.kind = 3;
    im.type.bound_eq = eq.has_value();
    im.type.idx = eq.value_or(0);
    args.push_back({im.name.name, {{sort_kind::type}, outer}});
    ib.push<cimport>(10, std::move(im));
    return ib.types++;
  };
  std::map<u32, std::map<std::string, u32>> foreign;  // world instance -> type name -> inner index
  u32 local = 0;  // position in the instance type's type index space
  std::size_t lifted_at = 0;
  for (const auto& x : it.decls) {
    switch (x.tag) {
      case 1: {
        WITC_TRY(type t, remap(*x.type, mi));
        mi.push_back(ib.add_type(std::move(t)));
        ++local;
        break;
      }
      case 2: {
        // A type of another interface: its interface's types are copied in, each named
        // by an import of the nested component.
        if (x.alias.idx >= s.walias.size() || s.walias[x.alias.idx].first >= s.winst.size())
          return error(fmt::format("a type used by `{}` does not come from another interface", iface_name));
        const auto& [wi, tname] = s.walias[x.alias.idx];
        WITC_CHECK(copy_interface(s, ib, wi, 0, import_type, foreign));
        auto f = foreign[wi].find(tname);
        if (f == foreign[wi].end()) return error(fmt::format("type `{}` of `{}` is not exported", tname, s.winst[wi]));
        mi.push_back(f->second);
        ++local;
        break;
      }
      case 4: {
        if (x.ext.kind == 3) {
          WITC_TRY(u32 outer, at(outer_local, local, "type"));
          if (x.ext.bound_eq) {
            WITC_TRY(u32 j, at(mi, x.ext.idx, "type"));
            mi.push_back(import_type(x.name.name, j, outer));
          } else {
            mi.push_back(import_type(x.name.name, std::nullopt, outer));
          }
          ++local;
        } else if (x.ext.kind == 1) {
          const std::string& fname = x.name.name;
          std::string n = fname;
          if (n.starts_with("[constructor]")) n = "constructor-" + n.substr(13);
          else if (n.starts_with("[method]")) n = "method-" + n.substr(8);
          else if (n.starts_with("[static]")) n = "static-" + n.substr(8);
          else n = "func-" + n;
          std::replace(n.begin(), n.end(), '.', '-');
          cimport im;
          im.name.name = unique("import-" + n);
          im.type.kind = 1;
          WITC_TRY(im.type.idx, at(mi, x.ext.idx, "type"));
          while (lifted_at < lifted.size() && lifted[lifted_at].name.name != fname) ++lifted_at;
          if (lifted_at == lifted.size()) return error(fmt::format("function `{}` of `{}` was not lifted", fname, iface_name));
          args.push_back({im.name.name, lifted[lifted_at].item});
          ib.push<cimport>(10, std::move(im));
          func_imports.push_back(ib.funcs++);
        }
        break;
      }
      default: break;
    }
  }
  // The export side: the same types again, now named by the component's exports.
  local = 0;
  std::size_t fi = 0;
  for (const auto& x : it.decls) {
    switch (x.tag) {
      case 1: {
        WITC_TRY(type t, remap(*x.type, me));
        me.push_back(ib.add_type(std::move(t)));
        ++local;
        break;
      }
      case 2: me.push_back(mi[local++]); break;
      case 4: {
        cexport ex;
        ex.name.name = x.name.name;
        if (x.ext.kind == 3) {
          ex.item.sort.kind = sort_kind::type;
          if (x.ext.bound_eq) {
            WITC_TRY(ex.item.idx, at(me, x.ext.idx, "type"));
          } else {
            ex.item.idx = mi[local];
          }
          ib.push<cexport>(11, std::move(ex));
          me.push_back(ib.types++);
          ++local;
        } else if (x.ext.kind == 1) {
          ex.item.sort.kind = sort_kind::func;
          ex.item.idx = func_imports.at(fi++);
          externtype ty;
          ty.kind = 1;
          WITC_TRY(ty.idx, at(me, x.ext.idx, "type"));
          ex.type = ty;
          ib.push<cexport>(11, std::move(ex));
          ib.funcs++;
        }
        break;
      }
      default: break;
    }
  }
  section sec;
  sec.id = 4;
  sec.body = component::detail::box<component::component>(std::move(ib.c));
  b_.c.sections.push_back(std::move(sec));
  u32 comp = b_.components++;
  component::instance in;
  in.form = 0;
  in.component = comp;
  in.args = std::move(args);
  b_.push<component::instance>(5, std::move(in));
  return b_.instances++;
}

result<void> maker::exports(source& s, core_item& owner) {
  const auto& r = s.d.resolve;
  for (std::size_t i = s.split; i < s.ct.decls.size(); ++i) {
    const decl& d = s.ct.decls[i];
    if (d.tag != 4) {
      WITC_CHECK(replay_decl(s, d));
      continue;
    }
    if (d.ext.kind == 5) {
      WITC_CHECK(export_interface(s, owner, d));
    } else if (d.ext.kind == 1) {
      const wit::function* f = nullptr;
      for (const auto& [k, item] : r[s.w].exports)
        if (item.kind == wit::world_item::kind::function && key_name(r, k) == d.name.name) f = &item.func;
      if (!f) return error(fmt::format("the world exports `{}`, which is not a function", d.name.name));
      WITC_TRY(u32 ft, at(s.tmap, d.ext.idx, "type"));
      WITC_TRY(u32 fi, lift(s, owner, d.name.name, *f, ft));
      cexport ex;
      ex.name = d.name;
      ex.item.sort.kind = sort_kind::func;
      ex.item.idx = fi;
      b_.push<cexport>(11, std::move(ex));
      s.fmap.push_back(b_.funcs++);
    } else {
      return error(fmt::format("the world exports `{}` of a kind `component new` does not handle", d.name.name));
    }
  }
  return ok;
}

// The distinct `component-type*` section payloads of a module.
std::vector<std::vector<std::uint8_t>> type_payloads(const module& m) {
  std::vector<std::vector<std::uint8_t>> out;
  for (const auto& cs : m.customs) {
    if (!cs.name.starts_with("component-type")) continue;
    std::vector<std::uint8_t> p(cs.bytes.begin(), cs.bytes.end());
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  }
  return out;
}

result<std::vector<std::uint8_t>> maker::run(std::span<const std::uint8_t> core, std::uint32_t base) {
  // The main module and its world.
  auto main_core = std::make_unique<core_item>();
  main_core->name = "the module";
  main_core->realloc_export = "cabi_realloc";
  // Validated first: everything after indexes its types and functions freely.
  WITC_TRY(main_core->m, load_module(core, base));
  auto payload = type_payloads(*main_core->m);
  if (payload.empty() && opts_.adapters.empty())
    return error("the module has no `component-type` custom section",
                 "embed its world first: `witc component embed --wit <wit> module.wasm -o module.wasm`");
  WITC_TRY(main_core->bytes, strip_custom(core, "component-type", base));
  if (!payload.empty()) {
    WITC_TRY(auto src, load_source("the module", payload));
    main_core->src = src.get();
    sources_.push_back(std::move(src));
  }
  cores_.push_back(std::move(main_core));
  for (const auto& ad : opts_.adapters) {
    // An adapter the module imports nothing from is left out, as wit-component does.
    if (std::none_of(main().m->imports.begin(), main().m->imports.end(),
                     [&](const import& im) { return im.module == ad.name; }))
      continue;
    auto c = std::make_unique<core_item>();
    c->name = "adapter `" + ad.name + "`";
    c->is_main = false;
    c->realloc_export = "cabi_import_realloc";
    WITC_TRY(c->bytes, prepare_adapter(ad.bytes, 0));
    WITC_TRY(c->m, load_module(c->bytes, 0));
    WITC_TRY(auto m0, decode_module(ad.bytes, 0));
    auto p = type_payloads(*m0);
    if (!p.empty()) {
      WITC_TRY(auto src, load_source(c->name, p));
      c->src = src.get();
      sources_.push_back(std::move(src));
    }
    for (const auto& other : cores_)
      if (other->name == c->name) return error(fmt::format("{} is given twice", c->name));
    cores_.push_back(std::move(c));
  }

  // 1. Imports of every world; of an adapter's, only what its live code uses.
  for (auto& c : cores_) {
    if (c->is_main) {
      if (c->src) WITC_CHECK(replay_imports(*c->src, nullptr));
      continue;
    }
    std::map<std::string, std::set<std::string>> needed;
    WITC_CHECK(collect_garbage(*c, needed));
    if (c->src) WITC_CHECK(replay_imports(*c->src, &needed));
  }

  // 2. Plans: exported resources (their dtors) and every core import.
  for (auto& c : cores_)
    if (c->src) WITC_CHECK(plan_resources(*c->src, *c));
  std::vector<std::vector<import_plan>> plans;
  for (auto& c : cores_) {
    WITC_TRY(auto p, plan_imports(*c));
    plans.push_back(std::move(p));
  }

  // 3. Modules, shim, resources, instances.
  for (auto& c : cores_) c->module_idx = b_.add_module(c->bytes);
  std::vector<core_sig> sigs;
  for (const auto& f : slots_) sigs.push_back(f.sig);
  if (!slots_.empty()) shim_instance_ = b_.instantiate(b_.add_module(shim_module(sigs)), {});
  for (const auto& pr : resources_) {
    resourcetype rt;
    rt.rep.code = 0x7f;
    if (pr.slot >= 0) rt.dtor = b_.alias_core(shim_instance_, std::to_string(pr.slot), core_sort::func);
    type t;
    t.def = rt;
    pr.src->resources[{pr.key, pr.name}] = b_.add_type(std::move(t));
  }
  for (std::size_t i = 0; i < cores_.size(); ++i) WITC_CHECK(instantiate(*cores_[i], plans[i]));

  // 4. The shim's slots, now that memories and reallocs exist.
  if (!slots_.empty()) {
    std::vector<core_instance::export_> fill;
    fill.push_back({"$imports", {core_sort::table, b_.alias_core(shim_instance_, "$imports", core_sort::table)}});
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      auto& f = slots_[i];
      u32 func;
      if (f.kind == slot_fill::how::core_export) {
        func = b_.alias_core(f.owner->instance, f.name, core_sort::func);
      } else {
        canon cn;
        cn.op = 0x01;
        cn.func = f.comp_func;
        WITC_TRY(cn.opts, options(*f.owner, f.a, f.enc, f.name));
        func = b_.add_canon(std::move(cn));
      }
      fill.push_back({std::to_string(i), {core_sort::func, func}});
    }
    u32 args = b_.inline_core(std::move(fill));
    b_.instantiate(b_.add_module(fixup_module(sigs)), {{"", args}});
  }

  // 5. `_initialize` before any export can be called.
  if (const export_* e = main().find_export("_initialize"); e && e->kind == extern_kind::func) {
    if (main().func_sig(e->index) != core_sig{})
      return error(fmt::format("the module exports `_initialize` with type {}, expected [] -> []",
                               to_string(main().func_sig(e->index))));
    u32 f = b_.alias_core(main().instance, "_initialize", core_sort::func);
    u32 args = b_.inline_core({{"", {core_sort::func, f}}});
    b_.instantiate(b_.add_module(init_module()), {{"", args}});
  }

  // 6. Exports.
  for (auto& c : cores_)
    if (c->src) WITC_CHECK(exports(*c->src, *c));

  auto bytes = write_component(b_.c);
  if (!opts_.skip_validation) {
    auto comp = read_component(bytes);
    if (!comp) return error(fmt::format("internal error: the component written does not decode: {}",
                                        comp.error().empty() ? "" : comp.error().front().message));
    if (auto v = validate_component(*comp); !v) {
      auto ds = v.error();
      for (auto& d : ds) {
        d.message = "the component made does not validate: " + d.message;
        d.has_span = false;
      }
      return fail(std::move(ds));
    }
  }
  return bytes;
}

}  // namespace

result<std::vector<std::uint8_t>> strip_component_type(std::span<const std::uint8_t> core) {
  return strip_custom(core, "component-type", 0);
}

result<std::vector<std::uint8_t>> component_new(std::span<const std::uint8_t> core, const component_new_options& opts,
                                                std::uint32_t base) {
  maker m(opts);
  return m.run(core, base);
}

}  // namespace witc::binary
