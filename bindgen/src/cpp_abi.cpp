// Emitting canonical ABI glue: lowering C++ values to flat core values or memory,
// lifting them back, and freeing what a returned value owns (post-return). Every
// size, alignment, offset and flat type comes from `canon`.
#include "gen.hpp"

namespace witc::bindgen::detail {

namespace {
using canon::core_type;

std::string at(const std::string& base, std::uint64_t off) {
  return off ? fmt::format("{} + {}", base, off) : base;
}

std::string_view uint_of_size(std::uint64_t n) {
  switch (n) {
    case 1: return "std::uint8_t";
    case 2: return "std::uint16_t";
    default: return "std::uint32_t";
  }
}

// One case of a variant-like type, as the emitter walks it.
struct case_info {
  std::optional<wit::type> payload;
  std::string payload_expr;  // how to reach the payload in a C++ value
  std::string condition;     // lowering: when the value is this case
  std::string make;          // lifting: how to build the value from `{}` (the payload)
};

struct shell_indent {
  std::string& ind;
  explicit shell_indent(std::string& i) : ind(i) { ind += "  "; }
  ~shell_indent() { ind.resize(ind.size() - 2); }
};
}  // namespace

std::string abi_emitter::coerce_to(const std::string& e, core_type have, core_type want) {
  if (have == want) return e;
  if (have == core_type::f32 && want == core_type::i32) return "wit::detail::f32_bits(" + e + ")";
  if (have == core_type::i32 && want == core_type::i64)
    return "static_cast<std::int64_t>(static_cast<std::uint32_t>(" + e + "))";
  if (have == core_type::f32 && want == core_type::i64)
    return "static_cast<std::int64_t>(static_cast<std::uint32_t>(wit::detail::f32_bits(" + e + ")))";
  return "wit::detail::f64_bits(" + e + ")";  // f64 -> i64
}

std::string abi_emitter::coerce_from(const std::string& e, core_type have, core_type want) {
  if (have == want) return e;
  if (have == core_type::i32 && want == core_type::f32) return "wit::detail::bits_f32(" + e + ")";
  if (have == core_type::i64 && want == core_type::i32) return "static_cast<std::int32_t>(" + e + ")";
  if (have == core_type::i64 && want == core_type::f32)
    return "wit::detail::bits_f32(static_cast<std::int32_t>(" + e + "))";
  return "wit::detail::bits_f64(" + e + ")";  // i64 -> f64
}

// The cases of an option, result or variant in a uniform shape.
static std::vector<case_info> cases_of(world_gen& g, side s, const wit::type_def& d, wit::type t,
                                       const std::string& e) {
  std::vector<case_info> out;
  if (auto* o = std::get_if<wit::option>(&d.kind)) {
    out.push_back({std::nullopt, "", "!" + e + ".has_value()", "std::nullopt"});
    out.push_back({o->inner, "(*" + e + ")", e + ".has_value()", "{}"});
  } else if (auto* x = std::get_if<wit::result_>(&d.kind)) {
    out.push_back({x->ok, e + ".value()", e + ".has_value()", x->ok ? "{}" : ""});
    out.push_back({x->err, e + ".error()", "!" + e + ".has_value()",
                   x->err ? "wit::unexpected({})" : "wit::unexpected_void"});
  } else if (auto* v = std::get_if<wit::variant>(&d.kind)) {
    const std::string vt = g.value_type(t, s);
    for (const auto& c : v->cases) {
      const std::string n = cpp_name(c.name);
      out.push_back({c.ty, e + ".as_" + n + "()", e + ".is_" + n + "()",
                     vt + "::" + (n == "tag" || n == "kind" ? n + "_" : n) + (c.ty ? "({})" : "()")});
    }
  }
  return out;
}

void abi_emitter::lower_flat(const std::string& e, wit::type t0, lower_mode m, std::string& code,
                             std::vector<flat>& out) {
  const wit::type t = g_.follow(t0);
  if (!t.is_id()) {
    switch (t.prim()) {
      case wit::primitive::u64:
      case wit::primitive::s64: out.push_back({"static_cast<std::int64_t>(" + e + ")", core_type::i64}); return;
      case wit::primitive::f32: out.push_back({e, core_type::f32}); return;
      case wit::primitive::f64: out.push_back({e, core_type::f64}); return;
      case wit::primitive::string:
        if (m == lower_mode::transfer) {
          const auto v = tmp();
          line(code, fmt::format("auto {} = {}.release();", v, e));
          out.push_back({"wit::detail::to_i32(" + v + ".first)", core_type::i32});
          out.push_back({"static_cast<std::int32_t>(" + v + ".second)", core_type::i32});
        } else {
          out.push_back({"wit::detail::to_i32(" + e + ".data())", core_type::i32});
          out.push_back({"static_cast<std::int32_t>(" + e + ".size())", core_type::i32});
        }
        return;
      default: out.push_back({"static_cast<std::int32_t>(" + e + ")", core_type::i32}); return;
    }
  }
  const auto& d = *g_.def_of(t);
  if (auto* x = std::get_if<wit::record>(&d.kind)) {
    for (const auto& f : x->fields) lower_flat(e + "." + cpp_name(f.name), f.ty, m, code, out);
  } else if (auto* x = std::get_if<wit::tuple>(&d.kind)) {
    for (std::size_t i = 0; i < x->types.size(); ++i)
      lower_flat(fmt::format("std::get<{}>({})", i, e), x->types[i], m, code, out);
  } else if (std::holds_alternative<wit::flags>(d.kind) || std::holds_alternative<wit::enum_>(d.kind)) {
    out.push_back({"static_cast<std::int32_t>(" + e + ")", core_type::i32});
  } else if (auto* h = std::get_if<wit::handle>(&d.kind)) {
    out.push_back({h->borrow ? e + ".handle()" : "std::move(" + e + ").into_handle()", core_type::i32});
  } else if (auto* x = std::get_if<wit::fixed_list>(&d.kind)) {
    for (std::uint32_t i = 0; i < x->size; ++i) lower_flat(fmt::format("{}[{}]", e, i), x->element, m, code, out);
  } else if (std::holds_alternative<wit::list>(d.kind) || std::holds_alternative<wit::map>(d.kind)) {
    const auto* l = std::get_if<wit::list>(&d.kind);
    if (l && g_.abi_identical(l->element)) {
      if (m == lower_mode::transfer) {
        const auto v = tmp();
        line(code, fmt::format("auto {} = {}.release();", v, e));
        out.push_back({"wit::detail::to_i32(" + v + ".first)", core_type::i32});
        out.push_back({"static_cast<std::int32_t>(" + v + ".second)", core_type::i32});
      } else {
        out.push_back({"wit::detail::to_i32(" + e + ".data())", core_type::i32});
        out.push_back({"static_cast<std::int32_t>(" + e + ".size())", core_type::i32});
      }
      return;
    }
    // Elements whose C++ layout differs from the ABI's are written to a fresh buffer.
    const auto ct = g_.canon_of(t);
    const auto& elem = *canon::despecialize(*ct).element();
    const std::uint64_t size = canon::elem_size(elem), align = canon::alignment(elem);
    const auto n = tmp("len"), b = tmp("buf"), i = tmp("i");
    line(code, fmt::format("std::size_t {} = {}.size();", n, e));
    line(code, fmt::format("auto* {} = static_cast<std::uint8_t*>(wit::detail::alloc({} * {}, {}));", b, n, size, align));
    if (m == lower_mode::borrow) {
      line(code, fmt::format("cleanup.add({}, {} * {});", b, n, size));
      used_cleanup = true;
    }
    line(code, fmt::format("for (std::size_t {0} = 0; {0} < {1}; ++{0}) {{", i, n));
    {
      shell_indent in(indent);
      const std::string base = fmt::format("{} + {} * {}", b, i, size);
      if (l) {
        store(fmt::format("{}[{}]", e, i), l->element, base, 0, m, code);
      } else {
        const auto& mp = std::get<wit::map>(d.kind);
        const auto offs = canon::field_offsets(elem);
        store(fmt::format("{}[{}].first", e, i), mp.key, base, offs[0], m, code);
        store(fmt::format("{}[{}].second", e, i), mp.value, base, offs[1], m, code);
      }
    }
    line(code, "}");
    out.push_back({"wit::detail::to_i32(" + b + ")", core_type::i32});
    out.push_back({"static_cast<std::int32_t>(" + n + ")", core_type::i32});
  } else if (std::holds_alternative<wit::option>(d.kind) || std::holds_alternative<wit::result_>(d.kind) ||
             std::holds_alternative<wit::variant>(d.kind)) {
    const auto ft = canon::flatten_type(*g_.canon_of(t));
    const auto disc = tmp("tag");
    const auto cases = cases_of(g_, side_, d, t, e);
    if (ft.size() == 1) {  // no payloads: the discriminant alone, in one line
      const bool is_variant = std::holds_alternative<wit::variant>(d.kind);
      line(code, fmt::format("std::int32_t {} = {};", disc,
                             is_variant ? fmt::format("static_cast<std::int32_t>({}.kind())", e)
                                        : fmt::format("{} ? 0 : 1", cases[0].condition)));
      out.push_back({disc, core_type::i32});
      return;
    }
    line(code, fmt::format("std::int32_t {} = 0;", disc));
    std::vector<std::string> slots;
    for (std::size_t j = 1; j < ft.size(); ++j) {
      slots.push_back(tmp("slot"));
      line(code, fmt::format("{} {} = 0;", core_cpp(ft[j]), slots.back()));
    }
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const auto& c = cases[k];
      line(code, k == 0 ? fmt::format("if ({}) {{", c.condition)
                        : k + 1 == cases.size() ? std::string("} else {") : fmt::format("}} else if ({}) {{", c.condition));
      {
        shell_indent in(indent);
        line(code, fmt::format("{} = {};", disc, k));
        if (c.payload) {
          std::vector<flat> pf;
          lower_flat(c.payload_expr, *c.payload, m, code, pf);
          for (std::size_t j = 0; j < pf.size(); ++j)
            line(code, fmt::format("{} = {};", slots[j], coerce_to(pf[j].expr, pf[j].type, ft[j + 1])));
        }
      }
    }
    line(code, "}");
    out.push_back({disc, core_type::i32});
    for (std::size_t j = 0; j < slots.size(); ++j) out.push_back({slots[j], ft[j + 1]});
  } else {
    out.push_back({e, core_type::i32});  // future / stream: refused before we get here
  }
}

void abi_emitter::store(const std::string& e, wit::type t0, const std::string& base, std::uint64_t off,
                        lower_mode m, std::string& code) {
  const wit::type t = g_.follow(t0);
  const std::string addr = at(base, off);
  if (!t.is_id()) {
    switch (t.prim()) {
      case wit::primitive::string: {
        std::vector<flat> f;
        lower_flat(e, t, m, code, f);
        line(code, fmt::format("wit::detail::store<std::int32_t>({}, {});", addr, f[0].expr));
        line(code, fmt::format("wit::detail::store<std::int32_t>({}, {});", at(base, off + 4), f[1].expr));
        return;
      }
      default:
        line(code, fmt::format("wit::detail::store<{0}>({1}, static_cast<{0}>({2}));", mem_cpp(t.prim()), addr, e));
        return;
    }
  }
  const auto& d = *g_.def_of(t);
  const auto ct = g_.canon_of(t);
  if (auto* x = std::get_if<wit::record>(&d.kind)) {
    const auto offs = canon::field_offsets(*ct);
    for (std::size_t i = 0; i < x->fields.size(); ++i)
      store(e + "." + cpp_name(x->fields[i].name), x->fields[i].ty, base, off + offs[i], m, code);
  } else if (auto* x = std::get_if<wit::tuple>(&d.kind)) {
    const auto offs = canon::field_offsets(*ct);
    for (std::size_t i = 0; i < x->types.size(); ++i)
      store(fmt::format("std::get<{}>({})", i, e), x->types[i], base, off + offs[i], m, code);
  } else if (std::holds_alternative<wit::flags>(d.kind) || std::holds_alternative<wit::enum_>(d.kind)) {
    line(code, fmt::format("wit::detail::store<{0}>({1}, static_cast<{0}>({2}));",
                           uint_of_size(canon::elem_size(*ct)), addr, e));
  } else if (std::holds_alternative<wit::handle>(d.kind) || std::holds_alternative<wit::list>(d.kind) ||
             std::holds_alternative<wit::map>(d.kind)) {
    std::vector<flat> f;
    lower_flat(e, t, m, code, f);
    for (std::size_t j = 0; j < f.size(); ++j)
      line(code, fmt::format("wit::detail::store<std::int32_t>({}, {});", at(base, off + 4 * j), f[j].expr));
  } else if (auto* x = std::get_if<wit::fixed_list>(&d.kind)) {
    const auto size = canon::elem_size(*g_.canon_of(x->element));
    const auto i = tmp("i");
    line(code, fmt::format("for (std::size_t {0} = 0; {0} < {1}; ++{0}) {{", i, x->size));
    {
      shell_indent in(indent);
      store(fmt::format("{}[{}]", e, i), x->element, fmt::format("{} + {} * {}", addr, i, size), 0, m, code);
    }
    line(code, "}");
  } else if (std::holds_alternative<wit::option>(d.kind) || std::holds_alternative<wit::result_>(d.kind) ||
             std::holds_alternative<wit::variant>(d.kind)) {
    const auto cases = cases_of(g_, side_, d, t, e);
    const auto disc_size = canon::discriminant_size(cases.size());
    const auto payload = off + canon::payload_offset(*ct);
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const auto& c = cases[k];
      line(code, k == 0 ? fmt::format("if ({}) {{", c.condition)
                        : k + 1 == cases.size() ? std::string("} else {") : fmt::format("}} else if ({}) {{", c.condition));
      {
        shell_indent in(indent);
        line(code, fmt::format("wit::detail::store<{}>({}, {});", uint_of_size(disc_size), addr, k));
        if (c.payload) store(c.payload_expr, *c.payload, base, payload, m, code);
      }
    }
    line(code, "}");
  }
}

std::string abi_emitter::lift_flat(const std::vector<flat>& in, std::size_t& pos, wit::type t0,
                                   std::string& code) {
  const wit::type t = g_.follow(t0);
  if (!t.is_id()) {
    const auto& x = in[pos].expr;
    switch (t.prim()) {
      case wit::primitive::bool_: ++pos; return "(" + x + " != 0)";
      case wit::primitive::s32:
      case wit::primitive::s64:
      case wit::primitive::f32:
      case wit::primitive::f64:
      case wit::primitive::error_context: ++pos; return x;
      case wit::primitive::string: {
        const auto& n = in[pos + 1].expr;
        pos += 2;
        return fmt::format("wit::string::adopt(wit::detail::from_i32<char>({}), static_cast<std::uint32_t>({}))", x, n);
      }
      default: ++pos; return fmt::format("static_cast<{}>({})", prim_cpp(t.prim()), x);
    }
  }
  const auto& d = *g_.def_of(t);
  const std::string vt = g_.value_type(t, side_);
  if (auto* x = std::get_if<wit::record>(&d.kind)) {
    std::string out = vt + "{";
    for (std::size_t i = 0; i < x->fields.size(); ++i) out += (i ? ", " : "") + lift_flat(in, pos, x->fields[i].ty, code);
    return out + "}";
  }
  if (auto* x = std::get_if<wit::tuple>(&d.kind)) {
    std::string out = vt + "{";
    for (std::size_t i = 0; i < x->types.size(); ++i) out += (i ? ", " : "") + lift_flat(in, pos, x->types[i], code);
    return out + "}";
  }
  if (auto* x = std::get_if<wit::fixed_list>(&d.kind)) {
    std::string out = vt + "{";
    for (std::uint32_t i = 0; i < x->size; ++i) out += (i ? ", " : "") + lift_flat(in, pos, x->element, code);
    return out + "}";
  }
  if (std::holds_alternative<wit::flags>(d.kind) || std::holds_alternative<wit::enum_>(d.kind))
    return fmt::format("static_cast<{}>({})", vt, in[pos++].expr);
  if (auto* h = std::get_if<wit::handle>(&d.kind)) {
    const auto& x = in[pos++].expr;
    const auto rid = g_.resolve_alias(h->resource);
    if (h->borrow) return fmt::format("{}::from_abi({})", vt, x);
    if (g_.resource_is_exported(rid, side_)) return fmt::format("{}::from_handle({})", vt, x);
    return fmt::format("{}::from_handle({})", vt, x);
  }
  if (std::holds_alternative<wit::list>(d.kind) || std::holds_alternative<wit::map>(d.kind)) {
    const auto& p = in[pos].expr;
    const auto& n = in[pos + 1].expr;
    pos += 2;
    const auto* l = std::get_if<wit::list>(&d.kind);
    if (l && g_.abi_identical(l->element)) {
      const auto et = g_.value_type(l->element, side_);
      return fmt::format("wit::vector<{0}>::adopt(wit::detail::from_i32<{0}>({1}), static_cast<std::uint32_t>({2}))", et, p, n);
    }
    const auto ct = g_.canon_of(t);
    const auto& elem = *canon::despecialize(*ct).element();
    const auto size = canon::elem_size(elem);
    std::string et;
    if (l) {
      et = g_.value_type(l->element, side_);
    } else {
      const auto& mp = std::get<wit::map>(d.kind);
      et = "std::pair<" + g_.value_type(mp.key, side_) + ", " + g_.value_type(mp.value, side_) + ">";
    }
    const auto b = tmp("buf"), len = tmp("len"), o = tmp("out"), i = tmp("i");
    line(code, fmt::format("auto* {} = wit::detail::from_i32({});", b, p));
    line(code, fmt::format("std::size_t {} = static_cast<std::uint32_t>({});", len, n));
    line(code, fmt::format("auto* {} = static_cast<{}*>(wit::detail::alloc({} * sizeof({}), alignof({})));", o, et, len, et, et));
    line(code, fmt::format("for (std::size_t {0} = 0; {0} < {1}; ++{0}) {{", i, len));
    {
      shell_indent in(indent);
      const std::string base = fmt::format("{} + {} * {}", b, i, size);
      std::string value;
      if (l) {
        value = load(base, 0, l->element, code);
      } else {
        const auto& mp = std::get<wit::map>(d.kind);
        const auto offs = canon::field_offsets(elem);
        value = et + "{" + load(base, offs[0], mp.key, code) + ", " + load(base, offs[1], mp.value, code) + "}";
      }
      line(code, fmt::format("new ({} + {}) {}({});", o, i, et, value));
    }
    line(code, "}");
    line(code, fmt::format("wit::detail::dealloc({}, {} * {});", b, len, size));
    return fmt::format("wit::vector<{}>::adopt({}, {})", et, o, len);
  }
  if (std::holds_alternative<wit::option>(d.kind) || std::holds_alternative<wit::result_>(d.kind) ||
      std::holds_alternative<wit::variant>(d.kind)) {
    const auto ft = canon::flatten_type(*g_.canon_of(t));
    const std::string disc = in[pos].expr;
    std::vector<flat> slots(in.begin() + static_cast<std::ptrdiff_t>(pos + 1),
                            in.begin() + static_cast<std::ptrdiff_t>(pos + ft.size()));
    pos += ft.size();
    const auto cases = cases_of(g_, side_, d, t, "");
    const auto v = tmp("v");
    return lift_cases(v, vt, disc, cases.size(), code, [&](std::size_t k, std::string& body) {
      const auto& c = cases[k];
      if (!c.payload) return c.make;
      const auto pt = canon::flatten_type(*g_.canon_of(*c.payload));
      std::vector<flat> sub;
      for (std::size_t j = 0; j < pt.size(); ++j) sub.push_back({coerce_from(slots[j].expr, slots[j].type, pt[j]), pt[j]});
      std::size_t p = 0;
      return fmt::format(fmt::runtime(c.make), lift_flat(sub, p, *c.payload, body));
    });
  }
  return in[pos++].expr;
}

// A variant-like value lifted by a switch on its discriminant, as an immediately invoked
// lambda so each case returns its value: `auto v = [&]() -> T { switch (d) { ... } }();`.
// `make(k, body)` gives case `k`'s value, emitting into `body` what it needs first.
std::string abi_emitter::lift_cases(const std::string& v, const std::string& vt, const std::string& disc,
                                    std::size_t n, std::string& code,
                                    const std::function<std::string(std::size_t, std::string&)>& make) {
  line(code, fmt::format("auto {} = [&]() -> {} {{", v, vt));
  {
    shell_indent in0(indent);
    line(code, fmt::format("switch ({}) {{", disc));
    for (std::size_t k = 0; k < n; ++k) {
      std::string body, made;
      {
        shell_indent in1(indent);
        shell_indent in2(indent);
        made = make(k, body);
      }
      const std::string ret = made.empty() ? "return {};" : "return " + made + ";";
      if (body.empty()) {
        line(code, fmt::format("  case {}: {}", k, ret));
      } else {
        line(code, fmt::format("  case {}: {{", k));
        code += body;
        line(code, "    " + ret);
        line(code, "  }");
      }
    }
    line(code, "  default: wit::trap();");
    line(code, "}");
  }
  line(code, "}();");
  return "std::move(" + v + ")";
}

std::string abi_emitter::load(const std::string& base, std::uint64_t off, wit::type t0, std::string& code) {
  const wit::type t = g_.follow(t0);
  const std::string addr = at(base, off);
  if (!t.is_id()) {
    switch (t.prim()) {
      case wit::primitive::bool_: return "(wit::detail::load<std::uint8_t>(" + addr + ") != 0)";
      case wit::primitive::char_: return "static_cast<char32_t>(wit::detail::load<std::uint32_t>(" + addr + "))";
      case wit::primitive::string:
        return fmt::format(
            "wit::string::adopt(wit::detail::from_i32<char>(wit::detail::load<std::int32_t>({})), "
            "static_cast<std::uint32_t>(wit::detail::load<std::int32_t>({})))",
            addr, at(base, off + 4));
      default: return fmt::format("wit::detail::load<{}>({})", mem_cpp(t.prim()), addr);
    }
  }
  const auto& d = *g_.def_of(t);
  const auto ct = g_.canon_of(t);
  const std::string vt = g_.value_type(t, side_);
  if (auto* x = std::get_if<wit::record>(&d.kind)) {
    const auto offs = canon::field_offsets(*ct);
    std::string out = vt + "{";
    for (std::size_t i = 0; i < x->fields.size(); ++i) out += (i ? ", " : "") + load(base, off + offs[i], x->fields[i].ty, code);
    return out + "}";
  }
  if (auto* x = std::get_if<wit::tuple>(&d.kind)) {
    const auto offs = canon::field_offsets(*ct);
    std::string out = vt + "{";
    for (std::size_t i = 0; i < x->types.size(); ++i) out += (i ? ", " : "") + load(base, off + offs[i], x->types[i], code);
    return out + "}";
  }
  if (auto* x = std::get_if<wit::fixed_list>(&d.kind)) {
    const auto size = canon::elem_size(*g_.canon_of(x->element));
    std::string out = vt + "{";
    for (std::uint32_t i = 0; i < x->size; ++i) out += (i ? ", " : "") + load(base, off + i * size, x->element, code);
    return out + "}";
  }
  if (std::holds_alternative<wit::flags>(d.kind) || std::holds_alternative<wit::enum_>(d.kind))
    return fmt::format("static_cast<{}>(wit::detail::load<{}>({}))", vt, uint_of_size(canon::elem_size(*ct)), addr);
  if (std::holds_alternative<wit::handle>(d.kind) || std::holds_alternative<wit::list>(d.kind) ||
      std::holds_alternative<wit::map>(d.kind)) {
    std::vector<flat> f;
    const std::size_t n = std::holds_alternative<wit::handle>(d.kind) ? 1 : 2;
    for (std::size_t j = 0; j < n; ++j) {
      const auto v = tmp();
      line(code, fmt::format("std::int32_t {} = wit::detail::load<std::int32_t>({});", v, at(base, off + 4 * j)));
      f.push_back({v, core_type::i32});
    }
    std::size_t p = 0;
    return lift_flat(f, p, t, code);
  }
  if (std::holds_alternative<wit::option>(d.kind) || std::holds_alternative<wit::result_>(d.kind) ||
      std::holds_alternative<wit::variant>(d.kind)) {
    const auto cases = cases_of(g_, side_, d, t, "");
    const auto payload = off + canon::payload_offset(*ct);
    const auto v = tmp("v");
    const auto disc = fmt::format("wit::detail::load<{}>({})", uint_of_size(canon::discriminant_size(cases.size())), addr);
    return lift_cases(v, vt, disc, cases.size(), code, [&](std::size_t k, std::string& body) {
      const auto& c = cases[k];
      return c.payload ? fmt::format(fmt::runtime(c.make), load(base, payload, *c.payload, body)) : c.make;
    });
  }
  return "0";
}

void abi_emitter::free_stored(const std::string& base, std::uint64_t off, wit::type t0, std::string& code) {
  const wit::type t = g_.follow(t0);
  if (!g_.owns_memory(t)) return;
  const std::string addr = at(base, off);
  if (!t.is_id()) {  // string
    line(code, fmt::format("wit::detail::dealloc(wit::detail::from_i32(wit::detail::load<std::int32_t>({})), "
                           "static_cast<std::uint32_t>(wit::detail::load<std::int32_t>({})));",
                           addr, at(base, off + 4)));
    return;
  }
  const auto& d = *g_.def_of(t);
  const auto ct = g_.canon_of(t);
  if (auto* x = std::get_if<wit::record>(&d.kind)) {
    const auto offs = canon::field_offsets(*ct);
    for (std::size_t i = 0; i < x->fields.size(); ++i) free_stored(base, off + offs[i], x->fields[i].ty, code);
  } else if (auto* x = std::get_if<wit::tuple>(&d.kind)) {
    const auto offs = canon::field_offsets(*ct);
    for (std::size_t i = 0; i < x->types.size(); ++i) free_stored(base, off + offs[i], x->types[i], code);
  } else if (auto* x = std::get_if<wit::fixed_list>(&d.kind)) {
    const auto size = canon::elem_size(*g_.canon_of(x->element));
    for (std::uint32_t i = 0; i < x->size; ++i) free_stored(base, off + i * size, x->element, code);
  } else if (std::holds_alternative<wit::list>(d.kind) || std::holds_alternative<wit::map>(d.kind)) {
    const auto& elem = *canon::despecialize(*ct).element();
    const auto size = canon::elem_size(elem);
    const auto b = tmp("buf"), n = tmp("len");
    line(code, fmt::format("auto* {} = wit::detail::from_i32(wit::detail::load<std::int32_t>({}));", b, addr));
    line(code, fmt::format("std::size_t {} = static_cast<std::uint32_t>(wit::detail::load<std::int32_t>({}));", n, at(base, off + 4)));
    const auto* l = std::get_if<wit::list>(&d.kind);
    const auto* mp = std::get_if<wit::map>(&d.kind);
    const bool inner = l ? g_.owns_memory(l->element) : (g_.owns_memory(mp->key) || g_.owns_memory(mp->value));
    if (inner) {
      const auto i = tmp("i");
      line(code, fmt::format("for (std::size_t {0} = 0; {0} < {1}; ++{0}) {{", i, n));
      {
        shell_indent in(indent);
        const std::string eb = fmt::format("{} + {} * {}", b, i, size);
        if (l) {
          free_stored(eb, 0, l->element, code);
        } else {
          const auto offs = canon::field_offsets(elem);
          free_stored(eb, offs[0], mp->key, code);
          free_stored(eb, offs[1], mp->value, code);
        }
      }
      line(code, "}");
    }
    line(code, fmt::format("wit::detail::dealloc({}, {} * {});", b, n, size));
  } else if (std::holds_alternative<wit::option>(d.kind) || std::holds_alternative<wit::result_>(d.kind) ||
             std::holds_alternative<wit::variant>(d.kind)) {
    const auto cases = cases_of(g_, side_, d, t, "");
    const auto payload = off + canon::payload_offset(*ct);
    line(code, fmt::format("switch (wit::detail::load<{}>({})) {{",
                           uint_of_size(canon::discriminant_size(cases.size())), addr));
    for (std::size_t k = 0; k < cases.size(); ++k) {
      if (!cases[k].payload || !g_.owns_memory(*cases[k].payload)) continue;
      line(code, fmt::format("  case {}: {{", k));
      {
        shell_indent in1(indent);
        shell_indent in2(indent);
        free_stored(base, payload, *cases[k].payload, code);
        line(code, "break;");
      }
      line(code, "  }");
    }
    line(code, "  default: break;");
    line(code, "}");
  }
}

}  // namespace witc::bindgen::detail
