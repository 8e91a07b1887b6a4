// The instruction table and the one decoder of a single instruction (`code_reader`),
// shared by the module decoder (constant expressions), tools and the engine's compiler.
// The validator has its own inlined copy of the hot paths (core_validate_func.cpp).
#include <fmt/format.h>

#include <array>

#include "core_detail.hpp"
#include "witc/binary/core_module.hpp"

namespace witc::binary {

namespace {

struct op_info {
  std::string_view name;
  std::string_view sig;
};

constexpr std::array<op_info, op_table_size> make_op_table() {
  std::array<op_info, op_table_size> t{};
#define WITC_X(n, code, s) t[code] = op_info{#n, s};
  WITC_CORE_OPS(WITC_X)
  WITC_CORE_OPS_3(WITC_X)
#undef WITC_X
  return t;
}
constexpr auto op_table = make_op_table();

}  // namespace

std::string_view op_name(op o) noexcept {
  auto i = static_cast<std::size_t>(o);
  return i < op_table_size ? op_table[i].name : std::string_view{};
}
std::string_view op_signature(op o) noexcept {
  auto i = static_cast<std::size_t>(o);
  return i < op_table_size ? op_table[i].sig : std::string_view{};
}

std::string_view to_string(valtype t) noexcept {
  switch (t) {
    case valtype::i32: return "i32";
    case valtype::i64: return "i64";
    case valtype::f32: return "f32";
    case valtype::f64: return "f64";
    case valtype::v128: return "v128";
    case valtype::funcref: return "funcref";
    case valtype::externref: return "externref";
    case valtype::anyref: return "anyref";
    case valtype::eqref: return "eqref";
    case valtype::i31ref: return "i31ref";
    case valtype::structref: return "structref";
    case valtype::arrayref: return "arrayref";
    case valtype::exnref: return "exnref";
    case valtype::nullref: return "nullref";
    case valtype::nullexternref: return "nullexternref";
    case valtype::nullfuncref: return "nullfuncref";
    case valtype::nullexnref: return "nullexnref";
    case valtype::unknown: return "unknown";
  }
  return "ref";
}

std::string type_name(valtype t) {
  if (!is_ref(t) || (ref_nullable(t) && !is_concrete(t))) return std::string(to_string(t));
  std::string heap;
  if (is_concrete(t)) {
    heap = fmt::format("{}", ref_index(t));
  } else {
    static constexpr std::string_view names[] = {"exn",  "array", "struct",   "i31",    "eq",
                                                 "any",  "extern", "func",    "none",   "noextern",
                                                 "nofunc", "noexn"};
    heap = std::string(names[heap_code(t) - 0x69]);
  }
  return fmt::format("(ref {}{})", ref_nullable(t) ? "null " : "", heap);
}

std::string_view to_string(extern_kind k) noexcept {
  switch (k) {
    case extern_kind::func: return "func";
    case extern_kind::table: return "table";
    case extern_kind::memory: return "memory";
    case extern_kind::global: return "global";
    case extern_kind::tag: return "tag";
  }
  return "?";
}

result<instr> code_reader::next() {
  instr in;
  in.offset = rd_.global_offset();
  WITC_TRY(std::uint8_t b, rd_.u8());
  std::uint16_t code = b;
  if (b == 0xFC) {
    WITC_TRY(std::uint32_t sub, rd_.u32());
    if (sub > 17) return rd_.error(fmt::format("illegal opcode 0xfc {:#x}", sub));
    code = static_cast<std::uint16_t>(0x100 + sub);
  } else if (b == 0xFB) {
    WITC_TRY(std::uint32_t sub, rd_.u32());
    if (sub > 30) return rd_.error(fmt::format("illegal opcode 0xfb {:#x}", sub));
    code = static_cast<std::uint16_t>(0x200 + sub);
  } else if (op_table[b].name.empty()) {
    return rd_.error(fmt::format("illegal opcode {:#04x}", b), 1);
  }
  in.code = static_cast<op>(code);
  auto block_type = [&]() -> result<void> {
    std::uint8_t first = rd_.remaining() ? *rd_.data() : 0;
    if (first == 0x40) {
      (void)rd_.u8();
      in.a = 0;
    } else if ((first >= 0x7B && first <= 0x7F) || detail::is_abstract_heap(first) || first == 0x63 ||
               first == 0x64) {
      WITC_TRY(valtype t, detail::read_value_type(rd_));
      in.a = 1;
      in.b = static_cast<std::uint32_t>(t);
    } else {
      WITC_TRY(std::int64_t idx, rd_.s33());
      if (idx < 0) return rd_.error("malformed block type", 1);
      if (idx > 0xFFFFFFFF) return rd_.error("type index out of range", 1);
      in.a = 2;
      in.b = static_cast<std::uint32_t>(idx);
    }
    return ok;
  };
  // A memory index: one zero byte in Wasm 2.0, a u32 with multi-memory.
  auto mem_index = [&]() -> result<std::uint32_t> {
    std::size_t before = rd_.offset();
    WITC_TRY(std::uint32_t m, rd_.u32());
    if (m > mem_index_mask) return rd_.error(fmt::format("unknown memory {}", m), 1);
    if (rd_.offset() - before > 1) m |= long_index;
    return m;
  };
  switch (in.code) {
    case op::block:
    case op::loop:
    case op::if_:
      WITC_CHECK(block_type());
      break;
    case op::try_table: {
      WITC_CHECK(block_type());
      WITC_TRY(std::uint32_t n, rd_.u32());
      if (n > rd_.remaining()) return rd_.error("unexpected end of section or function", 1);
      catches_.clear();
      for (std::uint32_t i = 0; i < n; ++i) {
        catch_clause c;
        WITC_TRY(c.kind, rd_.u8());
        if (c.kind > 3) return rd_.error(fmt::format("malformed catch clause kind {}", c.kind), 1);
        if (c.kind < 2) {
          WITC_TRY(c.tag, rd_.u32());
        }
        WITC_TRY(c.label, rd_.u32());
        catches_.push_back(c);
      }
      in.c = n;
      break;
    }
    case op::br:
    case op::br_if:
    case op::call:
    case op::return_call:
    case op::call_ref:
    case op::return_call_ref:
    case op::throw_:
    case op::br_on_null:
    case op::br_on_non_null:
    case op::local_get:
    case op::local_set:
    case op::local_tee:
    case op::global_get:
    case op::global_set:
    case op::table_get:
    case op::table_set:
    case op::ref_func:
    case op::data_drop:
    case op::elem_drop:
    case op::table_grow:
    case op::table_size:
    case op::table_fill:
    case op::struct_new:
    case op::struct_new_default:
    case op::array_new:
    case op::array_new_default:
    case op::array_get:
    case op::array_get_s:
    case op::array_get_u:
    case op::array_set:
    case op::array_fill: {
      WITC_TRY(in.a, rd_.u32());
      break;
    }
    case op::struct_get:
    case op::struct_get_s:
    case op::struct_get_u:
    case op::struct_set:
    case op::array_new_fixed:
    case op::array_new_data:
    case op::array_new_elem:
    case op::array_copy:
    case op::array_init_data:
    case op::array_init_elem: {
      WITC_TRY(in.a, rd_.u32());
      WITC_TRY(in.b, rd_.u32());
      break;
    }
    case op::ref_test:
    case op::ref_test_null:
    case op::ref_cast:
    case op::ref_cast_null: {
      WITC_TRY(valtype h, detail::read_heap_type(rd_));
      bool nullable = in.code == op::ref_test_null || in.code == op::ref_cast_null;
      in.b = static_cast<std::uint32_t>(with_nullable(h, nullable));
      break;
    }
    case op::br_on_cast:
    case op::br_on_cast_fail: {
      WITC_TRY(std::uint8_t flags, rd_.u8());
      if (flags > 3) return rd_.error("malformed `br_on_cast` flags", 1);
      WITC_TRY(in.a, rd_.u32());
      WITC_TRY(valtype h1, detail::read_heap_type(rd_));
      WITC_TRY(valtype h2, detail::read_heap_type(rd_));
      in.b = static_cast<std::uint32_t>(with_nullable(h1, flags & 1));
      in.c = static_cast<std::uint32_t>(with_nullable(h2, flags & 2));
      break;
    }
    case op::br_table: {
      WITC_TRY(std::uint32_t n, rd_.u32());
      if (n > rd_.remaining()) return rd_.error("unexpected end of section or function", 1);
      table_.clear();
      table_.reserve(n);
      for (std::uint32_t i = 0; i < n; ++i) {
        WITC_TRY(std::uint32_t l, rd_.u32());
        table_.push_back(l);
      }
      in.a = n;
      WITC_TRY(in.b, rd_.u32());
      break;
    }
    case op::call_indirect:
    case op::return_call_indirect: {
      WITC_TRY(in.a, rd_.u32());
      WITC_TRY(in.b, rd_.u32());
      break;
    }
    case op::table_init:
    case op::table_copy: {
      WITC_TRY(in.a, rd_.u32());
      WITC_TRY(in.b, rd_.u32());
      break;
    }
    case op::select_t: {
      WITC_TRY(std::uint32_t n, rd_.u32());
      if (n > rd_.remaining()) return rd_.error("unexpected end of section or function", 1);
      in.a = n;
      for (std::uint32_t i = 0; i < n; ++i) {
        WITC_TRY(valtype t, detail::read_value_type(rd_));
        if (i == 0) in.b = static_cast<std::uint32_t>(t);
      }
      break;
    }
    case op::memory_size:
    case op::memory_grow:
    case op::memory_fill: {
      WITC_TRY(in.d, mem_index());
      break;
    }
    case op::memory_init: {
      WITC_TRY(in.a, rd_.u32());
      WITC_TRY(in.d, mem_index());
      break;
    }
    case op::memory_copy: {
      WITC_TRY(in.d, mem_index());
      WITC_TRY(std::uint32_t src, mem_index());
      in.c = src;
      break;
    }
    case op::i32_const: {
      WITC_TRY(std::int32_t v, rd_.s32());
      in.c = static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
      break;
    }
    case op::i64_const: {
      WITC_TRY(std::int64_t v, rd_.s64());
      in.c = static_cast<std::uint64_t>(v);
      break;
    }
    case op::f32_const: {
      WITC_TRY(in.c, rd_.fixed_u32());
      break;
    }
    case op::f64_const: {
      WITC_TRY(in.c, rd_.fixed_u64());
      break;
    }
    case op::ref_null: {
      WITC_TRY(valtype h, detail::read_heap_type(rd_));
      in.a = static_cast<std::uint32_t>(h);
      break;
    }
    default:
      if (code >= 0x28 && code <= 0x3E) {
        WITC_TRY(std::uint32_t align, rd_.u32());
        if (align & 0x40) {
          WITC_TRY(in.d, mem_index());
          in.d &= mem_index_mask;
          align &= ~0x40u;
        }
        in.a = align;
        std::size_t before = rd_.offset();
        WITC_TRY(std::uint64_t off, rd_.u64());
        in.c = off;
        in.b = static_cast<std::uint32_t>(off);
        // Only memory64 may use a 64-bit offset; the validator checks `wide_offset`.
        if (off > 0xFFFFFFFFull || rd_.offset() - before > 5) in.d |= wide_offset;
      }
      break;
  }
  return in;
}

}  // namespace witc::binary
