#pragma once
// Helpers shared by the grammar tests: reading files, parsing to S-expressions, and the
// highlight-assertion comments of fixture files.
#include <tree_sitter/api.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "witc/grammar/highlight.hpp"

namespace witc::grammar::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("WITC_SHARED_DIR")) return env;
  return WITC_SHARED_DIR;
}

/// The S-expression of `source`'s syntax tree, as `tree-sitter parse` prints it.
inline std::string sexp(std::string_view source) {
  TSParser* p = ts_parser_new();
  ts_parser_set_language(p, language());
  TSTree* t = ts_parser_parse_string(p, nullptr, source.data(), static_cast<std::uint32_t>(source.size()));
  char* s = ts_node_string(ts_tree_root_node(t));
  std::string out(s);
  std::free(s);
  ts_tree_delete(t);
  ts_parser_delete(p);
  return out;
}

/// One `// ^ capture` assertion of a highlight fixture: byte offset and expected capture.
struct highlight_assertion {
  std::uint32_t line = 0;    // 0-based
  std::uint32_t column = 0;  // 0-based, bytes
  std::uint32_t offset = 0;
  std::string capture;
};

/// Reads tree-sitter's highlight-test comments: on a comment line, each `^` marks a column
/// of the nearest line above that is not an assertion, and `<-` marks the comment's own
/// column there; the word after the marks is the expected capture.
inline std::vector<highlight_assertion> parse_assertions(std::string_view text) {
  std::vector<std::string_view> lines;
  std::vector<std::uint32_t> starts;
  for (std::size_t pos = 0; pos <= text.size();) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    starts.push_back(static_cast<std::uint32_t>(pos));
    pos = nl + 1;
  }
  std::vector<highlight_assertion> out;
  std::int64_t target = -1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto line = lines[i];
    auto c = line.find("//");
    bool is_assertion = false;
    if (c != std::string_view::npos && line.substr(0, c).find_first_not_of(" \t") == std::string_view::npos) {
      auto rest = line.substr(c + 2);
      auto first = rest.find_first_not_of(' ');
      if (first != std::string_view::npos && (rest[first] == '^' || rest.substr(first, 2) == "<-")) {
        is_assertion = true;
        std::vector<std::uint32_t> cols;
        std::size_t k = first;
        if (rest.substr(first, 2) == "<-") {
          cols.push_back(static_cast<std::uint32_t>(c));
          k = first + 2;
        } else {
          while (k < rest.size() && (rest[k] == '^' || rest[k] == ' ')) {
            if (rest[k] == '^') cols.push_back(static_cast<std::uint32_t>(c + 2 + k));
            ++k;
          }
        }
        auto name = rest.substr(k);
        name = name.substr(name.find_first_not_of(' '));
        name = name.substr(0, name.find_first_of(" \t\r"));
        if (target >= 0) {
          for (auto col : cols)
            out.push_back({static_cast<std::uint32_t>(target), col, starts[target] + col, std::string(name)});
        }
      }
    }
    if (!is_assertion) target = static_cast<std::int64_t>(i);
  }
  return out;
}

}  // namespace witc::grammar::test
