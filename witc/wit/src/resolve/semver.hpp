#pragma once
// Semver ordering for package names and `@since` gates, as the `semver` crate orders
// versions: numbers, then pre-release (absent sorts last), then build metadata.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace witc::wit::detail {

struct semver {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::string pre;    // without `-`
  std::string build;  // without `+`
};

/// Splits `1.2.3-rc.1+b`; the parser has already validated the text.
/// Example: `parse_semver("1.2.3")->minor == 2`.
inline std::optional<semver> parse_semver(std::string_view s) {
  semver v;
  auto plus = s.find('+');
  if (plus != std::string_view::npos) {
    v.build = std::string(s.substr(plus + 1));
    s = s.substr(0, plus);
  }
  auto dash = s.find('-');
  if (dash != std::string_view::npos) {
    v.pre = std::string(s.substr(dash + 1));
    s = s.substr(0, dash);
  }
  std::uint64_t* parts[3] = {&v.major, &v.minor, &v.patch};
  for (int i = 0; i < 3; ++i) {
    std::size_t n = 0;
    std::uint64_t x = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
      x = x * 10 + static_cast<std::uint64_t>(s[n] - '0');
      ++n;
    }
    if (n == 0) return std::nullopt;
    *parts[i] = x;
    s = s.substr(n);
    if (i < 2) {
      if (s.empty() || s[0] != '.') return std::nullopt;
      s = s.substr(1);
    }
  }
  if (!s.empty()) return std::nullopt;
  return v;
}

namespace semver_detail {
inline bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
inline int cmp_ident(std::string_view a, std::string_view b) {
  bool an = all_digits(a), bn = all_digits(b);
  if (an && bn) {
    while (a.size() > 1 && a[0] == '0') a.remove_prefix(1);
    while (b.size() > 1 && b[0] == '0') b.remove_prefix(1);
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
  }
  if (an != bn) return an ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}
inline std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  while (true) {
    auto e = s.find('.');
    out.push_back(s.substr(0, e));
    if (e == std::string_view::npos) return out;
    s = s.substr(e + 1);
  }
}
inline int cmp_dotted(std::string_view a, std::string_view b) {
  auto xa = split_dots(a), xb = split_dots(b);
  for (std::size_t i = 0; i < xa.size() && i < xb.size(); ++i)
    if (int c = cmp_ident(xa[i], xb[i]); c != 0) return c;
  if (xa.size() == xb.size()) return 0;
  return xa.size() < xb.size() ? -1 : 1;
}
}  // namespace semver_detail

/// Three-way comparison of two versions. Example: `compare(v("1.0.0-rc"), v("1.0.0")) < 0`.
inline int compare(const semver& a, const semver& b) {
  if (a.major != b.major) return a.major < b.major ? -1 : 1;
  if (a.minor != b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch != b.patch) return a.patch < b.patch ? -1 : 1;
  if (a.pre.empty() != b.pre.empty()) return a.pre.empty() ? 1 : -1;
  if (int c = semver_detail::cmp_dotted(a.pre, b.pre); c != 0) return c;
  if (a.build.empty() != b.build.empty()) return a.build.empty() ? -1 : 1;
  return semver_detail::cmp_dotted(a.build, b.build);
}

/// Compares two version texts; unparsable text sorts by bytes.
inline int compare_versions(std::string_view a, std::string_view b) {
  auto va = parse_semver(a), vb = parse_semver(b);
  if (va && vb) return compare(*va, *vb);
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace witc::wit::detail
