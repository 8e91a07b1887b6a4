#pragma once
// Syntax highlighting of WIT source through the tree-sitter grammar and its queries.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "witc/support/result.hpp"

struct TSLanguage;

namespace witc::grammar {

/// The WIT tree-sitter language.
/// Example: `ts_parser_set_language(parser, witc::grammar::language());`
const TSLanguage* language();

/// The text of one of the grammar's query files as built in: "highlights", "locals",
/// "folds", "indents", "injections" or "tags"; empty for any other name.
/// Example: `auto q = witc::grammar::query_source("highlights");`
std::string_view query_source(std::string_view name);

/// Deepest `<` nesting the functions below hand to libtree-sitter. Debian's 0.20.7 runtime
/// corrupts its heap recovering from an error under ~32,000 open levels and its query
/// cursor slows to a crawl past 65,535, so deeper input is refused up front (wit-parser
/// itself stops at 100 levels). Example: `if (nesting_depth(text) > max_nesting) ...`
inline constexpr std::uint32_t max_nesting = 10000;

/// The deepest nesting of `<` in `source`, counting every `<` and `>` byte.
std::uint32_t nesting_depth(std::string_view source);

/// One capture of a query match: the capture name and the node's byte range.
struct capture {
  std::string name;
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::uint32_t pattern = 0;  // index of the pattern in the query, for precedence
};

/// Every capture of `query` over `source`, in document order, after the `#eq?`,
/// `#match?`, `#not-eq?`, `#not-match?` and `#any-of?` predicates. Fails on an invalid
/// query or on input nested deeper than `max_nesting`.
/// Example: `auto caps = captures("package a:b;", query_source("highlights"));`
result<std::vector<capture>> captures(std::string_view source, std::string_view query);

/// A run of bytes drawn with one capture name.
struct highlight_span {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  std::string capture;
};

/// Non-overlapping highlight spans of `source` in order; where captures overlap the
/// innermost node wins, and among equal ranges the later pattern.
/// Example: `for (auto& s : *highlight(text)) fmt::print("{} {}\n", s.start, s.capture);`
result<std::vector<highlight_span>> highlight(std::string_view source,
                                              std::string_view query = query_source("highlights"));

/// Whether `source` parses without ERROR or MISSING nodes; counts them. Input nested
/// deeper than `max_nesting` is not parsed and counts as one error.
/// Example: `auto c = syntax_errors(text); if (c.errors + c.missing) ...`
struct error_counts {
  std::uint32_t errors = 0;
  std::uint32_t missing = 0;
};
error_counts syntax_errors(std::string_view source);

/// `source` with ANSI colour escapes for a terminal.
/// Example: `fmt::print("{}", render_ansi(text, *highlight(text)));`
std::string render_ansi(std::string_view source, const std::vector<highlight_span>& spans);

/// A standalone HTML page showing `source` highlighted, titled `title`.
/// Example: `auto page = render_html(text, *highlight(text), "world.wit");`
std::string render_html(std::string_view source, const std::vector<highlight_span>& spans,
                        std::string_view title);

}  // namespace witc::grammar
