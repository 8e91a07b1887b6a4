#pragma once
// The composer's own view of component types: one arena of type nodes shared by every
// input of a composition, resources as ids joined in a union-find so that a resource
// imported by one input and exported by another become one. Built from the binary AST
// by extract.cpp; compared by subtype.cpp; written back as types by encode.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "witc/binary/component_ast.hpp"
#include "witc/support/result.hpp"

namespace witc::compose::detail {

using tid = std::uint32_t;
using rid = std::uint32_t;

/// The sort of an import, export or index-space entry (the sort bytes of Binary.md).
enum class ek : std::uint8_t { module = 0, func = 1, value = 2, type = 3, component = 4, instance = 5 };

/// A value type: a primitive byte, or a defined value type node.
struct vt {
  bool prim = true;
  std::uint8_t p = 0;
  tid t = 0;
};

/// What an import, export or index refers to. Modules and values are carried opaquely.
struct entity {
  ek kind = ek::func;
  tid t = 0;
};

enum class tk : std::uint8_t { defval, func, instance, component, resource, opaque };

struct tnode {
  tk kind = tk::defval;
  std::uint8_t code = 0;  // defval: the type byte
  std::vector<std::pair<std::string, vt>> fields;                // record; func params
  std::vector<std::pair<std::string, std::optional<vt>>> cases;  // variant
  std::vector<vt> types;                                         // tuple
  std::vector<std::string> names;                                // flags, enum
  std::optional<vt> a, b;  // element, ok/err, key/value; func result
  std::uint32_t len = 0;   // fixed list
  rid res = 0;             // own/borrow/resource
  bool async = false;
  std::vector<std::pair<std::string, entity>> imports, exports;  // component, instance
  std::vector<rid> declared;  // instance/component types: abstract resources they introduce
  std::string name;           // a name the type was exported under, for messages
};

struct resource_info {
  std::string name;
  int input = -1;  // which input defined or imported it
};

/// The arena of one composition.
class arena {
 public:
  tid add(tnode n) {
    nodes_.push_back(std::move(n));
    return static_cast<tid>(nodes_.size() - 1);
  }
  [[nodiscard]] const tnode& node(tid t) const { return nodes_[t]; }
  tnode& node(tid t) { return nodes_[t]; }
  rid fresh(std::string name, int input) {
    res_.push_back({std::move(name), input});
    parent_.push_back(static_cast<rid>(parent_.size()));
    return static_cast<rid>(res_.size() - 1);
  }
  [[nodiscard]] const resource_info& resource(rid r) const { return res_[r]; }
  void name_resource(rid r, const std::string& name) {
    if (res_[r].name.empty()) res_[r].name = name;
  }
  /// The representative of `r`'s class.
  rid find(rid r) const {
    while (parent_[r] != r) r = parent_[r];
    return r;
  }
  /// Makes `from`'s class part of `to`'s.
  void join(rid from, rid to) {
    from = find(from);
    to = find(to);
    if (from != to) parent_[from] = to;
  }
  /// A resource node for `r` (one per resource, so equal resources share a tid).
  tid resource_node(rid r) {
    while (res_node_.size() <= r) res_node_.push_back(UINT32_MAX);
    if (res_node_[r] == UINT32_MAX) {
      tnode n;
      n.kind = tk::resource;
      n.res = r;
      n.name = res_[r].name;
      res_node_[r] = add(std::move(n));
    }
    return res_node_[r];
  }
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }
  /// Records that `t` is the same named type as `as` (two inputs importing one interface),
  /// so encoding refers to one definition.
  void same_type(tid t, tid as) { same_[t] = as; }
  [[nodiscard]] tid canonical(tid t) const {
    for (int i = 0; i < 64; ++i) {
      auto it = same_.find(t);
      if (it == same_.end()) break;
      t = it->second;
    }
    return t;
  }

 private:
  std::vector<tnode> nodes_;
  std::vector<resource_info> res_;
  std::vector<rid> parent_;
  std::vector<tid> res_node_;
  std::unordered_map<tid, tid> same_;
};

/// One top-level import or export of an input, as the composer sees it.
struct item {
  std::string name;
  binary::component::extern_name ename;  // the name as written, with its form and attributes
  entity e;
  std::uint32_t offset = 0;  // global byte offset of the import/export, for diagnostics
};

/// An input's outer shape: its imports and exports in order.
struct shape {
  std::vector<item> imports, exports;
};

/// Reads the imports and exports of a component, with their types, into `a`.
/// `input` tags the resources it creates; `file` names the input in messages.
result<shape> extract(const binary::component::component& c, arena& a, int input, const std::string& file);

/// Replaces resources through `m` (old -> new) in the type `t`, sharing unchanged nodes.
tid substitute(arena& a, tid t, const std::vector<std::pair<rid, rid>>& m);

/// The first difference a subtype check found: the item (an export name, "" for the
/// entity itself), what was expected and what was found there, printed as WIT, and why.
struct difference {
  std::string item;
  std::string expected, found;  // `name: func(...)`; `found` empty when the item is missing
  std::string why;
};

/// Subtype check: `actual` may be used where `expected` is wanted. Resources listed in
/// `bindable` (abstract ones of the expected side) are joined to the actual side's on the
/// way. Returns nothing when it fits, else the first difference.
std::optional<difference> mismatch(arena& a, const entity& actual, const entity& expected,
                                   const std::vector<rid>& bindable);

/// WIT-like text of a value type / an entity (`func(key: string) -> option<list<u8>>`).
std::string print_vt(const arena& a, const vt& v, int depth = 0);
std::string print_entity(const arena& a, const entity& e, int depth = 0);

/// Every resource class that `t` refers to, in first-use order.
void collect_resources(const arena& a, const entity& e, std::vector<rid>& out);

}  // namespace witc::compose::detail
