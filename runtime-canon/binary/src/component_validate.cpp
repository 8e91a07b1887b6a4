// The component validator: walks sections in order, building every index space of
// every scope (components, component types, instance types, module types) and
// checking each definition against them. Types live in one arena (component_types.hpp).
#include "witc/binary/component_validate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "component_validator.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/core_validate.hpp"

namespace witc::binary {
namespace component::detail {

result<void> validator::run(const component& c) {
  WITC_TRY(tid t, component_(c));
  (void)t;
  return ok;
}

result<typed_component> validator::typed(const component& c) {
  WITC_TRY(tid t, component_(c));
  typed_component r;
  r.root = t;
  r.arena.assign(std::make_move_iterator(arena_.begin()), std::make_move_iterator(arena_.end()));
  r.resources = std::move(res_);
  r.resource_nodes = std::move(res_tid_);
  return r;
}

tid validator::add(tnode n) {
  arena_.push_back(std::move(n));
  return static_cast<tid>(arena_.size() - 1);
}

rid validator::fresh_resource(resource_info info) {
  res_.push_back(std::move(info));
  rid r = static_cast<rid>(res_.size() - 1);
  tnode n;
  n.kind = tk::resource;
  n.res = r;
  res_tid_[r] = add(std::move(n));
  return r;
}

void validator::push_scope(scope::kind k) {
  scopes_.emplace_back();
  scopes_.back().k = k;
  scopes_.back().id = next_scope_++;
}

result<tid> validator::type_at(std::uint32_t i, std::uint32_t off) {
  if (i >= cur().types.size()) return err(off, fmt::format("unknown type {}: type index out of bounds", i));
  return cur().types[i];
}

result<tid> validator::core_type_at(std::uint32_t i, std::uint32_t off) {
  if (i >= cur().core_types.size())
    return err(off, fmt::format("unknown core type {}: type index out of bounds", i));
  return cur().core_types[i];
}

// ---- components ----
result<tid> validator::component_(const component& c) {
  push_scope(scope::kind::component);
  auto r = sections(c);
  scope s = pop_scope();
  WITC_CHECK(r);
  std::vector<rid> defined = std::move(s.defined_res);
  tnode n = scope_node(s, tk::component);
  // Resources reachable from the exports that were not imported are defined by
  // the component: each instantiation makes new ones.
  std::unordered_set<rid> used;
  collect_entity_resources(n, used, 0);
  std::unordered_set<rid> imported(n.imported_res.begin(), n.imported_res.end());
  for (rid x : used)
    if (!imported.count(x) && res_[x].scope == s.id) n.defined_res.push_back(x);
  for (rid x : defined)
    if (std::find(n.defined_res.begin(), n.defined_res.end(), x) == n.defined_res.end()) n.defined_res.push_back(x);
  std::sort(n.defined_res.begin(), n.defined_res.end());
  return add(std::move(n));
}

// The type of a component, component type or instance type, from its scope.
tnode validator::scope_node(scope& s, tk kind) {
  tnode n;
  n.kind = kind;
  n.imports = std::move(s.imports);
  n.exports = std::move(s.exports);
  n.imported_res = std::move(s.imported_res);
  n.defined_res = std::move(s.defined_res);
  return n;
}

result<void> validator::sections(const component& c) {
  for (const auto& sec : c.sections) {
    const auto& b = sec.body;
    switch (sec.id) {
      case 0: break;
      case 1: {
        WITC_TRY(tid t, embedded_module(std::get<core_module>(b)));
        cur().core_modules.push_back(t);
        break;
      }
      case 2:
        for (const auto& x : std::get<std::vector<core_instance>>(b)) WITC_CHECK(core_instance_(x));
        break;
      case 3:
        for (const auto& x : std::get<std::vector<core_type>>(b)) WITC_CHECK(core_type_(x, false));
        break;
      case 4: {
        if (scopes_.size() > 100) return err(sec.offset, "components nested too deeply");
        WITC_TRY(tid t, component_(*std::get<detail::box<component>>(b)));
        cur().components.push_back(t);
        break;
      }
      case 5:
        for (const auto& x : std::get<std::vector<instance>>(b)) WITC_CHECK(instance_(x));
        break;
      case 6:
        for (const auto& x : std::get<std::vector<alias>>(b)) WITC_CHECK(alias_(x, false));
        break;
      case 7:
        for (const auto& x : std::get<std::vector<type>>(b)) WITC_CHECK(type_(x));
        break;
      case 8:
        for (const auto& x : std::get<std::vector<canon>>(b)) WITC_CHECK(canon_(x));
        break;
      case 9: {
        const auto& st = std::get<start>(b);
        WITC_TRY(tid f, at(cur().funcs, st.func, st.offset, "func"));
        const tnode& fn = node(f);
        if (st.args.size() != fn.fields.size())
          return err(st.offset, fmt::format("component start function requires {} arguments but was given {}",
                                            fn.fields.size(), st.args.size()));
        for (auto a : st.args) { WITC_TRY(vt v, at(cur().values, a, st.offset, "value")); (void)v; }
        if (st.results != (fn.a ? 1u : 0u))
          return err(st.offset, "component start function has a result count mismatch");
        if (fn.a) cur().values.push_back(*fn.a);
        break;
      }
      case 10:
        for (const auto& x : std::get<std::vector<import>>(b)) WITC_CHECK(extern_decl(x.name, x.type, x.offset, true));
        break;
      case 11:
        for (const auto& x : std::get<std::vector<::witc::binary::component::export_>>(b)) WITC_CHECK(export_(x));
        break;
      case 12:
        for (const auto& x : std::get<std::vector<value>>(b)) {
          WITC_TRY(vt v, val(x.type, x.offset));
          cur().values.push_back(v);
        }
        break;
      default: break;
    }
  }
  return ok;
}

result<typed_component> type_component(const component& c) {
  validator v;
  return v.typed(c);
}

}  // namespace component::detail

result<void> validate_component(const component::component& c, component_validate_options opts) {
  component::detail::validator v(opts);
  return v.run(c);
}

result<void> validate_wasm(std::span<const std::uint8_t> bytes, std::uint32_t base, component_validate_options opts) {
  if (is_component(bytes)) {
    WITC_TRY(auto c, read_component(bytes, base));
    return validate_component(c, opts);
  }
  WITC_TRY(auto m, load_module(bytes, base, {.features = core_features::all()}));
  (void)m;
  return ok;
}

}  // namespace witc::binary
