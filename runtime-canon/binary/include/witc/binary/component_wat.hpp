#pragma once
// The component text format (WAT), for the subset that WIT packages use as
// `wasm-tools component wit --wat` prints them: component, instance and value
// types, imports, exports, aliases and custom sections. Everything else (core
// modules, canon, instantiation) is reported as not supported yet, with its place.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "witc/binary/component_ast.hpp"
#include "witc/support/result.hpp"
#include "witc/support/source_map.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::binary {

/// Parses file `file` of `sm` (already added as text) as a `(component ...)` in the
/// text format, into the AST that `write_component` encodes. Errors point at
/// `file:line:col`. Example:
///   auto idx = sm.files().size(); sm.add("p.wat", text);
///   WITC_TRY(component::component c, parse_wat(sm, idx));
///   auto bytes = write_component(c);
[[nodiscard]] result<component::component> parse_wat(const source_map& sm, std::size_t file);

/// `parse_wat` then `write_component`: the binary of a text component.
/// Example: `WITC_TRY(auto bytes, wat_to_wasm(sm, idx));`
[[nodiscard]] result<std::vector<std::uint8_t>> wat_to_wasm(const source_map& sm, std::size_t file);

/// A component in the text format, as `wasm-tools print` lays it out (numeric
/// indices, `(;N;)` comments); the same subset `parse_wat` reads, so that
/// `parse_wat(print_wat(c))` is `c` again. Example:
///   WITC_TRY(auto c, read_component(bytes)); WITC_TRY(std::string text, print_wat(c));
[[nodiscard]] result<std::string> print_wat(const component::component& c);

/// The binary loader for `wit::push_path` (a `wit::binary_loader`): decodes the
/// encoded WIT package in `bytes` (binary, or text when it does not start with
/// `\0asm`), adds the file to `sm` and merges the package into `r`, as wit-parser
/// does for `.wasm`/`.wat` files. A component that is not a WIT package is an error.
/// Example:
///   wit::load_options o{&binary::push_binary_wit};
///   WITC_TRY(auto pkgs, wit::push_path(r, sm, "dir", o));
[[nodiscard]] result<wit::package_id> push_binary_wit(wit::resolve& r, source_map& sm,
                                                      const std::filesystem::path& path, std::string bytes);

}  // namespace witc::binary
