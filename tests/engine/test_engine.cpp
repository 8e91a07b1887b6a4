// Embedding API of the engine: decoding errors, host functions, traps with backtraces,
// limits (call depth, fuel, interrupt, memory) and module reuse across stores.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

#include "witc/binary/core_validate.hpp"
#include "witc/engine/engine.hpp"

using namespace witc;
using namespace witc::engine;
using bytes = std::vector<std::uint8_t>;

namespace {

// A minimal module assembler: enough to write the tests' modules by hand.
bytes leb(std::uint64_t v) {
  bytes o;
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    o.push_back(v ? b | 0x80 : b);
  } while (v);
  return o;
}
bytes cat(std::initializer_list<bytes> parts) {
  bytes o;
  for (auto& p : parts) o.insert(o.end(), p.begin(), p.end());
  return o;
}
bytes section(std::uint8_t id, const bytes& body) { return cat({{id}, leb(body.size()), body}); }
bytes vec(std::initializer_list<bytes> items) {
  bytes o = leb(items.size());
  for (auto& i : items) o.insert(o.end(), i.begin(), i.end());
  return o;
}
bytes str(std::string_view s) { return cat({leb(s.size()), bytes(s.begin(), s.end())}); }
bytes body(const bytes& locals, const bytes& code) {
  bytes b = cat({locals, code});
  return cat({leb(b.size()), b});
}
const bytes header = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};

std::shared_ptr<const compiled_module> compile(const witc::engine::engine& eng, const bytes& b) {
  auto m = eng.compile(std::span<const std::uint8_t>(b));
  if (!m) FAIL(m.error()[0].message);
  return *m;
}

}  // namespace

TEST_CASE("malformed modules are rejected with the byte offset of the problem") {
  bytes bad_magic = {0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00};
  auto r = binary::decode_module(std::span<const std::uint8_t>(bad_magic), 100);
  REQUIRE_FALSE(r);
  CHECK(r.error()[0].span.begin == 100);
  CHECK(r.error()[0].message == "magic header not detected");

  // A type section whose function type is cut short: the error points past the header.
  bytes cut = cat({header, section(1, {0x01, 0x60, 0x01})});
  auto r2 = binary::decode_module(std::span<const std::uint8_t>(cut));
  REQUIRE_FALSE(r2);
  CHECK(r2.error()[0].span.begin >= 8);

  // Valid structure, invalid typing: `i32.add` with one operand.
  bytes ill = cat({header, section(1, vec({{0x60, 0x00, 0x01, 0x7F}})), section(3, vec({{0x00}})),
                   section(10, vec({body({0x00}, {0x41, 0x01, 0x6A, 0x0B})}))});
  auto m = binary::decode_module(std::span<const std::uint8_t>(ill));
  REQUIRE(m);
  auto v = binary::validate_module(**m);
  REQUIRE_FALSE(v);
  CHECK(v.error()[0].message.find("type mismatch") != std::string::npos);
}

TEST_CASE("host functions are imported and called with typed values") {
  witc::engine::engine eng;
  // (import "env" "twice" (func (param i32) (result i32)))
  // (func (export "f") (param i32) (result i32) (i32.add (call 0 (local.get 0)) (i32.const 1)))
  bytes b = cat({header, section(1, vec({{0x60, 0x01, 0x7F, 0x01, 0x7F}})),
                 section(2, vec({cat({str("env"), str("twice"), {0x00, 0x00}})})), section(3, vec({{0x00}})),
                 section(7, vec({cat({str("f"), {0x00, 0x01}})})),
                 section(10, vec({body({0x00}, {0x20, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6A, 0x0B})}))});
  auto mod = compile(eng, b);
  store st(eng);
  int calls = 0;
  auto* twice = st.host_func({{valtype::i32}, {valtype::i32}}, "twice",
                             [&](caller&, std::span<std::uint64_t> io) -> std::optional<trap> {
                               ++calls;
                               io[0] = static_cast<std::uint32_t>(io[0]) * 2;
                               return std::nullopt;
                             });
  extern_val imp{binary::extern_kind::func, twice};
  auto inst = st.instantiate(mod, std::span(&imp, 1));
  REQUIRE(inst);
  value arg = value::i32(20);
  auto r = st.call((*inst)->export_func("f"), std::span(&arg, 1));
  REQUIRE(r);
  CHECK((*r)[0].as_i32() == 41);
  CHECK(calls == 1);

  // A wrong argument type is refused before running.
  value wrong = value::i64(1);
  CHECK_FALSE(st.call((*inst)->export_func("f"), std::span(&wrong, 1)));

  // Linking a function of the wrong type fails.
  store st2(eng);
  auto* bad = st2.host_func({{}, {}}, "nothing", [](caller&, std::span<std::uint64_t>) -> std::optional<trap> { return {}; });
  extern_val bad_imp{binary::extern_kind::func, bad};
  CHECK_FALSE(st2.instantiate(mod, std::span(&bad_imp, 1)));
}

TEST_CASE("traps carry a backtrace with names from the name section") {
  witc::engine::engine eng;
  // func 0 "inner": unreachable; func 1 "outer" (exported): call 0
  bytes names = cat({str("name"), {0x01}, leb(cat({vec({cat({{0x00}, str("inner")}), cat({{0x01}, str("outer")})})}).size()),
                     vec({cat({{0x00}, str("inner")}), cat({{0x01}, str("outer")})})});
  bytes b = cat({header, section(1, vec({{0x60, 0x00, 0x00}})), section(3, vec({{0x00}, {0x00}})),
                 section(7, vec({cat({str("run"), {0x00, 0x01}})})),
                 section(10, vec({body({0x00}, {0x00, 0x0B}), body({0x00}, {0x10, 0x00, 0x0B})})), section(0, names)});
  auto mod = compile(eng, b);
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto r = st.call((*inst)->export_func("run"), {});
  REQUIRE_FALSE(r);
  REQUIRE(st.last_trap());
  CHECK(st.last_trap()->kind == trap_kind::unreachable);
  REQUIRE(st.last_trap()->backtrace.size() == 2);
  CHECK(st.last_trap()->backtrace[0] == "inner");
  CHECK(st.last_trap()->backtrace[1] == "outer");
  CHECK(describe(*st.last_trap()).find("wasm trap: unreachable") != std::string::npos);
}

TEST_CASE("deep recursion traps cleanly instead of overflowing the host stack") {
  witc::engine::engine eng;
  // (func (export "down") (param i32) (result i32) (i32.add (call 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  bytes b = cat({header, section(1, vec({{0x60, 0x01, 0x7F, 0x01, 0x7F}})), section(3, vec({{0x00}})),
                 section(7, vec({cat({str("down"), {0x00, 0x00}})})),
                 section(10, vec({body({0x00}, {0x20, 0x00, 0x41, 0x01, 0x6A, 0x10, 0x00, 0x41, 0x01, 0x6A, 0x0B})}))});
  auto mod = compile(eng, b);
  for (std::uint32_t depth : {100u, 100000u}) {
    limits lim;
    lim.max_call_depth = depth;
    store st(eng, lim);
    auto inst = st.instantiate(mod, {});
    REQUIRE(inst);
    value arg = value::i32(0);
    auto r = st.call((*inst)->export_func("down"), std::span(&arg, 1));
    REQUIRE_FALSE(r);
    CHECK(st.last_trap()->kind == trap_kind::call_stack_exhausted);
    // The store stays usable after the trap.
    CHECK_FALSE(st.call((*inst)->export_func("down"), std::span(&arg, 1)));
  }
}

namespace {
// (func (export "spin") (loop (br 0)))
bytes spin_module() {
  return cat({header, section(1, vec({{0x60, 0x00, 0x00}})), section(3, vec({{0x00}})),
              section(7, vec({cat({str("spin"), {0x00, 0x00}})})),
              section(10, vec({body({0x00}, {0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B})}))});
}
}  // namespace

TEST_CASE("fuel bounds the work a call may do") {
  witc::engine::engine eng;
  auto mod = compile(eng, spin_module());
  limits lim;
  lim.fuel = 100000;
  store st(eng, lim);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto r = st.call((*inst)->export_func("spin"), {});
  REQUIRE_FALSE(r);
  CHECK(st.last_trap()->kind == trap_kind::out_of_fuel);
}

TEST_CASE("another thread can interrupt a running instance") {
  witc::engine::engine eng;
  auto mod = compile(eng, spin_module());
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    st.interrupt();
  });
  auto r = st.call((*inst)->export_func("spin"), {});
  stopper.join();
  REQUIRE_FALSE(r);
  CHECK(st.last_trap()->kind == trap_kind::interrupted);
}

TEST_CASE("memory growth respects the store's page limit and traps stay in bounds") {
  witc::engine::engine eng;
  // (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  // (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  bytes b = cat({header, section(1, vec({{0x60, 0x01, 0x7F, 0x01, 0x7F}})), section(3, vec({{0x00}, {0x00}})),
                 section(5, vec({{0x00, 0x01}})),
                 section(7, vec({cat({str("grow"), {0x00, 0x00}}), cat({str("load"), {0x00, 0x01}})})),
                 section(10, vec({body({0x00}, {0x20, 0x00, 0x40, 0x00, 0x0B}),
                                  body({0x00}, {0x20, 0x00, 0x28, 0x02, 0x00, 0x0B})}))});
  auto mod = compile(eng, b);
  limits lim;
  lim.max_memory_pages = 3;
  store st(eng, lim);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto call = [&](const char* name, std::int32_t v) {
    value arg = value::i32(v);
    return st.call((*inst)->export_func(name), std::span(&arg, 1));
  };
  CHECK((*call("grow", 2))[0].as_i32() == 1);
  CHECK((*call("grow", 1))[0].as_i32() == -1);
  CHECK(call("load", 3 * 65536 - 4));
  CHECK_FALSE(call("load", 3 * 65536 - 3));
  CHECK(st.last_trap()->kind == trap_kind::memory_out_of_bounds);
  CHECK_FALSE(call("load", -1));
}

TEST_CASE("one compiled module instantiates in many stores") {
  witc::engine::engine eng;
  auto mod = compile(eng, spin_module());
  for (int i = 0; i < 3; ++i) {
    store st(eng);
    CHECK(st.instantiate(mod, {}));
  }
  CHECK(module_of(*mod).exports.size() == 1);
}

TEST_CASE("a branch on a loaded value is not fused with an earlier comparison") {
  witc::engine::engine eng;
  // (memory 1) (func (export "f") (result i32)
  //   (drop (i32.lt_s (i32.const 1) (i32.const 2)))
  //   (block (br_if 0 (i32.load (i32.const 0))) (return (i32.const 7))) (i32.const 9))
  bytes b = cat({header, section(1, vec({{0x60, 0x00, 0x01, 0x7F}})), section(3, vec({{0x00}})),
                 section(5, vec({{0x00, 0x01}})), section(7, vec({cat({str("f"), {0x00, 0x00}})})),
                 section(10, vec({body({0x00}, {0x41, 0x01, 0x41, 0x02, 0x48, 0x1A, 0x02, 0x40, 0x41, 0x00, 0x28, 0x02,
                                                0x00, 0x0D, 0x00, 0x41, 0x07, 0x0F, 0x0B, 0x41, 0x09, 0x0B})}))});
  auto mod = compile(eng, b);
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto r = st.call((*inst)->export_func("f"), {});
  REQUIRE(r);
  CHECK((*r)[0].as_i32() == 7);
}

TEST_CASE("a load of an added address wraps the addition to 32 bits before the offset") {
  witc::engine::engine eng;
  // (memory 1) (data (i32.const 8) "\2a")
  // (func (export "f") (result i32) (i32.load8_u offset=4 (i32.add (i32.const -1) (i32.const 5))))
  // (func (export "g") (result i32) (i32.load8_u offset=1 (i32.add (i32.const 65535) (i32.const 0))))
  bytes b = cat({header, section(1, vec({{0x60, 0x00, 0x01, 0x7F}})), section(3, vec({{0x00}, {0x00}})),
                 section(5, vec({{0x00, 0x01}})),
                 section(7, vec({cat({str("f"), {0x00, 0x00}}), cat({str("g"), {0x00, 0x01}})})),
                 section(10, vec({body({0x00}, {0x41, 0x7F, 0x41, 0x05, 0x6A, 0x2D, 0x00, 0x04, 0x0B}),
                                  body({0x00}, {0x41, 0xFF, 0xFF, 0x03, 0x41, 0x00, 0x6A, 0x2D, 0x00, 0x01, 0x0B})})),
                 section(11, vec({{0x00, 0x41, 0x08, 0x0B, 0x01, 0x2A}}))});
  auto mod = compile(eng, b);
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto r = st.call((*inst)->export_func("f"), {});
  REQUIRE(r);
  CHECK((*r)[0].as_i32() == 42);
  CHECK_FALSE(st.call((*inst)->export_func("g"), {}));
  CHECK(st.last_trap()->kind == trap_kind::memory_out_of_bounds);
}

TEST_CASE("out-of-bounds accesses trap with guard pages and with explicit checks") {
  // (memory 1) (func "inner" (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  // (func "store" (param i32 i32) (i64.store (i32.add (local.get 0) (local.get 1)) (i64.const 7)))
  // (func "outer" (export "load") (param i32) (result i32) (call 0 (local.get 0)))
  bytes names = cat({str("name"), {0x01}, leb(vec({cat({{0x00}, str("inner")}), cat({{0x02}, str("outer")})}).size()),
                     vec({cat({{0x00}, str("inner")}), cat({{0x02}, str("outer")})})});
  bytes b = cat({header, section(1, vec({{0x60, 0x01, 0x7F, 0x01, 0x7F}, {0x60, 0x02, 0x7F, 0x7F, 0x00}})),
                 section(3, vec({{0x00}, {0x01}, {0x00}})), section(5, vec({{0x00, 0x01}})),
                 section(7, vec({cat({str("load"), {0x00, 0x02}}), cat({str("store"), {0x00, 0x01}})})),
                 section(10, vec({body({0x00}, {0x20, 0x00, 0x28, 0x02, 0x04, 0x0B}),
                                  body({0x00}, {0x20, 0x00, 0x20, 0x01, 0x6A, 0x42, 0x07, 0x37, 0x03, 0x00, 0x0B}),
                                  body({0x00}, {0x20, 0x00, 0x10, 0x00, 0x0B})})),
                 section(0, names)});
  for (bool guard : {true, false}) {
    INFO("guard_pages " << guard);
    witc::engine::engine eng(engine_options{.guard_pages = guard});
    auto mod = compile(eng, b);
    store st(eng);
    auto inst = st.instantiate(mod, {});
    REQUIRE(inst);
    auto* load = (*inst)->export_func("load");
    auto* stor = (*inst)->export_func("store");
    value ok = value::i32(65532 - 4);
    CHECK(st.call(load, std::span(&ok, 1)));
    for (std::int32_t addr : {65532 - 3, 65536, -1, 0x7FFFFFFF}) {
      value a = value::i32(addr);
      auto r = st.call(load, std::span(&a, 1));
      REQUIRE_FALSE(r);
      REQUIRE(st.last_trap());
      CHECK(st.last_trap()->kind == trap_kind::memory_out_of_bounds);
      CHECK(st.last_trap()->message == "out of bounds memory access");
      CHECK(st.last_trap()->backtrace == std::vector<std::string>{"inner", "outer"});
    }
    // A store straddling the end writes nothing; the store still works afterwards.
    value args[] = {value::i32(65530), value::i32(0)};
    CHECK_FALSE(st.call(stor, args));
    value args2[] = {value::i32(-8), value::i32(-1)};  // wraps to 0xFFFFFFF7 + 0
    CHECK_FALSE(st.call(stor, args2));
    value args3[] = {value::i32(65520), value::i32(8)};
    CHECK(st.call(stor, args3));
    value at = value::i32(65528 - 4);
    auto r = st.call(load, std::span(&at, 1));
    REQUIRE(r);
    CHECK((*r)[0].as_i32() == 7);
  }
  // A module compiled for guard pages refuses a memory without them.
  witc::engine::engine guarded(engine_options{.guard_pages = true});
  witc::engine::engine checked(engine_options{.guard_pages = false});
  bytes imp = cat({header, section(2, vec({cat({str("env"), str("mem"), {0x02, 0x00, 0x01}})}))});
  auto gm = compile(guarded, imp);
  store plain(checked);
  auto* mem = plain.new_memory({{1, std::nullopt}});
  REQUIRE(mem);
  extern_val ev{binary::extern_kind::memory, mem};
  if (guarded.options().guard_pages) CHECK_FALSE(plain.instantiate(gm, std::span(&ev, 1)));
  auto cm = compile(checked, imp);
  CHECK(plain.instantiate(cm, std::span(&ev, 1)));
}

TEST_CASE("a loop counter stepped by a negative constant and compared on the back-edge") {
  // (func (export "count") (param i32) (result i32) (local i32)
  //   (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
  //         (br_if 0 (i32.gt_s (local.tee 0 (i32.add (local.get 0) (i32.const -3))) (i32.const 0))))
  //   (local.get 1))
  // The translator fuses the decrement with the compare-and-branch; the immediate's top
  // bit must not be taken for a slot.
  bytes b = cat({header, section(1, vec({{0x60, 0x01, 0x7F, 0x01, 0x7F}})), section(3, vec({{0x00}})),
                 section(7, vec({cat({str("count"), {0x00, 0x00}})})),
                 section(10, vec({body({0x01, 0x01, 0x7F}, {0x03, 0x40, 0x20, 0x01, 0x41, 0x01, 0x6A, 0x21, 0x01, 0x20, 0x00,
                                                            0x41, 0x7D, 0x6A, 0x22, 0x00, 0x41, 0x00, 0x4A, 0x0D, 0x00, 0x0B,
                                                            0x20, 0x01, 0x0B})}))});
  witc::engine::engine eng;
  auto mod = compile(eng, b);
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto* count = (*inst)->export_func("count");
  for (auto [n, want] : {std::pair{10, 4}, {3, 1}, {0, 1}, {-5, 1}, {30000, 10000}}) {
    value arg = value::i32(n);
    auto r = st.call(count, std::span(&arg, 1));
    REQUIRE(r);
    CHECK((*r)[0].as_i32() == want);
  }
}

TEST_CASE("superinstructions keep the order and width of the instructions they fuse") {
// (module
//   (memory 1)
//   (data (i32.const 0) "\10")
//   (data (i32.const 16) "\01\02\03\04\05\06\07\08\f0\ff\fe\ff\00\00\00\00")
//   (data (i32.const 64) "\00\00\00\00\00\00\f8\3f")
//   ;; two loads in a row, addresses in locals
//   (func (export "load2") (param i32 i32) (result i32)
//     (i32.sub (i32.load offset=4 (local.get 0)) (i32.load offset=8 (local.get 1))))
//   ;; the second address is the first load's result: not two independent loads
//   (func (export "chase") (param i32) (result i32)
//     (i32.load8_u (i32.load8_u (local.get 0))))
//   ;; an operation over a load of an added address (wrapping to 32 bits) and of a plain one
//   (func (export "opload") (param i32 i32 i32) (result i32)
//     (i32.sub (local.get 2) (i32.load16_s offset=2 (i32.add (local.get 0) (local.get 1)))))
//   (func (export "opload_left") (param i32 i32) (result i32)
//     (i32.mul (i32.load8_u (local.get 0)) (local.get 1)))
//   (func (export "opload_f64") (param i32) (result f64)
//     (f64.sub (f64.const 10) (f64.load (local.get 0))))
//   ;; s += a*b + c*d as clang unrolls it; products round before the sums
//   (func (export "dot_i32") (param i32 i32 i32 i32 i32) (result i32)
//     (i32.add (i32.mul (local.get 0) (local.get 1)) (i32.add (i32.mul (local.get 2) (local.get 3)) (local.get 4))))
//   (func (export "dot_f64") (param f64 f64 f64 f64 f64) (result f64)
//     (f64.add (f64.mul (local.get 0) (local.get 1)) (f64.add (f64.mul (local.get 2) (local.get 3)) (local.get 4))))
//   ;; four copies in a row, each reading the one before
//   (func (export "rotate") (param i32 i32 i32) (result i32) (local i32)
//     (local.set 3 (local.get 2))
//     (local.set 2 (local.get 1))
//     (local.set 1 (local.get 0))
//     (local.set 0 (local.get 3))
//     (local.set 3 (local.get 2))
//     (i32.add (i32.add (i32.mul (local.get 0) (i32.const 100)) (i32.mul (local.get 1) (i32.const 10))) (local.get 3)))
//   ;; two induction variables, the second computed from the first
//   (func (export "two_steps") (param i32) (result i32) (local i32 i32)
//     (loop
//       (local.set 2 (i32.add (local.get 2) (i32.const 3)))
//       (br_if 0 (i32.lt_s (local.tee 1 (i32.add (local.get 2) (i32.const 1))) (local.get 0))))
//     (i32.add (i32.mul (local.get 1) (i32.const 100)) (local.get 2)))
// )
  const bytes b = {
      0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x2A, 0x06, 0x60, 0x02, 0x7F, 0x7F, 0x01,
      0x7F, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x03, 0x7F, 0x7F, 0x7F, 0x01, 0x7F, 0x60, 0x01, 0x7F,
      0x01, 0x7C, 0x60, 0x05, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x01, 0x7F, 0x60, 0x05, 0x7C, 0x7C, 0x7C,
      0x7C, 0x7C, 0x01, 0x7C, 0x03, 0x0A, 0x09, 0x00, 0x01, 0x02, 0x00, 0x03, 0x04, 0x05, 0x02, 0x01,
      0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x5E, 0x09, 0x05, 0x6C, 0x6F, 0x61, 0x64, 0x32, 0x00, 0x00,
      0x05, 0x63, 0x68, 0x61, 0x73, 0x65, 0x00, 0x01, 0x06, 0x6F, 0x70, 0x6C, 0x6F, 0x61, 0x64, 0x00,
      0x02, 0x0B, 0x6F, 0x70, 0x6C, 0x6F, 0x61, 0x64, 0x5F, 0x6C, 0x65, 0x66, 0x74, 0x00, 0x03, 0x0A,
      0x6F, 0x70, 0x6C, 0x6F, 0x61, 0x64, 0x5F, 0x66, 0x36, 0x34, 0x00, 0x04, 0x07, 0x64, 0x6F, 0x74,
      0x5F, 0x69, 0x33, 0x32, 0x00, 0x05, 0x07, 0x64, 0x6F, 0x74, 0x5F, 0x66, 0x36, 0x34, 0x00, 0x06,
      0x06, 0x72, 0x6F, 0x74, 0x61, 0x74, 0x65, 0x00, 0x07, 0x09, 0x74, 0x77, 0x6F, 0x5F, 0x73, 0x74,
      0x65, 0x70, 0x73, 0x00, 0x08, 0x0A, 0xB3, 0x01, 0x09, 0x0D, 0x00, 0x20, 0x00, 0x28, 0x02, 0x04,
      0x20, 0x01, 0x28, 0x02, 0x08, 0x6B, 0x0B, 0x0A, 0x00, 0x20, 0x00, 0x2D, 0x00, 0x00, 0x2D, 0x00,
      0x00, 0x0B, 0x0D, 0x00, 0x20, 0x02, 0x20, 0x00, 0x20, 0x01, 0x6A, 0x2E, 0x01, 0x02, 0x6B, 0x0B,
      0x0A, 0x00, 0x20, 0x00, 0x2D, 0x00, 0x00, 0x20, 0x01, 0x6C, 0x0B, 0x11, 0x00, 0x44, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x24, 0x40, 0x20, 0x00, 0x2B, 0x03, 0x00, 0xA1, 0x0B, 0x10, 0x00, 0x20,
      0x00, 0x20, 0x01, 0x6C, 0x20, 0x02, 0x20, 0x03, 0x6C, 0x20, 0x04, 0x6A, 0x6A, 0x0B, 0x10, 0x00,
      0x20, 0x00, 0x20, 0x01, 0xA2, 0x20, 0x02, 0x20, 0x03, 0xA2, 0x20, 0x04, 0xA0, 0xA0, 0x0B, 0x27,
      0x01, 0x01, 0x7F, 0x20, 0x02, 0x21, 0x03, 0x20, 0x01, 0x21, 0x02, 0x20, 0x00, 0x21, 0x01, 0x20,
      0x03, 0x21, 0x00, 0x20, 0x02, 0x21, 0x03, 0x20, 0x00, 0x41, 0xE4, 0x00, 0x6C, 0x20, 0x01, 0x41,
      0x0A, 0x6C, 0x6A, 0x20, 0x03, 0x6A, 0x0B, 0x23, 0x01, 0x02, 0x7F, 0x03, 0x40, 0x20, 0x02, 0x41,
      0x03, 0x6A, 0x21, 0x02, 0x20, 0x02, 0x41, 0x01, 0x6A, 0x22, 0x01, 0x20, 0x00, 0x48, 0x0D, 0x00,
      0x0B, 0x20, 0x01, 0x41, 0xE4, 0x00, 0x6C, 0x20, 0x02, 0x6A, 0x0B, 0x0B, 0x2A, 0x03, 0x00, 0x41,
      0x00, 0x0B, 0x01, 0x10, 0x00, 0x41, 0x10, 0x0B, 0x10, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
      0x08, 0xF0, 0xFF, 0xFE, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41, 0xC0, 0x00, 0x0B, 0x08, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0xF8, 0x3F};
  for (bool guard : {true, false}) {
    INFO("guard_pages " << guard);
    witc::engine::engine eng(engine_options{.guard_pages = guard});
    auto mod = compile(eng, b);
    store st(eng);
    auto inst = st.instantiate(mod, {});
    REQUIRE(inst);
    auto call = [&](const char* name, std::vector<value> args) {
      auto r = st.call((*inst)->export_func(name), std::span(args));
      return r ? std::optional<value>((*r)[0]) : std::nullopt;
    };
    auto oob = [&]() { return st.last_trap() && st.last_trap()->kind == trap_kind::memory_out_of_bounds; };
    CHECK(call("load2", {value::i32(12), value::i32(16)})->as_i32() == static_cast<std::int32_t>(0x04030201u - 0xFFFEFFF0u));
    CHECK_FALSE(call("load2", {value::i32(12), value::i32(65535)}));
    CHECK(oob());
    CHECK_FALSE(call("load2", {value::i32(65533), value::i32(0)}));
    CHECK(oob());
    CHECK(call("chase", {value::i32(0)})->as_i32() == 1);
    CHECK(call("opload", {value::i32(-4), value::i32(22), value::i32(2000)})->as_i32() == 2000 - 0x0605);
    CHECK(call("opload", {value::i32(0), value::i32(24), value::i32(5)})->as_i32() == 7);
    CHECK_FALSE(call("opload", {value::i32(-1), value::i32(-1), value::i32(0)}));  // 0xFFFFFFFE + 2
    CHECK(oob());
    CHECK_FALSE(call("opload", {value::i32(65534), value::i32(0), value::i32(0)}));
    CHECK(oob());
    CHECK(call("opload_left", {value::i32(17), value::i32(7)})->as_i32() == 14);
    CHECK(call("opload_f64", {value::i32(64)})->as_f64() == 8.5);
    CHECK(call("dot_i32", {value::i32(3), value::i32(4), value::i32(5), value::i32(6), value::i32(7)})->as_i32() == 49);
    CHECK(call("dot_i32", {value::i32(0x10000), value::i32(0x10000), value::i32(-1), value::i32(1), value::i32(1)})->as_i32() == 0);
    // (1 + 2^-30)(1 - 2^-30) rounds to 1 before -1 is added: 0, where a fused multiply-add gives -2^-60.
    const double u = 1.0 + std::ldexp(1.0, -30), v = 1.0 - std::ldexp(1.0, -30);
    CHECK(call("dot_f64", {value::f64(0), value::f64(0), value::f64(u), value::f64(v), value::f64(-1)})->as_f64() == 0.0);
    CHECK(call("dot_f64", {value::f64(2), value::f64(3), value::f64(4), value::f64(5), value::f64(0.5)})->as_f64() == 26.5);
    CHECK(call("rotate", {value::i32(1), value::i32(2), value::i32(3)})->as_i32() == 312);
    CHECK(call("two_steps", {value::i32(10)})->as_i32() == 1009);
    CHECK(call("two_steps", {value::i32(0)})->as_i32() == 403);
  }
}

TEST_CASE("a returned value computed in place and returned by a branch to the end") {
// (module
//   ;; the fall-through result is computed into the result slot, a branch to the end
//   ;; carries another value there
//   (func (export "paths") (param i32 i32) (result i32)
//     (block (drop (br_if 1 (i32.mul (local.get 1) (i32.const 3)) (local.get 0))))
//     (i32.add (local.get 0) (local.get 1)))
//   (func (export "early") (param i32 i32) (result i32)
//     (if (local.get 0) (then (return (i32.sub (local.get 0) (local.get 1)))))
//     (local.get 1))
//   (func (export "first") (param i32 i32) (result i32) (local.get 0))
//   (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
//   (func (export "calls") (param i32) (result i32)
//     (i32.add (call $sq (local.get 0)) (call $sq (i32.add (local.get 0) (i32.const 1)))))
// )
  const bytes b = {
      0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0C, 0x02, 0x60, 0x02, 0x7F, 0x7F, 0x01,
      0x7F, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x03, 0x06, 0x05, 0x00, 0x00, 0x00, 0x01, 0x01, 0x07, 0x21,
      0x04, 0x05, 0x70, 0x61, 0x74, 0x68, 0x73, 0x00, 0x00, 0x05, 0x65, 0x61, 0x72, 0x6C, 0x79, 0x00,
      0x01, 0x05, 0x66, 0x69, 0x72, 0x73, 0x74, 0x00, 0x02, 0x05, 0x63, 0x61, 0x6C, 0x6C, 0x73, 0x00,
      0x04, 0x0A, 0x42, 0x05, 0x14, 0x00, 0x02, 0x40, 0x20, 0x01, 0x41, 0x03, 0x6C, 0x20, 0x00, 0x0D,
      0x01, 0x1A, 0x0B, 0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B, 0x0F, 0x00, 0x20, 0x00, 0x04, 0x40, 0x20,
      0x00, 0x20, 0x01, 0x6B, 0x0F, 0x0B, 0x20, 0x01, 0x0B, 0x04, 0x00, 0x20, 0x00, 0x0B, 0x07, 0x00,
      0x20, 0x00, 0x20, 0x00, 0x6C, 0x0B, 0x0E, 0x00, 0x20, 0x00, 0x10, 0x03, 0x20, 0x00, 0x41, 0x01,
      0x6A, 0x10, 0x03, 0x6A, 0x0B};
  witc::engine::engine eng;
  auto mod = compile(eng, b);
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto call = [&](const char* name, std::vector<value> args) {
    auto r = st.call((*inst)->export_func(name), std::span(args));
    REQUIRE(r);
    return (*r)[0].as_i32();
  };
  CHECK(call("paths", {value::i32(0), value::i32(5)}) == 5);
  CHECK(call("paths", {value::i32(2), value::i32(5)}) == 15);
  CHECK(call("early", {value::i32(9), value::i32(4)}) == 5);
  CHECK(call("early", {value::i32(0), value::i32(4)}) == 4);
  CHECK(call("first", {value::i32(7), value::i32(8)}) == 7);
  CHECK(call("calls", {value::i32(3)}) == 25);
}

TEST_CASE("branches on float comparisons and on negated comparisons, NaN included") {
// (module
//   (func (export "fbr") (param f32 f32) (result i32)
//     (block (br_if 0 (f32.lt (local.get 0) (local.get 1))) (return (i32.const 0)))
//     (i32.const 1))
//   (func (export "fbr_not") (param f64 f64) (result i32)
//     (block (br_if 0 (i32.eqz (f64.ge (local.get 0) (local.get 1)))) (return (i32.const 0)))
//     (i32.const 1))
//   (func (export "fif") (param f32 f32) (result i32)
//     (if (result i32) (f32.le (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
//   (func (export "fif_not") (param f64 f64) (result i32)
//     (if (result i32) (i32.eqz (f64.eq (local.get 0) (local.get 1))) (then (i32.const 1)) (else (i32.const 0))))
//   (func (export "ibr_not") (param i32 i32) (result i32)
//     (block (br_if 0 (i32.eqz (i32.lt_s (local.get 0) (local.get 1)))) (return (i32.const 0)))
//     (i32.const 1))
//   ;; a float comparison branching back to a loop keeps its separate tick
//   (func (export "floop") (param f32) (result i32) (local i32)
//     (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
//           (br_if 0 (f32.lt (f32.convert_i32_s (local.get 1)) (local.get 0))))
//     (local.get 1))
// )
  const bytes b = {
      0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x18, 0x04, 0x60, 0x02, 0x7D, 0x7D, 0x01,
      0x7F, 0x60, 0x02, 0x7C, 0x7C, 0x01, 0x7F, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F, 0x60, 0x01, 0x7D,
      0x01, 0x7F, 0x03, 0x07, 0x06, 0x00, 0x01, 0x00, 0x01, 0x02, 0x03, 0x07, 0x33, 0x06, 0x03, 0x66,
      0x62, 0x72, 0x00, 0x00, 0x07, 0x66, 0x62, 0x72, 0x5F, 0x6E, 0x6F, 0x74, 0x00, 0x01, 0x03, 0x66,
      0x69, 0x66, 0x00, 0x02, 0x07, 0x66, 0x69, 0x66, 0x5F, 0x6E, 0x6F, 0x74, 0x00, 0x03, 0x07, 0x69,
      0x62, 0x72, 0x5F, 0x6E, 0x6F, 0x74, 0x00, 0x04, 0x05, 0x66, 0x6C, 0x6F, 0x6F, 0x70, 0x00, 0x05,
      0x0A, 0x73, 0x06, 0x11, 0x00, 0x02, 0x40, 0x20, 0x00, 0x20, 0x01, 0x5D, 0x0D, 0x00, 0x41, 0x00,
      0x0F, 0x0B, 0x41, 0x01, 0x0B, 0x12, 0x00, 0x02, 0x40, 0x20, 0x00, 0x20, 0x01, 0x66, 0x45, 0x0D,
      0x00, 0x41, 0x00, 0x0F, 0x0B, 0x41, 0x01, 0x0B, 0x0F, 0x00, 0x20, 0x00, 0x20, 0x01, 0x5F, 0x04,
      0x7F, 0x41, 0x01, 0x05, 0x41, 0x00, 0x0B, 0x0B, 0x10, 0x00, 0x20, 0x00, 0x20, 0x01, 0x61, 0x45,
      0x04, 0x7F, 0x41, 0x01, 0x05, 0x41, 0x00, 0x0B, 0x0B, 0x12, 0x00, 0x02, 0x40, 0x20, 0x00, 0x20,
      0x01, 0x48, 0x45, 0x0D, 0x00, 0x41, 0x00, 0x0F, 0x0B, 0x41, 0x01, 0x0B, 0x18, 0x01, 0x01, 0x7F,
      0x03, 0x40, 0x20, 0x01, 0x41, 0x01, 0x6A, 0x21, 0x01, 0x20, 0x01, 0xB2, 0x20, 0x00, 0x5D, 0x0D,
      0x00, 0x0B, 0x20, 0x01, 0x0B};
  witc::engine::engine eng;
  auto mod = compile(eng, b);
  store st(eng);
  auto inst = st.instantiate(mod, {});
  REQUIRE(inst);
  auto call = [&](const char* name, std::vector<value> args) {
    auto r = st.call((*inst)->export_func(name), std::span(args));
    REQUIRE(r);
    return (*r)[0].as_i32();
  };
  const float fnan = std::numeric_limits<float>::quiet_NaN();
  const double dnan = std::numeric_limits<double>::quiet_NaN();
  CHECK(call("fbr", {value::f32(1), value::f32(2)}) == 1);
  CHECK(call("fbr", {value::f32(2), value::f32(1)}) == 0);
  CHECK(call("fbr", {value::f32(fnan), value::f32(1)}) == 0);
  CHECK(call("fbr_not", {value::f64(1), value::f64(2)}) == 1);
  CHECK(call("fbr_not", {value::f64(2), value::f64(1)}) == 0);
  CHECK(call("fbr_not", {value::f64(dnan), value::f64(1)}) == 1);
  CHECK(call("fif", {value::f32(1), value::f32(1)}) == 1);
  CHECK(call("fif", {value::f32(fnan), value::f32(1)}) == 0);
  CHECK(call("fif_not", {value::f64(1), value::f64(1)}) == 0);
  CHECK(call("fif_not", {value::f64(1), value::f64(2)}) == 1);
  CHECK(call("fif_not", {value::f64(dnan), value::f64(dnan)}) == 1);
  CHECK(call("ibr_not", {value::i32(1), value::i32(2)}) == 0);
  CHECK(call("ibr_not", {value::i32(2), value::i32(1)}) == 1);
  CHECK(call("ibr_not", {value::i32(-1), value::i32(0)}) == 0);
  CHECK(call("floop", {value::f32(5.5f)}) == 6);
  CHECK(call("floop", {value::f32(fnan)}) == 1);
}
