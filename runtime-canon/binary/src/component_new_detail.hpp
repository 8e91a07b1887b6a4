#pragma once
// Internals of `component new` shared by its two files: canonical ABI facts about
// WIT functions, and the small core modules (shim, fixup, init) and core-module
// edits it needs.
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "witc/binary/component_ast.hpp"
#include "witc/binary/core_module.hpp"
#include "witc/support/result.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::binary::component_new_detail {

constexpr std::uint8_t i32 = 0x7f, i64 = 0x7e, f32 = 0x7d, f64 = 0x7c;

/// A core function type as value-type bytes.
struct core_sig {
  std::vector<std::uint8_t> params, results;
  friend bool operator==(const core_sig&, const core_sig&) = default;
};
[[nodiscard]] std::string to_string(const core_sig& s);

/// What the canonical ABI needs to lift (`lift == true`) or lower a function.
struct abi {
  core_sig sig;
  bool memory = false;   // pointers cross the boundary
  bool realloc = false;  // the callee side allocates in the guest
  bool strings = false;  // a string appears (string-encoding option)
  bool post_return_possible = false;  // results go through memory
};
[[nodiscard]] abi function_abi(const wit::resolve& r, const wit::function& f, bool lift);

// ---- worlds ----------------------------------------------------------------------------

/// Instance type `it` cut down to the functions in `funcs`, the types in `types` and
/// what they refer to, indices renumbered. Example: `trim_instance(it, {"write"}, {"error"})`.
[[nodiscard]] component::componenttype trim_instance(const component::componenttype& it,
                                                     const std::set<std::string>& funcs,
                                                     const std::set<std::string>& types);

/// Which of the first `split` decls of world type `ct` the instance imports named in
/// `uses` (interface -> functions and `[resource-drop]` names used) need, with the types
/// they alias from other instances; their instance types are trimmed in place.
[[nodiscard]] std::vector<bool> needed_decls(component::componenttype& ct, std::size_t split,
                                             const std::map<std::string, std::set<std::string>>& uses);

// ---- core module bytes -----------------------------------------------------------------

void leb(std::vector<std::uint8_t>& out, std::uint64_t v);
void sleb(std::vector<std::uint8_t>& out, std::int64_t v);
void name(std::vector<std::uint8_t>& out, std::string_view s);

/// One section of a core module: id and payload.
struct raw_section {
  std::uint8_t id = 0;
  std::vector<std::uint8_t> payload;
  [[nodiscard]] std::string custom_name() const;  // id 0 only
};
[[nodiscard]] result<std::vector<raw_section>> split_module(std::span<const std::uint8_t> bytes,
                                                            std::uint32_t base);
[[nodiscard]] std::vector<std::uint8_t> join_module(const std::vector<raw_section>& sections);

/// `bytes` without its custom sections whose names start with `prefix`.
[[nodiscard]] result<std::vector<std::uint8_t>> strip_custom(std::span<const std::uint8_t> bytes,
                                                             std::string_view prefix, std::uint32_t base);

/// An adapter made ready: when it keeps its stack pointer in global `sp` (found by
/// name, `__stack_pointer`), a start function gives it one page of stack from
/// `memory.grow` (what wit-component does when it cannot use the main module's
/// realloc) and marks `allocation_state` allocated.
[[nodiscard]] result<std::vector<std::uint8_t>> prepare_adapter(std::span<const std::uint8_t> bytes,
                                                                std::uint32_t base);

/// The functions of `m` reachable from `roots` through `call`, `return_call` and
/// `ref.func` (in code, globals and element segments): wit-component's adapter gc,
/// used to import only the WASI interfaces an adapter needs for what the module uses.
[[nodiscard]] result<std::vector<bool>> live_functions(const module& m, const std::vector<std::uint32_t>& roots);

/// A module of functions "0", "1", ... with the given types that trap: stand-ins for an
/// adapter's imports that nothing live reaches.
[[nodiscard]] std::vector<std::uint8_t> trap_module(const std::vector<core_sig>& sigs);

/// The shim: a table `$imports` of `sigs.size()` funcrefs and functions "0", "1", ...
/// that `call_indirect` through it.
[[nodiscard]] std::vector<std::uint8_t> shim_module(const std::vector<core_sig>& sigs);
/// The fixup: imports the table and the functions "0", "1", ... and fills the table.
[[nodiscard]] std::vector<std::uint8_t> fixup_module(const std::vector<core_sig>& sigs);
/// `(module (import "" "" (func)) (start 0))`: calls `_initialize` once instantiated.
[[nodiscard]] std::vector<std::uint8_t> init_module();
/// A `cabi_realloc` over `env.memory` that hands out fresh pages only (wit-component's
/// `realloc_via_memory_grow`), for adapters when the main module exports none.
[[nodiscard]] std::vector<std::uint8_t> grow_realloc_module();

}  // namespace witc::binary::component_new_detail
