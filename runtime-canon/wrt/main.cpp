// wrt: runs WebAssembly core modules with WASI preview1.
//
//   wrt run [--dir HOST[::GUEST]]... [--env KEY=VALUE]... [--invoke NAME] prog.wasm [args...]
//
// Exit codes follow wasmtime: the guest's `proc_exit` status, 0 when `_start` returns,
// 134 after a trap, 1 for any other error (unreadable file, invalid module, bad import).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "witc/engine/engine.hpp"
#include "witc/engine/wasi.hpp"
#include "witc/binary/core_validate.hpp"
#include "witc/support/diagnostic.hpp"
#include "witc/support/source_map.hpp"

using namespace witc;
using namespace witc::engine;

namespace {

constexpr int exit_trap = 134;

int report(const diagnostics& ds, const source_map& sm) {
  fmt::print(stderr, "{}", render(ds, sm, false));
  return 1;
}

std::optional<value> parse_arg(valtype t, const std::string& s) {
  try {
    std::size_t used = 0;
    value v;
    switch (t) {
      case valtype::i32: v = value::i32(static_cast<std::int32_t>(std::stoll(s, &used, 0))); break;
      case valtype::i64: v = value::i64(s[0] == '-' ? std::stoll(s, &used, 0) : static_cast<std::int64_t>(std::stoull(s, &used, 0))); break;
      case valtype::f32: v = value::f32(std::stof(s, &used)); break;
      case valtype::f64: v = value::f64(std::stod(s, &used)); break;
      default: return std::nullopt;
    }
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

std::string show(const value& v) {
  switch (v.type) {
    case valtype::i32: return fmt::format("{}", v.as_i32());
    case valtype::i64: return fmt::format("{}", v.as_i64());
    case valtype::f32: return fmt::format("{}", v.as_f32());
    case valtype::f64: return fmt::format("{}", v.as_f64());
    default: return v.bits ? fmt::format("ref({:#x})", v.bits) : "null";
  }
}

int run(const std::vector<std::string>& dirs, const std::vector<std::string>& envs,
        const std::string& invoke, std::vector<std::string> rest) {
  if (rest.empty()) {
    fmt::print(stderr, "error: expected a module to run\n");
    return 1;
  }
  const std::string path = rest[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "error: cannot read `{}`: {}\n", path, std::strerror(errno));
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  source_map sm;
  std::uint32_t base = sm.add(path, bytes, true);

  wasi_config cfg;
  cfg.args = rest;
  if (!invoke.empty()) cfg.args = {path};
  for (auto& e : envs) {
    if (e.find('=') == std::string::npos) {
      fmt::print(stderr, "error: `--env {}`: expected KEY=VALUE\n", e);
      return 1;
    }
    cfg.env.push_back(e);
  }
  for (auto& d : dirs) {
    auto sep = d.find("::");
    std::string host = sep == std::string::npos ? d : d.substr(0, sep);
    std::string guest = sep == std::string::npos ? d : d.substr(sep + 2);
    struct stat st{};
    if (stat(host.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      fmt::print(stderr, "error: `--dir {}`: `{}` is not a directory\n", d, host);
      return 1;
    }
    cfg.dirs.emplace_back(host, guest);
  }

  witc::engine::engine eng;
  auto m = binary::decode_module(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), base);
  if (!m) return report(m.error(), sm);
  if (auto v = binary::validate_module(**m); !v) return report(v.error(), sm);
  auto cm = eng.compile(*m);
  if (!cm) return report(cm.error(), sm);

  store st(eng);
  wasi w(cfg);
  auto imports = w.imports(st, module_of(**cm));
  if (!imports) return report(imports.error(), sm);
  auto inst = st.instantiate(*cm, *imports);
  if (!inst) {
    if (st.last_trap()) {
      if (st.last_trap()->kind == trap_kind::exit) return st.last_trap()->exit_code;
      fmt::print(stderr, "error: failed to instantiate `{}`\n{}\n", path, describe(*st.last_trap()));
      return exit_trap;
    }
    return report(inst.error(), sm);
  }

  if (invoke.empty()) {
    auto code = w.run_command(st, *inst);
    if (code) return *code;
    if (st.last_trap()) {
      fmt::print(stderr, "error: failed to run main module `{}`\n{}\n", path, describe(*st.last_trap()));
      return exit_trap;
    }
    return report(code.error(), sm);
  }

  // A reactor gets its `_initialize` before the invoked export.
  if (auto* init = (*inst)->export_func("_initialize")) {
    auto r = st.call(init, {});
    if (!r) {
      if (st.last_trap() && st.last_trap()->kind == trap_kind::exit) return st.last_trap()->exit_code;
      fmt::print(stderr, "error: `_initialize` failed\n{}\n", st.last_trap() ? describe(*st.last_trap()) : "");
      return exit_trap;
    }
  }
  func_inst* f = (*inst)->export_func(invoke);
  if (!f) {
    fmt::print(stderr, "error: no exported function `{}` in `{}`\n", invoke, path);
    return 1;
  }
  std::vector<value> args;
  if (rest.size() - 1 != f->type->params.size()) {
    fmt::print(stderr, "error: `{}` takes {} arguments, found {}\n", invoke, f->type->params.size(), rest.size() - 1);
    return 1;
  }
  for (std::size_t i = 0; i < f->type->params.size(); ++i) {
    auto v = parse_arg(f->type->params[i], rest[i + 1]);
    if (!v) {
      fmt::print(stderr, "error: argument {} of `{}`: expected `{}`, found `{}`\n", i + 1, invoke,
                 binary::to_string(f->type->params[i]), rest[i + 1]);
      return 1;
    }
    args.push_back(*v);
  }
  auto r = st.call(f, args);
  if (!r) {
    if (st.last_trap()) {
      if (st.last_trap()->kind == trap_kind::exit) return st.last_trap()->exit_code;
      fmt::print(stderr, "error: failed to invoke `{}`\n{}\n", invoke, describe(*st.last_trap()));
      return exit_trap;
    }
    return report(r.error(), sm);
  }
  for (auto& v : *r) fmt::print("{}\n", show(v));
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wrt: the witc WebAssembly runtime"};
  app.require_subcommand(1);
  auto* run_cmd = app.add_subcommand("run", "run a WebAssembly module (WASI preview1)");
  std::vector<std::string> dirs, envs;
  std::string invoke;
  run_cmd->add_option("--dir", dirs, "grant a host directory, optionally under a guest name: HOST[::GUEST]")
      ->allow_extra_args(false);
  run_cmd->add_option("--env", envs, "set an environment variable for the guest: KEY=VALUE")
      ->allow_extra_args(false);
  run_cmd->add_option("--invoke", invoke, "call this export instead of `_start`; trailing arguments are its parameters");
  run_cmd->prefix_command();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; a wrong command line exits 2, as every witc tool does.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return run(dirs, envs, invoke, run_cmd->remaining());
}
