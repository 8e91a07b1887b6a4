// Loading packages from files and directories, as wit-parser's `Resolve::push_path`:
// a directory's `.wit` files form one package, `deps/` holds its dependencies, and
// all packages are added in dependency order.
#include "witc/wit/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "witc/support/utf8.hpp"
#include "resolve/semver.hpp"
#include "resolve/unresolved.hpp"

namespace witc::wit {
namespace {

namespace fs = std::filesystem;
using detail::unresolved_package;

/// The packages of one directory or file: the main one and its nested blocks.
struct package_group {
  unresolved_package main;
  std::vector<unresolved_package> nested;
};

result<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(diagnostic::global(fmt::format("failed to read path for WIT [{}]", p.string())));
  std::string bytes;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    bytes.resize(static_cast<std::size_t>(size));
    in.read(bytes.data(), size);
  }
  if (in.bad()) return fail(diagnostic::global(fmt::format("failed to read path for WIT [{}]", p.string())));
  return bytes;
}

// The first token of a text file, after blanks and `;;` / `(; ;)` comments: a
// component or module in the text format opens with `(component` or `(module`.
bool looks_like_wat(std::string_view s) {
  std::size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (s.substr(i, 2) == ";;") {
      while (i < n && s[i] != '\n') ++i;
    } else if (s.substr(i, 2) == "(;") {
      int depth = 0;
      while (i < n) {
        if (s.substr(i, 2) == "(;") depth++, i += 2;
        else if (s.substr(i, 2) == ";)") { i += 2; if (--depth == 0) break; }
        else ++i;
      }
      if (depth != 0) return false;
    } else {
      break;
    }
  }
  if (i >= n || s[i] != '(') return false;
  ++i;
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  auto word = s.substr(i);
  auto is_word = [&](std::string_view w) {
    return word.substr(0, w.size()) == w &&
           (word.size() == w.size() || std::string_view(" \t\r\n();$").find(word[w.size()]) != std::string_view::npos);
  };
  return is_word("component") || is_word("module");
}

bool looks_binary_package(const fs::path& p, std::string_view bytes) {
  return p.extension() == ".wasm" || p.extension() == ".wat" || bytes.substr(0, 4) == std::string_view("\0asm", 4) ||
         looks_like_wat(bytes);
}

failure no_binary_loader(const fs::path& p) {
  return fail(diagnostic::global(
      fmt::format("`{}` is a binary WIT package, and reading binary WIT needs a binary loader", p.string()),
      "pass `load_options{&witc::binary::push_binary_wit}` to `push_path` (the `witc` commands do)"));
}

/// Parses the named sources (already read) into a package group; files are taken in
/// path order, each file's nested packages built as soon as it is parsed.
result<package_group> parse_group(source_map& sm, std::vector<std::pair<std::string, std::string>> sources) {
  std::sort(sources.begin(), sources.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::unique_ptr<ast::file>> files;
  detail::package_builder main;
  package_group g;
  for (auto& [name, text] : sources) {
    if (!witc::valid_utf8(text))
      return fail(diagnostic::global(fmt::format("input file is not valid utf-8 [{}]", name)));
    std::size_t index = sm.files().size();
    sm.add(name, std::move(text));
    WITC_TRY(ast::file f, ast::parse(sm, index));
    files.push_back(std::make_unique<ast::file>(std::move(f)));
    for (auto& item : files.back()->items) {
      if (auto* nested = std::get_if<ast::box<ast::nested_package>>(&item)) {
        detail::package_builder b;
        WITC_CHECK(b.push_nested(**nested));
        WITC_TRY(auto pkg, b.finish());
        g.nested.push_back(std::move(pkg));
      }
    }
    WITC_CHECK(main.push_file(*files.back()));
  }
  WITC_TRY(g.main, main.finish());
  return g;
}

result<package_group> parse_dir(source_map& sm, const fs::path& dir) {
  std::vector<std::pair<std::string, std::string>> sources;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return fail(diagnostic::global(fmt::format("failed to read directory {}", dir.string())));
  for (const auto& e : it) {
    std::error_code ec2;
    if (e.is_directory(ec2)) continue;
    if (e.path().extension() != ".wit") continue;
    WITC_TRY(auto text, read_file(e.path()));
    sources.emplace_back(e.path().string(), std::move(text));
  }
  return parse_group(sm, std::move(sources));
}

/// A file: WIT text gives a package group; a binary WIT package is merged into `r`
/// straight away (as wit-parser's `_push_file`) and gives its id.
struct parsed_file {
  std::optional<package_group> group;
  std::optional<package_id> binary;
};

result<parsed_file> parse_file(resolve& r, source_map& sm, const fs::path& p, const load_options& options) {
  WITC_TRY(auto bytes, read_file(p));
  if (looks_binary_package(p, bytes)) {
    if (!options.binary) return no_binary_loader(p);
    WITC_TRY(package_id id, options.binary(r, sm, p, std::move(bytes)));
    return parsed_file{std::nullopt, id};
  }
  std::vector<std::pair<std::string, std::string>> sources;
  sources.emplace_back(p.string(), std::move(bytes));
  WITC_TRY(auto g, parse_group(sm, std::move(sources)));
  return parsed_file{std::move(g), std::nullopt};
}

int compare_names(const package_name& a, const package_name& b) {
  if (int c = a.ns.compare(b.ns)) return c < 0 ? -1 : 1;
  if (int c = a.name.compare(b.name)) return c < 0 ? -1 : 1;
  if (a.version.has_value() != b.version.has_value()) return a.version ? 1 : -1;
  if (!a.version) return 0;
  return detail::compare_versions(*a.version, *b.version);
}

/// Adds `main` and `deps` in dependency order (wit-parser's `sort_unresolved_packages`).
result<package_id> push_groups(resolve& r, package_group main, std::vector<package_group> deps) {
  std::vector<unresolved_package> all;
  package_name main_name = main.main.name;
  auto collect = [&](package_group& g) {
    for (auto& n : g.nested) all.push_back(std::move(n));
    all.push_back(std::move(g.main));
  };
  collect(main);
  for (auto& d : deps) collect(d);

  // Packages by name in name order, as wit-parser's BTreeMap.
  auto less = [](const package_name& a, const package_name& b) { return compare_names(a, b) < 0; };
  std::map<package_name, std::size_t, decltype(less)> by_name(less);
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto [it, fresh] = by_name.emplace(all[i].name, i);
    if (!fresh) {
      diagnostics ds;
      ds.push_back(diagnostic::error(all[i].name_span, fmt::format("package `{}` is defined in two different locations",
                                                                 all[i].name.to_string())));
      ds.push_back({level::note, all[it->second].name_span, true, "also defined here", {}});
      it->second = i;
      return fail(std::move(ds));
    }
  }

  std::vector<std::size_t> order;
  std::vector<bool> ordered(all.size(), false);
  std::set<std::string> visiting;
  struct frame {
    std::size_t pkg;
    std::size_t next = 0;
    std::string pending;
  };
  for (const auto& [name, root] : by_name) {
    if (ordered[root]) continue;
    std::vector<frame> stack{frame{root, 0, {}}};
    while (!stack.empty()) {
      frame& f = stack.back();
      const auto& fdeps = all[f.pkg].foreign_deps;
      if (f.next < fdeps.size()) {
        const auto& dep = fdeps[f.next++];
        std::string key = dep.name.to_string();
        if (!visiting.insert(key).second)
          return fail(diagnostic::error(dep.span, fmt::format("package `{}` creates a dependency cycle", key)));
        auto found = by_name.find(dep.name);
        if (found != by_name.end() && !ordered[found->second]) {
          f.pending = key;
          stack.push_back(frame{found->second, 0, {}});
        } else {
          visiting.erase(key);
        }
        continue;
      }
      ordered[f.pkg] = true;
      order.push_back(f.pkg);
      stack.pop_back();
      if (!stack.empty()) visiting.erase(stack.back().pending);
    }
  }

  std::optional<package_id> main_id;
  for (std::size_t i : order) {
    bool is_main = all[i].name == main_name;
    WITC_TRY(package_id id, detail::append_package(r, std::move(all[i])));
    if (is_main) main_id = id;
  }
  return *main_id;
}

}  // namespace

result<std::vector<package_id>> push_path(resolve& r, source_map& sm, const std::filesystem::path& path) {
  return push_path(r, sm, path, load_options{});
}

bool is_binary_wit(const std::filesystem::path& path, std::string_view bytes) {
  return looks_binary_package(path, bytes);
}

result<std::vector<package_id>> push_path(resolve& r, source_map& sm, const std::filesystem::path& path,
                                          const load_options& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    WITC_TRY(auto main, parse_dir(sm, path));
    std::vector<package_group> deps;
    fs::path deps_dir = path / "deps";
    if (fs::exists(deps_dir, ec)) {
      std::vector<fs::directory_entry> entries;
      fs::directory_iterator it(deps_dir, ec);
      if (ec) return fail(diagnostic::global(fmt::format("failed to read directory {}", deps_dir.string())));
      for (const auto& e : it) entries.push_back(e);
      std::sort(entries.begin(), entries.end(),
                [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
      for (const auto& e : entries) {
        std::error_code ec2;
        if (e.is_directory(ec2)) {
          WITC_TRY(auto g, parse_dir(sm, e.path()));
          deps.push_back(std::move(g));
          continue;
        }
        auto ext = e.path().extension();
        if (ext != ".wit" && ext != ".wat" && ext != ".wasm") continue;
        WITC_TRY(auto f, parse_file(r, sm, e.path(), options));
        if (f.group) deps.push_back(std::move(*f.group));
      }
    }
    WITC_TRY(package_id id, push_groups(r, std::move(main), std::move(deps)));
    return std::vector<package_id>{id};
  }
  WITC_TRY(auto f, parse_file(r, sm, path, options));
  if (f.binary) return std::vector<package_id>{*f.binary};
  WITC_TRY(package_id id, push_groups(r, std::move(*f.group), {}));
  return std::vector<package_id>{id};
}

result<std::vector<package_id>> push_source(resolve& r, source_map& sm, std::string name, std::string text) {
  std::vector<std::pair<std::string, std::string>> sources;
  sources.emplace_back(std::move(name), std::move(text));
  WITC_TRY(auto g, parse_group(sm, std::move(sources)));
  WITC_TRY(package_id id, push_groups(r, std::move(g), {}));
  return std::vector<package_id>{id};
}

result<world_id> select_world(const resolve& r, const std::vector<package_id>& main, const std::string& name) {
  auto qualified = [&](world_id w) {
    const auto& pn = r[*r[w].package].name;
    std::string s = fmt::format("{}:{}/{}", pn.ns, pn.name, r[w].name);
    if (pn.version) s += "@" + *pn.version;
    return s;
  };
  auto all_worlds = [&] {
    std::string s;
    for (std::uint32_t i = 0; i < r.worlds.size(); ++i)
      if (r.worlds[i].package) s += "\n  " + qualified(world_id{i});
    return s;
  };
  if (main.empty()) return fail(diagnostic::global("no main packages defined"));
  if (name.empty()) {
    if (main.size() > 1)
      return fail(diagnostic::global("there are multiple main packages; a world must be explicitly chosen:" + all_worlds()));
    const auto& p = r[main[0]];
    if (p.worlds.empty())
      return fail(diagnostic::global(fmt::format("the main package `{}` contains no worlds", p.name.to_string())));
    if (p.worlds.size() > 1) {
      std::string s;
      for (const auto& [n, w] : p.worlds) s += "\n  " + qualified(w);
      return fail(diagnostic::global(fmt::format("there are multiple worlds in `{}`; one must be explicitly chosen:{}",
                                                 p.name.to_string(), s)));
    }
    return p.worlds.begin()->second;
  }
  auto slash = name.find('/');
  package_id pid{};
  std::string world_name = name;
  if (slash == std::string::npos) {
    if (main.size() > 1)
      return fail(diagnostic::global("there are multiple main packages; a world must be explicitly chosen:" + all_worlds()));
    pid = main[0];
  } else {
    std::string pkg = name.substr(0, slash);
    world_name = name.substr(slash + 1);
    std::optional<std::string> version;
    if (auto at = world_name.find('@'); at != std::string::npos) {
      version = world_name.substr(at + 1);
      world_name = world_name.substr(0, at);
    }
    auto colon = pkg.find(':');
    if (colon == std::string::npos)
      return fail(diagnostic::global(fmt::format("failed to parse world specifier `{}`", name)));
    package_name want{pkg.substr(0, colon), pkg.substr(colon + 1), version};
    std::optional<package_id> found;
    std::vector<package_id> candidates;
    for (std::uint32_t i = 0; i < r.packages.size(); ++i) {
      const auto& pn = r.packages[i].name;
      if (pn == want) found = package_id{i};
      if (!want.version && pn.ns == want.ns && pn.name == want.name && pn.version) candidates.push_back(package_id{i});
    }
    if (!found) {
      if (candidates.size() > 1)
        return fail(diagnostic::global(fmt::format(
            "package name `{}` is available at both versions {} and {} but which is not specified", want.to_string(),
            *r[candidates[0]].name.version, *r[candidates[1]].name.version)));
      if (candidates.empty()) return fail(diagnostic::global(fmt::format("unknown package `{}`", want.to_string())));
      found = candidates[0];
    }
    pid = *found;
  }
  const auto& p = r[pid];
  auto it = p.worlds.find(world_name);
  if (it == p.worlds.end())
    return fail(diagnostic::global(fmt::format("world `{}` not found in package `{}`", world_name, p.name.to_string())));
  return it->second;
}

}  // namespace witc::wit
