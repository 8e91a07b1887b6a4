#pragma once
// Validation of decoded core modules: the spec's type-checking algorithm (Wasm 2.0
// without SIMD, plus extended-const).
#include <cstdint>

#include "witc/binary/core_module.hpp"
#include "witc/support/result.hpp"

namespace witc::binary {

/// Implementation limits the validator enforces beyond the spec's own.
/// Example: `validate_module(m, {.max_locals = 1000})`.
struct validate_limits {
  std::uint32_t max_locals = 50000;        // params + locals of one function
  std::uint32_t max_operand_depth = 1u << 20;  // operand + control stack entries
};

/// Type-checks a whole module: index spaces, limits, constant expressions, exports
/// and every function body. Errors carry the byte offset of the offending item.
/// Example:
///   WITC_TRY(auto m, decode_module(bytes));
///   WITC_CHECK(validate_module(*m));
[[nodiscard]] result<void> validate_module(const module& m, validate_limits lim = {});

/// Validates and decodes in one step. Example: `WITC_TRY(auto m, load_module(bytes));`
[[nodiscard]] result<std::shared_ptr<const module>> load_module(std::span<const std::uint8_t> bytes,
                                                                std::uint32_t base = 0);

}  // namespace witc::binary
