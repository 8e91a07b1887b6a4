#pragma once
// The immutable description of a decoded core WebAssembly module (Wasm 2.0 without
// SIMD, plus extended-const). Every consumer (validator, engine, component reader,
// tools) reads modules through `decode_module`; nothing here is engine-specific.
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "witc/binary/core_opcodes.hpp"
#include "witc/support/result.hpp"

namespace witc::binary {

/// A value type. The numeric values are the binary encodings.
/// Example: `valtype::i32 == valtype{0x7F}`.
enum class valtype : std::uint8_t {
  i32 = 0x7F,
  i64 = 0x7E,
  f32 = 0x7D,
  f64 = 0x7C,
  funcref = 0x70,
  externref = 0x6F,
  unknown = 0x00,  // the validator's bottom type after `unreachable`
};

/// `i32`, `funcref`, ...: the text-format name of a value type.
[[nodiscard]] std::string_view to_string(valtype t) noexcept;
[[nodiscard]] constexpr bool is_ref(valtype t) noexcept {
  return t == valtype::funcref || t == valtype::externref;
}
[[nodiscard]] constexpr bool is_num(valtype t) noexcept {
  return t == valtype::i32 || t == valtype::i64 || t == valtype::f32 || t == valtype::f64;
}

/// A function signature. Example: `func_type{{valtype::i32}, {valtype::i64}}` is `[i32] -> [i64]`.
struct func_type {
  std::vector<valtype> params;
  std::vector<valtype> results;
  friend bool operator==(const func_type&, const func_type&) = default;
  friend auto operator<=>(const func_type&, const func_type&) = default;
};

/// Size limits of a memory (in 64 KiB pages) or table (in elements).
struct limits {
  std::uint64_t min = 0;
  std::optional<std::uint64_t> max;
};

/// Example: `table_type{valtype::funcref, {1, 10}}`.
struct table_type {
  valtype elem = valtype::funcref;
  limits lim;
};

/// Example: `memory_type{{1, std::nullopt}}` is one page, no maximum.
struct memory_type {
  limits lim;
};

/// Example: `global_type{valtype::i32, true}` is `(mut i32)`.
struct global_type {
  valtype type = valtype::i32;
  bool mut = false;
};

/// What an import or export names. Values are the binary encodings.
enum class extern_kind : std::uint8_t { func = 0, table = 1, memory = 2, global = 3 };
[[nodiscard]] std::string_view to_string(extern_kind k) noexcept;

/// A constant expression (`i32.const 4`, `global.get 0`, `ref.func 3`, extended-const
/// arithmetic), decoded but not yet validated as constant. `offset` is its global byte
/// offset for diagnostics.
struct const_expr {
  std::vector<instr> code;  // without the final `end`
  std::uint32_t offset = 0;
};

/// Example: `(import "env" "f" (func (type 0)))` has `kind == extern_kind::func, func_type == 0`.
struct import {
  std::string module;
  std::string name;
  extern_kind kind = extern_kind::func;
  std::uint32_t func_type = 0;  // kind == func: a type index
  table_type table;              // kind == table
  memory_type memory;            // kind == memory
  global_type global;            // kind == global
  std::uint32_t offset = 0;
};

/// Example: `(export "main" (func 3))`.
struct export_ {
  std::string name;
  extern_kind kind = extern_kind::func;
  std::uint32_t index = 0;
  std::uint32_t offset = 0;
};

/// A global defined by the module.
struct global {
  global_type type;
  const_expr init;
};

enum class segment_mode : std::uint8_t { active, passive, declarative };

/// An element segment; funcidx lists are turned into `ref.func` expressions.
struct element {
  segment_mode mode = segment_mode::passive;
  valtype type = valtype::funcref;
  std::uint32_t table = 0;  // active only
  const_expr offset_expr;   // active only
  std::vector<const_expr> init;
  std::uint32_t offset_in_file = 0;
};

/// A data segment; `bytes` points into the module's own copy of the binary.
struct data {
  segment_mode mode = segment_mode::passive;
  std::uint32_t memory = 0;  // active only
  const_expr offset_expr;    // active only
  std::span<const std::uint8_t> bytes;
  std::uint32_t offset_in_file = 0;
};

/// A run of `count` locals of one type, as the binary declares them.
struct local_run {
  std::uint32_t count = 0;
  valtype type = valtype::i32;
};

/// A function body: declared locals and the instruction bytes (up to and including
/// the final `end`). `offset` is the global byte offset of the first instruction.
struct code {
  std::vector<local_run> locals;
  std::uint64_t local_count = 0;  // sum of the runs
  std::span<const std::uint8_t> body;
  std::uint32_t offset = 0;
};

/// A custom section, kept verbatim.
struct custom_section {
  std::string name;
  std::span<const std::uint8_t> bytes;
  std::uint32_t offset = 0;
};

/// What the `name` custom section says, where it could be read.
struct name_section {
  std::string module;
  std::vector<std::pair<std::uint32_t, std::string>> functions;  // sorted by index
  /// The name of function `index`, or empty.
  [[nodiscard]] std::string_view function(std::uint32_t index) const noexcept;
};

/// A decoded module. Immutable once `decode_module` returns it; share it freely
/// (`std::shared_ptr<const module>`). Index spaces put imports first.
/// Example:
///   WITC_TRY(auto m, decode_module(bytes));
///   for (auto& e : m->exports) fmt::print("{}\n", e.name);
struct module {
  std::vector<std::uint8_t> bytes;  // the module's own copy of its binary
  std::uint32_t base = 0;           // global offset of bytes[0] (source_map)

  std::vector<func_type> types;
  std::vector<import> imports;
  std::vector<std::uint32_t> functions;  // type index of each defined function
  std::vector<table_type> tables;        // defined tables
  std::vector<memory_type> memories;     // defined memories
  std::vector<global> globals;           // defined globals
  std::vector<export_> exports;
  std::optional<std::uint32_t> start;
  std::vector<element> elements;
  std::optional<std::uint32_t> data_count;
  std::vector<code> codes;
  std::vector<data> datas;
  std::vector<custom_section> customs;
  name_section names;

  // Counts of imports per kind, so index spaces are easy to walk.
  std::uint32_t imported_funcs = 0, imported_tables = 0, imported_memories = 0,
                imported_globals = 0;

  [[nodiscard]] std::uint32_t func_count() const noexcept {
    return imported_funcs + static_cast<std::uint32_t>(functions.size());
  }
  [[nodiscard]] std::uint32_t table_count() const noexcept {
    return imported_tables + static_cast<std::uint32_t>(tables.size());
  }
  [[nodiscard]] std::uint32_t memory_count() const noexcept {
    return imported_memories + static_cast<std::uint32_t>(memories.size());
  }
  [[nodiscard]] std::uint32_t global_count() const noexcept {
    return imported_globals + static_cast<std::uint32_t>(globals.size());
  }
  /// Type index of function `f` in the function index space (imports first).
  [[nodiscard]] std::uint32_t func_type_index(std::uint32_t f) const noexcept;
  /// Table, memory and global types in their index spaces.
  [[nodiscard]] table_type table_at(std::uint32_t i) const noexcept;
  [[nodiscard]] memory_type memory_at(std::uint32_t i) const noexcept;
  [[nodiscard]] global_type global_at(std::uint32_t i) const noexcept;
};

/// Decodes a core module binary (structure only; see `validate_module` for typing).
/// `base` is the global offset of `bytes[0]` in the caller's source_map.
/// Example: `WITC_TRY(std::shared_ptr<const module> m, decode_module(bytes));`
[[nodiscard]] result<std::shared_ptr<const module>> decode_module(
    std::span<const std::uint8_t> bytes, std::uint32_t base = 0);

}  // namespace witc::binary
