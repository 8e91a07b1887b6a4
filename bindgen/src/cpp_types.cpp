// Spelling WIT types as C++ types, and the predicates the ABI emitter needs.
#include "gen.hpp"

namespace witc::bindgen::detail {

std::string_view prim_cpp(wit::primitive p) {
  switch (p) {
    case wit::primitive::bool_: return "bool";
    case wit::primitive::u8: return "std::uint8_t";
    case wit::primitive::u16: return "std::uint16_t";
    case wit::primitive::u32: return "std::uint32_t";
    case wit::primitive::u64: return "std::uint64_t";
    case wit::primitive::s8: return "std::int8_t";
    case wit::primitive::s16: return "std::int16_t";
    case wit::primitive::s32: return "std::int32_t";
    case wit::primitive::s64: return "std::int64_t";
    case wit::primitive::f32: return "float";
    case wit::primitive::f64: return "double";
    case wit::primitive::char_: return "char32_t";
    case wit::primitive::string: return "wit::string";
    case wit::primitive::error_context: return "std::int32_t";
  }
  return "void";
}

std::string_view mem_cpp(wit::primitive p) {
  switch (p) {
    case wit::primitive::bool_: return "std::uint8_t";
    case wit::primitive::char_: return "std::uint32_t";
    default: return prim_cpp(p);
  }
}

std::string_view core_cpp(canon::core_type t) {
  switch (t) {
    case canon::core_type::i32: return "std::int32_t";
    case canon::core_type::i64: return "std::int64_t";
    case canon::core_type::f32: return "float";
    case canon::core_type::f64: return "double";
  }
  return "void";
}

wit::type_id world_gen::resolve_alias(wit::type_id id) const { return types.resource_of(id); }

wit::type world_gen::follow(wit::type t) const {
  for (int i = 0; i < 1000 && t.is_id(); ++i) {
    const auto* a = std::get_if<wit::alias>(&r[t.id()].kind);
    if (!a) break;
    t = a->target;
  }
  return t;
}

const wit::type_def* world_gen::def_of(wit::type t) const {
  t = follow(t);
  if (!t.is_id()) return nullptr;
  return &r[t.id()];
}

canon::type_ref world_gen::canon_of(wit::type t) {
  auto c = types.get(t);
  if (c) return *c;
  for (auto& d : c.error()) errors.push_back(d);
  return canon::u8();
}

bool world_gen::resource_is_exported(wit::type_id resource, side s) const {
  return owner_side(r[resolve_alias(resource)], s) == side::export_;
}

std::string world_gen::named_type(wit::type_id id, side s) {
  const auto& d = r[id];
  const std::string ns = type_ns(d, s);
  const std::string name = cpp_name(d.name.value_or("anonymous"));
  if (ns == current_ns && value_names.count(name) == 0) return name;
  if (prefer_aliases) {
    auto in_ns = local_aliases.find(current_ns);
    if (in_ns != local_aliases.end()) {
      auto it = in_ns->second.find(id.index);
      if (it != in_ns->second.end() && value_names.count(it->second) == 0) return it->second;
    }
  }
  return "::" + ns + "::" + name;
}

std::string world_gen::value_type(wit::type t, side s) {
  if (!t.is_id()) return std::string(prim_cpp(t.prim()));
  const auto& d = r[t.id()];
  if (d.name && d.owner.kind != wit::type_owner::kind::none) return named_type(t.id(), s);
  auto opt = [&](const std::optional<wit::type>& x) { return x ? value_type(*x, s) : std::string("void"); };
  return std::visit([&](const auto& x) -> std::string {
    using T = std::decay_t<decltype(x)>;
    if constexpr (std::is_same_v<T, wit::handle>) {
      const auto rid = resolve_alias(x.resource);
      const std::string name = named_type(rid, s);
      if (x.borrow) return "wit::borrow<" + name + ">";
      return resource_is_exported(rid, s) ? "wit::own<" + name + ">" : name;
    } else if constexpr (std::is_same_v<T, wit::list>) {
      return "wit::vector<" + value_type(x.element, s) + ">";
    } else if constexpr (std::is_same_v<T, wit::fixed_list>) {
      return fmt::format("std::array<{}, {}>", value_type(x.element, s), x.size);
    } else if constexpr (std::is_same_v<T, wit::option>) {
      return "std::optional<" + value_type(x.inner, s) + ">";
    } else if constexpr (std::is_same_v<T, wit::result_>) {
      return "wit::expected<" + opt(x.ok) + ", " + opt(x.err) + ">";
    } else if constexpr (std::is_same_v<T, wit::tuple>) {
      std::string out = "std::tuple<";
      for (std::size_t i = 0; i < x.types.size(); ++i) out += (i ? ", " : "") + value_type(x.types[i], s);
      return out + ">";
    } else if constexpr (std::is_same_v<T, wit::map>) {
      return "wit::vector<std::pair<" + value_type(x.key, s) + ", " + value_type(x.value, s) + ">>";
    } else if constexpr (std::is_same_v<T, wit::alias>) {
      return value_type(x.target, s);
    } else if constexpr (std::is_same_v<T, wit::future> || std::is_same_v<T, wit::stream>) {
      return "std::int32_t";  // refused where used
    } else {
      return "void";  // named kinds never reach here
    }
  }, d.kind);
}

std::string world_gen::param_type(wit::type t0, side s) {
  const wit::type t = follow(t0);
  if (!t.is_id()) {
    if (t.prim() == wit::primitive::string) return "std::string_view";
    return std::string(prim_cpp(t.prim()));
  }
  const auto* d = def_of(t);
  if (const auto* l = std::get_if<wit::list>(&d->kind); l && !contains_own(l->element))
    return "std::span<const " + value_type(l->element, s) + ">";
  if (std::holds_alternative<wit::handle>(d->kind) || std::holds_alternative<wit::enum_>(d->kind) ||
      std::holds_alternative<wit::flags>(d->kind) || contains_own(t) || s == side::export_)
    return value_type(t, s);
  return "const " + value_type(t, s) + "&";
}

namespace {
template <class F>
bool any_of_type(const world_gen& g, wit::type t, F&& pred, int depth = 0) {
  if (depth > 200) return false;
  t = g.follow(t);
  if (pred(t)) return true;
  if (!t.is_id()) return false;
  const auto* d = g.def_of(t);
  auto sub = [&](wit::type u) { return any_of_type(g, u, pred, depth + 1); };
  auto osub = [&](const std::optional<wit::type>& u) { return u && sub(*u); };
  if (auto* x = std::get_if<wit::record>(&d->kind))
    return std::any_of(x->fields.begin(), x->fields.end(), [&](auto& f) { return sub(f.ty); });
  if (auto* x = std::get_if<wit::variant>(&d->kind))
    return std::any_of(x->cases.begin(), x->cases.end(), [&](auto& c) { return osub(c.ty); });
  if (auto* x = std::get_if<wit::tuple>(&d->kind))
    return std::any_of(x->types.begin(), x->types.end(), sub);
  if (auto* x = std::get_if<wit::option>(&d->kind)) return sub(x->inner);
  if (auto* x = std::get_if<wit::result_>(&d->kind)) return osub(x->ok) || osub(x->err);
  if (auto* x = std::get_if<wit::list>(&d->kind)) return sub(x->element);
  if (auto* x = std::get_if<wit::fixed_list>(&d->kind)) return sub(x->element);
  if (auto* x = std::get_if<wit::map>(&d->kind)) return sub(x->key) || sub(x->value);
  if (auto* x = std::get_if<wit::future>(&d->kind)) return osub(x->inner);
  if (auto* x = std::get_if<wit::stream>(&d->kind)) return osub(x->inner);
  return false;
}
}  // namespace

bool world_gen::abi_identical(wit::type t) const {
  t = follow(t);
  if (!t.is_id()) {
    switch (t.prim()) {
      case wit::primitive::bool_:
      case wit::primitive::string:
      case wit::primitive::error_context: return false;
      default: return true;
    }
  }
  const auto* d = def_of(t);
  if (auto* x = std::get_if<wit::record>(&d->kind))
    return std::all_of(x->fields.begin(), x->fields.end(), [&](auto& f) { return abi_identical(f.ty); });
  if (auto* x = std::get_if<wit::fixed_list>(&d->kind)) return abi_identical(x->element);
  return false;
}

bool world_gen::contains_own(wit::type t) const {
  return any_of_type(*this, t, [&](wit::type u) {
    if (!u.is_id()) return false;
    auto* h = std::get_if<wit::handle>(&def_of(u)->kind);
    return h && !h->borrow;
  });
}

bool world_gen::contains_handle(wit::type t) const {
  return any_of_type(*this, t, [&](wit::type u) {
    return u.is_id() && std::holds_alternative<wit::handle>(def_of(u)->kind);
  });
}

bool world_gen::owns_memory(wit::type t) const {
  return any_of_type(*this, t, [&](wit::type u) {
    if (!u.is_id()) return u.prim() == wit::primitive::string;
    const auto& k = def_of(u)->kind;
    return std::holds_alternative<wit::list>(k) || std::holds_alternative<wit::map>(k);
  });
}

std::optional<std::string> world_gen::unsupported(wit::type t) const {
  std::optional<std::string> what;
  any_of_type(*this, t, [&](wit::type u) {
    if (!u.is_id()) {
      if (u.prim() == wit::primitive::error_context) what = "`error-context`";
      return what.has_value();
    }
    const auto& k = def_of(u)->kind;
    if (std::holds_alternative<wit::future>(k)) what = "`future`";
    else if (std::holds_alternative<wit::stream>(k)) what = "`stream`";
    return what.has_value();
  });
  return what;
}

}  // namespace witc::bindgen::detail
