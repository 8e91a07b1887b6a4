// The component text format -> component AST, for the WIT-package subset. Two
// steps: the text becomes a tree of s-expressions (lexing, comments, strings, depth
// limit), then the tree is read field by field into sections, with `$id`s resolved
// per index space and inline types hoisted in front of their user, as wast does.
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <map>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/support/utf8.hpp"

namespace witc::binary {
namespace component::detail {
namespace {

using functype_t = witc::binary::component::functype;

// Deeper than any real component; keeps the recursive reader off the stack's end.
constexpr std::size_t max_depth = 256;

// ---- s-expressions ---------------------------------------------------------------------

struct sexp {
  enum class kind : std::uint8_t { list, atom, string };
  sexp::kind k = kind::list;
  std::string_view text;  // atom: its characters; string: the quoted source
  std::string value;      // string: the decoded bytes
  witc::span sp;          // list: `(` to `)`
  std::vector<sexp> items;

  [[nodiscard]] bool is_list() const { return k == kind::list; }
  [[nodiscard]] bool is_atom() const { return k == kind::atom; }
  [[nodiscard]] bool is_string() const { return k == kind::string; }
  [[nodiscard]] bool is_atom(std::string_view w) const { return k == kind::atom && text == w; }
  /// A list opening with keyword `w`: `(w ...)`.
  [[nodiscard]] bool is(std::string_view w) const { return is_list() && !items.empty() && items[0].is_atom(w); }
  [[nodiscard]] std::string_view head() const {
    return is_list() && !items.empty() && items[0].is_atom() ? items[0].text : std::string_view{};
  }
};

bool idchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-./:<=>?@\\^_`|~").find(c) != std::string_view::npos;
}

std::string describe(const sexp& s) {
  switch (s.k) {
    case sexp::kind::atom: return fmt::format("`{}`", s.text);
    case sexp::kind::string: return "a string";
    case sexp::kind::list: return s.head().empty() ? std::string("`(`") : fmt::format("`({}`", s.head());
  }
  return "?";
}

class lexer {
 public:
  lexer(std::string_view text, std::uint32_t base) : s_(text), base_(base) {}

  /// The whole text as the list of its top-level s-expressions.
  result<std::vector<sexp>> read_all() {
    std::vector<sexp> stack(1);
    while (true) {
      WITC_CHECK(skip_blank());
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '(') {
        if (stack.size() > max_depth) return error(i_, 1, "nesting too deep");
        sexp l;
        l.sp.begin = at(i_);
        ++i_;
        stack.push_back(std::move(l));
      } else if (c == ')') {
        if (stack.size() == 1) return error(i_, 1, "unexpected `)`");
        sexp l = std::move(stack.back());
        stack.pop_back();
        l.sp.end = at(++i_);
        stack.back().items.push_back(std::move(l));
      } else if (c == '"') {
        WITC_TRY(sexp str, string());
        stack.back().items.push_back(std::move(str));
      } else if (idchar(c)) {
        std::size_t b = i_;
        while (i_ < s_.size() && idchar(s_[i_])) ++i_;
        sexp a;
        a.k = sexp::kind::atom;
        a.text = s_.substr(b, i_ - b);
        a.sp = {at(b), at(i_)};
        stack.back().items.push_back(std::move(a));
      } else {
        return error(i_, 1, fmt::format("unexpected character `{}`", printable(c)));
      }
    }
    if (stack.size() > 1) return error(stack.back().sp.begin - base_, 1, "unclosed `(`: expected `)`, found end of file");
    return std::move(stack[0].items);
  }

 private:
  std::string_view s_;
  std::uint32_t base_;
  std::size_t i_ = 0;

  std::uint32_t at(std::size_t i) const { return base_ + static_cast<std::uint32_t>(i); }
  static std::string printable(char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", u);
  }
  failure error(std::size_t i, std::size_t len, std::string msg) const {
    return fail(diagnostic::error({at(i), at(i + len)}, std::move(msg)));
  }

  result<void> skip_blank() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i_;
      } else if (s_.substr(i_, 2) == ";;") {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (s_.substr(i_, 2) == "(;") {
        std::size_t start = i_;
        std::size_t depth = 0;
        while (true) {
          if (i_ >= s_.size()) return error(start, 2, "unterminated block comment");
          if (s_.substr(i_, 2) == "(;") {
            ++depth;
            i_ += 2;
          } else if (s_.substr(i_, 2) == ";)") {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            ++i_;
          }
        }
      } else {
        break;
      }
    }
    return {};
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  static void utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  result<sexp> string() {
    std::size_t start = i_++;
    sexp str;
    str.k = sexp::kind::string;
    while (true) {
      if (i_ >= s_.size()) return error(start, 1, "unterminated string: expected `\"`, found end of file");
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        break;
      }
      if (c == '\n') return error(start, 1, "unterminated string: expected `\"`, found a newline");
      if (c != '\\') {
        str.value += c;
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) return error(i_, 1, "unterminated escape in string");
      char e = s_[i_ + 1];
      switch (e) {
        case 'n': str.value += '\n'; i_ += 2; continue;
        case 't': str.value += '\t'; i_ += 2; continue;
        case 'r': str.value += '\r'; i_ += 2; continue;
        case '\\': str.value += '\\'; i_ += 2; continue;
        case '\'': str.value += '\''; i_ += 2; continue;
        case '"': str.value += '"'; i_ += 2; continue;
        case 'u': {
          if (i_ + 2 >= s_.size() || s_[i_ + 2] != '{') return error(i_, 2, "expected `{` after `\\u`");
          std::size_t j = i_ + 3;
          std::uint32_t cp = 0;
          std::size_t digits = 0;
          while (j < s_.size() && hex(s_[j]) >= 0 && digits < 7) cp = cp * 16 + static_cast<std::uint32_t>(hex(s_[j++])), ++digits;
          if (digits == 0 || j >= s_.size() || s_[j] != '}' || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return error(i_, 2, "invalid unicode escape: expected `\\u{` hex digits of a scalar value `}`");
          utf8(str.value, cp);
          i_ = j + 1;
          continue;
        }
        default: {
          int h1 = hex(e), h2 = i_ + 2 < s_.size() ? hex(s_[i_ + 2]) : -1;
          if (h1 < 0 || h2 < 0) return error(i_, 2, fmt::format("invalid string escape `\\{}`", printable(e)));
          str.value += static_cast<char>(h1 * 16 + h2);
          i_ += 3;
          continue;
        }
      }
    }
    str.text = s_.substr(start, i_ - start);
    str.sp = {at(start), at(i_)};
    return str;
  }
};

// ---- reading the tree ------------------------------------------------------------------

// Index spaces a component or type scope counts; the value is the sort byte - 1.
enum space : std::uint8_t { sp_func, sp_value, sp_type, sp_component, sp_instance, sp_count };
constexpr std::array<const char*, sp_count> space_names{"func", "value", "type", "component", "instance"};

std::optional<space> space_of(std::string_view w) {
  for (std::uint8_t i = 0; i < sp_count; ++i)
    if (w == space_names[i]) return static_cast<space>(i);
  return std::nullopt;
}

std::optional<std::uint8_t> primitive_byte(std::string_view w) {
  static const std::map<std::string_view, std::uint8_t> prims{
      {"bool", prim::bool_}, {"s8", prim::s8},       {"u8", prim::u8},       {"s16", prim::s16},
      {"u16", prim::u16},    {"s32", prim::s32},     {"u32", prim::u32},     {"s64", prim::s64},
      {"u64", prim::u64},    {"f32", prim::f32},     {"f64", prim::f64},     {"float32", prim::f32},
      {"float64", prim::f64}, {"char", prim::char_}, {"string", prim::string}, {"error-context", prim::error_context}};
  auto it = prims.find(w);
  if (it == prims.end()) return std::nullopt;
  return it->second;
}

/// One index-space scope: the component itself, or a component / instance type.
struct scope {
  scope* parent = nullptr;
  std::string_view name;  // the `$id` of the component or type, for `alias outer $id`
  std::array<std::uint32_t, sp_count> count{};
  std::array<std::map<std::string, std::uint32_t, std::less<>>, sp_count> names;
  component* comp = nullptr;          // a component: definitions go into its sections
  std::vector<decl>* decls = nullptr;  // a type: definitions become declarations
  bool instance_type = false;
};

class reader {
 public:
  explicit reader(std::uint32_t base) : base_(base) {}

  result<component> top(std::vector<sexp>& items, witc::span whole) {
    if (items.empty()) return fail(diagnostic::error(whole, "expected `(component`, found end of file"));
    const sexp& c = items[0];
    if (items.size() > 1)
      return fail(diagnostic::error(items[1].sp, fmt::format("expected end of file, found {}", describe(items[1]))));
    if (c.is("module")) return unsupported(c, "(module");
    if (!c.is("component")) return fail(diagnostic::error(c.sp, fmt::format("expected `(component`, found {}", describe(c))));
    component out;
    scope s;
    s.comp = &out;
    std::size_t i = 1;
    if (i < c.items.size() && is_id(c.items[i])) s.name = c.items[i++].text;
    if (i < c.items.size() && c.items[i].is_atom("definition")) return unsupported(c.items[i], "(component definition");
    std::vector<custom> after;
    for (; i < c.items.size(); ++i) {
      const sexp& f = c.items[i];
      if (f.is("@custom")) {
        // In place unless placed `(before first)` / `(after last)`, so printed
        // components read back section for section.
        WITC_TRY(auto cu, custom_section(f));
        section sec;
        sec.id = 0;
        if (cu.second == placement::first) {
          sec.body = std::move(cu.first);
          out.sections.insert(out.sections.begin(), std::move(sec));
        } else if (cu.second == placement::last) {
          after.push_back(std::move(cu.first));
        } else {
          sec.body = std::move(cu.first);
          out.sections.push_back(std::move(sec));
        }
        continue;
      }
      WITC_CHECK(component_field(s, f));
    }
    for (auto& cu : after) {
      section sec;
      sec.id = 0;
      sec.body = std::move(cu);
      out.sections.push_back(std::move(sec));
    }
    return out;
  }

 private:
  std::uint32_t base_;

  static bool is_id(const sexp& s) { return s.is_atom() && s.text.size() > 1 && s.text[0] == '$'; }
  static bool is_annotation(const sexp& s) { return s.is_list() && s.head().size() > 1 && s.head()[0] == '@'; }

  static failure unsupported(const sexp& s, std::string_view what) {
    return fail(diagnostic::error(s.sp, fmt::format("`{}` is not supported in the text format yet", what),
                                  "the text format covers WIT packages: types, imports, exports and aliases"));
  }
  static failure expected(const sexp& at, std::string_view what) {
    return fail(diagnostic::error(at.sp, fmt::format("expected {}, found {}", what, describe(at))));
  }
  static failure expected_after(const sexp& list, std::string_view what) {
    witc::span end{list.sp.end > 0 ? list.sp.end - 1 : 0, list.sp.end};
    return fail(diagnostic::error(end, fmt::format("expected {}, found `)`", what)));
  }

  /// The items of `l` after its keyword, without annotations such as `(@name ...)`.
  static std::vector<const sexp*> body(const sexp& l, std::size_t from = 1) {
    std::vector<const sexp*> out;
    for (std::size_t i = from; i < l.items.size(); ++i)
      if (!is_annotation(l.items[i])) out.push_back(&l.items[i]);
    return out;
  }

  static result<std::uint32_t> number(const sexp& s) {
    if (!s.is_atom()) return expected(s, "a number");
    std::string digits;
    std::string_view t = s.text;
    int radix = 10;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
      radix = 16;
      t.remove_prefix(2);
    }
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '_' && i > 0 && i + 1 < t.size() && t[i - 1] != '_') continue;
      digits += t[i];
    }
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, radix);
    if (digits.empty() || ec == std::errc::result_out_of_range) {
      if (ec == std::errc::result_out_of_range)
        return fail(diagnostic::error(s.sp, fmt::format("number `{}` is too large for a u32 index", s.text)));
      return expected(s, "a number");
    }
    if (ec != std::errc{} || p != digits.data() + digits.size()) return expected(s, "a number");
    return v;
  }

  /// A string used as a name: it must be UTF-8, as the binary format requires.
  static result<std::string> name_string(const sexp& s, std::string_view what) {
    if (!s.is_string()) return expected(s, what);
    if (!witc::valid_utf8(s.value)) return fail(diagnostic::error(s.sp, "malformed UTF-8 encoding in a name"));
    return s.value;
  }

  /// Binds `$id` (when given) to the next index of `sp` in `sc` and returns that index.
  static result<std::uint32_t> define(scope& sc, space sp, const sexp* id) {
    std::uint32_t idx = sc.count[sp]++;
    if (id) {
      auto [it, fresh] = sc.names[sp].emplace(std::string(id->text), idx);
      if (!fresh)
        return fail(diagnostic::error(id->sp, fmt::format("duplicate {} identifier `{}`", space_names[sp], id->text)));
    }
    return idx;
  }

  static result<std::uint32_t> index(const scope& sc, space sp, const sexp& s) {
    if (is_id(s)) {
      auto it = sc.names[sp].find(s.text);
      if (it == sc.names[sp].end())
        return fail(diagnostic::error(s.sp, fmt::format("unknown {} `{}`", space_names[sp], s.text)));
      return it->second;
    }
    if (!s.is_atom()) return expected(s, fmt::format("a {} index", space_names[sp]));
    return number(s);
  }

  // ---- emitting into the current scope ----

  template <class T>
  static std::vector<T>& section_of(component& c, std::uint8_t id) {
    if (c.sections.empty() || c.sections.back().id != id || !std::holds_alternative<std::vector<T>>(c.sections.back().body)) {
      section s;
      s.id = id;
      s.body = std::vector<T>{};
      c.sections.push_back(std::move(s));
    }
    return std::get<std::vector<T>>(c.sections.back().body);
  }

  static result<std::uint32_t> emit_type(scope& sc, type t, const sexp* id) {
    if (sc.comp) {
      section_of<type>(*sc.comp, 7).push_back(std::move(t));
    } else {
      decl d;
      d.tag = 1;
      d.type = std::move(t);
      sc.decls->push_back(std::move(d));
    }
    return define(sc, sp_type, id);
  }

  static result<std::uint32_t> emit_alias(scope& sc, alias a, space sp, const sexp* id) {
    if (sc.comp) {
      section_of<alias>(*sc.comp, 6).push_back(std::move(a));
    } else {
      decl d;
      d.tag = 2;
      d.alias = std::move(a);
      sc.decls->push_back(std::move(d));
    }
    return define(sc, sp, id);
  }

  // ---- value types ----

  result<valtype> val(scope& sc, const sexp& s) {
    valtype v;
    if (s.is_atom()) {
      if (auto p = primitive_byte(s.text)) {
        v.prim = *p;
        return v;
      }
      if (!is_id(s) && (s.text.empty() || s.text[0] < '0' || s.text[0] > '9'))
        return expected(s, "a value type");
      v.is_prim = false;
      WITC_TRY(v.idx, index(sc, sp_type, s));
      return v;
    }
    if (!s.is_list()) return expected(s, "a value type");
    // An inline definition becomes a type of its own just before its user.
    WITC_TRY(type t, defval(sc, s));
    v.is_prim = false;
    WITC_TRY(v.idx, emit_type(sc, std::move(t), nullptr));
    return v;
  }

  result<std::optional<valtype>> opt_val(scope& sc, const std::vector<const sexp*>& items, std::size_t i) {
    if (i >= items.size()) return std::optional<valtype>{};
    WITC_TRY(valtype v, val(sc, *items[i]));
    return std::optional<valtype>{v};
  }

  result<void> no_more(const std::vector<const sexp*>& items, std::size_t n) {
    if (items.size() > n) return expected(*items[n], "`)`");
    return {};
  }

  /// A `defvaltype` list: `(record ...)`, `(list u8)`, `(own $r)`, ...
  result<type> defval(scope& sc, const sexp& s) {
    std::string_view h = s.head();
    auto items = body(s);
    defvaltype d;
    if (h == "record") {
      d.code = 0x72;
      for (const sexp* f : items) {
        if (!f->is("field")) return expected(*f, "`(field`");
        auto fi = body(*f);
        if (fi.empty()) return expected_after(*f, "a field name");
        WITC_TRY(std::string n, name_string(*fi[0], "a field name"));
        if (fi.size() < 2) return expected_after(*f, "a value type");
        WITC_TRY(valtype v, val(sc, *fi[1]));
        WITC_CHECK(no_more(fi, 2));
        d.fields.push_back({std::move(n), v});
      }
    } else if (h == "variant") {
      d.code = 0x71;
      for (const sexp* c : items) {
        if (!c->is("case")) return expected(*c, "`(case`");
        auto ci = body(*c);
        std::size_t i = 0;
        if (i < ci.size() && is_id(*ci[i])) ++i;
        if (i >= ci.size()) return expected_after(*c, "a case name");
        WITC_TRY(std::string n, name_string(*ci[i++], "a case name"));
        std::optional<valtype> t;
        if (i < ci.size() && !ci[i]->is("refines")) {
          WITC_TRY(valtype v, val(sc, *ci[i++]));
          t = v;
        }
        if (i < ci.size() && ci[i]->is("refines")) return unsupported(*ci[i], "(refines");
        WITC_CHECK(no_more(ci, i));
        d.cases.push_back({std::move(n), t});
      }
    } else if (h == "list") {
      if (items.empty()) return expected_after(s, "a value type");
      WITC_TRY(valtype v, val(sc, *items[0]));
      d.a = v;
      d.code = 0x70;
      if (items.size() > 1) {
        WITC_TRY(d.idx, number(*items[1]));
        d.code = 0x67;
      }
      WITC_CHECK(no_more(items, 2));
    } else if (h == "tuple") {
      d.code = 0x6f;
      for (const sexp* t : items) {
        WITC_TRY(valtype v, val(sc, *t));
        d.types.push_back(v);
      }
    } else if (h == "flags" || h == "enum") {
      d.code = h == "flags" ? 0x6e : 0x6d;
      for (const sexp* n : items) {
        WITC_TRY(std::string name, name_string(*n, h == "flags" ? "a flag name" : "an enum case name"));
        d.names.push_back(std::move(name));
      }
    } else if (h == "option") {
      d.code = 0x6b;
      if (items.empty()) return expected_after(s, "a value type");
      WITC_TRY(valtype v, val(sc, *items[0]));
      d.a = v;
      WITC_CHECK(no_more(items, 1));
    } else if (h == "result") {
      d.code = 0x6a;
      std::size_t i = 0;
      if (i < items.size() && !items[i]->is("error")) {
        WITC_TRY(valtype v, val(sc, *items[i++]));
        d.a = v;
      }
      if (i < items.size()) {
        if (!items[i]->is("error")) return expected(*items[i], "`(error`");
        auto ei = body(*items[i]);
        if (ei.empty()) return expected_after(*items[i], "a value type");
        WITC_TRY(valtype v, val(sc, *ei[0]));
        WITC_CHECK(no_more(ei, 1));
        d.b = v;
        ++i;
      }
      WITC_CHECK(no_more(items, i));
    } else if (h == "own" || h == "borrow") {
      d.code = h == "own" ? 0x69 : 0x68;
      if (items.empty()) return expected_after(s, "a resource type index");
      WITC_TRY(d.idx, index(sc, sp_type, *items[0]));
      WITC_CHECK(no_more(items, 1));
    } else if (h == "stream" || h == "future") {
      d.code = h == "stream" ? 0x66 : 0x65;
      WITC_TRY(d.a, opt_val(sc, items, 0));
      WITC_CHECK(no_more(items, 1));
    } else if (h == "map") {
      d.code = 0x63;
      if (items.size() < 2) return expected_after(s, "a key and a value type");
      WITC_TRY(valtype k, val(sc, *items[0]));
      WITC_TRY(valtype v, val(sc, *items[1]));
      d.a = k;
      d.b = v;
      WITC_CHECK(no_more(items, 2));
    } else {
      return expected(s, "a value type definition (`record`, `variant`, `list`, `tuple`, `flags`, `enum`, `option`, "
                         "`result`, `own`, `borrow`, `stream`, `future`, `map`)");
    }
    type t;
    t.def = std::move(d);
    return t;
  }

  result<type> functype(scope& sc, const sexp& s) {
    auto items = body(s);
    functype_t f;
    std::size_t i = 0;
    if (i < items.size() && items[i]->is_atom("async")) {
      f.async = true;
      ++i;
    }
    for (; i < items.size() && items[i]->is("param"); ++i) {
      auto pi = body(*items[i]);
      if (pi.empty()) return expected_after(*items[i], "a parameter name");
      WITC_TRY(std::string n, name_string(*pi[0], "a parameter name"));
      if (pi.size() < 2) return expected_after(*items[i], "a value type");
      WITC_TRY(valtype v, val(sc, *pi[1]));
      WITC_CHECK(no_more(pi, 2));
      f.params.push_back({std::move(n), v});
    }
    if (i < items.size() && items[i]->is("result")) {
      auto ri = body(*items[i]);
      if (ri.empty()) return expected_after(*items[i], "a value type");
      if (ri[0]->is_string()) return unsupported(*ri[0], "(result \"name\"");
      WITC_TRY(valtype v, val(sc, *ri[0]));
      WITC_CHECK(no_more(ri, 1));
      f.result = v;
      ++i;
    }
    if (i < items.size()) return expected(*items[i], "`(param`, `(result` or `)`");
    type t;
    t.def = std::move(f);
    return t;
  }

  result<type> resource(const scope& sc, const sexp& s) {
    (void)sc;
    auto items = body(s);
    resourcetype r;
    std::size_t i = 0;
    if (i >= items.size() || !items[i]->is("rep")) return i < items.size() ? expected(*items[i], "`(rep i32)`") : expected_after(s, "`(rep i32)`");
    auto ri = body(*items[i]);
    if (ri.size() != 1 || !ri[0]->is_atom("i32")) return expected(ri.empty() ? *items[i] : *ri[0], "`i32`");
    r.rep.code = 0x7f;
    ++i;
    if (i < items.size() && items[i]->is("dtor")) {
      auto di = body(*items[i]);
      if (di.size() != 1 || !di[0]->is("func") || body(*di[0]).size() != 1) return expected(*items[i], "`(dtor (func N))`");
      const sexp& fidx = *body(*di[0])[0];
      if (is_id(fidx)) return unsupported(fidx, "(dtor (func $id)");
      WITC_TRY(std::uint32_t f, number(fidx));
      r.dtor = f;
      ++i;
    }
    WITC_CHECK(no_more(items, i));
    type t;
    t.def = r;
    return t;
  }

  /// A `deftype` after `(type $id?`: value, func, component, instance or resource type.
  result<type> deftype(scope& sc, const sexp& s, std::string_view id) {
    if (s.is_atom()) {
      auto p = primitive_byte(s.text);
      if (!p) return expected(s, "a type definition");
      defvaltype d;
      d.code = *p;
      type t;
      t.def = d;
      return t;
    }
    if (!s.is_list()) return expected(s, "a type definition");
    std::string_view h = s.head();
    if (h == "func") return functype(sc, s);
    if (h == "resource") return resource(sc, s);
    if (h == "component" || h == "instance") return type_scope(sc, s, h == "instance", id, 1);
    if (h == "core") return unsupported(s, "(core");
    return defval(sc, s);
  }

  /// `(component decls...)` / `(instance decls...)` as a type; `from` is where the
  /// declarations start in `s`.
  result<type> type_scope(scope& parent, const sexp& s, bool instance, std::string_view id, std::size_t from) {
    // The binary reader takes component and instance types 100 deep at most.
    std::size_t depth = 0;
    for (const scope* p = &parent; p; p = p->parent) ++depth;
    if (depth > 100) return fail(diagnostic::error(s.sp, "component and instance types nested too deeply"));
    type t;
    t.instance = instance;
    componenttype ct;
    scope inner;
    inner.parent = &parent;
    inner.name = id;
    inner.decls = &ct.decls;
    inner.instance_type = instance;
    for (const sexp* d : body(s, from)) WITC_CHECK(declaration(inner, *d));
    t.def = std::move(ct);
    return t;
  }

  result<void> declaration(scope& sc, const sexp& d) {
    std::string_view h = d.head();
    if (h == "type") return type_field(sc, d);
    if (h == "alias") return alias_field(sc, d);
    if (h == "export" || (h == "import" && !sc.instance_type)) {
      auto items = body(d);
      std::size_t i = 0;
      const sexp* id = nullptr;
      if (i < items.size() && is_id(*items[i])) id = items[i++];
      if (i >= items.size()) return expected_after(d, "a name");
      WITC_TRY(extern_name n, name(*items[i++]));
      if (i >= items.size()) return expected_after(d, "an external type");
      const sexp* inner_id = nullptr;
      WITC_TRY(externtype e, extern_type(sc, *items[i++], inner_id));
      WITC_CHECK(no_more(items, i));
      if (id && inner_id) return expected(*inner_id, "one identifier");
      decl out;
      out.tag = h == "import" ? 3 : 4;
      out.name = std::move(n);
      out.ext = e;
      sc.decls->push_back(std::move(out));
      WITC_TRY(auto unused, define(sc, static_cast<space>(e.kind - 1), id ? id : inner_id));
      (void)unused;
      return {};
    }
    if (h == "core") return unsupported(d, "(core type");
    if (h == "import") return expected(d, "a declaration of an instance type (`type`, `alias` or `export`)");
    return expected(d, "a declaration (`type`, `alias`, `import` or `export`)");
  }

  result<extern_name> name(const sexp& s) {
    if (s.is_list() && (s.is("interface") || s.is("url") || s.is("integrity")))
      return unsupported(s, fmt::format("({}", s.head()));
    WITC_TRY(std::string n, name_string(s, "a name string"));
    extern_name out;
    out.name = std::move(n);
    return out;
  }

  /// An `externtype`: `(func ...)`, `(instance ...)`, `(component ...)`, `(type (eq
  /// i))`, `(type (sub resource))`. Its `$id`, if any, comes back in `id`.
  result<externtype> extern_type(scope& sc, const sexp& s, const sexp*& id) {
    if (!s.is_list()) return expected(s, "an external type such as `(func`, `(instance` or `(type`");
    std::string_view h = s.head();
    if (h == "core") return unsupported(s, "(core module");
    if (h == "value") return unsupported(s, "(value");
    auto sp = space_of(h);
    if (!sp) return expected(s, "an external type such as `(func`, `(instance` or `(type`");
    auto items = body(s);
    std::size_t i = 0;
    if (i < items.size() && is_id(*items[i])) id = items[i++];
    externtype e;
    e.kind = static_cast<std::uint8_t>(*sp + 1);
    if (*sp == sp_type) {
      if (i >= items.size()) return expected_after(s, "`(eq N)` or `(sub resource)`");
      const sexp& b = *items[i];
      auto bi = body(b);
      if (b.is("eq")) {
        if (bi.size() != 1) return bi.empty() ? expected_after(b, "a type index") : expected(*bi[1], "`)`");
        WITC_TRY(e.idx, index(sc, sp_type, *bi[0]));
        e.bound_eq = true;
      } else if (b.is("sub")) {
        if (bi.size() != 1 || !bi[0]->is_atom("resource")) return expected(bi.empty() ? b : *bi[0], "`resource`");
        e.bound_eq = false;
      } else {
        return expected(b, "`(eq N)` or `(sub resource)`");
      }
      WITC_CHECK(no_more(items, i + 1));
      return e;
    }
    if (i < items.size() && items[i]->is("type")) {
      auto ti = body(*items[i]);
      if (ti.size() != 1) return ti.empty() ? expected_after(*items[i], "a type index") : expected(*ti[1], "`)`");
      WITC_TRY(e.idx, index(sc, sp_type, *ti[0]));
      WITC_CHECK(no_more(items, i + 1));
      return e;
    }
    // An inline type: defined just before the import or export.
    type t;
    if (*sp == sp_func) {
      sexp f;
      f.sp = s.sp;
      f.items.resize(1);
      for (std::size_t k = i; k < items.size(); ++k) f.items.push_back(*items[k]);
      WITC_TRY(t, functype(sc, f));
    } else if (*sp == sp_instance || *sp == sp_component) {
      sexp f;
      f.sp = s.sp;
      f.items.resize(1);
      for (std::size_t k = i; k < items.size(); ++k) f.items.push_back(*items[k]);
      WITC_TRY(t, type_scope(sc, f, *sp == sp_instance, id ? id->text : std::string_view{}, 1));
    }
    WITC_TRY(e.idx, emit_type(sc, std::move(t), nullptr));
    return e;
  }

  /// `(type $id? deftype)` in a component or a type scope.
  result<void> type_field(scope& sc, const sexp& f) {
    auto items = body(f);
    std::size_t i = 0;
    const sexp* id = nullptr;
    if (i < items.size() && is_id(*items[i])) id = items[i++];
    if (i >= items.size()) return expected_after(f, "a type definition");
    if (items[i]->is("alias")) {
      // `(type $t (alias outer $c $i))`: an alias written as a definition.
      auto ai = body(*items[i]);
      WITC_TRY(alias a, alias_target(sc, *items[i], ai, 0, *items[i]));
      a.sort.kind = sort_kind::type;
      WITC_CHECK(no_more(items, i + 1));
      WITC_TRY(auto unused, emit_alias(sc, std::move(a), sp_type, id));
      (void)unused;
      return {};
    }
    if (items[i]->is_list() && items[i]->head() == "export") return unsupported(*items[i], "(export");
    WITC_TRY(type t, deftype(sc, *items[i], id ? id->text : std::string_view{}));
    WITC_CHECK(no_more(items, i + 1));
    WITC_TRY(auto unused, emit_type(sc, std::move(t), id));
    (void)unused;
    return {};
  }

  /// The target of an alias, from `items[i]` on: `export $inst "name"` or `outer $c $i`.
  result<alias> alias_target(scope& sc, const sexp& whole, const std::vector<const sexp*>& items, std::size_t i,
                             const sexp& at) {
    alias a;
    if (i >= items.size()) return expected_after(whole, "`export` or `outer`");
    if (items[i]->is_atom("core")) return unsupported(at, "(alias core");
    if (items[i]->is_atom("export")) {
      a.target = 0;
      if (i + 2 >= items.size()) return expected_after(whole, "an instance index and an export name");
      WITC_TRY(a.instance, index(sc, sp_instance, *items[i + 1]));
      WITC_TRY(a.name, name_string(*items[i + 2], "an export name"));
      return a;
    }
    if (items[i]->is_atom("outer")) {
      a.target = 2;
      if (i + 2 >= items.size()) return expected_after(whole, "an outer scope and an index");
      const sexp& cs = *items[i + 1];
      const scope* target = &sc;
      if (is_id(cs)) {
        std::uint32_t n = 0;
        while (target && target->name != cs.text) target = target->parent, ++n;
        if (!target) return fail(diagnostic::error(cs.sp, fmt::format("unknown outer scope `{}`", cs.text)));
        a.count = n;
      } else {
        WITC_TRY(a.count, number(cs));
        for (std::uint32_t n = 0; n < a.count && target; ++n) target = target->parent;
        if (!target)
          return fail(diagnostic::error(cs.sp, fmt::format("outer count {} is beyond the outermost scope", a.count)));
      }
      // The sort is read by the caller; an `$id` is looked up as a type.
      WITC_TRY(a.idx, index(*target, sp_type, *items[i + 2]));
      return a;
    }
    return expected(*items[i], "`export` or `outer`");
  }

  /// `(alias export $i "n" (sort $id?))` / `(alias outer $c $i (sort $id?))`.
  result<void> alias_field(scope& sc, const sexp& f) {
    auto items = body(f);
    if (!items.empty() && items[0]->is_atom("core")) return unsupported(f, "(alias core");
    if (items.empty()) return expected_after(f, "`export` or `outer`");
    std::size_t sort_at = 3;
    if (items.size() <= sort_at) return expected_after(f, "a sort such as `(type`");
    const sexp& so = *items[sort_at];
    if (!so.is_list() || so.items.empty() || !so.items[0].is_atom()) return expected(so, "a sort such as `(type`");
    if (so.head() == "core") return unsupported(so, "(core");
    auto sp = space_of(so.head());
    if (!sp) return expected(so, "a sort such as `(type`, `(func` or `(instance`");
    auto si = body(so);
    const sexp* id = nullptr;
    if (!si.empty()) {
      if (!is_id(*si[0])) return expected(*si[0], "an identifier or `)`");
      id = si[0];
      if (si.size() > 1) return expected(*si[1], "`)`");
    }
    WITC_CHECK(no_more(items, sort_at + 1));
    alias a;
    if (items[0]->is_atom("outer")) {
      // An outer alias's index lives in the outer scope's space of this sort.
      if (*sp != sp_type && *sp != sp_component)
        return fail(diagnostic::error(so.sp, "an outer alias names a type or a component"));
      a.target = 2;
      const sexp& cs = *items[1];
      const scope* target = &sc;
      if (is_id(cs)) {
        std::uint32_t n = 0;
        while (target && target->name != cs.text) target = target->parent, ++n;
        if (!target) return fail(diagnostic::error(cs.sp, fmt::format("unknown outer scope `{}`", cs.text)));
        a.count = n;
      } else {
        WITC_TRY(a.count, number(cs));
        for (std::uint32_t n = 0; n < a.count && target; ++n) target = target->parent;
        if (!target)
          return fail(diagnostic::error(cs.sp, fmt::format("outer count {} is beyond the outermost scope", a.count)));
      }
      WITC_TRY(a.idx, index(*target, *sp, *items[2]));
    } else {
      WITC_TRY(a, alias_target(sc, f, items, 0, f));
    }
    a.sort.kind = static_cast<sort_kind>(*sp + 1);
    WITC_TRY(auto unused, emit_alias(sc, std::move(a), *sp, id));
    (void)unused;
    return {};
  }

  // ---- component fields ----

  result<void> component_field(scope& sc, const sexp& f) {
    if (!f.is_list() || f.items.empty() || !f.items[0].is_atom()) return expected(f, "a component field such as `(type`");
    std::string_view h = f.head();
    if (h[0] == '@') return {};  // annotations such as `@producers` carry nothing we keep
    if (h == "type") return type_field(sc, f);
    if (h == "alias") return alias_field(sc, f);
    if (h == "import") {
      auto items = body(f);
      if (items.empty()) return expected_after(f, "an import name");
      WITC_TRY(extern_name n, name(*items[0]));
      if (items.size() < 2) return expected_after(f, "an external type");
      const sexp* id = nullptr;
      WITC_TRY(externtype e, extern_type(sc, *items[1], id));
      WITC_CHECK(no_more(items, 2));
      import im;
      im.name = std::move(n);
      im.type = e;
      section_of<import>(*sc.comp, 10).push_back(std::move(im));
      WITC_TRY(auto unused, define(sc, static_cast<space>(e.kind - 1), id));
      (void)unused;
      return {};
    }
    if (h == "export") {
      auto items = body(f);
      std::size_t i = 0;
      const sexp* id = nullptr;
      if (i < items.size() && is_id(*items[i])) id = items[i++];
      if (i >= items.size()) return expected_after(f, "an export name");
      WITC_TRY(extern_name n, name(*items[i++]));
      if (i >= items.size()) return expected_after(f, "the exported item, such as `(type 0)`");
      WITC_TRY(auto item, sort_index(sc, *items[i++]));
      export_ ex;
      ex.name = std::move(n);
      ex.item = item.first;
      if (i < items.size()) {
        const sexp* ignored = nullptr;
        WITC_TRY(externtype e, extern_type(sc, *items[i++], ignored));
        if (ignored) return expected(*ignored, "no identifier in an export's type ascription");
        ex.type = e;
      }
      WITC_CHECK(no_more(items, i));
      section_of<export_>(*sc.comp, 11).push_back(std::move(ex));
      WITC_TRY(auto unused, define(sc, item.second, id));
      (void)unused;
      return {};
    }
    if (h == "instance") return instance_field(sc, f);
    if (h == "core") {
      std::string what = f.items.size() > 1 && f.items[1].is_atom() ? fmt::format("(core {}", f.items[1].text) : "(core";
      return unsupported(f, what);
    }
    if (h == "canon" || h == "func" || h == "component" || h == "start" || h == "value")
      return unsupported(f, fmt::format("({}", h));
    return expected(f, "a component field (`type`, `import`, `export`, `alias` or `instance`)");
  }

  /// `(sort idx)` naming an item: `(type 0)`, `(func $f)`, `(instance $i)`, ...
  result<std::pair<sort_idx, space>> sort_index(scope& sc, const sexp& s) {
    if (s.is("core")) return unsupported(s, "(core");
    auto sp = s.is_list() ? space_of(s.head()) : std::nullopt;
    if (!sp) return expected(s, "an item such as `(type 0)` or `(func $f)`");
    auto items = body(s);
    if (items.size() != 1) return items.empty() ? expected_after(s, "an index") : expected(*items[1], "`)`");
    sort_idx out;
    out.sort.kind = static_cast<sort_kind>(*sp + 1);
    WITC_TRY(out.idx, index(sc, *sp, *items[0]));
    return std::pair{out, *sp};
  }

  /// `(instance $id? (export "n" (sort idx))*)`: an instance of existing items.
  result<void> instance_field(scope& sc, const sexp& f) {
    auto items = body(f);
    std::size_t i = 0;
    const sexp* id = nullptr;
    if (i < items.size() && is_id(*items[i])) id = items[i++];
    instance in;
    in.form = 1;
    for (; i < items.size(); ++i) {
      const sexp& e = *items[i];
      if (e.is("instantiate")) return unsupported(e, "(instantiate");
      if (!e.is("export")) return expected(e, "`(export`");
      auto ei = body(e);
      if (ei.size() != 2) return ei.size() < 2 ? expected_after(e, "a name and an item") : expected(*ei[2], "`)`");
      WITC_TRY(extern_name n, name(*ei[0]));
      WITC_TRY(auto item, sort_index(sc, *ei[1]));
      in.exports.push_back({std::move(n), item.first});
    }
    section_of<instance>(*sc.comp, 5).push_back(std::move(in));
    WITC_TRY(auto unused, define(sc, sp_instance, id));
    (void)unused;
    return {};
  }

  enum class placement { here, first, last };

  /// `(@custom "name" (before first|after last)? "data"*)`.
  result<std::pair<custom, placement>> custom_section(const sexp& f) {
    auto items = body(f);
    if (items.empty()) return expected_after(f, "a custom section name");
    custom c;
    WITC_TRY(c.name, name_string(*items[0], "a custom section name"));
    placement first = placement::here;
    std::size_t i = 1;
    if (i < items.size() && (items[i]->is("before") || items[i]->is("after"))) {
      const sexp& pl = *items[i];
      if (pl.items.size() == 2 && pl.is("before") && pl.items[1].is_atom("first")) first = placement::first;
      else if (pl.items.size() == 2 && pl.is("after") && pl.items[1].is_atom("last")) first = placement::last;
      else return unsupported(pl, fmt::format("({} ...", pl.head()));
      ++i;
    }
    for (; i < items.size(); ++i) {
      if (!items[i]->is_string()) return expected(*items[i], "a string of section data");
      c.data.insert(c.data.end(), items[i]->value.begin(), items[i]->value.end());
    }
    return std::pair{std::move(c), first};
  }
};

}  // namespace
}  // namespace component::detail

result<component::component> parse_wat(const source_map& sm, std::size_t file) {
  const auto& f = sm.at(file);
  component::detail::lexer lx(f.text, f.base);
  WITC_TRY(auto items, lx.read_all());
  component::detail::reader rd(f.base);
  witc::span whole{f.base + static_cast<std::uint32_t>(f.text.size()), f.base + static_cast<std::uint32_t>(f.text.size())};
  return rd.top(items, whole);
}

result<std::vector<std::uint8_t>> wat_to_wasm(const source_map& sm, std::size_t file) {
  WITC_TRY(auto c, parse_wat(sm, file));
  return write_component(c);
}

}  // namespace witc::binary
