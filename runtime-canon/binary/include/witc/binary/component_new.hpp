#pragma once
// `component new`: a core module that carries its world in `component-type*`
// custom sections becomes a component, as wit-component does it. Imports are
// lowered (through a shim table when they need the module's memory or realloc,
// which exist only once the module is instantiated), exports lifted with their
// `cabi_post_*` post-return, resources wired to `[resource-new]`/`-rep`/`-drop`
// and `[dtor]`, and `_initialize` runs before anything else. Adapter modules
// (`--adapt wasi_snapshot_preview1=...`) implement a core import module in
// terms of their own world's imports.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "witc/support/result.hpp"

namespace witc::binary {

/// An adapter: the core import module name it implements and its binary.
/// Example: `adapter{"wasi_snapshot_preview1", read_file("wasi_snapshot_preview1.command.wasm")}`.
struct adapter {
  std::string name;
  std::vector<std::uint8_t> bytes;
};

/// What `component_new` may do beyond the plain module.
struct component_new_options {
  std::vector<adapter> adapters;
  bool skip_validation = false;  // do not run `validate_component` on the result
};

/// The component made of core module `core` (with its embedded world).
/// `base` is the offset of `core` in the caller's source_map. Example:
///   WITC_TRY(auto comp, component_new(core_bytes));
///   write_file("comp.wasm", comp);
[[nodiscard]] result<std::vector<std::uint8_t>> component_new(std::span<const std::uint8_t> core,
                                                              const component_new_options& opts = {},
                                                              std::uint32_t base = 0);

/// `core` without its `component-type*` custom sections (what `component new` strips).
/// Example: `WITC_TRY(auto plain, strip_component_type(core_bytes));`
[[nodiscard]] result<std::vector<std::uint8_t>> strip_component_type(std::span<const std::uint8_t> core);

}  // namespace witc::binary
