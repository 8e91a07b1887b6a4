// Component import/export name grammar, checked the way the reference validator
// words its errors ("`X` is not in kebab case", "failed to find `.` character").
#include "component_names.hpp"

#include <fmt/format.h>

#include <cctype>

namespace witc::binary::component::detail {
namespace {

bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::string lowercase(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool is_kebab(std::string_view s) {
  if (s.empty()) return false;
  bool first = true;
  std::size_t i = 0;
  while (true) {
    std::size_t j = s.find('-', i);
    std::string_view w = s.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (w.empty()) return false;
    // A word is all lower-case or all upper-case (digits anywhere but first, in the first word).
    if (first && digit(w[0])) return false;
    bool has_lower = false, has_upper = false;
    for (char c : w) {
      if (lower(c)) has_lower = true;
      else if (upper(c)) has_upper = true;
      else if (!digit(c)) return false;
    }
    if (has_lower && has_upper) return false;
    if (!digit(w[0]) && !lower(w[0]) && !upper(w[0])) return false;
    first = false;
    if (j == std::string_view::npos) return true;
    i = j + 1;
  }
}

bool numeric_ident(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!digit(c)) return false;
  return !(s.size() > 1 && s[0] == '0');
}

}  // namespace

std::string check_label(std::string_view s) {
  if (is_kebab(s)) return {};
  return fmt::format("`{}` is not in kebab case", s);
}

std::string check_semver(std::string_view s) {
  std::size_t plus = s.find('+');
  std::string_view build = plus == std::string_view::npos ? std::string_view{} : s.substr(plus + 1);
  std::string_view core = s.substr(0, plus);
  std::size_t dash = core.find('-');
  std::string_view pre = dash == std::string_view::npos ? std::string_view{} : core.substr(dash + 1);
  core = core.substr(0, dash);
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t j = core.find('.', i);
    std::string_view p = core.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (!numeric_ident(p)) return fmt::format("`{}` is not a valid semver", s);
    ++parts;
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  if (parts != 3) return fmt::format("`{}` is not a valid semver", s);
  auto idents = [](std::string_view x, bool is_pre) {
    std::size_t k = 0;
    while (true) {
      std::size_t e = x.find('.', k);
      std::string_view id = x.substr(k, e == std::string_view::npos ? std::string_view::npos : e - k);
      if (id.empty()) return false;
      bool all_digits = true;
      for (char c : id) {
        if (!(digit(c) || lower(c) || upper(c) || c == '-')) return false;
        if (!digit(c)) all_digits = false;
      }
      if (is_pre && all_digits && id.size() > 1 && id[0] == '0') return false;
      if (e == std::string_view::npos) return true;
      k = e + 1;
    }
  };
  if (dash != std::string_view::npos && !idents(pre, true)) return fmt::format("`{}` is not a valid semver", s);
  if (plus != std::string_view::npos && !idents(build, false)) return fmt::format("`{}` is not a valid semver", s);
  return {};
}

namespace {

std::optional<parsed_name> interface_name(std::string_view s, std::string& err) {
  parsed_name n;
  n.kind = name_kind::interface;
  std::string_view body = s;
  std::size_t at = s.find('@');
  if (at != std::string_view::npos) {
    body = s.substr(0, at);
    std::string_view ver = s.substr(at + 1);
    if (ver.empty()) { err = "empty string"; return std::nullopt; }
    if (auto e = check_semver(ver); !e.empty()) { err = e; return std::nullopt; }
  }
  std::size_t colon = body.find(':');
  if (colon == std::string_view::npos) { err = fmt::format("`{}` is not a valid extern name", s); return std::nullopt; }
  std::size_t slash = body.find('/', colon);
  if (slash == std::string_view::npos) { err = "expected `/` after package name"; return std::nullopt; }
  // `ns:pkg`: both lower-case kebab words (nested namespaces are future syntax).
  std::string_view pkg = body.substr(0, slash);
  if (pkg.find(':', colon + 1) != std::string_view::npos) { err = "expected `/` after package name"; return std::nullopt; }
  for (std::string_view part : {pkg.substr(0, colon), pkg.substr(colon + 1)}) {
    bool words = !part.empty() && lower(part[0]);
    for (char ch : part) words = words && (lower(ch) || digit(ch) || ch == '-');
    if (!words || !is_kebab(part)) { err = fmt::format("`{}` is not a valid extern name", s); return std::nullopt; }
  }
  std::string_view rest = body.substr(slash + 1);
  std::size_t nested = rest.find('/');
  std::string_view iface = rest.substr(0, nested);
  if (auto m = check_label(iface); !m.empty()) { err = m; return std::nullopt; }
  if (nested != std::string_view::npos) {
    err = fmt::format("trailing characters found: `{}`", rest.substr(nested));
    return std::nullopt;
  }
  n.label = std::string(body);
  n.key = lowercase(s);
  return n;
}

bool bracketed(std::string_view s, std::string_view prefix, std::string_view& inner, std::string_view& rest) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  std::size_t close = s.find('>', prefix.size());
  if (close == std::string_view::npos) return false;
  inner = s.substr(prefix.size(), close - prefix.size());
  rest = s.substr(close + 1);
  return true;
}

}  // namespace

std::optional<parsed_name> parse_name(std::string_view s, bool import, std::string& err) {
  parsed_name n;
  auto annotated = [&](std::string_view prefix, name_kind k, bool dotted) -> std::optional<parsed_name> {
    std::string_view rest = s.substr(prefix.size());
    n.kind = k;
    if (dotted) {
      std::size_t dot = rest.find('.');
      if (dot == std::string_view::npos) { err = "failed to find `.` character"; return std::nullopt; }
      std::string_view r = rest.substr(0, dot), f = rest.substr(dot + 1);
      if (auto m = check_label(r); !m.empty()) { err = m; return std::nullopt; }
      if (auto m = check_label(f); !m.empty()) { err = m; return std::nullopt; }
      n.resource = std::string(r);
      n.label = std::string(f);
      // `[method]l.l` and `[static]l.l` are keyed as `l`, the rest as `r.l`.
      n.key = lowercase(r) == lowercase(f) ? lowercase(f) : lowercase(rest);
    } else {
      if (auto m = check_label(rest); !m.empty()) { err = m; return std::nullopt; }
      n.resource = std::string(rest);
      n.label = std::string(rest);
      n.key = std::string(prefix) + lowercase(rest);
    }
    return n;
  };
  if (s.substr(0, 13) == "[constructor]") return annotated("[constructor]", name_kind::constructor, false);
  if (s.substr(0, 8) == "[method]") return annotated("[method]", name_kind::method, true);
  if (s.substr(0, 8) == "[static]") return annotated("[static]", name_kind::static_, true);
  if (s.substr(0, 7) == "[async]") {
    auto r = annotated("[async]", name_kind::label, false);
    if (r) r->key = lowercase(s.substr(7));
    return r;
  }
  if (s.substr(0, 14) == "[async method]") return annotated("[async method]", name_kind::method, true);
  if (s.substr(0, 14) == "[async static]") return annotated("[async static]", name_kind::static_, true);
  if (!s.empty() && s[0] == '[') { err = fmt::format("`{}` is not a valid extern name", s); return std::nullopt; }
  std::string_view inner, rest;
  if (import) {
    if (bracketed(s, "unlocked-dep=<", inner, rest) || bracketed(s, "locked-dep=<", inner, rest) ||
        bracketed(s, "url=<", inner, rest) || bracketed(s, "integrity=<", inner, rest)) {
      n.kind = name_kind::dep;
      n.key = std::string(s);
      n.label = std::string(inner);
      return n;
    }
  }
  if (s.find(':') != std::string_view::npos || s.find('/') != std::string_view::npos ||
      s.find('@') != std::string_view::npos)
    return interface_name(s, err);
  if (auto m = check_label(s); !m.empty()) { err = m; return std::nullopt; }
  n.label = std::string(s);
  n.key = lowercase(s);
  return n;
}

}  // namespace witc::binary::component::detail
