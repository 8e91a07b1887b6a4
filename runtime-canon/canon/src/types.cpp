#include "witc/canon/types.hpp"

#include <functional>
#include <string>

namespace witc::canon {

namespace {
type_ref make(valtype::parts p) { return std::make_shared<const valtype>(std::move(p)); }

// The despecialized form of a specialized type, as the spec's `despecialize`.
type_ref despecialize_parts(const valtype::parts& p) {
  switch (p.kind) {
    case kind::tuple:
      return make({kind::record, p.members, {}, nullptr, {}, 0});
    case kind::enum_: {
      std::vector<labelled> cases;
      cases.reserve(p.labels.size());
      for (const auto& l : p.labels) cases.push_back({l, nullptr});
      return make({kind::variant, std::move(cases), {}, nullptr, {}, 0});
    }
    case kind::option:
    case kind::result:
      return make({kind::variant, p.members, {}, nullptr, {}, 0});
    case kind::map:
      return make({kind::list, {}, {}, tuple({p.members[0].type, p.members[1].type}), {}, 0});
    default:
      return nullptr;
  }
}
}  // namespace

valtype::valtype(parts p)
    : kind_(p.kind),
      members_(p.members),
      labels_(p.labels),
      element_(p.element),
      length_(p.length),
      resource_(p.resource),
      despecialized_(despecialize_parts(p)) {}

type_ref prim(canon::kind k) {
  // One node per primitive, shared by every use.
  static const auto table = [] {
    std::vector<type_ref> t;
    for (int i = 0; i <= static_cast<int>(kind::error_context); ++i)
      t.push_back(make({static_cast<canon::kind>(i), {}, {}, nullptr, {}, 0}));
    return t;
  }();
  return table.at(static_cast<std::size_t>(k));
}
type_ref bool_() { return prim(kind::bool_); }
type_ref s8() { return prim(kind::s8); }
type_ref u8() { return prim(kind::u8); }
type_ref s16() { return prim(kind::s16); }
type_ref u16() { return prim(kind::u16); }
type_ref s32() { return prim(kind::s32); }
type_ref u32() { return prim(kind::u32); }
type_ref s64() { return prim(kind::s64); }
type_ref u64() { return prim(kind::u64); }
type_ref f32() { return prim(kind::f32); }
type_ref f64() { return prim(kind::f64); }
type_ref char_() { return prim(kind::char_); }
type_ref string() { return prim(kind::string); }
type_ref error_context() { return prim(kind::error_context); }

type_ref list(type_ref element, std::optional<std::uint32_t> length) {
  return make({kind::list, {}, {}, std::move(element), length, 0});
}
type_ref record(std::vector<labelled> fields) {
  return make({kind::record, std::move(fields), {}, nullptr, {}, 0});
}
type_ref tuple(std::vector<type_ref> types) {
  std::vector<labelled> fields;
  fields.reserve(types.size());
  for (std::size_t i = 0; i < types.size(); ++i) fields.push_back({std::to_string(i), types[i]});
  return make({kind::tuple, std::move(fields), {}, nullptr, {}, 0});
}
type_ref variant(std::vector<labelled> cases) {
  return make({kind::variant, std::move(cases), {}, nullptr, {}, 0});
}
type_ref enum_(std::vector<std::string> labels) {
  return make({kind::enum_, {}, std::move(labels), nullptr, {}, 0});
}
type_ref option(type_ref t) {
  return make({kind::option, {{"none", nullptr}, {"some", t}}, {}, t, {}, 0});
}
type_ref result_(type_ref ok, type_ref error) {
  return make({kind::result, {{"ok", std::move(ok)}, {"error", std::move(error)}}, {}, nullptr, {}, 0});
}
type_ref map(type_ref key, type_ref value) {
  return make({kind::map, {{"key", std::move(key)}, {"value", std::move(value)}}, {}, nullptr, {}, 0});
}
type_ref flags(std::vector<std::string> labels) {
  return make({kind::flags, {}, std::move(labels), nullptr, {}, 0});
}
type_ref own(std::uint32_t resource) { return make({kind::own, {}, {}, nullptr, {}, resource}); }
type_ref borrow(std::uint32_t resource) {
  return make({kind::borrow, {}, {}, nullptr, {}, resource});
}
type_ref stream(type_ref t) { return make({kind::stream, {}, {}, std::move(t), {}, 0}); }
type_ref future(type_ref t) { return make({kind::future, {}, {}, std::move(t), {}, 0}); }

namespace {
bool contains(const valtype& t0, const std::function<bool(const valtype&)>& p) {
  const valtype& t = despecialize(t0);
  switch (t.kind()) {
    case kind::list:
    case kind::stream:
    case kind::future:
      return p(t) || (t.element() && contains(*t.element(), p));
    case kind::record:
    case kind::variant:
      if (p(t)) return true;
      for (const auto& m : t.members())
        if (m.type && contains(*m.type, p)) return true;
      return false;
    default:
      return p(t);
  }
}
}  // namespace

bool contains_borrow(const valtype& t) {
  return contains(t, [](const valtype& u) { return u.kind() == kind::borrow; });
}
bool contains_async_value(const valtype& t) {
  return contains(t, [](const valtype& u) {
    return u.kind() == kind::stream || u.kind() == kind::future;
  });
}

}  // namespace witc::canon
