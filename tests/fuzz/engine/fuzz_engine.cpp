// libFuzzer target: decode + validate + compile + instantiate + run every exported
// function, under small limits (fuel, memory, call depth) so that no input can hang.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "witc/binary/core_validate.hpp"
#include "witc/engine/engine.hpp"

using namespace witc;
using namespace witc::engine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = binary::decode_module(std::span(data, size));
  if (!m) return 0;
  if (!binary::validate_module(**m)) return 0;
  // Both bounds-checking modes: guard pages (the default) for even sizes, explicit checks
  // for odd ones.
  static const witc::engine::engine guarded;
  static const witc::engine::engine checked(engine_options{.guard_pages = false});
  const witc::engine::engine& eng = size % 2 == 0 ? guarded : checked;
  auto cm = eng.compile(*m);
  if (!cm) return 0;

  limits lim;
  lim.fuel = 200000;
  lim.max_memory_pages = 256;
  lim.max_table_elements = 100000;
  lim.max_call_depth = 1000;
  lim.value_stack_slots = 1u << 18;
  store st(eng, lim);
  // Satisfy every import with a fresh object of the requested type.
  std::vector<extern_val> imports;
  const binary::module& mod = **m;
  for (auto& im : mod.imports) {
    switch (im.kind) {
      case binary::extern_kind::func: {
        const func_type& ft = mod.types[im.func_type];
        std::size_t nr = ft.results.size();
        auto* f = st.host_func(ft, im.name, [nr](caller&, std::span<std::uint64_t> io) -> std::optional<trap> {
          for (std::size_t i = 0; i < nr && i < io.size(); ++i) io[i] = 0;
          return std::nullopt;
        });
        imports.push_back({binary::extern_kind::func, f});
        break;
      }
      case binary::extern_kind::table: {
        auto* t = st.new_table(im.table);
        if (!t) return 0;
        imports.push_back({binary::extern_kind::table, t});
        break;
      }
      case binary::extern_kind::memory: {
        auto* mem = st.new_memory(im.memory);
        if (!mem) return 0;
        imports.push_back({binary::extern_kind::memory, mem});
        break;
      }
      case binary::extern_kind::global:
        imports.push_back({binary::extern_kind::global, st.new_global(im.global, 0)});
        break;
    }
  }
  auto inst = st.instantiate(*cm, imports);
  if (!inst) return 0;
  for (auto& e : mod.exports) {
    if (e.kind != binary::extern_kind::func) continue;
    func_inst* f = (*inst)->export_func(e.name);
    std::vector<value> args;
    for (auto t : f->type->params) args.push_back(value{t, 0});
    (void)st.call(f, args);
  }
  return 0;
}
