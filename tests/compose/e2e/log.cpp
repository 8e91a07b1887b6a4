#include "log_impl.hpp"
#include <string>

void exports::local::demo::logger::log(std::string_view msg) {
  ::local::demo::host::print("[log] " + std::string(msg));
}
