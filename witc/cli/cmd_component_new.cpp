// `witc component new core.wasm -o comp.wasm [--adapt NAME=ADAPTER.wasm ...]`: turns a
// core module that carries its world (a `component-type` custom section, written by
// `witc component embed` or bindgen) into a component, as `wasm-tools component new`.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <unistd.h>

#include "command.hpp"
#include "file_io.hpp"
#include "witc/binary/component_new.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/load.hpp"

namespace {
struct new_opts {
  std::string input;
  std::string output;
  std::vector<std::string> adapt;
  std::string wit, world;
  bool skip_validation = false;
};

int run_new(const new_opts& o) {
  witc::source_map sm;
  auto fail = [&](const witc::diagnostics& ds) {
    fmt::print(stderr, "{}", witc::render(ds, sm, isatty(2) != 0));
    return witc::cli::exit_error;
  };
  auto core = witc::cli::read_binary(o.input);
  if (!core) return fail({witc::diagnostic::global(fmt::format("cannot read `{}`", o.input))});
  if (!o.wit.empty()) {
    // Embed (or replace) the world first, as `component embed` would.
    witc::wit::resolve r;
    r.all_features = true;
    auto pkgs = witc::wit::push_path(r, sm, o.wit);
    if (!pkgs) return fail(pkgs.error());
    auto w = witc::wit::select_world(r, *pkgs, o.world);
    if (!w) return fail(w.error());
    auto stripped = witc::binary::strip_component_type(*core);
    if (!stripped) return fail(stripped.error());
    auto embedded = witc::binary::embed_world(*stripped, r, *w);
    if (!embedded) return fail(embedded.error());
    core = std::move(*embedded);
  } else if (!o.world.empty()) {
    fmt::print(stderr, "error: `--world` needs `--wit`\n");
    return witc::cli::exit_usage;
  }
  witc::binary::component_new_options opts;
  opts.skip_validation = o.skip_validation;
  for (const auto& a : o.adapt) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
      fmt::print(stderr, "error: `--adapt` expects NAME=ADAPTER.wasm, found `{}`\n", a);
      return witc::cli::exit_usage;
    }
    auto bytes = witc::cli::read_binary(a.substr(eq + 1));
    if (!bytes) return fail({witc::diagnostic::global(fmt::format("cannot read `{}`", a.substr(eq + 1)))});
    opts.adapters.push_back({a.substr(0, eq), std::move(*bytes)});
  }
  std::string_view text(reinterpret_cast<const char*>(core->data()), core->size());
  auto base = sm.add(o.input, std::string(text), true);
  auto out = witc::binary::component_new(*core, opts, base);
  if (!out) return fail(out.error());
  if (!witc::cli::write_output(o.output, *out))
    return fail({witc::diagnostic::global(fmt::format("cannot write `{}`", o.output))});
  return witc::cli::exit_ok;
}
}  // namespace

WITC_COMMAND(component_new, "make a component of a core module with an embedded world") {
  auto o = std::make_shared<new_opts>();
  cmd.add_option("input", o->input, "the core module (with a `component-type` custom section)")->required();
  cmd.add_option("-o,--output", o->output, "where to write (default: standard output)");
  cmd.add_option("--adapt", o->adapt,
                 "NAME=ADAPTER.wasm: the adapter module implementing core import module NAME "
                 "(e.g. wasi_snapshot_preview1=wasi_snapshot_preview1.command.wasm)");
  cmd.add_option("--wit", o->wit, "embed this WIT's world first (replacing any `component-type` section)");
  cmd.add_option("-w,--world", o->world, "the world of `--wit` (default: the package's only world)");
  cmd.add_flag("--skip-validation", o->skip_validation, "do not validate the component made");
  return [o] { return run_new(*o); };
}
