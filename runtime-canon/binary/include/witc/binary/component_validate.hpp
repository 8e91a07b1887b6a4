#pragma once
// Type checking of components: index spaces, types, imports and exports, aliases,
// instantiation arguments (with resource substitution), canonical definitions and
// their options, and the name rules. Embedded core modules go through the core
// validator (core_validate.hpp).
#include <cstdint>
#include <span>

#include "witc/binary/component_ast.hpp"
#include "witc/support/result.hpp"

namespace witc::binary {

/// Rules beyond the component model's own, or features it can turn off. The default
/// is the component model as wasm-tools validates it. Example:
///   validate_component(c, {.wasmtime_restrictions = true});
struct component_validate_options {
  /// `(implements "ns:pkg/iface")` on instance imports and exports (`cm-implements`).
  bool implements = true;
  /// What wasmtime's runtime refuses although the model allows it: root-level
  /// component imports, components exported from the root, and a root export that
  /// re-exports an imported function.
  bool wasmtime_restrictions = false;
  /// 64-bit memories in canonical options (`component-model-memory64`): pointers and
  /// lengths of that memory's strings and lists are i64, and so is `realloc`.
  bool memory64 = false;
};

/// Validates a decoded component. Errors carry the byte offset of the offending
/// item. Example:
///   WITC_TRY(auto c, read_component(bytes, base));
///   WITC_CHECK(validate_component(c));
[[nodiscard]] result<void> validate_component(const component::component& c, component_validate_options opts = {});

/// Decodes and validates a core module or a component, whichever `bytes` holds.
/// Example: `if (auto r = validate_wasm(bytes, base); !r) print(r.error());`
[[nodiscard]] result<void> validate_wasm(std::span<const std::uint8_t> bytes, std::uint32_t base = 0,
                                         component_validate_options opts = {});

}  // namespace witc::binary
