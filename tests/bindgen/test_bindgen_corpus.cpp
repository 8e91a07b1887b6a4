// Bindings for every world of every wit-parser success case and of the WASI packages
// must compile for wasm32-wasi with -Wall -Wextra -Werror. Async-only worlds (those
// bindgen refuses as "not supported yet") are counted, not failed.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>

#include "guest_compile.hpp"
#include "witc/bindgen/cpp.hpp"
#include "witc/wit/load.hpp"

namespace fs = std::filesystem;

namespace {
struct counts {
  int compiled = 0, unsupported = 0, unresolved = 0, failed = 0;
};

void run_case(const fs::path& input, counts& c, const fs::path& scratch, std::vector<std::string>& failures) {
  witc::wit::resolve r;
  r.features = {"active"};
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, input);
  if (!pkgs) {
    ++c.unresolved;
    return;
  }
  for (std::uint32_t w = 0; w < r.worlds.size(); ++w) {
    auto files = witc::bindgen::generate_cpp(r, witc::wit::world_id{w});
    const std::string label = fmt::format("{} world `{}`", input.filename().string(), r.worlds[w].name);
    if (!files) {
      const auto& msg = files.error().front().message;
      if (msg.find("not supported yet") != std::string::npos) {
        ++c.unsupported;
      } else {
        ++c.failed;
        failures.push_back(label + ": " + witc::render(files.error(), sm));
      }
      continue;
    }
    auto err = witc_test::compile_guest(*files, scratch / fmt::format("{}-{}", input.filename().string(), w));
    if (err.empty()) {
      ++c.compiled;
    } else {
      ++c.failed;
      failures.push_back(label + ":\n" + err.substr(0, 3000));
    }
  }
}

fs::path scratch_dir(const char* name) {
  auto dir = fs::temp_directory_path() / "witc-bindgen-corpus" / name;
  fs::remove_all(dir);
  return dir;
}
}  // namespace

TEST_CASE("bindings for every wit-parser-ui world compile for wasm32", "[bindgen][corpus]") {
  const fs::path ui = fs::path(WITC_SHARED_DIR) / "corpus/wit/wit-parser-ui";
  if (!fs::exists(ui)) {
    WARN("SKIP: " << ui << " is absent");
    return;
  }
  if (witc_test::guest_cxx().empty()) {
    WARN("SKIP: no clang++ for wasm32 found");
    return;
  }
  const auto scratch = scratch_dir("ui");
  counts c;
  std::vector<std::string> failures;
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(ui)) {
    const auto name = e.path().filename().string();
    if (name.ends_with(".wit.json")) {
      const auto input = ui / name.substr(0, name.size() - 5);
      if (fs::exists(input)) inputs.push_back(input);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& input : inputs) run_case(input, c, scratch, failures);
  for (const auto& f : failures) UNSCOPED_INFO(f);
  WARN(fmt::format("wit-parser-ui: {} cases, worlds compiled {}, async/unsupported {}, failed {}, cases the resolver rejected {}",
                   inputs.size(), c.compiled, c.unsupported, c.failed, c.unresolved));
  CHECK(c.failed == 0);
  CHECK(c.compiled > 0);
}

TEST_CASE("bindings for every WASI world compile for wasm32", "[bindgen][corpus]") {
  const fs::path wasi = fs::path(WITC_SHARED_DIR) / "corpus/wit/wasi";
  if (!fs::exists(wasi)) {
    WARN("SKIP: " << wasi << " is absent");
    return;
  }
  if (witc_test::guest_cxx().empty()) {
    WARN("SKIP: no clang++ for wasm32 found");
    return;
  }
  const auto scratch = scratch_dir("wasi");
  counts c;
  std::vector<std::string> failures;
  for (const char* version : {"0.2.0", "0.2.12", "0.3.0"}) {
    const auto dir = wasi / version;
    if (fs::exists(dir)) run_case(dir, c, scratch / version, failures);
  }
  for (const auto& f : failures) UNSCOPED_INFO(f);
  WARN(fmt::format("WASI: worlds compiled {}, async/unsupported {}, failed {}, versions the resolver rejected {}",
                   c.compiled, c.unsupported, c.failed, c.unresolved));
  CHECK(c.failed == 0);
  CHECK(c.unresolved == 0);
  CHECK(c.compiled > 0);
}
