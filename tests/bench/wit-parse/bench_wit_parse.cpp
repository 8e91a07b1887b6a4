// Parser throughput on a generated package of N MB (default 50): interfaces with
// records, variants, enums, flags, resources, functions, `use` chains, docs and
// gates. Reports MB/s of `ast::parse` and peak RSS growth, and the ratio to a
// reference measured in the same run on the same bytes (counting lines, a pure
// memory-bandwidth pass), so figures compare across machines.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <string>

#include <sys/resource.h>

#include "witc/wit/ast.hpp"

namespace {

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::string generate(std::size_t bytes) {
  std::string text = "package bench:big@1.0.0;\n";
  text.reserve(bytes + 4096);
  for (int i = 0; text.size() < bytes; ++i) {
    int prev = i == 0 ? 0 : i - 1;
    text += fmt::format(R"(/// Interface number {0}.
interface iface{0} {{
  use iface{1}.{{rec{1}}};
  /// A record.
  record rec{0} {{
    a: u32,
    b: list<string>,
    c: option<tuple<u8, s64>>,
  }}
  variant var{0} {{ none, some(rec{0}), other(result<u32, string>) }}
  enum en{0} {{ a, b, c }}
  flags fl{0} {{ x, y, z }}
  resource res{0} {{
    constructor(x: u32);
    get: func() -> u32;
    make: static func(a: borrow<res{0}>) -> res{0};
  }}
  @since(version = 1.0.0)
  fn{0}: func(a: rec{0}, b: var{0}, c: list<en{0}>) -> result<fl{0}, string>;
  async-fn{0}: async func(s: stream<u8>) -> future<u32>;
}}
)",
                        i, prev);
  }
  return text;
}

template <class F>
double seconds(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  double mb = argc > 1 ? std::atof(argv[1]) : 50.0;
  std::string text = generate(static_cast<std::size_t>(mb * 1e6));
  double size_mb = static_cast<double>(text.size()) / 1e6;
  witc::source_map sm;
  sm.add("bench.wit", std::move(text));
  const std::string& src = sm.at(0).text;

  long lines = 0;
  double ref = seconds([&] { lines = std::count(src.begin(), src.end(), '\n'); });

  long rss_before = peak_rss_kb();
  bool ok = false;
  std::size_t items = 0;
  std::clock_t c0 = std::clock();
  double parse = seconds([&] {
    auto r = witc::wit::ast::parse(sm, 0);
    ok = r.has_value();
    if (ok) items = r->items.size();
  });
  double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  long rss_after = peak_rss_kb();
  if (!ok) {
    fmt::print("parse failed\n");
    return 1;
  }
  fmt::print("input: {:.1f} MB, {} lines, {} interfaces\n", size_mb, lines, items);
  // CPU time too: on a shared, loaded machine wall time mostly measures the others.
  fmt::print("parse: {:.3f} s wall, {:.1f} MB/s; {:.3f} s CPU, {:.1f} MB/s; peak RSS grew {:.0f} MB ({:.1f}x input)\n",
             parse, size_mb / parse, cpu, size_mb / cpu,
             (rss_after - rss_before) / 1024.0, (rss_after - rss_before) / 1024.0 / size_mb);
  fmt::print("reference (count lines): {:.4f} s, {:.0f} MB/s; parse/reference time ratio {:.0f}\n", ref,
             size_mb / ref, parse / ref);
  return 0;
}
