// libFuzzer target: the component text format parser. Any text must parse or fail
// with a diagnostic; what parses must encode to a component our reader reads back
// to the same bytes, and loading it as a binary WIT package (decode, validate,
// merge into a graph) must finish without crashing.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  witc::source_map sm;
  sm.add("fuzz.wat", text);
  auto c = witc::binary::parse_wat(sm, 0);
  if (!c) {
    if (c.error().empty()) std::abort();
    return 0;
  }
  auto bytes = witc::binary::write_component(*c);
  auto back = witc::binary::read_component(bytes);
  if (!back || witc::binary::write_component(*back) != bytes) std::abort();
  witc::wit::resolve r;
  witc::source_map sm2;
  (void)witc::binary::push_binary_wit(r, sm2, "fuzz.wat", std::move(text));
  return 0;
}
