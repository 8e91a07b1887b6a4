#include "witc/grammar/highlight.hpp"

#include <fmt/format.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <memory>
#include <regex>

#include "tree-sitter-wit.h"

namespace witc::grammar {
namespace detail {

struct parser_deleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
struct tree_deleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
struct query_deleter {
  void operator()(TSQuery* q) const { ts_query_delete(q); }
};
struct cursor_deleter {
  void operator()(TSQueryCursor* c) const { ts_query_cursor_delete(c); }
};
using parser_ptr = std::unique_ptr<TSParser, parser_deleter>;
using tree_ptr = std::unique_ptr<TSTree, tree_deleter>;
using query_ptr = std::unique_ptr<TSQuery, query_deleter>;
using cursor_ptr = std::unique_ptr<TSQueryCursor, cursor_deleter>;

tree_ptr parse(std::string_view source) {
  parser_ptr parser(ts_parser_new());
  ts_parser_set_language(parser.get(), language());
  return tree_ptr(ts_parser_parse_string(parser.get(), nullptr, source.data(),
                                         static_cast<std::uint32_t>(source.size())));
}

const char* query_error_name(TSQueryError e) {
  switch (e) {
    case TSQueryErrorSyntax: return "syntax error";
    case TSQueryErrorNodeType: return "unknown node type";
    case TSQueryErrorField: return "unknown field";
    case TSQueryErrorCapture: return "unknown capture";
    case TSQueryErrorStructure: return "impossible pattern";
    case TSQueryErrorLanguage: return "language mismatch";
    default: return "error";
  }
}

// A text predicate of one pattern: `#eq?`, `#match?`, `#any-of?` and their negations.
struct predicate {
  std::string op;
  std::uint32_t capture = 0;
  std::vector<std::string> strings;   // literal operands
  std::int64_t other_capture = -1;    // `#eq? @a @b`
  std::regex re;
};

std::vector<std::vector<predicate>> predicates_of(const TSQuery* q) {
  std::vector<std::vector<predicate>> all(ts_query_pattern_count(q));
  for (std::uint32_t p = 0; p < all.size(); ++p) {
    std::uint32_t n = 0;
    const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(q, p, &n);
    for (std::uint32_t i = 0; i < n;) {
      std::uint32_t j = i;
      while (j < n && steps[j].type != TSQueryPredicateStepTypeDone) ++j;
      if (j > i && steps[i].type == TSQueryPredicateStepTypeString) {
        std::uint32_t len = 0;
        predicate pr;
        pr.op = ts_query_string_value_for_id(q, steps[i].value_id, &len);
        bool known = pr.op == "eq?" || pr.op == "not-eq?" || pr.op == "match?" ||
                     pr.op == "not-match?" || pr.op == "any-of?";
        if (known && j - i >= 3 && steps[i + 1].type == TSQueryPredicateStepTypeCapture) {
          pr.capture = steps[i + 1].value_id;
          for (std::uint32_t k = i + 2; k < j; ++k) {
            if (steps[k].type == TSQueryPredicateStepTypeCapture) {
              pr.other_capture = steps[k].value_id;
            } else {
              pr.strings.emplace_back(ts_query_string_value_for_id(q, steps[k].value_id, &len), len);
            }
          }
          if ((pr.op == "match?" || pr.op == "not-match?") && !pr.strings.empty())
            pr.re = std::regex(pr.strings[0], std::regex::ECMAScript);
          all[p].push_back(std::move(pr));
        }
      }
      i = j + 1;
    }
  }
  return all;
}

bool satisfied(const std::vector<predicate>& preds, const TSQueryMatch& m, std::string_view src) {
  auto text_of = [&](std::uint32_t capture_id) -> std::string_view {
    for (std::uint16_t i = 0; i < m.capture_count; ++i) {
      if (m.captures[i].index == capture_id) {
        auto s = ts_node_start_byte(m.captures[i].node);
        auto e = ts_node_end_byte(m.captures[i].node);
        return src.substr(s, e - s);
      }
    }
    return {};
  };
  for (const auto& p : preds) {
    std::string_view text = text_of(p.capture);
    bool ok = true;
    if (p.op == "eq?" || p.op == "not-eq?") {
      std::string_view other = p.other_capture >= 0
                                   ? text_of(static_cast<std::uint32_t>(p.other_capture))
                                   : std::string_view(p.strings.empty() ? "" : p.strings[0]);
      ok = (text == other) == (p.op == "eq?");
    } else if (p.op == "match?" || p.op == "not-match?") {
      bool found = std::regex_search(text.begin(), text.end(), p.re);
      ok = found == (p.op == "match?");
    } else if (p.op == "any-of?") {
      ok = std::find(p.strings.begin(), p.strings.end(), text) != p.strings.end();
    }
    if (!ok) return false;
  }
  return true;
}

// Iterative walk: nesting depth is the input's, and input may nest deeply.
void count_errors(TSNode root, error_counts& c) {
  TSTreeCursor cur = ts_tree_cursor_new(root);
  while (true) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    if (ts_node_is_missing(n)) ++c.missing;
    if (ts_node_symbol(n) == static_cast<TSSymbol>(-1)) ++c.errors;
    if (ts_node_has_error(n) && ts_tree_cursor_goto_first_child(&cur)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) {
        ts_tree_cursor_delete(&cur);
        return;
      }
    }
  }
}

}  // namespace detail

const TSLanguage* language() { return tree_sitter_wit(); }

std::uint32_t nesting_depth(std::string_view source) {
  std::uint32_t depth = 0, deepest = 0;
  for (char ch : source) {
    if (ch == '<') deepest = std::max(deepest, ++depth);
    else if (ch == '>' && depth > 0) --depth;
  }
  return deepest;
}

result<std::vector<capture>> captures(std::string_view source, std::string_view query) {
  std::uint32_t err_offset = 0;
  TSQueryError err = TSQueryErrorNone;
  detail::query_ptr q(ts_query_new(language(), query.data(), static_cast<std::uint32_t>(query.size()),
                                   &err_offset, &err));
  if (!q) {
    return fail(diagnostic::global(
        fmt::format("invalid query: {} at byte {}", detail::query_error_name(err), err_offset)));
  }
  auto preds = detail::predicates_of(q.get());
  if (auto depth = nesting_depth(source); depth > max_nesting) {
    return fail(diagnostic::global(
        fmt::format("input nests `<` {} levels deep; the highlighter stops at {}", depth, max_nesting),
        "WIT itself allows 100 levels of type nesting"));
  }
  auto tree = detail::parse(source);
  detail::cursor_ptr cur(ts_query_cursor_new());
  ts_query_cursor_exec(cur.get(), q.get(), ts_tree_root_node(tree.get()));
  std::vector<capture> out;
  TSQueryMatch m;
  std::uint32_t index = 0;
  while (ts_query_cursor_next_capture(cur.get(), &m, &index)) {
    if (!detail::satisfied(preds[m.pattern_index], m, source)) {
      ts_query_cursor_remove_match(cur.get(), m.id);
      continue;
    }
    const TSQueryCapture& c = m.captures[index];
    std::uint32_t len = 0;
    const char* name = ts_query_capture_name_for_id(q.get(), c.index, &len);
    out.push_back({std::string(name, len), ts_node_start_byte(c.node), ts_node_end_byte(c.node),
                   m.pattern_index});
  }
  return out;
}

result<std::vector<highlight_span>> highlight(std::string_view source, std::string_view query) {
  WITC_TRY(auto caps, captures(source, query));
  // Paint outer nodes first and inner ones over them; equal ranges in pattern order.
  std::stable_sort(caps.begin(), caps.end(), [](const capture& a, const capture& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end > b.end;
    return a.pattern < b.pattern;
  });
  std::vector<std::string> names;
  std::vector<std::int32_t> paint(source.size(), -1);
  for (const auto& c : caps) {
    if (c.name.empty() || c.name[0] == '_' || c.name.rfind("injection", 0) == 0) continue;
    auto it = std::find(names.begin(), names.end(), c.name);
    auto id = static_cast<std::int32_t>(it - names.begin());
    if (it == names.end()) names.push_back(c.name);
    auto end = std::min<std::size_t>(c.end, source.size());
    for (std::size_t i = c.start; i < end; ++i) paint[i] = id;
  }
  std::vector<highlight_span> spans;
  for (std::size_t i = 0; i < paint.size();) {
    std::size_t j = i;
    while (j < paint.size() && paint[j] == paint[i]) ++j;
    if (paint[i] >= 0) spans.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), names[paint[i]]});
    i = j;
  }
  return spans;
}

error_counts syntax_errors(std::string_view source) {
  error_counts c;
  if (nesting_depth(source) > max_nesting) {
    c.errors = 1;
    return c;
  }
  auto tree = detail::parse(source);
  detail::count_errors(ts_tree_root_node(tree.get()), c);
  return c;
}

namespace {

// The style of a capture, falling back to its parent name: `function.method` -> `function`.
template <class Table>
std::string_view style_of(std::string_view capture, const Table& table) {
  while (true) {
    for (const auto& [name, style] : table)
      if (capture == name) return style;
    auto dot = capture.rfind('.');
    if (dot == std::string_view::npos) return {};
    capture = capture.substr(0, dot);
  }
}

constexpr std::pair<std::string_view, std::string_view> ansi_styles[] = {
    {"keyword", "1;35"},        {"constructor", "1;35"},
    {"type.builtin", "36"},     {"type", "33"},
    {"function", "34"},         {"variable.parameter", "3"},
    {"property", "32"},         {"constant", "95"},
    {"module", "1;32"},         {"attribute", "93"},
    {"comment.documentation", "3;32"}, {"comment", "90"},
    {"string", "32"},           {"number", "91"},
    {"operator", "37"},         {"punctuation", "37"},
};

constexpr std::pair<std::string_view, std::string_view> css_styles[] = {
    {"keyword", "color:#a626a4;font-weight:bold"}, {"constructor", "color:#a626a4;font-weight:bold"},
    {"type.builtin", "color:#0184bc"},              {"type", "color:#c18401"},
    {"function", "color:#4078f2"},                  {"variable.parameter", "color:#e45649;font-style:italic"},
    {"property", "color:#50a14f"},                  {"constant", "color:#986801"},
    {"module", "color:#0997b3;font-weight:bold"},   {"attribute", "color:#b07f00"},
    {"comment.documentation", "color:#50a14f;font-style:italic"}, {"comment", "color:#a0a1a7;font-style:italic"},
    {"string", "color:#50a14f"},                    {"number", "color:#986801"},
    {"operator", "color:#383a42"},                  {"punctuation", "color:#696c77"},
};

void html_escape(std::string& out, std::string_view text) {
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += ch;
    }
  }
}

std::string css_class(std::string_view capture) {
  std::string c = "hl-";
  for (char ch : capture) c += ch == '.' ? '-' : ch;
  return c;
}

}  // namespace

std::string render_ansi(std::string_view source, const std::vector<highlight_span>& spans) {
  std::string out;
  out.reserve(source.size() * 2);
  std::size_t pos = 0;
  for (const auto& s : spans) {
    out.append(source.substr(pos, s.start - pos));
    auto style = style_of(s.capture, ansi_styles);
    std::string_view text = source.substr(s.start, s.end - s.start);
    if (style.empty()) {
      out.append(text);
    } else {
      // Colour line by line so a multi-line comment does not bleed into a pager's margin.
      std::size_t from = 0;
      while (from <= text.size()) {
        auto nl = text.find('\n', from);
        auto piece = text.substr(from, nl == std::string_view::npos ? std::string_view::npos : nl - from);
        if (!piece.empty()) out += fmt::format("\x1b[{}m{}\x1b[0m", style, piece);
        if (nl == std::string_view::npos) break;
        out += '\n';
        from = nl + 1;
      }
    }
    pos = s.end;
  }
  out.append(source.substr(pos));
  return out;
}

std::string render_html(std::string_view source, const std::vector<highlight_span>& spans,
                        std::string_view title) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  html_escape(out, title);
  out += "</title>\n<style>\n"
         "body { margin: 0; background: #fafafa; }\n"
         "pre { margin: 0; padding: 1em; font: 14px/1.4 ui-monospace, monospace; color: #383a42; }\n";
  std::vector<std::string> seen;
  for (const auto& s : spans) {
    if (std::find(seen.begin(), seen.end(), s.capture) != seen.end()) continue;
    seen.push_back(s.capture);
    auto style = style_of(s.capture, css_styles);
    if (!style.empty()) out += fmt::format(".{} {{ {} }}\n", css_class(s.capture), style);
  }
  out += "</style>\n</head>\n<body>\n<pre><code>";
  std::size_t pos = 0;
  for (const auto& s : spans) {
    html_escape(out, source.substr(pos, s.start - pos));
    out += fmt::format("<span class=\"{}\">", css_class(s.capture));
    html_escape(out, source.substr(s.start, s.end - s.start));
    out += "</span>";
    pos = s.end;
  }
  html_escape(out, source.substr(pos));
  out += "</code></pre>\n</body>\n</html>\n";
  return out;
}

}  // namespace witc::grammar
