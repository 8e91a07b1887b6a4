// `witc fmt PATH [--check] [-o OUT]`: canonical formatting of WIT source.
// PATH is a `.wit` file or a directory whose `.wit` files (not sub-directories,
// as a package directory is read) are formatted. Files are rewritten in place
// unless `-o` names an output (a file, `-` for stdout, or a directory when PATH is
// one); `--check` writes nothing and lists the files that would change (exit 1).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "command.hpp"
#include "witc/wit/ast.hpp"
#include "witc/wit/format.hpp"

namespace {
namespace fs = std::filesystem;

struct fmt_opts {
  std::string path;
  std::string out;
  bool check = false;
};

bool read_file(const fs::path& p, std::string& text) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

bool write_file(const fs::path& p, const std::string& text) {
  if (p == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  std::ofstream o(p, std::ios::binary | std::ios::trunc);
  o << text;
  return static_cast<bool>(o);
}

int run_fmt(const fmt_opts& o) {
  std::error_code ec;
  fs::path root(o.path);
  bool is_dir = fs::is_directory(root, ec);
  if (!is_dir && !fs::exists(root, ec)) {
    fmt::print(stderr, "error: no such file or directory `{}`\n", o.path);
    return witc::cli::exit_error;
  }
  std::vector<fs::path> inputs;
  if (is_dir) {
    for (const auto& e : fs::directory_iterator(root, ec))
      if (e.is_regular_file() && e.path().extension() == ".wit") inputs.push_back(e.path());
    std::sort(inputs.begin(), inputs.end());
  } else {
    inputs.push_back(root);
  }
  if (!o.out.empty() && is_dir && o.out != "-") fs::create_directories(o.out, ec);

  witc::source_map sm;
  int status = witc::cli::exit_ok;
  for (const auto& in : inputs) {
    std::string text;
    if (!read_file(in, text)) {
      fmt::print(stderr, "error: cannot read `{}`\n", in.string());
      status = witc::cli::exit_error;
      continue;
    }
    std::size_t index = sm.files().size();
    sm.add(in.string(), text);
    auto parsed = witc::wit::ast::parse(sm, index);
    if (!parsed) {
      fmt::print(stderr, "{}", witc::render(parsed.error(), sm, isatty(2) != 0));
      status = witc::cli::exit_error;
      continue;
    }
    std::string formatted = witc::wit::format(*parsed, sm);
    if (o.check) {
      if (formatted != text) {
        fmt::print("{}\n", in.string());
        status = witc::cli::exit_error;
      }
      continue;
    }
    fs::path dest = in;
    if (!o.out.empty()) dest = is_dir && o.out != "-" ? fs::path(o.out) / in.filename() : fs::path(o.out);
    if (dest == in && formatted == text) continue;
    if (!write_file(dest, formatted)) {
      fmt::print(stderr, "error: cannot write `{}`\n", dest.string());
      status = witc::cli::exit_error;
    }
  }
  return status;
}
}  // namespace

WITC_COMMAND(fmt, "format WIT files canonically (in place, to -o, or --check)") {
  auto o = std::make_shared<fmt_opts>();
  cmd.add_option("path", o->path, "a `.wit` file or a directory of `.wit` files")->required();
  cmd.add_flag("--check", o->check, "write nothing; list files that would change and exit 1 if any");
  cmd.add_option("-o,--output", o->out, "output file (`-` for stdout), or directory when PATH is one");
  return [o] { return run_fmt(*o); };
}
