#include "witc/canon/from_wit.hpp"

#include <fmt/format.h>

namespace witc::canon {

namespace {
// Deeper than any real WIT nests; bounds the recursion on hostile graphs.
constexpr unsigned max_depth = 500;

std::string describe(const wit::type_def& d) {
  return d.name ? fmt::format("type `{}`", *d.name) : std::string("an anonymous type");
}
}  // namespace

type_ref of(wit::primitive p) {
  switch (p) {
    case wit::primitive::bool_: return bool_();
    case wit::primitive::u8: return u8();
    case wit::primitive::u16: return u16();
    case wit::primitive::u32: return u32();
    case wit::primitive::u64: return u64();
    case wit::primitive::s8: return s8();
    case wit::primitive::s16: return s16();
    case wit::primitive::s32: return s32();
    case wit::primitive::s64: return s64();
    case wit::primitive::f32: return f32();
    case wit::primitive::f64: return f64();
    case wit::primitive::char_: return char_();
    case wit::primitive::string: return string();
    case wit::primitive::error_context: return error_context();
  }
  return u8();
}

wit::type_id wit_types::resource_of(wit::type_id id) const {
  for (unsigned i = 0; i < max_depth && id.index < r_->types.size(); ++i) {
    const auto& d = (*r_)[id];
    const auto* a = std::get_if<wit::alias>(&d.kind);
    if (!a || !a->target.is_id()) break;
    id = a->target.id();
  }
  return id;
}

witc::result<type_ref> wit_types::get(wit::type t) {
  if (!t.is_id()) return of(t.prim());
  return convert(t.id(), 0);
}

witc::result<functype> wit_types::get(const wit::function& f) {
  functype ft;
  for (const auto& p : f.params) {
    WITC_TRY(type_ref t, get(p.ty));
    ft.params.push_back(std::move(t));
  }
  if (f.result) {
    WITC_TRY(type_ref t, get(*f.result));
    ft.results.push_back(std::move(t));
  }
  using fk = wit::function_kind;
  ft.async = f.kind == fk::async_freestanding || f.kind == fk::async_method || f.kind == fk::async_static;
  return ft;
}

witc::result<type_ref> wit_types::convert(wit::type_id id, unsigned depth) {
  if (id.index >= r_->types.size())
    return witc::fail(diagnostic::global(fmt::format("type id {} is out of range", id.index)));
  if (cache_[id.index]) return cache_[id.index];
  if (depth > max_depth)
    return witc::fail(diagnostic::global("type definitions nest too deeply (or form a cycle)"));
  const auto& d = (*r_)[id];
  auto sub_fn = [&](wit::type t) -> witc::result<type_ref> {
    if (!t.is_id()) return of(t.prim());
    return convert(t.id(), depth + 1);
  };
  auto opt_fn = [&](const std::optional<wit::type>& t) -> witc::result<type_ref> {
    if (!t) return type_ref{};
    return sub_fn(*t);
  };
  struct visitor {
    wit_types& self;
    const wit::type_def& d;
    decltype(sub_fn)& sub;
    decltype(opt_fn)& opt;
    witc::result<type_ref> operator()(const wit::record& x) {
      std::vector<labelled> fields;
      for (const auto& f : x.fields) {
        WITC_TRY(type_ref t, sub(f.ty));
        fields.push_back({f.name, std::move(t)});
      }
      return record(std::move(fields));
    }
    witc::result<type_ref> operator()(const wit::resource&) {
      return witc::fail(diagnostic::error(d.span, fmt::format("{} is a resource, not a value type", describe(d))));
    }
    witc::result<type_ref> operator()(const wit::handle& h) {
      const auto rid = self.resource_of(h.resource).index;
      return h.borrow ? borrow(rid) : own(rid);
    }
    witc::result<type_ref> operator()(const wit::flags& x) {
      std::vector<std::string> labels;
      for (const auto& f : x.flags) labels.push_back(f.name);
      return flags(std::move(labels));
    }
    witc::result<type_ref> operator()(const wit::tuple& x) {
      std::vector<type_ref> ts;
      for (const auto& t : x.types) {
        WITC_TRY(type_ref u, sub(t));
        ts.push_back(std::move(u));
      }
      return tuple(std::move(ts));
    }
    witc::result<type_ref> operator()(const wit::variant& x) {
      std::vector<labelled> cases;
      for (const auto& c : x.cases) {
        WITC_TRY(type_ref t, opt(c.ty));
        cases.push_back({c.name, std::move(t)});
      }
      return variant(std::move(cases));
    }
    witc::result<type_ref> operator()(const wit::enum_& x) {
      std::vector<std::string> labels;
      for (const auto& c : x.cases) labels.push_back(c.name);
      return enum_(std::move(labels));
    }
    witc::result<type_ref> operator()(const wit::option& x) {
      WITC_TRY(type_ref t, sub(x.inner));
      return option(std::move(t));
    }
    witc::result<type_ref> operator()(const wit::result_& x) {
      WITC_TRY(type_ref ok, opt(x.ok));
      WITC_TRY(type_ref err, opt(x.err));
      return result_(std::move(ok), std::move(err));
    }
    witc::result<type_ref> operator()(const wit::list& x) {
      WITC_TRY(type_ref t, sub(x.element));
      return list(std::move(t));
    }
    witc::result<type_ref> operator()(const wit::fixed_list& x) {
      WITC_TRY(type_ref t, sub(x.element));
      return list(std::move(t), x.size);
    }
    witc::result<type_ref> operator()(const wit::map& x) {
      WITC_TRY(type_ref k, sub(x.key));
      WITC_TRY(type_ref v, sub(x.value));
      return map(std::move(k), std::move(v));
    }
    witc::result<type_ref> operator()(const wit::future& x) {
      WITC_TRY(type_ref t, opt(x.inner));
      return future(std::move(t));
    }
    witc::result<type_ref> operator()(const wit::stream& x) {
      WITC_TRY(type_ref t, opt(x.inner));
      return stream(std::move(t));
    }
    witc::result<type_ref> operator()(const wit::alias& x) { return sub(x.target); }
    witc::result<type_ref> operator()(const wit::unknown&) {
      return witc::fail(diagnostic::error(d.span, fmt::format("{} was never defined", describe(d))));
    }
  };
  WITC_TRY(type_ref t, std::visit(visitor{*this, d, sub_fn, opt_fn}, d.kind));
  cache_[id.index] = t;
  return t;
}

}  // namespace witc::canon
