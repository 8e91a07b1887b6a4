// Reader/writer over the component spec corpus: every component the scripts expect
// to load decodes, and writing it back gives the same bytes.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>

#include "corpus.hpp"
#include "witc/binary/component_reader.hpp"

using namespace witc;
using namespace witc::binary;

namespace {
std::filesystem::path corpus_root() { return test::shared_dir() / "corpus/component-spec/json"; }
}  // namespace

TEST_CASE("component reader round-trips every loadable component of the spec corpus") {
  if (!std::filesystem::exists(corpus_root())) {
    WARN("SKIP: no component corpus at " << corpus_root().string());
    return;
  }
  auto cases = test::component_corpus(corpus_root());
  REQUIRE(cases.size() > 500);
  int decoded = 0, same = 0, total = 0;
  for (const auto& c : cases) {
    if (c.command != "module" && c.command != "module_definition" && c.command != "assert_unlinkable" &&
        c.command != "assert_uninstantiable")
      continue;
    auto bytes = test::read_bytes(c.file);
    if (!is_component(bytes)) continue;
    ++total;
    auto r = read_component(bytes);
    if (!r) {
      FAIL_CHECK(fmt::format("{}:{}: {} does not decode: {}", c.script, c.line, c.file.filename().string(),
                             r.error().front().message));
      continue;
    }
    ++decoded;
    auto out = write_component(*r);
    if (out == bytes) ++same;
    else FAIL_CHECK(fmt::format("{}:{}: {} writes different bytes", c.script, c.line, c.file.filename().string()));
  }
  fmt::print("component round trip: {} components, {} decoded, {} identical\n", total, decoded, same);
  CHECK(decoded == total);
  CHECK(same == total);
}

TEST_CASE("corrupt components give errors with byte offsets") {
  // A component with one type section holding a record with a bad field type byte.
  std::vector<std::uint8_t> b = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 7, 5, 1, 0x72, 1, 0, 0x80};
  auto r = read_component(b, 100);
  REQUIRE(!r);
  CHECK(r.error().front().span.begin >= 100 + 14);
  CHECK(!read_component(std::vector<std::uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0}));
  CHECK(!read_component(std::vector<std::uint8_t>{0, 'a', 's'}));
  // Truncating a good component at every byte never crashes and always fails.
  std::vector<std::uint8_t> good = {0, 'a', 's', 'm', 0x0d, 0, 1, 0, 7, 3, 1, 0x70, 0x73};
  REQUIRE(read_component(good));
  for (std::size_t n = 0; n < good.size(); ++n)
    if (n != 8)  // the bare preamble is a valid empty component
    CHECK(!read_component(std::span<const std::uint8_t>(good.data(), n)));
}
