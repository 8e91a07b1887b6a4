// libFuzzer target: `component new` over core modules with an embedded world (the seeds
// are `component embed --dummy` outputs). Any input must give a component or an error,
// never a crash or hang; a component made must decode and validate.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "witc/binary/component_new.hpp"
#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> bytes(data, size);
  auto made = witc::binary::component_new(bytes);
  if (!made) return 0;
  auto c = witc::binary::read_component(*made);
  if (!c || !witc::binary::validate_component(*c)) std::abort();
  return 0;
}
