// `witc component embed --wit PATH [--world W] core.wasm -o out.wasm`: appends the
// world's type (a `component-type:<world>` custom section) to a core module, the
// input of `component new`. `--dummy` makes the core module too, with the imports
// and exports the world implies and no logic, for tests.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "command.hpp"
#include "file_io.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/load.hpp"

namespace {
struct embed_opts {
  std::string wit;
  std::string world;
  std::string input;
  std::string output;
  std::string encoding = "utf8";
  bool dummy = false;
};

int run_embed(const embed_opts& o) {
  witc::source_map sm;
  auto fail = [&](const witc::diagnostics& ds) {
    fmt::print(stderr, "{}", witc::render(ds, sm, isatty(2) != 0));
    return witc::cli::exit_error;
  };
  witc::wit::resolve r;
  r.all_features = true;
  auto pkgs = witc::wit::push_path(r, sm, o.wit);
  if (!pkgs) return fail(pkgs.error());
  auto w = witc::wit::select_world(r, *pkgs, o.world);
  if (!w) return fail(w.error());
  witc::binary::string_encoding enc = witc::binary::string_encoding::utf8;
  if (o.encoding == "utf16") enc = witc::binary::string_encoding::utf16;
  else if (o.encoding == "compact-utf16") enc = witc::binary::string_encoding::latin1_utf16;
  else if (o.encoding != "utf8") {
    fmt::print(stderr, "error: unknown string encoding `{}`\n", o.encoding);
    return witc::cli::exit_usage;
  }
  std::vector<std::uint8_t> core;
  if (o.dummy) {
    auto d = witc::binary::dummy_module(r, *w);
    if (!d) return fail(d.error());
    core = std::move(*d);
  } else {
    if (o.input.empty()) {
      fmt::print(stderr, "error: a core module is required unless `--dummy` is given\n");
      return witc::cli::exit_usage;
    }
    auto bytes = witc::cli::read_binary(o.input);
    if (!bytes) return fail({witc::diagnostic::global(fmt::format("cannot read `{}`", o.input))});
    core = std::move(*bytes);
  }
  auto out = witc::binary::embed_world(core, r, *w, enc);
  if (!out) return fail(out.error());
  if (!witc::cli::write_output(o.output, *out))
    return fail({witc::diagnostic::global(fmt::format("cannot write `{}`", o.output))});
  return witc::cli::exit_ok;
}
}  // namespace

WITC_COMMAND(component_embed, "embed a world's component type into a core module") {
  auto o = std::make_shared<embed_opts>();
  cmd.add_option("input", o->input, "the core module (omit with `--dummy`)");
  cmd.add_option("--wit", o->wit, "a `.wit` file or a package directory")->required();
  cmd.add_option("-w,--world", o->world, "the world to embed (default: the package's only world)");
  cmd.add_option("-o,--output", o->output, "where to write (default: standard output)");
  cmd.add_option("--encoding", o->encoding, "string encoding of the bindings: utf8, utf16, compact-utf16");
  cmd.add_flag("--dummy", o->dummy, "generate a core module with the world's imports and exports");
  return [o] { return run_embed(*o); };
}
