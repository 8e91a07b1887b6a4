#pragma once
// Import and export names of components (Explainer.md "Import and Export Definitions"):
// kebab-case labels, `[method]r.f`-style annotations, interface names with
// versions, and the strong-uniqueness key of a name.
#include <optional>
#include <string>
#include <string_view>

namespace witc::binary::component::detail {

/// What kind of plain name this is, and the resource it is attached to.
enum class name_kind { label, constructor, method, static_, interface, dep, url, hash };
struct parsed_name {
  name_kind kind = name_kind::label;
  std::string resource;  // constructor, method, static_
  std::string label;     // the label after any annotation; interface: `ns:pkg/iface`
  std::string key;       // the strong-uniqueness key (lower-cased, annotation-free)
};

/// `""` when `s` is a kebab-case label, else the reason.
std::string check_label(std::string_view s);
/// Parses an export name (`import` false) or import name; on error the message.
/// Example: `parse_name("[method]r.f", false)` -> kind::method, resource "r", label "f".
std::optional<parsed_name> parse_name(std::string_view s, bool import, std::string& error);
/// `""` when `s` is a valid semantic version, else the reason.
std::string check_semver(std::string_view s);

}  // namespace witc::binary::component::detail
