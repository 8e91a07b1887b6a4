#include "corpus.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace witc::test {

std::filesystem::path shared_dir() {
  if (const char* e = std::getenv("WITC_SHARED_DIR")) return e;
  return WITC_SHARED_DIR;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

namespace {
// Reads the JSON string starting at `s[i] == '"'`; returns it unescaped (enough
// for the ASCII messages of the scripts) and moves `i` past it.
std::string json_string(const std::string& s, std::size_t& i) {
  std::string out;
  ++i;
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\' && i + 1 < s.size()) {
      ++i;
      char c = s[i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
    } else {
      out += s[i];
    }
    ++i;
  }
  ++i;
  return out;
}
}  // namespace

std::vector<corpus_case> component_corpus(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> scripts;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root))
    if (e.path().extension() == ".json") scripts.push_back(e.path());
  std::sort(scripts.begin(), scripts.end());
  std::vector<corpus_case> out;
  for (const auto& p : scripts) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    corpus_case cur;
    bool have = false;
    // Keys in order: a command's `type` opens it; nested values' `type`s are ignored.
    for (std::size_t i = 0; i < s.size();) {
      if (s[i] != '"') { ++i; continue; }
      std::string key = json_string(s, i);
      while (i < s.size() && (s[i] == ' ' || s[i] == ':')) ++i;
      if (i >= s.size()) break;
      if (s[i] == '"') {
        std::string v = json_string(s, i);
        if (key == "type" && (v == "module" || v == "module_definition" || v.rfind("assert_", 0) == 0 ||
                              v == "action" || v == "register" || v == "module_instance")) {
          if (have && !cur.file.empty()) out.push_back(cur);
          cur = corpus_case{};
          cur.script = std::filesystem::relative(p, root).string();
          cur.command = v;
          have = true;
        } else if (key == "filename" && have) {
          cur.file = p.parent_path() / v;
        } else if (key == "text" && have) {
          cur.text = v;
        }
      } else if (key == "line" && have) {
        cur.line = std::atoi(s.c_str() + i);
      }
    }
    if (have && !cur.file.empty()) out.push_back(cur);
  }
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](const corpus_case& c) { return c.file.extension() != ".wasm"; }),
            out.end());
  return out;
}

}  // namespace witc::test
