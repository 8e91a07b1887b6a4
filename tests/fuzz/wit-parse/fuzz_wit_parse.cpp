// Fuzzes the WIT tokenizer + grammar: any bytes must give an AST or diagnostics,
// never a crash, a hang or a sanitizer report. A successful parse is also
// formatted and re-parsed: the formatter's output must always parse again, and
// formatting must be idempotent.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "witc/wit/ast.hpp"
#include "witc/wit/format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  witc::source_map sm;
  sm.add("fuzz.wit", std::string(reinterpret_cast<const char*>(data), size));
  auto r = witc::wit::ast::parse(sm, 0);
  if (!r) {
    // Rendering must cope with any span the parser reports.
    (void)witc::render(r.error(), sm);
    return 0;
  }
  std::string once = witc::wit::format(*r, sm);
  sm.add("fuzz-formatted.wit", once);
  auto again = witc::wit::ast::parse(sm, 1);
  if (!again) std::abort();  // the formatter wrote something that does not parse
  std::string twice = witc::wit::format(*again, sm);
  if (twice != once) std::abort();  // formatting is not idempotent
  return 0;
}
