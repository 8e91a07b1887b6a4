// `witc highlight FILE [--html | --ansi]`: print a WIT file highlighted through the
// tree-sitter grammar and its highlights.scm. ANSI colours on a terminal (or with
// `--ansi`), a standalone HTML page with `--html`, the plain text otherwise.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include "command.hpp"
#include "witc/grammar/highlight.hpp"
#include "witc/support/source_map.hpp"

namespace {
struct highlight_opts {
  std::string path;
  bool html = false;
  bool ansi = false;
};

int run_highlight(const highlight_opts& o) {
  std::ifstream in(o.path, std::ios::binary);
  witc::source_map sm;
  if (!in) {
    fmt::print(stderr, "{}", witc::render(witc::diagnostic::global(fmt::format("cannot read `{}`", o.path)),
                                          sm, isatty(2) != 0));
    return witc::cli::exit_error;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto spans = witc::grammar::highlight(text);
  if (!spans) {
    fmt::print(stderr, "{}", witc::render(spans.error(), sm, isatty(2) != 0));
    return witc::cli::exit_error;
  }
  std::string out;
  if (o.html) {
    out = witc::grammar::render_html(text, *spans, o.path);
  } else if (o.ansi || isatty(1)) {
    out = witc::grammar::render_ansi(text, *spans);
  } else {
    out = text;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return witc::cli::exit_ok;
}
}  // namespace

WITC_COMMAND(highlight, "print a WIT file syntax-highlighted (ANSI colours or an HTML page)") {
  auto o = std::make_shared<highlight_opts>();
  cmd.add_option("file", o->path, "the `.wit` file to highlight")->required();
  auto* html = cmd.add_flag("--html", o->html, "write a standalone HTML page");
  auto* ansi = cmd.add_flag("--ansi", o->ansi, "write ANSI colour escapes even when not on a terminal");
  html->excludes(ansi);
  return [o] { return run_highlight(*o); };
}
