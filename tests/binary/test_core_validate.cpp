#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "witc/binary/core_validate.hpp"

namespace bin = witc::binary;

namespace {

using bytes = std::vector<std::uint8_t>;

bytes leb(std::uint32_t n) {
  bytes out;
  do {
    std::uint8_t b = n & 0x7F;
    n >>= 7;
    out.push_back(static_cast<std::uint8_t>(b | (n ? 0x80 : 0)));
  } while (n);
  return out;
}
bytes section(std::uint8_t id, const bytes& body) {
  bytes out{id};
  auto n = leb(static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), n.begin(), n.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
bytes module_of(std::initializer_list<bytes> sections) {
  bytes out{0, 'a', 's', 'm', 1, 0, 0, 0};
  for (auto& s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}
// One function of type 0 with `body` (locals + code + end).
bytes code_of(const bytes& body) {
  bytes c{1};
  auto n = leb(static_cast<std::uint32_t>(body.size()));
  c.insert(c.end(), n.begin(), n.end());
  c.insert(c.end(), body.begin(), body.end());
  return section(10, c);
}

std::string error_of(const bytes& b, bin::core_features f) {
  auto m = bin::load_module(b, 0, {.features = f});
  return m ? "" : m.error()[0].message;
}

}  // namespace

TEST_CASE("the engine's default rejects Wasm 3.0 features by name; all() accepts them") {
  // A tag and a function that throws it from inside try_table.
  auto exn = module_of({section(1, {2, 0x60, 1, 0x7F, 0, 0x60, 0, 1, 0x7F}), section(3, {1, 1}),
                        section(13, {1, 0, 0}),
                        code_of({0, 0x02, 0x7F, 0x1F, 0x40, 1, 0, 0, 0, 0x41, 1, 0x08, 0, 0x0B, 0x00, 0x0B, 0x0B})});
  CHECK(error_of(exn, bin::core_features::all()) == "");
  CHECK(error_of(exn, bin::core_features::wasm2()) == "feature `exceptions` is not supported");

  // Two memories, the first 64-bit; an i64 load from it.
  auto mem = module_of({section(1, {1, 0x60, 0, 1, 0x7E}), section(3, {1, 0}), section(5, {2, 4, 1, 0, 1}),
                        code_of({0, 0x42, 0, 0x29, 3, 0, 0x0B})});
  CHECK(error_of(mem, bin::core_features::all()) == "");
  CHECK(error_of(mem, bin::core_features::wasm2()) == "feature `memory64` is not supported");
  auto f = bin::core_features::all();
  f.multi_memory = false;
  CHECK(error_of(mem, f) == "multiple memories");

  // return_call needs tail calls.
  auto tail = module_of({section(1, {1, 0x60, 0, 0}), section(3, {1, 0}), code_of({0, 0x12, 0, 0x0B})});
  CHECK(error_of(tail, bin::core_features::all()) == "");
  CHECK(error_of(tail, bin::core_features::wasm2()) == "feature `tail-call` is not supported");
}

TEST_CASE("typed references: non-null locals must be set before use") {
  // (func (local (ref func)) local.get 0 drop)
  auto bad = module_of({section(1, {1, 0x60, 0, 0}), section(3, {1, 0}), code_of({1, 1, 0x64, 0x70, 0x20, 0, 0x1A, 0x0B})});
  CHECK(error_of(bad, bin::core_features::all()) == "uninitialized local 0");
  CHECK(error_of(bad, bin::core_features::wasm2()) == "feature `function-references` is not supported");
}

TEST_CASE("errors carry the byte offset of the offending instruction") {
  // i32.add on an empty stack at byte offset 0x17 of the module.
  auto b = module_of({section(1, {1, 0x60, 0, 0}), section(3, {1, 0}), code_of({0, 0x6A, 0x0B})});
  auto m = bin::load_module(b);
  REQUIRE_FALSE(m);
  CHECK(m.error()[0].message == "type mismatch: operand stack is empty");
  CHECK(m.error()[0].span.begin == b.size() - 2);
}
