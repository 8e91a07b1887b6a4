#include "kv_impl.hpp"
#include <map>
#include <string>

namespace {
class my_store : public exports::local::demo::kv::store {
 public:
  explicit my_store(std::string_view name) : name_(name) {
    ::local::demo::logger::log("kv: open " + name_);
  }
  std::optional<wit::string> get(std::string_view key) override {
    auto it = map_.find(std::string(key));
    if (it == map_.end()) return std::nullopt;
    return wit::string(it->second);
  }
  void set(std::string_view key, std::string_view value) override {
    ::local::demo::logger::log("kv: set " + std::string(key));
    map_[std::string(key)] = std::string(value);
  }
 private:
  std::string name_;
  std::map<std::string, std::string> map_;
};
}  // namespace

wit::own<exports::local::demo::kv::store> exports::local::demo::kv::store::create(std::string_view name) {
  return wit::own<store>::make<my_store>(name);
}
