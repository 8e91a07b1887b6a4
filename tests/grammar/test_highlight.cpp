// Highlight fixtures: each `// ^ capture` comment in tests/grammar/fixtures/*.wit names
// the capture highlights.scm must give the marked column of the line above (the winner
// where patterns overlap, as `witc highlight` draws it).
#include <catch2/catch.hpp>

#include <algorithm>

#include "grammar_test_util.hpp"

namespace fs = std::filesystem;
using namespace witc::grammar::test;

namespace {

std::string capture_at(const std::vector<witc::grammar::highlight_span>& spans, std::uint32_t offset) {
  auto it = std::upper_bound(spans.begin(), spans.end(), offset,
                             [](std::uint32_t o, const auto& s) { return o < s.start; });
  if (it == spans.begin()) return "(none)";
  --it;
  return offset < it->end ? it->capture : "(none)";
}

}  // namespace

TEST_CASE("highlights.scm gives the expected captures in the fixtures", "[grammar]") {
  std::size_t total = 0;
  for (const auto& e : fs::directory_iterator(WITC_GRAMMAR_FIXTURES)) {
    if (e.path().extension() != ".wit") continue;
    std::string text = read_file(e.path());
    CHECK(witc::grammar::syntax_errors(text).errors == 0);
    auto spans = witc::grammar::highlight(text);
    REQUIRE(spans);
    auto asserts = parse_assertions(text);
    CHECK(asserts.size() >= 10);
    for (const auto& a : asserts) {
      ++total;
      INFO(e.path().filename().string() << ":" << a.line + 1 << ":" << a.column + 1);
      CHECK(capture_at(*spans, a.offset) == a.capture);
    }
  }
  CHECK(total >= 50);
}

TEST_CASE("every query file compiles against the grammar", "[grammar]") {
  for (const char* name : {"highlights", "locals", "folds", "indents", "injections", "tags"}) {
    INFO(name);
    auto q = witc::grammar::query_source(name);
    REQUIRE(!q.empty());
    auto caps = witc::grammar::captures("package a:b;\ninterface i { f: func(x: u32); }\n", q);
    if (!caps) FAIL(caps.error().front().message);
  }
}

TEST_CASE("locals.scm marks definitions and references of types, interfaces and worlds", "[grammar]") {
  std::string src =
      "package a:b;\ninterface i {\n  type t = u32;\n  f: func(x: t);\n}\nworld w { import i; }\n";
  auto caps = witc::grammar::captures(src, witc::grammar::query_source("locals"));
  REQUIRE(caps);
  auto has = [&](std::string_view name, std::string_view text) {
    return std::any_of(caps->begin(), caps->end(), [&](const auto& c) {
      return c.name == name && src.substr(c.start, c.end - c.start) == text;
    });
  };
  CHECK(has("local.definition.namespace", "i"));
  CHECK(has("local.definition.namespace", "w"));
  CHECK(has("local.definition.namespace", "a:b"));
  CHECK(has("local.definition.type", "t"));
  CHECK(has("local.definition.function", "f"));
  CHECK(has("local.definition.parameter", "x"));
  CHECK(has("local.reference", "t"));
  CHECK(has("local.reference", "i"));
}

TEST_CASE("an unfinished line does not wreck the highlighting of the rest", "[grammar]") {
  std::string src =
      "interface i {\n  get: func(a: string\n  record r { a: u32 }\n  put: func(x: r);\n}\n"
      "world w { export i; }\n";
  auto spans = witc::grammar::highlight(src);
  REQUIRE(spans);
  auto at = [&](std::string_view needle, std::size_t nth = 0) {
    std::size_t pos = 0;
    for (std::size_t k = 0; k <= nth; ++k) pos = src.find(needle, k ? pos + 1 : 0);
    return capture_at(*spans, static_cast<std::uint32_t>(pos));
  };
  CHECK(at("record") == "keyword");
  CHECK(at("r {") == "type");
  CHECK(at("put") == "function");
  CHECK(at("x:") == "variable.parameter");
  CHECK(at("world") == "keyword");
  CHECK(at("w {") == "module");
}

TEST_CASE("rendering: ANSI and HTML", "[grammar]") {
  std::string src = "interface a<b> { }\n";
  auto spans = witc::grammar::highlight(src);
  REQUIRE(spans);
  auto ansi = witc::grammar::render_ansi(src, *spans);
  CHECK(ansi.find("\x1b[1;35minterface\x1b[0m") != std::string::npos);
  auto html = witc::grammar::render_html(src, *spans, "a<b>.wit");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<title>a&lt;b&gt;.wit</title>") != std::string::npos);
  CHECK(html.find("<span class=\"hl-keyword\">interface</span>") != std::string::npos);
  CHECK(html.find("&lt;") != std::string::npos);
}

TEST_CASE("input nested beyond what libtree-sitter survives is refused, not parsed", "[grammar]") {
  std::string deep = "interface i { type t = ";
  for (int i = 0; i < 40000; ++i) deep += "list<";
  deep += "\n";
  CHECK(witc::grammar::nesting_depth(deep) == 40000);
  auto spans = witc::grammar::highlight(deep);
  REQUIRE(!spans);
  CHECK(spans.error().front().message.find("40000 levels") != std::string::npos);
  CHECK(witc::grammar::syntax_errors(deep).errors == 1);

  std::string ok = "interface i { type t = ";
  for (int i = 0; i < 2000; ++i) ok += "list<";
  ok += "u8";
  for (int i = 0; i < 2000; ++i) ok += ">";
  ok += "; }\n";
  CHECK(witc::grammar::syntax_errors(ok).errors == 0);
  REQUIRE(witc::grammar::highlight(ok));
}
