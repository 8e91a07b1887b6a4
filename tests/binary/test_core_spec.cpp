// Decode + validate (all Wasm 3.0 features on) over the spec-test files the engine skips
// for needing a 3.0 feature (tests/engine/spec/skip.txt): every binary `module` and
// `module_definition` must be accepted, every binary `assert_invalid` and
// `assert_malformed` rejected. Prints a per-file table and a total line. A second case
// does the same over every other file of the suite (the Wasm 2.0 ones) with all
// features on, since the 3.0 suite expects the same answers there.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "../engine/spec/json.hpp"
#include "witc/binary/core_validate.hpp"

namespace fs = std::filesystem;
namespace bin = witc::binary;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Files of skip.txt whose feature is one this validator implements (`wanted`), or
// those it does not (SIMD, other proposals).
std::vector<std::string> skip_files(bool wanted_ones) {
  std::vector<std::string> out;
  std::istringstream in(slurp(fs::path(WITC_SOURCE_DIR) / "tests/engine/spec/skip.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.find(' ');
    std::string name = line.substr(0, sp), feature = sp == std::string::npos ? "" : line.substr(sp);
    bool wanted = feature.find("SIMD") == std::string::npos && feature.find("proposal") == std::string::npos;
    if (wanted == wanted_ones) out.push_back(name);
  }
  return out;
}

struct totals {
  std::size_t pass = 0, fail = 0, files = 0;
};

// Runs the validation commands of `name` (a path under the json root), prints its row.
void run_file(const fs::path& root, const std::string& name, totals& t, bool verbose) {
  fs::path dir = root / name;
  fs::path json_path = dir / (fs::path(name).filename().string() + ".json");
  if (!fs::exists(json_path)) return;
  auto doc = witc::spec::json::parse(slurp(json_path));
  REQUIRE(doc);
  bin::validate_limits opts{.features = bin::core_features::all()};
  std::size_t pass = 0, failed = 0;
  for (const auto& cmd : (*doc)["commands"].arr) {
    const std::string& type = cmd["type"].str();
    bool want_ok = type == "module" || type == "module_definition";
    bool want_err = type == "assert_invalid" || type == "assert_malformed";
    if (!want_ok && !want_err) continue;
    if (cmd["module_type"].str() != "binary") continue;
    std::string bytes = slurp(dir / cmd["filename"].str());
    auto span = std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    auto m = bin::load_module(span, 0, opts);
    if (bool(m) == want_ok) {
      ++pass;
    } else {
      ++failed;
      if (verbose)
        fmt::print("FAIL {}:{} {} {}: {}\n", name, static_cast<long>(cmd["line"].num), type, cmd["filename"].str(),
                   m ? fmt::format("accepted; expected: {}", cmd["text"].str()) : m.error()[0].message);
    }
  }
  ++t.files;
  fmt::print("{:<40} {:5} passed {:4} failed\n", name, pass, failed);
  t.pass += pass;
  t.fail += failed;
}

fs::path corpus_root() {
  const char* env = std::getenv("WITC_SHARED_DIR");
  return fs::path(env ? env : WITC_SHARED_DIR) / "corpus/wasm-spec/json";
}

}  // namespace

TEST_CASE("Wasm 3.0 spec files: decode + validate with every feature on") {
  fs::path root = corpus_root();
  if (!fs::exists(root)) {
    WARN("SKIP: " << root.string() << " is absent");
    return;
  }
  totals t;
  for (const auto& name : skip_files(true)) run_file(root, name, t, std::getenv("WITC_VERBOSE") != nullptr);
  fmt::print("core-spec 3.0 validation: {} files, {} passed, {} failed\n", t.files, t.pass, t.fail);
  CHECK(t.files > 0);
  CHECK(t.fail == 0);
}

TEST_CASE("Wasm 2.0 spec files: the same answers with every feature on") {
  fs::path root = corpus_root();
  if (!fs::exists(root)) {
    WARN("SKIP: " << root.string() << " is absent");
    return;
  }
  std::vector<std::string> skipped = skip_files(true), other = skip_files(false);
  skipped.insert(skipped.end(), other.begin(), other.end());
  totals t;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json") continue;
    std::string name = fs::relative(entry.path().parent_path(), root).generic_string();
    if (std::find(skipped.begin(), skipped.end(), name) != skipped.end()) continue;
    run_file(root, name, t, std::getenv("WITC_VERBOSE") != nullptr);
  }
  fmt::print("core-spec 2.0 files with all features: {} files, {} passed, {} failed\n", t.files, t.pass, t.fail);
  CHECK(t.files > 0);
  CHECK(t.fail == 0);
}
