#pragma once
// Component-model value types as the canonical ABI sees them: the spec's `ValType`
// classes (canonical-abi/definitions.py) as immutable, shareable trees. Bindgen builds
// them from the WIT graph (`from_wit.hpp`), the runtime from component binaries.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace witc::canon {

/// Which concrete type a node is; the spec's `ValType` subclasses.
enum class kind : std::uint8_t {
  bool_, s8, u8, s16, u16, s32, u32, s64, u64, f32, f64, char_, string, error_context,
  list, record, tuple, variant, enum_, option, result, map, flags, own, borrow, stream, future
};

class valtype;
/// A shared, immutable type node. Example: `type_ref t = list(u8());`
using type_ref = std::shared_ptr<const valtype>;

/// A record field or a variant case: a label and a type (none for a case without payload).
struct labelled {
  std::string label;
  type_ref type;  // null: a variant case without payload
};

/// One value type. Build with the free functions below (`u32()`, `record({...})`, ...).
/// Specialized types (tuple, enum, option, result, map) carry their despecialized form,
/// computed once when built, so `despecialize` costs nothing.
class valtype {
 public:
  [[nodiscard]] canon::kind kind() const noexcept { return kind_; }
  /// record / tuple fields (tuples are labelled "0", "1", ...) and variant cases
  /// (enum, option, result cases likewise, payload-less ones with a null type).
  [[nodiscard]] const std::vector<labelled>& members() const noexcept { return members_; }
  /// flags and enum labels.
  [[nodiscard]] const std::vector<std::string>& labels() const noexcept { return labels_; }
  /// list / option element, stream / future payload (may be null), own / borrow: null.
  [[nodiscard]] const type_ref& element() const noexcept { return element_; }
  /// The fixed length of `list<T, N>`.
  [[nodiscard]] std::optional<std::uint32_t> length() const noexcept { return length_; }
  /// own / borrow: the resource's identity (the caller's numbering, e.g. a type index).
  [[nodiscard]] std::uint32_t resource() const noexcept { return resource_; }
  /// The spec's `despecialize`: tuple -> record, enum / option / result -> variant,
  /// map -> list<tuple<k, v>>; any other type is itself.
  [[nodiscard]] const valtype& despecialized() const noexcept {
    return despecialized_ ? *despecialized_ : *this;
  }
  [[nodiscard]] bool is_primitive() const noexcept { return kind_ <= kind::error_context; }

  /// Not for direct use: see the builder functions.
  struct parts {
    canon::kind kind;
    std::vector<labelled> members;
    std::vector<std::string> labels;
    type_ref element;
    std::optional<std::uint32_t> length;
    std::uint32_t resource = 0;
  };
  explicit valtype(parts p);

 private:
  canon::kind kind_;
  std::vector<labelled> members_;
  std::vector<std::string> labels_;
  type_ref element_;
  std::optional<std::uint32_t> length_;
  std::uint32_t resource_ = 0;
  type_ref despecialized_;
};

/// The spec's `despecialize(t)`. Example: `despecialize(*option(u8())).kind() == kind::variant`.
[[nodiscard]] inline const valtype& despecialize(const valtype& t) noexcept {
  return t.despecialized();
}

/// A primitive type by kind. Example: `prim(kind::u32)`.
[[nodiscard]] type_ref prim(canon::kind k);
[[nodiscard]] type_ref bool_();
[[nodiscard]] type_ref s8();
[[nodiscard]] type_ref u8();
[[nodiscard]] type_ref s16();
[[nodiscard]] type_ref u16();
[[nodiscard]] type_ref s32();
[[nodiscard]] type_ref u32();
[[nodiscard]] type_ref s64();
[[nodiscard]] type_ref u64();
[[nodiscard]] type_ref f32();
[[nodiscard]] type_ref f64();
[[nodiscard]] type_ref char_();
[[nodiscard]] type_ref string();
[[nodiscard]] type_ref error_context();
/// `list<T>` or, with a length, the fixed-size `list<T, N>`. Example: `list(u8(), 3)`.
[[nodiscard]] type_ref list(type_ref element, std::optional<std::uint32_t> length = {});
/// Example: `record({{"x", u8()}, {"y", u16()}})`.
[[nodiscard]] type_ref record(std::vector<labelled> fields);
/// Example: `tuple({u8(), string()})`.
[[nodiscard]] type_ref tuple(std::vector<type_ref> types);
/// Example: `variant({{"x", u8()}, {"z", nullptr}})`.
[[nodiscard]] type_ref variant(std::vector<labelled> cases);
/// Example: `enum_({"a", "b"})`.
[[nodiscard]] type_ref enum_(std::vector<std::string> labels);
[[nodiscard]] type_ref option(type_ref t);
/// Either side may be null (`result<_, E>`, `result<T>`, `result`).
[[nodiscard]] type_ref result_(type_ref ok, type_ref error);
/// `map<K, V>`: despecializes to `list<tuple<K, V>>`.
[[nodiscard]] type_ref map(type_ref key, type_ref value);
/// Example: `flags({"read", "write"})` (1 to 32 labels).
[[nodiscard]] type_ref flags(std::vector<std::string> labels);
[[nodiscard]] type_ref own(std::uint32_t resource);
[[nodiscard]] type_ref borrow(std::uint32_t resource);
[[nodiscard]] type_ref stream(type_ref t);
[[nodiscard]] type_ref future(type_ref t);

/// The spec's `contains_borrow` / `contains_async_value`.
[[nodiscard]] bool contains_borrow(const valtype& t);
[[nodiscard]] bool contains_async_value(const valtype& t);

/// A function type: parameter and result types (the spec allows several results).
/// Example: `functype ft{{u8(), f32()}, {f32()}};`
struct functype {
  std::vector<type_ref> params;
  std::vector<type_ref> results;
  bool async = false;
};

}  // namespace witc::canon
