// WIT parser tests: every WIT file of the shared corpus parses; every parse-fail
// case whose expected error is a syntax/lexer error fails with wit-parser's
// message at wit-parser's file:line:col; robustness inputs give clean diagnostics.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include "witc/wit/ast.hpp"

namespace fs = std::filesystem;
using namespace witc;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path shared_dir() {
  if (const char* e = std::getenv("WITC_SHARED_DIR")) return e;
  return WITC_SHARED_DIR;
}

fs::path corpus() { return shared_dir() / "corpus" / "wit"; }

struct outcome {
  bool ok = true;
  std::string message;
  std::string file;
  std::uint32_t line = 0, column = 0;
};

outcome parse_text(const std::string& name, const std::string& text) {
  source_map sm;
  sm.add(name, text);
  auto r = wit::ast::parse(sm, 0);
  outcome o;
  if (r) return o;
  o.ok = false;
  REQUIRE(!r.error().empty());
  const diagnostic& d = r.error().front();
  o.message = d.message;
  location loc = sm.locate(d.span.begin);
  o.file = std::string(loc.file);
  o.line = loc.line;
  o.column = loc.column;
  // Rendering must work for every diagnostic the parser produces.
  std::string rendered = render(r.error(), sm);
  CHECK(rendered.find(fmt::format("{}:{}:{}", loc.file, loc.line, loc.column)) != std::string::npos);
  return o;
}

std::vector<fs::path> wit_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".wit") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every success case and WASI package of the corpus parses", "[parser][corpus]") {
  if (!fs::exists(corpus())) {
    WARN("SKIPPED: no shared corpus at " << corpus().string());
    return;
  }
  int parsed = 0;
  for (const auto& p : wit_files(corpus())) {
    if (p.string().find("parse-fail") != std::string::npos) continue;
    outcome o = parse_text(p.string(), read(p));
    INFO(p.string() << ": " << o.message << " at " << o.line << ":" << o.column);
    CHECK(o.ok);
    ++parsed;
  }
  WARN("parsed " << parsed << " corpus files");
  CHECK(parsed >= 150);
}

TEST_CASE("parse-fail syntax errors match wit-parser's message and position", "[parser][corpus]") {
  fs::path dir = corpus() / "wit-parser-ui" / "parse-fail";
  if (!fs::exists(dir)) {
    WARN("SKIPPED: no parse-fail corpus at " << dir.string());
    return;
  }
  // Messages that come from wit-parser's lexer and parser (not its resolver).
  const std::regex syntax_kind(
      "^(expected |type nesting too deep|package nesting too deep|unknown attribute|unexpected character|"
      "invalid character in identifier|identifiers must have|unterminated block comment|Control code|"
      "invalid string|invalid list size|cannot place attributes)");
  const std::regex location(R"(tests/ui/parse-fail/(\S+):(\d+):(\d+))");
  int cases = 0, syntax_cases = 0, matched = 0;
  std::vector<fs::path> results;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().string().size() > 11 && e.path().string().substr(e.path().string().size() - 11) == ".wit.result")
      results.push_back(e.path());
  std::sort(results.begin(), results.end());
  for (const auto& r : results) {
    std::string stem = r.filename().string();
    stem = stem.substr(0, stem.size() - 11);
    std::vector<fs::path> inputs;
    if (fs::is_regular_file(dir / (stem + ".wit"))) inputs.push_back(dir / (stem + ".wit"));
    else if (fs::is_directory(dir / stem)) inputs = wit_files(dir / stem);
    else continue;  // a stale result without its input
    ++cases;
    std::string expected = read(r);
    std::string message = expected.substr(0, expected.find('\n'));
    std::smatch loc;
    bool has_loc = std::regex_search(expected, loc, location);
    // Directory cases wrap the message: "... failed to parse package: <dir>: <message>";
    // very long lines are rendered "<file>:<line>:<col>: <message>".
    if (auto pos = message.rfind(": expected "); pos != std::string::npos) message = message.substr(pos + 2);
    bool is_syntax = std::regex_search(message, syntax_kind);
    outcome got;
    for (const auto& in : inputs) {
      got = parse_text(in.string(), read(in));
      if (!got.ok) break;
    }
    INFO(stem << ": expected `" << message << "`, got `" << got.message << "` at " << got.file << ":" << got.line
              << ":" << got.column);
    if (!is_syntax) {
      CHECK(got.ok);  // the resolver's business: the parser must accept it
      continue;
    }
    ++syntax_cases;
    REQUIRE(has_loc);
    CHECK_FALSE(got.ok);
    bool same = !got.ok && got.message == message && got.file.size() >= loc[1].str().size() &&
                got.file.substr(got.file.size() - loc[1].str().size()) == loc[1].str() &&
                std::to_string(got.line) == loc[2].str() && std::to_string(got.column) == loc[3].str();
    CHECK(same);
    if (same) ++matched;
  }
  WARN("parse-fail cases: " << cases << ", syntax/lexer errors among them: " << syntax_cases
                            << ", matched exactly: " << matched);
  CHECK(syntax_cases >= 25);
}

TEST_CASE("robustness inputs give a clean diagnostic", "[parser][robustness]") {
  struct expect {
    const char* file;
    const char* message;  // a prefix of the message
    std::uint32_t line, column;
  };
  const expect cases[] = {
      {"nul-byte.wit", "Control code '\\u{0}'", 2, 14},
      {"invalid-utf8.wit", "invalid UTF-8", 3, 16},
      {"unterminated-comment.wit", "unterminated block comment", 4, 3},
      {"unterminated-string.wit", "invalid string character '\\n'", 3, 20},
      {"lone-cr.wit", "unexpected character '\\r'", 2, 14},
      {"non-ascii-id.wit", "invalid character in identifier 'ç'", 3, 8},
      {"empty-id-part.wit", "identifiers must have characters between '-'s", 3, 8},
      {"mixed-case-id.wit", "invalid character in identifier 'p'", 3, 8},
      {"bad-semver.wit", "invalid leading zero in major version number", 1, 13},
      {"unknown-attribute.wit", "unknown attribute `bogus`", 2, 2},
      {"list-size-overflow.wit", "invalid list size: number too large to fit in target type", 3, 21},
      {"bidi.wit", "Input contains bidirectional override codepoint '\\u{202e}'", 2, 1},
      {"string-invalid-utf8.wit", "invalid UTF-8: invalid utf-8 sequence of 1 bytes from index 0", 2, 24},
  };
  fs::path dir = fs::path(WITC_PARSER_TEST_DIR) / "inputs";
  for (const auto& c : cases) {
    outcome o = parse_text(c.file, read(dir / c.file));
    INFO(c.file << ": got `" << o.message << "` at " << o.line << ":" << o.column);
    CHECK_FALSE(o.ok);
    CHECK(o.message.rfind(c.message, 0) == 0);
    CHECK(o.line == c.line);
    CHECK(o.column == c.column);
  }
  outcome bom = parse_text("bom-crlf.wit", read(dir / "bom-crlf.wit"));
  CHECK(bom.ok);
}

TEST_CASE("100,000-deep type nesting is an error, not a stack overflow", "[parser][robustness]") {
  const int n = 100000;
  std::string text = "package a:b;\ninterface i {\n  type t = ";
  for (int i = 0; i < n; ++i) text += "list<";
  text += "u32";
  text.append(n, '>');
  text += ";\n}\n";
  outcome o = parse_text("deep.wit", text);
  CHECK_FALSE(o.ok);
  CHECK(o.message == "type nesting too deep");
  CHECK(o.line == 3);
  CHECK(o.column == 12 + 5 * static_cast<int>(wit::ast::max_type_depth));

  // Deep `tuple<`, `option<` and `result<` too, and deep package blocks.
  for (const char* open : {"tuple<", "option<", "result<", "future<", "map<u8, "}) {
    std::string t = "interface i { type t = ";
    for (int i = 0; i < n; ++i) t += open;
    outcome d = parse_text("deep2.wit", t);
    CHECK(d.message == "type nesting too deep");
  }
  std::string pk = "package a:b;\n";
  for (int i = 0; i < 20000; ++i) pk += "package a:b {\n";
  outcome p = parse_text("deep-packages.wit", pk);
  CHECK(p.message == "package nesting too deep");
  CHECK(p.line == 2 + wit::ast::max_package_depth);
}

TEST_CASE("a 50 MB file parses", "[parser][robustness][large]") {
  std::string text = "package big:pkg@1.0.0;\n";
  text.reserve(52u << 20);
  int i = 0;
  while (text.size() < (50u << 20)) {
    text += fmt::format(
        "/// interface {0}\ninterface iface{0} {{\n  use iface{1}.{{rec{1}}};\n  record rec{0} {{ a: u32, b: "
        "list<string>, c: option<tuple<u8, s64>> }}\n  variant var{0} {{ none, some(rec{0}) }}\n  resource res{0} "
        "{{\n    constructor(x: u32);\n    get: func() -> u32;\n  }}\n  fn{0}: func(a: rec{0}, b: var{0}) -> "
        "result<u64, string>;\n}}\n",
        i, i == 0 ? 0 : i - 1);
    ++i;
  }
  source_map sm;
  sm.add("big.wit", text);
  auto r = wit::ast::parse(sm, 0);
  REQUIRE(r);
  CHECK(r->items.size() == static_cast<std::size_t>(i));
}

TEST_CASE("the AST keeps names, spans, docs and attributes", "[parser]") {
  std::string text =
      "// plain\n/// pkg docs\npackage ex:p@1.0.0;\n\n/// iface docs\n@since(version = 1.0.0)\ninterface i {\n"
      "  /** rec */\n  record r { /// field\n a: u32 }\n  %type: func(x: list<u8, 4>) -> result<_, string>;\n}\n"
      "world w {\n  import label: i;\n  import ex:q/j@2.0.0;\n  export f: async func();\n"
      "  include v with { a as b }\n}\nuse ex:q/j as jj;\npackage ex:n { interface k {} }\n";
  source_map sm;
  sm.add("t.wit", text);
  auto r = wit::ast::parse(sm, 0);
  REQUIRE(r);
  const auto& f = *r;
  REQUIRE(f.package);
  CHECK(f.package->name.ns.name == "ex");
  CHECK(f.package->name.ver->text == "1.0.0");
  CHECK(f.package->doc.comments() == std::vector<std::string_view>{"// plain", "/// pkg docs"});
  REQUIRE(f.items.size() == 4);
  const auto& iface = std::get<wit::ast::interface_def>(f.items[0]);
  CHECK(iface.name.name == "i");
  CHECK(sm.text(iface.name.span) == "i");
  CHECK(iface.doc.comments() == std::vector<std::string_view>{"/// iface docs"});
  REQUIRE(iface.attrs.size() == 1);
  CHECK(iface.attrs[0].kind == wit::ast::attribute::kind::since);
  const auto& rec = std::get<wit::ast::typedef_item>(iface.items[0]);
  CHECK(rec.doc.comments() == std::vector<std::string_view>{"/** rec */"});
  const auto& fields = std::get<wit::ast::record_def>(rec.def).fields;
  REQUIRE(fields.size() == 1);
  CHECK(fields[0].doc.comments() == std::vector<std::string_view>{"/// field"});
  const auto& fn = std::get<wit::ast::func_item>(iface.items[1]);
  CHECK(fn.name.name == "type");
  CHECK(sm.text(fn.name.span) == "%type");
  const auto& list = std::get<wit::ast::list_type>(fn.func.params[0].ty.node);
  CHECK(list.size == 4u);
  CHECK(sm.text(fn.func.params[0].ty.span) == "list<u8, 4>");
  const auto& res = std::get<wit::ast::result_type>(fn.func.result->node);
  CHECK(!res.ok);
  CHECK(res.err);
  const auto& w = std::get<wit::ast::world_def>(f.items[1]);
  REQUIRE(w.items.size() == 4);
  const auto& imp = std::get<wit::ast::extern_item>(w.items[0]);
  REQUIRE(imp.label);
  CHECK(imp.label->name == "label");
  CHECK(std::get<wit::ast::use_path>(imp.what).name.name == "i");
  const auto& imp2 = std::get<wit::ast::extern_item>(w.items[1]);
  CHECK(!imp2.label);
  const auto& path = std::get<wit::ast::use_path>(imp2.what);
  REQUIRE(path.package);
  CHECK(path.package->ver->text == "2.0.0");
  CHECK(sm.text(path.span) == "ex:q/j@2.0.0");
  const auto& exp = std::get<wit::ast::extern_item>(w.items[2]);
  CHECK(!exp.is_import);
  CHECK(std::get<wit::ast::named_func>(exp.what).func.is_async);
  const auto& inc = std::get<wit::ast::include_item>(w.items[3]);
  REQUIRE(inc.with.size() == 1);
  CHECK(inc.with[0].as.name == "b");
  const auto& use = std::get<wit::ast::toplevel_use>(f.items[2]);
  CHECK(use.as->name == "jj");
  const auto& nested = *std::get<wit::ast::box<wit::ast::nested_package>>(f.items[3]);
  CHECK(nested.name.name.name == "n");
  CHECK(nested.items.size() == 1);
}
