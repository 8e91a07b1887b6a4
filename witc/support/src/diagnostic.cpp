#include "witc/support/diagnostic.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace witc {
namespace {

std::string_view label(level l) {
  switch (l) {
    case level::error: return "error";
    case level::warning: return "warning";
    case level::note: return "note";
  }
  return "error";
}

// Columns in the caret line must line up with the source line, which may hold tabs.
std::string pad_like(std::string_view line, std::uint32_t chars) {
  std::string out;
  std::uint32_t seen = 0;
  for (std::size_t i = 0; i < line.size() && seen < chars; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += (c == '\t') ? '\t' : ' ';
    ++seen;
  }
  out.append(chars - seen, ' ');
  return out;
}

}  // namespace

std::string render(const diagnostic& d, const source_map& sm, bool color) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* red = color ? (d.level == level::error ? "\x1b[1;31m" : "\x1b[1;33m") : "";
  const char* blue = color ? "\x1b[1;34m" : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string out = fmt::format("{}{}{}: {}{}{}\n", red, label(d.level), reset, bold, d.message, reset);
  if (d.has_span) {
    location loc = sm.locate(d.span.begin);
    if (loc.file.empty()) {
      // no file: the message stands alone
    } else if (loc.binary) {
      out += fmt::format("  {}-->{} {}: byte offset 0x{:x}\n", blue, reset, loc.file, loc.offset);
    } else {
      std::string num = std::to_string(loc.line);
      std::string gutter(num.size(), ' ');
      out += fmt::format("{} {}-->{} {}:{}:{}\n", gutter, blue, reset, loc.file, loc.line, loc.column);
      out += fmt::format("{} {}|{}\n", gutter, blue, reset);
      out += fmt::format("{}{} |{} {}\n", blue, num, reset, loc.line_text);
      // Caret width: the span's characters on this line, at least one.
      std::string_view text = sm.text(d.span);
      std::uint32_t width = 0;
      for (char c : text) {
        if (c == '\n') break;
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
      }
      width = std::max<std::uint32_t>(width, 1);
      out += fmt::format("{} {}|{} {}{}{}{}\n", gutter, blue, reset,
                         pad_like(loc.line_text, loc.column - 1), red, std::string(width, '^'), reset);
    }
  }
  if (!d.hint.empty()) out += fmt::format("  = {}help{}: {}\n", bold, reset, d.hint);
  return out;
}

std::string render(const diagnostics& ds, const source_map& sm, bool color) {
  std::string out;
  for (const auto& d : ds) out += render(d, sm, color);
  return out;
}

}  // namespace witc
