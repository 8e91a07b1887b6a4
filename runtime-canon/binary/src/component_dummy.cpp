// `component embed`'s helpers: appending the world's type to a core module, and a
// dummy core module whose imports and exports follow the canonical ABI naming and
// flattening for a world (as wit-component's `dummy_module`).
#include <fmt/format.h>

#include "component_new_detail.hpp"
#include "witc/binary/component_wit.hpp"

namespace witc::binary {
namespace {

using component_new_detail::i32;

void leb(std::vector<std::uint8_t>& out, std::uint64_t v) {
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
}
void name(std::vector<std::uint8_t>& out, std::string_view s) {
  leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}
void section(std::vector<std::uint8_t>& out, std::uint8_t id, const std::vector<std::uint8_t>& body) {
  out.push_back(id);
  leb(out, body.size());
  out.insert(out.end(), body.begin(), body.end());
}

// The core signature of `f` lowered (an import) or lifted (an export): the same
// canonical ABI facts `component new` uses.
std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>> sig(const wit::resolve& r, const wit::function& f,
                                                                  bool import) {
  auto a = component_new_detail::function_abi(r, f, !import);
  return {std::move(a.sig.params), std::move(a.sig.results)};
}

struct module_builder {
  std::vector<std::vector<std::uint8_t>> types;  // encoded func types, deduplicated
  std::vector<std::uint8_t> imports, funcs, exports, code;
  std::uint32_t n_imports = 0, n_funcs = 0, n_exports = 0;

  std::uint32_t type(const std::vector<std::uint8_t>& params, const std::vector<std::uint8_t>& results) {
    std::vector<std::uint8_t> t{0x60};
    leb(t, params.size());
    t.insert(t.end(), params.begin(), params.end());
    leb(t, results.size());
    t.insert(t.end(), results.begin(), results.end());
    for (std::size_t i = 0; i < types.size(); ++i)
      if (types[i] == t) return static_cast<std::uint32_t>(i);
    types.push_back(std::move(t));
    return static_cast<std::uint32_t>(types.size() - 1);
  }
  void import_func(std::string_view module, std::string_view field, std::uint32_t ty) {
    name(imports, module);
    name(imports, field);
    imports.push_back(0x00);
    leb(imports, ty);
    ++n_imports;
  }
  // A defined function with an `unreachable` body, exported as `export_name`.
  void export_func(std::string_view export_name, std::uint32_t ty) {
    leb(funcs, ty);
    std::uint32_t index = n_imports + n_funcs++;
    name(exports, export_name);
    exports.push_back(0x00);
    leb(exports, index);
    ++n_exports;
    code.insert(code.end(), {0x03, 0x00, 0x00, 0x0b});  // size 3: no locals, unreachable, end
  }
  std::vector<std::uint8_t> finish() {
    std::vector<std::uint8_t> out = {0, 'a', 's', 'm', 1, 0, 0, 0};
    std::vector<std::uint8_t> body;
    leb(body, types.size());
    for (const auto& t : types) body.insert(body.end(), t.begin(), t.end());
    section(out, 1, body);
    body.clear();
    leb(body, n_imports);
    body.insert(body.end(), imports.begin(), imports.end());
    section(out, 2, body);
    body.clear();
    leb(body, n_funcs);
    body.insert(body.end(), funcs.begin(), funcs.end());
    section(out, 3, body);
    section(out, 5, {0x01, 0x00, 0x00});  // one memory, min 0 pages
    body.clear();
    leb(body, n_exports + 1);
    body.insert(body.end(), exports.begin(), exports.end());
    name(body, "memory");
    body.push_back(0x02);
    leb(body, 0);
    section(out, 7, body);
    body.clear();
    leb(body, n_funcs);
    body.insert(body.end(), code.begin(), code.end());
    section(out, 10, body);
    return out;
  }
};

std::string key_name(const wit::resolve& r, const wit::world_key& k) {
  if (!k.is_interface) return k.name;
  const auto& in = r[k.iface];
  const auto& n = r[*in.package].name;
  return n.ns + ":" + n.name + "/" + in.name.value_or("") + (n.version ? "@" + *n.version : "");
}

bool has_post_return(const std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>& s,
                     const wit::function& f) {
  (void)f;
  return !s.second.empty();
}

}  // namespace

result<std::vector<std::uint8_t>> embed_world(std::span<const std::uint8_t> core, const wit::resolve& r,
                                              wit::world_id w, string_encoding enc) {
  if (core.size() < 8 || core[0] != 0 || core[1] != 'a' || core[2] != 's' || core[3] != 'm' || core[4] != 1)
    return fail(diagnostic::global("the input is not a core WebAssembly module"));
  WITC_TRY(std::vector<std::uint8_t> payload, encode_world(r, w, enc));
  std::vector<std::uint8_t> out(core.begin(), core.end());
  std::vector<std::uint8_t> body;
  name(body, world_section_name(r, w));
  body.insert(body.end(), payload.begin(), payload.end());
  section(out, 0, body);
  return out;
}

result<std::vector<std::uint8_t>> dummy_module(const wit::resolve& r, wit::world_id w) {
  module_builder m;
  const auto& world = r[w];
  // Every import first: defined functions are numbered after them.
  for (const auto& [k, item] : world.imports) {
    std::string module = key_name(r, k);
    if (item.kind == wit::world_item::kind::function) {
      auto s = sig(r, item.func, true);
      m.import_func("$root", item.func.name, m.type(s.first, s.second));
    } else if (item.kind == wit::world_item::kind::interface) {
      for (const auto& [fname, f] : r[item.iface].functions) {
        auto s = sig(r, f, true);
        m.import_func(module, fname, m.type(s.first, s.second));
      }
      for (const auto& [tname, t] : r[item.iface].types)
        if (std::holds_alternative<wit::resource>(r[t].kind))
          m.import_func(module, "[resource-drop]" + tname, m.type({i32}, {}));
    } else if (std::holds_alternative<wit::resource>(r[item.type].kind)) {
      m.import_func("$root", "[resource-drop]" + k.name, m.type({i32}, {}));
    }
  }
  std::vector<std::string> dtors;
  for (const auto& [k, item] : world.exports) {
    if (item.kind != wit::world_item::kind::interface) continue;
    std::string prefix = key_name(r, k);
    for (const auto& [tname, t] : r[item.iface].types)
      if (std::holds_alternative<wit::resource>(r[t].kind)) {
        std::string module = "[export]" + prefix;
        m.import_func(module, "[resource-drop]" + tname, m.type({i32}, {}));
        m.import_func(module, "[resource-new]" + tname, m.type({i32}, {i32}));
        m.import_func(module, "[resource-rep]" + tname, m.type({i32}, {i32}));
        dtors.push_back(prefix + "#[dtor]" + tname);
      }
  }
  for (const auto& [k, item] : world.exports) {
    std::string prefix = key_name(r, k);
    auto add = [&](const std::string& export_name, const wit::function& f) {
      auto s = sig(r, f, false);
      m.export_func(export_name, m.type(s.first, s.second));
      if (has_post_return(s, f)) m.export_func("cabi_post_" + export_name, m.type(s.second, {}));
    };
    if (item.kind == wit::world_item::kind::function) {
      add(item.func.name, item.func);
    } else if (item.kind == wit::world_item::kind::interface) {
      for (const auto& [fname, f] : r[item.iface].functions) add(prefix + "#" + fname, f);
    }
  }
  for (const auto& d : dtors) m.export_func(d, m.type({i32}, {}));
  m.export_func("cabi_realloc", m.type({i32, i32, i32, i32}, {i32}));
  return m.finish();
}

}  // namespace witc::binary
