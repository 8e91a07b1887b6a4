// Unit tests of the C++ generator: names, diagnostics, and the golden sample.
#include <catch2/catch.hpp>

#include "witc/bindgen/cpp.hpp"

TEST_CASE("cpp_name: kebab-case to snake_case, keywords escaped", "[bindgen]") {
  CHECK(witc::bindgen::cpp_name("get-value") == "get_value");
  CHECK(witc::bindgen::cpp_name("class") == "class_");
  CHECK(witc::bindgen::cpp_name("HTTP-error") == "http_error");
  CHECK(witc::bindgen::cpp_name("%type") == "type");
}

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "guest_compile.hpp"
#include "witc/wit/load.hpp"

namespace fs = std::filesystem;

namespace {
std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

witc::result<std::vector<witc::bindgen::output_file>> generate(const std::string& text, const std::string& world,
                                                               witc::source_map& sm) {
  witc::wit::resolve r;
  WITC_TRY(auto pkgs, witc::wit::push_source(r, sm, "test.wit", text));
  WITC_TRY(auto w, witc::wit::select_world(r, pkgs, world));
  return witc::bindgen::generate_cpp(r, w);
}
}  // namespace

TEST_CASE("golden: the sample world's generated code", "[bindgen][golden]") {
  const fs::path dir = WITC_GOLDEN_DIR;
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, dir / "sample.wit");
  INFO((pkgs ? std::string() : witc::render(pkgs.error(), sm)));
  REQUIRE(pkgs);
  auto w = witc::wit::select_world(r, *pkgs, "sample");
  REQUIRE(w);
  auto files = witc::bindgen::generate_cpp(r, *w);
  INFO((files ? std::string() : witc::render(files.error(), sm)));
  REQUIRE(files);
  const bool bless = std::getenv("BLESS") != nullptr;
  for (const auto& f : *files) {
    if (f.name == "witc_guest.hpp") continue;  // a fixed file, kept in bindgen/support/
    const auto path = dir / "sample" / f.name;
    if (bless) {
      fs::create_directories(path.parent_path());
      std::ofstream(path, std::ios::binary) << f.contents;
      continue;
    }
    INFO("golden file " << path << " (regenerate with BLESS=1 after reading the diff)");
    CHECK(read_file(path) == f.contents);
  }
  if (!witc_test::guest_cxx().empty()) {
    const auto scratch = fs::temp_directory_path() / "witc-bindgen-golden";
    fs::remove_all(scratch);
    auto err = witc_test::compile_guest(*files, scratch);
    INFO(err);
    CHECK(err.empty());
  }
}

TEST_CASE("async functions and streams are refused by name", "[bindgen]") {
  witc::source_map sm;
  auto files = generate("package a:b; world w { export f: async func(); }", "w", sm);
  REQUIRE_FALSE(files);
  CHECK(files.error().front().message.find("function `f` is async") != std::string::npos);
  auto files2 = generate("package a:b; world w { import g: func(s: stream<u8>); }", "w", sm);
  REQUIRE_FALSE(files2);
  CHECK(files2.error().front().message.find("function `g` uses `stream`") != std::string::npos);
}
