// libFuzzer target: component reader, writer and validator. Any input must decode
// or fail cleanly; what decodes must write back to bytes that decode to the same
// bytes again, and validation (with and without the optional rules) must finish
// without crashing.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  auto c = witc::binary::read_component(bytes);
  if (!c) return 0;
  auto out = witc::binary::write_component(*c);
  auto again = witc::binary::read_component(out);
  if (!again || witc::binary::write_component(*again) != out) std::abort();
  (void)witc::binary::validate_component(*c);
  // The optional rules take other paths (root imports/exports, `implements`).
  (void)witc::binary::validate_component(*c, {.implements = false, .wasmtime_restrictions = true});
  return 0;
}
