// Decoder for the component binary format, one function per Binary.md production.
// Messages follow wasmparser's wording ("invalid leading byte (0x..) for X") so the
// spec tests' expected texts stay recognisable.
#include <fmt/format.h>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/reader.hpp"

namespace witc::binary {
namespace component {
namespace {

// Components, component types and core types nest; past this depth the input is
// rejected rather than recursing further.
constexpr int max_depth = 100;

bool is_prim_byte(std::uint8_t b) { return (b >= 0x73 && b <= 0x7f) || b == 0x64; }
bool is_abstract_heap(std::int64_t h) {
  // Single-byte abstract heap types 0x68..0x75 are s33 values -24..-11.
  return h >= -24 && h <= -11;
}

class decoder {
 public:
  explicit decoder(int depth = 0) : depth_(depth) {}

  failure bad_byte(reader& rd, std::uint8_t b, std::string_view what) {
    return rd.error(fmt::format("invalid leading byte (0x{:x}) for {}", b, what), 1);
  }

  template <class T, class F>
  result<std::vector<T>> vec(reader& rd, F&& one) {
    WITC_TRY(std::uint32_t n, rd.u32());
    std::vector<T> out;
    // Every item takes at least one byte, so a count past the rest is malformed.
    if (n > rd.remaining()) return rd.error("unexpected end-of-file");
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      WITC_TRY(T v, one(rd));
      out.push_back(std::move(v));
    }
    return out;
  }

  result<std::string> name(reader& rd) {
    WITC_TRY(std::string_view s, rd.name());
    return std::string(s);
  }

  // ---- core types ----
  result<core_valtype> core_val(reader& rd, bool storage = false) {
    WITC_TRY(std::uint8_t b, rd.u8());
    core_valtype v;
    v.code = b;
    if (b >= 0x7b && b <= 0x7f) return v;
    if (storage && (b == 0x78 || b == 0x77)) return v;
    if (b == 0x63 || b == 0x64) {
      WITC_TRY(std::int64_t h, rd.s33());
      if (h < 0 && !is_abstract_heap(h)) return rd.error("invalid heap type", 1);
      if (h > 0xffffffffLL) return rd.error("type index too large", 1);
      v.heap = h;
      return v;
    }
    if (b >= 0x68 && b <= 0x75) return v;
    return bad_byte(rd, b, "value type");
  }

  result<core_comptype> comptype(reader& rd) {
    WITC_TRY(std::uint8_t b, rd.u8());
    core_comptype c;
    c.form = b;
    auto field = [this](reader& r) -> result<core_field> {
      core_field f;
      WITC_TRY(f.type, core_val(r, true));
      WITC_TRY(std::uint8_t m, r.u8());
      if (m > 1) return r.error("malformed mutability", 1);
      f.mut = m == 1;
      return f;
    };
    auto val = [this](reader& r) { return core_val(r); };
    switch (b) {
      case 0x60: {
        WITC_TRY(c.params, vec<core_valtype>(rd, val));
        WITC_TRY(c.results, vec<core_valtype>(rd, val));
        return c;
      }
      case 0x5f: {
        WITC_TRY(c.fields, vec<core_field>(rd, field));
        return c;
      }
      case 0x5e: {
        WITC_TRY(core_field f, field(rd));
        c.fields.push_back(f);
        return c;
      }
      default: return bad_byte(rd, b, "core composite type");
    }
  }

  result<core_subtype> subtype(reader& rd, bool top) {
    core_subtype s;
    if (rd.at_end()) return rd.error("unexpected end-of-file");
    std::uint8_t b = *rd.data();
    if (top && b == 0x00) {
      (void)rd.u8();
      WITC_TRY(std::uint8_t n, rd.u8());
      if (n != 0x50) return bad_byte(rd, n, "core sub type");
      b = 0x50;
    } else if (b == 0x50 || b == 0x4f) {
      (void)rd.u8();
    } else {
      WITC_TRY(s.type, comptype(rd));
      return s;
    }
    s.form = b;
    WITC_TRY(s.supers, vec<std::uint32_t>(rd, [](reader& r) { return r.u32(); }));
    WITC_TRY(s.type, comptype(rd));
    return s;
  }

  result<core_limits> limits(reader& rd, bool memory) {
    core_limits l;
    WITC_TRY(l.flags, rd.u8());
    if (l.flags > (memory ? 0x0f : 0x05)) return rd.error("invalid limits flags", 1);
    bool is64 = l.flags & 0x04;
    if (is64) {
      WITC_TRY(l.min, rd.u64());
    } else {
      WITC_TRY(std::uint32_t m, rd.u32());
      l.min = m;
    }
    if (l.flags & 0x01) {
      if (is64) {
        WITC_TRY(l.max, rd.u64());
      } else {
        WITC_TRY(std::uint32_t m, rd.u32());
        l.max = m;
      }
    }
    if (l.flags & 0x08) {
      WITC_TRY(l.page_size_log2, rd.u32());
    }
    return l;
  }

  result<core_externtype> core_extern(reader& rd) {
    WITC_TRY(std::uint8_t b, rd.u8());
    core_externtype e;
    switch (b) {
      case 0x00: { e.kind = core_sort::func; WITC_TRY(e.type_idx, rd.u32()); return e; }
      case 0x01: {
        e.kind = core_sort::table;
        WITC_TRY(e.val, core_val(rd));
        WITC_TRY(e.limits, limits(rd, false));
        return e;
      }
      case 0x02: { e.kind = core_sort::memory; WITC_TRY(e.limits, limits(rd, true)); return e; }
      case 0x03: {
        e.kind = core_sort::global;
        WITC_TRY(e.val, core_val(rd));
        WITC_TRY(std::uint8_t m, rd.u8());
        if (m > 1) return rd.error("malformed mutability", 1);
        e.mut = m == 1;
        return e;
      }
      case 0x04: {
        e.kind = core_sort::tag;
        WITC_TRY(std::uint8_t a, rd.u8());
        if (a != 0) return bad_byte(rd, a, "tag attribute");
        WITC_TRY(e.type_idx, rd.u32());
        return e;
      }
      default: return bad_byte(rd, b, "external kind");
    }
  }

  result<core_type> core_type_(reader& rd) {
    if (++depth_ > max_depth) return rd.error("type nesting is too deep");
    core_type t;
    t.offset = rd.global_offset();
    if (rd.at_end()) return rd.error("unexpected end-of-file");
    std::uint8_t b = *rd.data();
    if (b == 0x50) {
      (void)rd.u8();
      core_moduletype mt;
      WITC_TRY(mt.decls, vec<core_moduledecl>(rd, [this](reader& r) { return moduledecl(r); }));
      t.def = std::move(mt);
    } else if (b == 0x4e) {
      (void)rd.u8();
      core_rectype rt;
      rt.rec = true;
      WITC_TRY(rt.types, vec<core_subtype>(rd, [this](reader& r) { return subtype(r, false); }));
      t.def = std::move(rt);
    } else {
      core_rectype rt;
      WITC_TRY(core_subtype s, subtype(rd, true));
      rt.types.push_back(std::move(s));
      t.def = std::move(rt);
    }
    --depth_;
    return t;
  }

  result<core_moduledecl> moduledecl(reader& rd) {
    core_moduledecl d;
    d.offset = rd.global_offset();
    WITC_TRY(d.tag, rd.u8());
    switch (d.tag) {
      case 0x00: {
        WITC_TRY(d.import.module, name(rd));
        WITC_TRY(d.import.name, name(rd));
        WITC_TRY(d.import.type, core_extern(rd));
        return d;
      }
      case 0x01: {
        WITC_TRY(core_type t, core_type_(rd));
        d.type = std::move(t);
        return d;
      }
      case 0x02: {
        WITC_TRY(std::uint8_t k, rd.u8());
        if (k != 0x10) return bad_byte(rd, k, "outer alias kind");
        WITC_TRY(std::uint8_t o, rd.u8());
        if (o != 0x01) return bad_byte(rd, o, "outer alias target");
        WITC_TRY(d.outer_count, rd.u32());
        WITC_TRY(d.outer_idx, rd.u32());
        return d;
      }
      case 0x03: {
        WITC_TRY(d.import.name, name(rd));
        WITC_TRY(d.import.type, core_extern(rd));
        return d;
      }
      default: return bad_byte(rd, d.tag, "module type declaration");
    }
  }

  // ---- component types ----
  result<valtype> val(reader& rd) {
    if (rd.at_end()) return rd.error("unexpected end-of-file");
    std::uint8_t b = *rd.data();
    valtype v;
    if (is_prim_byte(b)) {
      (void)rd.u8();
      v.prim = b;
      return v;
    }
    WITC_TRY(std::int64_t i, rd.s33());
    if (i < 0 || i > 0xffffffffLL) return rd.error(fmt::format("invalid leading byte (0x{:x}) for component value type", b));
    v.is_prim = false;
    v.idx = static_cast<std::uint32_t>(i);
    return v;
  }

  result<std::optional<valtype>> opt_val(reader& rd, std::string_view what) {
    WITC_TRY(std::uint8_t b, rd.u8());
    if (b == 0) return std::optional<valtype>{};
    if (b != 1) return bad_byte(rd, b, what);
    WITC_TRY(valtype v, val(rd));
    return std::optional<valtype>(v);
  }

  result<labeled> label_val(reader& rd) {
    labeled l;
    WITC_TRY(l.name, name(rd));
    WITC_TRY(l.type, val(rd));
    return l;
  }

  result<defvaltype> defval(reader& rd, std::uint8_t b) {
    defvaltype d;
    d.code = b;
    auto names = [this](reader& r) { return name(r); };
    switch (b) {
      case 0x72: { WITC_TRY(d.fields, vec<labeled>(rd, [this](reader& r) { return label_val(r); })); break; }
      case 0x71: {
        WITC_TRY(d.cases, vec<variant_case>(rd, [this](reader& r) -> result<variant_case> {
          variant_case c;
          WITC_TRY(c.name, name(r));
          WITC_TRY(c.type, opt_val(r, "optional component value type"));
          WITC_TRY(std::uint8_t z, r.u8());
          if (z != 0) return bad_byte(r, z, "zero byte required");
          return c;
        }));
        break;
      }
      case 0x70: case 0x6b: { WITC_TRY(valtype v, val(rd)); d.a = v; break; }
      case 0x67: {
        WITC_TRY(valtype v, val(rd));
        d.a = v;
        WITC_TRY(d.idx, rd.u32());
        break;
      }
      case 0x6f: { WITC_TRY(d.types, vec<valtype>(rd, [this](reader& r) { return val(r); })); break; }
      case 0x6e: case 0x6d: { WITC_TRY(d.names, vec<std::string>(rd, names)); break; }
      case 0x6a: {
        WITC_TRY(d.a, opt_val(rd, "optional component value type"));
        WITC_TRY(d.b, opt_val(rd, "optional component value type"));
        break;
      }
      case 0x69: case 0x68: { WITC_TRY(d.idx, rd.u32()); break; }
      case 0x66: case 0x65: { WITC_TRY(d.a, opt_val(rd, "optional component value type")); break; }
      case 0x63: {
        WITC_TRY(valtype k, val(rd));
        WITC_TRY(valtype v, val(rd));
        d.a = k;
        d.b = v;
        break;
      }
      default:
        if (is_prim_byte(b)) break;
        return bad_byte(rd, b, "component defined type");
    }
    return d;
  }

  result<std::optional<valtype>> resultlist(reader& rd, std::string_view what) {
    WITC_TRY(std::uint8_t b, rd.u8());
    if (b == 0) {
      WITC_TRY(valtype v, val(rd));
      return std::optional<valtype>(v);
    }
    if (b != 1) return bad_byte(rd, b, what);
    WITC_TRY(std::uint8_t z, rd.u8());
    if (z != 0) return bad_byte(rd, z, "number of results");
    return std::optional<valtype>{};
  }

  result<type> type_(reader& rd) {
    if (++depth_ > max_depth) return rd.error("type nesting is too deep");
    type t;
    t.offset = rd.global_offset();
    WITC_TRY(std::uint8_t b, rd.u8());
    switch (b) {
      case 0x40: case 0x43: {
        functype f;
        f.async = b == 0x43;
        WITC_TRY(f.params, vec<labeled>(rd, [this](reader& r) { return label_val(r); }));
        WITC_TRY(f.result, resultlist(rd, "component function results"));
        t.def = std::move(f);
        break;
      }
      case 0x41: case 0x42: {
        componenttype c;
        t.instance = b == 0x42;
        bool inst = t.instance;
        WITC_TRY(c.decls, vec<decl>(rd, [this, inst](reader& r) { return decl_(r, inst); }));
        t.def = std::move(c);
        break;
      }
      case 0x3f: {
        resourcetype r;
        WITC_TRY(r.rep, core_val(rd));
        WITC_TRY(std::uint8_t o, rd.u8());
        if (o == 1) {
          WITC_TRY(std::uint32_t f, rd.u32());
          r.dtor = f;
        } else if (o != 0) {
          return bad_byte(rd, o, "optional destructor");
        }
        t.def = std::move(r);
        break;
      }
      default: {
        WITC_TRY(defvaltype d, defval(rd, b));
        t.def = std::move(d);
      }
    }
    --depth_;
    return t;
  }

  result<decl> decl_(reader& rd, bool instance) {
    decl d;
    d.offset = rd.global_offset();
    WITC_TRY(d.tag, rd.u8());
    switch (d.tag) {
      case 0x00: { WITC_TRY(core_type t, core_type_(rd)); d.core = std::move(t); return d; }
      case 0x01: { WITC_TRY(type t, type_(rd)); d.type = std::move(t); return d; }
      case 0x02: { WITC_TRY(d.alias, alias_(rd)); return d; }
      case 0x03:
        if (instance) break;
        [[fallthrough]];
      case 0x04: {
        WITC_TRY(d.name, extern_name_(rd));
        WITC_TRY(d.ext, extern_(rd));
        return d;
      }
      default: break;
    }
    return bad_byte(rd, d.tag, "component or instance type declaration");
  }

  result<sort> sort_(reader& rd) {
    WITC_TRY(std::uint8_t b, rd.u8());
    sort s;
    if (b == 0) {
      WITC_TRY(std::uint8_t c, rd.u8());
      if (!(c <= 4 || (c >= 0x10 && c <= 0x12))) return bad_byte(rd, c, "core sort");
      s.kind = sort_kind::core;
      s.core = static_cast<core_sort>(c);
      return s;
    }
    if (b > 5) return bad_byte(rd, b, "component external kind");
    s.kind = static_cast<sort_kind>(b);
    return s;
  }

  result<alias> alias_(reader& rd) {
    alias a;
    a.offset = rd.global_offset();
    WITC_TRY(a.sort, sort_(rd));
    WITC_TRY(a.target, rd.u8());
    switch (a.target) {
      case 0x00: case 0x01: {
        WITC_TRY(a.instance, rd.u32());
        WITC_TRY(a.name, name(rd));
        return a;
      }
      case 0x02: {
        bool okk = a.sort.kind == sort_kind::type || a.sort.kind == sort_kind::component ||
                   (a.sort.kind == sort_kind::core &&
                    (a.sort.core == core_sort::type || a.sort.core == core_sort::module));
        if (!okk) {
          std::uint8_t byte = a.sort.kind == sort_kind::core ? static_cast<std::uint8_t>(a.sort.core)
                                                              : static_cast<std::uint8_t>(a.sort.kind);
          return rd.error(fmt::format("invalid leading byte (0x{:x}) for component outer alias kind", byte));
        }
        WITC_TRY(a.count, rd.u32());
        WITC_TRY(a.idx, rd.u32());
        return a;
      }
      default: return bad_byte(rd, a.target, "alias");
    }
  }

  result<extern_name> extern_name_(reader& rd) {
    extern_name n;
    WITC_TRY(n.form, rd.u8());
    if (n.form > 2) return bad_byte(rd, n.form, "component name");
    WITC_TRY(n.name, name(rd));
    if (n.form == 2) {
      WITC_TRY(n.attrs, vec<name_attribute>(rd, [this](reader& r) -> result<name_attribute> {
        name_attribute a;
        WITC_TRY(a.kind, r.u8());
        if (a.kind > 2) return bad_byte(r, a.kind, "name option");
        WITC_TRY(a.value, name(r));
        return a;
      }));
    }
    return n;
  }

  result<externtype> extern_(reader& rd) {
    externtype e;
    WITC_TRY(e.kind, rd.u8());
    switch (e.kind) {
      case 0x00: {
        WITC_TRY(std::uint8_t m, rd.u8());
        if (m != 0x11) return bad_byte(rd, m, "component external kind");
        WITC_TRY(e.idx, rd.u32());
        return e;
      }
      case 0x01: case 0x04: case 0x05: { WITC_TRY(e.idx, rd.u32()); return e; }
      case 0x02: {
        WITC_TRY(std::uint8_t b, rd.u8());
        if (b == 0) { WITC_TRY(e.idx, rd.u32()); return e; }
        if (b != 1) return bad_byte(rd, b, "value bound");
        e.bound_eq = false;
        WITC_TRY(e.value, val(rd));
        return e;
      }
      case 0x03: {
        WITC_TRY(std::uint8_t b, rd.u8());
        if (b == 0) { WITC_TRY(e.idx, rd.u32()); return e; }
        if (b != 1) return bad_byte(rd, b, "type bound");
        e.bound_eq = false;
        return e;
      }
      default: return bad_byte(rd, e.kind, "component external kind");
    }
  }

  result<sort_idx> sort_idx_(reader& rd) {
    sort_idx s;
    WITC_TRY(s.sort, sort_(rd));
    WITC_TRY(s.idx, rd.u32());
    return s;
  }

  // ---- definitions ----
  result<core_instance> core_instance_(reader& rd) {
    core_instance ci;
    ci.offset = rd.global_offset();
    WITC_TRY(ci.form, rd.u8());
    if (ci.form == 0) {
      WITC_TRY(ci.module, rd.u32());
      WITC_TRY(ci.args, vec<core_instance::arg>(rd, [this](reader& r) -> result<core_instance::arg> {
        core_instance::arg a;
        WITC_TRY(a.name, name(r));
        WITC_TRY(std::uint8_t k, r.u8());
        if (k != 0x12) return bad_byte(r, k, "instantiation arg kind");
        WITC_TRY(a.instance, r.u32());
        return a;
      }));
      return ci;
    }
    if (ci.form != 1) return bad_byte(rd, ci.form, "core instance");
    WITC_TRY(ci.exports, vec<core_instance::export_>(rd, [this](reader& r) -> result<core_instance::export_> {
      core_instance::export_ e;
      WITC_TRY(e.name, name(r));
      WITC_TRY(std::uint8_t k, r.u8());
      if (!(k <= 4 || (k >= 0x10 && k <= 0x12))) return bad_byte(r, k, "core sort");
      e.item.sort = static_cast<core_sort>(k);
      WITC_TRY(e.item.idx, r.u32());
      return e;
    }));
    return ci;
  }

  result<instance> instance_(reader& rd) {
    instance in;
    in.offset = rd.global_offset();
    WITC_TRY(in.form, rd.u8());
    if (in.form == 0) {
      WITC_TRY(in.component, rd.u32());
      WITC_TRY(in.args, vec<instance::arg>(rd, [this](reader& r) -> result<instance::arg> {
        instance::arg a;
        WITC_TRY(a.name, name(r));
        WITC_TRY(a.item, sort_idx_(r));
        return a;
      }));
      return in;
    }
    if (in.form != 1) return bad_byte(rd, in.form, "instance");
    WITC_TRY(in.exports, vec<instance::export_>(rd, [this](reader& r) -> result<instance::export_> {
      instance::export_ e;
      WITC_TRY(e.name, extern_name_(r));
      WITC_TRY(e.item, sort_idx_(r));
      return e;
    }));
    return in;
  }

  result<std::vector<canon_opt>> opts(reader& rd) {
    return vec<canon_opt>(rd, [this](reader& r) -> result<canon_opt> {
      canon_opt o;
      WITC_TRY(o.kind, r.u8());
      switch (o.kind) {
        case 0: case 1: case 2: case 6: return o;
        case 3: case 4: case 5: case 7: case 8: { WITC_TRY(o.idx, r.u32()); return o; }
        case 9: return o;
        default: return bad_byte(r, o.kind, "canonical option");
      }
    });
  }

  result<bool> flag(reader& rd, std::string_view what) {
    WITC_TRY(std::uint8_t b, rd.u8());
    if (b > 1) return bad_byte(rd, b, what);
    return b == 1;
  }

  result<canon> canon_(reader& rd) {
    canon c;
    c.offset = rd.global_offset();
    WITC_TRY(c.op, rd.u8());
    switch (c.op) {
      case 0x00: case 0x01: {
        WITC_TRY(std::uint8_t z, rd.u8());
        if (z != 0) return bad_byte(rd, z, c.op == 0 ? "canonical function lift" : "canonical function lower");
        WITC_TRY(c.func, rd.u32());
        WITC_TRY(c.opts, opts(rd));
        if (c.op == 0) { WITC_TRY(c.type, rd.u32()); }
        return c;
      }
      case 0x02: case 0x03: case 0x04: case 0x0e: case 0x13: case 0x14: case 0x15: case 0x1a:
      case 0x1b: {
        WITC_TRY(c.type, rd.u32());
        return c;
      }
      case 0x24: case 0x25: case 0x05: case 0x42: case 0x0d: case 0x1e: case 0x1f: case 0x22:
      case 0x23: case 0x26: case 0x28:
        return c;
      case 0x09: {
        WITC_TRY(c.result, resultlist(rd, "component function results"));
        WITC_TRY(c.opts, opts(rd));
        return c;
      }
      case 0x0a: case 0x0b: {
        WITC_TRY(c.val, core_val(rd));
        WITC_TRY(c.idx, rd.u32());
        return c;
      }
      case 0x06: { WITC_TRY(c.flag, flag(rd, "async option")); return c; }
      case 0x0f: case 0x10: case 0x16: case 0x17: {
        WITC_TRY(c.type, rd.u32());
        WITC_TRY(c.opts, opts(rd));
        return c;
      }
      case 0x11: case 0x12: case 0x18: case 0x19: {
        WITC_TRY(c.type, rd.u32());
        WITC_TRY(c.flag, flag(rd, "async option"));
        return c;
      }
      case 0x1c: case 0x1d: {
        WITC_TRY(c.opts, opts(rd));
        return c;
      }
      case 0x20: case 0x21: {
        WITC_TRY(c.flag, flag(rd, "cancellable option"));
        WITC_TRY(c.idx, rd.u32());
        return c;
      }
      case 0x27: case 0x41: {
        WITC_TRY(c.type, rd.u32());
        WITC_TRY(c.table, rd.u32());
        return c;
      }
      case 0x29: case 0x0c: case 0x2a: case 0x2b: case 0x2c: case 0x2d: {
        WITC_TRY(c.flag, flag(rd, "cancellable option"));
        return c;
      }
      case 0x40: {
        WITC_TRY(c.type, rd.u32());
        return c;
      }
      default: return bad_byte(rd, c.op, "canonical function");
    }
  }

  template <class T, class F>
  result<void> vec_section(reader& rd, section& s, F&& one) {
    WITC_TRY(std::vector<T> v, vec<T>(rd, std::forward<F>(one)));
    s.body = std::move(v);
    return ok;
  }

  result<void> section_body(reader& rd, section& s, std::span<const std::uint8_t> bytes) {
    switch (s.id) {
      case 0: {
        custom c;
        WITC_TRY(c.name, name(rd));
        WITC_TRY(auto rest, rd.bytes(rd.remaining()));
        c.data.assign(rest.begin(), rest.end());
        s.body = std::move(c);
        return ok;
      }
      case 1: {
        core_module m;
        m.offset = rd.global_offset();
        if (!is_core_module(bytes)) {
          if (bytes.size() >= 4 && std::memcmp(bytes.data(), "\0asm", 4) == 0)
            return rd.error("expected a version header for a module");
          return rd.error("magic header not detected: bad magic number");
        }
        WITC_TRY(auto all, rd.bytes(rd.remaining()));
        m.bytes.assign(all.begin(), all.end());
        s.body = std::move(m);
        return ok;
      }
      case 2: return vec_section<core_instance>(rd, s, [this](reader& r) { return core_instance_(r); });
      case 3: return vec_section<core_type>(rd, s, [this](reader& r) { return core_type_(r); });
      case 4: {
        if (depth_ + 1 > max_depth) return rd.error("components nested too deeply");
        decoder inner(depth_ + 1);
        WITC_TRY(component c, inner.whole(bytes, rd.global_offset()));
        (void)rd.bytes(rd.remaining());
        s.body = detail::box<component>(std::move(c));
        return ok;
      }
      case 5: return vec_section<instance>(rd, s, [this](reader& r) { return instance_(r); });
      case 6: return vec_section<alias>(rd, s, [this](reader& r) { return alias_(r); });
      case 7: return vec_section<type>(rd, s, [this](reader& r) { return type_(r); });
      case 8: return vec_section<canon>(rd, s, [this](reader& r) { return canon_(r); });
      case 9: {
        start st;
        st.offset = rd.global_offset();
        WITC_TRY(st.func, rd.u32());
        WITC_TRY(st.args, vec<std::uint32_t>(rd, [](reader& r) { return r.u32(); }));
        WITC_TRY(st.results, rd.u32());
        s.body = std::move(st);
        return ok;
      }
      case 10: {
        return vec_section<import>(rd, s, [this](reader& r) -> result<import> {
          import i;
          i.offset = r.global_offset();
          WITC_TRY(i.name, extern_name_(r));
          WITC_TRY(i.type, extern_(r));
          return i;
        });
      }
      case 11: {
        return vec_section<export_>(rd, s, [this](reader& r) -> result<export_> {
          export_ e;
          e.offset = r.global_offset();
          WITC_TRY(e.name, extern_name_(r));
          WITC_TRY(e.item, sort_idx_(r));
          WITC_TRY(std::uint8_t o, r.u8());
          if (o == 1) {
            WITC_TRY(externtype t, extern_(r));
            e.type = t;
          } else if (o != 0) {
            return bad_byte(r, o, "optional component export type");
          }
          return e;
        });
      }
      case 12: {
        return vec_section<value>(rd, s, [this](reader& r) -> result<value> {
          value v;
          v.offset = r.global_offset();
          WITC_TRY(v.type, val(r));
          WITC_TRY(std::uint32_t len, r.u32());
          WITC_TRY(auto b, r.bytes(len));
          v.bytes.assign(b.begin(), b.end());
          return v;
        });
      }
      default: return rd.error("malformed section id", 0);
    }
  }

  result<component> whole(std::span<const std::uint8_t> bytes, std::uint32_t base) {
    reader rd(bytes, base);
    component c;
    c.offset = base;
    if (bytes.size() < 8 || std::memcmp(bytes.data(), "\0asm", 4) != 0) {
      if (bytes.size() >= 4 && std::memcmp(bytes.data(), "\0asm", 4) == 0)
        return rd.error("unexpected end-of-file");
      return rd.error("magic header not detected: bad magic number");
    }
    if (!is_component(bytes)) {
      if (is_core_module(bytes)) return rd.error("expected a version header for a component");
      return reader(bytes.subspan(4), base + 4).error("unknown binary version");
    }
    (void)rd.bytes(8);
    while (!rd.at_end()) {
      section s;
      s.offset = rd.global_offset();
      WITC_TRY(s.id, rd.u8());
      if (s.id > 12) return rd.error("malformed section id", 1);
      std::size_t before = rd.offset();
      WITC_TRY(std::uint32_t size, rd.u32());
      s.size_len = static_cast<std::uint8_t>(rd.offset() - before);
      if (size > rd.remaining()) return rd.error("unexpected end-of-file");
      std::uint32_t at = rd.global_offset();
      WITC_TRY(auto body, rd.bytes(size));
      reader sr(body, at);
      WITC_CHECK(section_body(sr, s, body));
      if (!sr.at_end()) return sr.error("unexpected content in the section, found trailing bytes");
      c.sections.push_back(std::move(s));
    }
    return c;
  }

 private:
  int depth_ = 0;
};

}  // namespace
}  // namespace component

bool is_component(std::span<const std::uint8_t> b) noexcept {
  static const std::uint8_t h[8] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
  return b.size() >= 8 && std::memcmp(b.data(), h, 8) == 0;
}
bool is_core_module(std::span<const std::uint8_t> b) noexcept {
  static const std::uint8_t h[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  return b.size() >= 8 && std::memcmp(b.data(), h, 8) == 0;
}

result<component::component> read_component(std::span<const std::uint8_t> bytes, std::uint32_t base) {
  component::decoder d;
  return d.whole(bytes, base);
}

}  // namespace witc::binary

