// libFuzzer target: component reader, writer and validator, and the WIT decoder
// and printer. Any input must decode or fail cleanly; what decodes must write
// back to bytes that decode to the same bytes again, and validation (with and
// without the optional rules) and WIT decoding and printing must finish without
// crashing.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/binary/component_wit.hpp"

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
  if (auto d = witc::binary::decode_wit(bytes))
    for (std::uint32_t i = 0; i < d->resolve.packages.size(); ++i)
      (void)witc::binary::print_wit(d->resolve, witc::wit::package_id{i});
  return 0;
}
