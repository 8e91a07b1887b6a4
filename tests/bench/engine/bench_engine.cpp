// Interpreter speed against native code on the same C kernels, in one run, plus
// decode+validate+compile throughput and instantiation latency.
//
//   bench_engine [scale] [kernel]   (scale multiplies iteration counts, default 1; a kernel
//                                    name runs only that kernel, `compile` none, for profiling)
//   BENCH_ENGINE_CHECKED=1 bench_engine ...   explicit bounds checks instead of guard pages
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "witc/binary/core_validate.hpp"
#include "witc/engine/engine.hpp"
#include "witc/engine/wasi.hpp"

extern "C" {
std::uint32_t bench_coremark(std::uint32_t);
std::uint32_t bench_sha256(std::uint32_t);
std::uint32_t bench_recursion(std::uint32_t);
std::uint32_t bench_matrix(std::uint32_t);
std::uint32_t bench_float(std::uint32_t);
}

using namespace witc;
namespace {

// CPU time of this thread: the machine is shared, and wall time would charge other
// processes' work to whichever side of the comparison happened to be running.
struct clk {
  using time_point = double;
  static double now() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
};
double seconds_since(double t0) { return clk::now() - t0; }

// A synthetic module of about `target` bytes: many functions of mixed arithmetic,
// memory access, blocks and branches.
std::vector<std::uint8_t> synth_module(std::size_t target) {
  auto leb = [](std::vector<std::uint8_t>& o, std::uint64_t v) {
    do {
      std::uint8_t b = v & 0x7F;
      v >>= 7;
      o.push_back(v ? b | 0x80 : b);
    } while (v);
  };
  std::vector<std::uint8_t> body;
  body.push_back(1);  // one local run
  body.push_back(2);
  body.push_back(0x7F);
  for (int r = 0; r < 12; ++r) {
    for (std::uint8_t b : {0x02, 0x40, 0x20, 0x00, 0x20, 0x01, 0x6A, 0x21, 0x02, 0x20, 0x02, 0x41, 0x07, 0x71,
                           0x0D, 0x00, 0x20, 0x02, 0x28, 0x02, 0x00, 0x20, 0x01, 0x6C, 0x21, 0x03, 0x20, 0x03,
                           0x41, 0x05, 0x76, 0x20, 0x00, 0x73, 0x21, 0x00, 0x0B})
      body.push_back(b);
  }
  for (std::uint8_t b : {0x20, 0x00, 0x20, 0x03, 0x6A, 0x0B}) body.push_back(b);
  std::size_t per = body.size() + 2;
  std::size_t n = target / per;
  std::vector<std::uint8_t> m = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  m.insert(m.end(), {0x01, 0x07, 0x01, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F});
  std::vector<std::uint8_t> funcs;
  leb(funcs, n);
  for (std::size_t i = 0; i < n; ++i) funcs.push_back(0);
  m.push_back(3);
  leb(m, funcs.size());
  m.insert(m.end(), funcs.begin(), funcs.end());
  m.insert(m.end(), {0x05, 0x03, 0x01, 0x00, 0x01});
  std::vector<std::uint8_t> code;
  leb(code, n);
  for (std::size_t i = 0; i < n; ++i) {
    leb(code, body.size());
    code.insert(code.end(), body.begin(), body.end());
  }
  m.push_back(10);
  leb(m, code.size());
  m.insert(m.end(), code.begin(), code.end());
  return m;
}

std::vector<std::uint8_t> small_module() {
  // (memory 1) (global (mut i32) (i32.const 0)) (table 4 funcref) (func (export "f") (result i32) ...)
  return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,
          0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00, 0x04, 0x05, 0x03, 0x01, 0x00, 0x01,
          0x06, 0x06, 0x01, 0x7F, 0x01, 0x41, 0x00, 0x0B, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
          0x0A, 0x06, 0x01, 0x04, 0x00, 0x23, 0x00, 0x0B};
}

}  // namespace

int main(int argc, char** argv) {
  double scale = argc > 1 ? std::atof(argv[1]) : 1.0;
  std::string only = argc > 2 ? argv[2] : "";
  std::ifstream in(KERNELS_WASM, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  const char* checked = std::getenv("BENCH_ENGINE_CHECKED");
  engine::engine eng(engine::engine_options{.guard_pages = !(checked && *checked == '1')});
  fmt::print("memory accesses: {}\n", eng.options().guard_pages ? "guard pages" : "explicit bounds checks");
  auto cm = eng.compile(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  if (!cm) {
    fmt::print("cannot compile kernels.wasm: {}\n", cm.error()[0].message);
    return 1;
  }
  engine::store st(eng);
  engine::wasi w({});
  auto imports = w.imports(st, engine::module_of(**cm));
  if (!imports) return 1;
  auto inst = st.instantiate(*cm, *imports);
  if (!inst) return 1;
  if (auto* init = (*inst)->export_func("_initialize")) (void)st.call(init, {});

  struct kernel {
    const char* name;
    std::uint32_t (*native)(std::uint32_t);
    std::uint32_t iters;
  };
  kernel ks[] = {{"coremark", bench_coremark, 400},
                 {"sha256", bench_sha256, 60},
                 {"recursion", bench_recursion, 40},
                 {"matrix", bench_matrix, 30},
                 {"float", bench_float, 40}};
  fmt::print("{:<10} {:>12} {:>12} {:>10}  {}\n", "kernel", "native ms", "wasm ms", "% native", "checksum");
  double log_sum = 0;
  int n = 0;
  for (auto& k : ks) {
    if (!only.empty() && only != k.name) continue;  // "compile": no kernel, only compile/instantiate
    std::uint32_t iters = static_cast<std::uint32_t>(k.iters * scale) + 1;
    auto* f = (*inst)->export_func(std::string("bench_") + k.name);
    double best_native = 1e9, best_wasm = 1e9;
    std::uint32_t cn = 0, cw = 0;
    // Best of several runs on both sides, the native ones before and after the wasm ones
    // (which run back to back, warm): a stretch of time the machine's other load slowed
    // down (the short native runs suffer most) must not move the ratio.
    auto native = [&] {
      for (int r = 0; r < 4; ++r) {
        auto t0 = clk::now();
        cn = k.native(iters);
        best_native = std::min(best_native, seconds_since(t0));
      }
    };
    native();
    for (int r = 0; r < 3; ++r) {
      auto t0 = clk::now();
      engine::value arg = engine::value::i32(static_cast<std::int32_t>(iters));
      auto res = st.call(f, std::span(&arg, 1));
      best_wasm = std::min(best_wasm, seconds_since(t0));
      if (!res) {
        fmt::print("{}: trapped: {}\n", k.name, res.error()[0].message);
        return 1;
      }
      cw = static_cast<std::uint32_t>((*res)[0].as_i32());
    }
    native();
    double pct = 100.0 * best_native / best_wasm;
    log_sum += std::log(pct);
    ++n;
    fmt::print("{:<10} {:>12.2f} {:>12.2f} {:>9.2f}%  {}\n", k.name, best_native * 1e3, best_wasm * 1e3, pct,
               cn == cw ? "same" : fmt::format("DIFFERENT native {:#x} wasm {:#x}", cn, cw));
  }
  if (n > 0) fmt::print("geometric mean: {:.2f}% of native speed\n", std::exp(log_sum / n));
  if (!only.empty() && only != "compile") return 0;

  // The whole pipeline, then its three stages separately (decode and validate belong to
  // the binary library, translation to the engine).
  auto big = synth_module(1 << 20);
  double best = 1e9, best_dec = 1e9, best_val = 1e9, best_tr = 1e9;
  for (int r = 0; r < 5; ++r) {
    auto t0 = clk::now();
    auto m = eng.compile(std::span<const std::uint8_t>(big));
    best = std::min(best, seconds_since(t0));
    if (!m) {
      fmt::print("synthetic module rejected: {}\n", m.error()[0].message);
      return 1;
    }
    t0 = clk::now();
    auto dm = binary::decode_module(std::span<const std::uint8_t>(big));
    best_dec = std::min(best_dec, seconds_since(t0));
    if (!dm) return 1;
    t0 = clk::now();
    auto v = binary::validate_module(**dm);
    best_val = std::min(best_val, seconds_since(t0));
    if (!v) return 1;
    t0 = clk::now();
    auto tm = eng.compile(*dm);
    best_tr = std::min(best_tr, seconds_since(t0));
    if (!tm) return 1;
  }
  double mb = big.size() / 1e6;
  fmt::print("decode+validate+compile of a {:.2f} MB module: {:.2f} ms, {:.1f} MB/s\n", mb, best * 1e3, mb / best);
  fmt::print("  decode {:.2f} ms ({:.0f} MB/s), validate {:.2f} ms ({:.0f} MB/s), translate {:.2f} ms ({:.0f} MB/s)\n",
             best_dec * 1e3, mb / best_dec, best_val * 1e3, mb / best_val, best_tr * 1e3, mb / best_tr);

  auto small = small_module();
  auto sm = eng.compile(std::span<const std::uint8_t>(small));
  if (!sm) {
    fmt::print("small module rejected: {}\n", sm.error()[0].message);
    return 1;
  }
  const int reps = 2000;
  double total = 0;
  for (int batch = 0; batch < 5; ++batch) {
    engine::store s2(eng);
    auto t0 = clk::now();
    for (int i = 0; i < reps; ++i) {
      auto r = s2.instantiate(*sm, {});
      if (!r) return 1;
    }
    double t = seconds_since(t0) / reps;
    total = batch == 0 ? t : std::min(total, t);
  }
  fmt::print("instantiate a small module (memory, table, global, function): {:.2f} us\n", total * 1e6);
  return 0;
}
