#pragma once
// The WIT input every WIT-reading subcommand takes: a path plus feature selection.
//   auto in = std::make_shared<wit_input>(); in->add_to(cmd);
//   auto loaded = in->load(); if (!loaded) return exit_error;  // diagnostics printed
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/wit/load.hpp"

namespace witc::cli {

/// A resolved WIT input: the graph, its source map and the main packages.
struct loaded_wit {
  wit::resolve resolve;
  source_map sources;
  std::vector<wit::package_id> packages;
};

struct wit_input {
  std::string path;
  std::vector<std::string> features;
  bool all_features = false;

  /// Adds the `path` positional, `--features` and `--all-features` to `cmd`.
  void add_to(CLI::App& cmd) {
    cmd.add_option("path", path, "a `.wit` file, a package directory (with an optional `deps/`), or a `.wasm`/`.wat` WIT package")->required();
    cmd.add_option("--features", features, "features to enable for `@unstable` items (comma-separated)")
        ->delimiter(',');
    cmd.add_flag("--all-features", all_features, "enable every `@unstable` feature");
  }

  /// Parses and resolves the input; on failure prints every diagnostic to stderr and
  /// returns nothing. Heap-allocated so ids and spans stay put.
  [[nodiscard]] std::unique_ptr<loaded_wit> load() const {
    auto out = std::make_unique<loaded_wit>();
    out->resolve.features = features;
    out->resolve.all_features = all_features;
    auto pkgs = wit::push_path(out->resolve, out->sources, path, wit::load_options{&binary::push_binary_wit});
    if (!pkgs) {
      report(pkgs.error(), out->sources);
      return nullptr;
    }
    out->packages = std::move(*pkgs);
    return out;
  }

  /// Renders diagnostics to stderr, coloured when stderr is a terminal.
  static void report(const diagnostics& ds, const source_map& sm) {
    fmt::print(stderr, "{}", render(ds, sm, isatty(2) != 0));
  }
};

}  // namespace witc::cli
