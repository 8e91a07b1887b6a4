#pragma once
// WASI preview1 (`wasi_snapshot_preview1`) for core modules: args, environ, clocks,
// random, stdio, proc_exit and files under granted directories. Paths are resolved
// beneath a granted directory only (openat2 RESOLVE_BENEATH): `..` and symlink escapes
// are refused with `notcapable`.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "witc/engine/engine.hpp"

namespace witc::engine {

/// What a WASI program may see. Example:
///   wasi_config cfg;
///   cfg.args = {"prog.wasm", "x"};
///   cfg.dirs = {{"/tmp/data", "/data"}};
struct wasi_config {
  std::vector<std::string> args;
  std::vector<std::string> env;                             // "KEY=VALUE"
  std::vector<std::pair<std::string, std::string>> dirs;  // host path, guest path
  int stdin_fd = 0, stdout_fd = 1, stderr_fd = 2;           // host descriptors for 0, 1, 2
};

/// One WASI context (open descriptors, arguments) bound to a store's host functions.
/// Example:
///   wasi w(cfg);
///   WITC_TRY(auto imports, w.imports(st, module_of(*mod)));
///   WITC_TRY(auto* inst, st.instantiate(mod, imports));
///   int code = w.run_command(st, inst);   // calls `_start`, returns the exit code
class wasi {
 public:
  explicit wasi(wasi_config cfg);
  ~wasi();
  wasi(const wasi&) = delete;
  wasi& operator=(const wasi&) = delete;

  /// Host functions for every import of `m` (which may only import from
  /// `wasi_snapshot_preview1`); an unknown name or a wrong signature is an error.
  [[nodiscard]] result<std::vector<extern_val>> imports(store& st, const binary::module& m);
  /// Calls `_start`; returns the `proc_exit` code, 0 on return; a trap is an error
  /// (details in `st.last_trap()`).
  [[nodiscard]] result<int> run_command(store& st, instance* inst);

  struct state;

 private:
  std::unique_ptr<state> s_;
};

}  // namespace witc::engine
