// The component text format: every construct of the WIT-package subset, errors
// with their positions, WAT written the way `wasm-tools component wit --wat`
// prints it decoding to the same WIT as our own encoding, and binary WIT packages
// (`.wat` / `.wasm`) in `deps/` through `wit::push_path`'s loader.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "corpus.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/load.hpp"

namespace {

namespace c = witc::binary::component;
namespace fs = std::filesystem;

struct parsed {
  witc::source_map sm;
  witc::result<c::component> comp = witc::fail(witc::diagnostic::global("unset"));
};

parsed parse(std::string text) {
  parsed p;
  std::size_t idx = p.sm.files().size();
  p.sm.add("t.wat", std::move(text));
  p.comp = witc::binary::parse_wat(p.sm, idx);
  return p;
}

// `line:col: message` of the first diagnostic.
std::string where(const parsed& p) {
  REQUIRE_FALSE(p.comp);
  const auto& d = p.comp.error().front();
  if (!d.has_span) return "-: " + d.message;
  auto loc = p.sm.locate(d.span.begin);
  return fmt::format("{}:{}: {}", loc.line, loc.column, d.message);
}

const std::vector<c::type>& types_of(const c::section& s) { return std::get<std::vector<c::type>>(s.body); }
const c::defvaltype& defval(const c::type& t) { return std::get<c::defvaltype>(t.def); }

// The WIT text of the single package `bytes` encodes.
std::string wit_of(const std::vector<std::uint8_t>& bytes) {
  auto d = witc::binary::decode_wit(bytes);
  if (!d) {
    witc::source_map sm;
    FAIL(witc::render(d.error(), sm));
  }
  REQUIRE(d->packages.size() == 1);
  return witc::binary::print_wit(d->resolve, d->packages[0]);
}

}  // namespace

TEST_CASE("wat: comments, ids and numeric indices", "[component][wat]") {
  auto p = parse(R"(;; a line comment
(component $c (; a (; nested ;) block comment ;)
  (type $t u32)
  (type (list $t))
  (type 1)  ;; a primitive written as a definition? no: an index is not a type definition
))");
  CHECK(where(p) == "5:9: expected a type definition, found `1`");

  p = parse(R"((component
  (type $t u32)
  (type (;1;) (list $t))
  (type (tuple 0 1 0x0 string))
  (export "l" (type 1))
  (export $e "t" (type $t))
  (export "e" (type $e))
))");
  REQUIRE(p.comp);
  const auto& secs = p.comp->sections;
  REQUIRE(secs.size() == 2);
  const auto& ts = types_of(secs[0]);
  REQUIRE(ts.size() == 3);
  CHECK(defval(ts[0]).code == c::prim::u32);
  CHECK(defval(ts[1]).code == 0x70);
  CHECK(defval(ts[1]).a->idx == 0);
  const auto& tup = defval(ts[2]);
  REQUIRE(tup.types.size() == 4);
  CHECK(tup.types[1].idx == 1);
  CHECK(tup.types[3].is_prim);
  const auto& ex = std::get<std::vector<c::export_>>(secs[1].body);
  REQUIRE(ex.size() == 3);
  CHECK(ex[0].item.idx == 1);
  CHECK(ex[1].item.idx == 0);
  CHECK(ex[2].item.idx == 4);  // `$e` is the type export 1 defined: index 3 + 1
}

TEST_CASE("wat: every defined value type", "[component][wat]") {
  auto p = parse(R"((component
  (type $r (record (field "a" u32) (field "b" string)))
  (type (variant (case "x") (case $y "y" $r) (case "z" (list u8))))
  (type (list u8 4))
  (type (flags "read" "write"))
  (type (enum "a" "b" "c"))
  (type (option $r))
  (type (result))
  (type (result u32))
  (type (result (error string)))
  (type (result $r (error u8)))
  (type $res (resource (rep i32)))
  (type (resource (rep i32) (dtor (func 0))))
  (type (own $res))
  (type (borrow $res))
  (type (stream u8))
  (type (stream))
  (type (future string))
  (type (map string u32))
  (type error-context)
  (type (func))
  (type (func async (param "a" u32) (param "b" (option string)) (result $r)))
))");
  REQUIRE(p.comp);
  const auto& ts = types_of(p.comp->sections.at(0));
  // The variant's `(list u8)` and the func's `(option string)` were hoisted just before.
  REQUIRE(ts.size() == 23);
  CHECK(defval(ts[0]).fields.size() == 2);
  CHECK(defval(ts[1]).code == 0x70);
  const auto& v = defval(ts[2]);
  REQUIRE(v.cases.size() == 3);
  CHECK_FALSE(v.cases[0].type);
  CHECK(v.cases[1].type->idx == 0);
  CHECK(v.cases[2].type->idx == 1);
  CHECK(defval(ts[3]).code == 0x67);
  CHECK(defval(ts[3]).idx == 4);
  CHECK(defval(ts[4]).names == std::vector<std::string>{"read", "write"});
  CHECK(defval(ts[5]).code == 0x6d);
  CHECK(defval(ts[6]).code == 0x6b);
  CHECK((!defval(ts[7]).a && !defval(ts[7]).b));
  CHECK((defval(ts[8]).a && !defval(ts[8]).b));
  CHECK((!defval(ts[9]).a && defval(ts[9]).b));
  CHECK((defval(ts[10]).a->idx == 0 && defval(ts[10]).b->prim == c::prim::u8));
  CHECK(std::holds_alternative<c::resourcetype>(ts[11].def));
  CHECK(*std::get<c::resourcetype>(ts[12].def).dtor == 0);
  CHECK((defval(ts[13]).code == 0x69 && defval(ts[13]).idx == 11));
  CHECK((defval(ts[14]).code == 0x68 && defval(ts[14]).idx == 11));
  CHECK(defval(ts[15]).code == 0x66);
  CHECK_FALSE(defval(ts[16]).a);
  CHECK(defval(ts[17]).code == 0x65);
  CHECK(defval(ts[18]).code == 0x63);
  CHECK(defval(ts[19]).code == c::prim::error_context);
  CHECK(std::get<c::functype>(ts[20].def).params.empty());
  CHECK(defval(ts[21]).code == 0x6b);  // hoisted `(option string)`
  const auto& f = std::get<c::functype>(ts[22].def);
  CHECK(f.async);
  REQUIRE(f.params.size() == 2);
  CHECK(f.params[1].type.idx == 21);
  CHECK(f.result->idx == 0);
  // What we built encodes and decodes back to the same sections.
  auto bytes = witc::binary::write_component(*p.comp);
  auto back = witc::binary::read_component(bytes);
  REQUIRE(back);
  CHECK(witc::binary::write_component(*back) == bytes);
}

TEST_CASE("wat: component and instance types, imports, exports and aliases", "[component][wat]") {
  auto p = parse(R"((component $top
  (type $i (instance
    (export "r" (type $r (sub resource)))
    (type $own (own $r))
    (export "make" (func (result $own)))
    (export "t" (type (eq $own)))
  ))
  (import "a:b/i" (instance $a (type $i)))
  (alias export $a "r" (type $r))
  (import "inline" (instance $b (export "f" (func (param "x" u32)))))
  (alias export $b "f" (func $f))
  (instance $bundle (export "f" (func $f)) (export "r" (type $r)))
  (export "bundle" (instance $bundle))
  (type $ct (component
    (import "dep" (instance $d (export "r" (type (sub resource)))))
    (alias export $d "r" (type $dr))
    (alias outer $top $r (type $outer-r))
    (type (own $dr))
    (type (borrow $outer-r))
    (type (instance (alias outer $ct $dr (type $again)) (export "x" (type (eq $again)))))
  ))
  (import "c" (component (type $ct)))
  (@custom "package-docs" "\00{\"docs\":\u{41}}")
  (@producers (processed-by "x" "1"))
))");
  if (!p.comp) FAIL(where(p));
  const auto& secs = p.comp->sections;
  std::vector<int> ids;
  for (const auto& s : secs) ids.push_back(s.id);
  // type, import, alias, type (hoisted inline instance), import, alias, instance,
  // export, type, import, custom.
  CHECK(ids == std::vector<int>{7, 10, 6, 7, 10, 6, 5, 11, 7, 10, 0});
  const auto& inst = std::get<c::componenttype>(types_of(secs[0])[0].def);
  REQUIRE(inst.decls.size() == 5);  // the inline `(func (result $own))` is hoisted before its export
  CHECK(inst.decls[0].tag == 4);
  CHECK_FALSE(inst.decls[0].ext.bound_eq);
  CHECK(inst.decls[2].tag == 1);
  CHECK(inst.decls[3].ext.kind == 1);
  CHECK(inst.decls[3].ext.idx == 2);
  CHECK(inst.decls[4].ext.idx == 1);
  const auto& al = std::get<std::vector<c::alias>>(secs[2].body)[0];
  CHECK((al.target == 0 && al.instance == 0 && al.name == "r"));
  const auto& ct = std::get<c::componenttype>(types_of(secs[8])[0].def);
  // import's hoisted instance type, import, alias export, alias outer, own, borrow, instance type.
  REQUIRE(ct.decls.size() == 7);
  CHECK((ct.decls[3].tag == 2 && ct.decls[3].alias.target == 2 && ct.decls[3].alias.count == 1 &&
         ct.decls[3].alias.idx == 1));
  CHECK(defval(*ct.decls[4].type).idx == 1);
  CHECK(defval(*ct.decls[5].type).idx == 2);
  const auto& inner = std::get<c::componenttype>(ct.decls[6].type->def);
  CHECK((inner.decls[0].alias.count == 1 && inner.decls[0].alias.idx == 1));
  const auto& cu = std::get<c::custom>(secs.back().body);
  CHECK(cu.name == "package-docs");
  CHECK(std::string(cu.data.begin(), cu.data.end()) == std::string("\0{\"docs\":A}", 11));
  CHECK(witc::binary::read_component(witc::binary::write_component(*p.comp)));
}

TEST_CASE("wat: errors name the problem and the place", "[component][wat]") {
  CHECK(where(parse("(component\n  (core module)\n)")) ==
        "2:3: `(core module` is not supported in the text format yet");
  CHECK(where(parse("(module)")) == "1:1: `(module` is not supported in the text format yet");
  CHECK(where(parse("(component (canon lift (core func 0)))")) ==
        "1:12: `(canon` is not supported in the text format yet");
  CHECK(where(parse("(component (type (list $nope)))")) == "1:24: unknown type `$nope`");
  CHECK(where(parse("(component (type $a u8) (type $a u8))")) == "1:31: duplicate type identifier `$a`");
  CHECK(where(parse("(component (type (record (field \"a\"))))")) == "1:36: expected a value type, found `)`");
  CHECK(where(parse("(component (type (list 4294967296)))")) ==
        "1:24: number `4294967296` is too large for a u32 index");
  CHECK(where(parse("(component (export \"x\" (type 0))")) == "1:1: unclosed `(`: expected `)`, found end of file");
  CHECK(where(parse("(component (export \"x)))")) == "1:20: unterminated string: expected `\"`, found end of file");
  CHECK(where(parse("(component (; never closed")) == "1:12: unterminated block comment");
  CHECK(where(parse("(component))")) == "1:12: unexpected `)`");
  CHECK(where(parse("(component) (component)")) == "1:13: expected end of file, found `(component`");
  CHECK(where(parse("")) == "1:1: expected `(component`, found end of file");
  CHECK(where(parse("(component (type (frob)))")).rfind("1:18: expected a value type definition", 0) == 0);
  CHECK(where(parse("(component (type (func (result \"a\" u32))))")) ==
        "1:32: `(result \"name\"` is not supported in the text format yet");
  CHECK(where(parse("(component (type (instance (import \"x\" (func)))))")) ==
        "1:28: expected a declaration of an instance type (`type`, `alias` or `export`), found `(import`");
  CHECK(where(parse("(component (alias outer 5 0 (type)))")) == "1:25: outer count 5 is beyond the outermost scope");
  CHECK(where(parse("(component \x01)")) == "1:12: unexpected character `\\x01`");
  CHECK(where(parse("(component (export \"a\" \"b\\q\"))")) == "1:26: invalid string escape `\\q`");
  CHECK(where(parse("(component (export \"\\ff\" (type 0)))")) == "1:20: malformed UTF-8 encoding in a name");
  CHECK(where(parse("(component (alias outer 0 0 (func)))")) == "1:29: an outer alias names a type or a component");
  std::string nested = "(component (type ";
  for (int i = 0; i < 101; ++i) nested += "(instance (type ";
  nested += "u8";
  for (int i = 0; i < 101; ++i) nested += "))";
  CHECK(where(parse(nested + "))")).find("nested too deeply") != std::string::npos);
  // Deep nesting is an error, never a stack overflow.
  std::string deep = "(component (type ";
  for (int i = 0; i < 100000; ++i) deep += "(list ";
  CHECK(where(parse(deep)).find("nesting too deep") != std::string::npos);
}

TEST_CASE("wat: wasm-tools style WIT package decodes to the same WIT as our encoding", "[component][wat]") {
  // `wasm-tools component wit --wat` of the package below, written out by hand.
  const char* wat = R"((component
  (type (;0;)
    (component
      (type (;0;)
        (instance
          (type (;0;) (record (field "x" s32) (field "y" s32)))
          (export (;1;) "point" (type (eq 0)))
          (type (;2;) (variant (case "circle" u32) (case "square" 1) (case "none")))
          (export (;3;) "shape" (type (eq 2)))
          (type (;4;) (enum "red" "green"))
          (export (;5;) "color" (type (eq 4)))
          (type (;6;) (flags "read" "write"))
          (export (;7;) "perms" (type (eq 6)))
          (export (;8;) "blob" (type (sub resource)))
          (type (;9;) (option u32))
          (type (;10;) (tuple string 9))
          (export (;11;) "pair" (type (eq 10)))
          (type (;12;) (list u8))
          (type (;13;) (own 8))
          (type (;14;) (func (param "data" 12) (result 13)))
          (export (;0;) "[constructor]blob" (func (type 14)))
          (type (;15;) (borrow 8))
          (type (;16;) (func (param "self" 15) (result u64)))
          (export (;1;) "[method]blob.size" (func (type 16)))
          (type (;17;) (func (param "a" 15) (param "b" 13) (result 13)))
          (export (;2;) "[static]blob.merge" (func (type 17)))
          (type (;18;) (result 3 (error string)))
          (type (;19;) (func (param "p" 1) (result 18)))
          (export (;3;) "get" (func (type 19)))
        )
      )
      (export (;0;) "test:pkg/types@1.0.0" (instance (type 0)))
    )
  )
  (export (;1;) "types" (type 0))
  (type (;2;)
    (component
      (type (;0;)
        (instance
          (type (;0;) (record (field "x" s32) (field "y" s32)))
          (export (;1;) "point" (type (eq 0)))
        )
      )
      (import "test:pkg/types@1.0.0" (instance (;0;) (type 0)))
      (alias export 0 "point" (type (;1;)))
      (type (;2;)
        (instance
          (alias outer 1 1 (type (;0;)))
          (export (;1;) "point" (type (eq 0)))
          (type (;2;) (list 1))
          (type (;3;) (func (param "p" 1) (result 2)))
          (export (;0;) "f" (func (type 3)))
        )
      )
      (export (;1;) "test:pkg/user@1.0.0" (instance (type 2)))
    )
  )
  (export (;3;) "user" (type 2))
  (type (;4;)
    (component
      (type (;0;)
        (component
          (type (;0;) (func (param "x" u32) (result string)))
          (import "f" (func (;0;) (type 0)))
          (type (;1;) (func))
          (export (;1;) "run" (func (type 1)))
        )
      )
      (export (;0;) "test:pkg/w@1.0.0" (component (type 0)))
    )
  )
  (export (;5;) "w" (type 4))
  (@producers (processed-by "wit-component" "0.220.0"))
))";
  const char* wit = R"(package test:pkg@1.0.0;

interface types {
  record point { x: s32, y: s32 }
  variant shape { circle(u32), square(point), none }
  enum color { red, green }
  flags perms { read, write }
  resource blob {
    constructor(data: list<u8>);
    size: func() -> u64;
    merge: static func(a: borrow<blob>, b: own<blob>) -> blob;
  }
  type pair = tuple<string, option<u32>>;
  get: func(p: point) -> result<shape, string>;
}

interface user {
  use types.{point};
  f: func(p: point) -> list<point>;
}

world w {
  import f: func(x: u32) -> string;
  export run: func();
}
)";
  witc::source_map sm;
  sm.add("t.wat", wat);
  auto ours = witc::binary::wat_to_wasm(sm, 0);
  if (!ours) FAIL(witc::render(ours.error(), sm));

  witc::wit::resolve r;
  auto pkgs = witc::wit::push_source(r, sm, "t.wit", wit);
  if (!pkgs) FAIL(witc::render(pkgs.error(), sm));
  auto encoded = witc::binary::encode_package(r, pkgs->front());
  REQUIRE(encoded);
  std::string from_wat = wit_of(*ours);
  CHECK(from_wat == wit_of(*encoded));
  INFO(from_wat);
  CHECK(from_wat.find("merge: static func(a: borrow<blob>, b: blob) -> blob;") != std::string::npos);
}

TEST_CASE("wat: binary WIT packages in deps/ through the loader", "[component][wat][wit]") {
  fs::path dir = fs::temp_directory_path() / fmt::format("witc-wat-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "deps");
  auto write = [](const fs::path& p, std::string_view text) {
    std::ofstream(p, std::ios::binary) << text;
  };
  write(dir / "main.wit", "package a:a;\nworld w { import d:d/d; import e:e/e; }\n");
  write(dir / "deps" / "d.wat", "(component (type $d (component (export \"d:d/d\" (instance)))) (export \"d\" (type $d)))");
  {
    witc::source_map sm;
    sm.add("e.wat", "(component (type (component (export \"e:e/e\" (instance (export \"t\" (type (sub resource))))))) "
                    "(export \"e\" (type 0)))");
    auto bytes = witc::binary::wat_to_wasm(sm, 0);
    REQUIRE(bytes);
    write(dir / "deps" / "e.wasm", std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
  }

  SECTION("with the loader, both join the graph before the text packages") {
    witc::wit::resolve r;
    witc::source_map sm;
    auto pkgs = witc::wit::push_path(r, sm, dir, witc::wit::load_options{&witc::binary::push_binary_wit});
    if (!pkgs) FAIL(witc::render(pkgs.error(), sm));
    REQUIRE(r.packages.size() == 3);
    CHECK(r.packages[0].name.to_string() == "d:d");
    CHECK(r.packages[1].name.to_string() == "e:e");
    CHECK(r[pkgs->front()].name.to_string() == "a:a");
    CHECK(r.interfaces.at(1).types.find("t") != r.interfaces.at(1).types.end());
  }
  SECTION("without it, a clear error") {
    witc::wit::resolve r;
    witc::source_map sm;
    auto pkgs = witc::wit::push_path(r, sm, dir);
    REQUIRE_FALSE(pkgs);
    CHECK(pkgs.error().front().message.find("needs a binary loader") != std::string::npos);
  }
  SECTION("a component that is not a WIT package is refused") {
    write(dir / "deps" / "d.wat", "(component (import \"f\" (func)))");
    witc::wit::resolve r;
    witc::source_map sm;
    auto pkgs = witc::wit::push_path(r, sm, dir, witc::wit::load_options{&witc::binary::push_binary_wit});
    REQUIRE_FALSE(pkgs);
    CHECK(pkgs.error().front().message.find("instead of an encoded WIT package") != std::string::npos);
  }
  SECTION("a text error points into the .wat file") {
    write(dir / "deps" / "d.wat", "(component\n  (core module))");
    witc::wit::resolve r;
    witc::source_map sm;
    auto pkgs = witc::wit::push_path(r, sm, dir, witc::wit::load_options{&witc::binary::push_binary_wit});
    REQUIRE_FALSE(pkgs);
    auto loc = sm.locate(pkgs.error().front().span.begin);
    CHECK(fs::path(loc.file).filename() == "d.wat");
    CHECK(loc.line == 2);
    CHECK(loc.column == 3);
  }
  SECTION("two binary files of one package are merged into one") {
    write(dir / "deps" / "d.wat",
          "(component (type $d (component (export \"e:e/other\" (instance)))) (export \"other\" (type $d)))");
    witc::wit::resolve r;
    witc::source_map sm;
    auto pkgs = witc::wit::push_path(r, sm, dir, witc::wit::load_options{&witc::binary::push_binary_wit});
    REQUIRE_FALSE(pkgs);  // `d:d` is now missing
    CHECK(pkgs.error().front().message.find("d:d") != std::string::npos);
    // Both `.wat` and `.wasm` define parts of `e:e`: one package with both interfaces.
    REQUIRE_FALSE(r.packages.empty());
    CHECK(r.packages[0].name.to_string() == "e:e");
    CHECK(r.packages[0].interfaces.size() == 2);
    for (std::size_t i = 1; i < r.packages.size(); ++i) CHECK(r.packages[i].name.to_string() != "e:e");
  }
  fs::remove_all(dir);
}

namespace {

// Every package of `path`, encoded, printed, parsed back: the text is a fixpoint
// and the WIT it decodes to is the same. Returns a failure description or "".
std::string round_trip(const fs::path& path, int& packages, int& undecodable) {
  witc::wit::resolve r;
  r.all_features = true;
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, path, witc::wit::load_options{&witc::binary::push_binary_wit});
  if (!pkgs) return "does not resolve";
  for (std::uint32_t i = 0; i < r.packages.size(); ++i) {
    witc::wit::package_id p{i};
    auto bytes = witc::binary::encode_package(r, p);
    if (!bytes) return "does not encode";
    auto comp = witc::binary::read_component(*bytes);
    if (!comp) return "encoding does not read";
    auto text = witc::binary::print_wat(*comp);
    if (!text) return "does not print: " + text.error().front().message;
    witc::source_map tsm;
    tsm.add("printed.wat", *text);
    auto back = witc::binary::parse_wat(tsm, 0);
    if (!back) return "printed text does not parse: " + witc::render(back.error(), tsm);
    auto again = witc::binary::print_wat(*back);
    if (!again || *again != *text) return "printed text is not a fixpoint";
    auto wasm = witc::binary::write_component(*back);
    auto d1 = witc::binary::decode_wit(*bytes);
    auto d2 = witc::binary::decode_wit(wasm);
    // An empty record encodes but does not validate (the component model wants
    // a field), so that package's WIT cannot be compared; its text was checked above.
    if (!d1) {
      ++undecodable;
      continue;
    }
    if (!d2) return "does not decode after the text round trip: " + d2.error().front().message;
    if (witc::binary::print_wit(d1->resolve, d1->packages.at(0)) != witc::binary::print_wit(d2->resolve, d2->packages.at(0)))
      return "decodes to different WIT";
    ++packages;
  }
  return "";
}

}  // namespace

TEST_CASE("wat: WIT corpus packages round-trip through the text format", "[component][wat][corpus]") {
  fs::path shared = witc::test::shared_dir();
  fs::path ui = shared / "corpus/wit/wit-parser-ui";
  if (!fs::exists(ui)) {
    WARN("SKIPPED: " << ui << " is absent (set WITC_SHARED_DIR)");
    return;
  }
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(ui)) {
    auto ext = e.path().extension();
    if ((e.is_directory() && e.path().filename() != "parse-fail") || ext == ".wit" || ext == ".wat")
      inputs.push_back(e.path());
  }
  for (const char* v : {"0.2.0", "0.2.12", "0.3.0"}) {
    fs::path wasi = shared / "corpus/wit/wasi" / v;
    if (fs::exists(wasi)) inputs.push_back(wasi);
  }
  std::sort(inputs.begin(), inputs.end());
  int packages = 0, resolved = 0, undecodable = 0;
  std::vector<std::string> failures;
  for (const auto& in : inputs) {
    auto why = round_trip(in, packages, undecodable);
    if (why == "does not resolve") continue;  // a case that needs `--features active` only
    ++resolved;
    if (!why.empty()) failures.push_back(fmt::format("{}: {}", in.string(), why));
  }
  fmt::print("wat round trip: {} inputs, {} packages ({} compared as text only: their encoding does not validate), "
             "{} failures\n",
             resolved, packages + undecodable, undecodable, failures.size());
  for (const auto& f : failures) fmt::print("  {}\n", f);
  CHECK(failures.empty());
  CHECK(packages > 80);
}
