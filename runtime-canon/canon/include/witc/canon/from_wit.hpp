#pragma once
// Canonical ABI types for the WIT graph: bindgen and the component encoder ask
// layout questions about `wit::type`s through this table.
#include <vector>

#include "witc/canon/types.hpp"
#include "witc/support/result.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::canon {

/// Converts `wit::type`s of one `resolve` to `type_ref`s, once per type definition.
/// Aliases are followed; own/borrow handles name their resource by the `type_id`
/// index of the resource's definition (aliases of it resolved).
/// Example:
///   wit_types types(r);
///   WITC_TRY(type_ref t, types.get(field.ty));
///   auto size = elem_size(*t);
class wit_types {
 public:
  explicit wit_types(const wit::resolve& r) : r_(&r), cache_(r.types.size()) {}
  /// The canonical type of `t`; an error for resources used by value, unknown types
  /// and alias cycles.
  [[nodiscard]] witc::result<type_ref> get(wit::type t);
  /// The resource definition a handle or alias of one ends at.
  [[nodiscard]] wit::type_id resource_of(wit::type_id id) const;
  /// A function's parameter and result types.
  [[nodiscard]] witc::result<functype> get(const wit::function& f);

 private:
  witc::result<type_ref> convert(wit::type_id id, unsigned depth);
  const wit::resolve* r_;
  std::vector<type_ref> cache_;
};

/// The canonical type of a primitive. Example: `of(wit::primitive::u8) == u8()`.
[[nodiscard]] type_ref of(wit::primitive p);

}  // namespace witc::canon
