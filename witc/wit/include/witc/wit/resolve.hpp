#pragma once
// The resolved, name-free interface graph: arenas indexed by strong ids, the shape
// of wit-parser's `Resolve`. Everything downstream (JSON, bindgen, canon, component
// encoding, compose) reads this; nothing downstream reads the AST.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "witc/support/chunked_vector.hpp"
#include "witc/support/ordered_map.hpp"
#include "witc/support/result.hpp"
#include "witc/support/source_map.hpp"

namespace witc::wit {

/// A strong index into one arena of `resolve`. Example: `type_id{3}.index == 3`.
template <class Tag>
struct id {
  std::uint32_t index = 0;
  friend constexpr bool operator==(id, id) = default;
  friend constexpr auto operator<=>(id, id) = default;
};
using type_id = id<struct type_tag>;
using interface_id = id<struct interface_tag>;
using world_id = id<struct world_tag>;
using package_id = id<struct package_tag>;

/// The built-in types that need no definition.
enum class primitive : std::uint8_t {
  bool_, u8, u16, u32, u64, s8, s16, s32, s64, f32, f64, char_, string, error_context
};

/// A type use: a primitive or a reference to a `type_def`.
/// Example: `type t = type::of(primitive::u32); if (t.is_id()) r.types[t.id().index];`
class type {
 public:
  constexpr type() = default;
  static constexpr type of(wit::primitive p) { type t; t.prim_ = p; return t; }
  static constexpr type of(type_id i) { type t; t.is_id_ = true; t.id_ = i; return t; }
  [[nodiscard]] constexpr bool is_id() const noexcept { return is_id_; }
  [[nodiscard]] constexpr wit::primitive prim() const noexcept { return prim_; }
  [[nodiscard]] constexpr type_id id() const noexcept { return id_; }
  friend constexpr bool operator==(type, type) = default;

 private:
  bool is_id_ = false;
  wit::primitive prim_ = wit::primitive::bool_;
  type_id id_{};
};

/// An optional string one pointer wide. A graph holds hundreds of thousands of
/// docs and external ids, nearly all absent, so this replaces
/// `std::optional<std::string>` (40 bytes) there and reads the same way.
/// Example: `opt_string d = std::string("x"); if (d) fmt::print("{}", *d);`
class opt_string {
 public:
  opt_string() noexcept = default;
  opt_string(std::nullopt_t) noexcept {}                                  // NOLINT: as optional
  opt_string(std::string s) : p_(std::make_unique<std::string>(std::move(s))) {}  // NOLINT: as optional
  opt_string(std::string_view s) : p_(std::make_unique<std::string>(s)) {}        // NOLINT: as optional
  opt_string(const char* s) : p_(std::make_unique<std::string>(s)) {}             // NOLINT: as optional
  opt_string(const std::optional<std::string>& o)  // NOLINT: as optional
      : p_(o ? std::make_unique<std::string>(*o) : nullptr) {}
  opt_string(std::optional<std::string>&& o)  // NOLINT: as optional
      : p_(o ? std::make_unique<std::string>(std::move(*o)) : nullptr) {}
  opt_string(const opt_string& o) : p_(o.p_ ? std::make_unique<std::string>(*o.p_) : nullptr) {}
  opt_string(opt_string&&) noexcept = default;
  opt_string& operator=(const opt_string& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<std::string>(*o.p_) : nullptr;
    return *this;
  }
  opt_string& operator=(opt_string&&) noexcept = default;
  ~opt_string() = default;

  [[nodiscard]] bool has_value() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  const std::string& operator*() const noexcept { return *p_; }
  std::string& operator*() noexcept { return *p_; }
  const std::string* operator->() const noexcept { return p_.get(); }
  std::string* operator->() noexcept { return p_.get(); }
  [[nodiscard]] const std::string& value() const { return *p_; }
  [[nodiscard]] std::string value_or(std::string_view d) const { return p_ ? *p_ : std::string(d); }
  void reset() noexcept { p_.reset(); }
  /// As `std::optional<std::string>`, for APIs that take one.
  [[nodiscard]] std::optional<std::string> to_optional() const {
    return p_ ? std::optional<std::string>(*p_) : std::nullopt;
  }
  friend bool operator==(const opt_string& a, const opt_string& b) {
    return a.p_ ? (b.p_ && *a.p_ == *b.p_) : !b.p_;
  }
  friend bool operator==(const opt_string& a, std::string_view b) { return a.p_ && *a.p_ == b; }
  friend bool operator==(const opt_string& a, std::nullopt_t) noexcept { return !a.p_; }

 private:
  std::unique_ptr<std::string> p_;
};

/// Joined doc comment text (`///` and `/** */` markers removed), as wit-parser does.
struct docs {
  opt_string contents;
};

/// `@since` / `@unstable` / `@deprecated` on an item. Two words: the texts live
/// behind one pointer, absent for the (usual) unknown stability.
/// Example: `auto s = stability::stable("1.0.0"); s.since() == "1.0.0";`
class stability {
 public:
  enum class kind : std::uint8_t { unknown, stable, unstable };
  stability::kind kind = kind::unknown;

  stability() noexcept = default;
  stability(const stability& o) : kind(o.kind), t_(o.t_ ? std::make_unique<texts>(*o.t_) : nullptr) {}
  stability(stability&&) noexcept = default;
  stability& operator=(const stability& o) {
    if (this != &o) {
      kind = o.kind;
      t_ = o.t_ ? std::make_unique<texts>(*o.t_) : nullptr;
    }
    return *this;
  }
  stability& operator=(stability&&) noexcept = default;
  ~stability() = default;

  /// `@since(version = v)`, optionally `@deprecated(version = d)`.
  static stability stable(std::string since, std::optional<std::string> deprecated = std::nullopt) {
    return stability(kind::stable, std::move(since), {}, std::move(deprecated));
  }
  /// `@unstable(feature = f)`, optionally `@deprecated(version = d)`.
  static stability unstable(std::string feature, std::optional<std::string> deprecated = std::nullopt) {
    return stability(kind::unstable, {}, std::move(feature), std::move(deprecated));
  }
  /// stable: the version.
  [[nodiscard]] const std::string& since() const noexcept { return t_ ? t_->since : empty_texts().since; }
  /// unstable: the feature name.
  [[nodiscard]] const std::string& feature() const noexcept { return t_ ? t_->feature : empty_texts().feature; }
  /// either: the version it was deprecated in.
  [[nodiscard]] const std::optional<std::string>& deprecated() const noexcept {
    return t_ ? t_->deprecated : empty_texts().deprecated;
  }
  friend bool operator==(const stability& a, const stability& b) {
    return a.kind == b.kind && a.since() == b.since() && a.feature() == b.feature() &&
           a.deprecated() == b.deprecated();
  }

 private:
  struct texts {
    std::string since;
    std::string feature;
    std::optional<std::string> deprecated;
  };
  stability(enum kind k, std::string since, std::string feature, std::optional<std::string> deprecated)
      : kind(k), t_(std::make_unique<texts>(texts{std::move(since), std::move(feature), std::move(deprecated)})) {}
  static const texts& empty_texts() noexcept {
    static const texts e;
    return e;
  }
  std::unique_ptr<texts> t_;
};

// ---- type definitions ------------------------------------------------------------

struct field { std::string name; wit::type ty; wit::docs docs; witc::span span; };
struct record { std::vector<field> fields; };
struct resource {};
struct handle { bool borrow = false; type_id resource; };
struct flag { std::string name; wit::docs docs; };
struct flags { std::vector<flag> flags; };
struct tuple { std::vector<wit::type> types; };
struct variant_case { std::string name; std::optional<wit::type> ty; wit::docs docs; witc::span span; };
struct variant { std::vector<variant_case> cases; };
struct enum_case { std::string name; wit::docs docs; };
struct enum_ { std::vector<enum_case> cases; };
struct option { wit::type inner; };
struct result_ { std::optional<wit::type> ok; std::optional<wit::type> err; };
struct list { wit::type element; };
struct fixed_list { wit::type element; std::uint32_t size = 0; };
struct map { wit::type key; wit::type value; };
struct future { std::optional<wit::type> inner; };
struct stream { std::optional<wit::type> inner; };
/// `type a = b;` — JSON kind "type".
struct alias { wit::type target; };
/// A type not yet known (foreign types during resolution).
struct unknown {};

using type_def_kind = std::variant<record, resource, handle, flags, tuple, variant, enum_, option,
                                   result_, list, fixed_list, map, future, stream, alias, unknown>;

/// Who defines a named type: an interface, a world, or nobody (anonymous types).
struct type_owner {
  enum class kind { none, interface, world };
  type_owner::kind kind = kind::none;
  std::uint32_t index = 0;  // interface_id or world_id index
};

struct type_def {
  opt_string name;  // one word: most types of a large graph are anonymous
  type_def_kind kind;
  type_owner owner;
  wit::docs docs;
  wit::stability stability;
  witc::span span;  // where it was defined, for diagnostics
  opt_string external_id;  // `@external-id("...")`
};

// ---- functions, interfaces, worlds, packages ----------------------------------------

struct param { std::string name; wit::type ty; witc::span span; };

enum class function_kind {
  freestanding, async_freestanding, method, async_method, static_, async_static, constructor
};

/// A function; methods, statics and constructors name their resource and use the
/// mangled names `[method]r.f`, `[static]r.f`, `[constructor]r` as wit-parser does.
struct function {
  std::string name;
  function_kind kind = function_kind::freestanding;
  type_id resource{};  // method / static / constructor only
  std::vector<param> params;
  std::optional<wit::type> result;
  wit::docs docs;
  wit::stability stability;
  witc::span span;
  opt_string external_id;  // `@external-id("...")`
};

struct interface {
  std::optional<std::string> name;  // none for inline world interfaces
  ordered_map<std::string, type_id> types;
  ordered_map<std::string, function> functions;
  wit::docs docs;
  wit::stability stability;
  std::optional<package_id> package;
  witc::span span;
  /// The interface this one was copied from (an inline interface brought in by `include`).
  std::optional<interface_id> clone_of;
};

/// The name of a world import or export: a plain name, or an interface by id.
struct world_key {
  bool is_interface = false;
  std::string name;
  interface_id iface{};
  friend bool operator==(const world_key&, const world_key&) = default;
};
struct world_key_hash {
  std::size_t operator()(const world_key& k) const noexcept {
    return k.is_interface ? std::hash<std::uint32_t>{}(k.iface.index) * 31 + 1
                          : std::hash<std::string>{}(k.name);
  }
};

/// What a world imports or exports.
struct world_item {
  enum class kind { interface, function, type };
  world_item::kind kind = kind::interface;
  interface_id iface{};        // interface
  wit::stability stability;    // interface
  wit::docs docs;              // interface: docs on the `import`/`export` statement
  wit::function func;          // function
  type_id type{};              // type
  witc::span span;             // where the item was named, for diagnostics
  opt_string external_id;  // interface: `@external-id("...")`
};

struct world {
  std::string name;
  ordered_map<world_key, world_item, world_key_hash> imports;
  ordered_map<world_key, world_item, world_key_hash> exports;
  std::optional<package_id> package;
  wit::docs docs;
  wit::stability stability;
  witc::span span;
};

struct package_name {
  std::string ns;
  std::string name;
  std::optional<std::string> version;
  /// `ns:name@1.0.0` (or `ns:name`).
  [[nodiscard]] std::string to_string() const {
    return ns + ":" + name + (version ? "@" + *version : "");
  }
  friend bool operator==(const package_name&, const package_name&) = default;
};

struct package {
  package_name name;
  wit::docs docs;
  ordered_map<std::string, interface_id> interfaces;
  ordered_map<std::string, world_id> worlds;
};

/// The whole graph. Arenas only grow; ids stay valid.
struct resolve {
  std::vector<wit::world> worlds;
  std::vector<wit::interface> interfaces;
  /// Chunked: a large package's types (many MB) fill heap holes instead of one huge block.
  chunked_vector<type_def> types;
  std::vector<wit::package> packages;
  /// Features enabled for `@unstable` gates (`--features`), or all of them.
  std::vector<std::string> features;
  bool all_features = false;

  type_def& operator[](type_id i) { return types.at(i.index); }
  const type_def& operator[](type_id i) const { return types.at(i.index); }
  wit::interface& operator[](interface_id i) { return interfaces.at(i.index); }
  const wit::interface& operator[](interface_id i) const { return interfaces.at(i.index); }
  wit::world& operator[](world_id i) { return worlds.at(i.index); }
  const wit::world& operator[](world_id i) const { return worlds.at(i.index); }
  wit::package& operator[](package_id i) { return packages.at(i.index); }
  const wit::package& operator[](package_id i) const { return packages.at(i.index); }
};

}  // namespace witc::wit
