// Naming: WIT kebab-case to C++ snake_case, namespaces, wasm import/export names.
#include <algorithm>
#include <array>
#include <cctype>

#include "gen.hpp"

namespace witc::bindgen {

namespace {
// C++20 keywords and alternative tokens, plus names the generated code or the
// support header reserve in the scopes user names land in.
constexpr std::string_view reserved[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
    "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
    "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "std", "wit", "exports",
    "errno", "assert", "main", "NULL", "stdin", "stdout", "stderr", "EOF"};
}  // namespace

std::string cpp_name(std::string_view wit_name) {
  std::string out;
  out.reserve(wit_name.size() + 1);
  for (char c : wit_name) {
    if (c == '-') out.push_back('_');
    else if (c == '%') continue;
    else out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(0, "_");
  if (std::find(std::begin(reserved), std::end(reserved), out) != std::end(reserved)) out.push_back('_');
  return out;
}

namespace detail {

world_gen::world_gen(const wit::resolve& res, wit::world_id w)
    : r(res), world(res[w]), types(res) {
  // Packages sharing `ns:name` at different versions get the version in their namespace.
  std::map<std::string, std::set<std::string>> versions;
  for (const auto& p : r.packages)
    versions[p.name.ns + ":" + p.name.name].insert(p.name.version.value_or(""));
  for (const auto& [name, vs] : versions)
    if (vs.size() > 1) versioned_packages_.insert(name);
  for (const auto& [key, item] : world.exports)
    if (item.kind == wit::world_item::kind::interface) exported_ifaces.insert(item.iface.index);
  for (const auto& [key, item] : world.imports)
    if (item.kind == wit::world_item::kind::interface && !key.is_interface)
      note_interface_key(item.iface, key.name);
  for (const auto& [key, item] : world.exports)
    if (item.kind == wit::world_item::kind::interface && !key.is_interface)
      note_interface_key(item.iface, key.name);
}

void world_gen::note_interface_key(wit::interface_id id, const std::string& key_name) {
  key_names_[id.index] = key_name;
}

namespace {
std::string package_ns(const wit::package& p, bool versioned) {
  std::string ns = cpp_name(p.name.ns) + "::" + cpp_name(p.name.name);
  if (versioned && p.name.version) {
    std::string v = "v" + *p.name.version;
    for (char& c : v)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    ns += "_" + v;
  }
  return ns;
}
}  // namespace

std::string world_gen::world_ns(side s) const {
  std::string ns = s == side::export_ ? "exports::" : "";
  if (world.package) {
    const auto& p = r[*world.package];
    ns += package_ns(p, versioned_packages_.count(p.name.ns + ":" + p.name.name) != 0) + "::";
  }
  return ns + cpp_name(world.name);
}

std::string world_gen::iface_ns(wit::interface_id id, side s) const {
  const auto& i = r[id];
  if (!i.name) {
    auto it = key_names_.find(id.index);
    return world_ns(s) + "::" + cpp_name(it != key_names_.end() ? it->second : "anonymous");
  }
  std::string ns = s == side::export_ ? "exports::" : "";
  if (i.package) {
    const auto& p = r[*i.package];
    ns += package_ns(p, versioned_packages_.count(p.name.ns + ":" + p.name.name) != 0) + "::";
  }
  return ns + cpp_name(*i.name);
}

side world_gen::owner_side(const wit::type_def& d, side s) const {
  if (s == side::export_ && d.owner.kind == wit::type_owner::kind::interface &&
      exported_ifaces.count(d.owner.index))
    return side::export_;
  return side::import;
}

std::string world_gen::type_ns(const wit::type_def& d, side s) const {
  if (d.owner.kind == wit::type_owner::kind::interface)
    return iface_ns(wit::interface_id{d.owner.index}, owner_side(d, s));
  return world_ns(side::import);
}

std::string world_gen::module_name(std::optional<wit::interface_id> id) const {
  if (!id) return "$root";
  const auto& i = r[*id];
  if (!i.name) {
    auto it = key_names_.find(id->index);
    return it != key_names_.end() ? it->second : "anonymous";
  }
  std::string m;
  if (i.package) {
    const auto& p = r[*i.package];
    m = p.name.ns + ":" + p.name.name + "/" + *i.name;
    if (p.name.version) m += "@" + *p.name.version;
  } else {
    m = *i.name;
  }
  return m;
}

std::string world_gen::c_ident(std::string_view s) {
  // Each run of other characters becomes one `_`, none at either end, so joined
  // identifiers never hold the reserved `__`.
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(c);
    else if (!out.empty() && out.back() != '_') out.push_back('_');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string comment_docs(const wit::docs& d, const std::string& indent) {
  if (!d.contents || d.contents->empty()) return {};
  std::string out;
  std::string_view text = *d.contents;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    out += indent + (line.empty() ? "///" : "/// " + std::string(line)) + "\n";
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace detail
}  // namespace witc::bindgen
