#pragma once
// Loading WIT from disk or memory into a `resolve`, as wit-parser's `Resolve::push_*`.
#include <filesystem>
#include <string>
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
