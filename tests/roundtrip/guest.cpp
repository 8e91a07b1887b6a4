// The round-trip guest: implements the exported `api` by calling the same functions on
// the host's imported `api`, checking that what comes back equals what went out (and,
// for the counter, what the guest computes itself), and returning the host's answer.
// Every mismatch is recorded; the host reads them with `heap.mismatches`.
// `heap` also reports the guest's allocations, counted by wrapping malloc and friends
// (linked with `-Wl,--wrap=malloc,...`).
#include <malloc.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "roundtrip.hpp"

namespace host = test::roundtrip::api;
namespace api = exports::test::roundtrip::api;
namespace heap = exports::test::roundtrip::heap;

// ---- counting allocator --------------------------------------------------

extern "C" {
void* __real_malloc(std::size_t);
void __real_free(void*);
void* __real_realloc(void*, std::size_t);
void* __real_calloc(std::size_t, std::size_t);
void* __real_aligned_alloc(std::size_t, std::size_t);
int __real_posix_memalign(void**, std::size_t, std::size_t);
}

namespace {

struct heap_counters {
  std::uint64_t allocs = 0;
  std::uint64_t frees = 0;
  std::uint64_t live_bytes = 0;
  std::uint64_t live_blocks = 0;
  // The blocks `greet` saw as its argument and result, to count their frees.
  const void* greet_arg = nullptr;
  const void* greet_result = nullptr;
  std::uint32_t arg_frees = 0;
  std::uint32_t result_frees = 0;
};
heap_counters counters;

void on_alloc(void* p) {
  if (!p) return;
  ++counters.allocs;
  ++counters.live_blocks;
  counters.live_bytes += malloc_usable_size(p);
}
void on_free(void* p) {
  if (!p) return;
  ++counters.frees;
  --counters.live_blocks;
  counters.live_bytes -= malloc_usable_size(p);
  if (p == counters.greet_arg) ++counters.arg_frees;
  if (p == counters.greet_result) ++counters.result_frees;
}

}  // namespace

extern "C" {
void* __wrap_malloc(std::size_t n) {
  void* p = __real_malloc(n);
  on_alloc(p);
  return p;
}
void __wrap_free(void* p) {
  on_free(p);
  __real_free(p);
}
void* __wrap_calloc(std::size_t n, std::size_t size) {
  void* p = __real_calloc(n, size);
  on_alloc(p);
  return p;
}
void* __wrap_realloc(void* old, std::size_t n) {
  if (!old) return __wrap_malloc(n);
  // Count a resize as a free of the old block and an allocation of the new one.
  on_free(old);
  void* p = __real_realloc(old, n);
  on_alloc(p ? p : old);
  return p;
}
void* __wrap_aligned_alloc(std::size_t align, std::size_t n) {
  void* p = __real_aligned_alloc(align, n);
  on_alloc(p);
  return p;
}
int __wrap_posix_memalign(void** out, std::size_t align, std::size_t n) {
  int rc = __real_posix_memalign(out, align, n);
  if (rc == 0) on_alloc(*out);
  return rc;
}
}

// ---- checking --------------------------------------------------------------

namespace {

std::vector<wit::string> mismatch_log;

void mismatch(std::string_view what) {
  // A bounded log: a broken host must not make the guest run out of memory.
  if (mismatch_log.size() < 100) mismatch_log.emplace_back(what);
}

template <class T>
void expect_eq(const T& got, const T& want, std::string_view what) {
  if (!(got == want)) mismatch(what);
}

// Floats compare by bits (NaN equals NaN, -0.0 differs from 0.0), except that any NaN
// matches any NaN: the canonical ABI may canonicalize NaN payloads.
template <class F>
bool same_float(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::signbit(a) == std::signbit(b) && a == b;
}

// `prefix=value`, built without std::string: its out-of-line parts pull in stdio, which
// would import WASI.
bool is_label(std::string_view got, std::string_view prefix, std::int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  std::string_view digits(buf, static_cast<std::size_t>(end - buf));
  return got.size() == prefix.size() + 1 + digits.size() && got.starts_with(prefix) && got[prefix.size()] == '=' &&
         got.ends_with(digits);
}

// Values holding doubles compare with `same_float`, so a NaN that went out comes back equal.
using test::roundtrip::types::entry;
using test::roundtrip::types::shape;
bool same(const shape& a, const shape& b) {
  if (a.is_real() && b.is_real()) return same_float(a.as_real(), b.as_real());
  return a == b;
}
bool same(const entry& a, const entry& b) {
  return a.key == b.key && std::ranges::equal(a.shapes, b.shapes, [](const shape& x, const shape& y) { return same(x, y); }) &&
         a.note == b.note && a.tint == b.tint && a.rank == b.rank;
}
bool same(const wit::expected<std::optional<wit::string>, shape>& a,
          const wit::expected<std::optional<wit::string>, shape>& b) {
  if (a.has_value() != b.has_value()) return false;
  return a.has_value() ? *a == *b : same(a.error(), b.error());
}
bool same_list(const auto& a, const auto& b) {
  return std::ranges::equal(a, b, [](const auto& x, const auto& y) { return same(x, y); });
}

constexpr std::int64_t counter_limit = 1'000'000;

}  // namespace

// ---- the exported `api` ----------------------------------------------------

namespace exports::test::roundtrip::api {

namespace {

/// Wraps the host's counter and keeps its own copy of the value to check the host's.
class checked_counter final : public counter {
 public:
  checked_counter(host::counter inner, std::int64_t value) : inner_(std::move(inner)), value_(value) {
    expect_eq(inner_.get(), value_, "counter: host value after construction");
  }

  std::int64_t get() override {
    std::int64_t v = inner_.get();
    expect_eq(v, value_, "counter.get");
    return v;
  }

  wit::expected<std::int64_t, range_error> add(std::int64_t delta) override {
    auto got = inner_.add(delta);
    std::int64_t sum = value_ + delta;
    if (sum > counter_limit) {
      expect_eq(got, wit::expected<std::int64_t, range_error>(wit::unexpected(range_error::too_big(sum))),
                "counter.add: too-big");
    } else if (sum < -counter_limit) {
      expect_eq(got, wit::expected<std::int64_t, range_error>(wit::unexpected(range_error::too_small(sum))),
                "counter.add: too-small");
    } else {
      expect_eq(got, wit::expected<std::int64_t, range_error>(sum), "counter.add: ok");
      value_ = sum;
    }
    return got;
  }

  wit::string label(std::optional<wit::string> prefix) override {
    auto got = inner_.label(prefix);
    if (!is_label(got, prefix ? prefix->view() : std::string_view("counter"), value_)) mismatch("counter.label");
    return got;
  }

  host::counter& inner() { return inner_; }
  const host::counter& inner() const { return inner_; }
  std::int64_t value() const { return value_; }

 private:
  host::counter inner_;
  std::int64_t value_;
};

checked_counter& checked(counter& c) { return static_cast<checked_counter&>(c); }
const checked_counter& checked(const counter& c) { return static_cast<const checked_counter&>(c); }

}  // namespace

wit::own<counter> counter::create(std::int64_t start) {
  return wit::own<counter>::make<checked_counter>(host::counter(start), start);
}

wit::own<counter> counter::merge(wit::borrow<counter> a, wit::borrow<counter> b) {
  auto& ca = checked(a.get());
  auto& cb = checked(b.get());
  return wit::own<counter>::make<checked_counter>(host::counter::merge(ca.inner(), cb.inner()),
                                                   ca.value() + cb.value());
}

std::int64_t counter::consume(wit::own<counter> c) {
  auto& cc = checked(*c);
  std::int64_t v = host::counter::consume(std::move(cc.inner()));
  expect_eq(v, cc.value(), "counter.consume");
  return v;
}

bool echo_bool(bool x) {
  bool got = host::echo_bool(x);
  expect_eq(got, x, "echo-bool");
  return got;
}

ints echo_ints(std::uint8_t a, std::uint16_t b, std::uint32_t c, std::uint64_t d, std::int8_t e, std::int16_t f,
               std::int32_t g, std::int64_t h) {
  ints got = host::echo_ints(a, b, c, d, e, f, g, h);
  expect_eq(got, ints{a, b, c, d, e, f, g, h}, "echo-ints");
  return got;
}

ints echo_ints_record(ints x) {
  ints got = host::echo_ints_record(x);
  expect_eq(got, x, "echo-ints-record");
  return got;
}

floats echo_floats(float x, double y) {
  floats got = host::echo_floats(x, y);
  if (!same_float(got.x, x) || !same_float(got.y, y)) mismatch("echo-floats");
  return got;
}

char32_t echo_char(char32_t c) {
  char32_t got = host::echo_char(c);
  expect_eq(got, c, "echo-char");
  return got;
}

wit::string echo_string(std::string_view s) {
  wit::string got = host::echo_string(s);
  expect_eq(got.view(), s, "echo-string");
  return got;
}

wit::vector<std::uint8_t> echo_bytes(std::span<const std::uint8_t> b) {
  auto got = host::echo_bytes(b);
  if (!std::ranges::equal(got.span(), b)) mismatch("echo-bytes");
  return got;
}

wit::vector<wit::string> echo_strings(std::span<const wit::string> s) {
  auto got = host::echo_strings(s);
  if (!std::ranges::equal(got.span(), s)) mismatch("echo-strings");
  return got;
}

std::tuple<one, nine, thirty_two> echo_flags(one a, nine b, thirty_two c) {
  auto got = host::echo_flags(a, b, c);
  expect_eq(got, std::tuple{a, b, c}, "echo-flags");
  return got;
}

color echo_color(color c) {
  color got = host::echo_color(c);
  expect_eq(got, c, "echo-color");
  return got;
}

std::tuple<std::uint8_t, wit::string, double, char32_t> echo_tuple(
    std::tuple<std::uint8_t, wit::string, double, char32_t> t) {
  auto got = host::echo_tuple(t);
  if (std::get<0>(got) != std::get<0>(t) || std::get<1>(got) != std::get<1>(t) ||
      !same_float(std::get<2>(got), std::get<2>(t)) || std::get<3>(got) != std::get<3>(t))
    mismatch("echo-tuple");
  return got;
}

std::tuple<std::array<std::uint32_t, 4>, std::array<wit::string, 2>, std::array<std::array<std::int8_t, 3>, 2>>
echo_fixed(std::array<std::uint32_t, 4> a, std::array<wit::string, 2> b, std::array<std::array<std::int8_t, 3>, 2> c) {
  auto got = host::echo_fixed(a, b, c);
  expect_eq(got, std::tuple{a, b, c}, "echo-fixed");
  return got;
}

wit::vector<entry> echo_entries(std::span<const entry> e) {
  auto got = host::echo_entries(e);
  if (!same_list(got.span(), e)) mismatch("echo-entries");
  return got;
}

std::optional<std::optional<std::uint32_t>> echo_option(std::optional<std::optional<std::uint32_t>> x) {
  auto got = host::echo_option(x);
  expect_eq(got, x, "echo-option");
  return got;
}

results echo_results(results r) {
  auto got = host::echo_results(r);
  expect_eq(got, r, "echo-results");
  return got;
}

wit::vector<wit::expected<std::optional<wit::string>, shape>> echo_result_list(
    std::span<const wit::expected<std::optional<wit::string>, shape>> x) {
  auto got = host::echo_result_list(x);
  if (!same_list(got.span(), x)) mismatch("echo-result-list");
  return got;
}

double sum_many(std::uint8_t a0, std::int8_t a1, std::uint16_t a2, std::int16_t a3, std::uint32_t a4, std::int32_t a5,
                std::uint64_t a6, std::int64_t a7, float a8, double a9, std::uint8_t a10, std::int8_t a11,
                std::uint16_t a12, std::int16_t a13, std::uint32_t a14, std::int32_t a15, std::uint64_t a16) {
  double got = host::sum_many(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16);
  double want = double(a0) + a1 + a2 + a3 + a4 + a5 + double(a6) + double(a7) + a8 + a9 + a10 + a11 + a12 + a13 +
                a14 + a15 + double(a16);
  if (!same_float(got, want)) mismatch("sum-many");
  return got;
}

wit::expected<double, range_error> check_range(double x, double lo, double hi) {
  auto got = host::check_range(x, lo, hi);
  wit::expected<double, range_error> want =
      std::isnan(x)  ? wit::expected<double, range_error>(wit::unexpected(range_error::not_a_number()))
      : x < lo       ? wit::unexpected(range_error::too_small(static_cast<std::int64_t>(lo)))
      : x > hi       ? wit::unexpected(range_error::too_big(static_cast<std::int64_t>(hi)))
                     : wit::expected<double, range_error>(x);
  expect_eq(got, want, "check-range");
  return got;
}

wit::expected<void, void> fail_unit(bool fail) {
  auto got = host::fail_unit(fail);
  expect_eq(got.has_value(), !fail, "fail-unit");
  return got;
}

wit::expected<void, wit::string> fail_string(bool fail) {
  auto got = host::fail_string(fail);
  expect_eq(got, fail ? wit::expected<void, wit::string>(wit::unexpected(wit::string("failed")))
                      : wit::expected<void, wit::string>(),
            "fail-string");
  return got;
}

wit::expected<std::uint32_t, wit::string> fail_payload(bool fail) {
  auto got = host::fail_payload(fail);
  expect_eq(got, fail ? wit::expected<std::uint32_t, wit::string>(wit::unexpected(wit::string("no payload")))
                      : wit::expected<std::uint32_t, wit::string>(42u),
            "fail-payload");
  return got;
}

wit::vector<wit::own<counter>> make_counters(std::uint32_t n) {
  auto got = host::make_counters(n);
  expect_eq(got.size(), std::size_t{n}, "make-counters: length");
  std::vector<wit::own<counter>> out;
  out.reserve(got.size());
  std::int64_t i = 0;
  for (auto& c : got) out.push_back(wit::own<counter>::make<checked_counter>(std::move(c), i++));
  return out;
}

std::int64_t sum_counters(std::span<const wit::borrow<counter>> cs) {
  std::vector<wit::borrow<host::counter>> inner;
  std::int64_t want = 0;
  for (const auto& c : cs) {
    const auto& cc = checked(c.get());
    inner.emplace_back(cc.inner());
    want += cc.value();
  }
  std::int64_t got = host::sum_counters(inner);
  expect_eq(got, want, "sum-counters");
  return got;
}

wit::expected<wit::own<counter>, wit::string> counter_or_err(std::int64_t start) {
  auto got = host::counter_or_err(start);
  if (start < 0) {
    if (got.has_value() || got.error() != "negative start") mismatch("counter-or-err: err");
    if (got.has_value()) return wit::unexpected(wit::string("host returned ok"));
    return wit::unexpected(std::move(got).error());
  }
  if (!got.has_value()) {
    mismatch("counter-or-err: ok");
    return wit::unexpected(std::move(got).error());
  }
  return wit::own<counter>::make<checked_counter>(std::move(got).value(), start);
}

}  // namespace exports::test::roundtrip::api

// ---- the exported `heap` ---------------------------------------------------

namespace exports::test::roundtrip::heap {

void reset() {
  counters.allocs = counters.frees = 0;
  counters.arg_frees = counters.result_frees = 0;
  counters.greet_arg = counters.greet_result = nullptr;
}

counts stats() {
  return {counters.allocs,      counters.frees,         counters.live_bytes,
          counters.live_blocks, counters.arg_frees,     counters.result_frees};
}

wit::vector<wit::string> mismatches() {
  return wit::vector<wit::string>(std::span<const wit::string>(mismatch_log));
}

// Builds the answer in one allocation, the one the ABI needs for the result.
wit::string greet(std::string_view name) {
  constexpr std::string_view hello = "Hello, ";
  auto out = wit::string::with_size(hello.size() + name.size() + 1);
  char* p = out.data();
  p = std::copy(hello.begin(), hello.end(), p);
  p = std::copy(name.begin(), name.end(), p);
  *p = '!';
  counters.greet_arg = name.data();
  counters.greet_result = out.data();
  return out;
}

}  // namespace exports::test::roundtrip::heap
