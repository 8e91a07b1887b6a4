#include "parser/lexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace witc::wit::parser {

std::string_view describe(tok k) noexcept {
  switch (k) {
    case tok::equals: return "'='";
    case tok::comma: return "','";
    case tok::colon: return "':'";
    case tok::period: return "'.'";
    case tok::semicolon: return "';'";
    case tok::lparen: return "'('";
    case tok::rparen: return "')'";
    case tok::lbrace: return "'{'";
    case tok::rbrace: return "'}'";
    case tok::less: return "'<'";
    case tok::greater: return "'>'";
    case tok::rarrow: return "`->`";
    case tok::star: return "`*`";
    case tok::at: return "`@`";
    case tok::slash: return "`/`";
    case tok::plus: return "`+`";
    case tok::minus: return "`-`";
    case tok::string_lit: return "a string literal";
    case tok::kw_use: return "keyword `use`";
    case tok::kw_type: return "keyword `type`";
    case tok::kw_func: return "keyword `func`";
    case tok::kw_u8: return "keyword `u8`";
    case tok::kw_u16: return "keyword `u16`";
    case tok::kw_u32: return "keyword `u32`";
    case tok::kw_u64: return "keyword `u64`";
    case tok::kw_s8: return "keyword `s8`";
    case tok::kw_s16: return "keyword `s16`";
    case tok::kw_s32: return "keyword `s32`";
    case tok::kw_s64: return "keyword `s64`";
    case tok::kw_f32: return "keyword `f32`";
    case tok::kw_f64: return "keyword `f64`";
    case tok::kw_char: return "keyword `char`";
    case tok::kw_record: return "keyword `record`";
    case tok::kw_resource: return "keyword `resource`";
    case tok::kw_own: return "keyword `own`";
    case tok::kw_borrow: return "keyword `borrow`";
    case tok::kw_flags: return "keyword `flags`";
    case tok::kw_variant: return "keyword `variant`";
    case tok::kw_enum: return "keyword `enum`";
    case tok::kw_bool: return "keyword `bool`";
    case tok::kw_string: return "keyword `string`";
    case tok::kw_option: return "keyword `option`";
    case tok::kw_result: return "keyword `result`";
    case tok::kw_future: return "keyword `future`";
    case tok::kw_stream: return "keyword `stream`";
    case tok::kw_error_context: return "keyword `error-context`";
    case tok::kw_list: return "keyword `list`";
    case tok::kw_map: return "keyword `map`";
    case tok::kw_underscore: return "keyword `_`";
    case tok::kw_as: return "keyword `as`";
    case tok::kw_from: return "keyword `from`";
    case tok::kw_static: return "keyword `static`";
    case tok::kw_interface: return "keyword `interface`";
    case tok::kw_tuple: return "keyword `tuple`";
    case tok::kw_import: return "keyword `import`";
    case tok::kw_export: return "keyword `export`";
    case tok::kw_world: return "keyword `world`";
    case tok::kw_package: return "keyword `package`";
    case tok::kw_constructor: return "keyword `constructor`";
    case tok::kw_async: return "keyword `async`";
    case tok::kw_include: return "keyword `include`";
    case tok::kw_with: return "keyword `with`";
    case tok::id: return "an identifier";
    case tok::explicit_id: return "an '%' identifier";
    case tok::integer: return "an integer";
    case tok::eof: return "eof";
    case tok::lex_error: return "an invalid token";
  }
  return "a token";
}

std::string debug_char(char32_t c) {
  switch (c) {
    case U'\t': return "'\\t'";
    case U'\n': return "'\\n'";
    case U'\r': return "'\\r'";
    case U'\'': return "'\\''";
    case U'\\': return "'\\\\'";
    case 0: return "'\\0'";
    default: break;
  }
  if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xad || (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
      (c >= 0x300 && c < 0x370))
    return fmt::format("'\\u{{{:x}}}'", static_cast<std::uint32_t>(c));
  std::string out = "'";
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  out += '\'';
  return out;
}

namespace {

// Decodes the (already validated) UTF-8 character at `p`; returns its length.
inline std::uint32_t decode(const unsigned char* p, char32_t& c) {
  unsigned char b = p[0];
  if (b < 0x80) { c = b; return 1; }
  if (b < 0xE0) { c = ((b & 0x1Fu) << 6) | (p[1] & 0x3Fu); return 2; }
  if (b < 0xF0) { c = ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu); return 3; }
  c = ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
  return 4;
}

// Length of a valid UTF-8 sequence at `p` (before `end`), or 0 when invalid.
inline std::size_t utf8_len(const unsigned char* p, const unsigned char* end) {
  unsigned char b = p[0];
  auto cont = [&](std::size_t i) { return p + i < end && (p[i] & 0xC0) == 0x80; };
  if (b < 0x80) return 1;
  if (b < 0xC2) return 0;
  if (b < 0xE0) return cont(1) ? 2 : 0;
  if (b < 0xF0) {
    if (!cont(1) || !cont(2)) return 0;
    if (b == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (b == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b < 0xF5) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b == 0xF0 && p[1] < 0x90) return 0;
    if (b == 0xF4 && p[1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

// Approximates Unicode XID_Start for non-ASCII characters over the scripts WIT
// authors are likely to type; such identifiers fail `validate_id` anyway, this only
// decides between "invalid character in identifier" and "unexpected character".
bool xid_start_wide(char32_t c) {
  if (c == 0xAA || c == 0xB5 || c == 0xBA) return true;
  if (c >= 0xC0 && c <= 0x24F) return c != 0xD7 && c != 0xF7;
  if (c >= 0x250 && c <= 0x2AF) return true;
  if (c >= 0x370 && c <= 0x3FF) return c != 0x37E && c != 0x387 && c != 0x375 && c != 0x3F6;
  if (c >= 0x400 && c <= 0x52F) return !(c >= 0x482 && c <= 0x489);
  if (c >= 0x531 && c <= 0x587) return true;
  if (c >= 0x5D0 && c <= 0x5F2) return true;
  if (c >= 0x620 && c <= 0x64A) return true;
  if (c >= 0x904 && c <= 0x939) return true;
  if (c >= 0x1E00 && c <= 0x1FFF) return true;
  if (c >= 0x3041 && c <= 0x30FF) return c != 0x30FB;
  if (c >= 0x3400 && c <= 0x4DBF) return true;
  if (c >= 0x4E00 && c <= 0x9FFF) return true;
  if (c >= 0xAC00 && c <= 0xD7A3) return true;
  if (c >= 0xF900 && c <= 0xFAFF) return true;
  if (c >= 0x20000 && c <= 0x2FA1F) return true;
  return false;
}
bool xid_continue_wide(char32_t c) {
  if (xid_start_wide(c)) return true;
  if (c == 0xB7) return true;
  if (c >= 0x300 && c <= 0x36F) return true;
  if (c >= 0x591 && c <= 0x5BD) return true;
  if (c >= 0x660 && c <= 0x669) return true;
  if (c == 0x200C || c == 0x200D) return true;
  if (c >= 0x203F && c <= 0x2040) return true;
  return false;
}

// Bytes that need no check before lexing: printable ASCII, tab, LF, CR.
constexpr auto plain_ascii = [] {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = true;
  t['\t'] = t['\n'] = t['\r'] = true;
  return t;
}();
// ASCII bytes that continue an identifier: letters, digits, `_`, `-`.
constexpr auto keylike_ascii = [] {
  std::array<bool, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = t[static_cast<std::size_t>(c - 32)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  t['_'] = t['-'] = true;
  return t;
}();

inline bool ascii_alpha(unsigned char c) { return static_cast<unsigned>((c | 0x20) - 'a') < 26u; }
inline bool ascii_digit(unsigned char c) { return static_cast<unsigned>(c - '0') < 10u; }

tok keyword(std::string_view s) {
  switch (s.size()) {
    case 1:
      if (s[0] == '_') return tok::kw_underscore;
      break;
    case 2:
      if (s == "u8") return tok::kw_u8;
      if (s == "s8") return tok::kw_s8;
      if (s == "as") return tok::kw_as;
      break;
    case 3:
      switch (s[0]) {
        case 'u':
          if (s == "use") return tok::kw_use;
          if (s == "u16") return tok::kw_u16;
          if (s == "u32") return tok::kw_u32;
          if (s == "u64") return tok::kw_u64;
          break;
        case 's':
          if (s == "s16") return tok::kw_s16;
          if (s == "s32") return tok::kw_s32;
          if (s == "s64") return tok::kw_s64;
          break;
        case 'f':
          if (s == "f32") return tok::kw_f32;
          if (s == "f64") return tok::kw_f64;
          break;
        case 'o':
          if (s == "own") return tok::kw_own;
          break;
        case 'm':
          if (s == "map") return tok::kw_map;
          break;
        default: break;
      }
      break;
    case 4:
      if (s == "type") return tok::kw_type;
      if (s == "func") return tok::kw_func;
      if (s == "char") return tok::kw_char;
      if (s == "enum") return tok::kw_enum;
      if (s == "bool") return tok::kw_bool;
      if (s == "list") return tok::kw_list;
      if (s == "from") return tok::kw_from;
      if (s == "with") return tok::kw_with;
      break;
    case 5:
      if (s == "flags") return tok::kw_flags;
      if (s == "tuple") return tok::kw_tuple;
      if (s == "world") return tok::kw_world;
      if (s == "async") return tok::kw_async;
      break;
    case 6:
      if (s == "record") return tok::kw_record;
      if (s == "borrow") return tok::kw_borrow;
      if (s == "string") return tok::kw_string;
      if (s == "option") return tok::kw_option;
      if (s == "result") return tok::kw_result;
      if (s == "future") return tok::kw_future;
      if (s == "stream") return tok::kw_stream;
      if (s == "static") return tok::kw_static;
      if (s == "import") return tok::kw_import;
      if (s == "export") return tok::kw_export;
      break;
    case 7:
      if (s == "variant") return tok::kw_variant;
      if (s == "package") return tok::kw_package;
      if (s == "include") return tok::kw_include;
      break;
    case 8:
      if (s == "resource") return tok::kw_resource;
      break;
    case 9:
      if (s == "interface") return tok::kw_interface;
      break;
    case 11:
      if (s == "constructor") return tok::kw_constructor;
      break;
    case 13:
      if (s == "error-context") return tok::kw_error_context;
      break;
    default: break;
  }
  return tok::id;
}

class lexer {
 public:
  lexer(std::string_view text, std::uint32_t base)
      : p_(reinterpret_cast<const unsigned char*>(text.data())),
        start_(p_),
        end_(p_ + text.size()),
        base_(base),
        prev_end_(base) {
    out_.text = text;
    out_.base = base;
  }
  // After `start` failed: the next chunk is the error.
  void failed_before_start() { failed_ = true; }

  // wit-parser's input-wide checks and the BOM; false when the input is refused
  // (then the first chunk is the error).
  bool start() {
    if (!prescan()) return false;
    if (end_ - p_ >= 3 && p_[0] == 0xEF && p_[1] == 0xBB && p_[2] == 0xBF) p_ += 3;
    return true;
  }

  // The tokens of the next top-level item: every top-level item ends with a `;`
  // or `}` at brace depth 0, and the grammar never looks past that token, so
  // parsing item by item reads exactly the tokens a whole-file parse would.
  void chunk() {
    if (!out_.tokens.empty()) prev_end_ = out_.tokens.back().end();
    out_.tokens.clear();
    if (done_) return;
    if (failed_) return finish_error();
    int depth = 0;
    while (true) {
      skip_trivia();
      if (failed_) return finish_error();
      if (p_ == end_) break;
      if (!next_token()) return finish_error();
      tok k = out_.tokens.back().kind;
      if (k == tok::lbrace) {
        ++depth;
      } else if ((k == tok::rbrace && --depth <= 0) || (k == tok::semicolon && depth <= 0)) {
        // The next token's position is not known yet; the grammar never reports
        // a chunk's own eof (see above), so the closing token's end will do.
        std::uint32_t e = out_.tokens.back().end();
        out_.tokens.emplace_back(e, e, tok::eof);
        return;
      }
    }
    std::uint32_t e = off(end_);
    out_.tokens.emplace_back(e, e, tok::eof);
    done_ = true;
  }

  [[nodiscard]] const lexed& data() const noexcept { return out_; }
  [[nodiscard]] bool done() const noexcept { return done_; }
  [[nodiscard]] std::uint32_t prev_end() const noexcept { return prev_end_; }

 private:
  std::uint32_t off(const unsigned char* p) const { return base_ + static_cast<std::uint32_t>(p - start_); }

  void fail(const unsigned char* at, std::string msg) {
    if (!failed_) out_.error = lex_error{off(at), std::move(msg)};
    failed_ = true;
  }
  void fail_at(std::uint32_t at, std::string msg) {
    if (!failed_) out_.error = lex_error{at, std::move(msg)};
    failed_ = true;
  }

  void finish_error() {
    std::uint32_t at = out_.error ? out_.error->at : off(p_);
    out_.tokens.emplace_back(at, at + 1, tok::lex_error);
    std::uint32_t e = off(end_);
    out_.tokens.emplace_back(e, e, tok::eof);
    done_ = true;
  }

  // wit-parser's `detect_invalid_input`, plus UTF-8 validity (which Rust checks
  // when reading the file).
  bool prescan() {
    const unsigned char* p = p_;
    while (p < end_) {
      // Fast path over printable ASCII, blanks and newlines.
      if (plain_ascii[*p]) { ++p; continue; }
      std::size_t n = utf8_len(p, end_);
      if (n == 0) {
        fail(p, fmt::format("invalid UTF-8: byte 0x{:02x} does not start a valid UTF-8 sequence", *p));
        return false;
      }
      char32_t c;
      decode(p, c);
      if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
        fail(p, fmt::format("Control code '\\u{{{:x}}}'", static_cast<std::uint32_t>(c)));
        return false;
      }
      if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
        fail(p, fmt::format("Input contains bidirectional override codepoint '\\u{{{:x}}}'",
                            static_cast<std::uint32_t>(c)));
        return false;
      }
      if (c == 0x149 || c == 0x673 || c == 0xf77 || c == 0xf79 || c == 0x17a3 || c == 0x17a4 ||
          c == 0x17b4 || c == 0x17b5) {
        fail(p, fmt::format("Codepoint '\\u{{{:x}}}' is discouraged by Unicode", static_cast<std::uint32_t>(c)));
        return false;
      }
      p += n;
    }
    return true;
  }

  void skip_trivia() {
    while (p_ < end_) {
      unsigned char c = *p_;
      if (c == ' ' || c == '\n' || c == '\t') { ++p_; continue; }
      if (c == '\r' && p_ + 1 < end_ && p_[1] == '\n') { p_ += 2; continue; }
      if (c == '/' && p_ + 1 < end_) {
        if (p_[1] == '/') {
          const unsigned char* b = p_;
          const void* nl = std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_));
          const unsigned char* e = nl ? static_cast<const unsigned char*>(nl) : end_;
          const unsigned char* ce = e;
          // Drop every trailing CR, not just the one of a CRLF: "\r\r\n" written
          // back as "\r\r" + "\n" would otherwise lose one CR per formatting.
          while (ce > b && ce[-1] == '\r') --ce;
          out_.comments.push_back({off(b), off(ce)});
          p_ = nl ? e + 1 : e;
          continue;
        }
        if (p_[1] == '*') {
          const unsigned char* b = p_;
          p_ += 2;
          int depth = 1;
          while (depth > 0) {
            if (p_ >= end_) {
              fail(b, "unterminated block comment");
              return;
            }
            if (*p_ == '/' && p_ + 1 < end_ && p_[1] == '*') { ++depth; p_ += 2; }
            else if (*p_ == '*' && p_ + 1 < end_ && p_[1] == '/') { --depth; p_ += 2; }
            else ++p_;
          }
          out_.comments.push_back({off(b), off(p_)});
          continue;
        }
      }
      return;
    }
  }

  void push(tok k, const unsigned char* b) {
    auto n = static_cast<std::size_t>(p_ - b);
    out_.tokens.emplace_back(off(b), off(b) + static_cast<std::uint32_t>(std::min<std::size_t>(n, max_token_length)), k);
  }

  // Consumes keylike-continue characters (XID_Continue or `-`).
  void eat_keylike() {
    while (p_ < end_) {
      unsigned char c = *p_;
      if (c < 0x80) {
        if (keylike_ascii[c]) { ++p_; continue; }
        return;
      }
      char32_t cp;
      std::uint32_t n = decode(p_, cp);
      if (!xid_continue_wide(cp)) return;
      p_ += n;
    }
  }

  bool keylike_start_at(const unsigned char* p, std::uint32_t* len) const {
    if (p >= end_) return false;
    unsigned char c = *p;
    if (c < 0x80) {
      *len = 1;
      return ascii_alpha(c) || c == '_' || c == '-';
    }
    char32_t cp;
    *len = decode(p, cp);
    return xid_start_wide(cp);
  }

  bool next_token() {
    if (!next_token_inner()) return false;
    if (out_.tokens.back().len == max_token_length) {
      std::uint32_t at = out_.tokens.back().begin;
      out_.tokens.pop_back();
      fail_at(at, "token is too long");
      return false;
    }
    return true;
  }

  bool next_token_inner() {
    const unsigned char* b = p_;
    unsigned char c = *p_;
    tok k;
    switch (c) {
      case '=': k = tok::equals; break;
      case ',': k = tok::comma; break;
      case ':': k = tok::colon; break;
      case '.': k = tok::period; break;
      case ';': k = tok::semicolon; break;
      case '(': k = tok::lparen; break;
      case ')': k = tok::rparen; break;
      case '{': k = tok::lbrace; break;
      case '}': k = tok::rbrace; break;
      case '<': k = tok::less; break;
      case '>': k = tok::greater; break;
      case '*': k = tok::star; break;
      case '@': k = tok::at; break;
      case '/': k = tok::slash; break;
      case '+': k = tok::plus; break;
      case '-':
        if (p_ + 1 < end_ && p_[1] == '>') {
          p_ += 2;
          push(tok::rarrow, b);
          return true;
        }
        k = tok::minus;
        break;
      case '%': {
        ++p_;
        std::uint32_t n;
        if (keylike_start_at(p_, &n)) {
          p_ += n;
          eat_keylike();
        }
        push(tok::explicit_id, b);
        return true;
      }
      case '"': {
        ++p_;
        if (!string_literal()) return false;
        // `\XX` escapes produce bytes; the value must still be UTF-8, as
        // wit-parser's `String::from_utf8` demands.
        std::string value = unescape_string(
            std::string_view(reinterpret_cast<const char*>(b), static_cast<std::size_t>(p_ - b)));
        auto* v = reinterpret_cast<const unsigned char*>(value.data());
        for (std::size_t i = 0; i < value.size();) {
          std::size_t n = utf8_len(v + i, v + value.size());
          if (n == 0) {
            bool incomplete = (v[i] >= 0xC2 && v[i] < 0xF5) && i + 4 > value.size();
            fail(b, incomplete ? fmt::format("invalid UTF-8: incomplete utf-8 byte sequence from index {}", i)
                               : fmt::format("invalid UTF-8: invalid utf-8 sequence of 1 bytes from index {}", i));
            return false;
          }
          i += n;
        }
        push(tok::string_lit, b);
        return true;
      }
      default: {
        if (ascii_digit(c)) {
          while (p_ < end_ && ascii_digit(*p_)) ++p_;
          push(tok::integer, b);
          return true;
        }
        std::uint32_t n;
        if (keylike_start_at(p_, &n)) {
          p_ += n;
          eat_keylike();
          std::string_view s(reinterpret_cast<const char*>(b), static_cast<std::size_t>(p_ - b));
          push(keyword(s), b);
          return true;
        }
        char32_t cp;
        decode(p_, cp);
        fail(p_, fmt::format("unexpected character {}", debug_char(cp)));
        return false;
      }
    }
    ++p_;
    push(k, b);
    return true;
  }

  // Reads one character of a string literal; false at end of input.
  bool any_char(char32_t& cp, const unsigned char*& at) {
    if (p_ >= end_) {
      fail(end_, "unexpected end of file");
      return false;
    }
    at = p_;
    if (*p_ == '\r' && p_ + 1 < end_ && p_[1] == '\n') {
      p_ += 2;
      cp = U'\n';
      return true;
    }
    p_ += decode(p_, cp);
    return true;
  }

  static bool hex(char32_t c) { return c < 0x80 && std::isxdigit(static_cast<int>(c)); }

  // After the opening quote; mirrors `expect_string_literal`.
  bool string_literal() {
    while (true) {
      char32_t c;
      const unsigned char* at;
      if (!any_char(c, at)) return false;
      if (c == U'"') return true;
      if (c == U'\\') {
        if (!any_char(c, at)) return false;
        switch (c) {
          case U'"': case U'\'': case U't': case U'n': case U'r': case U'\\': continue;
          case U'u': {
            const unsigned char* at2;
            char32_t d;
            if (!any_char(d, at2)) return false;
            if (d != U'{') { fail(at2, "expected character '{'"); return false; }
            if (!any_char(d, at2)) return false;
            if (!hex(d)) { fail(at2, fmt::format("invalid hex digit {}", debug_char(d))); return false; }
            std::uint64_t n = 0;
            bool last_us = false;
            const unsigned char* first_digit = at2;
            n = static_cast<std::uint64_t>(std::isdigit(static_cast<int>(d)) ? d - U'0' : (d | 0x20) - U'a' + 10);
            while (true) {
              if (p_ < end_ && *p_ == '_') { ++p_; last_us = true; continue; }
              if (p_ >= end_) { fail(end_, "unexpected end of file"); return false; }
              if (!hex(*p_)) break;
              last_us = false;
              unsigned v = std::isdigit(*p_) ? *p_ - '0' : (*p_ | 0x20) - 'a' + 10;
              n = n * 16 + v;
              if (n > 0xFFFFFFFFull) { fail(p_, "number is too big to fit in a u32"); return false; }
              ++p_;
            }
            if (last_us) { fail(first_digit, "trailing underscore in number"); return false; }
            if (n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) {
              fail(at, fmt::format("invalid unicode value {:#x}", n));
              return false;
            }
            if (!any_char(d, at2)) return false;
            if (d != U'}') { fail(at2, "expected character '}'"); return false; }
            continue;
          }
          default:
            if (hex(c)) {
              char32_t d;
              const unsigned char* at2;
              if (!any_char(d, at2)) return false;
              if (!hex(d)) { fail(at2, fmt::format("invalid hex digit {}", debug_char(d))); return false; }
              continue;
            }
            fail(at, fmt::format("invalid string escape {}", debug_char(c)));
            return false;
        }
      }
      if (c < 0x20 || c == 0x7f) {
        fail(at, fmt::format("invalid string character {}", debug_char(c)));
        return false;
      }
    }
  }

  const unsigned char* p_;
  const unsigned char* start_;
  const unsigned char* end_;
  std::uint32_t base_;
  bool failed_ = false;
  bool done_ = false;
  std::uint32_t prev_end_;
  lexed out_;
};

}  // namespace

struct token_stream::impl : lexer {
  using lexer::lexer;
};

token_stream::token_stream(std::string_view text, std::uint32_t base) : p_(std::make_unique<impl>(text, base)) {
  if (!p_->start()) p_->failed_before_start();
}
token_stream::~token_stream() = default;
void token_stream::next_chunk() { p_->chunk(); }
bool token_stream::done() const noexcept { return p_->done(); }
const lexed& token_stream::data() const noexcept { return p_->data(); }
std::uint32_t token_stream::prev_end() const noexcept { return p_->prev_end(); }

bool is_keyword(std::string_view name) noexcept { return keyword(name) != tok::id; }

std::optional<std::string> validate_id(std::string_view id) {
  if (id.empty()) return std::string("identifiers must have characters between '-'s");
  std::size_t idx = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t dash = id.find('-', pos);
    std::string_view part = id.substr(pos, dash == std::string_view::npos ? std::string_view::npos : dash - pos);
    if (part.empty()) return std::string("identifiers must have characters between '-'s");
    auto first = static_cast<unsigned char>(part[0]);
    auto char_at = [&](std::size_t i) {
      char32_t cp;
      decode(reinterpret_cast<const unsigned char*>(part.data()) + i, cp);
      return cp;
    };
    if (idx == 0 && !ascii_alpha(first))
      return fmt::format("invalid character in identifier {}", debug_char(char_at(0)));
    int upper = -1;
    for (std::size_t i = 0; i < part.size(); ++i) {
      auto ch = static_cast<unsigned char>(part[i]);
      if (ascii_digit(ch)) continue;
      if (ch >= 'A' && ch <= 'Z') {
        if (upper == -1) upper = 1;
        else if (upper == 0) return fmt::format("invalid character in identifier {}", debug_char(ch));
      } else if (ch >= 'a' && ch <= 'z') {
        if (upper == -1) upper = 0;
        else if (upper == 1) return fmt::format("invalid character in identifier {}", debug_char(ch));
      } else {
        return fmt::format("invalid character in identifier {}", debug_char(char_at(i)));
      }
    }
    if (dash == std::string_view::npos) break;
    pos = dash + 1;
    ++idx;
  }
  return std::nullopt;
}

std::optional<std::string> check_semver(std::string_view v) {
  // The token grammar already guarantees `int.int.int` followed by `-`/`+` parts
  // made of identifiers, integers, `-` and `.`; check what semver adds.
  const char* names[] = {"major version number", "minor version number", "patch version number"};
  std::size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    std::size_t b = pos;
    while (pos < v.size() && ascii_digit(static_cast<unsigned char>(v[pos]))) ++pos;
    if (pos == b) {
      if (pos >= v.size()) return fmt::format("unexpected end of input while parsing {}", names[i]);
      return fmt::format("unexpected character {} while parsing {}", debug_char(static_cast<unsigned char>(v[pos])), names[i]);
    }
    if (pos - b > 1 && v[b] == '0') return fmt::format("invalid leading zero in {}", names[i]);
    if (pos - b > 20 || (pos - b == 20 && v.substr(b, 20) > "18446744073709551615"))
      return fmt::format("value of {} exceeds u64::MAX", names[i]);
    if (i < 2) {
      if (pos >= v.size() || v[pos] != '.') {
        if (pos >= v.size()) return fmt::format("unexpected end of input while parsing {}", names[i + 1]);
        return fmt::format("unexpected character {} after {}", debug_char(static_cast<unsigned char>(v[pos])), names[i]);
      }
      ++pos;
    }
  }
  auto ident_list = [&](const char* what, bool pre) -> std::optional<std::string> {
    while (true) {
      std::size_t b = pos;
      bool digits_only = true;
      while (pos < v.size() && (ascii_alpha(static_cast<unsigned char>(v[pos])) ||
                                ascii_digit(static_cast<unsigned char>(v[pos])) || v[pos] == '-')) {
        if (!ascii_digit(static_cast<unsigned char>(v[pos]))) digits_only = false;
        ++pos;
      }
      if (pos == b) return fmt::format("empty identifier segment in {}", what);
      if (pre && digits_only && pos - b > 1 && v[b] == '0') return fmt::format("invalid leading zero in {}", what);
      if (pos < v.size() && v[pos] == '.') { ++pos; continue; }
      return std::nullopt;
    }
  };
  if (pos < v.size() && v[pos] == '-') {
    ++pos;
    if (auto e = ident_list("pre-release identifier", true)) return e;
  }
  if (pos < v.size() && v[pos] == '+') {
    ++pos;
    if (auto e = ident_list("build metadata", false)) return e;
  }
  if (pos < v.size()) {
    const char* after = "patch version number";
    if (v.find('+') != std::string_view::npos) after = "build metadata";
    else if (v.find('-') != std::string_view::npos) after = "pre-release identifier";
    return fmt::format("unexpected character {} after {}", debug_char(static_cast<unsigned char>(v[pos])), after);
  }
  return std::nullopt;
}

}  // namespace witc::wit::parser

namespace witc::wit::parser {

std::string unescape_string(std::string_view lit) {
  std::string out;
  if (lit.size() < 2) return out;
  lit = lit.substr(1, lit.size() - 2);
  auto hexv = [](char c) -> unsigned { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i < lit.size(); ++i) {
    char c = lit[i];
    if (c == '\r' && i + 1 < lit.size() && lit[i + 1] == '\n') continue;
    if (c != '\\' || i + 1 >= lit.size()) {
      out += c;
      continue;
    }
    char e = lit[++i];
    switch (e) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'u': {
        std::uint32_t n = 0;
        i += 2;  // `u{`
        for (; i < lit.size() && lit[i] != '}'; ++i)
          if (lit[i] != '_') n = n * 16 + hexv(lit[i]);
        if (n < 0x80) {
          out += static_cast<char>(n);
        } else if (n < 0x800) {
          out += static_cast<char>(0xC0 | (n >> 6));
          out += static_cast<char>(0x80 | (n & 0x3F));
        } else if (n < 0x10000) {
          out += static_cast<char>(0xE0 | (n >> 12));
          out += static_cast<char>(0x80 | ((n >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (n & 0x3F));
        } else {
          out += static_cast<char>(0xF0 | (n >> 18));
          out += static_cast<char>(0x80 | ((n >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((n >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (n & 0x3F));
        }
        break;
      }
      default:
        if (std::isxdigit(static_cast<unsigned char>(e)) && i + 1 < lit.size()) {
          out += static_cast<char>(hexv(e) * 16 + hexv(lit[i + 1]));
          ++i;
        } else {
          out += e;
        }
    }
  }
  return out;
}

}  // namespace witc::wit::parser

namespace witc::wit::ast {

// Re-splits the run the lexer recorded comment by comment: between two comments
// of one run there are only blanks, so splitting needs no full lexer.
std::vector<std::string_view> docs::comments() const {
  std::vector<std::string_view> out;
  std::string_view s = raw();
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      ++i;
    } else if (s.compare(i, 2, "//") == 0) {
      std::size_t e = s.find('\n', i);
      if (e == std::string_view::npos) e = s.size();
      std::size_t ce = e;
      while (ce > i && s[ce - 1] == '\r') --ce;
      out.push_back(s.substr(i, ce - i));
      i = e;
    } else if (s.compare(i, 2, "/*") == 0) {
      std::size_t b = i;
      int depth = 1;
      i += 2;
      while (i < s.size() && depth > 0) {
        if (s.compare(i, 2, "/*") == 0) ++depth, i += 2;
        else if (s.compare(i, 2, "*/") == 0) --depth, i += 2;
        else ++i;
      }
      out.push_back(s.substr(b, i - b));
    } else {
      ++i;  // not reached for a run the lexer recorded
    }
  }
  return out;
}

}  // namespace witc::wit::ast
