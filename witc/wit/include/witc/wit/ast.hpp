#pragma once
// The spanned AST of one WIT file, as written: names are still names, nothing is
// resolved. Every span is a global byte offset into the run's `source_map`.
// The resolver (resolve.hpp) turns a package's files into the name-free graph.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "witc/support/result.hpp"
#include "witc/support/source_map.hpp"
#include "witc/wit/ast_alloc.hpp"

namespace witc::wit::ast {

namespace detail {
template <class T>
struct node_delete {
  void operator()(T* p) const noexcept {
    p->~T();
    deallocate(p);
  }
};
template <class T>
using node_ptr = std::unique_ptr<T, node_delete<T>>;
template <class T, class... A>
node_ptr<T> make_node(A&&... a) {
  void* m = allocate(sizeof(T));
  try {
    return node_ptr<T>(::new (m) T(std::forward<A>(a)...));
  } catch (...) {
    deallocate(m);
    throw;
  }
}
}  // namespace detail

/// An optional heap cell with value semantics: one pointer where `std::optional<T>`
/// would hold a large, usually absent `T` inline.
/// Example: `opt_box<type> r; r = type{}; if (r) r->span;`
template <class T>
class opt_box {
 public:
  opt_box() = default;
  opt_box(T v) : p_(detail::make_node<T>(std::move(v))) {}  // NOLINT: implicit as optional
  opt_box(const opt_box& o) : p_(o.p_ ? detail::make_node<T>(*o.p_) : nullptr) {}
  opt_box(opt_box&&) noexcept = default;
  opt_box& operator=(const opt_box& o) {
    if (this != &o) p_ = o.p_ ? detail::make_node<T>(*o.p_) : nullptr;
    return *this;
  }
  opt_box& operator=(opt_box&&) noexcept = default;
  opt_box& operator=(T v) {
    p_ = detail::make_node<T>(std::move(v));
    return *this;
  }
  T& emplace() {
    p_ = detail::make_node<T>();
    return *p_;
  }
  void reset() noexcept { p_.reset(); }
  [[nodiscard]] bool has_value() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  T& operator*() { return *p_; }
  const T& operator*() const { return *p_; }
  T* operator->() { return p_.get(); }
  const T* operator->() const { return p_.get(); }

 private:
  detail::node_ptr<T> p_;
};

/// A heap cell with value semantics, for the recursive parts of `type`: an
/// `opt_box` that always holds a value.
/// Example: `box<type> elem = type{...}; elem->span;`
template <class T>
class box : public opt_box<T> {
 public:
  box() : opt_box<T>(T{}) {}
  box(T v) : opt_box<T>(std::move(v)) {}  // NOLINT: implicit by design
};

/// An identifier; `name` has any leading `%` removed, `span` covers it as written.
/// `name` views the parsed text, which the `source_map` owns and keeps in place
/// (a file's text never moves once added), so the AST allocates no names.
struct ident {
  std::string_view name;
  witc::span span;
};

/// A semver version as written (`1.2.3-rc.1+build`); validated by the parser.
struct version {
  std::string text;
  witc::span span;
};

/// `ns:name@1.0.0`.
struct package_name {
  ident ns;
  ident name;
  std::optional<version> ver;
  witc::span span;
};

/// The comments preceding an item, as written: the run from the first comment's
/// start to the last one's end (only blanks lie between them), viewing the
/// source text. `comments()` splits it: each element is one whole comment
/// (`/// text`, `/** text */`, and also plain `// text` and `/* text */`, without
/// a line comment's newline and trailing CRs). wit-parser keeps every comment
/// before an item as its docs (`// x` becomes " x", `/* x */` becomes "* x */"),
/// so the resolver must see them all to match its JSON. Two words: most AST nodes
/// carry docs and nearly all are empty.
/// Example: `for (std::string_view c : item.doc.comments()) fmt::print("{}\n", c);`
struct docs {
  const char* text = nullptr;
  std::uint32_t begin = 0;  // global offset of the first comment
  std::uint32_t size = 0;

  [[nodiscard]] bool empty() const noexcept { return size == 0; }
  [[nodiscard]] std::string_view raw() const noexcept { return {text, size}; }
  [[nodiscard]] witc::span span() const noexcept { return {begin, begin + size}; }
  [[nodiscard]] std::vector<std::string_view> comments() const;
};

/// `@since(version = 1.2.3)`, `@unstable(feature = foo)`, `@deprecated(version = 1.2.3)`,
/// and wit-parser's `@external-id("...")`.
struct attribute {
  enum class kind { since, unstable, deprecated, external_id };
  attribute::kind kind = kind::since;
  std::optional<version> ver;    // since, deprecated
  std::optional<ident> feature;  // unstable
  std::string external_id;       // external_id: the string literal's value, unescaped
  witc::span span;               // the whole `@...(...)`
};

/// The attributes of an item, in order. One pointer: nearly every item has none.
/// Example: `attributes as; as.push_back(attribute{}); for (auto& a : as) a.span;`
class attributes {
 public:
  attributes() = default;
  attributes(const attributes& o) : v_(o.v_ ? detail::make_node<vec<attribute>>(*o.v_) : nullptr) {}
  attributes(attributes&&) noexcept = default;
  attributes& operator=(const attributes& o) {
    if (this != &o) v_ = o.v_ ? detail::make_node<vec<attribute>>(*o.v_) : nullptr;
    return *this;
  }
  attributes& operator=(attributes&&) noexcept = default;
  ~attributes() = default;

  [[nodiscard]] bool empty() const noexcept { return !v_ || v_->empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return v_ ? v_->size() : 0; }
  void push_back(attribute a) {
    if (!v_) v_ = detail::make_node<vec<attribute>>();
    v_->push_back(std::move(a));
  }
  void clear() noexcept { v_.reset(); }
  [[nodiscard]] const attribute* begin() const noexcept { return v_ ? v_->data() : nullptr; }
  [[nodiscard]] const attribute* end() const noexcept { return v_ ? v_->data() + v_->size() : nullptr; }
  [[nodiscard]] const attribute& operator[](std::size_t i) const { return (*v_)[i]; }

 private:
  detail::node_ptr<vec<attribute>> v_;
};

// ---- types -------------------------------------------------------------------

enum class primitive : std::uint8_t {
  bool_, u8, u16, u32, u64, s8, s16, s32, s64, f32, f64, char_, string, error_context
};

struct type;

/// A reference to a named type: `foo`.
struct named_type { ident name; };
/// `list<T>`, or `list<T, N>` when `size` is set.
struct list_type { box<type> element; std::optional<std::uint32_t> size; witc::span size_span; };
struct map_type { box<type> key; box<type> value; };
struct option_type { box<type> inner; };
/// `result`, `result<T>`, `result<_, E>`, `result<T, E>`.
struct result_type { std::optional<box<type>> ok; std::optional<box<type>> err; };
struct tuple_type { vec<type> types; };
/// `own<r>` / `borrow<r>`.
struct handle_type { bool borrow = false; ident resource; };
/// `future` / `future<T>`.
struct future_type { std::optional<box<type>> inner; };
/// `stream` / `stream<T>`.
struct stream_type { std::optional<box<type>> inner; };

/// A type expression.
struct type {
  std::variant<primitive, named_type, list_type, map_type, option_type, result_type,
               tuple_type, handle_type, future_type, stream_type>
      node;
  witc::span span;
};

// ---- definitions inside interfaces and worlds -----------------------------------

struct field { docs doc; ident name; type ty; };
struct record_def { vec<field> fields; };
struct flag { docs doc; ident name; };
struct flags_def { vec<flag> flags; };
struct variant_case { docs doc; ident name; std::optional<type> ty; };
struct variant_def { vec<variant_case> cases; };
struct enum_case { docs doc; ident name; };
struct enum_def { vec<enum_case> cases; };
struct alias_def { type target; };

struct param { ident name; type ty; };
/// `async? func(params) -> result`.
struct func_type {
  bool is_async = false;
  vec<param> params;
  opt_box<type> result;
  witc::span span;  // from `async`/`func` (`constructor`) to the end of the result or `)`
};

/// A function inside `resource r { ... }`.
struct resource_func {
  enum class kind { method, static_, constructor };
  docs doc;
  attributes attrs;
  resource_func::kind kind = kind::method;
  ident name;  // for constructors: `constructor`, spanning the keyword
  func_type func;
};
/// `resource r;` has no body (`has_body` false); `resource r { ... }` has one.
struct resource_def { bool has_body = false; vec<resource_func> funcs; };

/// `type x = ...;`, `record x {...}`, `flags`, `variant`, `enum`, `resource`.
struct typedef_item {
  docs doc;
  attributes attrs;
  ident name;
  std::variant<alias_def, record_def, flags_def, variant_def, enum_def, resource_def> def;
  witc::span span;  // the whole item
};

/// `name: func(...)` in an interface or inline interface.
struct func_item {
  docs doc;
  attributes attrs;
  ident name;
  func_type func;
  witc::span span;
};

/// The path after `use`, `import`, `export` or `include`:
/// `iface` (local) or `ns:pkg/iface@1.0.0` (foreign, `package` set).
/// `span` covers the whole path; `package->span` covers `ns:pkg` only (as in
/// wit-parser), its version having its own span.
struct use_path {
  opt_box<package_name> package;
  ident name;
  witc::span span;
};

/// `a` or `a as b` in `use x.{a, b as c};`.
struct use_name { ident name; std::optional<ident> as; };

/// `use path.{names};` inside an interface or world.
struct use_item {
  attributes attrs;
  use_path from;
  vec<use_name> names;
  witc::span span;
};

using interface_item = std::variant<typedef_item, func_item, use_item>;

// ---- worlds ------------------------------------------------------------------------

/// `import name: interface { items }` — an interface defined inline in a world.
struct inline_interface { ident name; vec<interface_item> items; witc::span span; };
/// `import name: func(...)`.
struct named_func { ident name; func_type func; };

/// `import ...;` / `export ...;` in a world.
struct extern_item {
  docs doc;
  attributes attrs;
  bool is_import = true;
  std::variant<use_path, inline_interface, named_func> what;
  /// `import label: path;` (wit-parser's `ExternKind::NamedPath`): the label, set
  /// only when `what` holds a use_path.
  std::optional<ident> label;
  witc::span span;
};

/// `a as b` in `include w with { a as b }`.
struct include_name { ident name; ident as; };
struct include_item {
  attributes attrs;
  use_path from;
  vec<include_name> with;
  witc::span span;
};

using world_item = std::variant<extern_item, typedef_item, use_item, include_item>;

// ---- top level ---------------------------------------------------------------------

struct interface_def {
  docs doc;
  attributes attrs;
  ident name;
  vec<interface_item> items;
  witc::span span;
};

struct world_def {
  docs doc;
  attributes attrs;
  ident name;
  vec<world_item> items;
  witc::span span;
};

/// `use ns:pkg/iface@1.0.0 as name;` at package level.
struct toplevel_use {
  attributes attrs;
  use_path item;
  std::optional<ident> as;
  witc::span span;
};

/// `package ns:name;` at the top of a file.
struct package_decl {
  docs doc;
  attributes attrs;
  package_name name;
  witc::span span;
};

struct nested_package;
using toplevel_item = std::variant<interface_def, world_def, toplevel_use, box<nested_package>>;

/// `package ns:name@1.0.0 { interfaces and worlds }`, several of which may share a file.
struct nested_package {
  docs doc;
  attributes attrs;
  package_name name;
  vec<toplevel_item> items;
  witc::span span;
};

/// One parsed `.wit` file.
struct file {
  /// Where this file's nodes live (first members: destroyed after them); worlds
  /// have their own (see `detail::parse_scope`).
  detail::arena_handle arena;
  detail::arena_handle world_arena;
  std::optional<package_decl> package;
  vec<toplevel_item> items;
  std::uint32_t file_index = 0;  // index into `source_map::files()`
  witc::span span;               // the whole file
};

/// Deepest nesting of types the parser accepts (`list<list<...>>`); deeper input
/// is an error ("type nesting too deep"), never a host stack overflow. 100, as
/// wit-parser's MAX_TYPE_DEPTH, so the same inputs fail at the same token.
inline constexpr std::uint32_t max_type_depth = 100;
/// Deepest nesting of `package a:b { ... }` blocks, as wit-parser's MAX_ITEM_DEPTH.
inline constexpr std::uint32_t max_package_depth = 100;

/// Parses `sm.files()[file_index]` into an AST, or returns every syntax error found.
/// Example:
///   source_map sm; auto i = sm.files().size(); sm.add("a.wit", text);
///   WITC_TRY(ast::file f, ast::parse(sm, i));
[[nodiscard]] result<file> parse(const source_map& sm, std::size_t file_index);

}  // namespace witc::wit::ast
