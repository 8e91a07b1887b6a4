#pragma once
// Where a parsed file's AST lives. `ast::parse` allocates every node of a file from
// an arena of 64 KiB chunks; a chunk is freed as soon as the nodes in it are gone.
// The resolver frees each interface's body once it is resolved, so a large
// package's tree is returned in whole chunks while its graph grows, and the graph
// fills them, instead of leaving small malloc holes it cannot fill (the difference
// between a peak of 11.4x and 9.75x the input on a 3.7 MB package).
//
// Outside a parse (AST built by hand, copied, or grown later) nodes come from
// operator new. Every block says where it came from, so containers of both kinds
// mix freely and a block may outlive its file's arena.
#include <cstddef>
#include <vector>

namespace witc::wit::ast {

namespace detail {

/// Memory for `bytes` bytes of AST nodes (16-byte aligned), from the arena of the
/// parse running on this thread, else from operator new.
[[nodiscard]] void* allocate(std::size_t bytes);
/// Returns a block from `allocate`.
void deallocate(void* p) noexcept;

class arena;

/// Ownership of an arena: the arena lives until its handle and every block in
/// it are gone (blocks may outlive the handle). An AST is freed by one thread at
/// a time, as any container.
/// Example: `arena_handle a, b; { parse_scope s(a, b); /* parse */ }`
class arena_handle {
 public:
  arena_handle() noexcept = default;
  arena_handle(const arena_handle&) = delete;
  arena_handle& operator=(const arena_handle&) = delete;
  arena_handle(arena_handle&& o) noexcept : a_(o.a_) { o.a_ = nullptr; }
  arena_handle& operator=(arena_handle&& o) noexcept;
  ~arena_handle();

 private:
  friend class parse_scope;
  arena* a_ = nullptr;
};

/// While alive, this thread's AST allocations come from a new arena owned by
/// `main`; `side_scope` diverts them to a second one owned by `side`, for nodes
/// freed much later than their neighbours (a world's body outlives the bodies of
/// the interfaces around it and would keep their chunks mapped).
class parse_scope {
 public:
  parse_scope(arena_handle& main, arena_handle& side);
  parse_scope(const parse_scope&) = delete;
  parse_scope& operator=(const parse_scope&) = delete;
  ~parse_scope();
  [[nodiscard]] arena* side() const noexcept { return side_; }

 private:
  arena* prev_;
  arena* main_;
  arena* side_;
};

/// While alive, allocations come from `a` (a parse_scope's side arena).
class side_scope {
 public:
  explicit side_scope(arena* a) noexcept;
  side_scope(const side_scope&) = delete;
  side_scope& operator=(const side_scope&) = delete;
  ~side_scope();

 private:
  arena* prev_;
};

}  // namespace detail

/// The allocator of AST containers (see `detail::allocate`).
/// Example: `vec<int> v; v.push_back(1);`
template <class T>
struct allocator {
  using value_type = T;
  allocator() noexcept = default;
  template <class U>
  allocator(const allocator<U>&) noexcept {}  // NOLINT: rebinding
  [[nodiscard]] T* allocate(std::size_t n) {
    static_assert(alignof(T) <= 16, "AST nodes are 16-byte aligned at most");
    return static_cast<T*>(detail::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { detail::deallocate(p); }
  friend bool operator==(const allocator&, const allocator&) noexcept { return true; }
};

/// A vector of AST nodes.
template <class T>
using vec = std::vector<T, allocator<T>>;

}  // namespace witc::wit::ast
