// Component AST -> text format, the mirror of component_wat.cpp for the same
// subset, in the layout `wasm-tools print` uses: numeric indices, each new index
// shown as a `(;N;)` comment. `parse_wat(print_wat(c))` gives `c` back.
#include <fmt/format.h>

#include <array>

#include "witc/binary/component_wat.hpp"

namespace witc::binary {
namespace component::detail {
namespace {

constexpr std::array<const char*, 6> sort_names{"core", "func", "value", "type", "component", "instance"};

failure unsupported(std::string what) {
  return fail(diagnostic::global(fmt::format("{} cannot be printed in the text format yet", what)));
}

std::string wat_string(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\' || u < 0x20 || u >= 0x7f) out += fmt::format("\\{:02x}", u);
    else out += ch;
  }
  return out + "\"";
}

const char* prim_name(std::uint8_t b) {
  switch (b) {
    case prim::bool_: return "bool";
    case prim::s8: return "s8";
    case prim::u8: return "u8";
    case prim::s16: return "s16";
    case prim::u16: return "u16";
    case prim::s32: return "s32";
    case prim::u32: return "u32";
    case prim::s64: return "s64";
    case prim::u64: return "u64";
    case prim::f32: return "f32";
    case prim::f64: return "f64";
    case prim::char_: return "char";
    case prim::string: return "string";
    case prim::error_context: return "error-context";
    default: return nullptr;
  }
}

class printer {
 public:
  std::string out;

  result<void> whole(const component& c) {
    out += "(component\n";
    std::array<std::uint32_t, 6> count{};
    for (const auto& s : c.sections) WITC_CHECK(section_(s, count));
    out += ")\n";
    return {};
  }

 private:
  int indent_ = 1;

  void line(std::string_view text) {
    out.append(static_cast<std::size_t>(indent_) * 2, ' ');
    out += text;
    out += '\n';
  }

  static result<std::string> val(const valtype& v) {
    if (!v.is_prim) return std::to_string(v.idx);
    if (const char* n = prim_name(v.prim)) return std::string(n);
    return unsupported(fmt::format("value type byte 0x{:02x}", v.prim));
  }

  static result<std::string> defval(const defvaltype& d) {
    std::string s;
    auto add_val = [&](const valtype& v) -> result<void> {
      WITC_TRY(std::string t, val(v));
      s += " " + t;
      return {};
    };
    switch (d.code) {
      case 0x72:
        s = "(record";
        for (const auto& f : d.fields) {
          WITC_TRY(std::string t, val(f.type));
          s += fmt::format(" (field {} {})", wat_string(f.name), t);
        }
        break;
      case 0x71:
        s = "(variant";
        for (const auto& c : d.cases) {
          s += " (case " + wat_string(c.name);
          if (c.type) WITC_CHECK(add_val(*c.type));
          s += ")";
        }
        break;
      case 0x70: s = "(list"; WITC_CHECK(add_val(*d.a)); break;
      case 0x67: s = "(list"; WITC_CHECK(add_val(*d.a)); s += fmt::format(" {}", d.idx); break;
      case 0x6f:
        s = "(tuple";
        for (const auto& t : d.types) WITC_CHECK(add_val(t));
        break;
      case 0x6e: case 0x6d:
        s = d.code == 0x6e ? "(flags" : "(enum";
        for (const auto& n : d.names) s += " " + wat_string(n);
        break;
      case 0x6b: s = "(option"; WITC_CHECK(add_val(*d.a)); break;
      case 0x6a:
        s = "(result";
        if (d.a) WITC_CHECK(add_val(*d.a));
        if (d.b) {
          WITC_TRY(std::string t, val(*d.b));
          s += " (error " + t + ")";
        }
        break;
      case 0x69: case 0x68: s = fmt::format("({} {}", d.code == 0x69 ? "own" : "borrow", d.idx); break;
      case 0x66: case 0x65:
        s = d.code == 0x66 ? "(stream" : "(future";
        if (d.a) WITC_CHECK(add_val(*d.a));
        break;
      case 0x63: s = "(map"; WITC_CHECK(add_val(*d.a)); WITC_CHECK(add_val(*d.b)); break;
      default: {
        const char* n = prim_name(d.code);
        if (!n) return unsupported(fmt::format("type byte 0x{:02x}", d.code));
        return std::string(n);
      }
    }
    return s + ")";
  }

  /// `(type (;N;) ...)`: one line, or a block for component and instance types.
  result<void> type_(const type& t, std::uint32_t n) {
    if (const auto* f = std::get_if<functype>(&t.def)) {
      std::string s = f->async ? "(func async" : "(func";
      for (const auto& p : f->params) {
        WITC_TRY(std::string v, val(p.type));
        s += fmt::format(" (param {} {})", wat_string(p.name), v);
      }
      if (f->result) {
        WITC_TRY(std::string v, val(*f->result));
        s += " (result " + v + ")";
      }
      line(fmt::format("(type (;{};) {}))", n, s));
    } else if (const auto* c = std::get_if<componenttype>(&t.def)) {
      line(fmt::format("(type (;{};)", n));
      ++indent_;
      line(t.instance ? "(instance" : "(component");
      ++indent_;
      std::array<std::uint32_t, 6> count{};
      for (const auto& d : c->decls) WITC_CHECK(decl_(d, count));
      --indent_;
      line(")");
      --indent_;
      line(")");
    } else if (const auto* r = std::get_if<resourcetype>(&t.def)) {
      if (r->rep.code != 0x7f) return unsupported("a resource whose representation is not `i32`");
      std::string s = "(resource (rep i32)";
      if (r->dtor) s += fmt::format(" (dtor (func {}))", *r->dtor);
      line(fmt::format("(type (;{};) {}))", n, s));
    } else {
      WITC_TRY(std::string s, defval(std::get<defvaltype>(t.def)));
      line(fmt::format("(type (;{};) {})", n, s));
    }
    return {};
  }

  static result<std::string> name(const extern_name& n) {
    if (n.form == 2 && !n.attrs.empty()) return unsupported("an extern name with attributes");
    return wat_string(n.name);
  }

  /// An externtype, with `(;N;)` for the index it defines.
  static result<std::string> extern_(const externtype& e, std::uint32_t n) {
    switch (e.kind) {
      case 1: case 4: case 5: return fmt::format("({} (;{};) (type {}))", sort_names[e.kind], n, e.idx);
      case 3:
        if (e.bound_eq) return fmt::format("(type (;{};) (eq {}))", n, e.idx);
        return fmt::format("(type (;{};) (sub resource))", n);
      case 0: return unsupported("a `core module` import or export");
      default: return unsupported("a `value` import or export");
    }
  }

  result<void> alias_(const alias& a, std::array<std::uint32_t, 6>& count) {
    if (a.sort.kind == sort_kind::core || a.target == 1) return unsupported("a core alias");
    auto k = static_cast<std::size_t>(a.sort.kind);
    std::string target = a.target == 0 ? fmt::format("export {} {}", a.instance, wat_string(a.name))
                                       : fmt::format("outer {} {}", a.count, a.idx);
    line(fmt::format("(alias {} ({} (;{};)))", target, sort_names[k], count[k]++));
    return {};
  }

  result<void> decl_(const decl& d, std::array<std::uint32_t, 6>& count) {
    switch (d.tag) {
      case 1: return type_(*d.type, count[3]++);
      case 2: return alias_(d.alias, count);
      case 3: case 4: {
        WITC_TRY(std::string n, name(d.name));
        WITC_TRY(std::string e, extern_(d.ext, count[d.ext.kind]++));
        line(fmt::format("({} {} {})", d.tag == 3 ? "import" : "export", n, e));
        return {};
      }
      default: return unsupported("a core type declaration");
    }
  }

  result<void> section_(const section& s, std::array<std::uint32_t, 6>& count) {
    switch (s.id) {
      case 0: {
        const auto& c = std::get<custom>(s.body);
        line(fmt::format("(@custom {} {})", wat_string(c.name),
                         wat_string(std::string_view(reinterpret_cast<const char*>(c.data.data()), c.data.size()))));
        return {};
      }
      case 5:
        for (const auto& in : std::get<std::vector<instance>>(s.body)) {
          if (in.form != 1) return unsupported("an `instantiate` instance");
          std::string t = fmt::format("(instance (;{};)", count[5]++);
          for (const auto& e : in.exports) {
            if (e.item.sort.kind == sort_kind::core) return unsupported("a core export");
            WITC_TRY(std::string n, name(e.name));
            t += fmt::format(" (export {} ({} {}))", n, sort_names[static_cast<std::size_t>(e.item.sort.kind)], e.item.idx);
          }
          line(t + ")");
        }
        return {};
      case 6:
        for (const auto& a : std::get<std::vector<alias>>(s.body)) WITC_CHECK(alias_(a, count));
        return {};
      case 7:
        for (const auto& t : std::get<std::vector<type>>(s.body)) WITC_CHECK(type_(t, count[3]++));
        return {};
      case 10:
        for (const auto& im : std::get<std::vector<import>>(s.body)) {
          WITC_TRY(std::string n, name(im.name));
          WITC_TRY(std::string e, extern_(im.type, count[im.type.kind]++));
          line(fmt::format("(import {} {})", n, e));
        }
        return {};
      case 11:
        for (const auto& ex : std::get<std::vector<export_>>(s.body)) {
          if (ex.item.sort.kind == sort_kind::core) return unsupported("a core export");
          auto k = static_cast<std::size_t>(ex.item.sort.kind);
          WITC_TRY(std::string n, name(ex.name));
          std::string t = fmt::format("(export (;{};) {} ({} {})", count[k]++, n, sort_names[k], ex.item.idx);
          if (ex.type) {
            // The ascription defines no index of its own: drop its `(;N;)`.
            WITC_TRY(std::string e, extern_(*ex.type, 0));
            auto c = e.find(" (;0;)");
            t += " " + e.erase(c, 6);
          }
          line(t + ")");
        }
        return {};
      default: return unsupported(fmt::format("section {}", s.id));
    }
  }
};

}  // namespace
}  // namespace component::detail

result<std::string> print_wat(const component::component& c) {
  component::detail::printer p;
  WITC_CHECK(p.whole(c));
  return std::move(p.out);
}

}  // namespace witc::binary
