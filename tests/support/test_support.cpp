#include <catch2/catch.hpp>

#include "witc/support/result.hpp"

using namespace witc;

namespace {
result<int> parse_digit(char c, span sp) {
  if (c < '0' || c > '9') return fail(diagnostic::error(sp, "expected a digit, found `" + std::string(1, c) + "`"));
  return c - '0';
}
result<int> sum2(const char* s, std::uint32_t base) {
  WITC_TRY(int a, parse_digit(s[0], {base, base + 1}));
  WITC_TRY(int b, parse_digit(s[1], {base + 1, base + 2}));
  return a + b;
}
}  // namespace

TEST_CASE("result propagates the first failure") {
  source_map sm;
  auto base = sm.add("x.txt", "4x\n");
  auto good = sum2("45", base);
  REQUIRE(good);
  CHECK(*good == 9);
  auto bad = sum2("4x", base);
  REQUIRE_FALSE(bad);
  REQUIRE(bad.error().size() == 1);
  CHECK(render(bad.error(), sm) ==
        "error: expected a digit, found `x`\n"
        "  --> x.txt:1:2\n"
        "  |\n"
        "1 | 4x\n"
        "  |  ^\n");
}

TEST_CASE("source map locates lines, columns and files") {
  source_map sm;
  auto a = sm.add("a.wit", "one\ntwo\n");
  auto b = sm.add("b.wit", "x\n  héllo y\n");
  CHECK(sm.locate(a + 4).line == 2);
  CHECK(sm.locate(a + 4).column == 1);
  auto loc = sm.locate(b + 2 + 9);  // the `y`, after a two-byte `é`
  CHECK(loc.file == "b.wit");
  CHECK(loc.line == 2);
  CHECK(loc.column == 9);
  CHECK(loc.line_text == "  héllo y");
  auto bin = sm.add("m.wasm", std::string("\0asm", 4), true);
  CHECK(render(diagnostic::error({bin + 3, bin + 4}, "bad magic"), sm) ==
        "error: bad magic\n  --> m.wasm: byte offset 0x3\n");
}
