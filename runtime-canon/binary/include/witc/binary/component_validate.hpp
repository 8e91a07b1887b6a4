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

/// Validates a decoded component. Errors carry the byte offset of the offending
/// item. Example:
///   WITC_TRY(auto c, read_component(bytes, base));
///   WITC_CHECK(validate_component(c));
[[nodiscard]] result<void> validate_component(const component::component& c);

/// Decodes and validates a core module or a component, whichever `bytes` holds.
/// Example: `if (auto r = validate_wasm(bytes, base); !r) print(r.error());`
[[nodiscard]] result<void> validate_wasm(std::span<const std::uint8_t> bytes, std::uint32_t base = 0);

}  // namespace witc::binary
