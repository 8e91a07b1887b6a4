// Time of `generate_cpp` for the WASI 0.2.12 `proxy` and `command` worlds, against the
// reference measured in the same run: resolving the WASI packages (push_path).
// The budget: bindgen for both worlds under 50 ms.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "witc/bindgen/cpp.hpp"
#include "witc/wit/load.hpp"

int main() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(WITC_SHARED_DIR) / "corpus/wit/wasi/0.2.12";
  if (!fs::exists(dir)) {
    fmt::print("SKIP: {} is absent\n", dir.string());
    return 0;
  }
  using clock = std::chrono::steady_clock;
  constexpr int rounds = 20;
  double resolve_ms = 0, gen_ms = 0;
  std::size_t bytes = 0;
  for (int i = 0; i < rounds; ++i) {
    witc::wit::resolve r;
    witc::source_map sm;
    auto t0 = clock::now();
    auto pkgs = witc::wit::push_path(r, sm, dir);
    auto t1 = clock::now();
    if (!pkgs) {
      fmt::print("resolve failed:\n{}", witc::render(pkgs.error(), sm));
      return 1;
    }
    resolve_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
    for (const char* name : {"wasi:http/proxy@0.2.12", "wasi:cli/command@0.2.12"}) {
      auto w = witc::wit::select_world(r, *pkgs, name);
      if (!w) {
        fmt::print("no world {}\n", name);
        return 1;
      }
      auto t2 = clock::now();
      auto files = witc::bindgen::generate_cpp(r, *w);
      auto t3 = clock::now();
      if (!files) {
        fmt::print("bindgen failed:\n{}", witc::render(files.error(), sm));
        return 1;
      }
      for (auto& f : *files) bytes += f.contents.size();
      gen_ms += std::chrono::duration<double, std::milli>(t3 - t2).count();
    }
  }
  fmt::print("resolve (reference): {:.2f} ms; bindgen proxy+command: {:.2f} ms ({:.2f}x the reference, budget 50 ms); {} KiB generated\n",
             resolve_ms / rounds, gen_ms / rounds, gen_ms / resolve_ms, bytes / rounds / 1024);
  return 0;
}
