#pragma once
// Validation of decoded core modules: the spec's type-checking algorithm for Wasm 2.0
// without SIMD plus extended-const, and, when a consumer turns them on, the Wasm 3.0
// features exceptions, typed function references, GC types, multi-memory, memory64 and
// tail calls.
#include <cstdint>

#include "witc/binary/core_module.hpp"
#include "witc/support/result.hpp"

namespace witc::binary {

/// Which proposals past Wasm 2.0 a module may use. The default is what the engine runs
/// (Wasm 2.0 + extended-const); the component validator wants `core_features::all()`,
/// as wasmtime's defaults. A module that uses a feature that is off is rejected with
/// "feature `X` is not supported".
/// Example: `validate_module(m, {.features = core_features::all()})`.
struct core_features {
  bool exceptions = false;            // tag section, try_table, throw, throw_ref, exnref
  bool function_references = false;  // (ref null? $t), call_ref, br_on_null, table initializers
  bool gc = false;                   // rec/sub types, struct/array types, any/eq/i31 references
  bool multi_memory = false;
  bool memory64 = false;             // also table64
  bool tail_call = false;
  bool extended_const = true;

  /// Wasm 2.0 + extended-const.
  [[nodiscard]] static constexpr core_features wasm2() noexcept { return {}; }
  /// Every feature this validator knows.
  [[nodiscard]] static constexpr core_features all() noexcept {
    return {true, true, true, true, true, true, true};
  }
};

/// Implementation limits the validator enforces beyond the spec's own, and the features.
/// Example: `validate_module(m, {.max_locals = 1000})`.
struct validate_limits {
  std::uint32_t max_locals = 50000;        // params + locals of one function
  std::uint32_t max_operand_depth = 1u << 20;  // operand + control stack entries
  core_features features = core_features::wasm2();
};
/// The options of `validate_module` (limits and features).
using validate_options = validate_limits;

/// Type-checks a whole module: index spaces, limits, constant expressions, exports
/// and every function body. Errors carry the byte offset of the offending item.
/// Example:
///   WITC_TRY(auto m, decode_module(bytes));
///   WITC_CHECK(validate_module(*m));
[[nodiscard]] result<void> validate_module(const module& m, validate_limits lim = {});

/// Validates and decodes in one step. Example: `WITC_TRY(auto m, load_module(bytes));`
/// With Wasm 3.0 features: `load_module(bytes, base, {.features = core_features::all()})`.
[[nodiscard]] result<std::shared_ptr<const module>> load_module(std::span<const std::uint8_t> bytes,
                                                                std::uint32_t base = 0,
                                                                validate_limits lim = {});

}  // namespace witc::binary
