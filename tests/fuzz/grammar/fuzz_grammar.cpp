// Fuzzes the generated tree-sitter tables and the highlighter: any bytes must give a tree
// (with ERROR nodes where needed), spans that stay inside the input and never overlap.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "witc/grammar/highlight.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)witc::grammar::syntax_errors(text);
  auto spans = witc::grammar::highlight(text);
  if (!spans) std::abort();  // the built-in query always compiles
  std::uint32_t last = 0;
  for (const auto& s : *spans) {
    if (s.start < last || s.end <= s.start || s.end > size) std::abort();
    last = s.end;
  }
  (void)witc::grammar::render_html(text, *spans, "fuzz.wit");
  return 0;
}
