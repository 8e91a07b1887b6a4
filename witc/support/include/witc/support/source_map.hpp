#pragma once
// One source map for every file a run reads: spans are byte offsets into the
// concatenation of all files, so a diagnostic is two integers and never dangles.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace witc {

/// A half-open byte range `[begin, end)` in a `source_map`.
/// Example: `span{10, 14}` covers four bytes of whichever file holds offset 10.
struct span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  [[nodiscard]] constexpr bool empty() const noexcept { return begin == end; }
  friend constexpr bool operator==(span, span) = default;
};

/// A resolved position for rendering: `file:line:col`, 1-based, col counts chars.
struct location {
  std::string_view file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string_view line_text;  // the whole source line, without its newline
  bool binary = false;         // a binary file: render the byte offset instead
  std::uint32_t offset = 0;    // offset within the file
};

/// Owns the text of every file read. Offsets of successive files do not overlap;
/// one byte of padding separates them so an end-of-file span stays in its file.
/// Example:
///   source_map sm; auto base = sm.add("a.wit", text); span s{base + 3, base + 5};
///   sm.locate(s.begin).line;
class source_map {
 public:
  struct file {
    std::string name;
    std::string text;
    std::uint32_t base = 0;
    bool binary = false;
    std::vector<std::uint32_t> line_starts;  // offsets within `text`
  };

  /// Adds a file and returns the global offset of its first byte.
  std::uint32_t add(std::string name, std::string text, bool binary = false);
  [[nodiscard]] const file* find(std::uint32_t offset) const noexcept;
  [[nodiscard]] location locate(std::uint32_t offset) const;
  [[nodiscard]] std::string_view text(span s) const;
  [[nodiscard]] const std::vector<file>& files() const noexcept { return files_; }
  [[nodiscard]] const file& at(std::size_t i) const { return files_.at(i); }

 private:
  std::vector<file> files_;
  std::uint32_t next_ = 0;
};

}  // namespace witc
