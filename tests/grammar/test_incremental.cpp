// Editors reparse incrementally. For real WIT files, an edit (delete, insert, replace)
// followed by its undo, both reparsed with the previous tree, must give back exactly the
// tree of a fresh parse; the edited text must also parse incrementally to the same tree a
// fresh parse gives when it is valid.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "grammar_test_util.hpp"

namespace fs = std::filesystem;
using namespace witc::grammar::test;

namespace {

TSPoint point_at(std::string_view text, std::uint32_t offset) {
  TSPoint p{0, 0};
  for (std::uint32_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') { ++p.row; p.column = 0; } else { ++p.column; }
  }
  return p;
}

TSInputEdit make_edit(std::string_view before, std::uint32_t start, std::uint32_t old_len,
                      std::string_view after, std::uint32_t new_len) {
  TSInputEdit e{};
  e.start_byte = start;
  e.old_end_byte = start + old_len;
  e.new_end_byte = start + new_len;
  e.start_point = point_at(before, start);
  e.old_end_point = point_at(before, start + old_len);
  e.new_end_point = point_at(after, start + new_len);
  return e;
}

std::string tree_string(TSTree* t) {
  char* s = ts_node_string(ts_tree_root_node(t));
  std::string out(s);
  std::free(s);
  return out;
}

}  // namespace

TEST_CASE("incremental reparsing after an edit and its undo gives the fresh tree", "[grammar]") {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(WITC_GRAMMAR_FIXTURES))
    if (e.path().extension() == ".wit") files.push_back(e.path());
  fs::path wasi = shared_dir() / "corpus" / "wit" / "wasi" / "0.2.0";
  if (fs::exists(wasi)) {
    for (const auto& e : fs::recursive_directory_iterator(wasi))
      if (e.path().extension() == ".wit") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.size() > 12) files.resize(12);
  REQUIRE(!files.empty());

  std::mt19937 rng(1234);
  const std::vector<std::string> snippets = {"", "x", ";", "}", "{", "record r { a: u32 }\n", "func(",
                                             "list<", "// c\n", "/* ", "@since(version = 1.0.0)\n",
                                             "%type", "interface", "\n\n"};
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, witc::grammar::language());
  std::size_t edits = 0;
  for (const auto& file : files) {
    std::string original = read_file(file);
    if (original.empty()) continue;
    TSTree* fresh = ts_parser_parse_string(parser, nullptr, original.data(), static_cast<std::uint32_t>(original.size()));
    std::string expected = tree_string(fresh);
    for (int round = 0; round < 10; ++round) {
      auto start = static_cast<std::uint32_t>(rng() % original.size());
      auto old_len = static_cast<std::uint32_t>(std::min<std::size_t>(rng() % 12, original.size() - start));
      const std::string& ins = snippets[rng() % snippets.size()];
      std::string edited = original.substr(0, start) + ins + original.substr(start + old_len);
      auto new_len = static_cast<std::uint32_t>(ins.size());
      INFO(file.filename().string() << ": replace " << old_len << " bytes at " << start << " with `" << ins << "`");

      TSTree* t = ts_tree_copy(fresh);
      TSInputEdit e = make_edit(original, start, old_len, edited, new_len);
      ts_tree_edit(t, &e);
      TSTree* t2 = ts_parser_parse_string(parser, t, edited.data(), static_cast<std::uint32_t>(edited.size()));
      TSTree* scratch = ts_parser_parse_string(parser, nullptr, edited.data(), static_cast<std::uint32_t>(edited.size()));
      // Error recovery may legitimately choose differently with an old tree to reuse;
      // a tree without errors must be the same either way.
      if (!ts_node_has_error(ts_tree_root_node(scratch))) CHECK(tree_string(t2) == tree_string(scratch));

      TSInputEdit undo = make_edit(edited, start, new_len, original, old_len);
      ts_tree_edit(t2, &undo);
      TSTree* t3 = ts_parser_parse_string(parser, t2, original.data(), static_cast<std::uint32_t>(original.size()));
      CHECK(tree_string(t3) == expected);
      ++edits;
      ts_tree_delete(t);
      ts_tree_delete(t2);
      ts_tree_delete(t3);
      ts_tree_delete(scratch);
    }
    ts_tree_delete(fresh);
  }
  ts_parser_delete(parser);
  CHECK(edits >= 20);
}
