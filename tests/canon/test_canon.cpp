// The canonical ABI's own test tables, ported from the component-model spec's
// design/mvp/canonical-abi/run_tests.py: the same helper names (`test`, `test_pairs`,
// `test_nan32`, `test_string`, `test_heap`, `test_flatten`, `test_roundtrip`) and the
// same types and values, in the same order. Checks of our own follow at the end.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "witc/canon/canon.hpp"
#include "witc/support/diagnostic.hpp"

using namespace witc::canon;
using namespace std::literals;

namespace {

// A number in a table: Python mixes ints and floats; the flat type decides.
struct num {
  bool is_float = false;
  std::uint64_t u = 0;
  double d = 0;
  num(int i) : u(static_cast<std::uint64_t>(static_cast<std::int64_t>(i))) {}  // NOLINT
  num(unsigned i) : u(i) {}                                                     // NOLINT
  num(long long i) : u(static_cast<std::uint64_t>(i)) {}                        // NOLINT
  num(unsigned long long i) : u(i) {}                                           // NOLINT
  num(unsigned long i) : u(i) {}                                                // NOLINT
  num(double x) : is_float(true), d(x) {}                                       // NOLINT
};

std::vector<core_value> flat_values(const valtype& t, const std::vector<num>& ns, ptr_type p) {
  auto types = flatten_type(t, p);
  REQUIRE(types.size() == ns.size());
  std::vector<core_value> out;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    switch (types[i]) {
      case core_type::i32: out.push_back(core_value::i32(static_cast<std::uint32_t>(ns[i].u))); break;
      case core_type::i64: out.push_back(core_value::i64(ns[i].u)); break;
      case core_type::f32:
        out.push_back(ns[i].is_float ? core_value::f32(static_cast<float>(ns[i].d))
                                     : core_value{core_type::f32, ns[i].u});
        break;
      case core_type::f64:
        out.push_back(ns[i].is_float ? core_value::f64(ns[i].d) : core_value{core_type::f64, ns[i].u});
        break;
    }
  }
  return out;
}

// The spec's `Heap`: a bump allocator whose realloc shrinks in place.
struct heap {
  vector_memory memory;
  std::uint64_t last_alloc = 0;
  heap(std::vector<std::uint8_t> bytes, ptr_type p) : memory(std::move(bytes), p) {}
  realloc_fn realloc() {
    return [this](std::uint64_t original_ptr, std::uint64_t original_size, std::uint32_t alignment,
                  std::uint64_t new_size) -> witc::result<std::uint64_t> {
      if (original_ptr != 0 && new_size < original_size) return align_to(original_ptr, alignment);
      const std::uint64_t ret = align_to(last_alloc, alignment);
      last_alloc = ret + new_size;
      auto& bytes = memory.storage();
      if (last_alloc > bytes.size()) return trap("heap exhausted");
      for (std::uint64_t i = 0; i < original_size && original_ptr + i < bytes.size(); ++i)
        bytes[ret + i] = bytes[original_ptr + i];
      return ret;
    };
  }
};

// The spec's `mk_cx(memory, encoding)` inputs.
struct cx_spec {
  std::vector<std::uint8_t> memory;
  ptr_type addr = ptr_type::i32;
  string_encoding encoding = string_encoding::utf8;
};

std::string render(const witc::diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += d.message + "\n";
  return s;
}

// The spec's `test(t, vals_to_lift, v, cx, dst_encoding, lower_t, lower_v)`: lift the
// flat values, compare, lower into a fresh heap (of the target encoding), lift again.
void test(const type_ref& t, const std::vector<num>& vals_to_lift, const std::optional<value>& v,
          const cx_spec& spec = {}, std::optional<string_encoding> dst_encoding = {},
          type_ref lower_t = nullptr, std::optional<value> lower_v = {}) {
  vector_memory mem(spec.memory, spec.addr);
  context cx{{spec.encoding, &mem, nullptr}, {}};
  auto flat = flat_values(*t, vals_to_lift, spec.addr);
  core_value_iter vi(flat);
  auto got = lift_flat(cx, vi, *t);
  if (!v) {
    INFO("expected a trap, got " << (got ? to_string(*got) : render(got.error())));
    REQUIRE_FALSE(got);
    REQUIRE(got.error().front().message.rfind("trap: ", 0) == 0);
    return;
  }
  INFO("lift_flat: " << (got ? to_string(*got) : render(got.error())));
  REQUIRE(got);
  REQUIRE(vi.done());
  INFO("expected " << to_string(*v));
  REQUIRE(*got == *v);

  if (!lower_t) lower_t = t;
  if (!lower_v) lower_v = v;
  heap h(std::vector<std::uint8_t>(5 * spec.memory.size()), spec.addr);
  context cx2{{dst_encoding.value_or(spec.encoding), &h.memory, h.realloc()}, {}};
  auto lowered = lower_flat(cx2, *v, *lower_t);
  INFO("lower_flat: " << (lowered ? "ok" : render(lowered.error())));
  REQUIRE(lowered);
  core_value_iter vi2(*lowered);
  auto again = lift_flat(cx2, vi2, *lower_t);
  INFO("re-lift: " << (again ? to_string(*again) : render(again.error())));
  REQUIRE(again);
  REQUIRE(*again == *lower_v);
}

void test_pairs(const type_ref& t, const std::vector<std::pair<num, std::optional<value>>>& pairs) {
  for (const auto& [arg, expect] : pairs) test(t, {arg}, expect);
}

value U(std::uint64_t i) { return value::u(i); }
value S(std::int64_t i) { return value::s(i); }
value rec(std::vector<value> fs) { return value::record(std::move(fs)); }
value lst(std::vector<value> es) { return value::list(std::move(es)); }
value str(std::string_view s) { return value::str(s); }

std::vector<std::string> numbered_labels(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("test: records, tuples, fixed lists, flags, variants", "[canon][run_tests]") {
  // Empty record types are not permitted yet.
  test(record({{"x", u8()}, {"y", u16()}, {"z", u32()}}), {1, 2, 3}, rec({U(1), U(2), U(3)}));
  test(tuple({tuple({u8(), u8()}), u8()}), {1, 2, 3}, rec({rec({U(1), U(2)}), U(3)}));
  test(list(u8(), 3), {1, 2, 3}, lst({U(1), U(2), U(3)}));
  test(list(list(u8(), 2), 3), {1, 2, 3, 4, 5, 6},
       lst({lst({U(1), U(2)}), lst({U(3), U(4)}), lst({U(5), U(6)})}));
  // Empty flags types are not permitted yet.
  auto t = flags({"a", "b"});
  test(t, {0}, value::flags(0b00));
  test(t, {2}, value::flags(0b10));
  test(t, {3}, value::flags(0b11));
  test(t, {4}, value::flags(0b00));
  test(flags(numbered_labels(32)), {0xffffffffu}, value::flags(0xffffffffu));
  t = variant({{"x", u8()}, {"y", f32()}, {"z", nullptr}});
  test(t, {0, 42}, value::variant(0, U(42)));
  test(t, {0, 256}, value::variant(0, U(0)));
  test(t, {1, 0x4048f5c3}, value::variant(1, value::f32(3.140000104904175f)));
  test(t, {2, 0xffffffffu}, value::variant(2));
  t = option(f32());
  test(t, {0, 3.14}, value::variant(0));
  test(t, {1, 3.14}, value::variant(1, value::f32(3.14f)));
  t = result_(u8(), u32());
  test(t, {0, 42}, value::variant(0, U(42)));
  test(t, {1, 1000}, value::variant(1, U(1000)));
  t = variant({{"w", u8()}, {"y", u8()}});
  test(t, {0, 42}, value::variant(0, U(42)));
  test(t, {1, 42}, value::variant(1, U(42)));
  auto t2 = variant({{"w", u8()}});
  test(t, {0, 42}, value::variant(0, U(42)), {}, {}, t2, value::variant(0, U(42)));
}

TEST_CASE("test_pairs: primitives", "[canon][run_tests]") {
  test_pairs(bool_(), {{0, value::boolean(false)}, {1, value::boolean(true)},
                       {2, value::boolean(true)}, {4294967295u, value::boolean(true)}});
  test_pairs(u8(), {{127, U(127)}, {128, U(128)}, {255, U(255)}, {256, U(0)},
                    {4294967295u, U(255)}, {4294967168u, U(128)}, {4294967167u, U(127)}});
  test_pairs(s8(), {{127, S(127)}, {128, S(-128)}, {255, S(-1)}, {256, S(0)},
                    {4294967295u, S(-1)}, {4294967168u, S(-128)}, {4294967167u, S(127)}});
  test_pairs(u16(), {{32767, U(32767)}, {32768, U(32768)}, {65535, U(65535)}, {65536, U(0)},
                     {(1ull << 32) - 1, U(65535)}, {(1ull << 32) - 32768, U(32768)},
                     {(1ull << 32) - 32769, U(32767)}});
  test_pairs(s16(), {{32767, S(32767)}, {32768, S(-32768)}, {65535, S(-1)}, {65536, S(0)},
                     {(1ull << 32) - 1, S(-1)}, {(1ull << 32) - 32768, S(-32768)},
                     {(1ull << 32) - 32769, S(32767)}});
  test_pairs(u32(), {{(1ull << 31) - 1, U((1ull << 31) - 1)}, {1ull << 31, U(1ull << 31)},
                     {(1ull << 32) - 1, U((1ull << 32) - 1)}});
  test_pairs(s32(), {{(1ull << 31) - 1, S((1ll << 31) - 1)}, {1ull << 31, S(-(1ll << 31))},
                     {(1ull << 32) - 1, S(-1)}});
  test_pairs(u64(), {{(1ull << 63) - 1, U((1ull << 63) - 1)}, {1ull << 63, U(1ull << 63)},
                     {~0ull, U(~0ull)}});
  test_pairs(s64(), {{(1ull << 63) - 1, S(static_cast<std::int64_t>((1ull << 63) - 1))},
                     {1ull << 63, S(INT64_MIN)}, {~0ull, S(-1)}});
  test_pairs(f32(), {{3.14, value::f32(3.14f)}});
  test_pairs(f64(), {{3.14, value::f64(3.14)}});
  test_pairs(char_(), {{0, value::ch(U'\0')}, {65, value::ch(U'A')}, {0xD7FF, value::ch(U'\uD7FF')},
                       {0xD800, std::nullopt}, {0xDFFF, std::nullopt}});
  test_pairs(char_(), {{0xE000, value::ch(U'\uE000')}, {0x10FFFF, value::ch(U'\U0010FFFF')},
                       {0x110000, std::nullopt}, {0xFFFFFFFFu, std::nullopt}});
  test_pairs(enum_({"a", "b"}), {{0, value::variant(0)}, {1, value::variant(1)}, {2, std::nullopt}});
}

namespace {
void test_nan32(std::uint32_t inbits, std::uint32_t outbits) {
  vector_memory none;
  context cx{{string_encoding::utf8, &none, nullptr}, {}};
  std::vector<core_value> flat{core_value{core_type::f32, inbits}};
  core_value_iter vi(flat);
  auto f = lift_flat(cx, vi, *f32());
  REQUIRE(f);
  CHECK(encode_float_as_i32(*f->as<float>()) == outbits);
  vector_memory m({static_cast<std::uint8_t>(inbits), static_cast<std::uint8_t>(inbits >> 8),
                   static_cast<std::uint8_t>(inbits >> 16), static_cast<std::uint8_t>(inbits >> 24)});
  context cx2{{string_encoding::utf8, &m, nullptr}, {}};
  auto g = load(cx2, 0, *f32());
  REQUIRE(g);
  CHECK(encode_float_as_i32(*g->as<float>()) == outbits);
}

void test_nan64(std::uint64_t inbits, std::uint64_t outbits) {
  vector_memory none;
  context cx{{string_encoding::utf8, &none, nullptr}, {}};
  std::vector<core_value> flat{core_value{core_type::f64, inbits}};
  core_value_iter vi(flat);
  auto f = lift_flat(cx, vi, *f64());
  REQUIRE(f);
  CHECK(encode_float_as_i64(*f->as<double>()) == outbits);
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(inbits >> (8 * i)));
  vector_memory m(bytes);
  context cx2{{string_encoding::utf8, &m, nullptr}, {}};
  auto g = load(cx2, 0, *f64());
  REQUIRE(g);
  CHECK(encode_float_as_i64(*g->as<double>()) == outbits);
}
}  // namespace

TEST_CASE("test_nan32 / test_nan64", "[canon][run_tests]") {
  test_nan32(0x7fc00000, canonical_float32_nan);
  test_nan32(0x7fc00001, canonical_float32_nan);
  test_nan32(0x7fe00000, canonical_float32_nan);
  test_nan32(0x7fffffff, canonical_float32_nan);
  test_nan32(0xffffffff, canonical_float32_nan);
  test_nan32(0x7f800000, 0x7f800000);
  test_nan32(0x3fc00000, 0x3fc00000);
  test_nan64(0x7ff8000000000000, canonical_float64_nan);
  test_nan64(0x7ff8000000000001, canonical_float64_nan);
  test_nan64(0x7ffc000000000000, canonical_float64_nan);
  test_nan64(0x7fffffffffffffff, canonical_float64_nan);
  test_nan64(0xffffffffffffffff, canonical_float64_nan);
  test_nan64(0x7ff0000000000000, 0x7ff0000000000000);
  test_nan64(0x3ff0000000000000, 0x3ff0000000000000);
}

namespace {
std::vector<std::uint8_t> encode(std::u32string_view s, string_encoding e) {
  std::vector<std::uint8_t> out;
  for (char32_t c : s) {
    if (e == string_encoding::utf8) {
      std::string u;
      if (c < 0x80) u += char(c);
      else if (c < 0x800) { u += char(0xC0 | (c >> 6)); u += char(0x80 | (c & 0x3F)); }
      else { u += char(0xE0 | (c >> 12)); u += char(0x80 | ((c >> 6) & 0x3F)); u += char(0x80 | (c & 0x3F)); }
      out.insert(out.end(), u.begin(), u.end());
    } else if (e == string_encoding::utf16) {  // the table has no astral characters
      out.push_back(static_cast<std::uint8_t>(c));
      out.push_back(static_cast<std::uint8_t>(c >> 8));
    } else {
      out.push_back(static_cast<std::uint8_t>(c));
    }
  }
  return out;
}

void test_string_internal(string_encoding src_encoding, string_encoding dst_encoding,
                          std::u32string_view s, std::vector<std::uint8_t> encoded,
                          std::uint64_t tagged_code_units, ptr_type addr_type) {
  string_value v{std::u32string(s), src_encoding, tagged_code_units};
  test(string(), {0, static_cast<unsigned long long>(tagged_code_units)}, value::str(v),
       {std::move(encoded), addr_type, src_encoding}, dst_encoding);
}

void test_string(string_encoding src_encoding, string_encoding dst_encoding, std::u32string_view s,
                 ptr_type addr_type) {
  if (src_encoding == string_encoding::utf8) {
    auto encoded = encode(s, string_encoding::utf8);
    test_string_internal(src_encoding, dst_encoding, s, encoded, encoded.size(), addr_type);
  } else if (src_encoding == string_encoding::utf16) {
    auto encoded = encode(s, string_encoding::utf16);
    test_string_internal(src_encoding, dst_encoding, s, encoded, encoded.size() / 2, addr_type);
  } else {
    if (std::all_of(s.begin(), s.end(), [](char32_t c) { return c < 0x100; })) {
      auto encoded = encode(s, string_encoding::latin1_utf16);
      test_string_internal(src_encoding, dst_encoding, s, encoded, encoded.size(), addr_type);
    }
    auto encoded = encode(s, string_encoding::utf16);
    test_string_internal(src_encoding, dst_encoding, s, encoded,
                         (encoded.size() / 2) | utf16_tag(addr_type), addr_type);
  }
}
}  // namespace

TEST_CASE("test_string: every encoding pair over fun_strings", "[canon][run_tests]") {
  const string_encoding encodings[] = {string_encoding::utf8, string_encoding::utf16,
                                       string_encoding::latin1_utf16};
  const std::u32string_view fun_strings[] = {
      U""sv, U"a"sv, U"hi"sv, U"\0"sv, U"a\0b"sv, U"\x80"sv, U"\x80" U"b"sv, U"ab\xef" U"c"sv,
      U"\u01ffy"sv, U"xy\u01ff"sv, U"a\ud7ffb"sv, U"a\u02ff\u03ff\u04ffbc"sv,
      U"\uf123"sv, U"\uf123\uf123abc"sv, U"abcdef\uf123"sv};
  int n = 0;
  for (auto addr_type : {ptr_type::i32, ptr_type::i64})
    for (auto src_encoding : encodings)
      for (auto dst_encoding : encodings)
        for (auto s : fun_strings) {
          INFO("case " << n);
          test_string(src_encoding, dst_encoding, s, addr_type);
          ++n;
        }
  CHECK(n == 2 * 3 * 3 * 15);
}

namespace {
void test_heap(const type_ref& t, const std::optional<value>& expect, const std::vector<num>& args,
               std::vector<std::uint8_t> byte_array, ptr_type addr_type = ptr_type::i32) {
  test(t, args, expect, {std::move(byte_array), addr_type, string_encoding::utf8});
}
std::vector<std::uint8_t> B(std::initializer_list<int> bs) {
  std::vector<std::uint8_t> out;
  for (int b : bs) out.push_back(static_cast<std::uint8_t>(b));
  return out;
}
constexpr int h = 'h', i_ = 'i', w = 'w', a = 'a', t_ = 't';
}  // namespace

TEST_CASE("test_heap: lists in memory", "[canon][run_tests]") {
  const auto i64 = ptr_type::i64;
  auto T = value::boolean(true), F = value::boolean(false);
  // Empty record types are not permitted yet.
  test_heap(list(bool_()), lst({T, F, T}), {0, 3}, B({1, 0, 1}));
  test_heap(list(bool_()), lst({T, F, T}), {0, 3}, B({1, 0, 2}));
  test_heap(list(bool_()), lst({T, F, T}), {3, 3}, B({0xff, 0xff, 0xff, 1, 0, 1}));
  test_heap(list(u8()), lst({U(1), U(2), U(3)}), {0, 3}, B({1, 2, 3}));
  test_heap(list(u16()), lst({U(1), U(2), U(3)}), {0, 3}, B({1, 0, 2, 0, 3, 0}));
  test_heap(list(u16()), std::nullopt, {1, 3}, B({0, 1, 0, 2, 0, 3, 0}));
  test_heap(list(u32()), lst({U(1), U(2), U(3)}), {0, 3}, B({1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}));
  test_heap(list(u64()), lst({U(1), U(2)}), {0, 2},
            B({1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}));
  test_heap(list(s8()), lst({S(-1), S(-2), S(-3)}), {0, 3}, B({0xff, 0xfe, 0xfd}));
  test_heap(list(s16()), lst({S(-1), S(-2), S(-3)}), {0, 3}, B({0xff, 0xff, 0xfe, 0xff, 0xfd, 0xff}));
  test_heap(list(s32()), lst({S(-1), S(-2), S(-3)}), {0, 3},
            B({0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfd, 0xff, 0xff, 0xff}));
  test_heap(list(s64()), lst({S(-1), S(-2)}), {0, 2},
            B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  test_heap(list(char_()), lst({value::ch(U'A'), value::ch(U'B'), value::ch(U'c')}), {0, 3},
            B({65, 00, 00, 00, 66, 00, 00, 00, 99, 00, 00, 00}));
  test_heap(list(string()), lst({str("hi"), str("wat")}), {0, 2},
            B({16, 0, 0, 0, 2, 0, 0, 0, 21, 0, 0, 0, 3, 0, 0, 0, h, i_, 0xf, 0xf, 0xf, w, a, t_}));
  test_heap(list(string()), lst({str("hi"), str("wat")}), {0, 2},
            B({32, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 37, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0,
               0, 0, 0, 0, h, i_, 0xf, 0xf, 0xf, w, a, t_}),
            i64);
  test_heap(list(list(u8())), lst({lst({U(3), U(4), U(5)}), lst({}), lst({U(6), U(7)})}), {0, 3},
            B({24, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 27, 0, 0, 0, 2, 0, 0, 0, 3, 4, 5, 6, 7}));
  test_heap(list(list(u8())), lst({lst({U(3), U(4), U(5)}), lst({}), lst({U(6), U(7)})}), {0, 3},
            B({48, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0,  0, 0, 0, 0, 0, 0, 0, 51, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
               3,  4, 5, 6, 7}),
            i64);
  test_heap(list(list(u16())), lst({lst({U(5), U(6)})}), {0, 1}, B({8, 0, 0, 0, 2, 0, 0, 0, 5, 0, 6, 0}));
  test_heap(list(list(u16())), lst({lst({U(5), U(6)})}), {0, 1},
            B({16, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 6, 0}), i64);
  test_heap(list(list(u16())), std::nullopt, {0, 1}, B({9, 0, 0, 0, 2, 0, 0, 0, 0, 5, 0, 6, 0}));
  test_heap(list(list(u16())), std::nullopt, {0, 1},
            B({17, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 6, 0}), i64);
  test_heap(list(list(u8(), 2)), lst({lst({U(1), U(2)}), lst({U(3), U(4)})}), {0, 2}, B({1, 2, 3, 4}));
  test_heap(list(list(u32(), 2)), lst({lst({U(1), U(2)}), lst({U(3), U(4)})}), {0, 2},
            B({1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0}));
  test_heap(list(list(u32(), 2)), std::nullopt, {1, 2},
            B({0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0}));
  test_heap(list(tuple({u8(), u8(), u16(), u32()})),
            lst({rec({U(6), U(7), U(8), U(9)}), rec({U(4), U(5), U(6), U(7)})}), {0, 2},
            B({6, 7, 8, 0, 9, 0, 0, 0, 4, 5, 6, 0, 7, 0, 0, 0}));
  test_heap(list(tuple({u8(), u16(), u8(), u32()})),
            lst({rec({U(6), U(7), U(8), U(9)}), rec({U(4), U(5), U(6), U(7)})}), {0, 2},
            B({6, 0xff, 7, 0, 8, 0xff, 0xff, 0xff, 9, 0, 0, 0, 4, 0xff, 5, 0, 6, 0xff, 0xff, 0xff, 7, 0, 0, 0}));
  test_heap(list(tuple({u16(), u8()})), lst({rec({U(6), U(7)}), rec({U(8), U(9)})}), {0, 2},
            B({6, 0, 7, 0x0ff, 8, 0, 9, 0xff}));
  test_heap(list(tuple({tuple({u16(), u8()}), u8()})),
            lst({rec({rec({U(4), U(5)}), U(6)}), rec({rec({U(7), U(8)}), U(9)})}), {0, 2},
            B({4, 0, 5, 0xff, 6, 0xff, 7, 0, 8, 0xff, 9, 0xff}));
  // Empty flags types are not permitted yet.
  auto t = list(flags({"a", "b"}));
  test_heap(t, lst({value::flags(0), value::flags(2), value::flags(3)}), {0, 3}, B({0, 2, 3}));
  test_heap(t, lst({value::flags(0), value::flags(2), value::flags(0)}), {0, 3}, B({0, 2, 4}));
  t = list(flags(numbered_labels(9)));
  auto v = lst({value::flags(0x1ff), value::flags(0)});
  test_heap(t, v, {0, 2}, B({0xff, 0x1, 0, 0}));
  test_heap(t, v, {0, 2}, B({0xff, 0x3, 0, 0}));
  t = list(flags(numbered_labels(17)));
  v = lst({value::flags(0x1ffff), value::flags(0)});
  test_heap(t, v, {0, 2}, B({0xff, 0xff, 0x1, 0, 0, 0, 0, 0}));
  test_heap(t, v, {0, 2}, B({0xff, 0xff, 0x3, 0, 0, 0, 0, 0}));
  t = list(flags(numbered_labels(32)));
  v = lst({value::flags(0xffffffffu), value::flags(0)});
  test_heap(t, v, {0, 2}, B({0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}));
  t = map(u8(), u16());
  test_heap(t, lst({rec({U(42), U(83)}), rec({U(43), U(84)})}), {0, 2},
            B({42, 0xff, 83, 0, 43, 0xff, 84, 0}));
}

namespace {
void test_flatten(const functype& t, std::vector<core_type> params, std::vector<core_type> results,
                  ptr_type addr_type = ptr_type::i32) {
  flatten_options opts{addr_type, false, false};
  core_functype expect{params, results};
  const core_type addr = ptr_core_type(addr_type);
  if (params.size() > max_flat_params) expect.params = {addr};
  if (results.size() > max_flat_results) expect.results = {addr};
  CHECK(flatten_functype(opts, t, flatten_context::lift) == expect);
  if (results.size() > max_flat_results) {
    expect.params.push_back(addr);
    expect.results.clear();
  }
  CHECK(flatten_functype(opts, t, flatten_context::lower) == expect);
}
}  // namespace

TEST_CASE("test_flatten: flatten_functype", "[canon][run_tests]") {
  using ct = core_type;
  const std::vector<type_ref> three{u8(), f32(), f64()};
  test_flatten({three, {}}, {ct::i32, ct::f32, ct::f64}, {});
  test_flatten({three, {f32()}}, {ct::i32, ct::f32, ct::f64}, {ct::f32});
  test_flatten({three, {u8()}}, {ct::i32, ct::f32, ct::f64}, {ct::i32});
  test_flatten({three, {tuple({f32()})}}, {ct::i32, ct::f32, ct::f64}, {ct::f32});
  test_flatten({three, {tuple({f32(), f32()})}}, {ct::i32, ct::f32, ct::f64}, {ct::f32, ct::f32});
  test_flatten({three, {f32(), f32()}}, {ct::i32, ct::f32, ct::f64}, {ct::f32, ct::f32});
  const std::vector<type_ref> u8s(17, u8());
  const std::vector<ct> i32s(17, ct::i32);
  test_flatten({u8s, {}}, i32s, {});
  test_flatten({u8s, {}}, i32s, {}, ptr_type::i64);
  test_flatten({u8s, {tuple({u8(), u8()})}}, i32s, {ct::i32, ct::i32});
  test_flatten({u8s, {tuple({u8(), u8()})}}, i32s, {ct::i32, ct::i32}, ptr_type::i64);
}

TEST_CASE("test_roundtrips: lower_flat_values then lift_flat_values", "[canon][run_tests]") {
  // The spec round-trips `FuncType([t],[t])` through canon_lift with MAX_FLAT_RESULTS = 16;
  // the value path of that is lower_flat_values / lift_flat_values with max_flat 16.
  std::vector<type_ref> u32x16(16, u32());
  u32x16.push_back(string());
  std::vector<value> wat;
  for (int i = 1; i <= 16; ++i) wat.push_back(U(i));
  wat.push_back(str("wat"));
  const std::vector<std::pair<type_ref, value>> cases = {
      {s8(), S(-1)},
      {tuple({u16(), u16()}), rec({U(3), U(4)})},
      {list(string()), lst({str("hello there")})},
      {list(list(string())), lst({lst({str("one"), str("two")}), lst({str("three")})})},
      {list(option(tuple({string(), u16()}))), lst({value::variant(1, rec({str("answer"), U(42)}))})},
      {variant({{"x", tuple(u32x16)}}), value::variant(0, rec(wat))},
  };
  for (auto addr_type : {ptr_type::i32, ptr_type::i64}) {
    for (const auto& [t, v] : cases) {
      heap hp(std::vector<std::uint8_t>(1000), addr_type);
      context cx{{string_encoding::utf8, &hp.memory, hp.realloc()}, {}};
      auto flat = lower_flat_values(cx, 16, {v}, {t});
      REQUIRE(flat);
      core_value_iter vi(*flat);
      auto got = lift_flat_values(cx, 16, vi, {t});
      REQUIRE(got);
      REQUIRE(vi.done());
      CHECK(got->at(0) == v);
    }
  }
}

// ---- our own checks: layout of the named spec concepts -----------------------------

TEST_CASE("discriminant_type, flags sizes and variant layout", "[canon]") {
  CHECK(discriminant_type(1) == kind::u8);
  CHECK(discriminant_type(256) == kind::u8);
  CHECK(discriminant_type(257) == kind::u16);
  CHECK(discriminant_type(65536) == kind::u16);
  CHECK(discriminant_type(65537) == kind::u32);
  CHECK(flags_size(8) == 1);
  CHECK(flags_size(9) == 2);
  CHECK(flags_size(16) == 2);
  CHECK(flags_size(17) == 4);
  CHECK(flags_size(32) == 4);
  CHECK(elem_size(*option(u64())) == 16);
  CHECK(payload_offset(*option(u64())) == 8);
  CHECK(alignment(*result_(nullptr, string())) == 4);
  CHECK(elem_size(*result_(nullptr, string())) == 12);
  CHECK(elem_size(*result_(nullptr, string()), ptr_type::i64) == 24);
  CHECK(field_offsets(*tuple({u8(), u32(), u8()})) == std::vector<std::uint64_t>{0, 4, 8});
  CHECK(elem_size(*tuple({u8(), u32(), u8()})) == 12);
  CHECK(flatten_type(*variant({{"a", f32()}, {"b", u32()}, {"c", f64()}})) ==
        std::vector<core_type>{core_type::i32, core_type::i64});
  CHECK(join(core_type::f32, core_type::i32) == core_type::i32);
  CHECK(join(core_type::f64, core_type::i32) == core_type::i64);
  CHECK(elem_size(*map(string(), u32())) == 8);
  CHECK(alignment(*list(u64(), 3)) == 8);
  CHECK(elem_size(*list(u64(), 3)) == 24);
  CHECK(flatten_type(*list(u8(), 3)).size() == 3);
}

TEST_CASE("async flattening limits", "[canon]") {
  std::vector<type_ref> five(5, u32());
  functype ft{five, {string()}, true};
  auto lower = flatten_functype({ptr_type::i32, true, false}, ft, flatten_context::lower);
  CHECK(lower.params == std::vector<core_type>{core_type::i32, core_type::i32});
  CHECK(lower.results == std::vector<core_type>{core_type::i32});
  auto lift = flatten_functype({ptr_type::i32, true, true}, ft, flatten_context::lift);
  CHECK(lift.params.size() == 5);
  CHECK(lift.results == std::vector<core_type>{core_type::i32});
  CHECK(flatten_functype({ptr_type::i32, true, false}, ft, flatten_context::lift).results.empty());
}

TEST_CASE("malformed inputs trap instead of crashing", "[canon]") {
  vector_memory mem(std::vector<std::uint8_t>(16));
  context cx{{string_encoding::utf8, &mem, nullptr}, {}};
  // A list pointer past the end of memory.
  std::vector<core_value> flat{core_value::i32(0xfffffff0u), core_value::i32(0x10)};
  core_value_iter vi(flat);
  CHECK_FALSE(lift_flat(cx, vi, *list(u32())));
  // A huge length whose byte size overflows 64 bits.
  vector_memory mem64(std::vector<std::uint8_t>(16), ptr_type::i64);
  context cx64{{string_encoding::utf8, &mem64, nullptr}, {}};
  std::vector<core_value> flat64{core_value::i64(0), core_value::i64(~0ull / 2)};
  core_value_iter vi64(flat64);
  CHECK_FALSE(lift_flat(cx64, vi64, *list(u64())));
  // Invalid UTF-8.
  mem.storage()[0] = 0xC0;
  mem.storage()[1] = 0x80;
  std::vector<core_value> sflat{core_value::i32(0), core_value::i32(2)};
  core_value_iter svi(sflat);
  CHECK_FALSE(lift_flat(cx, svi, *string()));
  // Storing without realloc is an error, not a crash.
  CHECK_FALSE(lower_flat(cx, str("x"), *string()));
  // A value of the wrong shape.
  CHECK_FALSE(lower_flat(cx, U(300), *u8()));
}
