#pragma once
// The immutable description of a decoded core WebAssembly module (Wasm 2.0 without
// SIMD, plus extended-const, and the Wasm 3.0 additions the validator knows: tags,
// typed and GC references, rec/sub/struct/array types, memory64, multi-memory).
// Every consumer (validator, engine, component reader, tools) reads modules through
// `decode_module`; nothing here is engine-specific.
#include <array>
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

/// A value type. The low byte is the binary encoding (`valtype::i32 == valtype{0x7F}`,
/// `funcref` is `(ref null func)`); reference types of Wasm 3.0 add bit 8 for a
/// non-nullable reference and, for a concrete heap type, the code 0x63 with the type
/// index in bits 9..31 (see `make_ref`). A validated Wasm 2.0 module only uses i32, i64,
/// f32, f64, funcref and externref, so a consumer of those may keep switching on them.
enum class valtype : std::uint32_t {
  i32 = 0x7F,
  i64 = 0x7E,
  f32 = 0x7D,
  f64 = 0x7C,
  v128 = 0x7B,
  funcref = 0x70,
  externref = 0x6F,
  // Wasm 3.0 abstract reference types (nullable shorthands).
  anyref = 0x6E,
  eqref = 0x6D,
  i31ref = 0x6C,
  structref = 0x6B,
  arrayref = 0x6A,
  exnref = 0x69,
  nullref = 0x71,
  nullexternref = 0x72,
  nullfuncref = 0x73,
  nullexnref = 0x74,
  unknown = 0x00,  // the validator's bottom type after `unreachable`
};

/// Heap-type code of a concrete (indexed) reference in the low byte of a `valtype`.
inline constexpr std::uint32_t concrete_heap = 0x63;
/// The largest type index a `valtype` can name (bits 9..31).
inline constexpr std::uint32_t max_type_index = (1u << 23) - 1;

/// `i32`, `funcref`, ...: the text-format name of a value type (`ref` for a concrete one;
/// see `type_name` for the full spelling).
[[nodiscard]] std::string_view to_string(valtype t) noexcept;
/// The full text-format spelling: `(ref null 3)`, `(ref func)`, `i32`.
[[nodiscard]] std::string type_name(valtype t);

/// The low byte: a numeric code, an abstract heap type, or `concrete_heap`.
[[nodiscard]] constexpr std::uint32_t heap_code(valtype t) noexcept {
  return static_cast<std::uint32_t>(t) & 0xFF;
}
[[nodiscard]] constexpr bool is_ref(valtype t) noexcept {
  auto c = heap_code(t);
  return c == concrete_heap || (c >= 0x69 && c <= 0x74);
}
[[nodiscard]] constexpr bool is_num(valtype t) noexcept {
  return t == valtype::i32 || t == valtype::i64 || t == valtype::f32 || t == valtype::f64;
}
/// A reference type: `make_ref(true, 0x70)` is `funcref`; `make_ref(false, 5, true)` is
/// `(ref 5)`. Example: `make_ref(nullable, code_or_index, concrete)`.
[[nodiscard]] constexpr valtype make_ref(bool nullable, std::uint32_t code_or_index,
                                         bool concrete = false) noexcept {
  std::uint32_t v = concrete ? (concrete_heap | (code_or_index << 9)) : code_or_index;
  return static_cast<valtype>(v | (nullable ? 0u : 0x100u));
}
[[nodiscard]] constexpr bool ref_nullable(valtype t) noexcept {
  return (static_cast<std::uint32_t>(t) & 0x100) == 0;
}
[[nodiscard]] constexpr bool is_concrete(valtype t) noexcept { return heap_code(t) == concrete_heap; }
/// The type index of a concrete reference type.
[[nodiscard]] constexpr std::uint32_t ref_index(valtype t) noexcept {
  return static_cast<std::uint32_t>(t) >> 9;
}
/// The same reference type with the nullability given.
[[nodiscard]] constexpr valtype with_nullable(valtype t, bool nullable) noexcept {
  auto v = static_cast<std::uint32_t>(t) & ~0x100u;
  return static_cast<valtype>(v | (nullable ? 0u : 0x100u));
}

/// A function signature. Example: `func_type{{valtype::i32}, {valtype::i64}}` is `[i32] -> [i64]`.
struct func_type {
  std::vector<valtype> params;
  std::vector<valtype> results;
  friend bool operator==(const func_type&, const func_type&) = default;
  friend auto operator<=>(const func_type&, const func_type&) = default;
};

/// A field of a GC struct or the element of an array. `packed`: 0 = `type`, 1 = i8, 2 = i16.
struct field_type {
  valtype type = valtype::i32;
  std::uint8_t packed = 0;
  bool mut = false;
};

/// One entry of the type section as Wasm 3.0 (GC) writes it. `module::types[i]` keeps the
/// function signature (empty for struct and array types); this adds what Wasm 2.0 lacks.
/// Example: `(rec (type $a (sub (struct (field i32)))))` has `kind == sub_kind::struct_`.
enum class sub_kind : std::uint8_t { func = 0, struct_ = 1, array = 2 };
struct sub_type {
  sub_kind kind = sub_kind::func;
  bool final = true;
  bool plain = true;                   // written as a bare 0x60 (no `sub`/`rec`)
  std::vector<std::uint32_t> supers;   // at most one
  std::vector<field_type> fields;      // struct fields, or the one array element
  std::uint32_t rec_start = 0;         // first type index of its recursion group
  std::uint32_t rec_size = 1;
  std::uint32_t offset = 0;
};

/// Size limits of a memory (in 64 KiB pages) or table (in elements). `is64`: a
/// memory64/table64 address type (i64); `shared`: a threads shared memory.
struct limits {
  std::uint64_t min = 0;
  std::optional<std::uint64_t> max;
  bool is64 = false;
  bool shared = false;
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
/// `tag` is Wasm 3.0 exception handling.
enum class extern_kind : std::uint8_t { func = 0, table = 1, memory = 2, global = 3, tag = 4 };
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
  std::uint32_t tag_type = 0;    // kind == tag: a type index
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
  bool func_indices = false;  // written as function indices: its type is `(ref func)` in Wasm 3.0
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

  std::vector<func_type> types;          // signature of each type (empty for struct/array)
  std::vector<sub_type> type_defs;       // parallel to `types`: kind, supertypes, rec group
  std::vector<import> imports;
  std::vector<std::uint32_t> functions;  // type index of each defined function
  std::vector<table_type> tables;        // defined tables
  std::vector<const_expr> table_inits;   // parallel to `tables`; empty code: no initializer
  std::vector<memory_type> memories;     // defined memories
  std::vector<std::uint32_t> tags;       // type index of each defined tag (exceptions)
  bool has_tag_section = false;          // even an empty one needs the exceptions feature
  std::vector<global> globals;           // defined globals
  std::vector<export_> exports;
  std::optional<std::uint32_t> start;
  std::vector<element> elements;
  std::optional<std::uint32_t> data_count;
  std::vector<code> codes;
  std::vector<data> datas;
  std::vector<custom_section> customs;
  name_section names;

  // Position in `imports` of each import, per kind (func, table, memory, global, tag),
  // so `func_type_index` and the `*_at` lookups are O(1).
  std::array<std::vector<std::uint32_t>, 5> imports_by_kind;

  // Counts of imports per kind, so index spaces are easy to walk.
  std::uint32_t imported_funcs = 0, imported_tables = 0, imported_memories = 0,
                imported_globals = 0, imported_tags = 0;

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
  [[nodiscard]] std::uint32_t tag_count() const noexcept {
    return imported_tags + static_cast<std::uint32_t>(tags.size());
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
