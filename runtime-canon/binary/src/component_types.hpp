#pragma once
// The validator's resolved types: one arena of type nodes indexed by `tid`, shared by
// every scope of one validation, with resources as unique ids. Types are compared
// structurally; resources by id, through a substitution map while instantiating.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "witc/binary/component_ast.hpp"
#include "witc/support/result.hpp"

namespace witc::binary::component::detail {

using tid = std::uint32_t;
using rid = std::uint32_t;  // a resource's identity

/// A resolved value type: a primitive byte, or a defined value type in the arena.
struct vt {
  bool prim = true;
  std::uint8_t p = 0;
  tid t = 0;
  friend bool operator==(const vt&, const vt&) = default;
};

/// The kinds of entity an import, export or index space holds (the sort bytes).
enum class ek : std::uint8_t { module = 0, func = 1, value = 2, type = 3, component = 4, instance = 5 };

/// What an import/export/index refers to: a type node (or a value type).
struct entity {
  ek kind = ek::func;
  tid t = 0;
  vt v;  // value
};

/// A core extern (for core instance exports and module imports/exports).
struct core_entity {
  core_sort kind = core_sort::func;
  tid t = 0;            // func, tag: a core func type node
  core_valtype val;     // table element, global
  bool mut = false;     // global
  core_limits lim;      // table, memory
};

enum class tk : std::uint8_t {
  defval, func, component, instance, resource, core_func, core_module, core_instance, core_other
};

struct tnode {
  tk kind = tk::defval;
  std::uint8_t code = 0;  // defval: the type byte (primitive bytes too)
  std::vector<std::pair<std::string, vt>> fields;                 // record; func params
  std::vector<std::pair<std::string, std::optional<vt>>> cases;   // variant
  std::vector<vt> types;                                          // tuple
  std::vector<std::string> names;                                 // flags, enum
  std::optional<vt> a, b;  // list/option/stream/future/fixed list elem; result ok/err; map key/value; func result
  std::uint32_t len = 0;   // fixed list
  rid res = 0;             // own/borrow: the resource; resource: its id
  tid ref = 0;             // own/borrow: the type index's node it was written with (names)
  std::uint64_t size = 0;  // defval: canonical ABI element size (64-bit pointers), saturating
  std::uint32_t align = 1;
  std::uint32_t depth = 1; // defval: nesting depth
  std::optional<tid> alias_of;  // a new index for an existing type (an `eq` import or export)
  bool async = false;      // func
  // component (imports and exports) and instance (exports) types
  std::vector<std::pair<std::string, entity>> imports, exports;
  std::vector<rid> imported_res, defined_res;
  // core
  std::vector<core_valtype> params, results;  // core func
  bool any = false;                            // core func whose signature is not tracked
  std::vector<std::pair<std::pair<std::string, std::string>, core_entity>> core_imports;
  std::vector<std::pair<std::string, core_entity>> core_exports;
};

/// A resource's facts.
struct resource_info {
  bool local = false;       // defined by a `resourcetype` in a concrete component
  std::uint32_t scope = 0;  // the scope that defined it
  core_valtype rep;
  std::string name;         // the first name it was imported/exported under
};

/// A validated component's type: the arena and the root component node. The WIT
/// decoder reads a component's (or an encoded WIT package's) interface from this.
struct typed_component {
  std::vector<tnode> arena;
  std::vector<resource_info> resources;
  std::unordered_map<rid, tid> resource_nodes;
  tid root = 0;
};

/// Validates `c` and returns its resolved type. Example:
///   WITC_TRY(typed_component t, type_component(c));
///   for (auto& [name, e] : t.arena[t.root].exports) ...
result<typed_component> type_component(const component& c);

}  // namespace witc::binary::component::detail
