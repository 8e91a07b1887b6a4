// libFuzzer target: core module decode + validate with every feature on, then the same
// module under the Wasm 2.0 defaults, and every function body through `code_reader`.
// Malformed input must give an error with a byte offset inside the input.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "witc/binary/core_validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace bin = witc::binary;
  std::span<const std::uint8_t> bytes(data, size);
  auto m = bin::decode_module(bytes, 0);
  if (!m) {
    if (m.error().empty() || m.error()[0].span.begin > size) std::abort();
    return 0;
  }
  for (auto features : {bin::core_features::all(), bin::core_features::wasm2()}) {
    auto v = bin::validate_module(**m, {.features = features});
    if (!v && (v.error().empty() || v.error()[0].span.begin > size)) std::abort();
  }
  for (const auto& c : (*m)->codes) {
    bin::code_reader cr(c.body, c.offset);
    while (!cr.at_end()) {
      auto in = cr.next();
      if (!in) break;
    }
  }
  return 0;
}
