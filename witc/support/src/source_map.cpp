#include "witc/support/source_map.hpp"

#include <algorithm>
#include <cstring>

namespace witc {

std::uint32_t source_map::add(std::string name, std::string text, bool binary) {
  file f;
  f.name = std::move(name);
  f.text = std::move(text);
  // Views into a file's text (the WIT AST's names) must survive `files_` growing:
  // a heap buffer moves with its string, a short string's inline buffer would not.
  if (f.text.capacity() < sizeof(std::string)) f.text.reserve(sizeof(std::string));
  f.base = next_;
  f.binary = binary;
  f.line_starts.push_back(0);
  if (!binary) {
    const char* b = f.text.data();
    const char* e = b + f.text.size();
    for (const char* p = b; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p))));)
      f.line_starts.push_back(static_cast<std::uint32_t>(++p - b));
  }
  next_ += static_cast<std::uint32_t>(f.text.size()) + 1;
  files_.push_back(std::move(f));
  return files_.back().base;
}

const source_map::file* source_map::find(std::uint32_t offset) const noexcept {
  auto it = std::upper_bound(files_.begin(), files_.end(), offset,
                             [](std::uint32_t o, const file& f) { return o < f.base; });
  if (it == files_.begin()) return nullptr;
  return &*std::prev(it);
}

location source_map::locate(std::uint32_t offset) const {
  location loc;
  const file* f = find(offset);
  if (!f) return loc;
  std::uint32_t local = std::min<std::uint32_t>(offset - f->base, f->text.size());
  loc.file = f->name;
  loc.binary = f->binary;
  loc.offset = local;
  if (f->binary) return loc;
  auto it = std::upper_bound(f->line_starts.begin(), f->line_starts.end(), local);
  std::size_t line_idx = static_cast<std::size_t>(it - f->line_starts.begin()) - 1;
  std::uint32_t start = f->line_starts[line_idx];
  std::uint32_t stop = line_idx + 1 < f->line_starts.size() ? f->line_starts[line_idx + 1] - 1
                                                            : static_cast<std::uint32_t>(f->text.size());
  std::string_view whole(f->text);
  loc.line_text = whole.substr(start, stop - start);
  if (!loc.line_text.empty() && loc.line_text.back() == '\r') loc.line_text.remove_suffix(1);
  loc.line = static_cast<std::uint32_t>(line_idx + 1);
  // Columns count characters, not bytes: skip UTF-8 continuation bytes.
  std::uint32_t col = 1;
  for (std::uint32_t i = start; i < local; ++i)
    if ((static_cast<unsigned char>(f->text[i]) & 0xC0) != 0x80) ++col;
  loc.column = col;
  return loc;
}

std::string_view source_map::text(span s) const {
  const file* f = find(s.begin);
  if (!f) return {};
  std::uint32_t b = s.begin - f->base;
  std::uint32_t e = std::min<std::uint32_t>(s.end - f->base, f->text.size());
  if (b > e) return {};
  return std::string_view(f->text).substr(b, e - b);
}

}  // namespace witc
