#pragma once
// Composition of components: the first input is the root; every import of an input that
// another input exports (same interface, semver-compatible version) is linked to it, the
// providers' own imports in turn; what nobody provides stays an import of the result.
// Each link is type-checked by the component model's subtyping rules.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "witc/support/result.hpp"
#include "witc/support/source_map.hpp"

namespace witc::compose {

/// One input file: its name (as the user wrote it, used in messages) and its bytes
/// (a string, so they move into the source map without a copy).
struct input {
  std::string name;
  std::string bytes;
};

/// `none`: not at all. `links`: the composition with each input replaced by an import
/// of its type (every link, instantiation and export; the inputs' code not again), and
/// the whole output only if that fails. `full`: the whole output, inputs' code included.
enum class validation { none, links, full };

/// What the user chose. Example: `options o; o.plugs.push_back({"local:kv/store", "kv.wasm"});`
struct options {
  /// `--plug NAME=FILE`: every import of interface NAME (with or without its version) is
  /// satisfied by FILE's export of it.
  std::vector<std::pair<std::string, std::string>> plugs;
  /// `--with IMPORT=FILE`: the root's import IMPORT is satisfied by FILE.
  std::vector<std::pair<std::string, std::string>> withs;
  /// `--keep IMPORT`: IMPORT stays an import of the result even if an input exports it.
  std::vector<std::string> keep;
  /// Refer to the inputs as imported components instead of nesting them.
  bool import_components = false;
  /// How the result is checked with our component validator before it is returned.
  validation validate = validation::links;
};

/// How one import of one input is satisfied. `provider` empty: it stays an import.
struct link {
  std::size_t consumer = 0;
  std::string import;
  std::optional<std::size_t> provider;
  std::string export_name;
};

/// The decided composition: every import of every used input, the order inputs are
/// instantiated in (providers first, the root last), and inputs nothing uses.
struct plan {
  std::vector<link> links;
  std::vector<std::size_t> order;
  std::vector<std::size_t> unused;
};

namespace detail {
struct state;
}

/// Inputs read, matched and type-checked. Example:
///   source_map sm;
///   WITC_TRY(auto c, plan_composition({{"app.wasm", a}, {"kv.wasm", k}}, {}, sm));
///   fmt::print("{}", format_plan(c));
///   WITC_TRY(auto bytes, build(c));
class composition {
 public:
  composition();
  composition(composition&&) noexcept;
  composition& operator=(composition&&) noexcept;
  ~composition();
  [[nodiscard]] const compose::plan& plan() const;
  [[nodiscard]] const std::vector<std::string>& names() const;
  /// Non-fatal findings (an input nothing uses).
  [[nodiscard]] const diagnostics& warnings() const;
  /// The interface names the result imports, in order.
  [[nodiscard]] std::vector<std::string> imports() const;
  /// The names the result exports (the root's exports).
  [[nodiscard]] std::vector<std::string> exports() const;

  std::unique_ptr<detail::state> s_;
};

/// Reads every input (adding it to `sm`, which must outlive the composition), matches imports to exports and type-checks
/// every link. Errors name the import, the export, both files and the first item that
/// does not fit.
[[nodiscard]] result<composition> plan_composition(std::vector<input> inputs, const options& opts, source_map& sm);

/// The plan as text: for every import, which input and export satisfies it, or that it
/// stays an import. Example line: `  local:kv/store@1.2.0 <- kv.wasm: local:kv/store@1.3.1`.
[[nodiscard]] std::string format_plan(const composition& c);

/// The composition graph in Graphviz dot: inputs as nodes, links as edges labelled with
/// the interface names. Example: `std::ofstream("g.dot") << format_dot(c);`
[[nodiscard]] std::string format_dot(const composition& c);

/// The composed component's bytes. Example: `WITC_TRY(auto bytes, build(c));`
[[nodiscard]] result<std::vector<std::uint8_t>> build(const composition& c);

/// Streams the composed component to `sink` piece by piece, the inputs' bytes straight from
/// the source map (no copy of them is made); returns the size written. `sink` returns false
/// on a write error. Example:
///   build_to(c, [&](std::span<const std::uint8_t> b) { return f.write((const char*)b.data(), b.size()).good(); });
[[nodiscard]] result<std::size_t> build_to(const composition& c,
                                           const std::function<bool(std::span<const std::uint8_t>)>& sink);

/// Semantic-version compatibility of an import's version with an export's, as the
/// component model's name matching defines it: same major (same minor below 1.0, same
/// patch below 0.1), export not older; pre-releases match only themselves; both empty
/// matches. Example: `version_compatible("1.2.0", "1.3.1") == true`.
[[nodiscard]] bool version_compatible(std::string_view import_version, std::string_view export_version);

}  // namespace witc::compose
