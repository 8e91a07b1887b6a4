#pragma once
// The component binary format as data: one struct per production of the component
// model's Binary.md, close enough to the bytes that writing what was read gives the
// same bytes. Embedded core modules are kept as their bytes (the core decoder reads
// them). Every item remembers the global byte offset it started at, for diagnostics.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace witc::binary::component {

namespace detail {
/// A heap box with value semantics, so recursive productions stay copyable.
template <class T>
class box {
 public:
  // Empty until assigned: most declarations never use their boxes.
  box() = default;
  box(T v) : p_(std::make_unique<T>(std::move(v))) {}  // NOLINT
  box(const box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  box(box&&) noexcept = default;
  box& operator=(const box& o) {
    p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  box& operator=(box&&) noexcept = default;
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }

 private:
  std::unique_ptr<T> p_;
};
}  // namespace detail

/// `core:sort`: the byte values of the binary format.
enum class core_sort : std::uint8_t {
  func = 0x00, table = 0x01, memory = 0x02, global = 0x03, tag = 0x04,
  type = 0x10, module = 0x11, instance = 0x12
};
/// `sort`: `core` carries a `core_sort`.
enum class sort_kind : std::uint8_t { core = 0, func = 1, value = 2, type = 3, component = 4, instance = 5 };
struct sort {
  sort_kind kind = sort_kind::func;
  core_sort core = core_sort::func;  // only when kind == core
  friend bool operator==(const sort&, const sort&) = default;
};
struct sort_idx { component::sort sort; std::uint32_t idx = 0; };
struct core_sort_idx { core_sort sort = core_sort::func; std::uint32_t idx = 0; };

// ---- core types (inside components) ---------------------------------------------------

/// A core value type. `code` is the type byte: 0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64,
/// 0x7b v128, a shorthand reference (0x70 funcref, 0x6f externref, ...), or 0x63/0x64
/// (`ref null ht` / `ref ht`) with `heap` the s33 heap type (>= 0: a type index).
/// Packed storage types 0x78 (i8) and 0x77 (i16) appear only in struct/array fields.
struct core_valtype {
  std::uint8_t code = 0x7f;
  std::int64_t heap = 0;
  friend bool operator==(const core_valtype&, const core_valtype&) = default;
};
struct core_field { core_valtype type; bool mut = false; };
/// `func` (0x60), `struct` (0x5f) or `array` (0x5e).
struct core_comptype {
  std::uint8_t form = 0x60;
  std::vector<core_valtype> params, results;  // func
  std::vector<core_field> fields;             // struct; array has exactly one
};
/// A subtype. `form`: 0 = bare comptype, 0x4f = `sub final`, 0x50 = `sub` (written
/// `0x00 0x50` at the top of a component core type).
struct core_subtype {
  std::uint8_t form = 0;
  std::vector<std::uint32_t> supers;
  core_comptype type;
};
/// `core:rectype`: `rec` is false for a lone subtype (one element).
struct core_rectype { bool rec = false; std::vector<core_subtype> types; };

struct core_limits {
  std::uint8_t flags = 0;  // bit0 max, bit1 shared, bit2 64-bit, bit3 page size
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::uint32_t page_size_log2 = 0;
};
/// `core:externtype`: func/tag name a type index; table, memory, global their types.
struct core_externtype {
  core_sort kind = core_sort::func;
  std::uint32_t type_idx = 0;      // func, tag
  core_valtype val;                // table element / global type
  bool mut = false;                // global
  core_limits limits;              // table, memory
};
struct core_import { std::string module, name; core_externtype type; };
struct core_moduledecl;
/// `core:moduletype` (0x50): its declarations in order.
struct core_moduletype { std::vector<core_moduledecl> decls; };
/// `core:type`: a rectype or a module type.
struct core_type {
  std::variant<core_rectype, core_moduletype> def;
  std::uint32_t offset = 0;
};
/// `core:moduledecl`: import, type, outer type alias or export.
struct core_moduledecl {
  std::uint8_t tag = 0;  // 0 import, 1 type, 2 alias, 3 export
  core_import import;    // 0; 3 uses `import.name` and `import.type`
  detail::box<core_type> type;  // 1
  std::uint32_t outer_count = 0, outer_idx = 0;  // 2
  std::uint32_t offset = 0;
};

// ---- component types -----------------------------------------------------------------

/// `valtype`: a primitive (its byte, 0x64..0x7f) or a type index.
struct valtype {
  bool is_prim = true;
  std::uint8_t prim = 0x7f;
  std::uint32_t idx = 0;
  friend bool operator==(const valtype&, const valtype&) = default;
};
namespace prim {
inline constexpr std::uint8_t bool_ = 0x7f, s8 = 0x7e, u8 = 0x7d, s16 = 0x7c, u16 = 0x7b,
                              s32 = 0x7a, u32 = 0x79, s64 = 0x78, u64 = 0x77, f32 = 0x76,
                              f64 = 0x75, char_ = 0x74, string = 0x73, error_context = 0x64;
}

struct labeled { std::string name; valtype type; };
struct variant_case { std::string name; std::optional<valtype> type; };

/// `defvaltype`. `code` is the type byte (0x72 record, 0x71 variant, 0x70 list,
/// 0x67 fixed list, 0x6f tuple, 0x6e flags, 0x6d enum, 0x6b option, 0x6a result,
/// 0x69 own, 0x68 borrow, 0x66 stream, 0x65 future, 0x63 map) or a primitive byte.
struct defvaltype {
  std::uint8_t code = 0x7f;
  std::vector<labeled> fields;             // record
  std::vector<variant_case> cases;         // variant
  std::vector<valtype> types;              // tuple
  std::vector<std::string> names;          // flags, enum
  std::optional<valtype> a, b;             // list/option/stream/future/own-less: a; result: a ok, b err; map: a key, b value
  std::uint32_t idx = 0;                   // own, borrow: the resource; fixed list: the length
};
/// `functype`: 0x40, or 0x43 when `async`.
struct functype {
  bool async = false;
  std::vector<labeled> params;
  std::optional<valtype> result;
};
/// `resourcetype` (0x3f).
struct resourcetype { core_valtype rep; std::optional<std::uint32_t> dtor; };

/// `externtype`. `kind` is a sort byte: 0x00 (core module), 0x01 func, 0x02 value,
/// 0x03 type, 0x04 component, 0x05 instance.
struct externtype {
  std::uint8_t kind = 1;
  std::uint32_t idx = 0;         // module/func/component/instance: the type; type/value `eq`: the index
  bool bound_eq = true;          // type: `(eq i)` or `(sub resource)`; value: `(eq i)` or a valtype
  valtype value;                 // value with a valtype bound
};
/// `nameattributes`: `form` is 0x00, 0x01 or 0x02 (with attributes).
struct name_attribute { std::uint8_t kind = 0; std::string value; };
struct extern_name {
  std::uint8_t form = 0;
  std::string name;
  std::vector<name_attribute> attrs;
};

/// `alias`. `target`: 0 export of an instance, 1 core export of a core instance, 2 outer.
struct alias {
  component::sort sort;
  std::uint8_t target = 0;
  std::uint32_t instance = 0;  // export, core export
  std::string name;            // export, core export
  std::uint32_t count = 0, idx = 0;  // outer
  std::uint32_t offset = 0;
};

struct type;
struct decl;
/// `componenttype` (0x41) and `instancetype` (0x42).
struct componenttype { std::vector<decl> decls; };

/// `deftype`.
struct type {
  std::variant<defvaltype, functype, componenttype, resourcetype> def;
  bool instance = false;  // with a componenttype: it is an instancetype (0x42)
  std::uint32_t offset = 0;
};

/// `componentdecl` / `instancedecl`: tag 0x00 core type, 0x01 type, 0x02 alias,
/// 0x03 import, 0x04 export.
struct decl {
  std::uint8_t tag = 1;
  detail::box<core_type> core;
  detail::box<component::type> type;
  component::alias alias;
  extern_name name;   // import, export
  externtype ext;     // import, export
  std::uint32_t offset = 0;
};

// ---- definitions ---------------------------------------------------------------------

/// `core:instance`: `instantiate` (form 0) or inline exports (form 1).
struct core_instance {
  std::uint8_t form = 0;
  std::uint32_t module = 0;
  struct arg { std::string name; std::uint32_t instance = 0; };
  std::vector<arg> args;
  struct export_ { std::string name; core_sort_idx item; };
  std::vector<export_> exports;
  std::uint32_t offset = 0;
};
/// `instance`: `instantiate` (form 0) or inline exports (form 1).
struct instance {
  std::uint8_t form = 0;
  std::uint32_t component = 0;
  struct arg { std::string name; sort_idx item; };
  std::vector<arg> args;
  struct export_ { extern_name name; sort_idx item; };
  std::vector<export_> exports;
  std::uint32_t offset = 0;
};

struct canon_opt {
  std::uint8_t kind = 0;  // 0 utf8, 1 utf16, 2 latin1+utf16, 3 memory, 4 realloc, 5 post-return, 6 async, 7 callback
  std::uint32_t idx = 0;
};
/// `canon`. `op` is the leading byte; which fields are set depends on it:
/// lift (0x00): func, opts, type; lower (0x01): func, opts; resource.* (0x02-0x04),
/// stream/future ops: type; task.return (0x09): result, opts; context.get/set:
/// val, idx; the flags (async?, cancel?, shared?) in `flag`; thread ops: type, table.
struct canon {
  std::uint8_t op = 0;
  std::uint32_t func = 0;
  std::vector<canon_opt> opts;
  std::uint32_t type = 0;
  std::optional<valtype> result;
  core_valtype val;
  std::uint32_t idx = 0;
  std::uint32_t table = 0;
  bool flag = false;
  std::uint32_t offset = 0;
};

struct start { std::uint32_t func = 0; std::vector<std::uint32_t> args; std::uint32_t results = 0; std::uint32_t offset = 0; };
struct import { extern_name name; externtype type; std::uint32_t offset = 0; };
struct export_ { extern_name name; sort_idx item; std::optional<externtype> type; std::uint32_t offset = 0; };
/// `value` (🪙): its type and its encoded bytes, kept as they are.
struct value { valtype type; std::vector<std::uint8_t> bytes; std::uint32_t offset = 0; };
struct custom { std::string name; std::vector<std::uint8_t> data; };
/// An embedded core module: its whole binary (header included).
struct core_module { std::vector<std::uint8_t> bytes; std::uint32_t offset = 0; };

struct component;

/// One section of a component, in file order.
struct section {
  std::uint8_t id = 0;
  std::uint32_t offset = 0;  // global offset of the section id byte
  std::uint8_t size_len = 0;  // bytes the size LEB128 took, when a producer padded it
  std::variant<custom, core_module, std::vector<core_instance>, std::vector<core_type>,
               detail::box<component>, std::vector<instance>, std::vector<alias>,
               std::vector<type>, std::vector<canon>, start, std::vector<import>,
               std::vector<export_>, std::vector<value>>
      body;
};

/// A component: its sections in order. Example:
///   WITC_TRY(auto c, read_component(bytes));
///   for (const auto& s : c.sections) if (s.id == 11) ...;
struct component {
  std::vector<section> sections;
  std::uint32_t offset = 0;  // global offset of the preamble
};

}  // namespace witc::binary::component
