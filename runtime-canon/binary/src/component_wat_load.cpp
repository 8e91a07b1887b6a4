// `push_binary_wit`: the binary loader `wit::push_path` is handed, so a `.wasm` or
// `.wat` WIT package in `deps/` (or as the main path) joins the graph as
// wit-parser's `_push_file` does: decode, then merge.
#include <fmt/format.h>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/binary/component_wit.hpp"
#include "witc/wit/merge.hpp"

namespace witc::binary {

result<wit::package_id> push_binary_wit(wit::resolve& r, source_map& sm, const std::filesystem::path& path,
                                        std::string bytes) {
  std::string name = path.string();
  std::vector<std::uint8_t> wasm;
  std::uint32_t base = 0;
  if (bytes.size() >= 4 && std::string_view(bytes).substr(0, 4) == std::string_view("\0asm", 4)) {
    wasm.assign(bytes.begin(), bytes.end());
    base = sm.add(name, std::move(bytes), true);
  } else {
    std::size_t index = sm.files().size();
    sm.add(name, std::move(bytes));
    WITC_TRY(wasm, wat_to_wasm(sm, index));
    // Errors past the text step name byte offsets of the encoding, so it is a file too.
    base = sm.add(fmt::format("{} (encoded)", name), std::string(wasm.begin(), wasm.end()), true);
  }
  WITC_TRY(decoded_wit decoded, decode_wit(wasm, base));
  auto* d = &decoded;
  if (!d->is_package || d->packages.empty())
    return fail(diagnostic::global(
        fmt::format("`{}`: found an actual component instead of an encoded WIT package in binary", name)));
  wit::package_id main = d->packages.front();
  WITC_TRY(wit::merge_map m, wit::merge(r, std::move(d->resolve)));
  return m.packages[main.index];
}

}  // namespace witc::binary
