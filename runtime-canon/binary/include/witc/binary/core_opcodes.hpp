#pragma once
// Core instruction set (Wasm 2.0 without SIMD) as one table, and the decoder of a
// single instruction shared by the module decoder, the validator and the engine's
// compiler, so immediates are read in exactly one place.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "witc/binary/reader.hpp"
#include "witc/support/result.hpp"

namespace witc::binary {

// X(identifier, opcode, signature). Opcodes after the 0xFC prefix are 0x100 + sub-opcode,
// after the 0xFB (GC) prefix 0x200 + sub-opcode.
// A signature "ii>i" is [i32 i32] -> [i32] (i=i32 I=i64 f=f32 F=f64); an empty one means
// the validator types the instruction by hand.
#define WITC_CORE_OPS(X)                                                              \
  X(unreachable, 0x00, "") X(nop, 0x01, "") X(block, 0x02, "") X(loop, 0x03, "")      \
  X(if_, 0x04, "") X(else_, 0x05, "") X(end, 0x0B, "") X(br, 0x0C, "")                \
  X(br_if, 0x0D, "") X(br_table, 0x0E, "") X(return_, 0x0F, "") X(call, 0x10, "")     \
  X(call_indirect, 0x11, "") X(drop, 0x1A, "") X(select, 0x1B, "")                   \
  X(select_t, 0x1C, "") X(local_get, 0x20, "") X(local_set, 0x21, "")                 \
  X(local_tee, 0x22, "") X(global_get, 0x23, "") X(global_set, 0x24, "")              \
  X(table_get, 0x25, "") X(table_set, 0x26, "")                                       \
  X(i32_load, 0x28, "i>i") X(i64_load, 0x29, "i>I") X(f32_load, 0x2A, "i>f")          \
  X(f64_load, 0x2B, "i>F") X(i32_load8_s, 0x2C, "i>i") X(i32_load8_u, 0x2D, "i>i")    \
  X(i32_load16_s, 0x2E, "i>i") X(i32_load16_u, 0x2F, "i>i")                           \
  X(i64_load8_s, 0x30, "i>I") X(i64_load8_u, 0x31, "i>I")                             \
  X(i64_load16_s, 0x32, "i>I") X(i64_load16_u, 0x33, "i>I")                           \
  X(i64_load32_s, 0x34, "i>I") X(i64_load32_u, 0x35, "i>I")                           \
  X(i32_store, 0x36, "ii>") X(i64_store, 0x37, "iI>") X(f32_store, 0x38, "if>")       \
  X(f64_store, 0x39, "iF>") X(i32_store8, 0x3A, "ii>") X(i32_store16, 0x3B, "ii>")    \
  X(i64_store8, 0x3C, "iI>") X(i64_store16, 0x3D, "iI>") X(i64_store32, 0x3E, "iI>")  \
  X(memory_size, 0x3F, ">i") X(memory_grow, 0x40, "i>i")                              \
  X(i32_const, 0x41, ">i") X(i64_const, 0x42, ">I") X(f32_const, 0x43, ">f")          \
  X(f64_const, 0x44, ">F")                                                            \
  X(i32_eqz, 0x45, "i>i") X(i32_eq, 0x46, "ii>i") X(i32_ne, 0x47, "ii>i")             \
  X(i32_lt_s, 0x48, "ii>i") X(i32_lt_u, 0x49, "ii>i") X(i32_gt_s, 0x4A, "ii>i")       \
  X(i32_gt_u, 0x4B, "ii>i") X(i32_le_s, 0x4C, "ii>i") X(i32_le_u, 0x4D, "ii>i")       \
  X(i32_ge_s, 0x4E, "ii>i") X(i32_ge_u, 0x4F, "ii>i")                                 \
  X(i64_eqz, 0x50, "I>i") X(i64_eq, 0x51, "II>i") X(i64_ne, 0x52, "II>i")             \
  X(i64_lt_s, 0x53, "II>i") X(i64_lt_u, 0x54, "II>i") X(i64_gt_s, 0x55, "II>i")       \
  X(i64_gt_u, 0x56, "II>i") X(i64_le_s, 0x57, "II>i") X(i64_le_u, 0x58, "II>i")       \
  X(i64_ge_s, 0x59, "II>i") X(i64_ge_u, 0x5A, "II>i")                                 \
  X(f32_eq, 0x5B, "ff>i") X(f32_ne, 0x5C, "ff>i") X(f32_lt, 0x5D, "ff>i")             \
  X(f32_gt, 0x5E, "ff>i") X(f32_le, 0x5F, "ff>i") X(f32_ge, 0x60, "ff>i")             \
  X(f64_eq, 0x61, "FF>i") X(f64_ne, 0x62, "FF>i") X(f64_lt, 0x63, "FF>i")             \
  X(f64_gt, 0x64, "FF>i") X(f64_le, 0x65, "FF>i") X(f64_ge, 0x66, "FF>i")             \
  X(i32_clz, 0x67, "i>i") X(i32_ctz, 0x68, "i>i") X(i32_popcnt, 0x69, "i>i")          \
  X(i32_add, 0x6A, "ii>i") X(i32_sub, 0x6B, "ii>i") X(i32_mul, 0x6C, "ii>i")          \
  X(i32_div_s, 0x6D, "ii>i") X(i32_div_u, 0x6E, "ii>i") X(i32_rem_s, 0x6F, "ii>i")    \
  X(i32_rem_u, 0x70, "ii>i") X(i32_and, 0x71, "ii>i") X(i32_or, 0x72, "ii>i")         \
  X(i32_xor, 0x73, "ii>i") X(i32_shl, 0x74, "ii>i") X(i32_shr_s, 0x75, "ii>i")        \
  X(i32_shr_u, 0x76, "ii>i") X(i32_rotl, 0x77, "ii>i") X(i32_rotr, 0x78, "ii>i")      \
  X(i64_clz, 0x79, "I>I") X(i64_ctz, 0x7A, "I>I") X(i64_popcnt, 0x7B, "I>I")          \
  X(i64_add, 0x7C, "II>I") X(i64_sub, 0x7D, "II>I") X(i64_mul, 0x7E, "II>I")          \
  X(i64_div_s, 0x7F, "II>I") X(i64_div_u, 0x80, "II>I") X(i64_rem_s, 0x81, "II>I")    \
  X(i64_rem_u, 0x82, "II>I") X(i64_and, 0x83, "II>I") X(i64_or, 0x84, "II>I")         \
  X(i64_xor, 0x85, "II>I") X(i64_shl, 0x86, "II>I") X(i64_shr_s, 0x87, "II>I")        \
  X(i64_shr_u, 0x88, "II>I") X(i64_rotl, 0x89, "II>I") X(i64_rotr, 0x8A, "II>I")      \
  X(f32_abs, 0x8B, "f>f") X(f32_neg, 0x8C, "f>f") X(f32_ceil, 0x8D, "f>f")            \
  X(f32_floor, 0x8E, "f>f") X(f32_trunc, 0x8F, "f>f") X(f32_nearest, 0x90, "f>f")     \
  X(f32_sqrt, 0x91, "f>f") X(f32_add, 0x92, "ff>f") X(f32_sub, 0x93, "ff>f")          \
  X(f32_mul, 0x94, "ff>f") X(f32_div, 0x95, "ff>f") X(f32_min, 0x96, "ff>f")          \
  X(f32_max, 0x97, "ff>f") X(f32_copysign, 0x98, "ff>f")                              \
  X(f64_abs, 0x99, "F>F") X(f64_neg, 0x9A, "F>F") X(f64_ceil, 0x9B, "F>F")            \
  X(f64_floor, 0x9C, "F>F") X(f64_trunc, 0x9D, "F>F") X(f64_nearest, 0x9E, "F>F")     \
  X(f64_sqrt, 0x9F, "F>F") X(f64_add, 0xA0, "FF>F") X(f64_sub, 0xA1, "FF>F")          \
  X(f64_mul, 0xA2, "FF>F") X(f64_div, 0xA3, "FF>F") X(f64_min, 0xA4, "FF>F")          \
  X(f64_max, 0xA5, "FF>F") X(f64_copysign, 0xA6, "FF>F")                              \
  X(i32_wrap_i64, 0xA7, "I>i") X(i32_trunc_f32_s, 0xA8, "f>i")                        \
  X(i32_trunc_f32_u, 0xA9, "f>i") X(i32_trunc_f64_s, 0xAA, "F>i")                     \
  X(i32_trunc_f64_u, 0xAB, "F>i") X(i64_extend_i32_s, 0xAC, "i>I")                    \
  X(i64_extend_i32_u, 0xAD, "i>I") X(i64_trunc_f32_s, 0xAE, "f>I")                    \
  X(i64_trunc_f32_u, 0xAF, "f>I") X(i64_trunc_f64_s, 0xB0, "F>I")                     \
  X(i64_trunc_f64_u, 0xB1, "F>I") X(f32_convert_i32_s, 0xB2, "i>f")                   \
  X(f32_convert_i32_u, 0xB3, "i>f") X(f32_convert_i64_s, 0xB4, "I>f")                 \
  X(f32_convert_i64_u, 0xB5, "I>f") X(f32_demote_f64, 0xB6, "F>f")                    \
  X(f64_convert_i32_s, 0xB7, "i>F") X(f64_convert_i32_u, 0xB8, "i>F")                 \
  X(f64_convert_i64_s, 0xB9, "I>F") X(f64_convert_i64_u, 0xBA, "I>F")                 \
  X(f64_promote_f32, 0xBB, "f>F") X(i32_reinterpret_f32, 0xBC, "f>i")                 \
  X(i64_reinterpret_f64, 0xBD, "F>I") X(f32_reinterpret_i32, 0xBE, "i>f")             \
  X(f64_reinterpret_i64, 0xBF, "I>F")                                                 \
  X(i32_extend8_s, 0xC0, "i>i") X(i32_extend16_s, 0xC1, "i>i")                        \
  X(i64_extend8_s, 0xC2, "I>I") X(i64_extend16_s, 0xC3, "I>I")                        \
  X(i64_extend32_s, 0xC4, "I>I")                                                      \
  X(ref_null, 0xD0, "") X(ref_is_null, 0xD1, "") X(ref_func, 0xD2, "")                \
  X(i32_trunc_sat_f32_s, 0x100, "f>i") X(i32_trunc_sat_f32_u, 0x101, "f>i")           \
  X(i32_trunc_sat_f64_s, 0x102, "F>i") X(i32_trunc_sat_f64_u, 0x103, "F>i")           \
  X(i64_trunc_sat_f32_s, 0x104, "f>I") X(i64_trunc_sat_f32_u, 0x105, "f>I")           \
  X(i64_trunc_sat_f64_s, 0x106, "F>I") X(i64_trunc_sat_f64_u, 0x107, "F>I")           \
  X(memory_init, 0x108, "iii>") X(data_drop, 0x109, "") X(memory_copy, 0x10A, "iii>") \
  X(memory_fill, 0x10B, "iii>") X(table_init, 0x10C, "iii>") X(elem_drop, 0x10D, "")  \
  X(table_copy, 0x10E, "iii>") X(table_grow, 0x10F, "") X(table_size, 0x110, ">i")    \
  X(table_fill, 0x111, "")

// Wasm 3.0 instructions (exceptions, tail calls, function references, GC): decoded and
// validated, but not run by the engine, whose dispatch table covers WITC_CORE_OPS only.
#define WITC_CORE_OPS_3(X)                                                            \
  X(throw_, 0x08, "") X(throw_ref, 0x0A, "")                                          \
  X(return_call, 0x12, "") X(return_call_indirect, 0x13, "") X(call_ref, 0x14, "")    \
  X(return_call_ref, 0x15, "") X(try_table, 0x1F, "")                                 \
  X(ref_eq, 0xD3, "") X(ref_as_non_null, 0xD4, "") X(br_on_null, 0xD5, "")            \
  X(br_on_non_null, 0xD6, "")                                                         \
  X(struct_new, 0x200, "") X(struct_new_default, 0x201, "") X(struct_get, 0x202, "")  \
  X(struct_get_s, 0x203, "") X(struct_get_u, 0x204, "") X(struct_set, 0x205, "")      \
  X(array_new, 0x206, "") X(array_new_default, 0x207, "") X(array_new_fixed, 0x208, "") \
  X(array_new_data, 0x209, "") X(array_new_elem, 0x20A, "") X(array_get, 0x20B, "")   \
  X(array_get_s, 0x20C, "") X(array_get_u, 0x20D, "") X(array_set, 0x20E, "")        \
  X(array_len, 0x20F, "") X(array_fill, 0x210, "") X(array_copy, 0x211, "")          \
  X(array_init_data, 0x212, "") X(array_init_elem, 0x213, "") X(ref_test, 0x214, "")  \
  X(ref_test_null, 0x215, "") X(ref_cast, 0x216, "") X(ref_cast_null, 0x217, "")      \
  X(br_on_cast, 0x218, "") X(br_on_cast_fail, 0x219, "")                              \
  X(any_convert_extern, 0x21A, "") X(extern_convert_any, 0x21B, "")                   \
  X(ref_i31, 0x21C, "") X(i31_get_s, 0x21D, "") X(i31_get_u, 0x21E, "")

/// Core opcodes; `op::i32_add == op{0x6A}`, `op::memory_copy == op{0x10A}` (0xFC 10).
enum class op : std::uint16_t {
#define WITC_X(name, code, sig) name = code,
  WITC_CORE_OPS(WITC_X) WITC_CORE_OPS_3(WITC_X)
#undef WITC_X
};
inline constexpr std::size_t op_table_size = 0x21F;

/// Text-format name of an opcode (`i32.add`), or "" for an unassigned code.
[[nodiscard]] std::string_view op_name(op o) noexcept;
/// The signature string of `WITC_CORE_OPS` ("ii>i"), or "" when typed by hand.
[[nodiscard]] std::string_view op_signature(op o) noexcept;

/// One decoded instruction. The meaning of `a`, `b`, `c` depends on the opcode:
///  - block/loop/if: `a` = 0 empty, 1 one value type (`b`), 2 type index (`b`)
///  - br/br_if/call/local.*/global.*/table.*/ref.func/data.drop/elem.drop/memory.init: `a`
///  - br_table: `a` = number of targets (in `code_reader::table()`), `b` = default
///  - call_indirect: `a` = type index, `b` = table; table.init: `a` elem, `b` table;
///    table.copy: `a` dst, `b` src
///  - loads/stores: `a` = alignment exponent, `b` = offset (low 32 bits), `c` = the
///    full 64-bit offset (memory64), `d` = memory index (multi-memory)
///  - memory.size/grow/fill: `d` = memory; memory.init: `a` = data, `d` = memory;
///    memory.copy: `d` = destination memory, `c` = source memory
///  - select_t: `a` = number of types, `b` = the first (a `valtype`); ref.null: `a` = the
///    nullable `valtype` of its heap type (0x70 for `ref.null func`)
///  - constants: `c` = raw bits (sign-extended for i32)
///  - Wasm 3.0: throw `a` = tag; try_table like block plus `a`.. see `catches()`;
///    call_ref/return_call_ref `a` = type; br_on_null/br_on_non_null `a` = label;
///    GC: `a`, `b` = type/field/segment immediates; ref.test/cast `b` = target `valtype`;
///    br_on_cast(_fail): `a` = label, `b` = source, `c` = target `valtype`s
struct instr {
  op code = op::nop;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint64_t c = 0;
  std::uint32_t offset = 0;  // global byte offset of the opcode
  std::uint32_t d = 0;       // memory index of memory instructions (multi-memory)
};

/// Flags in `instr::d` (memory instructions): a memarg offset that needs more than 32 bits
/// or 5 bytes (valid for memory64 only), and a memory index written in more than one
/// byte (Wasm 2.0 wants a single zero byte there). The index itself is `d & mem_index_mask`.
inline constexpr std::uint32_t wide_offset = 0x80000000u;
inline constexpr std::uint32_t long_index = 0x40000000u;
inline constexpr std::uint32_t mem_index_mask = 0x3FFFFFFFu;

/// One clause of `try_table`: kind 0 `catch`, 1 `catch_ref`, 2 `catch_all`, 3 `catch_all_ref`.
struct catch_clause {
  std::uint8_t kind = 0;
  std::uint32_t tag = 0;
  std::uint32_t label = 0;
};

/// Decodes instructions one by one from a byte range.
/// Example:
///   code_reader cr(body, base);
///   while (!cr.at_end()) { WITC_TRY(instr i, cr.next()); ... }
class code_reader {
 public:
  code_reader(std::span<const std::uint8_t> bytes, std::uint32_t base) noexcept : rd_(bytes, base) {}
  explicit code_reader(reader rd) noexcept : rd_(rd) {}
  [[nodiscard]] bool at_end() const noexcept { return rd_.at_end(); }
  [[nodiscard]] std::uint32_t global_offset() const noexcept { return rd_.global_offset(); }
  [[nodiscard]] reader& raw() noexcept { return rd_; }
  /// The next instruction (br_table targets go to `table()`).
  result<instr> next();
  /// The targets of the last `br_table` read.
  [[nodiscard]] std::span<const std::uint32_t> table() const noexcept { return table_; }
  /// The clauses of the last `try_table` read.
  [[nodiscard]] std::span<const catch_clause> catches() const noexcept { return catches_; }

 private:
  reader rd_;
  std::vector<std::uint32_t> table_;
  std::vector<catch_clause> catches_;
};

}  // namespace witc::binary
