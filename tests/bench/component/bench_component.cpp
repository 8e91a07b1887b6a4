// Decode + validate of a large component, against a reference measured in the same
// run: one hashing pass over the same bytes (the floor of touching them).
// The component nests many copies of the WASI 0.2.0 package encoded as component
// types (types, instances, aliases, resources: the validator's heavy parts) until
// it reaches the requested size.
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/load.hpp"

using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
  double mb = 10;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mb") == 0) mb = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
  }
  const char* env = std::getenv("WITC_SHARED_DIR");
  std::filesystem::path wasi = std::filesystem::path(env ? env : WITC_SHARED_DIR) / "corpus/wit/wasi/0.2.0";
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, wasi);
  if (!pkgs) {
    fmt::print("SKIP: cannot load {}\n", wasi.string());
    return 0;
  }
  // Every package of the set, as one component each, nested until the size is reached.
  namespace c = witc::binary::component;
  c::component big;
  std::size_t size = 8;
  while (size < mb * 1024 * 1024) {
    for (std::uint32_t i = 0; i < r.packages.size(); ++i) {
      auto bytes = witc::binary::encode_package(r, witc::wit::package_id{i});
      if (!bytes) continue;
      auto inner = witc::binary::read_component(*bytes);
      c::section s;
      s.id = 4;
      s.body = c::detail::box<c::component>(std::move(*inner));
      big.sections.push_back(std::move(s));
      size += bytes->size() + 5;
    }
  }
  auto bytes = witc::binary::write_component(big);
  double best = 1e9, ref = 1e9, decode_ms = 1e9;
  for (int i = 0; i < runs; ++i) {
    auto t0 = clock_type::now();
    auto dec = witc::binary::read_component(bytes);
    auto td = clock_type::now();
    auto ok = dec && witc::binary::validate_component(*dec);
    auto t1 = clock_type::now();
    decode_ms = std::min(decode_ms, std::chrono::duration<double, std::milli>(td - t0).count());
    if (!ok) {
      fmt::print("error: the benchmark component does not validate\n");
      return 1;
    }
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
    auto t2 = clock_type::now();
    std::uint64_t sum = 0;
    for (auto b : bytes) sum = sum * 31 + b;
    volatile std::uint64_t sink = sum;
    (void)sink;
    auto t3 = clock_type::now();
    ref = std::min(ref, std::chrono::duration<double, std::milli>(t3 - t2).count());
  }
  fmt::print("component: {:.1f} MB, decode+validate {:.1f} ms (decode {:.1f} ms), {:.0f} MB/s; byte-hash reference {:.2f} ms; ratio {:.0f}x\n",
             bytes.size() / 1048576.0, best, decode_ms, bytes.size() / 1048576.0 / (best / 1000), ref,
             best / std::max(ref, 1e-6));
  return 0;
}
