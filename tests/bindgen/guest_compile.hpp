#pragma once
// Writing generated bindings to a scratch directory and compiling them for wasm32.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "witc/bindgen/cpp.hpp"

namespace witc_test {

/// The guest compiler, or empty when none is installed.
inline std::string guest_cxx() {
  std::string cxx = WITC_GUEST_CXX;
  if (cxx.empty() || cxx.find("NOTFOUND") != std::string::npos) return {};
  return cxx;
}

/// Writes `files` to `dir` and compiles `<world>.cpp` for wasm32-wasi with warnings as
/// errors. Returns the compiler's output on failure, empty on success.
inline std::string compile_guest(const std::vector<witc::bindgen::output_file>& files,
                                 const std::filesystem::path& dir, const std::string& extra = {}) {
  std::filesystem::create_directories(dir);
  std::string source;
  for (const auto& f : files) {
    std::ofstream(dir / f.name, std::ios::binary) << f.contents;
    if (f.name.size() > 4 && f.name.ends_with(".cpp")) source = (dir / f.name).string();
  }
  const auto log = dir / "compile.log";
  const std::string cmd = fmt::format(
      "{} --target=wasm32-wasi -std=c++20 -Wall -Wextra -Werror -O0 -c '{}' -o '{}' {} > '{}' 2>&1", guest_cxx(),
      source, (dir / "out.o").string(), extra, log.string());
  if (std::system(cmd.c_str()) == 0) return {};
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.empty() ? "compiler failed" : text;
}

}  // namespace witc_test
