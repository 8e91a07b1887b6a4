// Formatter tests: idempotent on every corpus file (format(parse(format(x))) ==
// format(x)), meaning-preserving (the resolved graph's JSON is unchanged when
// every file of a package is formatted), and golden outputs beside their inputs
// in format/ (BLESS=1 rewrites the goldens; read the diff first).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "witc/wit/ast.hpp"
#include "witc/wit/format.hpp"
#include "witc/wit/json.hpp"
#include "witc/wit/load.hpp"

namespace fs = std::filesystem;
using namespace witc;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path shared_wit() {
  if (const char* e = std::getenv("WITC_SHARED_DIR")) return fs::path(e) / "corpus" / "wit";
  return fs::path(WITC_SHARED_DIR) / "corpus" / "wit";
}

// Formats `text`; empty optional-like result when it does not parse.
bool format_text(const std::string& name, const std::string& text, std::string& out, std::string& error) {
  source_map sm;
  sm.add(name, text);
  auto r = wit::ast::parse(sm, 0);
  if (!r) {
    error = render(r.error(), sm);
    return false;
  }
  out = wit::format(*r, sm);
  return true;
}

}  // namespace

TEST_CASE("formatting is idempotent on every corpus file", "[format][corpus]") {
  if (!fs::exists(shared_wit())) {
    WARN("SKIPPED: no shared corpus at " << shared_wit().string());
    return;
  }
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(shared_wit())) {
    if (!e.is_regular_file() || e.path().extension() != ".wit") continue;
    if (e.path().string().find("parse-fail") != std::string::npos) continue;
    std::string once, twice, error;
    INFO(e.path().string());
    REQUIRE(format_text(e.path().string(), slurp(e.path()), once, error));
    INFO("formatted:\n" << once);
    bool reparsed = format_text("formatted.wit", once, twice, error);
    INFO(error);
    REQUIRE(reparsed);
    CHECK(twice == once);
    ++files;
  }
  WARN("formatted " << files << " corpus files idempotently");
  CHECK(files >= 150);
}

TEST_CASE("formatter goldens", "[format][golden]") {
  fs::path dir = fs::path(WITC_PARSER_TEST_DIR) / "format";
  bool bless = std::getenv("BLESS") != nullptr;
  int goldens = 0;
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".wit") inputs.push_back(e.path());
  std::sort(inputs.begin(), inputs.end());
  for (const auto& in : inputs) {
    std::string out, error;
    INFO(in.string() << "\n" << error);
    REQUIRE(format_text(in.string(), slurp(in), out, error));
    fs::path golden = in;
    golden += ".formatted";
    if (bless) {
      std::ofstream(golden, std::ios::binary) << out;
    } else {
      REQUIRE(fs::exists(golden));
      CHECK(out == slurp(golden));
    }
    ++goldens;
  }
  CHECK(goldens >= 2);
}

namespace {

// The resolved JSON of `path` with feature `active`, or nothing when it does not
// resolve (binary packages, for now).
bool resolved_json(const fs::path& path, std::string& json) {
  wit::resolve r;
  r.features = {"active"};
  source_map sm;
  auto pkgs = wit::push_path(r, sm, path);
  if (!pkgs) return false;
  json = wit::to_json(r);
  return true;
}

}  // namespace

TEST_CASE("formatting preserves meaning: same resolved JSON", "[format][corpus][resolve]") {
  fs::path ui = shared_wit() / "wit-parser-ui";
  if (!fs::exists(ui)) {
    WARN("SKIPPED: no shared corpus at " << ui.string());
    return;
  }
  std::vector<fs::path> packages;
  for (const auto& e : fs::directory_iterator(ui)) {
    std::string name = e.path().filename().string();
    if (name.size() <= 9 || name.substr(name.size() - 9) != ".wit.json") continue;
    std::string stem = name.substr(0, name.size() - 9);
    if (fs::is_regular_file(ui / (stem + ".wit"))) packages.push_back(ui / (stem + ".wit"));
    else if (fs::is_directory(ui / stem)) packages.push_back(ui / stem);
  }
  for (const char* v : {"0.2.0", "0.2.12", "0.3.0"})
    if (fs::is_directory(shared_wit() / "wasi" / v)) packages.push_back(shared_wit() / "wasi" / v);
  std::sort(packages.begin(), packages.end());
  fs::path tmp = fs::temp_directory_path() / fs::path("witc-fmt-meaning-" + std::to_string(::getpid()));
  int compared = 0, skipped = 0;
  for (const auto& pkg : packages) {
    std::string before, after;
    if (!resolved_json(pkg, before)) {
      ++skipped;  // does not resolve today (a binary package): nothing to compare
      continue;
    }
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    fs::path copy = tmp / pkg.filename();
    fs::copy(pkg, copy, fs::copy_options::recursive);
    std::vector<fs::path> files;
    if (fs::is_directory(copy)) {
      for (const auto& e : fs::recursive_directory_iterator(copy))
        if (e.is_regular_file() && e.path().extension() == ".wit") files.push_back(e.path());
    } else {
      files.push_back(copy);
    }
    for (const auto& f : files) {
      std::string out, error;
      REQUIRE(format_text(f.string(), slurp(f), out, error));
      std::ofstream(f, std::ios::binary | std::ios::trunc) << out;
    }
    INFO(pkg.string());
    REQUIRE(resolved_json(copy, after));
    CHECK(before == after);
    ++compared;
  }
  fs::remove_all(tmp);
  WARN("formatted packages resolving to the same JSON: " << compared << " (not resolvable, skipped: " << skipped
                                                           << ")");
  CHECK(compared >= 70);
}

TEST_CASE("string literals are re-escaped so they lex back to the same value", "[format]") {
  // Found by fuzz_wit_parse: a C1 control code written as `\u{82}` was printed raw.
  std::string text = "package a:b;\nworld w { @external-id(\"x\\u{82}\\41\\\"\\\\\\u{202e}\\u{0}\") import x: func(); }\n";
  std::string once, twice, error;
  REQUIRE(format_text("s.wit", text, once, error));
  INFO(once);
  CHECK(once.find("@external-id(\"x\\u{82}A\\\"\\\\\\u{202e}\\u{0}\")") != std::string::npos);
  REQUIRE(format_text("s2.wit", once, twice, error));
  CHECK(twice == once);
}

TEST_CASE("line comments ending in several CRs format idempotently", "[format]") {
  // Found by fuzz_wit_parse: each round dropped one CR of "// x\r\r\r\n".
  std::string text = "// x\r\r\r\npackage a:b;\r\n";
  std::string once, twice, error;
  REQUIRE(format_text("c.wit", text, once, error));
  CHECK(once == "// x\npackage a:b;\n");
  REQUIRE(format_text("c2.wit", once, twice, error));
  CHECK(twice == once);
}
