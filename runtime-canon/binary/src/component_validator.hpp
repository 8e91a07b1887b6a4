#pragma once
// The component validator's state, shared by the files that implement it: the
// scope stack (every index space of every component, component type, instance type
// and module type being checked) and one arena of types (component_types.hpp).
// component_validate.cpp drives it; the other component_validate_*.cpp files hold
// types, subtyping and substitution, names and externs, instances and aliases, and
// canonical definitions.
#include <fmt/format.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "component_names.hpp"
#include "component_types.hpp"
#include "witc/binary/component_ast.hpp"
#include "witc/binary/core_validate.hpp"
#include "witc/binary/component_validate.hpp"

namespace witc::binary::component::detail {

constexpr std::uint32_t max_flat_params = 16, max_flat_results = 1, max_flat_async_params = 4;

struct name_set {
  std::unordered_set<tid> types;
  std::unordered_set<rid> res;
};

struct scope {
  enum class kind { component, ctype, itype, mtype };
  scope::kind k = kind::component;
  std::uint32_t id = 0;
  std::vector<tid> types, core_types, funcs, components, instances, core_funcs, core_modules,
      core_instances;
  std::vector<vt> values;
  std::vector<core_entity> core_tables, core_memories, core_globals, core_tags;
  std::vector<std::pair<std::string, entity>> imports, exports;
  std::unordered_map<std::string, std::string> import_keys, export_keys;
  std::vector<rid> imported_res, defined_res;
  // Types with a name here: imported ones (visible to imports and exports), and
  // exported ones (visible to exports only).
  name_set imp_names, exp_names;
  std::unordered_set<std::uint32_t> imported_funcs;  // func indices that are imports (or their exports)
  std::vector<std::uint8_t> inst_vis;   // per instance index: 0 unnamed, 1 exported, 2 imported
  std::unordered_set<tid> local_types;  // defined by this scope's type definitions
  // Plain names of resources imported (`imp`) and exported (`exp`), for `[method]r.f`.
  std::unordered_map<std::string, rid> res_names_imp, res_names_exp;
  // module types
  std::vector<std::pair<std::pair<std::string, std::string>, core_entity>> core_imports;
  std::vector<std::pair<std::string, core_entity>> core_exports;
};

/// The item named `name` in a list of (name, item) pairs, or null. Example:
///   if (const entity* e = find_named(inst.exports, "f")) ...
template <class V, class K>
auto find_named(const V& v, const K& name) -> const decltype(v.begin()->second)* {
  for (const auto& [n, x] : v)
    if (n == name) return &x;
  return nullptr;
}

/// The name of a sort, for messages. Example: `sort_name(ek::func)` is "func".
std::string_view sort_name(ek k);
/// The name of a core sort, for messages. Example: `core_sort_name(core_sort::memory)`.
std::string_view core_sort_name(core_sort s);

/// Checks one component and everything nested in it. Example:
///   validator v; WITC_CHECK(v.run(c));
class validator {
 public:
  explicit validator(component_validate_options opts = {}) : opts_(opts) {}
  result<void> run(const component& c);
  result<typed_component> typed(const component& c);

 private:
  component_validate_options opts_;
  // The core type of a pointer or length while flattening: i64 under a 64-bit memory.
  std::uint8_t ptr_ = 0x7f;
  std::deque<tnode> arena_;  // a deque: a node's address stays put while others are added
  std::vector<resource_info> res_;
  std::unordered_map<rid, tid> res_tid_;
  std::vector<scope> scopes_;
  std::uint32_t next_scope_ = 0;

  static failure err(std::uint32_t at, std::string msg, std::string hint = {}) {
    return fail(diagnostic::error(span{at, at + 1}, std::move(msg), std::move(hint)));
  }

  scope& cur() { return scopes_.back(); }
  bool at_root() const { return scopes_.size() == 1; }

  tid add(tnode n);
  const tnode& node(tid t) const { return arena_[t]; }

  rid fresh_resource(resource_info info);
  void push_scope(scope::kind k);
  scope pop_scope() {
    scope s = std::move(scopes_.back());
    scopes_.pop_back();
    return s;
  }

  // ---- index lookups ----
  template <class V>
  result<typename V::value_type> at(const V& v, std::uint32_t i, std::uint32_t off, std::string_view what) {
    if (i >= v.size()) return err(off, fmt::format("unknown {} {}: {} index out of bounds", what, i, what));
    return v[i];
  }

  result<tid> type_at(std::uint32_t i, std::uint32_t off);
  result<tid> core_type_at(std::uint32_t i, std::uint32_t off);

  // ---- value types ----
  result<vt> val(const valtype& v, std::uint32_t off);
  result<std::optional<vt>> opt_val(const std::optional<valtype>& v, std::uint32_t off);
  // Visits the value types directly inside a defined type.
  template <class F>
  void children(const tnode& n, F&& f) const {
    for (const auto& fl : n.fields) f(fl.second);
    for (const auto& c : n.cases)
      if (c.second) f(*c.second);
    for (const auto& t : n.types) f(t);
    if (n.a) f(*n.a);
    if (n.b) f(*n.b);
  }

  // Does `v` transitively contain a type for which `pred(node)` holds?
  template <class P>
  bool contains(const vt& v, P&& pred, int depth = 0) const {
    if (v.prim || depth > 200) return false;
    const tnode& n = node(v.t);
    if (pred(n)) return true;
    bool found = false;
    children(n, [&](const vt& c) { found = found || contains(c, pred, depth + 1); });
    return found;
  }

  bool has_borrow(const vt& v) const;
  // Strings and lists live in linear memory; a stream or future is just a handle.
  bool needs_memory(const vt& v, int depth = 0) const;
  void collect_resources(const vt& v, std::unordered_set<rid>& out, int depth = 0) const;
  static bool is_name_char_label(const std::string& s, std::string& e);
  result<void> unique_labels(const std::vector<std::string>& names, std::uint32_t off, std::string_view what);
  template <class Fields>
  result<void> named_fields(const Fields& fs, tnode& n, std::uint32_t off, std::string_view what);
  result<tid> defval(const defvaltype& d, std::uint32_t off);
  bool is_char(const vt& v) const;
  static constexpr std::uint32_t max_type_depth = 100;
  static constexpr std::uint64_t max_value_size = 1ull << 28;
  std::pair<std::uint64_t, std::uint32_t> size_align(const vt& v) const;
  static std::uint64_t align_to(std::uint64_t x, std::uint32_t a) { return (x + a - 1) / a * a; }
  static std::uint64_t sat(std::uint64_t x) { return std::min<std::uint64_t>(x, max_value_size * 16); }

  // The canonical ABI size and alignment (with 64-bit pointers) and nesting depth.
  void layout(tnode& n) const;
  result<tid> functype_(const functype& f, std::uint32_t off);

  // ---- core types ----
  // One spelling per reference type, so `i31ref` and `(ref null i31)` compare equal:
  // nullable abstract references as their one-byte shorthand, the rest as 0x63/0x64 + heap.
  static core_valtype canonical(core_valtype v) {
    if (v.code == 0x63 && v.heap < 0) return core_valtype{static_cast<std::uint8_t>(v.heap + 0x80), 0};
    return v;
  }
  static core_valtype core_of(binary::valtype v) {
    if (!binary::is_ref(v)) return core_valtype{static_cast<std::uint8_t>(binary::heap_code(v)), 0};
    bool nullable = binary::ref_nullable(v);
    if (binary::is_concrete(v))
      return core_valtype{static_cast<std::uint8_t>(nullable ? 0x63 : 0x64), binary::ref_index(v)};
    auto code = static_cast<std::uint8_t>(binary::heap_code(v));
    return nullable ? core_valtype{code, 0} : core_valtype{0x64, static_cast<std::int64_t>(code) - 0x80};
  }

  result<void> core_type_(const core_type& t, bool in_module_type);
  result<core_entity> core_extern(const core_externtype& e, std::uint32_t off);
  result<void> module_decls(const core_moduletype& mt);
  // A core module embedded in the component: the core validator checks it.
  result<tid> embedded_module(const core_module& m);

  // ---- subtyping ----
  struct mapping {
    std::unordered_map<rid, rid> m;
    std::unordered_set<rid> bindable;
  };

  bool res_match(rid actual, rid expected, mapping& mp);
  // Value types are equal structurally; resources through the mapping.
  std::string vt_mismatch(const vt& a, const vt& b, mapping& mp, int depth = 0);
  std::string func_mismatch(tid a, tid b, mapping& mp);
  static bool limits_ok(const core_limits& a, const core_limits& b);
  std::string core_mismatch(const core_entity& a, const core_entity& b);
  std::string entity_mismatch(const entity& a, const entity& b, mapping& mp, int depth = 0);
  std::string instance_or_component_mismatch(const tnode& x, const tnode& y, mapping& mp, int depth);

  // ---- substitution ----
  vt subst_vt(const vt& v, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo);
  entity subst_entity(const entity& e, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo);
  tid subst(tid t, const std::unordered_map<rid, rid>& m, std::unordered_map<tid, tid>& memo);
  static bool same_entity(const entity& a, const entity& b) { return a.kind == b.kind && a.t == b.t && a.v == b.v; }

  // Gives an instance or component type's defined resources fresh identities.
  std::pair<tid, std::vector<rid>> freshen(tid t);

  // ---- the "named types" rule for imports and exports ----
  bool named_vt(const vt& v, const name_set& s, const std::unordered_set<tid>& extra, int depth = 0);
  bool named_entity(const entity& e, const name_set& s, const std::unordered_set<tid>& extra = {}, int depth = 0);

  // ---- names ----
  result<void> check_attrs(const extern_name& n, const entity& e, const parsed_name& pn, std::uint32_t off);
  result<parsed_name> check_name(const extern_name& n, const entity& e, bool import, std::uint32_t off);
  result<void> unique(std::unordered_map<std::string, std::string>& keys, const parsed_name& p,
                      const std::string& name, bool import, std::uint32_t off);

  // ---- entities ----
  result<entity> extern_(const externtype& e, std::uint32_t off, const std::string& name, bool import);
  // An exported resource is a new type index for the same resource: only handles
  // written with the new index count as using the exported name.
  tid rename_resource(tid t);
  // Gives type `t` a name in the current scope: `vis` 2 for imports and exports, 1 for exports.
  void add_name(tid t, std::uint8_t vis);
  // Adds an entity to the index space of its sort in the current scope.
  void push_entity(const entity& e, std::uint8_t vis = 0);
  result<void> extern_decl(const extern_name& n, const externtype& et, std::uint32_t off, bool import);
  result<void> declare(const extern_name& n, entity e, bool import, std::uint32_t off);
  result<entity> typed_extern(entity r, std::uint32_t idx, std::uint32_t off, tk k, std::string_view what);
  // Exporting or importing an instance names the types it exports.
  void name_instance_types(tid inst, std::uint8_t vis, int depth = 0);
  void register_named(const entity& e, const parsed_name& p, bool import);
  result<entity> item(const sort_idx& si, std::uint32_t off);
  result<void> export_(const ::witc::binary::component::export_& x);

  // ---- aliases ----
  result<void> alias_(const alias& a, bool in_type);
  bool refers_to_resources(tid t, int depth = 0);
  void collect_entity_resources(const tnode& n, std::unordered_set<rid>& out, int depth);

  // ---- types ----
  result<void> type_(const type& t);
  result<void> decls(const componenttype& ct, bool instance);

  // ---- instances ----
  result<void> core_instance_(const core_instance& ci);
  result<void> instance_(const instance& in);

  // ---- canonical definitions ----
  std::vector<std::uint8_t> flat(const vt& v, int depth = 0);
  struct opts_info {
    bool memory = false, realloc = false, post_return = false, async = false, callback = false;
    bool memory64 = false;
    std::uint32_t post_return_idx = 0, callback_idx = 0;
  };

  result<opts_info> canon_opts(const std::vector<canon_opt>& os, std::uint32_t off);
  // The flattened core parameters and results of a function type, and whether its
  // parameters or its result live in linear memory.
  struct flat_func {
    std::vector<std::uint8_t> params, results;
    bool param_mem = false, result_mem = false;
  };
  flat_func flatten(const tnode& f);
  result<void> required_opts(const opts_info& o, bool memory, bool realloc, std::uint32_t off);
  tid core_func_node(std::vector<std::uint8_t> params, std::vector<std::uint8_t> results);
  tid any_core_func();
  static std::string sig(const std::vector<core_valtype>& v);
  result<void> canon_(const canon& c);

  // ---- components ----
  result<tid> component_(const component& c);
  result<void> sections(const component& c);
  tnode scope_node(scope& s, tk kind);
};

}  // namespace witc::binary::component::detail
