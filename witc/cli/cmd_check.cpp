// `witc check PATH`: resolve a WIT package (file or directory with `deps/`) and
// report every problem; silent with exit 0 when it resolves.
#include "command.hpp"
#include "wit_input.hpp"

WITC_COMMAND(check, "resolve a WIT package and report every error") {
  auto in = std::make_shared<witc::cli::wit_input>();
  in->add_to(cmd);
  return [in] { return in->load() ? witc::cli::exit_ok : witc::cli::exit_error; };
}
