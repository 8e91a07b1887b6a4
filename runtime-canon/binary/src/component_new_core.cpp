// `component new`'s canonical ABI facts and the core modules it writes or edits.
#include <fmt/format.h>

#include <algorithm>

#include "component_new_detail.hpp"
#include "witc/binary/core_opcodes.hpp"
#include "witc/binary/reader.hpp"

namespace witc::binary::component_new_detail {
namespace {

constexpr std::size_t max_flat_params = 16, max_flat_results = 1;
constexpr std::int32_t page_size = 65536;

class flattener {
 public:
  explicit flattener(const wit::resolve& r) : r_(r) {}
  bool ptr = false, strings = false;

  void flat(wit::type t, std::vector<std::uint8_t>& out, int depth = 0) {
    // Types are acyclic, but a fuzzed type section may not be: bound the walk.
    if (depth > 200 || out.size() > 4096) return;
    if (!t.is_id()) {
      switch (t.prim()) {
        case wit::primitive::u64: case wit::primitive::s64: out.push_back(i64); return;
        case wit::primitive::f32: out.push_back(f32); return;
        case wit::primitive::f64: out.push_back(f64); return;
        case wit::primitive::string:
          ptr = strings = true;
          out.push_back(i32);
          out.push_back(i32);
          return;
        default: out.push_back(i32); return;
      }
    }
    const auto& k = r_[t.id()].kind;
    auto variant = [&](const std::vector<std::optional<wit::type>>& cases) {
      std::vector<std::uint8_t> payload;
      for (const auto& c : cases) {
        if (!c) continue;
        std::vector<std::uint8_t> f;
        flat(*c, f, depth + 1);
        for (std::size_t i = 0; i < f.size(); ++i) {
          if (i >= payload.size()) payload.push_back(f[i]);
          else if (payload[i] != f[i])
            payload[i] = ((payload[i] == i32 && f[i] == f32) || (payload[i] == f32 && f[i] == i32)) ? i32 : i64;
        }
      }
      out.push_back(i32);
      out.insert(out.end(), payload.begin(), payload.end());
    };
    if (const auto* x = std::get_if<wit::record>(&k)) {
      for (const auto& f : x->fields) flat(f.ty, out, depth + 1);
    } else if (const auto* x = std::get_if<wit::tuple>(&k)) {
      for (const auto& f : x->types) flat(f, out, depth + 1);
    } else if (const auto* x = std::get_if<wit::variant>(&k)) {
      std::vector<std::optional<wit::type>> cs;
      for (const auto& c : x->cases) cs.push_back(c.ty);
      variant(cs);
    } else if (const auto* x = std::get_if<wit::option>(&k)) {
      variant({std::nullopt, x->inner});
    } else if (const auto* x = std::get_if<wit::result_>(&k)) {
      variant({x->ok, x->err});
    } else if (const auto* x = std::get_if<wit::fixed_list>(&k)) {
      for (std::uint32_t i = 0; i < x->size && out.size() <= 64; ++i) flat(x->element, out, depth + 1);
    } else if (const auto* x = std::get_if<wit::list>(&k)) {
      ptr = true;
      std::vector<std::uint8_t> ignored;
      flat(x->element, ignored, depth + 1);  // for `strings`
      out.push_back(i32);
      out.push_back(i32);
    } else if (const auto* x = std::get_if<wit::map>(&k)) {
      ptr = true;
      std::vector<std::uint8_t> ignored;
      flat(x->key, ignored, depth + 1);
      flat(x->value, ignored, depth + 1);
      out.push_back(i32);
      out.push_back(i32);
    } else if (const auto* x = std::get_if<wit::alias>(&k)) {
      flat(x->target, out, depth + 1);
    } else if (const auto* x = std::get_if<wit::flags>(&k)) {
      std::size_t n = std::max<std::size_t>(1, (x->flags.size() + 31) / 32);
      out.insert(out.end(), n, i32);
    } else {
      out.push_back(i32);  // enum, handles, future, stream
    }
  }

 private:
  const wit::resolve& r_;
};

}  // namespace

std::string to_string(const core_sig& s) {
  auto one = [](const std::vector<std::uint8_t>& v) {
    std::string out;
    for (auto b : v) {
      if (!out.empty()) out += ' ';
      out += b == i32 ? "i32" : b == i64 ? "i64" : b == f32 ? "f32" : b == f64 ? "f64" : "?";
    }
    return out;
  };
  return fmt::format("[{}] -> [{}]", one(s.params), one(s.results));
}

abi function_abi(const wit::resolve& r, const wit::function& f, bool lift) {
  abi a;
  flattener p(r), q(r);
  for (const auto& x : f.params) p.flat(x.ty, a.sig.params);
  if (f.result) q.flat(*f.result, a.sig.results);
  bool indirect_params = a.sig.params.size() > max_flat_params;
  bool indirect_results = a.sig.results.size() > max_flat_results;
  if (indirect_params) a.sig.params = {i32};
  if (indirect_results) {
    if (lift) {
      a.sig.results = {i32};
    } else {
      a.sig.params.push_back(i32);
      a.sig.results.clear();
    }
  }
  a.strings = p.strings || q.strings;
  a.memory = p.ptr || q.ptr || indirect_params || indirect_results;
  a.realloc = lift ? (p.ptr || indirect_params) : q.ptr;
  a.post_return_possible = q.ptr || indirect_results;
  return a;
}

// ---- bytes ---------------------------------------------------------------------------

void leb(std::vector<std::uint8_t>& out, std::uint64_t v) {
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}
void sleb(std::vector<std::uint8_t>& out, std::int64_t v) {
  for (;;) {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out.push_back(b);
    if (done) return;
  }
}
void name(std::vector<std::uint8_t>& out, std::string_view s) {
  leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

std::string raw_section::custom_name() const {
  reader r(payload, 0);
  auto n = r.name();
  return n ? std::string(*n) : std::string();
}

result<std::vector<raw_section>> split_module(std::span<const std::uint8_t> bytes, std::uint32_t base) {
  if (bytes.size() < 8 || bytes[0] != 0 || bytes[1] != 'a' || bytes[2] != 's' || bytes[3] != 'm' || bytes[4] != 1 ||
      bytes[5] != 0 || bytes[6] != 0 || bytes[7] != 0)
    return fail(diagnostic::global("the input is not a core WebAssembly module (expected the header `\\0asm` 1 0 0 0)"));
  reader r(bytes.subspan(8), base + 8);
  std::vector<raw_section> out;
  while (!r.at_end()) {
    WITC_TRY(std::uint8_t id, r.u8());
    WITC_TRY(std::uint32_t size, r.u32());
    WITC_TRY(auto body, r.bytes(size));
    out.push_back({id, std::vector<std::uint8_t>(body.begin(), body.end())});
  }
  return out;
}

std::vector<std::uint8_t> join_module(const std::vector<raw_section>& sections) {
  std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
  for (const auto& s : sections) {
    out.push_back(s.id);
    leb(out, s.payload.size());
    out.insert(out.end(), s.payload.begin(), s.payload.end());
  }
  return out;
}

result<std::vector<std::uint8_t>> strip_custom(std::span<const std::uint8_t> bytes, std::string_view prefix,
                                               std::uint32_t base) {
  WITC_TRY(auto sections, split_module(bytes, base));
  std::erase_if(sections, [&](const raw_section& s) { return s.id == 0 && s.custom_name().starts_with(prefix); });
  return join_module(sections);
}

namespace {

// A vector-of-items payload with one more item appended (count rewritten).
result<std::vector<std::uint8_t>> append_item(const std::vector<std::uint8_t>& payload,
                                              const std::vector<std::uint8_t>& item, std::uint32_t* old_count) {
  reader r(payload, 0);
  WITC_TRY(std::uint32_t n, r.u32());
  if (old_count) *old_count = n;
  std::vector<std::uint8_t> out;
  leb(out, std::uint64_t{n} + 1);
  out.insert(out.end(), payload.begin() + static_cast<std::ptrdiff_t>(r.offset()), payload.end());
  out.insert(out.end(), item.begin(), item.end());
  return out;
}

// The global of the given name in the `name` section (subsection 7).
std::optional<std::uint32_t> global_named(const std::vector<raw_section>& sections, std::string_view want) {
  for (const auto& s : sections) {
    if (s.id != 0 || s.custom_name() != "name") continue;
    reader r(s.payload, 0);
    if (!r.name()) return std::nullopt;
    while (!r.at_end()) {
      auto id = r.u8();
      auto size = r.u32();
      if (!id || !size) return std::nullopt;
      auto body = r.bytes(*size);
      if (!body) return std::nullopt;
      if (*id != 7) continue;
      reader g(*body, 0);
      auto n = g.u32();
      if (!n) return std::nullopt;
      for (std::uint32_t i = 0; i < *n; ++i) {
        auto idx = g.u32();
        auto nm = g.name();
        if (!idx || !nm) return std::nullopt;
        if (*nm == want) return *idx;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

result<std::vector<std::uint8_t>> prepare_adapter(std::span<const std::uint8_t> bytes, std::uint32_t base) {
  WITC_TRY(auto sections, split_module(bytes, base));
  std::erase_if(sections, [&](const raw_section& s) { return s.id == 0 && s.custom_name().starts_with("component-type"); });
  auto sp = global_named(sections, "__stack_pointer");
  if (!sp) return join_module(sections);
  auto state = global_named(sections, "allocation_state");
  for (const auto& s : sections)
    if (s.id == 8) return fail(diagnostic::global("the adapter already has a start function"));
  auto find = [&](std::uint8_t id) {
    return std::find_if(sections.begin(), sections.end(), [&](const raw_section& s) { return s.id == id; });
  };
  auto types = find(1), funcs = find(3), code = find(10);
  if (types == sections.end() || funcs == sections.end() || code == sections.end())
    return fail(diagnostic::global("the adapter has no type, function or code section"));
  std::uint32_t type_idx = 0, func_pos = 0;
  WITC_TRY(types->payload, append_item(types->payload, {0x60, 0x00, 0x00}, &type_idx));
  std::vector<std::uint8_t> ty;
  leb(ty, type_idx);
  WITC_TRY(funcs->payload, append_item(funcs->payload, ty, &func_pos));
  // Body: sp = (memory.grow 1) * 64 KiB + 64 KiB; allocation_state = 2 (allocated).
  std::vector<std::uint8_t> body = {0x00};  // no locals
  body.insert(body.end(), {0x41, 0x01, 0x40, 0x00});  // i32.const 1; memory.grow 0
  body.insert(body.end(), {0x41, 0x10, 0x74});  // i32.const 16; i32.shl
  body.push_back(0x41);
  sleb(body, page_size);
  body.push_back(0x6a);  // i32.add
  body.push_back(0x24);  // global.set sp
  leb(body, *sp);
  if (state) {
    body.insert(body.end(), {0x41, 0x02, 0x24});
    leb(body, *state);
  }
  body.push_back(0x0b);
  std::vector<std::uint8_t> entry;
  leb(entry, body.size());
  entry.insert(entry.end(), body.begin(), body.end());
  WITC_TRY(code->payload, append_item(code->payload, entry, nullptr));
  // The function's index: imported functions first.
  std::uint32_t imported = 0;
  if (auto imp = find(2); imp != sections.end()) {
    reader r(imp->payload, 0);
    WITC_TRY(std::uint32_t n, r.u32());
    for (std::uint32_t i = 0; i < n; ++i) {
      WITC_TRY(auto m, r.name());
      WITC_TRY(auto f, r.name());
      (void)m;
      (void)f;
      WITC_TRY(std::uint8_t kind, r.u8());
      if (kind == 0) {
        ++imported;
        WITC_TRY(auto t, r.u32());
        (void)t;
      } else if (kind == 1) {
        WITC_TRY(auto et, r.u8());
        (void)et;
        WITC_TRY(std::uint8_t fl, r.u8());
        WITC_TRY(auto mn, r.u32());
        (void)mn;
        if (fl & 1) { WITC_TRY(auto mx, r.u32()); (void)mx; }
      } else if (kind == 2) {
        WITC_TRY(std::uint8_t fl, r.u8());
        WITC_TRY(auto mn, r.u64());
        (void)mn;
        if (fl & 1) { WITC_TRY(auto mx, r.u64()); (void)mx; }
      } else if (kind == 3) {
        WITC_TRY(auto vt, r.u8());
        WITC_TRY(auto mu, r.u8());
        (void)vt;
        (void)mu;
      } else {
        return fail(diagnostic::global(fmt::format("the adapter has an import of unknown kind {:#x}", kind)));
      }
    }
  }
  std::vector<std::uint8_t> start;
  leb(start, imported + func_pos);
  // The start section goes after exports (7) and before elements (9).
  auto at = std::find_if(sections.begin(), sections.end(), [](const raw_section& s) {
    return s.id == 9 || s.id == 12 || s.id == 10 || s.id == 11;
  });
  sections.insert(at, raw_section{8, std::move(start)});
  return join_module(sections);
}

// ---- generated modules -----------------------------------------------------------------

namespace {

std::vector<std::uint8_t> encode_sig(const core_sig& s) {
  std::vector<std::uint8_t> t{0x60};
  leb(t, s.params.size());
  t.insert(t.end(), s.params.begin(), s.params.end());
  leb(t, s.results.size());
  t.insert(t.end(), s.results.begin(), s.results.end());
  return t;
}

void put_section(std::vector<std::uint8_t>& out, std::uint8_t id, const std::vector<std::uint8_t>& body) {
  out.push_back(id);
  leb(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

std::vector<std::uint8_t> type_section(const std::vector<core_sig>& sigs) {
  std::vector<std::uint8_t> body;
  leb(body, sigs.size());
  for (const auto& s : sigs) {
    auto t = encode_sig(s);
    body.insert(body.end(), t.begin(), t.end());
  }
  return body;
}

}  // namespace

std::vector<std::uint8_t> shim_module(const std::vector<core_sig>& sigs) {
  std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
  put_section(out, 1, type_section(sigs));
  std::vector<std::uint8_t> body;
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) leb(body, i);
  put_section(out, 3, body);
  body.clear();
  body.push_back(1);
  body.push_back(0x70);
  body.push_back(0x01);
  leb(body, sigs.size());
  leb(body, sigs.size());
  put_section(out, 4, body);
  body.clear();
  leb(body, sigs.size() + 1);
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    name(body, std::to_string(i));
    body.push_back(0x00);
    leb(body, i);
  }
  name(body, "$imports");
  body.push_back(0x01);
  body.push_back(0x00);
  put_section(out, 7, body);
  body.clear();
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    std::vector<std::uint8_t> f = {0x00};
    for (std::size_t p = 0; p < sigs[i].params.size(); ++p) {
      f.push_back(0x20);
      leb(f, p);
    }
    f.push_back(0x41);
    sleb(f, static_cast<std::int64_t>(i));
    f.push_back(0x11);
    leb(f, i);
    f.push_back(0x00);
    f.push_back(0x0b);
    leb(body, f.size());
    body.insert(body.end(), f.begin(), f.end());
  }
  put_section(out, 10, body);
  return out;
}

std::vector<std::uint8_t> trap_module(const std::vector<core_sig>& sigs) {
  std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
  put_section(out, 1, type_section(sigs));
  std::vector<std::uint8_t> body;
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) leb(body, i);
  put_section(out, 3, body);
  body.clear();
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    name(body, std::to_string(i));
    body.push_back(0x00);
    leb(body, i);
  }
  put_section(out, 7, body);
  body.clear();
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) body.insert(body.end(), {0x03, 0x00, 0x00, 0x0b});
  put_section(out, 10, body);
  return out;
}

result<std::vector<bool>> live_functions(const module& m, const std::vector<std::uint32_t>& roots) {
  std::uint32_t n = m.func_count();
  std::vector<bool> live(n, false);
  std::vector<std::uint32_t> work;
  auto mark = [&](std::uint64_t f) {
    if (f < n && !live[f]) {
      live[f] = true;
      work.push_back(static_cast<std::uint32_t>(f));
    }
  };
  auto scan = [&](std::span<const instr> code) {
    for (const auto& i : code)
      if (i.code == op::ref_func) mark(i.a);
  };
  for (auto r : roots) mark(r);
  if (m.start) mark(*m.start);
  for (const auto& g : m.globals) scan(g.init.code);
  for (const auto& e : m.elements)
    for (const auto& x : e.init) scan(x.code);
  while (!work.empty()) {
    std::uint32_t f = work.back();
    work.pop_back();
    if (f < m.imported_funcs) continue;
    std::uint32_t local = f - m.imported_funcs;
    if (local >= m.codes.size()) continue;
    code_reader cr(m.codes[local].body, m.codes[local].offset);
    while (!cr.at_end()) {
      WITC_TRY(instr i, cr.next());
      if (i.code == op::call || i.code == static_cast<op>(0x12) || i.code == op::ref_func) mark(i.a);
    }
  }
  return live;
}

std::vector<std::uint8_t> fixup_module(const std::vector<core_sig>& sigs) {
  std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
  put_section(out, 1, type_section(sigs));
  std::vector<std::uint8_t> body;
  leb(body, sigs.size() + 1);
  name(body, "");
  name(body, "$imports");
  body.insert(body.end(), {0x01, 0x70, 0x01});
  leb(body, sigs.size());
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    name(body, "");
    name(body, std::to_string(i));
    body.push_back(0x00);
    leb(body, i);
  }
  put_section(out, 2, body);
  body.clear();
  body.push_back(1);     // one segment
  body.push_back(0x00);  // active, table 0, funcref, func indices
  body.insert(body.end(), {0x41, 0x00, 0x0b});
  leb(body, sigs.size());
  for (std::size_t i = 0; i < sigs.size(); ++i) leb(body, i);
  put_section(out, 9, body);
  return out;
}

std::vector<std::uint8_t> init_module() {
  std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
  put_section(out, 1, {0x01, 0x60, 0x00, 0x00});
  std::vector<std::uint8_t> body;
  body.push_back(1);
  name(body, "");
  name(body, "");
  body.insert(body.end(), {0x00, 0x00});
  put_section(out, 2, body);
  put_section(out, 8, {0x00});
  return out;
}

std::vector<std::uint8_t> grow_realloc_module() {
  std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
  put_section(out, 1, type_section({core_sig{{i32, i32, i32, i32}, {i32}}}));
  std::vector<std::uint8_t> body;
  body.push_back(1);
  name(body, "env");
  name(body, "memory");
  body.insert(body.end(), {0x02, 0x00, 0x00});
  put_section(out, 2, body);
  put_section(out, 3, {0x01, 0x00});
  body.clear();
  body.push_back(1);
  name(body, "cabi_realloc");
  body.insert(body.end(), {0x00, 0x00});
  put_section(out, 7, body);
  // Traps unless asked for one fresh page (old pointer and size 0, new size 64 KiB).
  std::vector<std::uint8_t> f = {0x01, 0x01, i32};
  auto trap_unless_zero = [&](std::uint8_t local) {
    f.insert(f.end(), {0x20, local, 0x04, 0x40, 0x00, 0x0b});  // local.get; if; unreachable; end
  };
  trap_unless_zero(0);
  trap_unless_zero(1);
  f.push_back(0x20);
  f.push_back(3);
  f.push_back(0x41);
  sleb(f, page_size);
  f.insert(f.end(), {0x47, 0x04, 0x40, 0x00, 0x0b});  // i32.ne; if; unreachable; end
  f.insert(f.end(), {0x41, 0x01, 0x40, 0x00, 0x22, 0x04});  // memory.grow 1; local.tee 4
  f.insert(f.end(), {0x41, 0x7f, 0x46, 0x04, 0x40, 0x00, 0x0b});  // == -1: unreachable
  f.insert(f.end(), {0x20, 0x04, 0x41, 0x10, 0x74, 0x0b});  // local.get 4; i32.const 16; i32.shl
  body.clear();
  body.push_back(1);
  leb(body, f.size());
  body.insert(body.end(), f.begin(), f.end());
  put_section(out, 10, body);
  return out;
}

}  // namespace witc::binary::component_new_detail
