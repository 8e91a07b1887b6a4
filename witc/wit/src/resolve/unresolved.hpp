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
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <vector>


#include "witc/support/ordered_map.hpp"
#include "witc/support/result.hpp"
#include "witc/wit/ast.hpp"
#include "witc/wit/resolve.hpp"

namespace witc::wit::detail {

/// A queue of `T` in 64 KiB blocks. Phase 2 pops a package's types from the front
/// while the graph's own arena (chunked_vector) grows; each emptied block goes back
/// to malloc at once, where the arena's next chunks reuse it, so the two never
/// both hold the whole package. (Dropping the block's pages with madvise as well
/// saved 0.1x the input at the peak but cost 5 % of the resolve time in page faults.)
/// Example: `block_queue<int> q; q.push_back(1); q.front() == 1; q.pop_front();`
template <class T>
class block_queue {
 public:
  static constexpr std::size_t block_bytes = std::size_t{1} << 16;
  static constexpr std::size_t per_block = block_bytes / sizeof(T);
  static_assert(per_block > 0 && alignof(T) <= 16);

  block_queue() = default;
  block_queue(const block_queue&) = delete;
  block_queue& operator=(const block_queue&) = delete;
  block_queue(block_queue&& o) noexcept : blocks_(std::move(o.blocks_)), first_(o.first_), last_(o.last_) {
    o.blocks_.clear();
    o.first_ = o.last_ = 0;
  }
  block_queue& operator=(block_queue&& o) noexcept {
    if (this != &o) {
      clear();
      blocks_ = std::move(o.blocks_);
      first_ = o.first_;
      last_ = o.last_;
      o.blocks_.clear();
      o.first_ = o.last_ = 0;
    }
    return *this;
  }
  ~block_queue() { clear(); }

  [[nodiscard]] std::size_t size() const noexcept { return last_ - first_; }
  [[nodiscard]] bool empty() const noexcept { return last_ == first_; }
  T& operator[](std::size_t i) noexcept { return *slot(first_ + i); }
  const T& operator[](std::size_t i) const noexcept { return *slot(first_ + i); }
  T& front() noexcept { return *slot(first_); }

  void push_back(T&& v) {
    if (last_ / per_block == blocks_.size()) blocks_.push_back(allocate());
    ::new (static_cast<void*>(slot(last_))) T(std::move(v));
    ++last_;
  }
  void pop_front() noexcept {
    slot(first_)->~T();
    ++first_;
    if (first_ % per_block == 0) release(first_ / per_block - 1);
  }
  void clear() noexcept {
    while (first_ < last_) pop_front();
    for (std::size_t b = 0; b < blocks_.size(); ++b) release(b);
    blocks_.clear();
    first_ = last_ = 0;
  }

 private:
  T* slot(std::size_t i) const noexcept { return static_cast<T*>(blocks_[i / per_block]) + i % per_block; }
  static void* allocate() { return ::operator new(block_bytes); }
  void release(std::size_t b) noexcept {
    ::operator delete(blocks_[b]);
    blocks_[b] = nullptr;
  }

  std::vector<void*> blocks_;
  std::size_t first_ = 0;  // absolute index of the front element
  std::size_t last_ = 0;   // one past the back
};

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

// Arenas grow without copying, and phase 2 frees them as it goes.
struct unresolved_package {
  package_name name;
  witc::span name_span;
  wit::docs docs;
  block_queue<type_def> types;
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
