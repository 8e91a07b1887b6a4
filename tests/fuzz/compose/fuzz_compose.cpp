// One fuzz input is up to four components separated by the bytes `\xff` `CMP`; the first
// is the root. Composing them must give a result or diagnostics, never a crash, and a
// result must validate.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "witc/binary/component_validate.hpp"
#include "witc/compose/compose.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view sep("\xff" "CMP", 4);
  std::vector<witc::compose::input> inputs;
  while (inputs.size() < 4) {
    auto at = all.find(sep);
    inputs.push_back({"c" + std::to_string(inputs.size()) + ".wasm", std::string(all.substr(0, at))});
    if (at == std::string_view::npos) break;
    all.remove_prefix(at + sep.size());
  }
  for (bool imported : {false, true}) {
    witc::source_map sm;
    witc::compose::options o;
    o.import_components = imported;
    auto c = witc::compose::plan_composition(inputs, o, sm);
    if (!c) continue;
    (void)witc::compose::format_plan(*c);
    (void)witc::compose::format_dot(*c);
    (void)witc::compose::build(*c);
  }
  return 0;
}
