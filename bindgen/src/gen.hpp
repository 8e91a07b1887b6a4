#pragma once
// The C++ generator's shared state: names, type spelling, ABI code emission.
#include <fmt/format.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "witc/bindgen/cpp.hpp"
#include "witc/canon/canon.hpp"

namespace witc::bindgen::detail {

/// Which side of the world a piece of code is for.
enum class side { import, export_ };

/// How lowering treats memory the value owns.
enum class lower_mode {
  borrow,    // import parameters: point into the caller's objects, free temporaries after
  transfer,  // export results: hand the buffers over; post-return frees them
};

/// A flat (core) value expression and its core type.
struct flat {
  std::string expr;
  canon::core_type type;
};

/// Everything the generator knows about the world being generated.
class world_gen {
 public:
  world_gen(const wit::resolve& r, wit::world_id w);

  const wit::resolve& r;
  const wit::world& world;
  canon::wit_types types;
  diagnostics errors;

  // ---- names (names.cpp) ----
  /// C++ namespace of an interface on one side, e.g. `exports::wasi::cli::run`.
  [[nodiscard]] std::string iface_ns(wit::interface_id id, side s) const;
  /// C++ namespace of world-level items.
  [[nodiscard]] std::string world_ns(side s) const;
  /// The namespace a named type is declared in, seen from `s`.
  [[nodiscard]] std::string type_ns(const wit::type_def& d, side s) const;
  /// Which side a named type owned by an interface lives on, seen from `s`.
  [[nodiscard]] side owner_side(const wit::type_def& d, side s) const;
  /// The wasm import module of an interface (`ns:pkg/iface@1.0.0`, or its world key).
  [[nodiscard]] std::string module_name(std::optional<wit::interface_id> id) const;
  /// A C identifier for glue symbols, from any text.
  [[nodiscard]] static std::string c_ident(std::string_view s);
  void note_interface_key(wit::interface_id id, const std::string& key_name);
  std::set<std::uint32_t> exported_ifaces;

  // ---- types (cpp_types.cpp) ----
  /// The C++ type of a WIT type as a value (fields, results, owned parameters).
  [[nodiscard]] std::string value_type(wit::type t, side s);
  /// The C++ parameter type of a top-level parameter.
  [[nodiscard]] std::string param_type(wit::type t, side s);
  /// A named type's name, qualified unless it is in `current_ns`.
  [[nodiscard]] std::string named_type(wit::type_id id, side s);
  /// The resource a handle type names, and whether it is an exported one.
  [[nodiscard]] bool resource_is_exported(wit::type_id resource, side s) const;
  /// Follows aliases to the definition.
  [[nodiscard]] const wit::type_def* def_of(wit::type t) const;
  /// Follows `type a = b` aliases to the aliased type (a primitive or a definition).
  [[nodiscard]] wit::type follow(wit::type t) const;
  [[nodiscard]] wit::type_id resolve_alias(wit::type_id id) const;
  [[nodiscard]] canon::type_ref canon_of(wit::type t);
  /// A list whose elements the guest can use in place: same bytes in C++ as in the ABI.
  [[nodiscard]] bool abi_identical(wit::type t) const;
  [[nodiscard]] bool contains_own(wit::type t) const;
  [[nodiscard]] bool contains_handle(wit::type t) const;
  /// Whether lowered values of `t` own heap memory (strings, lists).
  [[nodiscard]] bool owns_memory(wit::type t) const;
  /// Unsupported constructs (async values, error contexts) reachable from `t`.
  [[nodiscard]] std::optional<std::string> unsupported(wit::type t) const;
  /// Names used as fields / parameters / cases anywhere: type names equal to one of
  /// them are written qualified, so a member cannot shadow its own type.
  std::set<std::string> value_names;
  std::string current_ns;
  /// `use` aliases by namespace: within `ns`, the type `id` can be written `name`.
  std::map<std::string, std::map<std::uint32_t, std::string>> local_aliases;
  /// Whether `named_type` may write a type by its local alias (only once every
  /// alias is declared: function declarations and glue).
  bool prefer_aliases = false;

 private:
  std::map<std::uint32_t, std::string> key_names_;
  std::set<std::string> versioned_packages_;
};

/// Emits ABI glue statements into a buffer, with fresh temporaries.
class abi_emitter {
 public:
  abi_emitter(world_gen& g, side s) : g_(g), side_(s) {}

  /// Appends the flat values of `e` (type `t`) to `out`, emitting statements to `code`.
  void lower_flat(const std::string& e, wit::type t, lower_mode m, std::string& code,
                  std::vector<flat>& out);
  /// Stores `e` at `base + off`.
  void store(const std::string& e, wit::type t, const std::string& base, std::uint64_t off,
             lower_mode m, std::string& code);
  /// An expression lifting `t` from the flat values at `pos`; statements go to `code`.
  std::string lift_flat(const std::vector<flat>& in, std::size_t& pos, wit::type t, std::string& code);
  /// An expression loading `t` from `base + off`.
  std::string load(const std::string& base, std::uint64_t off, wit::type t, std::string& code);
  /// An option, result or variant `vt` lifted by a switch on `disc` into `v`; returns the expression for it.
  std::string lift_cases(const std::string& v, const std::string& vt, const std::string& disc, std::size_t n,
                         std::string& code, const std::function<std::string(std::size_t, std::string&)>& make);
  /// Statements freeing what a stored `t` at `base + off` owns (post-return).
  void free_stored(const std::string& base, std::uint64_t off, wit::type t, std::string& code);

  std::string tmp(std::string_view stem = "t") { return fmt::format("{}{}", stem, next_++); }
  /// Whether a temporary allocation list (`cleanup`) was used.
  bool used_cleanup = false;
  /// Indentation of emitted statements.
  std::string indent = "  ";

 private:
  std::string coerce_to(const std::string& e, canon::core_type have, canon::core_type want);
  std::string coerce_from(const std::string& e, canon::core_type have, canon::core_type want);
  void line(std::string& code, const std::string& s) { code += indent + s + "\n"; }
  world_gen& g_;
  side side_;
  int next_ = 0;
};

/// `std::uint8_t`, `std::int32_t`, ... for a core type.
std::string_view core_cpp(canon::core_type t);
/// The C++ storage type of a primitive in memory (`std::uint8_t` for bool, ...).
std::string_view mem_cpp(wit::primitive p);
std::string_view prim_cpp(wit::primitive p);
std::string comment_docs(const wit::docs& d, const std::string& indent);

}  // namespace witc::bindgen::detail
