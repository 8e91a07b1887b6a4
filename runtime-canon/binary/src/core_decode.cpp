// Core module decoder: sections into the immutable `module`, instructions via code_reader.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core_detail.hpp"
#include "witc/binary/core_module.hpp"

namespace witc::binary {

std::string_view name_section::function(std::uint32_t index) const noexcept {
  auto it = std::lower_bound(functions.begin(), functions.end(), index,
                             [](const auto& p, std::uint32_t i) { return p.first < i; });
  if (it != functions.end() && it->first == index) return it->second;
  return {};
}

std::uint32_t module::func_type_index(std::uint32_t f) const noexcept {
  if (f < imported_funcs) {
    const auto& pos = imports_by_kind[0];
    return f < pos.size() ? imports[pos[f]].func_type : 0;
  }
  f -= imported_funcs;
  return f < functions.size() ? functions[f] : 0;
}

table_type module::table_at(std::uint32_t i) const noexcept {
  if (i < imported_tables) {
    const auto& pos = imports_by_kind[1];
    return i < pos.size() ? imports[pos[i]].table : table_type{};
  }
  i -= imported_tables;
  return i < tables.size() ? tables[i] : table_type{};
}
memory_type module::memory_at(std::uint32_t i) const noexcept {
  if (i < imported_memories) {
    const auto& pos = imports_by_kind[2];
    return i < pos.size() ? imports[pos[i]].memory : memory_type{};
  }
  i -= imported_memories;
  return i < memories.size() ? memories[i] : memory_type{};
}
global_type module::global_at(std::uint32_t i) const noexcept {
  if (i < imported_globals) {
    const auto& pos = imports_by_kind[3];
    return i < pos.size() ? imports[pos[i]].global : global_type{};
  }
  i -= imported_globals;
  return i < globals.size() ? globals[i].type : global_type{};
}

// ---------------------------------------------------------------------------------------
// Sections

namespace {

class decoder {
 public:
  decoder(module& m, reader rd) : m_(m), rd_(rd) {}

  result<void> run() {
    WITC_TRY(auto magic, rd_.bytes(4));
    if (std::memcmp(magic.data(), "\0asm", 4) != 0) return rd_.error("magic header not detected", 4);
    WITC_TRY(auto version, rd_.bytes(4));
    static const std::uint8_t v1[4] = {1, 0, 0, 0};
    if (std::memcmp(version.data(), v1, 4) != 0) return rd_.error("unknown binary version", 4);

    int last_order = 0;
    while (!rd_.at_end()) {
      std::uint32_t id_at = rd_.global_offset();
      WITC_TRY(std::uint8_t id, rd_.u8());
      WITC_TRY(std::uint32_t size, rd_.u32());
      if (size > rd_.remaining()) return rd_.error("section size mismatch: unexpected end of section or function");
      std::uint32_t section_base = rd_.global_offset();
      WITC_TRY(auto content, rd_.bytes(size));
      reader s(content, section_base);
      if (id == 0) {
        WITC_CHECK(custom(s));
        continue;
      }
      // Order of the known sections: data count (12) sits between element and code,
      // tag (13, exceptions) between memory and global.
      static const int order[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6};
      if (id > 13) return fail(diagnostic::error(span{id_at, id_at + 1}, fmt::format("malformed section id {}", id)));
      int ord = order[id];
      if (ord <= last_order)
        return fail(diagnostic::error(span{id_at, id_at + 1}, "unexpected content after last section: sections out of order or duplicated"));
      last_order = ord;
      switch (id) {
        case 1: WITC_CHECK(types(s)); break;
        case 2: WITC_CHECK(imports(s)); break;
        case 3: WITC_CHECK(functions(s)); break;
        case 4: WITC_CHECK(tables(s)); break;
        case 5: WITC_CHECK(memories(s)); break;
        case 6: WITC_CHECK(globals(s)); break;
        case 7: WITC_CHECK(exports(s)); break;
        case 8: {
          WITC_TRY(std::uint32_t f, s.u32());
          m_.start = f;
          break;
        }
        case 9: WITC_CHECK(elements(s)); break;
        case 10: WITC_CHECK(codes(s)); break;
        case 11: WITC_CHECK(datas(s)); break;
        case 12: {
          WITC_TRY(std::uint32_t n, s.u32());
          m_.data_count = n;
          break;
        }
        case 13: WITC_CHECK(tag_section(s)); break;
      }
      if (!s.at_end()) return s.error("section size mismatch");
    }
    if (m_.functions.size() != m_.codes.size())
      return rd_.error("function and code section have inconsistent lengths");
    if (m_.data_count && *m_.data_count != m_.datas.size())
      return rd_.error("data count and data section have inconsistent lengths");
    return ok;
  }

 private:
  module& m_;
  reader rd_;

  // A vector length, refusing counts that could not possibly fit in what is left.
  static result<std::uint32_t> count(reader& s) {
    WITC_TRY(std::uint32_t n, s.u32());
    if (n > s.remaining()) return s.error("unexpected end of section or function: length out of bounds", 1);
    return n;
  }

  static result<valtype> value_type(reader& s) { return detail::read_value_type(s); }
  static result<valtype> ref_type(reader& s) { return detail::read_ref_type(s); }
  // Flags: bit 0 a maximum, bit 1 shared (threads), bit 2 64-bit (memory64/table64).
  static result<limits> read_limits(reader& s, bool memory) {
    WITC_TRY(std::uint8_t flag, s.u8());
    if (flag > 7 || (!memory && (flag & 2)))
      return s.error(memory ? "integer too large: malformed memory limits flag" : "integer too large: malformed table limits flag", 1);
    limits l;
    l.shared = flag & 2;
    l.is64 = flag & 4;
    if (l.is64) {
      WITC_TRY(l.min, s.u64());
    } else {
      WITC_TRY(std::uint32_t mn, s.u32());
      l.min = mn;
    }
    if (flag & 1) {
      if (l.is64) {
        WITC_TRY(std::uint64_t mx, s.u64());
        l.max = mx;
      } else {
        WITC_TRY(std::uint32_t mx, s.u32());
        l.max = mx;
      }
    }
    return l;
  }
  static result<table_type> read_table_type(reader& s) {
    table_type t;
    WITC_TRY(t.elem, ref_type(s));
    WITC_TRY(t.lim, read_limits(s, false));
    return t;
  }
  static result<global_type> read_global_type(reader& s) {
    global_type g;
    WITC_TRY(g.type, value_type(s));
    WITC_TRY(std::uint8_t mut, s.u8());
    if (mut > 1) return s.error("malformed mutability", 1);
    g.mut = mut == 1;
    return g;
  }
  static result<const_expr> read_const_expr(reader& s) {
    const_expr e;
    e.offset = s.global_offset();
    code_reader cr(s);
    while (true) {
      if (cr.at_end()) return cr.raw().error("unexpected end of section or function: missing `end` of constant expression");
      WITC_TRY(instr in, cr.next());
      if (in.code == op::end) break;
      e.code.push_back(in);
      if (e.code.size() > 100000) return cr.raw().error("constant expression too long");
    }
    s = cr.raw();
    return e;
  }

  // A GC storage type: a value type or a packed i8/i16.
  static result<field_type> read_field(reader& s) {
    field_type f;
    std::uint8_t first = s.remaining() ? *s.data() : 0;
    if (first == 0x78 || first == 0x77) {
      (void)s.u8();
      f.packed = first == 0x78 ? 1 : 2;
      f.type = valtype::i32;
    } else {
      WITC_TRY(f.type, value_type(s));
    }
    WITC_TRY(std::uint8_t mut, s.u8());
    if (mut > 1) return s.error("malformed mutability", 1);
    f.mut = mut == 1;
    return f;
  }

  // One composite type (func/struct/array) into types[]/type_defs[].
  result<void> comp_type(reader& s, sub_type st) {
    WITC_TRY(std::uint8_t form, s.u8());
    func_type ft;
    switch (form) {
      case 0x60: {
        st.kind = sub_kind::func;
        WITC_TRY(std::uint32_t np, count(s));
        ft.params.reserve(np);
        for (std::uint32_t j = 0; j < np; ++j) {
          WITC_TRY(valtype t, value_type(s));
          ft.params.push_back(t);
        }
        WITC_TRY(std::uint32_t nr, count(s));
        ft.results.reserve(nr);
        for (std::uint32_t j = 0; j < nr; ++j) {
          WITC_TRY(valtype t, value_type(s));
          ft.results.push_back(t);
        }
        break;
      }
      case 0x5F: {
        st.kind = sub_kind::struct_;
        WITC_TRY(std::uint32_t nf, count(s));
        st.fields.reserve(nf);
        for (std::uint32_t j = 0; j < nf; ++j) {
          WITC_TRY(field_type f, read_field(s));
          st.fields.push_back(f);
        }
        break;
      }
      case 0x5E: {
        st.kind = sub_kind::array;
        WITC_TRY(field_type f, read_field(s));
        st.fields.push_back(f);
        break;
      }
      default:
        return s.error(fmt::format("malformed function type: expected 0x60, found {:#04x}", form), 1);
    }
    if (m_.types.size() >= max_type_index) return s.error("too many types");
    m_.types.push_back(std::move(ft));
    m_.type_defs.push_back(std::move(st));
    return ok;
  }

  result<void> sub_def(reader& s, std::uint32_t rec_start, std::uint32_t rec_size, bool in_rec) {
    sub_type st;
    st.offset = s.global_offset();
    st.rec_start = rec_start;
    st.rec_size = rec_size;
    st.plain = !in_rec;
    std::uint8_t first = s.remaining() ? *s.data() : 0;
    if (first == 0x50 || first == 0x4F) {
      (void)s.u8();
      st.plain = false;
      st.final = first == 0x4F;
      WITC_TRY(std::uint32_t n, count(s));
      for (std::uint32_t k = 0; k < n; ++k) {
        WITC_TRY(std::uint32_t super, s.u32());
        st.supers.push_back(super);
      }
    }
    return comp_type(s, std::move(st));
  }

  result<void> types(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    m_.types.reserve(n);
    m_.type_defs.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      auto start = static_cast<std::uint32_t>(m_.types.size());
      if (s.remaining() && *s.data() == 0x4E) {
        (void)s.u8();
        WITC_TRY(std::uint32_t k, count(s));
        for (std::uint32_t j = 0; j < k; ++j) WITC_CHECK(sub_def(s, start, k, true));
      } else {
        WITC_CHECK(sub_def(s, start, 1, false));
      }
    }
    return ok;
  }

  result<void> tag_section(reader& s) {
    m_.has_tag_section = true;
    WITC_TRY(std::uint32_t n, count(s));
    m_.tags.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      WITC_TRY(std::uint32_t t, tag_type(s));
      m_.tags.push_back(t);
    }
    return ok;
  }
  static result<std::uint32_t> tag_type(reader& s) {
    WITC_TRY(std::uint8_t attr, s.u8());
    if (attr != 0) return s.error(fmt::format("malformed tag attribute {:#04x}", attr), 1);
    return s.u32();
  }

  result<void> imports(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    m_.imports.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      import im;
      im.offset = s.global_offset();
      WITC_TRY(std::string_view mod, s.name());
      WITC_TRY(std::string_view nm, s.name());
      im.module = std::string(mod);
      im.name = std::string(nm);
      WITC_TRY(std::uint8_t kind, s.u8());
      switch (kind) {
        case 0: {
          im.kind = extern_kind::func;
          WITC_TRY(im.func_type, s.u32());
          ++m_.imported_funcs;
          break;
        }
        case 1: {
          im.kind = extern_kind::table;
          WITC_TRY(im.table, read_table_type(s));
          ++m_.imported_tables;
          break;
        }
        case 2: {
          im.kind = extern_kind::memory;
          WITC_TRY(im.memory.lim, read_limits(s, true));
          ++m_.imported_memories;
          break;
        }
        case 3: {
          im.kind = extern_kind::global;
          WITC_TRY(im.global, read_global_type(s));
          ++m_.imported_globals;
          break;
        }
        case 4: {
          im.kind = extern_kind::tag;
          WITC_TRY(im.tag_type, tag_type(s));
          ++m_.imported_tags;
          break;
        }
        default:
          return s.error(fmt::format("malformed import kind {:#04x}", kind), 1);
      }
      m_.imports_by_kind[kind].push_back(static_cast<std::uint32_t>(m_.imports.size()));
      m_.imports.push_back(std::move(im));
    }
    return ok;
  }

  result<void> functions(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    m_.functions.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      WITC_TRY(std::uint32_t t, s.u32());
      m_.functions.push_back(t);
    }
    return ok;
  }

  result<void> tables(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    m_.tables.reserve(n);
    m_.table_inits.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      // 0x40 0x00: a table with an initializer expression (function references).
      bool with_init = s.remaining() && *s.data() == 0x40;
      if (with_init) {
        (void)s.u8();
        WITC_TRY(std::uint8_t z, s.u8());
        if (z != 0) return s.error("malformed table: zero byte expected", 1);
      }
      WITC_TRY(table_type t, read_table_type(s));
      m_.tables.push_back(t);
      if (with_init) {
        WITC_TRY(const_expr e, read_const_expr(s));
        m_.table_inits.push_back(std::move(e));
      } else {
        m_.table_inits.emplace_back();
      }
    }
    return ok;
  }

  result<void> memories(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    for (std::uint32_t i = 0; i < n; ++i) {
      memory_type mt;
      WITC_TRY(mt.lim, read_limits(s, true));
      m_.memories.push_back(mt);
    }
    return ok;
  }

  result<void> globals(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    for (std::uint32_t i = 0; i < n; ++i) {
      global g;
      WITC_TRY(g.type, read_global_type(s));
      WITC_TRY(g.init, read_const_expr(s));
      m_.globals.push_back(std::move(g));
    }
    return ok;
  }

  result<void> exports(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    for (std::uint32_t i = 0; i < n; ++i) {
      export_ e;
      e.offset = s.global_offset();
      WITC_TRY(std::string_view nm, s.name());
      e.name = std::string(nm);
      WITC_TRY(std::uint8_t kind, s.u8());
      if (kind > 4) return s.error(fmt::format("malformed export kind {:#04x}", kind), 1);
      e.kind = static_cast<extern_kind>(kind);
      WITC_TRY(e.index, s.u32());
      m_.exports.push_back(std::move(e));
    }
    return ok;
  }

  result<void> elements(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    for (std::uint32_t i = 0; i < n; ++i) {
      element el;
      el.offset_in_file = s.global_offset();
      WITC_TRY(std::uint32_t flags, s.u32());
      if (flags > 7) return s.error(fmt::format("malformed elements segment kind {}", flags), 1);
      bool passive_or_decl = flags & 1;
      bool explicit_table = flags & 2;
      bool exprs = flags & 4;
      if (!passive_or_decl) {
        el.mode = segment_mode::active;
        if (explicit_table) {
          WITC_TRY(el.table, s.u32());
        }
        WITC_TRY(el.offset_expr, read_const_expr(s));
      } else {
        el.mode = explicit_table ? segment_mode::declarative : segment_mode::passive;
      }
      if (passive_or_decl || explicit_table) {
        if (exprs) {
          WITC_TRY(el.type, ref_type(s));
        } else {
          WITC_TRY(std::uint8_t kind, s.u8());
          if (kind != 0) return s.error("malformed element kind", 1);
          el.type = valtype::funcref;
        }
      }
      WITC_TRY(std::uint32_t m, count(s));
      el.init.reserve(m);
      el.func_indices = !exprs;
      for (std::uint32_t j = 0; j < m; ++j) {
        if (exprs) {
          WITC_TRY(const_expr e, read_const_expr(s));
          el.init.push_back(std::move(e));
        } else {
          const_expr e;
          e.offset = s.global_offset();
          WITC_TRY(std::uint32_t f, s.u32());
          instr in;
          in.code = op::ref_func;
          in.a = f;
          in.offset = e.offset;
          e.code.push_back(in);
          el.init.push_back(std::move(e));
        }
      }
      m_.elements.push_back(std::move(el));
    }
    return ok;
  }

  result<void> codes(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    m_.codes.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      WITC_TRY(std::uint32_t size, s.u32());
      std::uint32_t body_base = s.global_offset();
      WITC_TRY(auto bytes, s.bytes(size));
      reader b(bytes, body_base);
      code c;
      WITC_TRY(std::uint32_t runs, count(b));
      for (std::uint32_t j = 0; j < runs; ++j) {
        local_run r;
        WITC_TRY(r.count, b.u32());
        WITC_TRY(r.type, value_type(b));
        c.local_count += r.count;
        if (c.local_count > 0xFFFFFFFFull) return b.error("too many locals");
        c.locals.push_back(r);
      }
      c.offset = b.global_offset();
      c.body = std::span(b.data(), b.remaining());
      m_.codes.push_back(std::move(c));
    }
    return ok;
  }

  result<void> datas(reader& s) {
    WITC_TRY(std::uint32_t n, count(s));
    for (std::uint32_t i = 0; i < n; ++i) {
      data d;
      d.offset_in_file = s.global_offset();
      WITC_TRY(std::uint32_t flags, s.u32());
      if (flags > 2) return s.error(fmt::format("malformed data segment kind {}", flags), 1);
      if (flags == 1) {
        d.mode = segment_mode::passive;
      } else {
        d.mode = segment_mode::active;
        if (flags == 2) {
          WITC_TRY(d.memory, s.u32());
        }
        WITC_TRY(d.offset_expr, read_const_expr(s));
      }
      WITC_TRY(std::uint32_t len, s.u32());
      if (len > s.remaining()) return s.error("unexpected end of section or function");
      WITC_TRY(d.bytes, s.bytes(len));
      m_.datas.push_back(std::move(d));
    }
    return ok;
  }

  result<void> custom(reader& s) {
    custom_section c;
    c.offset = s.global_offset();
    WITC_TRY(std::string_view nm, s.name());
    c.name = std::string(nm);
    c.bytes = std::span(s.data(), s.remaining());
    if (c.name == "name") {
      // A broken name section is ignored, as the spec allows.
      auto parsed = parse_names(reader(c.bytes, s.global_offset()));
      if (parsed) m_.names = std::move(*parsed);
    }
    m_.customs.push_back(std::move(c));
    return ok;
  }

  static result<name_section> parse_names(reader s) {
    name_section ns;
    while (!s.at_end()) {
      WITC_TRY(std::uint8_t id, s.u8());
      WITC_TRY(std::uint32_t size, s.u32());
      std::uint32_t at = s.global_offset();
      WITC_TRY(auto sub, s.bytes(size));
      reader r(sub, at);
      if (id == 0) {
        WITC_TRY(std::string_view nm, r.name());
        ns.module = std::string(nm);
      } else if (id == 1) {
        WITC_TRY(std::uint32_t n, count(r));
        for (std::uint32_t i = 0; i < n; ++i) {
          WITC_TRY(std::uint32_t idx, r.u32());
          WITC_TRY(std::string_view nm, r.name());
          ns.functions.emplace_back(idx, std::string(nm));
        }
      }
    }
    std::stable_sort(ns.functions.begin(), ns.functions.end(),
                     [](auto& a, auto& b) { return a.first < b.first; });
    return ns;
  }
};

}  // namespace

result<std::shared_ptr<const module>> decode_module(std::span<const std::uint8_t> bytes,
                                                    std::uint32_t base) {
  auto m = std::make_shared<module>();
  m->bytes.assign(bytes.begin(), bytes.end());
  m->base = base;
  decoder d(*m, reader(std::span<const std::uint8_t>(m->bytes), base));
  WITC_CHECK(d.run());
  return std::shared_ptr<const module>(std::move(m));
}

}  // namespace witc::binary
