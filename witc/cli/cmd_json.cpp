// `witc json PATH`: the resolved graph as JSON, in wit-parser's serialised schema.
#include <fmt/format.h>

#include "command.hpp"
#include "wit_input.hpp"
#include "witc/wit/json.hpp"

WITC_COMMAND(json, "print the resolved WIT graph as JSON (wit-parser's schema)") {
  auto in = std::make_shared<witc::cli::wit_input>();
  in->add_to(cmd);
  return [in] {
    auto loaded = in->load();
    if (!loaded) return witc::cli::exit_error;
    fmt::print("{}\n", witc::wit::to_json(loaded->resolve));
    return witc::cli::exit_ok;
  };
}
