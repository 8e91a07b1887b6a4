#pragma once
// A small JSON reader for comparing documents as values (key order ignored).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace witc::test {

struct json_value {
  enum class kind { null, boolean, number, string, array, object } k = kind::null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<json_value> arr;
  std::map<std::string, json_value> obj;
};

/// Parses `text`; nullopt on malformed input.
std::optional<json_value> parse_json(const std::string& text);

/// Empty when equal, else a JSON-pointer-like path to the first difference and why.
std::string json_diff(const json_value& a, const json_value& b, const std::string& path = "");

}  // namespace witc::test
