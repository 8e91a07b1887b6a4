#pragma once
// File input and output shared by the subcommands that read binaries and write their
// result to `-o FILE` or standard output.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace witc::cli {

/// The bytes of `path`, or none when it cannot be read.
/// Example: `auto core = read_binary("m.wasm"); if (!core) ...`
[[nodiscard]] inline std::optional<std::vector<std::uint8_t>> read_binary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Writes `bytes` to `path`, or to standard output when `path` is empty or `-`;
/// false when the file cannot be written. Example: `if (!write_output(o.output, text)) ...`
[[nodiscard]] inline bool write_output(const std::string& path, std::string_view bytes) {
  if (path.empty() || path == "-") return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}
/// The same for binary output. Example: `write_output(o.output, component_bytes)`.
[[nodiscard]] inline bool write_output(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  return write_output(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace witc::cli
