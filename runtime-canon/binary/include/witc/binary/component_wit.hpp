#pragma once
// WIT <-> component types, in the encoding wit-component uses: a world as a
// component type (the `component-type:<world>` custom section that
// `component embed` writes and bindgen emits), a WIT package as a component of
// type exports, and the way back into a `wit::resolve`.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "witc/binary/component_ast.hpp"
#include "witc/support/result.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::binary {

/// The string encoding recorded beside an encoded world.
enum class string_encoding : std::uint8_t { utf8 = 0, utf16 = 1, latin1_utf16 = 2 };

/// The world as a component type: its imports and exports as the component
/// model sees them. Example: `WITC_TRY(component::type t, world_type(r, w));`
[[nodiscard]] result<component::type> world_type(const wit::resolve& r, wit::world_id w);

/// The payload of a `component-type:<world>` custom section: a component exporting
/// the world's type, with a `wit-component-encoding` custom section.
/// Example (bindgen embedding the type into a guest):
///   WITC_TRY(std::vector<std::uint8_t> bytes, encode_world(r, w));
[[nodiscard]] result<std::vector<std::uint8_t>> encode_world(const wit::resolve& r, wit::world_id w,
                                                             string_encoding enc = string_encoding::utf8);

/// The custom section name `embed` uses for world `w`: `component-type:<name>`.
[[nodiscard]] std::string world_section_name(const wit::resolve& r, wit::world_id w);

/// A WIT package as a component (`wasm-tools component wit --wasm`): one exported
/// component type per interface and per world. Example:
///   WITC_TRY(auto bytes, encode_package(r, pkgs[0]));
[[nodiscard]] result<std::vector<std::uint8_t>> encode_package(const wit::resolve& r, wit::package_id p);

/// What `decode_wit` found.
struct decoded_wit {
  wit::resolve resolve;
  std::vector<wit::package_id> packages;  // the packages the binary defines
  std::optional<wit::world_id> world;     // a component's own world, or the single encoded world
  bool is_package = false;                // an encoded WIT package (or world), not a component
  string_encoding encoding = string_encoding::utf8;
};

/// Decodes an encoded WIT package, an encoded world (a `component-type` section
/// payload) or any component (its imports and exports become world `root` of
/// package `root:component`). `base` is the offset of `bytes` in a source_map.
/// Example: `WITC_TRY(decoded_wit d, decode_wit(bytes)); print_wit(d.resolve, d.packages[0]);`
[[nodiscard]] result<decoded_wit> decode_wit(std::span<const std::uint8_t> bytes, std::uint32_t base = 0);

/// WIT text for package `p` of `r` (its interfaces and worlds, in order), in the
/// style of `wasm-tools component wit`. Example: `fmt::print("{}", print_wit(r, p));`
[[nodiscard]] std::string print_wit(const wit::resolve& r, wit::package_id p);

/// `core` with a `component-type:<world>` custom section appended that carries
/// world `w` (what `wasm-tools component embed` does). Example:
///   WITC_TRY(auto out, embed_world(core_bytes, r, w));
[[nodiscard]] result<std::vector<std::uint8_t>> embed_world(std::span<const std::uint8_t> core, const wit::resolve& r,
                                                            wit::world_id w,
                                                            string_encoding enc = string_encoding::utf8);

/// A core module with the imports and exports a guest of world `w` has under the
/// canonical ABI (function bodies are `unreachable`), plus `memory` and
/// `cabi_realloc`: the `--dummy` of `component embed`, for tests.
/// Example: `WITC_TRY(auto core, dummy_module(r, w));`
[[nodiscard]] result<std::vector<std::uint8_t>> dummy_module(const wit::resolve& r, wit::world_id w);

}  // namespace witc::binary
