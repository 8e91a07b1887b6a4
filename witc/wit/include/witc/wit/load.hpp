#pragma once
// Loading WIT from disk or memory into a `resolve`, as wit-parser's `Resolve::push_*`.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "witc/wit/resolve.hpp"

namespace witc::wit {

/// Parses and resolves `path` into `r`: a `.wit` file, or a directory whose `.wit`
/// files form one package with its dependencies under `deps/` (sub-directories,
/// single `.wit` files, transitive and shared dependencies, several versions).
/// Every file read is added to `sm`. Returns the main package(s) of `path` (a file
/// may hold several nested packages), in source order.
/// `r.features` / `r.all_features` select which `@unstable` items are kept.
/// Example:
///   resolve r; r.features = {"active"}; source_map sm;
///   WITC_TRY(auto pkgs, push_path(r, sm, "api.wit"));
[[nodiscard]] result<std::vector<package_id>> push_path(resolve& r, source_map& sm,
                                                        const std::filesystem::path& path);

/// Reads a binary WIT package (an encoded package as `.wasm` bytes, or its text form
/// `.wat`) found at `path` with contents `bytes`, adds the file to `sm`, merges the
/// package into `r` and returns its id. `wit` cannot decode components itself (it
/// sits below `binary`); `witc::binary::push_binary_wit` is the one to pass.
using binary_loader = std::function<result<package_id>(resolve& r, source_map& sm,
                                                       const std::filesystem::path& path, std::string bytes)>;

/// How `push_path` treats what it cannot read as WIT text.
/// Example: `load_options o{&witc::binary::push_binary_wit};`
struct load_options {
  /// Decodes `.wasm` / `.wat` packages (the main path or a file in `deps/`); when
  /// empty, such a file is an error saying binary WIT needs a loader.
  binary_loader binary;
};

/// `push_path` that can also read binary WIT packages, as wit-parser does: each one
/// found in `deps/` is merged into `r` as soon as it is read (before the text
/// packages), and a binary main path gives that package.
/// Example:
///   wit::load_options o{&binary::push_binary_wit};
///   WITC_TRY(auto pkgs, push_path(r, sm, "dir", o));
[[nodiscard]] result<std::vector<package_id>> push_path(resolve& r, source_map& sm,
                                                        const std::filesystem::path& path,
                                                        const load_options& options);

/// True when `bytes` (read from `path`) is a binary WIT package rather than WIT
/// text: the `\0asm` magic, a `.wasm`/`.wat` name, or text opening with
/// `(component` or `(module`. Example: `if (is_binary_wit(p, bytes)) ...`
[[nodiscard]] bool is_binary_wit(const std::filesystem::path& path, std::string_view bytes);

/// Same, for a single in-memory file named `name` (no `deps/`).
/// Example: `auto pkgs = push_source(r, sm, "t.wit", "package a:b; interface i {}");`
[[nodiscard]] result<std::vector<package_id>> push_source(resolve& r, source_map& sm,
                                                          std::string name, std::string text);

/// Picks the world a command should use, as wit-parser's `select_world`: the named
/// one (`w`, or `ns:pkg/w`), else the only world of the main package.
/// Example: `WITC_TRY(world_id w, select_world(r, pkgs, "command"));`
[[nodiscard]] result<world_id> select_world(const resolve& r, const std::vector<package_id>& main,
                                            const std::string& name);

}  // namespace witc::wit
