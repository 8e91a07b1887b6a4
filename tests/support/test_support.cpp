#include <catch2/catch.hpp>

#include "witc/support/result.hpp"
#include "witc/support/utf8.hpp"

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

TEST_CASE("valid_utf8 accepts strict UTF-8 only", "[support][utf8]") {
  using namespace std::string_view_literals;
  CHECK(witc::valid_utf8(""));
  CHECK(witc::valid_utf8("plain ASCII, longer than one eight-byte word"));
  CHECK(witc::valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // 2-, 3- and 4-byte forms
  CHECK(witc::valid_utf8("\xf4\x8f\xbf\xbf"));                           // U+10FFFF
  CHECK(witc::valid_utf8("nul \0 byte"sv));
  CHECK_FALSE(witc::valid_utf8("\xc0\x80"));              // overlong NUL
  CHECK_FALSE(witc::valid_utf8("\xe0\x80\xaf"));          // overlong 3-byte
  CHECK_FALSE(witc::valid_utf8("\xed\xa0\x80"));          // surrogate U+D800
  CHECK_FALSE(witc::valid_utf8("\xf4\x90\x80\x80"));      // past U+10FFFF
  CHECK_FALSE(witc::valid_utf8("\xf8\x88\x80\x80\x80"));  // 5-byte form
  CHECK_FALSE(witc::valid_utf8("abcdefgh\x80"));          // stray continuation after a word
  CHECK_FALSE(witc::valid_utf8("\xc3"));                  // truncated
  CHECK_FALSE(witc::valid_utf8("abcdefg\xe2\x82"));       // truncated at the end
}
