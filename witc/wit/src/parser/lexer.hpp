#pragma once
// The WIT tokenizer: one pass over the bytes before the grammar runs, so the X3
// grammar works on a compact token array (fast, and "found keyword `type`" falls
// out of the token kind). It mirrors wit-parser's lexer (crates/wit-parser/src/ast/lex.rs):
// the same token set, the same whitespace and comment rules, the same error texts.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "witc/support/source_map.hpp"
#include "witc/wit/ast.hpp"

namespace witc::wit::parser {

enum class tok : std::uint8_t {
  // punctuation
  equals, comma, colon, period, semicolon, lparen, rparen, lbrace, rbrace, less, greater,
  rarrow, star, at, slash, plus, minus, string_lit,
  // keywords
  kw_use, kw_type, kw_func, kw_u8, kw_u16, kw_u32, kw_u64, kw_s8, kw_s16, kw_s32, kw_s64,
  kw_f32, kw_f64, kw_char, kw_record, kw_resource, kw_own, kw_borrow, kw_flags, kw_variant,
  kw_enum, kw_bool, kw_string, kw_option, kw_result, kw_future, kw_stream, kw_error_context,
  kw_list, kw_map, kw_underscore, kw_as, kw_from, kw_static, kw_interface, kw_tuple,
  kw_import, kw_export, kw_world, kw_package, kw_constructor, kw_async, kw_include, kw_with,
  // the rest
  id, explicit_id, integer,
  eof,        // always the last token
  lex_error,  // the lexer stopped here; reading this token reports `lexed::error`
};

/// wit-parser's `Token::describe`: "keyword `type`", "'{'", "an identifier", "eof".
[[nodiscard]] std::string_view describe(tok k) noexcept;

/// One token; offsets are global (source_map) offsets. 8 bytes: a 50 MB file has
/// over ten million of these. Tokens are shorter than 16 MiB (`max_token_length`).
struct token {
  std::uint32_t begin = 0;
  std::uint32_t len : 24;
  tok kind : 8;
  constexpr token() : len(0), kind(tok::eof) {}
  constexpr token(std::uint32_t b, std::uint32_t e, tok k) : begin(b), len(e - b), kind(k) {}
  [[nodiscard]] constexpr std::uint32_t end() const noexcept { return begin + len; }
};
inline constexpr std::uint32_t max_token_length = (1u << 24) - 1;

/// A lexer or identifier error: where, and wit-parser's message for it.
struct lex_error {
  std::uint32_t at = 0;
  std::string message;
};

/// The token array of one file, its comments (global spans, in order) and the
/// error at which lexing stopped, if any (then the last tokens are lex_error, eof).
struct lexed {
  std::vector<token> tokens;
  std::vector<witc::span> comments;
  std::optional<lex_error> error;
  std::string_view text;   // the file's text
  std::uint32_t base = 0;  // its global offset
};

/// Tokenizes `text` (which starts at global offset `base`) one top-level item at
/// a time, so a file's tokens are never all held at once (they would take twice
/// the file's size). Input-wide checks (UTF-8, control and bidi codepoints) fail
/// before any token is produced, as in wit-parser's `Tokenizer::new`.
/// Example:
///   token_stream ts(text, 0);
///   do { ts.next_chunk(); parse(ts.data().tokens); } while (!ts.done());
class token_stream {
 public:
  token_stream(std::string_view text, std::uint32_t base);
  ~token_stream();
  token_stream(const token_stream&) = delete;
  token_stream& operator=(const token_stream&) = delete;

  /// Replaces the tokens with the next item's: up to and including the `;` or
  /// `}` that ends it at brace depth 0, then an `eof` token at that token's end.
  /// The file's last chunk ends with its real `eof` (after `lex_error` when
  /// lexing failed); `done()` is then true. Comments accumulate.
  void next_chunk();
  [[nodiscard]] bool done() const noexcept;
  [[nodiscard]] const lexed& data() const noexcept;
  /// Where the token before the current chunk ends (the file's start at first).
  [[nodiscard]] std::uint32_t prev_end() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

/// True when `name` lexes as a keyword, so a WIT writer must spell it `%name`.
[[nodiscard]] bool is_keyword(std::string_view name) noexcept;

/// wit-parser's `validate_id`: kebab-case words, each all-lower or all-upper ASCII,
/// the first starting with a letter. Returns the error message, or nothing.
[[nodiscard]] std::optional<std::string> validate_id(std::string_view id);

/// Rust's `{:?}` of a char: `'a'`, `'\n'`, `'\u{0}'`.
[[nodiscard]] std::string debug_char(char32_t c);

/// The value of a string literal token (quotes included), which the lexer has
/// already validated.
[[nodiscard]] std::string unescape_string(std::string_view lit);

/// Checks a version text as the semver crate would; returns its error message.
[[nodiscard]] std::optional<std::string> check_semver(std::string_view v);

}  // namespace witc::wit::parser
