#pragma once
// The component spec corpus as a list of binaries with what the script expects of
// each. The JSON files come from one known converter (wasm-tools json-from-wast), so a
// small key scanner is enough: commands are flat objects whose `filename` follows
// their `type`.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace witc::test {

struct corpus_case {
  std::string script;   // path of the .json, relative to the corpus root
  std::string command;  // module, module_definition, assert_invalid, ...
  std::filesystem::path file;
  std::string text;     // the expected message, for assert_*
  int line = 0;
};

/// The shared directory (WITC_SHARED_DIR env var, else the compile-time default).
std::filesystem::path shared_dir();
/// Every binary case of every script under `root`, in a stable order.
std::vector<corpus_case> component_corpus(const std::filesystem::path& root);
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p);

}  // namespace witc::test
