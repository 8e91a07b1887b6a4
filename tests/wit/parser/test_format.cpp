// Formatter tests: idempotent on every corpus file (format(parse(format(x))) ==
// format(x)), and golden outputs beside their inputs in format/ (BLESS=1 rewrites
// the goldens; read the diff first).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "witc/wit/ast.hpp"
#include "witc/wit/format.hpp"

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
