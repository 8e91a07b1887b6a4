#pragma once
// C++ guest bindings for a WIT world: `witc bindgen --lang cpp`.
#include <cstdint>
#include <string>
#include <vector>

#include "witc/support/result.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::bindgen {

/// One generated file: its name (no directory) and its text.
struct output_file {
  std::string name;
  std::string contents;
};

/// Knobs of the C++ generator.
struct cpp_options {
  /// Embed the world's type (the `component-type:<world>` custom section that
  /// `witc component new` reads) in the glue, so the built module carries it.
  bool embed_component_type = true;
};

/// Generates `witc_guest.hpp` (support types), `<world>.hpp` (the world's API) and
/// `<world>.cpp` (the canonical ABI glue) for `world`. Layout comes from `canon`.
/// Async functions, streams, futures and error contexts are reported as not supported.
/// Example:
///   WITC_TRY(auto files, generate_cpp(r, world));
///   for (auto& f : files) write(out_dir / f.name, f.contents);
[[nodiscard]] result<std::vector<output_file>> generate_cpp(const wit::resolve& r, wit::world_id world,
                                                            const cpp_options& opts = {});

/// The snake_case C++ identifier of a WIT name, keywords escaped with a trailing `_`.
/// Example: `cpp_name("get-value") == "get_value"`, `cpp_name("class") == "class_"`.
[[nodiscard]] std::string cpp_name(std::string_view wit_name);

/// The text of `witc_guest.hpp`.
[[nodiscard]] std::string_view guest_support_header();

}  // namespace witc::bindgen
