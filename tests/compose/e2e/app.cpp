#include "app.hpp"
#include <string>

void exports::local::demo::app::run() {
  using namespace ::local::demo;
  logger::log("app: start");
  kv::store s("main");
  s.set("answer", "42");
  auto v = s.get("answer");
  logger::log(std::string("app: answer = ") + (v ? v->to_string() : "none"));
  auto missing = s.get("nothing");
  logger::log(std::string("app: nothing = ") + (missing ? missing->to_string() : "none"));
}
