#pragma once
// The WIT grammar in Spirit X3, over the token array of lexer.hpp (declarations).
// Layout follows X3's rexpr/calc examples: this header declares the token-level
// parsers, the parse state and the rules; grammar_def.hpp defines the rules;
// grammar.cpp is the one translation unit that instantiates them.
//
// Errors: every `a > b` is a commitment, as in wit-parser's recursive descent, so
// an X3 expectation_failure names what `b` is ("expected '>'") and where it was
// expected (the token that was found instead). Rule names are chosen to be
// wit-parser's own descriptions ("a type", "an identifier or string", ...).
#include <boost/spirit/home/x3.hpp>

#include <string>
#include <string_view>

#include "parser/lexer.hpp"
#include "witc/wit/ast.hpp"

namespace witc::wit::parser {

namespace x3 = boost::spirit::x3;
using iterator = const token*;

/// A syntax error with wit-parser's message; thrown inside the grammar only and
/// caught by `parse` (grammar.cpp), which turns it into a diagnostic.
struct syntax_error {
  witc::span at;
  std::string message;
};

/// Per-parse mutable state, reachable from semantic actions through the X3 context.
struct parse_state {
  const lexed* lx = nullptr;
  iterator first = nullptr;      // first token of the chunk being parsed
  std::uint32_t first_lo = 0;    // where the token before `first` ends (docs start after it)
  std::uint32_t type_depth = 0;
  std::uint32_t package_depth = 0;
  // The item being started: its first token (for docs and span) and the
  // attributes read before its keyword.
  iterator item_start = nullptr;
  ast::attributes pending_attrs;
  mutable std::size_t comment_cursor = 0;  // see docs_before
  ast::detail::arena* side_arena = nullptr;  // where world bodies go (see ast_alloc.hpp)

  [[nodiscard]] std::string_view text(std::uint32_t b, std::uint32_t e) const {
    return lx->text.substr(b - lx->base, e - b);
  }
  [[nodiscard]] std::string_view text(const token& t) const { return text(t.begin, t.end()); }
  /// The comments between the token before `t` and `t`: what wit-parser's
  /// `parse_docs` collects when called just before `t`.
  [[nodiscard]] ast::docs docs_before(iterator t) const;
  [[noreturn]] void throw_lex_error() const;
};
struct state_tag;

template <class Context>
parse_state& state(const Context& ctx) {
  return x3::get<state_tag>(ctx);
}

/// One token of kind `k`; no attribute (actions read positions with `_where`).
struct tok_p : x3::parser<tok_p> {
  using attribute_type = x3::unused_type;
  static const bool has_attribute = false;
  tok k;
  constexpr explicit tok_p(tok kind) : k(kind) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx& ctx, RCtx&, Attr&) const {
    if (first->kind == k) {
      ++first;
      return true;
    }
    if (first->kind == tok::lex_error) state(ctx).throw_lex_error();
    return false;
  }
};

/// An identifier (`foo`, `%foo`), validated as wit-parser's `parse_id` does.
/// With `want` set, only that name matches (attribute names like `since`).
struct ident_p : x3::parser<ident_p> {
  using attribute_type = ast::ident;
  static const bool has_attribute = true;
  const char* want = nullptr;
  constexpr ident_p() = default;
  constexpr explicit ident_p(const char* w) : want(w) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx& ctx, RCtx&, Attr& attr) const {
    const token& t = *first;
    if (t.kind != tok::id && t.kind != tok::explicit_id) {
      if (t.kind == tok::lex_error) state(ctx).throw_lex_error();
      return false;
    }
    const parse_state& st = state(ctx);
    std::string_view name = st.text(t);
    if (t.kind == tok::explicit_id) name.remove_prefix(1);
    if (auto err = validate_id(name)) throw syntax_error{{t.begin, t.begin + 1}, std::move(*err)};
    if (want && name != want) return false;
    if constexpr (!std::is_same_v<std::remove_cv_t<Attr>, x3::unused_type>) {
      attr.name = name;
      attr.span = {t.begin, t.end()};
    }
    ++first;
    return true;
  }
};

/// An identifier that must be `want` (wit-parser's `eat_id`): any other name is
/// "expected `version`, found `since`".
struct key_p : x3::parser<key_p> {
  using attribute_type = x3::unused_type;
  static const bool has_attribute = false;
  const char* want;
  constexpr explicit key_p(const char* w) : want(w) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& ctx, RCtx& rctx, Attr&) const {
    ast::ident id;
    It save = first;
    if (!ident_p{}.parse(first, last, ctx, rctx, id)) return false;
    if (id.name != want) {
      first = save;
      throw syntax_error{id.span, "expected `" + std::string(want) + "`, found `" + std::string(id.name) + "`"};
    }
    return true;
  }
};

/// The separator of wit-parser's `parse_list_trailer`: a `,`, or (not consumed)
/// the closing token; anything else is "expected <end>".
struct sep_p : x3::parser<sep_p> {
  using attribute_type = x3::unused_type;
  static const bool has_attribute = false;
  tok end;
  constexpr explicit sep_p(tok e) : end(e) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx& ctx, RCtx&, Attr&) const {
    if (first->kind == tok::comma) {
      ++first;
      return true;
    }
    if (first->kind == end) return true;
    if (first->kind == tok::lex_error) state(ctx).throw_lex_error();
    return false;
  }
};

/// The `N` of `list<T, N>`.
struct fixed_len_p : x3::parser<fixed_len_p> {
  using attribute_type = std::uint32_t;
  static const bool has_attribute = true;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx& ctx, RCtx&, Attr& attr) const {
    const token& t = *first;
    if (t.kind != tok::integer) {
      if (t.kind == tok::lex_error) state(ctx).throw_lex_error();
      return false;
    }
    std::string_view s = state(ctx).text(t);
    std::uint64_t n = 0;
    for (char c : s) {
      n = n * 10 + static_cast<unsigned>(c - '0');
      if (n > 0xFFFFFFFFull)
        throw syntax_error{{t.begin, t.end()}, "invalid list size: number too large to fit in target type"};
    }
    if constexpr (!std::is_same_v<std::remove_cv_t<Attr>, x3::unused_type>) attr = static_cast<std::uint32_t>(n);
    ++first;
    return true;
  }
};

/// `bool`, `u8` ... `string`, `error-context`: one token, one `ast::type`.
struct primitive_p : x3::parser<primitive_p> {
  using attribute_type = ast::type;
  static const bool has_attribute = true;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx& ctx, RCtx&, Attr& attr) const {
    const token& t = *first;
    ast::primitive p;
    switch (t.kind) {
      case tok::kw_bool: p = ast::primitive::bool_; break;
      case tok::kw_u8: p = ast::primitive::u8; break;
      case tok::kw_u16: p = ast::primitive::u16; break;
      case tok::kw_u32: p = ast::primitive::u32; break;
      case tok::kw_u64: p = ast::primitive::u64; break;
      case tok::kw_s8: p = ast::primitive::s8; break;
      case tok::kw_s16: p = ast::primitive::s16; break;
      case tok::kw_s32: p = ast::primitive::s32; break;
      case tok::kw_s64: p = ast::primitive::s64; break;
      case tok::kw_f32: p = ast::primitive::f32; break;
      case tok::kw_f64: p = ast::primitive::f64; break;
      case tok::kw_char: p = ast::primitive::char_; break;
      case tok::kw_string: p = ast::primitive::string; break;
      case tok::kw_error_context: p = ast::primitive::error_context; break;
      case tok::lex_error: state(ctx).throw_lex_error();
      default: return false;
    }
    if constexpr (!std::is_same_v<std::remove_cv_t<Attr>, x3::unused_type>) {
      attr.node = p;
      attr.span = {t.begin, t.end()};
    }
    ++first;
    return true;
  }
};

/// The last alternative where wit-parser says "expected X, found Y" after
/// trying every kind of item: fails the parse with that message at the token.
struct expected_p : x3::parser<expected_p> {
  using attribute_type = x3::unused_type;
  static const bool has_attribute = false;
  const char* what;
  constexpr explicit expected_p(const char* w) : what(w) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx& ctx, RCtx&, Attr&) const {
    if (first->kind == tok::lex_error) state(ctx).throw_lex_error();
    throw syntax_error{{first->begin, first->end()},
                       std::string("expected ") + what + ", found " + std::string(describe(first->kind))};
  }
};

/// Bounds the recursion of the type rule (X3 recursion is deep per level): past
/// ast::max_type_depth it is wit-parser's "type nesting too deep" at the token
/// where the next type would start.
template <class Subject>
struct depth_guard : x3::unary_parser<Subject, depth_guard<Subject>> {
  using base_type = x3::unary_parser<Subject, depth_guard<Subject>>;
  static const bool is_pass_through_unary = true;
  constexpr explicit depth_guard(const Subject& s) : base_type(s) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& ctx, RCtx& rctx, Attr& attr) const {
    parse_state& st = state(ctx);
    if (first->kind == tok::lex_error) st.throw_lex_error();
    if (st.type_depth >= ast::max_type_depth)
      throw syntax_error{{first->begin, first->end()}, "type nesting too deep"};
    ++st.type_depth;
    struct leave {
      parse_state& s;
      ~leave() { --s.type_depth; }
    } guard{st};
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};
/// Parses its subject with AST nodes from the side arena (world bodies).
template <class Subject>
struct side_arena_directive : x3::unary_parser<Subject, side_arena_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, side_arena_directive<Subject>>;
  static const bool is_pass_through_unary = true;
  constexpr explicit side_arena_directive(const Subject& s) : base_type(s) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& ctx, RCtx& rctx, Attr& attr) const {
    ast::detail::side_scope scope(state(ctx).side_arena);
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};
/// `name[subject]` for the directives above.
template <template <class> class Directive>
struct directive_gen {
  template <class Subject>
  constexpr Directive<typename x3::extension::as_parser<Subject>::value_type> operator[](const Subject& s) const {
    return Directive<typename x3::extension::as_parser<Subject>::value_type>{x3::as_parser(s)};
  }
};
inline constexpr directive_gen<side_arena_directive> side_arena{};
inline constexpr directive_gen<depth_guard> type_depth{};

}  // namespace witc::wit::parser

// What an expectation failure names: wit-parser's words for each parser.
namespace boost::spirit::x3 {
template <>
struct get_info<witc::wit::parser::tok_p> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::tok_p& p) const {
    return std::string(witc::wit::parser::describe(p.k));
  }
};
template <>
struct get_info<witc::wit::parser::ident_p> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::ident_p&) const { return "an identifier or string"; }
};
template <>
struct get_info<witc::wit::parser::key_p> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::key_p&) const { return "an identifier or string"; }
};
template <>
struct get_info<witc::wit::parser::sep_p> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::sep_p& p) const {
    return std::string(witc::wit::parser::describe(p.end));
  }
};
template <>
struct get_info<witc::wit::parser::fixed_len_p> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::fixed_len_p&) const { return "fixed-length"; }
};
template <>
struct get_info<witc::wit::parser::primitive_p> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::primitive_p&) const { return "a type"; }
};
// An action or a guard is described by what it wraps.
template <class Subject, class Action>
struct get_info<action<Subject, Action>> {
  using result_type = std::string;
  std::string operator()(const action<Subject, Action>& p) const { return what(p.subject); }
};
template <class Subject>
struct get_info<witc::wit::parser::depth_guard<Subject>> {
  using result_type = std::string;
  std::string operator()(const witc::wit::parser::depth_guard<Subject>& p) const { return what(p.subject); }
};
}  // namespace boost::spirit::x3
