// wit-parser's own UI tests, run through our resolver: every success case must give
// the expected JSON (compared as values), every parse-fail case the same error at the
// same place. Counts are printed so a run shows how far we are.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "json_value.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/wit/json.hpp"
#include "witc/wit/load.hpp"

namespace fs = std::filesystem;

namespace {

fs::path shared_dir() {
  if (const char* e = std::getenv("WITC_SHARED_DIR")) return e;
  return WITC_SHARED_DIR;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct outcome {
  bool ok = false;
  std::string json;
  witc::diagnostics diags;
  witc::source_map sm;
};

outcome run(const fs::path& p, std::vector<std::string> features) {
  outcome o;
  witc::wit::resolve r;
  r.features = std::move(features);
  auto pkgs = witc::wit::push_path(r, o.sm, p, witc::wit::load_options{&witc::binary::push_binary_wit});
  if (!pkgs) {
    o.diags = pkgs.error();
    return o;
  }
  o.ok = true;
  o.json = witc::wit::to_json(r);
  return o;
}

// `file:line:col` with a byte column, as wit-parser prints it, the file relative to `base`.
std::string location(const witc::diagnostic& d, const witc::source_map& sm, const fs::path& base) {
  if (!d.has_span) return "";
  const auto* f = sm.find(d.span.begin);
  if (!f) return "";
  std::uint32_t local = d.span.begin - f->base;
  std::uint32_t line = 1, line_start = 0;
  for (std::uint32_t i = 0; i < local && i < f->text.size(); ++i)
    if (f->text[i] == '\n') ++line, line_start = i + 1;
  std::string name = fs::path(f->name).lexically_relative(base).generic_string();
  return fmt::format("{}:{}:{}", name, line, local - line_start + 1);
}

struct expected_error {
  std::string message;
  std::string location;  // relative to parse-fail/, empty when the error has none
};

expected_error parse_result(const std::string& text) {
  static const std::string prefix = "tests/ui/parse-fail/";
  expected_error e;
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  std::string first = lines.empty() ? "" : lines[0];
  // anyhow context layers: "failed to resolve directory ... [X]: failed to parse package: X: msg"
  const std::string dir_ctx = "failed to resolve directory while parsing WIT for path [";
  const std::string pkg_ctx = "failed to parse package: ";
  if (first.rfind(dir_ctx, 0) == 0) {
    auto sep = first.find("]: ");
    if (sep != std::string::npos) first = first.substr(sep + 3);
  }
  if (first.rfind(pkg_ctx, 0) == 0) {
    auto sep = first.find(": ", pkg_ctx.size());
    if (sep != std::string::npos) first = first.substr(sep + 2);
  }
  static const std::regex located(R"(^tests/ui/parse-fail/(\S+:\d+:\d+): (.*)$)");
  std::smatch m;
  if (std::regex_match(first, m, located)) {
    e.location = m[1];
    e.message = m[2];
    return e;
  }
  e.message = first;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    auto arrow = l.find("--> ");
    auto bullet = l.find("  * ");
    if (arrow != std::string::npos && l.find_first_not_of(' ') == arrow) {
      e.location = l.substr(arrow + 4);
      break;
    }
    if (bullet == 0) {
      // wit-parser lists both places of a duplicate package after a colon.
      if (!e.message.empty() && e.message.back() == ':') e.message.pop_back();
      e.location = l.substr(4);
      break;
    }
    e.message += "\n" + l;
  }
  if (e.location.rfind(prefix, 0) == 0) e.location = e.location.substr(prefix.size());
  return e;
}

bool is_syntax_error(const std::string& msg) {
  for (const char* p : {"expected ", "unterminated", "nesting too deep", "invalid character", "unknown attribute",
                        "invalid ", "type nesting", "package nesting", "semver", "leading zero", "identifiers must"})
    if (msg.rfind(p, 0) == 0 && msg.rfind("invalid map key", 0) != 0) return true;
  return msg.find("found ") != std::string::npos && msg.rfind("expected", 0) == 0;
}

}  // namespace

TEST_CASE("wit-parser ui: success cases give the expected JSON", "[wit][resolve][corpus]") {
  fs::path dir = shared_dir() / "corpus/wit/wit-parser-ui";
  if (!fs::exists(dir)) {
    WARN("SKIPPED: " << dir << " is absent (set WITC_SHARED_DIR)");
    return;
  }
  std::vector<fs::path> cases;
  int binary = 0;  // cases with a `.wasm`/`.wat` package: the main path or in `deps/`
  for (const auto& e : fs::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    auto ext = e.path().extension();
    if (e.is_directory() && name != "parse-fail") {
      cases.push_back(e.path());
      for (const auto& f : fs::recursive_directory_iterator(e.path()))
        if (f.path().extension() == ".wat" || f.path().extension() == ".wasm") {
          ++binary;
          break;
        }
    } else if (ext == ".wit" || ext == ".wat" || ext == ".wasm") {
      cases.push_back(e.path());
      if (ext != ".wit") ++binary;
    }
  }
  std::sort(cases.begin(), cases.end());
  int matched = 0;
  std::vector<std::string> failures;
  for (const auto& c : cases) {
    fs::path expected_path = c.parent_path() / (c.stem().string() + ".wit.json");
    auto got = run(c, {"active"});
    if (!got.ok) {
      failures.push_back(fmt::format("{}: failed to resolve:\n{}", c.filename().string(), witc::render(got.diags, got.sm)));
      continue;
    }
    auto want = witc::test::parse_json(slurp(expected_path));
    auto ours = witc::test::parse_json(got.json);
    if (!want || !ours) {
      failures.push_back(fmt::format("{}: JSON does not parse (ours: {}, expected: {})", c.filename().string(),
                                     ours.has_value(), want.has_value()));
      continue;
    }
    auto diff = witc::test::json_diff(*ours, *want);
    if (!diff.empty()) {
      failures.push_back(fmt::format("{}: differs at {}", c.filename().string(), diff));
      continue;
    }
    ++matched;
  }
  std::string report = fmt::format("wit-parser ui success cases: {} of {} match ({} with binary WIT packages)",
                                   matched, cases.size(), binary);
  fmt::print("{}\n", report);
  for (const auto& f : failures) fmt::print("  MISMATCH {}\n", f);
  CHECK(failures.empty());
}

TEST_CASE("wit-parser ui: parse-fail cases give the same error at the same place", "[wit][resolve][corpus]") {
  fs::path dir = shared_dir() / "corpus/wit/wit-parser-ui/parse-fail";
  if (!fs::exists(dir)) {
    WARN("SKIPPED: " << dir << " is absent (set WITC_SHARED_DIR)");
    return;
  }
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() != ".result") cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  int syntax_total = 0, syntax_ok = 0, resolve_total = 0, resolve_ok = 0;
  std::vector<std::string> failures;
  for (const auto& c : cases) {
    std::string stem = c.filename().string();
    if (c.extension() == ".wit") stem = c.stem().string();
    auto want = parse_result(slurp(dir / (stem + ".wit.result")));
    bool syntax = is_syntax_error(want.message);
    (syntax ? syntax_total : resolve_total)++;
    auto got = run(c, {"active"});
    if (got.ok) {
      failures.push_back(fmt::format("{}: resolved, expected `{}` at {}", c.filename().string(), want.message,
                                     want.location));
      continue;
    }
    const auto& d = got.diags.front();
    std::string message = d.message + (d.hint.empty() ? "" : "\n" + d.hint);
    std::string loc = location(d, got.sm, dir);
    if (message != want.message || loc != want.location) {
      failures.push_back(fmt::format("{} [{}]:\n      ours: {} at {}\n  expected: {} at {}", c.filename().string(),
                                     syntax ? "syntax" : "resolution", message, loc, want.message, want.location));
      continue;
    }
    (syntax ? syntax_ok : resolve_ok)++;
  }
  fmt::print("wit-parser ui parse-fail cases: {} of {} match ({} of {} syntax, {} of {} resolution)\n",
             syntax_ok + resolve_ok, cases.size(), syntax_ok, syntax_total, resolve_ok, resolve_total);
  for (const auto& f : failures) fmt::print("  MISMATCH {}\n", f);
  CHECK(failures.empty());
}

TEST_CASE("every WASI package resolves with its deps", "[wit][resolve][wasi]") {
  fs::path dir = shared_dir() / "corpus/wit/wasi";
  if (!fs::exists(dir)) {
    WARN("SKIPPED: " << dir << " is absent (set WITC_SHARED_DIR)");
    return;
  }
  for (const char* v : {"0.2.0", "0.2.12", "0.3.0"}) {
    for (bool all : {false, true}) {
      INFO("wasi " << v << (all ? " --all-features" : ""));
      witc::wit::resolve r;
      r.all_features = all;
      witc::source_map sm;
      auto pkgs = witc::wit::push_path(r, sm, dir / v);
      if (!pkgs) FAIL(witc::render(pkgs.error(), sm));
      CHECK(r.packages.size() >= 7);
      CHECK(!r.worlds.empty());
      fmt::print("wasi {}{}: {} packages, {} interfaces, {} worlds, {} types\n", v, all ? " (all features)" : "",
                 r.packages.size(), r.interfaces.size(), r.worlds.size(), r.types.size());
    }
  }
}
