// The one translation unit that instantiates the X3 grammar, and `ast::parse`.
#include <fmt/format.h>

#include <algorithm>

#include "parser/grammar_def.hpp"

namespace witc::wit::parser {

ast::docs parse_state::docs_before(iterator t) const {
  ast::docs d;
  std::uint32_t lo = t == first ? first_lo : (t - 1)->end();
  std::uint32_t hi = t->begin;
  const auto& cs = lx->comments;
  // Calls come in source order (bar a few tokens of X3 backtracking), so a
  // cursor finds the first comment at or after `lo` in amortised O(1).
  std::size_t i = comment_cursor;
  if (i > 0 && (i > cs.size() || cs[i - 1].begin >= lo)) {
    i = static_cast<std::size_t>(
        std::lower_bound(cs.begin(), cs.end(), lo, [](const witc::span& s, std::uint32_t o) { return s.begin < o; }) -
        cs.begin());
  }
  while (i < cs.size() && cs[i].begin < lo) ++i;
  comment_cursor = i;
  std::uint32_t end = 0;
  for (; i < cs.size() && cs[i].begin < hi; ++i) {
    if (end == 0) d.begin = cs[i].begin;
    end = cs[i].end;
  }
  if (end != 0) {
    d.size = end - d.begin;
    d.text = text(d.begin, end).data();
  }
  return d;
}

void parse_state::throw_lex_error() const {
  throw syntax_error{{lx->error->at, lx->error->at + 1}, lx->error->message};
}

}  // namespace witc::wit::parser

namespace witc::wit::ast {

result<file> parse(const source_map& sm, std::size_t file_index) {
  using namespace witc::wit::parser;
  const source_map::file& src = sm.at(file_index);
  token_stream ts(src.text, src.base);
  const lexed& lx = ts.data();
  file out;
  detail::parse_scope arena_scope(out.arena, out.world_arena);
  out.file_index = static_cast<std::uint32_t>(file_index);
  out.span = {src.base, src.base + static_cast<std::uint32_t>(src.text.size())};

  parse_state st;
  st.lx = &lx;
  st.side_arena = arena_scope.side();
  iterator first = nullptr;
  try {
    for (bool head = true; !ts.done(); head = false) {
      ts.next_chunk();
      st.first = first = lx.tokens.data();
      st.first_lo = ts.prev_end();
      iterator last = first + lx.tokens.size();
      bool ok = head ? x3::parse(first, last, x3::with<state_tag>(std::ref(st))[grammar::file_r], out)
                     : x3::parse(first, last, x3::with<state_tag>(std::ref(st))[grammar::file_rest_r], out);
      if (!ok) {
        const token& t = *first;
        return fail(diagnostic::error(
            {t.begin, t.end()}, fmt::format("expected `world`, `interface` or `use`, found {}", describe(t.kind))));
      }
    }
  } catch (const x3::expectation_failure<iterator>& e) {
    const token& t = *e.where();
    if (t.kind == tok::lex_error) return fail(diagnostic::error({lx.error->at, lx.error->at + 1}, lx.error->message));
    return fail(diagnostic::error({t.begin, t.end()}, fmt::format("expected {}, found {}", e.which(), describe(t.kind))));
  } catch (const syntax_error& e) {
    return fail(diagnostic::error(e.at, e.message));
  }
  return out;
}

}  // namespace witc::wit::ast
