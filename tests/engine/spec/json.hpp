#pragma once
// A small JSON reader for the spec-test command files (wast2json format). The files
// are trusted test data, but malformed input still gives an error, never a crash.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace witc::spec {

/// A JSON value. Example: `(*v)["commands"].array()[0]["type"].str()`.
struct json {
  enum class kind { null, boolean, number, string, array, object } k = kind::null;
  bool b = false;
  double num = 0;
  std::string s;
  std::vector<json> arr;
  std::map<std::string, json, std::less<>> obj;

  [[nodiscard]] const json& operator[](std::string_view key) const {
    static const json none;
    auto it = obj.find(key);
    return it == obj.end() ? none : it->second;
  }
  [[nodiscard]] bool has(std::string_view key) const { return obj.find(key) != obj.end(); }
  [[nodiscard]] const std::string& str() const { return s; }

  /// Parses a whole document, or nullopt on a syntax error.
  static std::optional<json> parse(std::string_view text) {
    std::size_t i = 0;
    json v;
    if (!value(text, i, v, 0)) return std::nullopt;
    ws(text, i);
    if (i != text.size()) return std::nullopt;
    return v;
  }

 private:
  static void ws(std::string_view t, std::size_t& i) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) ++i;
  }
  static bool str_lit(std::string_view t, std::size_t& i, std::string& out) {
    if (i >= t.size() || t[i] != '"') return false;
    ++i;
    while (i < t.size() && t[i] != '"') {
      char c = t[i++];
      if (c != '\\') { out += c; continue; }
      if (i >= t.size()) return false;
      char e = t[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i + 4 > t.size()) return false;
          unsigned cp = std::stoul(std::string(t.substr(i, 4)), nullptr, 16);
          i += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= t.size() && t[i] == '\\' && t[i + 1] == 'u') {
            unsigned lo = std::stoul(std::string(t.substr(i + 2, 4)), nullptr, 16);
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          if (cp < 0x80) out += char(cp);
          else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
          else if (cp < 0x10000) { out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
          else { out += char(0xF0 | (cp >> 18)); out += char(0x80 | ((cp >> 12) & 0x3F)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
          break;
        }
        default: out += e; break;
      }
    }
    if (i >= t.size()) return false;
    ++i;
    return true;
  }
  static bool value(std::string_view t, std::size_t& i, json& v, int depth) {
    if (depth > 200) return false;
    ws(t, i);
    if (i >= t.size()) return false;
    char c = t[i];
    if (c == '{') {
      v.k = kind::object;
      ++i;
      ws(t, i);
      if (i < t.size() && t[i] == '}') { ++i; return true; }
      while (true) {
        ws(t, i);
        std::string key;
        if (!str_lit(t, i, key)) return false;
        ws(t, i);
        if (i >= t.size() || t[i] != ':') return false;
        ++i;
        json child;
        if (!value(t, i, child, depth + 1)) return false;
        v.obj.emplace(std::move(key), std::move(child));
        ws(t, i);
        if (i < t.size() && t[i] == ',') { ++i; continue; }
        if (i < t.size() && t[i] == '}') { ++i; return true; }
        return false;
      }
    }
    if (c == '[') {
      v.k = kind::array;
      ++i;
      ws(t, i);
      if (i < t.size() && t[i] == ']') { ++i; return true; }
      while (true) {
        json child;
        if (!value(t, i, child, depth + 1)) return false;
        v.arr.push_back(std::move(child));
        ws(t, i);
        if (i < t.size() && t[i] == ',') { ++i; continue; }
        if (i < t.size() && t[i] == ']') { ++i; return true; }
        return false;
      }
    }
    if (c == '"') {
      v.k = kind::string;
      return str_lit(t, i, v.s);
    }
    if (t.substr(i, 4) == "true") { v.k = kind::boolean; v.b = true; i += 4; return true; }
    if (t.substr(i, 5) == "false") { v.k = kind::boolean; i += 5; return true; }
    if (t.substr(i, 4) == "null") { i += 4; return true; }
    std::size_t start = i;
    while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '-' || t[i] == '+' || t[i] == '.' || t[i] == 'e' || t[i] == 'E')) ++i;
    if (start == i) return false;
    v.k = kind::number;
    v.num = std::stod(std::string(t.substr(start, i - start)));
    return true;
  }
};

}  // namespace witc::spec
