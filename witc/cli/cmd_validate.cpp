// `witc validate FILE`: decode and type-check a core module or a component; silent
// with exit 0 when it is valid, else the error with its byte offset.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "command.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/binary/component_wat.hpp"
#include "witc/wit/load.hpp"

namespace {
struct validate_opts {
  std::string path;
};

int run_validate(const validate_opts& o) {
  witc::source_map sm;
  std::ifstream in(o.path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "{}", witc::render(witc::diagnostic::global(fmt::format("cannot read `{}`", o.path)), sm));
    return witc::cli::exit_error;
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::uint32_t base = 0;
  if (text.substr(0, 4) != std::string("\0asm", 4) && witc::wit::is_binary_wit(o.path, text)) {
    // The text format: parsed and encoded, then validated as that binary.
    std::size_t index = sm.files().size();
    sm.add(o.path, std::move(text));
    auto wasm = witc::binary::wat_to_wasm(sm, index);
    if (!wasm) {
      fmt::print(stderr, "{}", witc::render(wasm.error(), sm, isatty(2) != 0));
      return witc::cli::exit_error;
    }
    base = sm.add(o.path + " (encoded)", std::string(wasm->begin(), wasm->end()), true);
  } else {
    base = sm.add(o.path, text, true);
  }
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(sm.files().back().text.data()),
                                      sm.files().back().text.size());
  auto r = witc::binary::validate_wasm(bytes, base);
  if (!r) {
    fmt::print(stderr, "{}", witc::render(r.error(), sm, isatty(2) != 0));
    return witc::cli::exit_error;
  }
  return witc::cli::exit_ok;
}
}  // namespace

WITC_COMMAND(validate, "check that a core module or component is valid") {
  auto o = std::make_shared<validate_opts>();
  cmd.add_option("file", o->path, "a `.wasm` core module or component, or a component in the text format (`.wat`)")->required();
  return [o] { return run_validate(*o); };
}
