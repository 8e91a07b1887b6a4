#pragma once
// What plan_composition decided, as build() needs it.
#include <map>

#include "model.hpp"
#include "witc/compose/compose.hpp"

namespace witc::compose::detail {

struct parsed {
  std::string name;
  std::string_view bytes;  // the file, as held by the source map
  shape sh;
};

/// One import of the result: the same import name of one or more inputs, its type the
/// union of what they need.
struct group {
  std::string name;
  binary::component::extern_name ename;
  entity e;
};

struct state {
  options opts;
  std::vector<parsed> in;
  arena a;
  compose::plan p;
  diagnostics warnings;
  std::vector<std::string> names;
  std::vector<group> groups;  // in the order they must be imported
  std::map<std::pair<std::size_t, std::string>, std::size_t> group_of;  // (input, import) -> group
  const source_map* sm = nullptr;
};

/// The abstract resources an import introduces.
std::vector<rid> declared_of(const arena& a, const entity& e);

}  // namespace witc::compose::detail
