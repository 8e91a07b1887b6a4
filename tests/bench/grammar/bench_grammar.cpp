// bench_grammar [LINES]: parses a generated WIT file of LINES lines (100,000 by default)
// with the tree-sitter grammar and prints MB/s, best of several runs, beside witc's own
// WIT parser on the same text as the reference measured in the same run.
#include <fmt/format.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>

#include "witc/grammar/highlight.hpp"
#ifdef WITC_BENCH_HAS_WIT
#include "witc/wit/ast.hpp"
#endif

namespace {

// Interfaces of 40 lines each, exercising most of the grammar, until `lines` lines.
std::string generate(std::size_t lines) {
  std::string out = "package bench:grammar@1.0.0;\n\n";
  std::size_t n = 2;
  for (std::size_t i = 0; n < lines; ++i) {
    out += fmt::format(
        "/// Interface number {0}.\n"
        "@since(version = 1.0.0)\n"
        "interface iface{0} {{\n"
        "  use wasi:io/streams@0.2.0.{{input-stream, output-stream as out}};\n"
        "  // a plain comment\n"
        "  type id{0} = u64;\n"
        "  record point{0} {{\n"
        "    x: s32,\n"
        "    y: s32,\n"
        "    label: option<string>,\n"
        "  }}\n"
        "  flags perms{0} {{ read, write, exec }}\n"
        "  enum color{0} {{\n"
        "    red,\n"
        "    green,\n"
        "    blue,\n"
        "  }}\n"
        "  variant shape{0} {{\n"
        "    circle(f32),\n"
        "    square(point{0}),\n"
        "    none,\n"
        "  }}\n"
        "  /* a block comment */\n"
        "  resource handle{0} {{\n"
        "    constructor(size: u32);\n"
        "    read: func(len: u64) -> result<list<u8>, string>;\n"
        "    write: async func(data: list<u8>) -> result<_, string>;\n"
        "    open: static func(name: string) -> own<handle{0}>;\n"
        "  }}\n"
        "  @unstable(feature = extras)\n"
        "  get: func(a: id{0}, b: borrow<handle{0}>) -> tuple<u32, string>;\n"
        "  put: func(m: map<string, list<u32, 4>>) -> future<stream<u8>>;\n"
        "  @deprecated(version = 1.2.0)\n"
        "  old: func();\n"
        "}}\n"
        "\n"
        "world world{0} {{\n"
        "  import iface{0};\n"
        "  export run: func() -> result;\n"
        "}}\n\n",
        i);
    n += 40;
  }
  return out;
}

double best_seconds(int runs, const std::function<void()>& f) {
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t lines = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  std::string text = generate(lines);
  double mb = static_cast<double>(text.size()) / 1e6;
  auto lines_made = std::count(text.begin(), text.end(), '\n');
  fmt::print("input: {} lines, {:.2f} MB\n", lines_made, mb);

  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, witc::grammar::language());
  bool clean = true;
  double ts = best_seconds(5, [&] {
    TSTree* t = ts_parser_parse_string(parser, nullptr, text.data(), static_cast<std::uint32_t>(text.size()));
    clean = !ts_node_has_error(ts_tree_root_node(t));
    ts_tree_delete(t);
  });
  ts_parser_delete(parser);
  fmt::print("tree-sitter grammar:   {:8.1f} ms  {:7.2f} MB/s{}\n", ts * 1e3, mb / ts, clean ? "" : "  (tree has errors!)");

  double hl = best_seconds(3, [&] { (void)witc::grammar::highlight(text); });
  fmt::print("highlight (parse+query):{:7.1f} ms  {:7.2f} MB/s\n", hl * 1e3, mb / hl);

#ifdef WITC_BENCH_HAS_WIT
  witc::source_map sm;
  sm.add("bench.wit", text);
  bool ok = true;
  double ref = best_seconds(5, [&] { ok = static_cast<bool>(witc::wit::ast::parse(sm, 0)); });
  fmt::print("reference witc parser: {:8.1f} ms  {:7.2f} MB/s{}\n", ref * 1e3, mb / ref, ok ? "" : "  (failed!)");
  fmt::print("ratio tree-sitter / reference: {:.2f}\n", ref / ts);
#endif
  return clean ? 0 : 1;
}
