// Decode + validate of large components, each against a reference measured in the
// same run: one hashing pass over the same bytes (the floor of touching them).
//  (a) synthetic: many copies of the WASI 0.2.0 packages encoded as component types
//      (types, instances, aliases, resources: the validator's heavy parts), nested
//      until the requested size;
//  (b) jco: a real component made by `jco componentize` from a small JS module
//      (tests/interop/jco-read/componentize.mjs; build target bench_component_jco_input),
//      most of it one core module. Its time is split into the core modules (decoded and
//      validated on their own) and the rest, the component part.
// Usage: bench_component [--mb SIZE] [--runs R] [--jco FILE]
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/binary/core_validate.hpp"
#include "witc/wit/load.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
namespace c = witc::binary::component;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double hash_ms(const std::vector<std::uint8_t>& bytes) {
  auto t0 = clock_type::now();
  std::uint64_t sum = 0;
  for (auto b : bytes) sum = sum * 31 + b;
  volatile std::uint64_t sink = sum;
  (void)sink;
  return ms_since(t0);
}

// Every core module section, nested components included.
void core_modules(const c::component& comp, std::vector<const c::core_module*>& out) {
  for (const auto& s : comp.sections) {
    if (s.id == 1) out.push_back(&std::get<c::core_module>(s.body));
    if (s.id == 4) core_modules(*std::get<c::detail::box<c::component>>(s.body), out);
  }
}

struct timing {
  double decode = 1e9, total = 1e9, core = 1e9, rest = 1e9, ref = 1e9;
};

// Best of `runs`; false when the component does not decode or validate.
bool measure(const std::vector<std::uint8_t>& bytes, int runs, timing& t) {
  for (int i = 0; i < runs; ++i) {
    auto t0 = clock_type::now();
    auto dec = witc::binary::read_component(bytes);
    t.decode = std::min(t.decode, ms_since(t0));
    if (!dec) return false;
    auto v = witc::binary::validate_component(*dec);
    double total = ms_since(t0);
    t.total = std::min(t.total, total);
    if (!v) {
      fmt::print("error: {}\n", v.error().front().message);
      return false;
    }
    std::vector<const c::core_module*> mods;
    core_modules(*dec, mods);
    auto t1 = clock_type::now();
    for (const auto* m : mods)
      if (!witc::binary::load_module(m->bytes, m->offset)) return false;
    double core = ms_since(t1);
    t.core = std::min(t.core, core);
    t.rest = std::min(t.rest, std::max(0.0, total - core));
    t.ref = std::min(t.ref, hash_ms(bytes));
  }
  return true;
}

void report(std::string_view name, const std::vector<std::uint8_t>& bytes, const timing& t, bool split) {
  double mb = bytes.size() / 1048576.0;
  fmt::print("{}: {:.1f} MB, decode+validate {:.1f} ms (decode {:.1f} ms", name, mb, t.total, t.decode);
  if (split) fmt::print("; core modules {:.1f} ms, component part {:.1f} ms", t.core, t.rest);
  fmt::print("), {:.0f} MB/s; byte-hash reference {:.2f} ms; ratio {:.0f}x\n", mb / (t.total / 1000), t.ref,
             t.total / std::max(t.ref, 1e-6));
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 10;
  int runs = 5;
  std::filesystem::path jco = WITC_BENCH_JCO_COMPONENT;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mb") == 0) mb = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--jco") == 0) jco = argv[i + 1];
  }
  int status = 0;
  const char* env = std::getenv("WITC_SHARED_DIR");
  std::filesystem::path wasi = std::filesystem::path(env ? env : WITC_SHARED_DIR) / "corpus/wit/wasi/0.2.0";
  witc::wit::resolve r;
  witc::source_map sm;
  if (!witc::wit::push_path(r, sm, wasi)) {
    fmt::print("SKIP (a): cannot load {}\n", wasi.string());
  } else {
    // Every package of the set, as one component each, nested until the size is reached.
    c::component big;
    std::size_t size = 8;
    while (size < mb * 1024 * 1024) {
      for (std::uint32_t i = 0; i < r.packages.size(); ++i) {
        auto bytes = witc::binary::encode_package(r, witc::wit::package_id{i});
        if (!bytes) continue;
        auto inner = witc::binary::read_component(*bytes);
        if (!inner) continue;
        c::section s;
        s.id = 4;
        s.body = c::detail::box<c::component>(std::move(*inner));
        big.sections.push_back(std::move(s));
        size += bytes->size() + 5;
      }
    }
    auto bytes = witc::binary::write_component(big);
    timing t;
    if (measure(bytes, runs, t)) report("(a) synthetic types", bytes, t, false);
    else { fmt::print("error: the synthetic component does not validate\n"); status = 1; }
  }
  std::ifstream in(jco, std::ios::binary);
  if (!in) {
    fmt::print("SKIP (b): no {} (make it with `ninja bench_component_jco_input`, which needs node and jco)\n",
               jco.string());
    return status;
  }
  std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  timing t;
  if (measure(bytes, runs, t)) report("(b) jco componentize", bytes, t, true);
  else { fmt::print("error: {} does not validate\n", jco.string()); status = 1; }
  return status;
}
