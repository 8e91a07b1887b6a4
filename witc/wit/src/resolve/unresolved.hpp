#pragma once
// The two halves of resolution, as wit-parser splits them:
//  1. `package_builder` turns the AST files of ONE package into an
//     `unresolved_package`: names resolved within the package, arenas of its own,
//     references to other packages left as placeholders (`foreign_deps`).
//  2. `append_package` moves an `unresolved_package` into the shared `resolve`,
//     binding placeholders to packages already there, dropping feature-gated items,
//     copying `include`d worlds and elaborating every world.
// The allocation order of both halves decides every id in the output, so it follows
// wit-parser step by step.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "witc/support/ordered_map.hpp"
#include "witc/support/result.hpp"
#include "witc/wit/ast.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::wit::detail {

/// An interface or a world of the package being built.
struct ast_item {
  bool is_world = false;
  std::uint32_t index = 0;
  friend bool operator==(const ast_item&, const ast_item&) = default;
};

struct include_name {
  std::string name;
  std::string as;
};

/// `include w with { a as b }`, kept until the world is appended.
struct world_include {
  wit::stability stability;
  world_id id{};
  std::vector<include_name> names;
  witc::span span;
};

struct foreign_item {
  ast_item item;
  std::vector<wit::stability> stabilities;  // one per `use` naming it
};

/// Everything this package names from another package `name`.
struct foreign_package {
  package_name name;
  ordered_map<std::string, foreign_item> items;
  witc::span span;  // the first mention, for "package not found"
};

// Arenas are deques: they grow without copying, and phase 2 frees them as it goes.
struct unresolved_package {
  package_name name;
  witc::span name_span;
  wit::docs docs;
  std::deque<type_def> types;
  std::deque<wit::interface> interfaces;
  std::deque<wit::world> worlds;
  std::deque<std::vector<world_include>> includes;  // parallel to `worlds`
  std::vector<foreign_package> foreign_deps;
  std::vector<witc::span> unknown_type_spans;  // parallel to the leading `unknown` types
  std::vector<std::pair<type_id, witc::span>> required_resource_types;
};

/// Builds one package from its files' top-level items (phase 1).
/// Example:
///   package_builder b; WITC_CHECK(b.push_file(f)); WITC_TRY(auto pkg, b.finish());
class package_builder {
 public:
  package_builder();
  ~package_builder();
  package_builder(const package_builder&) = delete;
  package_builder& operator=(const package_builder&) = delete;

  /// Adds a file of the main package; its nested `package x:y { }` blocks must be
  /// built separately with `push_nested`. `finish` empties the body of each
  /// interface it resolves (to free memory early); the rest of `f` is kept.
  [[nodiscard]] result<void> push_file(ast::file& f);
  /// Makes this builder the one for a nested package block.
  [[nodiscard]] result<void> push_nested(ast::nested_package& p);
  [[nodiscard]] result<unresolved_package> finish();

 private:
  struct impl;
  std::unique_ptr<impl> p_;
};

/// Phase 2: adds `pkg` to `r`. Every package it names must already be in `r`.
[[nodiscard]] result<package_id> append_package(resolve& r, unresolved_package pkg);

/// Converts doc comments as written into wit-parser's joined text.
[[nodiscard]] wit::docs convert_docs(const ast::docs& d);

}  // namespace witc::wit::detail
