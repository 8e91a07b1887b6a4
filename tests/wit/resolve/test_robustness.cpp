// Inputs meant to break a resolver: long chains and cycles must give a result or a
// clean diagnostic, never a crash or a host stack overflow.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "witc/wit/json.hpp"
#include "witc/wit/load.hpp"

namespace fs = std::filesystem;

namespace {

witc::result<std::vector<witc::wit::package_id>> resolve_text(witc::wit::resolve& r, witc::source_map& sm,
                                                               std::string text) {
  return witc::wit::push_source(r, sm, "test.wit", std::move(text));
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / fmt::format("witc-resolve-{}", std::rand());
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream(path / rel) << text;
  }
};

}  // namespace

TEST_CASE("a long chain of `use` across interfaces resolves", "[wit][resolve][robust]") {
  std::string text = "package a:b;\ninterface i0 { type t = u32; }\n";
  const int n = 20000;
  for (int i = 1; i < n; ++i) text += fmt::format("interface i{} {{ use i{}.{{t}}; }}\n", i, i - 1);
  text += fmt::format("world w {{ import i{}; export i{}; }}\n", n - 1, n - 1);
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, text);
  if (!pkgs) FAIL(witc::render(pkgs.error(), sm));
  CHECK(r.interfaces.size() == static_cast<std::size_t>(n));
  // Elaboration imports every interface of the chain.
  CHECK(r.worlds[0].imports.size() == static_cast<std::size_t>(n));
}

TEST_CASE("a long chain of type aliases and a world export of it resolve", "[wit][resolve][robust]") {
  std::string text = "package a:b;\ninterface i {\n  resource r;\n  type t0 = borrow<r>;\n";
  const int n = 100000;
  for (int i = 1; i < n; ++i) text += fmt::format("  type t{} = t{};\n", i, i - 1);
  text += fmt::format("  f: func() -> t{};\n}}\n", n - 1);
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, text);
  REQUIRE(!pkgs);
  CHECK(pkgs.error().front().message.find("borrow<T>") != std::string::npos);
}

TEST_CASE("a use cycle is reported, not followed", "[wit][resolve][robust]") {
  std::string text = "package a:b;\n";
  const int n = 5000;
  for (int i = 0; i < n; ++i) text += fmt::format("interface i{} {{ use i{}.{{t}}; }}\n", i, (i + 1) % n);
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, text);
  REQUIRE(!pkgs);
  CHECK(pkgs.error().front().message.find("depends on itself") != std::string::npos);
}

TEST_CASE("a long chain of world includes resolves", "[wit][resolve][robust]") {
  std::string text = "package a:b;\nworld w0 { import fn0: func(); }\n";
  const int n = 400;
  for (int i = 1; i < n; ++i) text += fmt::format("world w{} {{ include w{}; import fn{}: func(); }}\n", i, i - 1, i);
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, text);
  if (!pkgs) FAIL(witc::render(pkgs.error(), sm));
  CHECK(r.worlds.back().imports.size() == static_cast<std::size_t>(n));
}

TEST_CASE("a deps/ cycle gives a diagnostic", "[wit][resolve][robust]") {
  temp_dir d;
  d.write("root.wit", "package a:root;\ninterface i { use a:one/x.{t}; }\n");
  d.write("deps/one/x.wit", "package a:one;\ninterface x { use a:two/y.{t}; }\n");
  d.write("deps/two/y.wit", "package a:two;\ninterface y { use a:one/x.{t}; }\n");
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, d.path);
  REQUIRE(!pkgs);
  CHECK(pkgs.error().front().message.find("creates a dependency cycle") != std::string::npos);
  CHECK(pkgs.error().front().has_span);
}

TEST_CASE("a long chain of dependency packages resolves", "[wit][resolve][robust]") {
  std::string text = "package p:main;\npackage p:p0 { interface i { type t = u32; } }\n";
  const int n = 3000;
  for (int i = 1; i < n; ++i)
    text += fmt::format("package p:p{} {{ interface i {{ use p:p{}/i.{{t}}; }} }}\n", i, i - 1);
  text += fmt::format("interface m {{ use p:p{}/i.{{t}}; }}\n", n - 1);
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, text);
  if (!pkgs) FAIL(witc::render(pkgs.error(), sm));
  CHECK(r.packages.size() == static_cast<std::size_t>(n + 1));
}

TEST_CASE("bad bytes give diagnostics", "[wit][resolve][robust]") {
  for (std::string text : {std::string("package a:b;\ninterface \xff\xfe {}\n"), std::string("package a:b;\0", 13),
                           std::string("package a:b;\n/* unterminated"), std::string("")}) {
    witc::wit::resolve r;
    witc::source_map sm;
    auto pkgs = resolve_text(r, sm, text);
    CHECK(!pkgs);
    if (!pkgs) CHECK(!pkgs.error().empty());
  }
}

TEST_CASE("100,000 nested lists give a diagnostic, not a stack overflow", "[wit][resolve][robust]") {
  const int depth = 100000;
  std::string text = "package a:b;\ninterface i {\n  type t = ";
  for (int i = 0; i < depth; ++i) text += "list<";
  text += "u8";
  for (int i = 0; i < depth; ++i) text += ">";
  text += ";\n}\n";
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, text);
  REQUIRE(!pkgs);
  CHECK(pkgs.error().front().message.find("too deep") != std::string::npos);
}

TEST_CASE("a 50 MB file resolves to a located diagnostic", "[wit][resolve][robust]") {
  std::string text = "package a:b;\ninterface i {\n  type t = missing;\n}\n";
  const std::string filler = "// filler line to make the file large, which the lexer must skip quickly\n";
  while (text.size() < 50u * 1000u * 1000u) text += filler;
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = resolve_text(r, sm, std::move(text));
  REQUIRE(!pkgs);
  const auto& d = pkgs.error().front();
  CHECK(d.message == "type `missing` does not exist");
  CHECK(sm.locate(d.span.begin).line == 3);
}
