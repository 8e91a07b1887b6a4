// Fuzzes parsing + resolution of one file (nested packages give cross-package
// references): any bytes must give a graph or diagnostics, never a crash, a hang or
// a sanitizer report. A first byte `!` turns on every feature, so gated items are
// exercised both ways.
#include <cstdint>
#include <string>

#include "witc/wit/json.hpp"
#include "witc/wit/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  witc::wit::resolve r;
  r.features = {"active"};
  if (!text.empty() && text[0] == '!') {
    r.all_features = true;
    text[0] = ' ';
  }
  witc::source_map sm;
  auto pkgs = witc::wit::push_source(r, sm, "fuzz.wit", std::move(text));
  if (!pkgs) {
    (void)witc::render(pkgs.error(), sm);
    return 0;
  }
  (void)witc::wit::to_json(r);
  (void)witc::wit::select_world(r, *pkgs, "");
  return 0;
}
