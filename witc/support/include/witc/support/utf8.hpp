#pragma once
// Strict UTF-8 validation, shared by every reader of text (WIT files, component
// names, the component text format): one definition of what the binary format
// and wit-parser accept.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace witc {

/// True when `s` is strict UTF-8: no overlong forms, surrogates or code points
/// past U+10FFFF.
/// Example: `valid_utf8("caf\xc3\xa9")` is true, `valid_utf8("\xc0\x80")` false.
[[nodiscard]] inline bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* e = p + s.size();
  while (p < e) {
    // Eight ASCII bytes at a time: most text is nearly all ASCII.
    while (e - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    if (p == e) break;
    unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
    if (n < 0 || c > 0xF4 || c == 0xC0 || c == 0xC1 || e - p <= n) return false;
    std::uint32_t cp = c & (0x3F >> n);
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

}  // namespace witc
