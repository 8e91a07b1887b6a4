// Decode and validate speed of large core modules (MB/s), each against a reference
// measured in the same run: one pass over the code section that decodes every LEB128
// byte group (the floor of touching the instruction bytes once).
// Default input: jco's StarlingMonkey embedding (10.5 MB), skipped when absent.
#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "witc/binary/core_validate.hpp"

namespace bin = witc::binary;

namespace {

// Thread CPU time, not wall time: the build machines are shared, and a loaded machine
// would otherwise measure the other jobs.
struct clock_type {
  using time_point = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  }
};
double ms_since(double t0) { return clock_type::now() - t0; }

// Sum of every LEB128 group of the code section: a lower bound for any decoder.
std::uint64_t leb_floor(const bin::module& m) {
  std::uint64_t sum = 0;
  for (const auto& c : m.codes) {
    const std::uint8_t* p = c.body.data();
    const std::uint8_t* e = p + c.body.size();
    while (p < e) {
      std::uint64_t v = 0;
      unsigned shift = 0;
      std::uint8_t b;
      do {
        b = *p++;
        v |= static_cast<std::uint64_t>(b & 0x7F) << (shift & 63);
        shift += 7;
      } while ((b & 0x80) && p < e);
      sum += v;
    }
  }
  return sum;
}

int bench(const std::filesystem::path& path, int runs) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  double mb = static_cast<double>(bytes.size()) / (1024.0 * 1024.0);
  double dec = 1e9, val = 1e9, floor = 1e9;
  std::uint64_t sink = 0;
  std::size_t code_bytes = 0;
  for (int i = 0; i < runs; ++i) {
    auto t0 = clock_type::now();
    auto m = bin::decode_module(bytes);
    dec = std::min(dec, ms_since(t0));
    if (!m) {
      fmt::print("{}: decode failed: {}\n", path.string(), m.error().front().message);
      return 1;
    }
    auto t1 = clock_type::now();
    auto v = bin::validate_module(**m, {.features = bin::core_features::all()});
    val = std::min(val, ms_since(t1));
    if (!v) {
      fmt::print("{}: validation failed: {}\n", path.string(), v.error().front().message);
      return 1;
    }
    auto t2 = clock_type::now();
    sink += leb_floor(**m);
    floor = std::min(floor, ms_since(t2));
    code_bytes = 0;
    for (auto& c : (*m)->codes) code_bytes += c.body.size();
  }
  double code_mb = static_cast<double>(code_bytes) / (1024.0 * 1024.0);
  fmt::print("{} ({:.1f} MB, code {:.1f} MB), thread CPU time, best of {}:\n", path.filename().string(), mb, code_mb, runs);
  fmt::print("  decode            {:8.2f} ms  {:7.0f} MB/s\n", dec, mb / dec * 1000);
  fmt::print("  validate          {:8.2f} ms  {:7.0f} MB/s\n", val, mb / val * 1000);
  fmt::print("  decode + validate {:8.2f} ms  {:7.0f} MB/s\n", dec + val, mb / (dec + val) * 1000);
  fmt::print("  LEB128 floor      {:8.2f} ms  {:7.0f} MB/s  (code section only; ratio {:.2f}x)\n", floor,
             code_mb / floor * 1000, (dec + val) / floor);
  if (sink == 42) fmt::print(" ");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::atoi(argv[++i]);
    else files.emplace_back(argv[i]);
  }
  if (files.empty()) {
    auto p = std::filesystem::path(WITC_SOURCE_DIR) /
             "tests/interop/node_modules/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm";
    if (!std::filesystem::exists(p)) {
      fmt::print("SKIP: {} is absent (npm install in tests/interop)\n", p.string());
      return 0;
    }
    files.push_back(p);
  }
  int rc = 0;
  for (auto& f : files) rc |= bench(f, runs);
  return rc;
}
