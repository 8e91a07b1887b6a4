// Encoder for the component binary format: the mirror of component_reader.cpp.
#include <cstring>

#include "witc/binary/component_reader.hpp"

namespace witc::binary {
namespace component {
namespace {

class encoder {
 public:
  std::vector<std::uint8_t> out;

  void byte(std::uint8_t b) { out.push_back(b); }
  void u64(std::uint64_t v) {
    do {
      std::uint8_t b = v & 0x7f;
      v >>= 7;
      if (v) b |= 0x80;
      out.push_back(b);
    } while (v);
  }
  void u32(std::uint32_t v) { u64(v); }
  // Keeps a producer's padded LEB128 width (up to 5 bytes) when the value fits.
  void padded_u32(std::uint32_t v, std::uint8_t width) {
    std::size_t start = out.size();
    u32(v);
    std::size_t used = out.size() - start;
    if (width <= used || width > 5) return;
    out[out.size() - 1] |= 0x80;
    for (std::size_t i = used; i + 1 < width; ++i) out.push_back(0x80);
    out.push_back(0x00);
  }
  void s64(std::int64_t v) {
    while (true) {
      std::uint8_t b = v & 0x7f;
      v >>= 7;
      bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      if (!done) b |= 0x80;
      out.push_back(b);
      if (done) return;
    }
  }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
  void raw(const std::vector<std::uint8_t>& b) { out.insert(out.end(), b.begin(), b.end()); }
  template <class T, class F>
  void vec(const std::vector<T>& v, F&& one) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& x : v) one(x);
  }

  // ---- core types ----
  void core_val(const core_valtype& v) {
    byte(v.code);
    if (v.code == 0x63 || v.code == 0x64) s64(v.heap);
  }
  void comptype(const core_comptype& c) {
    byte(c.form);
    auto field = [this](const core_field& f) { core_val(f.type); byte(f.mut ? 1 : 0); };
    switch (c.form) {
      case 0x60:
        vec(c.params, [this](const core_valtype& v) { core_val(v); });
        vec(c.results, [this](const core_valtype& v) { core_val(v); });
        break;
      case 0x5f: vec(c.fields, field); break;
      default: if (!c.fields.empty()) field(c.fields[0]); break;
    }
  }
  void subtype(const core_subtype& s, bool top) {
    if (s.form == 0) { comptype(s.type); return; }
    if (top && s.form == 0x50) byte(0x00);
    byte(s.form);
    vec(s.supers, [this](std::uint32_t i) { u32(i); });
    comptype(s.type);
  }
  void limits(const core_limits& l) {
    byte(l.flags);
    u64(l.min);
    if (l.flags & 1) u64(l.max);
    if (l.flags & 8) u32(l.page_size_log2);
  }
  void core_extern(const core_externtype& e) {
    switch (e.kind) {
      case core_sort::func: byte(0); u32(e.type_idx); break;
      case core_sort::table: byte(1); core_val(e.val); limits(e.limits); break;
      case core_sort::memory: byte(2); limits(e.limits); break;
      case core_sort::global: byte(3); core_val(e.val); byte(e.mut ? 1 : 0); break;
      case core_sort::tag: byte(4); byte(0); u32(e.type_idx); break;
      default: break;
    }
  }
  void core_type_(const core_type& t) {
    if (const auto* mt = std::get_if<core_moduletype>(&t.def)) {
      byte(0x50);
      vec(mt->decls, [this](const core_moduledecl& d) { moduledecl(d); });
      return;
    }
    const auto& rt = std::get<core_rectype>(t.def);
    if (rt.rec) {
      byte(0x4e);
      vec(rt.types, [this](const core_subtype& s) { subtype(s, false); });
    } else if (!rt.types.empty()) {
      subtype(rt.types[0], true);
    }
  }
  void moduledecl(const core_moduledecl& d) {
    byte(d.tag);
    switch (d.tag) {
      case 0: str(d.import.module); str(d.import.name); core_extern(d.import.type); break;
      case 1: core_type_(*d.type); break;
      case 2: byte(0x10); byte(0x01); u32(d.outer_count); u32(d.outer_idx); break;
      case 3: str(d.import.name); core_extern(d.import.type); break;
      default: break;
    }
  }

  // ---- component types ----
  void val(const valtype& v) {
    if (v.is_prim) byte(v.prim);
    else s64(v.idx);
  }
  void opt_val(const std::optional<valtype>& v) {
    if (!v) { byte(0); return; }
    byte(1);
    val(*v);
  }
  void labeled_(const labeled& l) { str(l.name); val(l.type); }
  void defval(const defvaltype& d) {
    byte(d.code);
    auto s = [this](const std::string& x) { str(x); };
    switch (d.code) {
      case 0x72: vec(d.fields, [this](const labeled& l) { labeled_(l); }); break;
      case 0x71:
        vec(d.cases, [this](const variant_case& c) { str(c.name); opt_val(c.type); byte(0); });
        break;
      case 0x70: case 0x6b: val(*d.a); break;
      case 0x67: val(*d.a); u32(d.idx); break;
      case 0x6f: vec(d.types, [this](const valtype& v) { val(v); }); break;
      case 0x6e: case 0x6d: vec(d.names, s); break;
      case 0x6a: opt_val(d.a); opt_val(d.b); break;
      case 0x69: case 0x68: u32(d.idx); break;
      case 0x66: case 0x65: opt_val(d.a); break;
      case 0x63: val(*d.a); val(*d.b); break;
      default: break;
    }
  }
  void resultlist(const std::optional<valtype>& r) {
    if (r) { byte(0); val(*r); }
    else { byte(1); byte(0); }
  }
  void type_(const type& t) {
    if (const auto* f = std::get_if<functype>(&t.def)) {
      byte(f->async ? 0x43 : 0x40);
      vec(f->params, [this](const labeled& l) { labeled_(l); });
      resultlist(f->result);
    } else if (const auto* c = std::get_if<componenttype>(&t.def)) {
      byte(t.instance ? 0x42 : 0x41);
      vec(c->decls, [this](const decl& d) { decl_(d); });
    } else if (const auto* r = std::get_if<resourcetype>(&t.def)) {
      byte(0x3f);
      core_val(r->rep);
      if (r->dtor) { byte(1); u32(*r->dtor); }
      else byte(0);
    } else {
      defval(std::get<defvaltype>(t.def));
    }
  }
  void decl_(const decl& d) {
    byte(d.tag);
    switch (d.tag) {
      case 0: core_type_(*d.core); break;
      case 1: type_(*d.type); break;
      case 2: alias_(d.alias); break;
      default: name_(d.name); extern_(d.ext); break;
    }
  }
  void sort_(const sort& s) {
    byte(static_cast<std::uint8_t>(s.kind));
    if (s.kind == sort_kind::core) byte(static_cast<std::uint8_t>(s.core));
  }
  void alias_(const alias& a) {
    sort_(a.sort);
    byte(a.target);
    if (a.target == 2) { u32(a.count); u32(a.idx); }
    else { u32(a.instance); str(a.name); }
  }
  void name_(const extern_name& n) {
    byte(n.form);
    str(n.name);
    if (n.form == 2) vec(n.attrs, [this](const name_attribute& a) { byte(a.kind); str(a.value); });
  }
  void extern_(const externtype& e) {
    byte(e.kind);
    switch (e.kind) {
      case 0: byte(0x11); u32(e.idx); break;
      case 2:
        if (e.bound_eq) { byte(0); u32(e.idx); }
        else { byte(1); val(e.value); }
        break;
      case 3:
        if (e.bound_eq) { byte(0); u32(e.idx); }
        else byte(1);
        break;
      default: u32(e.idx); break;
    }
  }
  void sort_idx_(const sort_idx& s) { sort_(s.sort); u32(s.idx); }
  void opts(const std::vector<canon_opt>& os) {
    vec(os, [this](const canon_opt& o) {
      byte(o.kind);
      if ((o.kind >= 3 && o.kind <= 5) || o.kind == 7 || o.kind == 8) u32(o.idx);
    });
  }
  void canon_(const canon& c) {
    byte(c.op);
    switch (c.op) {
      case 0x00: case 0x01:
        byte(0);
        u32(c.func);
        opts(c.opts);
        if (c.op == 0) u32(c.type);
        break;
      case 0x02: case 0x03: case 0x04: case 0x0e: case 0x13: case 0x14: case 0x15: case 0x1a:
      case 0x1b:
        u32(c.type);
        break;
      case 0x09: resultlist(c.result); opts(c.opts); break;
      case 0x0a: case 0x0b: core_val(c.val); u32(c.idx); break;
      case 0x06: byte(c.flag); break;
      case 0x0f: case 0x10: case 0x16: case 0x17: u32(c.type); opts(c.opts); break;
      case 0x11: case 0x12: case 0x18: case 0x19: u32(c.type); byte(c.flag); break;
      case 0x1c: case 0x1d: opts(c.opts); break;
      case 0x20: case 0x21: byte(c.flag); u32(c.idx); break;
      case 0x27: case 0x41: u32(c.type); u32(c.table); break;
      case 0x29: case 0x0c: case 0x2a: case 0x2b: case 0x2c: case 0x2d: byte(c.flag); break;
      case 0x40: u32(c.type); break;
      default: break;
    }
  }

  void section_body(const section& s) {
    std::visit(
        [&](const auto& b) {
          using T = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<T, custom>) {
            str(b.name);
            raw(b.data);
          } else if constexpr (std::is_same_v<T, core_module>) {
            raw(b.bytes);
          } else if constexpr (std::is_same_v<T, std::vector<core_instance>>) {
            vec(b, [this](const core_instance& ci) {
              byte(ci.form);
              if (ci.form == 0) {
                u32(ci.module);
                vec(ci.args, [this](const core_instance::arg& a) { str(a.name); byte(0x12); u32(a.instance); });
              } else {
                vec(ci.exports, [this](const core_instance::export_& e) {
                  str(e.name);
                  byte(static_cast<std::uint8_t>(e.item.sort));
                  u32(e.item.idx);
                });
              }
            });
          } else if constexpr (std::is_same_v<T, std::vector<core_type>>) {
            vec(b, [this](const core_type& t) { core_type_(t); });
          } else if constexpr (std::is_same_v<T, detail::box<component>>) {
            whole(*b);
          } else if constexpr (std::is_same_v<T, std::vector<instance>>) {
            vec(b, [this](const instance& in) {
              byte(in.form);
              if (in.form == 0) {
                u32(in.component);
                vec(in.args, [this](const instance::arg& a) { str(a.name); sort_idx_(a.item); });
              } else {
                vec(in.exports, [this](const instance::export_& e) { name_(e.name); sort_idx_(e.item); });
              }
            });
          } else if constexpr (std::is_same_v<T, std::vector<alias>>) {
            vec(b, [this](const alias& a) { alias_(a); });
          } else if constexpr (std::is_same_v<T, std::vector<type>>) {
            vec(b, [this](const type& t) { type_(t); });
          } else if constexpr (std::is_same_v<T, std::vector<canon>>) {
            vec(b, [this](const canon& c) { canon_(c); });
          } else if constexpr (std::is_same_v<T, start>) {
            u32(b.func);
            vec(b.args, [this](std::uint32_t i) { u32(i); });
            u32(b.results);
          } else if constexpr (std::is_same_v<T, std::vector<import>>) {
            vec(b, [this](const import& i) { name_(i.name); extern_(i.type); });
          } else if constexpr (std::is_same_v<T, std::vector<export_>>) {
            vec(b, [this](const export_& e) {
              name_(e.name);
              sort_idx_(e.item);
              if (e.type) { byte(1); extern_(*e.type); }
              else byte(0);
            });
          } else if constexpr (std::is_same_v<T, std::vector<value>>) {
            vec(b, [this](const value& v) {
              val(v.type);
              u32(static_cast<std::uint32_t>(v.bytes.size()));
              raw(v.bytes);
            });
          }
        },
        s.body);
  }

  void whole(const component& c) {
    static const std::uint8_t h[8] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
    out.insert(out.end(), h, h + 8);
    for (const auto& s : c.sections) {
      byte(s.id);
      encoder body;
      body.section_body(s);
      padded_u32(static_cast<std::uint32_t>(body.out.size()), s.size_len);
      raw(body.out);
    }
  }
};

}  // namespace
}  // namespace component

std::vector<std::uint8_t> write_component(const component::component& c) {
  component::encoder e;
  e.whole(c);
  return std::move(e.out);
}

}  // namespace witc::binary
