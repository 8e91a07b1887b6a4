// The composition rules, each over components written for it (inputs/*.wat).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/compose/compose.hpp"

namespace wc = witc::compose;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  REQUIRE(f);
  return {std::istreambuf_iterator<char>(f), {}};
}
std::string str(const std::vector<std::uint8_t>& b) { return {b.begin(), b.end()}; }

wc::input in(const std::string& name) { return {name, str(slurp(fs::path(COMPOSE_INPUTS) / name))}; }

std::vector<wc::input> inputs(std::initializer_list<const char*> names) {
  std::vector<wc::input> v;
  for (const char* n : names) v.push_back(in(n));
  return v;
}

std::string messages(const witc::diagnostics& ds) {
  std::string s;
  for (const auto& d : ds) s += d.message + (d.hint.empty() ? "" : " [" + d.hint + "]") + "\n";
  return s;
}

struct composed {
  witc::result<wc::composition> plan;
  witc::source_map sm;
};

witc::result<wc::composition> plan(std::vector<wc::input> ins, wc::options o = {}) {
  static witc::source_map sm;  // diagnostics are read as text here; spans are not rendered
  o.validate = wc::validation::full;
  return wc::plan_composition(std::move(ins), o, sm);
}

const wc::link* link_of(const wc::composition& c, const std::string& consumer, const std::string& import) {
  for (const auto& l : c.plan().links)
    if (c.names()[l.consumer] == consumer && l.import == import) return &l;
  return nullptr;
}

// The imports and exports of a component as the composer sees them (composing it alone).
std::pair<std::vector<std::string>, std::vector<std::string>> outer_names(const std::vector<std::uint8_t>& bytes) {
  auto c = plan({{"out.wasm", str(bytes)}});
  REQUIRE(c);
  return {c->imports(), c->exports()};
}

}  // namespace

TEST_CASE("versions match by semver compatibility", "[compose][version]") {
  CHECK(wc::version_compatible("1.2.0", "1.3.1"));
  CHECK(wc::version_compatible("1.2.0", "1.2.0"));
  CHECK_FALSE(wc::version_compatible("1.2.0", "2.0.0"));
  CHECK_FALSE(wc::version_compatible("1.3.0", "1.2.9"));  // older export
  CHECK(wc::version_compatible("0.2.0", "0.2.7"));
  CHECK_FALSE(wc::version_compatible("0.2.0", "0.3.0"));
  CHECK_FALSE(wc::version_compatible("0.0.1", "0.0.2"));
  CHECK_FALSE(wc::version_compatible("1.0.0-rc1", "1.0.0"));
  CHECK(wc::version_compatible("1.0.0-rc1", "1.0.0-rc1"));
  CHECK(wc::version_compatible("", ""));
  CHECK_FALSE(wc::version_compatible("", "1.0.0"));
  CHECK_FALSE(wc::version_compatible("1.0.0", ""));

  // A 2.0.0 export does not satisfy a 1.2.0 import: it stays an import, the input unused.
  auto c = plan(inputs({"app.wasm", "kv2.wasm", "log.wasm"}));
  REQUIRE(c);
  const auto* l = link_of(*c, "app.wasm", "local:kv/store@1.2.0");
  REQUIRE(l);
  CHECK_FALSE(l->provider);
  REQUIRE(c->warnings().size() == 1);
  CHECK(c->warnings()[0].level == witc::level::warning);
  CHECK(c->warnings()[0].message == "kv2.wasm satisfies no import of the composition; it is left out");
}

TEST_CASE("transitive plugs, kept imports merged, root exports", "[compose][transitive]") {
  auto c = plan(inputs({"app.wasm", "kv.wasm", "log.wasm"}));
  INFO((c ? std::string() : messages(c.error())));
  REQUIRE(c);
  // app's 1.2.0 import takes kv's 1.3.1 export; kv's logger import (0.1.2) takes log's 0.1.5.
  const auto* kv = link_of(*c, "app.wasm", "local:kv/store@1.2.0");
  REQUIRE((kv && kv->provider));
  CHECK(c->names()[*kv->provider] == "kv.wasm");
  CHECK(kv->export_name == "local:kv/store@1.3.1");
  const auto* lg = link_of(*c, "kv.wasm", "local:log/logger@0.1.2");
  REQUIRE((lg && lg->provider));
  CHECK(c->names()[*lg->provider] == "log.wasm");
  // Providers first: log, kv, app.
  std::vector<std::string> order;
  for (auto i : c->plan().order) order.push_back(c->names()[i]);
  CHECK(order == std::vector<std::string>{"log.wasm", "kv.wasm", "app.wasm"});
  CHECK(c->imports() == std::vector<std::string>{"local:host/clock"});
  CHECK(c->exports() == std::vector<std::string>{"local:app/run"});
  CHECK(c->plan().unused.empty());

  std::string text = wc::format_plan(*c);
  CHECK(text.find("  import local:kv/store@1.2.0 <- kv.wasm: local:kv/store@1.3.1\n") != std::string::npos);
  CHECK(text.find("  import local:host/clock stays an import\n") != std::string::npos);
  std::string dot = wc::format_dot(*c);
  CHECK(dot.rfind("digraph composition {", 0) == 0);
  CHECK(dot.find("c1 -> c0 [label=\"local:kv/store@1.3.1\"];") != std::string::npos);
  CHECK(dot.find("c2 -> c1 [label=\"local:log/logger@0.1.5\"];") != std::string::npos);

  auto out = wc::build(*c);
  INFO((out ? std::string() : messages(out.error())));
  REQUIRE(out);
  auto v = witc::binary::validate_wasm(*out);
  INFO((v ? std::string() : messages(v.error())));
  CHECK(v);
  // Only what nobody provides is imported; the root's exports are exported.
  auto [imports, exports] = outer_names(*out);
  CHECK(imports == std::vector<std::string>{"local:host/clock"});
  CHECK(exports == std::vector<std::string>{"local:app/run"});
  // The clock import is the union of what app (`now`) and log (`now`, `resolution`) need.
  std::string bytes(out->begin(), out->end());
  CHECK(bytes.find("resolution") != std::string::npos);
}

TEST_CASE("nested and imported components", "[compose][import-components]") {
  for (bool imported : {false, true}) {
    wc::options o;
    o.import_components = imported;
    auto c = plan(inputs({"app.wasm", "kv.wasm", "log.wasm"}), o);
    REQUIRE(c);
    auto out = wc::build(*c);
    INFO((out ? std::string() : messages(out.error())));
    REQUIRE(out);
    CHECK(witc::binary::validate_wasm(*out));
    auto ast = witc::binary::read_component(*out);
    REQUIRE(ast);
    int nested = 0, component_imports = 0;
    for (const auto& s : ast->sections) {
      if (s.id == 4) ++nested;
      if (s.id == 10)
        for (const auto& im : std::get<std::vector<witc::binary::component::import>>(s.body))
          if (im.type.kind == 4) ++component_imports;
    }
    CHECK(nested == (imported ? 0 : 3));
    CHECK(component_imports == (imported ? 3 : 0));
    auto [imports, exports] = outer_names(*out);
    if (imported) CHECK(imports == std::vector<std::string>{"local:host/clock", "log", "kv", "app"});
    else CHECK(imports == std::vector<std::string>{"local:host/clock"});
    CHECK(exports == std::vector<std::string>{"local:app/run"});
  }
}

TEST_CASE("a type mismatch names import, export, files and the first differing item", "[compose][mismatch]") {
  auto c = plan(inputs({"mm-app.wasm", "mm-kv.wasm"}));
  REQUIRE_FALSE(c);
  REQUIRE(c.error().size() == 1);
  CHECK(c.error()[0].message ==
        "`local:kv/store@1.0.0` import of mm-app.wasm expects `get: func(key: string) -> option<list<u8>>`, "
        "mm-kv.wasm exports `get: func(key: string) -> list<u8>`");
  CHECK(c.error()[0].hint.rfind("`get`: in the result: expected `option<list<u8>>`, found `list<u8>`", 0) == 0);
}

TEST_CASE("resources crossing components are checked by identity", "[compose][resources]") {
  // kv defines `bucket`; app receives own<bucket> and passes borrow<bucket> back.
  auto good = plan(inputs({"app.wasm", "kv.wasm", "log.wasm"}));
  REQUIRE(good);
  auto bad = plan(inputs({"res-app.wasm", "res-bad.wasm"}));
  REQUIRE_FALSE(bad);
  CHECK(bad.error()[0].message ==
        "`local:res/api` import of res-app.wasm expects `make: func() -> thing`, res-bad.wasm exports `make: func() -> other`");
  CHECK(bad.error()[0].hint.find("expected resource `thing`, found resource `other`") != std::string::npos);
}

TEST_CASE("ambiguity is an error unless the user chooses", "[compose][ambiguity]") {
  auto c = plan(inputs({"app.wasm", "kv.wasm", "log.wasm", "log2.wasm"}));
  REQUIRE_FALSE(c);
  std::string m = messages(c.error());
  CHECK(m.find("the `local:log/logger@0.1.0` import of app.wasm is exported by more than one input: log.wasm "
               "(`local:log/logger@0.1.5`), log2.wasm (`local:log/logger@0.1.7`)") != std::string::npos);
  CHECK(m.find("[choose one with `--plug local:log/logger=FILE`]") != std::string::npos);

  wc::options o;
  o.plugs.push_back({"local:log/logger", "log2.wasm"});
  auto p = plan(inputs({"app.wasm", "kv.wasm", "log.wasm", "log2.wasm"}), o);
  INFO((p ? std::string() : messages(p.error())));
  REQUIRE(p);
  CHECK(p->names()[*link_of(*p, "app.wasm", "local:log/logger@0.1.0")->provider] == "log2.wasm");
  CHECK(p->names()[*link_of(*p, "kv.wasm", "local:log/logger@0.1.2")->provider] == "log2.wasm");
  REQUIRE(p->plan().unused.size() == 1);
  CHECK(p->names()[p->plan().unused[0]] == "log.wasm");

  // --with decides the root's import only; kv's stays ambiguous.
  wc::options w;
  w.withs.push_back({"local:log/logger@0.1.0", "log.wasm"});
  auto q = plan(inputs({"app.wasm", "kv.wasm", "log.wasm", "log2.wasm"}), w);
  REQUIRE_FALSE(q);
  CHECK(messages(q.error()).find("import of kv.wasm is exported by more than one input") != std::string::npos);
  CHECK(messages(q.error()).find("import of app.wasm") == std::string::npos);

  // A choice that does not export the interface is an error naming what it does export.
  wc::options bad;
  bad.plugs.push_back({"local:log/logger", "kv.wasm"});
  auto r = plan(inputs({"app.wasm", "kv.wasm", "log.wasm"}), bad);
  REQUIRE_FALSE(r);
  CHECK(messages(r.error()).find("`--plug local:log/logger=kv.wasm` chooses kv.wasm for the `local:log/logger@0.1.0` import of "
                                 "app.wasm, but it exports no compatible `local:log/logger` [it exports `local:kv/store@1.3.1`]") !=
        std::string::npos);
}

TEST_CASE("cycles are errors listing the links; a choice breaks them", "[compose][cycle]") {
  auto c = plan(inputs({"cyc-a.wasm", "cyc-b.wasm"}));
  REQUIRE_FALSE(c);
  CHECK(c.error()[0].message ==
        "the inputs form a cycle: cyc-a.wasm imports `local:c/b` from cyc-b.wasm; cyc-b.wasm imports `local:c/a` from cyc-a.wasm");

  wc::options o;
  o.plugs.push_back({"local:c/b", "cyc-b2.wasm"});
  auto p = plan(inputs({"cyc-a.wasm", "cyc-b.wasm", "cyc-b2.wasm"}), o);
  REQUIRE(p);
  CHECK(p->imports() == std::vector<std::string>{"local:c/other"});
  auto out = wc::build(*p);
  REQUIRE(out);
  CHECK(witc::binary::validate_wasm(*out));

  wc::options k;
  k.keep.push_back("local:c/b");
  auto q = plan(inputs({"cyc-a.wasm", "cyc-b.wasm"}), k);
  REQUIRE(q);
  CHECK(q->imports() == std::vector<std::string>{"local:c/b"});
}

TEST_CASE("bad inputs give clear errors", "[compose][inputs]") {
  auto core = plan(inputs({"app.wasm", "core-module.wasm"}));
  REQUIRE_FALSE(core);
  CHECK(core.error()[0].message == "core-module.wasm is a core module, not a component");

  auto text = plan({in("app.wasm"), {"notes.txt", "hello"}});
  REQUIRE_FALSE(text);
  CHECK(text.error()[0].message == "notes.txt is not a WebAssembly component");

  auto bytes = slurp(fs::path(COMPOSE_INPUTS) / "kv.wasm");
  bytes.resize(bytes.size() / 2);
  auto corrupt = plan({in("app.wasm"), {"kv.wasm", str(bytes)}});
  REQUIRE_FALSE(corrupt);
  CHECK(corrupt.error()[0].message.rfind("kv.wasm is corrupt: ", 0) == 0);

  auto none = plan({});
  REQUIRE_FALSE(none);
  CHECK(none.error()[0].message == "no input components");

  auto twice = plan(inputs({"app.wasm", "app.wasm"}));
  REQUIRE_FALSE(twice);
  CHECK(twice.error()[0].message == "app.wasm is given twice");
}

TEST_CASE("the CLI writes nothing on error, and the plan and graph on request", "[compose][cli]") {
  fs::path dir = fs::temp_directory_path() / fmt::format("wrt-compose-test-{}", ::getpid());
  fs::create_directories(dir);
  fs::path in_dir(COMPOSE_INPUTS);
  auto run = [&](const std::string& args) {
    std::string cmd = fmt::format("cd '{}' && '{}' {} >'{}' 2>&1", in_dir.string(), WRT_COMPOSE, args, (dir / "log").string());
    return std::system(cmd.c_str());
  };
  fs::path out = dir / "out.wasm";
  CHECK(run(fmt::format("mm-app.wasm mm-kv.wasm -o '{}'", out.string())) != 0);
  CHECK_FALSE(fs::exists(out));
  CHECK(run(fmt::format("app.wasm kv.wasm log.wasm -o '{}' --graph '{}'", out.string(), (dir / "g.dot").string())) == 0);
  CHECK(fs::exists(out));
  CHECK(witc::binary::validate_wasm(slurp(out)));
  CHECK(fs::exists(dir / "g.dot"));
  // An option given before the inputs takes one value, not the inputs after it.
  CHECK(run(fmt::format("--plug local:log/logger=log2.wasm app.wasm kv.wasm log.wasm log2.wasm -o '{}'", out.string())) == 0);
  fs::path dry = dir / "dry.wasm";
  CHECK(run(fmt::format("app.wasm kv.wasm log.wasm --dry-run -o '{}'", dry.string())) == 0);
  CHECK_FALSE(fs::exists(dry));
  std::ifstream log(dir / "log");
  std::string printed((std::istreambuf_iterator<char>(log)), {});
  CHECK(printed.find("import local:log/logger@0.1.2 <- log.wasm: local:log/logger@0.1.5") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("kept imports keep the names of the types they share", "[compose][named-types]") {
  // use-a and use-b both import `local:t/types` and `local:t/api` (whose `point` is the
  // record of `local:t/types`); use-b needs one more function of `local:t/api`.
  auto c = plan(inputs({"use-a.wasm", "use-b.wasm"}));
  INFO((c ? std::string() : messages(c.error())));
  REQUIRE(c);
  CHECK(c->imports() == std::vector<std::string>{"local:t/types", "local:t/api"});
  const auto* l = link_of(*c, "use-a.wasm", "local:t/extra");
  REQUIRE((l && l->provider));
  for (bool imported : {false, true}) {
    wc::options o;
    o.import_components = imported;
    auto p = plan(inputs({"use-a.wasm", "use-b.wasm"}), o);
    REQUIRE(p);
    auto out = wc::build(*p);
    INFO((out ? std::string() : messages(out.error())));
    REQUIRE(out);
    std::string bytes(out->begin(), out->end());
    CHECK(bytes.find("scale") != std::string::npos);
  }
}

TEST_CASE("plain function imports are satisfied by function exports of the same name", "[compose][functions]") {
  auto c = plan(inputs({"fn-app.wasm", "fn-plug.wasm"}));
  INFO((c ? std::string() : messages(c.error())));
  REQUIRE(c);
  const auto* l = link_of(*c, "fn-app.wasm", "greet");
  REQUIRE((l && l->provider));
  CHECK(l->export_name == "greet");
  CHECK(c->imports() == std::vector<std::string>{"local:impl/greeter"});
  auto out = wc::build(*c);
  REQUIRE(out);
  CHECK(witc::binary::validate_wasm(*out));
}

TEST_CASE("build_to streams the same bytes build returns", "[compose][stream]") {
  for (auto level : {wc::validation::none, wc::validation::links}) {
    wc::options o;
    o.validate = level;
    witc::source_map sm;
    auto c = wc::plan_composition(inputs({"app.wasm", "kv.wasm", "log.wasm"}), o, sm);
    REQUIRE(c);
    auto whole = wc::build(*c);
    REQUIRE(whole);
    std::vector<std::uint8_t> streamed;
    auto n = wc::build_to(*c, [&](std::span<const std::uint8_t> b) {
      streamed.insert(streamed.end(), b.begin(), b.end());
      return true;
    });
    REQUIRE(n);
    CHECK(*n == whole->size());
    CHECK(streamed == *whole);
    CHECK(witc::binary::validate_wasm(streamed));
  }
}
