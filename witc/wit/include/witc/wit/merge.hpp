#pragma once
// Merging one resolved graph into another, as wit-parser's `Resolve::merge`: how
// decoded binary WIT packages join the packages read from text.
#include <vector>

#include "witc/wit/resolve.hpp"

namespace witc::wit {

/// Where each item of the merged-in graph ended up: `types[i]` is the id in the
/// target of type `i` of the source, and so on for every arena.
struct merge_map {
  std::vector<package_id> packages;
  std::vector<interface_id> interfaces;
  std::vector<world_id> worlds;
  std::vector<type_id> types;
};

/// Adds every package of `from` to `into`, remapping ids. A package already in
/// `into` (same name and version) is unified with it: its interfaces, worlds and
/// named types are matched by name (a type `from` names must be present), and the
/// interfaces or worlds only `from` has are added to it.
/// Example:
///   WITC_TRY(merge_map m, merge(r, std::move(decoded)));
///   package_id p = m.packages[0];
[[nodiscard]] result<merge_map> merge(resolve& into, resolve from);

}  // namespace witc::wit
