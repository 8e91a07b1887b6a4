// `component new` over many worlds: every world of the wit-parser success cases and
// of the WASI packages (async ones aside) becomes a dummy core module with its world
// embedded; the component made must validate, and its WIT must be the embedded
// world's (same imports and exports, and every interface package printing the same).
// Plus the errors bad input gets, each naming the item.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>

#include "corpus.hpp"
#include "witc/binary/component_new.hpp"
#include "witc/binary/component_reader.hpp"
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
      auto json = p;
      json += p.extension() == ".wit" ? ".json" : ".wit.json";
      if (std::filesystem::exists(json) && (e.is_directory() || p.extension() == ".wit")) out.push_back(p);
    }
  for (const char* v : {"0.2.0", "0.2.12"}) {
    auto dir = test::shared_dir() / "corpus/wit/wasi" / v;
    if (std::filesystem::exists(dir)) out.push_back(dir);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_async(const wit::resolve& r, const wit::function& f) {
  if (f.kind == wit::function_kind::async_freestanding || f.kind == wit::function_kind::async_method ||
      f.kind == wit::function_kind::async_static)
    return true;
  (void)r;
  return false;
}

// Worlds `component new` does not take: async functions, futures and streams, and
// types a component type cannot hold (empty records, flags, ...).
bool takes(const wit::resolve& r, wit::world_id w) {
  for (const auto& t : r.types) {
    if (std::holds_alternative<wit::future>(t.kind) || std::holds_alternative<wit::stream>(t.kind)) return false;
    if (const auto* x = std::get_if<wit::record>(&t.kind); x && x->fields.empty()) return false;
    if (const auto* x = std::get_if<wit::flags>(&t.kind); x && x->flags.empty()) return false;
    if (const auto* x = std::get_if<wit::tuple>(&t.kind); x && x->types.empty()) return false;
    if (const auto* x = std::get_if<wit::variant>(&t.kind); x && x->cases.empty()) return false;
    if (const auto* x = std::get_if<wit::enum_>(&t.kind); x && x->cases.empty()) return false;
    if (std::holds_alternative<wit::map>(t.kind) || std::holds_alternative<wit::fixed_list>(t.kind)) return false;
  }
  if (!r[w].package) return false;
  auto check = [&](const auto& items) {
    for (const auto& [k, item] : items) {
      if (item.kind == wit::world_item::kind::function && is_async(r, item.func)) return false;
      if (item.kind == wit::world_item::kind::interface)
        for (const auto& [n, f] : r[item.iface].functions)
          if (is_async(r, f)) return false;
    }
    return true;
  };
  return check(r[w].imports) && check(r[w].exports);
}

std::string key_name(const wit::resolve& r, const wit::world_key& k) {
  if (!k.is_interface) return k.name;
  const auto& in = r[k.iface];
  if (!in.package) return in.name.value_or("?");
  return r[*in.package].name.to_string() + "/" + in.name.value_or("?");
}

// The world's items and the WIT of every named package, to compare two decodings.
std::string surface(const decoded_wit& d, wit::world_id w) {
  std::string out;
  for (const auto& [k, item] : d.resolve[w].imports) out += "import " + key_name(d.resolve, k) + "\n";
  for (const auto& [k, item] : d.resolve[w].exports) out += "export " + key_name(d.resolve, k) + "\n";
  std::vector<std::string> pkgs;
  for (std::uint32_t i = 0; i < d.resolve.packages.size(); ++i) {
    const auto& n = d.resolve.packages[i].name;
    if (n.ns == "root" && n.name == "component") continue;
    // The embedded world's own package holds the world too; compare interfaces only.
    std::string ifaces;
    for (const auto& [name, id] : d.resolve.packages[i].interfaces) ifaces += "interface " + name + ";";
    if (!ifaces.empty()) pkgs.push_back(n.to_string() + ": " + ifaces);
  }
  std::sort(pkgs.begin(), pkgs.end());
  for (const auto& p : pkgs) out += p + "\n";
  return out;
}

// The printed WIT of each world-level function and interface, as the component sees them.
std::string interfaces_text(const decoded_wit& d, wit::world_id w) {
  std::string out;
  auto one = [&](const wit::world_key& k, const wit::world_item& item) {
    if (item.kind != wit::world_item::kind::interface) return;
    const auto& in = d.resolve[item.iface];
    out += key_name(d.resolve, k) + " {";
    for (const auto& [n, t] : in.types) out += " type " + n;
    for (const auto& [n, f] : in.functions) out += fmt::format(" func {}/{}{}", n, f.params.size(), f.result ? "+r" : "");
    out += " }\n";
  };
  for (const auto& [k, item] : d.resolve[w].imports) one(k, item);
  for (const auto& [k, item] : d.resolve[w].exports) one(k, item);
  return out;
}

result<std::vector<std::uint8_t>> make(const std::string& wit, const std::string& embed_wit = {}) {
  wit::resolve r;
  source_map sm;
  WITC_TRY(auto pkgs, wit::push_source(r, sm, "a.wit", wit));
  WITC_TRY(auto w, wit::select_world(r, pkgs, ""));
  WITC_TRY(auto core, dummy_module(r, w));
  if (embed_wit.empty()) return embed_world(core, r, w);
  wit::resolve r2;
  WITC_TRY(auto pkgs2, wit::push_source(r2, sm, "b.wit", embed_wit));
  WITC_TRY(auto w2, wit::select_world(r2, pkgs2, ""));
  return embed_world(core, r2, w2);
}

std::string error_of(const result<std::vector<std::uint8_t>>& r) {
  if (r) return "(no error)";
  return r.error().front().message;
}

}  // namespace

TEST_CASE("component new over every world of the WIT corpus and WASI") {
  auto cases = wit_cases();
  if (cases.empty()) {
    WARN("SKIP: no WIT corpus under " << test::shared_dir().string());
    return;
  }
  bool verbose = std::getenv("WITC_VERBOSE") != nullptr;
  int ok_count = 0, failed = 0, left_out = 0, printed_same = 0, printed_differ = 0;
  for (const auto& path : cases) {
    wit::resolve r;
    r.all_features = true;
    source_map sm;
    auto pkgs = wit::push_path(r, sm, path);
    if (!pkgs) continue;
    for (std::uint32_t wi = 0; wi < r.worlds.size(); ++wi) {
      wit::world_id w{wi};
      if (!takes(r, w)) {
        ++left_out;
        continue;
      }
      std::string label = fmt::format("{} world {}", path.filename().string(), r[w].name);
      auto report = [&](const std::string& why) {
        ++failed;
        if (verbose) fmt::print("FAIL {}: {}\n", label, why);
      };
      auto core = dummy_module(r, w);
      if (!core) { report("dummy: " + core.error().front().message); continue; }
      auto embedded = embed_world(*core, r, w);
      if (!embedded) { report("embed: " + embedded.error().front().message); continue; }
      auto comp = component_new(*embedded);
      if (!comp) { report("new: " + comp.error().front().message); continue; }
      if (auto v = validate_wasm(*comp); !v) { report("validate: " + v.error().front().message); continue; }
      auto got = decode_wit(*comp);
      auto payload = encode_world(r, w);
      if (!payload) { report("encode: " + payload.error().front().message); continue; }
      auto want = decode_wit(*payload);
      if (!got || !got->world || !want || !want->world) { report("decode"); continue; }
      // Packages other than the world's own print the same WIT, types included.
      for (std::uint32_t pi = 0; pi < got->resolve.packages.size(); ++pi) {
        const auto& name = got->resolve.packages[pi].name;
        for (std::uint32_t qi = 0; qi < want->resolve.packages.size(); ++qi)
          if (want->resolve.packages[qi].name == name && want->resolve.packages[qi].worlds.size() == 0) {
            auto x = print_wit(want->resolve, wit::package_id{qi}), y = print_wit(got->resolve, wit::package_id{pi});
            if (x != y && verbose) fmt::print("PRINT DIFFERS {}:\n--- embedded\n{}--- component\n{}", label, x, y);
            if (x != y) ++printed_differ;
            else ++printed_same;
          }
      }
      auto a = surface(*want, *want->world) + interfaces_text(*want, *want->world);
      auto b = surface(*got, *got->world) + interfaces_text(*got, *got->world);
      if (a != b) {
        report("WIT differs");
        if (verbose) fmt::print("--- embedded\n{}--- component\n{}", a, b);
        continue;
      }
      ++ok_count;
    }
  }
  fmt::print("component new: {}/{} worlds made, validated and read back as embedded ({} async/unencodable left out)\n",
             ok_count, ok_count + failed, left_out);
  fmt::print("component new: {}/{} dependency packages print the same WIT\n", printed_same,
             printed_same + printed_differ);
  CHECK(failed == 0);
  // An exported interface using resources of an imported one (wasi:http/incoming-handler)
  // must decode with `use types.{...}`, as in the embedded world.
  CHECK(printed_differ == 0);
  CHECK(printed_same > 100);
  CHECK(ok_count > 100);
}

namespace {

// World `w` made into a component by `component new` and decoded back.
result<decoded_wit> made_and_decoded(const wit::resolve& r, wit::world_id w) {
  WITC_TRY(auto core, dummy_module(r, w));
  WITC_TRY(auto embedded, embed_world(core, r, w));
  WITC_TRY(auto comp, component_new(embedded));
  WITC_CHECK(validate_wasm(comp));
  return decode_wit(comp);
}

std::optional<wit::package_id> package_named(const wit::resolve& r, const std::string& name) {
  for (std::uint32_t i = 0; i < r.packages.size(); ++i)
    if (r.packages[i].name.to_string() == name) return wit::package_id{i};
  return std::nullopt;
}

}  // namespace

// A component exporting an interface whose types come from an imported one gets the
// export's instance from a nested component that imports those types and re-exports
// them; decoded, they are aliases of the imported interface's types, printed as `use`
// (what `wasm-tools component wit` and wit-parser's decoder give).
TEST_CASE("component new: an exported interface's `use` of an imported interface decodes as `use`") {
  wit::resolve r;
  source_map sm;
  auto pkgs = wit::push_source(r, sm, "a.wit", R"(package a:b;
interface types {
  resource req { path: func() -> string; }
  resource out;
  record point { x: u32, y: u32 }
  variant err { bad(string), worse }
}
interface handler {
  use types.{req, out as outparam, point, err};
  handle: func(r: req, o: outparam, p: point) -> result<point, err>;
}
world w { import types; export handler; })");
  REQUIRE(pkgs);
  auto w = wit::select_world(r, *pkgs, "");
  REQUIRE(w);
  auto d = made_and_decoded(r, *w);
  REQUIRE(d);
  auto p = package_named(d->resolve, "a:b");
  REQUIRE(p);
  auto text = print_wit(d->resolve, *p);
  CHECK(text.find(R"(interface handler {
  use types.{req, out as outparam, point, err};

  handle: func(r: req, o: outparam, p: point) -> result<point, err>;
}
)") != std::string::npos);
  // In the graph: each of the handler's types is an alias of the `types` interface's one.
  auto handler = d->resolve[*p].interfaces.find("handler");
  auto types = d->resolve[*p].interfaces.find("types");
  REQUIRE(handler != d->resolve[*p].interfaces.end());
  REQUIRE(types != d->resolve[*p].interfaces.end());
  for (const auto& [name, id] : d->resolve[handler->second].types) {
    const auto* al = std::get_if<wit::alias>(&d->resolve[id].kind);
    REQUIRE(al);
    REQUIRE(al->target.is_id());
    const auto& target = d->resolve[al->target.id()];
    CHECK(target.owner.kind == wit::type_owner::kind::interface);
    CHECK(target.owner.index == types->second.index);
  }
}

TEST_CASE("component new: the wasi:http proxy world decodes with `use` in incoming-handler") {
  auto dir = test::shared_dir() / "corpus/wit/wasi/0.2.0";
  if (!std::filesystem::exists(dir)) {
    WARN("SKIP: no WASI WIT under " << dir.string());
    return;
  }
  wit::resolve r;
  source_map sm;
  auto pkgs = wit::push_path(r, sm, dir);
  REQUIRE(pkgs);
  auto http = package_named(r, "wasi:http@0.2.0");
  REQUIRE(http);
  auto proxy = r[*http].worlds.find("proxy");
  REQUIRE(proxy != r[*http].worlds.end());
  auto d = made_and_decoded(r, proxy->second);
  REQUIRE(d);
  auto p = package_named(d->resolve, "wasi:http@0.2.0");
  REQUIRE(p);
  auto text = print_wit(d->resolve, *p);
  CHECK(text.find(R"(interface incoming-handler {
  use types.{incoming-request, response-outparam};

  handle: func(request: incoming-request, response-out: response-outparam);
}
)") != std::string::npos);
  CHECK(text.find(R"(interface outgoing-handler {
  use types.{outgoing-request, request-options, future-incoming-response, error-code};
)") != std::string::npos);
  // The `types` interface declares each resource; no other interface redeclares one.
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  CHECK(count("resource incoming-request") == 1);
  CHECK(count("resource response-outparam") == 1);
  auto handler = d->resolve[*p].interfaces.find("incoming-handler");
  REQUIRE(handler != d->resolve[*p].interfaces.end());
  for (const auto& [name, id] : d->resolve[handler->second].types)
    CHECK(std::holds_alternative<wit::alias>(d->resolve[id].kind));

  // Damaged copies of the component decode or fail cleanly, and what decodes prints.
  auto core = dummy_module(r, proxy->second);
  REQUIRE(core);
  auto embedded = embed_world(*core, r, proxy->second);
  REQUIRE(embedded);
  auto comp = component_new(*embedded);
  REQUIRE(comp);
  int decoded = 0, rejected = 0;
  std::uint32_t seed = 12345;
  for (int i = 0; i < 400; ++i) {
    auto bytes = *comp;
    seed = seed * 1664525u + 1013904223u;
    std::size_t at = 8 + seed % (bytes.size() - 8);
    if (i % 4 == 3) bytes.resize(at);  // truncated
    else bytes[at] ^= static_cast<std::uint8_t>(1u << (seed >> 29));
    auto x = decode_wit(bytes);
    if (!x) { ++rejected; continue; }
    ++decoded;
    for (std::uint32_t q = 0; q < x->resolve.packages.size(); ++q) (void)print_wit(x->resolve, wit::package_id{q});
  }
  CHECK(decoded + rejected == 400);
  CHECK(rejected > 0);
}

TEST_CASE("component new: resources, post-return and _initialize are wired") {
  auto comp = make(R"(package a:b;
interface i { resource r { constructor(x: u32); get: func() -> string; } f: func(x: list<u8>) -> string; }
world w { import i; export i; export run: func() -> result<string, u32>; })");
  REQUIRE(comp);
  auto made = component_new(*comp);
  REQUIRE(made);
  REQUIRE(validate_wasm(*made));
  auto c = read_component(*made);
  REQUIRE(c);
  int lifts = 0, lowers = 0, resource_ops = 0, post_returns = 0, nested = 0;
  for (const auto& s : c->sections) {
    if (s.id == 4) ++nested;
    if (const auto* cs = std::get_if<std::vector<component::canon>>(&s.body))
      for (const auto& x : *cs) {
        if (x.op == 0x00) ++lifts;
        if (x.op == 0x01) ++lowers;
        if (x.op >= 0x02 && x.op <= 0x04) ++resource_ops;
        for (const auto& o : x.opts) post_returns += o.kind == 5;
      }
  }
  CHECK(lifts == 4);           // constructor, get, f, run
  CHECK(lowers == 3);          // the imported constructor, get, f
  CHECK(resource_ops == 4);    // imported drop; exported new, rep, drop
  CHECK(post_returns == 4);    // the dummy exports cabi_post_ for every lift with results
  CHECK(nested == 1);          // the exported interface's nested component
}

TEST_CASE("component new: bad input names the item") {
  const std::string a = "package a:b; world w { export f: func(x: u32) -> u32; }";
  // No embedded world.
  {
    wit::resolve r;
    source_map sm;
    auto pkgs = wit::push_source(r, sm, "a.wit", a);
    REQUIRE(pkgs);
    auto w = wit::select_world(r, *pkgs, "");
    REQUIRE(w);
    auto core = dummy_module(r, *w);
    REQUIRE(core);
    auto made = component_new(*core);
    CHECK(error_of(made).find("no `component-type` custom section") != std::string::npos);
  }
  // An export the world names but the module lacks.
  auto missing = make("package a:b; world w { export g: func(); }", a);
  REQUIRE(missing);
  CHECK(error_of(component_new(*missing)).find("does not export function `f`") != std::string::npos);
  // An export with the wrong core signature.
  auto mismatch = make("package a:b; world w { export f: func(x: string) -> u32; }", a);
  REQUIRE(mismatch);
  auto e = error_of(component_new(*mismatch));
  CHECK(e.find("`f` with type [i32 i32] -> [i32], expected [i32] -> [i32]") != std::string::npos);
  // An import from an interface the world does not import.
  auto unknown = make("package a:b; interface i { h: func(); } world w { import i; }",
                      "package a:b; world w { export g: func(); }");
  REQUIRE(unknown);
  auto u = error_of(component_new(*unknown));
  CHECK(u.find("imports `h` from module `a:b/i`, which the world does not import") != std::string::npos);
  // An import whose signature differs from the world's.
  auto bad_import = make("package a:b; interface i { h: func(x: u64); } world w { import i; }",
                         "package a:b; interface i { h: func(x: u32); } world w { import i; }");
  REQUIRE(bad_import);
  auto b = error_of(component_new(*bad_import));
  CHECK(b.find("`a:b/i` `h` with type [i64] -> [], expected [i32] -> []") != std::string::npos);
  // Not a module at all.
  std::vector<std::uint8_t> junk = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
  CHECK(!component_new(junk));
  // An adapter the module imports nothing from is left out, even a broken one.
  component_new_options opts;
  opts.adapters.push_back({"wasi_snapshot_preview1", {1, 2, 3}});
  auto ok_core = make(a);
  REQUIRE(ok_core);
  CHECK(component_new(*ok_core, opts));
}

TEST_CASE("component new merges several component-type sections") {
  const std::string all = "package a:b; interface i { h: func(x: u32); } world w { import i; export f: func() -> u32; }";
  wit::resolve r;
  source_map sm;
  auto pkgs = wit::push_source(r, sm, "all.wit", all);
  REQUIRE(pkgs);
  auto w = wit::select_world(r, *pkgs, "");
  REQUIRE(w);
  auto core = dummy_module(r, *w);
  REQUIRE(core);
  // Two bindings runs, one per half of the world, each embedding its own section.
  wit::resolve ra, rb;
  auto pa = wit::push_source(ra, sm, "a.wit", "package a:b; interface i { h: func(x: u32); } world wa { import i; }");
  auto pb = wit::push_source(rb, sm, "b.wit", "package a:b; world wb { export f: func() -> u32; }");
  REQUIRE(pa);
  REQUIRE(pb);
  auto wa = wit::select_world(ra, *pa, ""), wb = wit::select_world(rb, *pb, "");
  REQUIRE(wa);
  REQUIRE(wb);
  auto once = embed_world(*core, ra, *wa);
  REQUIRE(once);
  auto twice = embed_world(*once, rb, *wb);
  REQUIRE(twice);
  auto made = component_new(*twice);
  REQUIRE(made);
  auto d = decode_wit(*made);
  REQUIRE(d);
  REQUIRE(d->world);
  const auto& world = d->resolve[*d->world];
  CHECK(world.imports.size() == 1);
  CHECK(world.exports.size() == 1);
  // Sections that disagree on an item are an error naming it.
  auto pc = wit::push_source(rb, sm, "c.wit", "package a:c; world wc { export f: func() -> string; }");
  REQUIRE(pc);
  auto wc = wit::select_world(rb, *pc, "");
  REQUIRE(wc);
  auto clash = embed_world(*twice, rb, *wc);
  REQUIRE(clash);
  auto e = component_new(*clash);
  REQUIRE(!e);
  CHECK(e.error().front().message.find("disagree on export `f`") != std::string::npos);
}
