// `witc bindgen PATH --lang cpp [--world W] [--out-dir DIR]`: writes C++ bindings for a
// world: `witc_guest.hpp`, `<world>.hpp` (the API) and `<world>.cpp` (the ABI glue).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "command.hpp"
#include "wit_input.hpp"
#include "witc/bindgen/cpp.hpp"
#include "witc/wit/load.hpp"

namespace {
struct bindgen_opts {
  witc::cli::wit_input input;
  std::string lang = "cpp";
  std::string world;
  std::string out_dir = ".";
};

int run_bindgen(const bindgen_opts& o) {
  if (o.lang != "cpp") {
    fmt::print(stderr, "error: unknown language `{}`, expected `cpp`\n", o.lang);
    return witc::cli::exit_usage;
  }
  auto loaded = o.input.load();
  if (!loaded) return witc::cli::exit_error;
  const witc::wit::resolve& r = loaded->resolve;
  const witc::source_map& sm = loaded->sources;
  auto world = witc::wit::select_world(r, loaded->packages, o.world);
  if (!world) {
    witc::cli::wit_input::report(world.error(), sm);
    return witc::cli::exit_error;
  }
  auto files = witc::bindgen::generate_cpp(r, *world);
  if (!files) {
    witc::cli::wit_input::report(files.error(), sm);
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
  o->input.add_to(cmd);
  cmd.add_option("--lang", o->lang, "the language to generate (`cpp`)")->capture_default_str();
  cmd.add_option("--world,-w", o->world, "the world to generate (`name` or `ns:pkg/name`)");
  cmd.add_option("--out-dir,-o", o->out_dir, "where to write the files")->capture_default_str();
  return [o] { return run_bindgen(*o); };
}
