#pragma once
// Each witc subcommand is one file `cmd_<name>.cpp` holding its options and its run():
//   namespace { struct opts { std::string path; }; }
//   WITC_COMMAND(check, "resolve a WIT package and report every error") {
//     auto o = std::make_shared<opts>();
//     cmd.add_option("path", o->path)->required();
//     return [o] { return run(*o); };   // run() returns the process exit code
//   }
// The file registers itself at static-initialisation time; main.cpp knows none of them.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace witc::cli {

using runner = std::function<int()>;
using setup_fn = runner (*)(CLI::App& cmd);

struct command_info {
  const char* name;
  const char* description;
  setup_fn setup;
};

/// Every registered subcommand, in registration order.
std::vector<command_info>& registry();
bool register_command(command_info info);

/// Exit codes shared by every subcommand, as wasm-tools uses them.
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;   // the input is wrong: diagnostics were printed
inline constexpr int exit_usage = 2;   // the command line is wrong

}  // namespace witc::cli

#define WITC_COMMAND(name_, desc_)                                                       \
  static ::witc::cli::runner witc_setup_##name_(CLI::App& cmd);                          \
  [[maybe_unused]] static const bool witc_registered_##name_ =                           \
      ::witc::cli::register_command({#name_, desc_, &witc_setup_##name_});               \
  static ::witc::cli::runner witc_setup_##name_([[maybe_unused]] CLI::App& cmd)
