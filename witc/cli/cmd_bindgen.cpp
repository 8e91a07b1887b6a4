// `witc bindgen PATH --lang cpp [--world W] [--out-dir DIR]`: writes C++ bindings for a
// world: `witc_guest.hpp`, `<world>.hpp` (the API) and `<world>.cpp` (the ABI glue).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "command.hpp"
#include "witc/bindgen/cpp.hpp"
#include "witc/wit/load.hpp"

namespace {
struct bindgen_opts {
  std::string path;
  std::string lang = "cpp";
  std::string world;
  std::string out_dir = ".";
  std::vector<std::string> features;
  bool all_features = false;
};

int run_bindgen(const bindgen_opts& o) {
  if (o.lang != "cpp") {
    fmt::print(stderr, "error: unknown language `{}`, expected `cpp`\n", o.lang);
    return witc::cli::exit_usage;
  }
  witc::wit::resolve r;
  r.features = o.features;
  r.all_features = o.all_features;
  witc::source_map sm;
  const bool color = isatty(2) != 0;
  auto pkgs = witc::wit::push_path(r, sm, o.path);
  if (!pkgs) {
    fmt::print(stderr, "{}", witc::render(pkgs.error(), sm, color));
    return witc::cli::exit_error;
  }
  auto world = witc::wit::select_world(r, *pkgs, o.world);
  if (!world) {
    fmt::print(stderr, "{}", witc::render(world.error(), sm, color));
    return witc::cli::exit_error;
  }
  auto files = witc::bindgen::generate_cpp(r, *world);
  if (!files) {
    fmt::print(stderr, "{}", witc::render(files.error(), sm, color));
    return witc::cli::exit_error;
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  for (const auto& f : *files) {
    const auto path = std::filesystem::path(o.out_dir) / f.name;
    std::ofstream out(path, std::ios::binary);
    out << f.contents;
    if (!out) {
      fmt::print(stderr, "error: cannot write `{}`\n", path.string());
      return witc::cli::exit_error;
    }
  }
  return witc::cli::exit_ok;
}
}  // namespace

WITC_COMMAND(bindgen, "generate guest bindings for a WIT world") {
  auto o = std::make_shared<bindgen_opts>();
  cmd.add_option("path", o->path, "a `.wit` file or a package directory (with an optional `deps/`)")->required();
  cmd.add_option("--lang", o->lang, "the language to generate (`cpp`)")->capture_default_str();
  cmd.add_option("--world,-w", o->world, "the world to generate (`name` or `ns:pkg/name`)");
  cmd.add_option("--out-dir,-o", o->out_dir, "where to write the files")->capture_default_str();
  cmd.add_option("--features", o->features, "features to enable for `@unstable` items (comma-separated)")
      ->delimiter(',');
  cmd.add_flag("--all-features", o->all_features, "enable every `@unstable` feature");
  return [o] { return run_bindgen(*o); };
}
