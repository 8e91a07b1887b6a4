// wrt-compose: link components by import and export into one component.
//   wrt-compose app.wasm kv.wasm log.wasm -o composed.wasm
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <tuple>
#include <fstream>
#include <iterator>

#include "witc/compose/compose.hpp"

namespace {

bool split_eq(const std::string& s, std::pair<std::string, std::string>& out) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size()) return false;
  out = {s.substr(0, eq), s.substr(eq + 1)};
  return true;
}

bool write_file(const std::string& path, const std::string& data) {
  // Written beside the target and renamed, so a failure leaves no partial file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) return false;
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!f) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Link components by import and export into one component.\n"
               "The first input is the root; the others satisfy its imports (and each other's)."};
  app.name("wrt-compose");
  std::vector<std::string> files, plugs, withs, keeps;
  std::string output, graph;
  bool dry_run = false, import_components = false, no_validate = false, validate_all = false;
  app.add_option("inputs", files, "ROOT.wasm then the components that plug its imports")->required();
  app.add_option("-o,--output", output, "where to write the composed component");
  app.add_option("--plug", plugs, "NAME=FILE: interface NAME is provided by FILE wherever it is imported")
      ->allow_extra_args(false);
  app.add_option("--with", withs, "IMPORT=FILE: the root's import IMPORT is provided by FILE")->allow_extra_args(false);
  app.add_option("--keep", keeps, "IMPORT: leave IMPORT an import of the result")->allow_extra_args(false);
  app.add_flag("--dry-run", dry_run, "print the plan (what satisfies each import) and write nothing");
  app.add_option("--graph", graph, "FILE.dot: write the composition graph in Graphviz dot");
  app.add_flag("--import-components", import_components, "import the inputs as components instead of nesting them");
  app.add_flag("--no-validate", no_validate, "skip validating the result");
  app.add_flag("--validate-all", validate_all,
               "validate the whole result, the inputs' code included (by default: every link, "
               "instantiation and export, with the inputs as they were read)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; a wrong command line exits 2, as every witc tool does.
    return app.exit(e) == 0 ? 0 : 2;
  }

  witc::compose::options opts;
  opts.import_components = import_components;
  opts.validate = no_validate    ? witc::compose::validation::none
                  : validate_all ? witc::compose::validation::full
                                 : witc::compose::validation::links;
  opts.keep = keeps;
  for (auto [list, flag, dest] : {std::tuple{&plugs, "--plug", &opts.plugs}, std::tuple{&withs, "--with", &opts.withs}}) {
    for (const auto& s : *list) {
      std::pair<std::string, std::string> p;
      if (!split_eq(s, p)) {
        fmt::print(stderr, "error: `{} {}`: expected NAME=FILE\n", flag, s);
        return 2;
      }
      dest->push_back(p);
    }
  }
  if (output.empty() && !dry_run) {
    fmt::print(stderr, "error: no output file; give `-o FILE` (or `--dry-run` to see the plan)\n");
    return 2;
  }
  // A file named by --plug/--with but not listed is an input too.
  for (const auto* list : {&opts.plugs, &opts.withs})
    for (const auto& [n, f] : *list)
      if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);

  std::vector<witc::compose::input> inputs;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "error: cannot read `{}`\n", f);
      return 1;
    }
    inputs.push_back({f, std::string(std::istreambuf_iterator<char>(in), {})});
  }
  witc::source_map sm;
  bool color = isatty(2);
  auto c = witc::compose::plan_composition(std::move(inputs), opts, sm);
  if (!c) {
    fmt::print(stderr, "{}", witc::render(c.error(), sm, color));
    return 1;
  }
  if (!c->warnings().empty()) fmt::print(stderr, "{}", witc::render(c->warnings(), sm, color));
  if (dry_run) fmt::print("{}", witc::compose::format_plan(*c));
  if (!dry_run) {
    // Written beside the target and renamed, so an error leaves no partial file.
    std::string tmp = output + ".tmp";
    std::ofstream f(tmp, std::ios::binary);
    if (!f) {
      fmt::print(stderr, "error: cannot write `{}`\n", output);
      return 1;
    }
    auto n = witc::compose::build_to(*c, [&](std::span<const std::uint8_t> b) {
      return static_cast<bool>(f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size())));
    });
    f.close();
    if (!n || !f) {
      std::remove(tmp.c_str());
      if (!n) fmt::print(stderr, "{}", witc::render(n.error(), sm, color));
      else fmt::print(stderr, "error: cannot write `{}`\n", output);
      return 1;
    }
    if (!graph.empty() && !write_file(graph, witc::compose::format_dot(*c))) {
      std::remove(tmp.c_str());
      fmt::print(stderr, "error: cannot write `{}`\n", graph);
      return 1;
    }
    if (std::rename(tmp.c_str(), output.c_str()) != 0) {
      std::remove(tmp.c_str());
      fmt::print(stderr, "error: cannot write `{}`\n", output);
      return 1;
    }
  } else if (!graph.empty() && !write_file(graph, witc::compose::format_dot(*c))) {
    fmt::print(stderr, "error: cannot write `{}`\n", graph);
    return 1;
  }
  return 0;
}
