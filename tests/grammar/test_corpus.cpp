// Runs grammar/test/corpus/*.txt (tree-sitter's `===` name `===` input `---` tree format)
// through libtree-sitter and compares the S-expressions. BLESS=1 rewrites the expected
// trees from the parser's output (read the diff before committing).
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "grammar_test_util.hpp"

namespace fs = std::filesystem;
using namespace witc::grammar::test;

namespace {

struct corpus_case {
  std::string name;
  std::string header;    // the `===` block as written
  std::string input;
  std::string expected;
};

bool is_rule(std::string_view line, char ch) {
  return line.size() >= 3 && std::all_of(line.begin(), line.end(), [&](char c) { return c == ch; });
}

std::vector<corpus_case> parse_corpus(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  std::vector<corpus_case> out;
  std::size_t i = 0;
  while (i < lines.size()) {
    if (!is_rule(lines[i], '=')) { ++i; continue; }
    corpus_case c;
    c.header = lines[i] + "\n" + lines[i + 1] + "\n" + lines[i + 2] + "\n";
    c.name = lines[i + 1];
    i += 3;
    std::string* into = &c.input;
    for (; i < lines.size() && !is_rule(lines[i], '='); ++i) {
      if (into == &c.input && is_rule(lines[i], '-')) { into = &c.expected; continue; }
      *into += lines[i] + "\n";
    }
    // The input's first and last blank lines belong to the format, not to the input.
    while (!c.input.empty() && c.input.front() == '\n') c.input.erase(0, 1);
    while (c.input.size() >= 2 && c.input.substr(c.input.size() - 2) == "\n\n") c.input.pop_back();
    out.push_back(std::move(c));
  }
  return out;
}

// Whitespace-insensitive form: one space between tokens, none inside parentheses.
std::string normalize(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\n' || ch == '\t' || ch == '\r') ch = ' ';
    if (ch == ' ' && (out.empty() || out.back() == ' ' || out.back() == '(')) continue;
    if (ch == ')' && !out.empty() && out.back() == ' ') out.pop_back();
    out += ch;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// One node per line, two spaces a level; a field name stays beside its node.
std::string pretty(const std::string& s) {
  std::string n = normalize(s), out;
  auto newline = [&](int depth) {
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  int depth = 0;
  bool after_field = false;
  for (std::size_t i = 0; i < n.size();) {
    char ch = n[i];
    if (ch == ' ') { ++i; continue; }
    if (ch == '(') {
      if (after_field) out += ' ';
      else if (!out.empty()) newline(depth);
      out += '(';
      ++depth;
      ++i;
      after_field = false;
      continue;
    }
    if (ch == ')') { out += ')'; --depth; ++i; continue; }
    std::size_t j = ch == '"' ? n.find('"', i + 1) + 1 : n.find_first_of(" ()", i);
    if (j == std::string::npos || j == 0) j = n.size();
    std::string word = n.substr(i, j - i);
    i = j;
    if (word.back() == ':') {
      newline(depth);
      out += word;
      after_field = true;
    } else {
      if (!out.empty() && out.back() != '(') out += ' ';
      out += word;
      after_field = false;
    }
  }
  return out;
}

fs::path corpus_dir() { return fs::path(WITC_SOURCE_DIR) / "grammar" / "test" / "corpus"; }

}  // namespace

TEST_CASE("grammar corpus: every case parses to its expected tree", "[grammar]") {
  bool bless = std::getenv("BLESS") != nullptr;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(corpus_dir()))
    if (e.path().extension() == ".txt") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(!files.empty());
  std::size_t cases = 0;
  for (const auto& file : files) {
    auto parsed = parse_corpus(read_file(file));
    REQUIRE(!parsed.empty());
    std::string blessed;
    for (auto& c : parsed) {
      ++cases;
      std::string actual = sexp(c.input);
      if (bless) {
        blessed += c.header + "\n" + c.input + "\n---\n\n" + pretty(actual) + "\n\n";
        continue;
      }
      INFO(file.filename().string() << ": " << c.name << "\ninput:\n" << c.input << "\nactual:\n" << pretty(actual));
      CHECK(normalize(c.expected) == normalize(actual));
    }
    if (bless) {
      while (blessed.size() >= 2 && blessed.substr(blessed.size() - 2) == "\n\n") blessed.pop_back();
      std::ofstream(file, std::ios::binary) << blessed;
    }
  }
  WARN("grammar corpus: " << cases << " cases in " << files.size() << " files");
}
