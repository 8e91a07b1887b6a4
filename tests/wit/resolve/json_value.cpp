#include "json_value.hpp"

#include <cstdlib>

namespace witc::test {
namespace {

struct reader {
  const std::string& s;
  std::size_t i = 0;

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  }
  bool lit(const char* w) {
    std::string_view v(w);
    if (s.compare(i, v.size(), v) != 0) return false;
    i += v.size();
    return true;
  }
  static void utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::optional<std::string> string() {
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    ++i;
    std::string out;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) return std::nullopt;
      char e = s[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i + 4 > s.size()) return std::nullopt;
          unsigned cp = static_cast<unsigned>(std::strtoul(s.substr(i, 4).c_str(), nullptr, 16));
          i += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && s.compare(i, 2, "\\u") == 0) {
            unsigned lo = static_cast<unsigned>(std::strtoul(s.substr(i + 2, 4).c_str(), nullptr, 16));
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: out += e;
      }
    }
    if (i >= s.size()) return std::nullopt;
    ++i;
    return out;
  }
  std::optional<json_value> value(int depth) {
    if (depth > 500) return std::nullopt;
    ws();
    if (i >= s.size()) return std::nullopt;
    json_value v;
    char c = s[i];
    if (c == 'n') {
      if (!lit("null")) return std::nullopt;
    } else if (c == 't' || c == 'f') {
      v.k = json_value::kind::boolean;
      v.b = c == 't';
      if (!lit(v.b ? "true" : "false")) return std::nullopt;
    } else if (c == '"') {
      v.k = json_value::kind::string;
      auto str = string();
      if (!str) return std::nullopt;
      v.str = std::move(*str);
    } else if (c == '[') {
      v.k = json_value::kind::array;
      ++i;
      ws();
      if (i < s.size() && s[i] == ']') {
        ++i;
        return v;
      }
      while (true) {
        auto e = value(depth + 1);
        if (!e) return std::nullopt;
        v.arr.push_back(std::move(*e));
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == ']') {
          ++i;
          break;
        }
        return std::nullopt;
      }
    } else if (c == '{') {
      v.k = json_value::kind::object;
      ++i;
      ws();
      if (i < s.size() && s[i] == '}') {
        ++i;
        return v;
      }
      while (true) {
        ws();
        auto k = string();
        if (!k) return std::nullopt;
        ws();
        if (i >= s.size() || s[i] != ':') return std::nullopt;
        ++i;
        auto e = value(depth + 1);
        if (!e) return std::nullopt;
        v.obj[*k] = std::move(*e);
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == '}') {
          ++i;
          break;
        }
        return std::nullopt;
      }
    } else {
      v.k = json_value::kind::number;
      char* end = nullptr;
      v.num = std::strtod(s.c_str() + i, &end);
      if (end == s.c_str() + i) return std::nullopt;
      i = static_cast<std::size_t>(end - s.c_str());
    }
    return v;
  }
};

std::string show(const json_value& v) {
  switch (v.k) {
    case json_value::kind::null: return "null";
    case json_value::kind::boolean: return v.b ? "true" : "false";
    case json_value::kind::number: return std::to_string(static_cast<long long>(v.num));
    case json_value::kind::string: return "\"" + v.str + "\"";
    case json_value::kind::array: return "[" + std::to_string(v.arr.size()) + " elements]";
    case json_value::kind::object: return "{" + std::to_string(v.obj.size()) + " keys}";
  }
  return "?";
}

}  // namespace

std::optional<json_value> parse_json(const std::string& text) {
  reader r{text};
  auto v = r.value(0);
  if (!v) return std::nullopt;
  r.ws();
  if (r.i != text.size()) return std::nullopt;
  return v;
}

std::string json_diff(const json_value& a, const json_value& b, const std::string& path) {
  if (a.k != b.k) return path + ": " + show(a) + " vs " + show(b);
  switch (a.k) {
    case json_value::kind::null: return "";
    case json_value::kind::boolean: return a.b == b.b ? "" : path + ": " + show(a) + " vs " + show(b);
    case json_value::kind::number: return a.num == b.num ? "" : path + ": " + show(a) + " vs " + show(b);
    case json_value::kind::string: return a.str == b.str ? "" : path + ": " + show(a) + " vs " + show(b);
    case json_value::kind::array:
      for (std::size_t i = 0; i < a.arr.size() && i < b.arr.size(); ++i)
        if (auto d = json_diff(a.arr[i], b.arr[i], path + "/" + std::to_string(i)); !d.empty()) return d;
      if (a.arr.size() != b.arr.size())
        return path + ": " + std::to_string(a.arr.size()) + " vs " + std::to_string(b.arr.size()) + " elements";
      return "";
    case json_value::kind::object:
      for (const auto& [k, v] : a.obj) {
        auto it = b.obj.find(k);
        if (it == b.obj.end()) return path + "/" + k + ": only in ours";
        if (auto d = json_diff(v, it->second, path + "/" + k); !d.empty()) return d;
      }
      for (const auto& [k, v] : b.obj)
        if (!a.obj.count(k)) return path + "/" + k + ": only in expected";
      return "";
  }
  return "";
}

}  // namespace witc::test
