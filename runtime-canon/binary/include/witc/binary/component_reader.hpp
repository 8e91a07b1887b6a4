#pragma once
// Decoding and encoding the component binary format (component model Binary.md).
#include <cstdint>
#include <span>
#include <vector>

#include "witc/binary/component_ast.hpp"
#include "witc/support/result.hpp"

namespace witc::binary {

/// True when `bytes` starts with the component preamble (`\0asm` 0d 00 01 00).
/// Example: `if (is_component(bytes)) ...; else /* a core module */`.
[[nodiscard]] bool is_component(std::span<const std::uint8_t> bytes) noexcept;
/// True when `bytes` starts with a core module header (`\0asm` 01 00 00 00).
[[nodiscard]] bool is_core_module(std::span<const std::uint8_t> bytes) noexcept;

/// Decodes a whole component. `base` is the global offset of `bytes[0]` in the
/// caller's source_map, so errors point at the right byte. Embedded core modules
/// are kept as bytes. Example:
///   auto base = sm.add("c.wasm", text, true);
///   WITC_TRY(auto c, read_component(bytes, base));
[[nodiscard]] result<component::component> read_component(std::span<const std::uint8_t> bytes,
                                                           std::uint32_t base = 0);

/// Encodes a component; `write_component(*read_component(b)) == b` for every
/// input written with minimal LEB128s (as every known producer writes).
/// Example: `std::vector<std::uint8_t> out = write_component(c);`
[[nodiscard]] std::vector<std::uint8_t> write_component(const component::component& c);

}  // namespace witc::binary
