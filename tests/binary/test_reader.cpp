#include <catch2/catch.hpp>

#include <vector>

#include "witc/binary/reader.hpp"

using witc::binary::reader;

namespace {
reader over(const std::vector<std::uint8_t>& v) { return reader(std::span(v.data(), v.size())); }
}  // namespace

TEST_CASE("LEB128 decoding follows the core spec's limits") {
  std::vector<std::uint8_t> a{0xE5, 0x8E, 0x26};
  CHECK(*over(a).u32() == 624485);
  std::vector<std::uint8_t> max{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  CHECK(*over(max).u32() == 0xFFFFFFFFu);
  std::vector<std::uint8_t> too_big{0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  CHECK_FALSE(over(too_big).u32());
  std::vector<std::uint8_t> too_long{0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  CHECK_FALSE(over(too_long).u32());
  std::vector<std::uint8_t> minus_one{0x7F};
  CHECK(*over(minus_one).s32() == -1);
  std::vector<std::uint8_t> min32{0x80, 0x80, 0x80, 0x80, 0x78};
  CHECK(*over(min32).s32() == INT32_MIN);
  std::vector<std::uint8_t> bad_sign{0x80, 0x80, 0x80, 0x80, 0x70};
  CHECK_FALSE(over(bad_sign).s32());
  std::vector<std::uint8_t> neg_s33{0x40};
  CHECK(*over(neg_s33).s33() == -64);
  std::vector<std::uint8_t> s64min{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F};
  CHECK(*over(s64min).s64() == INT64_MIN);
  std::vector<std::uint8_t> cut{0x80};
  auto r = over(cut).u32();
  REQUIRE_FALSE(r);
  CHECK(r.error()[0].message == "unexpected end of input");
}

TEST_CASE("names must be valid UTF-8") {
  std::vector<std::uint8_t> good{3, 'a', 0xC3, 0xA9};
  CHECK(*over(good).name() == "a\xC3\xA9");
  std::vector<std::uint8_t> surrogate{3, 0xED, 0xA0, 0x80};
  CHECK_FALSE(over(surrogate).name());
  std::vector<std::uint8_t> overlong{2, 0xC0, 0x80};
  CHECK_FALSE(over(overlong).name());
}
