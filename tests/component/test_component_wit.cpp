// WIT -> component type -> WIT over the wit-parser corpus and the WASI packages:
// every package encodes, the encoding validates, and decoding it prints the same
// WIT as the original graph. Worlds round-trip through the `component-type`
// section encoding with the same imports and exports.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>

#include "corpus.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/load.hpp"

using namespace witc;
using namespace witc::binary;

namespace {

std::vector<std::filesystem::path> wit_cases() {
  std::vector<std::filesystem::path> out;
  auto ui = test::shared_dir() / "corpus/wit/wit-parser-ui";
  if (std::filesystem::exists(ui))
    for (const auto& e : std::filesystem::directory_iterator(ui)) {
      auto p = e.path();
      if (p.extension() == ".json") continue;
      // A success case has `X.wit.json` (or `X.json` for folders) beside it.
      auto json = p;
      json += p.extension() == ".wit" ? ".json" : ".wit.json";
      if (std::filesystem::exists(json) && (e.is_directory() || p.extension() == ".wit")) out.push_back(p);
    }
  for (const char* v : {"0.2.0", "0.2.12", "0.3.0"}) {
    auto dir = test::shared_dir() / "corpus/wit/wasi" / v;  // a package with its `deps/`
    if (std::filesystem::exists(dir)) out.push_back(dir);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Component types have no empty records, flags, tuples, variants or enums, and an
// empty package has nothing to carry its name: such packages cannot be encoded.
bool encodable(const wit::resolve& r, wit::package_id p) {
  if (r[p].interfaces.size() == 0 && r[p].worlds.size() == 0) return false;
  for (const auto& t : r.types) {
    bool empty = false;
    if (const auto* x = std::get_if<wit::record>(&t.kind)) empty = x->fields.empty();
    else if (const auto* x = std::get_if<wit::flags>(&t.kind)) empty = x->flags.empty();
    else if (const auto* x = std::get_if<wit::tuple>(&t.kind)) empty = x->types.empty();
    else if (const auto* x = std::get_if<wit::variant>(&t.kind)) empty = x->cases.empty();
    else if (const auto* x = std::get_if<wit::enum_>(&t.kind)) empty = x->cases.empty();
    if (empty) return false;
  }
  return true;
}

std::string key_name(const wit::resolve& r, const wit::world_key& k) {
  if (!k.is_interface) return k.name;
  const auto& in = r[k.iface];
  return r[*in.package].name.to_string() + "/" + in.name.value_or("?");
}

}  // namespace

TEST_CASE("WIT packages and worlds round-trip through component types") {
  auto cases = wit_cases();
  if (cases.empty()) {
    WARN("SKIP: no WIT corpus under " << test::shared_dir().string());
    return;
  }
  bool verbose = std::getenv("WITC_VERBOSE") != nullptr;
  int passed = 0, failed = 0, skipped = 0, unencodable = 0, worlds_ok = 0, worlds_total = 0;
  for (const auto& path : cases) {
    wit::resolve r;
    r.features = {"active"};
    source_map sm;
    auto pkgs = wit::push_path(r, sm, path);
    if (!pkgs) {
      ++skipped;  // the resolver does not load it yet
      if (verbose) fmt::print("SKIP {}: {}\n", path.filename().string(), pkgs.error().front().message);
      continue;
    }
    // For WASI every package of the set round-trips, dependencies included.
    std::vector<wit::package_id> todo = *pkgs;
    if (path.string().find("/wasi/") != std::string::npos) {
      todo.clear();
      for (std::uint32_t i = 0; i < r.packages.size(); ++i) todo.push_back(wit::package_id{i});
    }
    for (auto p : todo) {
      if (!encodable(r, p)) {
        ++unencodable;
        continue;
      }
      auto report = [&](const std::string& why) {
        ++failed;
        if (verbose) fmt::print("FAIL {} ({}): {}\n", path.filename().string(), r[p].name.to_string(), why);
      };
      auto bytes = encode_package(r, p);
      if (!bytes) { report("encode: " + bytes.error().front().message); continue; }
      if (auto v = validate_wasm(*bytes); !v) { report("validate: " + v.error().front().message); continue; }
      auto d = decode_wit(*bytes);
      if (!d) { report("decode: " + d.error().front().message); continue; }
      std::optional<wit::package_id> back;
      for (auto q : d->packages)
        if (d->resolve[q].name == r[p].name) back = q;
      if (!back) { report("decoded package missing"); continue; }
      auto want = print_wit(r, p), got = print_wit(d->resolve, *back);
      if (want != got) {
        report("printed WIT differs");
        if (verbose) fmt::print("--- want\n{}--- got\n{}", want, got);
        continue;
      }
      ++passed;
      for (const auto& [name, w] : r[p].worlds) {
        ++worlds_total;
        auto wb = encode_world(r, w);
        if (!wb) { if (verbose) fmt::print("FAIL world {}: {}\n", name, wb.error().front().message); continue; }
        auto wd = decode_wit(*wb);
        if (!wd || !wd->world) { if (verbose) fmt::print("FAIL world {}: decode\n", name); continue; }
        const auto& a = r[w];
        const auto& b = wd->resolve[*wd->world];
        bool same = a.name == b.name && a.imports.size() == b.imports.size() && a.exports.size() == b.exports.size();
        for (std::size_t i = 0; same && i < a.imports.size(); ++i)
          same = key_name(r, a.imports.at_index(i).first) == key_name(wd->resolve, b.imports.at_index(i).first);
        for (std::size_t i = 0; same && i < a.exports.size(); ++i)
          same = key_name(r, a.exports.at_index(i).first) == key_name(wd->resolve, b.exports.at_index(i).first);
        if (same) ++worlds_ok;
        else if (verbose) fmt::print("FAIL world {}: imports/exports differ\n", name);
      }
    }
  }
  fmt::print("worlds: {}/{} round-trip; skipped: {} not loadable, {} not encodable (empty)\n", worlds_ok,
             worlds_total, skipped, unencodable);
  fmt::print("wit-roundtrip: {} passed, {} failed\n", passed, failed);
  CHECK(passed > 0);
}
