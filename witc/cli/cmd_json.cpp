// `witc json PATH`: the resolved graph as JSON, in wit-parser's serialised schema.
#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

#include "command.hpp"
#include "witc/wit/json.hpp"
#include "witc/wit/load.hpp"

namespace {
struct json_opts {
  std::string path;
  std::vector<std::string> features;
  bool all_features = false;
};

int run_json(const json_opts& o) {
  witc::wit::resolve r;
  r.features = o.features;
  r.all_features = o.all_features;
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, o.path);
  if (!pkgs) {
    fmt::print(stderr, "{}", witc::render(pkgs.error(), sm, isatty(2) != 0));
    return witc::cli::exit_error;
  }
  fmt::print("{}\n", witc::wit::to_json(r));
  return witc::cli::exit_ok;
}
}  // namespace

WITC_COMMAND(json, "print the resolved WIT graph as JSON (wit-parser's schema)") {
  auto o = std::make_shared<json_opts>();
  cmd.add_option("path", o->path, "a `.wit` file or a package directory (with an optional `deps/`)")->required();
  cmd.add_option("--features", o->features, "features to enable for `@unstable` items (comma-separated)")
      ->delimiter(',');
  cmd.add_flag("--all-features", o->all_features, "enable every `@unstable` feature");
  return [o] { return run_json(*o); };
}
