// The validator over the component spec scripts: components the scripts load must
// validate, and every `assert_invalid` / `assert_malformed` binary must be rejected.
// Prints the counts per script and a closing `N passed, N failed` line.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "corpus.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"

using namespace witc;
using namespace witc::binary;

namespace {

// Wasmtime's scripts expect wasmtime's defaults: its runtime restrictions, and the
// features their `;;!` lines (`<script>.flags.txt`) turn on or off.
component_validate_options options_for(const std::filesystem::path& script) {
  component_validate_options o;
  if (script.string().rfind("wasmtime/", 0) != 0) return o;
  o.wasmtime_restrictions = true;
  auto flags = script.parent_path() / (script.stem().string() + ".flags.txt");
  std::ifstream in(test::shared_dir() / "corpus/component-spec/json" / flags);
  for (std::string line; std::getline(in, line);)
    if (line.find("component_model_implements = false") != std::string::npos) o.implements = false;
    else if (line.find("component_model_memory64 = true") != std::string::npos) o.memory64 = true;
  return o;
}

}  // namespace

TEST_CASE("component validator over the component spec corpus") {
  auto root = test::shared_dir() / "corpus/component-spec/json";
  if (!std::filesystem::exists(root)) {
    WARN("SKIP: no component corpus at " << root.string());
    return;
  }
  struct counts { int pass = 0, fail = 0; };
  std::map<std::string, counts> per_script;
  int passed = 0, failed = 0, valid_ok = 0, valid_total = 0, invalid_ok = 0, invalid_total = 0;
  bool verbose = std::getenv("WITC_VERBOSE") != nullptr;
  for (const auto& c : test::component_corpus(root)) {
    bool expect_valid = c.command == "module" || c.command == "module_definition" ||
                        c.command == "assert_unlinkable" || c.command == "assert_uninstantiable";
    bool expect_invalid = c.command == "assert_invalid" || c.command == "assert_malformed";
    if (!expect_valid && !expect_invalid) continue;
    auto bytes = test::read_bytes(c.file);
    auto r = validate_wasm(bytes, 0, options_for(c.script));
    bool good = expect_valid ? r.has_value() : !r.has_value();
    auto script = std::filesystem::path(c.script).parent_path().string();
    (good ? per_script[script].pass : per_script[script].fail)++;
    (good ? passed : failed)++;
    if (expect_valid) { ++valid_total; valid_ok += good; }
    else { ++invalid_total; invalid_ok += good; }
    if (!good && verbose)
      fmt::print("FAIL {}:{} {} {}: {}\n", c.script, c.line, c.command, c.file.filename().string(),
                 expect_valid ? r.error().front().message : "accepted; expected: " + c.text);
  }
  for (const auto& [s, n] : per_script) fmt::print("{:<70} {:>4} passed {:>4} failed\n", s, n.pass, n.fail);
  fmt::print("valid: {}/{} accepted; invalid: {}/{} rejected\n", valid_ok, valid_total, invalid_ok, invalid_total);
  fmt::print("component-spec: {} passed, {} failed\n", passed, failed);
  CHECK(passed + failed > 900);
  // Everything the reference accepts and rejects.
  CHECK(failed == 0);
  CHECK(invalid_ok >= 459);
}
