// witc: the WIT compiler. Subcommands register themselves (see command.hpp).
#include <fmt/format.h>

#include <cstdio>
#include <map>

#include "command.hpp"

namespace witc::cli {
std::vector<command_info>& registry() {
  static std::vector<command_info> r;
  return r;
}
bool register_command(command_info info) {
  registry().push_back(info);
  return true;
}
}  // namespace witc::cli

int main(int argc, char** argv) {
  CLI::App app{"witc: the WIT compiler for the WebAssembly component model", "witc"};
  app.set_version_flag("-V,--version", "witc 0.1.0");
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, witc::cli::runner>> runners;
  // Subcommands with a space in their name ("component new") nest under a parent.
  std::map<std::string, CLI::App*> parents;
  for (const auto& info : witc::cli::registry()) {
    std::string name = info.name;
    CLI::App* parent = &app;
    for (auto pos = name.find('_'); pos != std::string::npos; pos = name.find('_')) {
      std::string head = name.substr(0, pos);
      auto& p = parents[head];
      if (!p) {
        p = parent->add_subcommand(head, head + " subcommands");
        p->require_subcommand(1);
      }
      parent = p;
      name = name.substr(pos + 1);
    }
    CLI::App* cmd = parent->add_subcommand(name, info.description);
    runners.emplace_back(cmd, info.setup(*cmd));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : witc::cli::exit_usage;
  }
  for (auto& [cmd, run] : runners)
    if (cmd->parsed()) return run();
  return witc::cli::exit_usage;
}
