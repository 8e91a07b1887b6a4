// definitions.py string loading and the transcoding `store_*` functions, step by
// step as the spec does them (the same realloc calls with the same sizes), so a
// guest's allocator sees exactly what a conforming host would ask of it.
#include "detail.hpp"

namespace witc::canon {

namespace {
using detail::check_range;

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encode_utf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

// UTF-16LE bytes.
std::string encode_utf16(const std::u32string& s) {
  std::string out;
  out.reserve(2 * s.size());
  auto unit = [&](std::uint32_t u) {
    out.push_back(static_cast<char>(u & 0xFF));
    out.push_back(static_cast<char>(u >> 8));
  };
  for (char32_t c : s) {
    if (c < 0x10000) {
      unit(c);
    } else {
      const std::uint32_t v = c - 0x10000;
      unit(0xD800 | (v >> 10));
      unit(0xDC00 | (v & 0x3FF));
    }
  }
  return out;
}

// Strict decoders: malformed input traps (the spec's `except UnicodeError: trap()`).
witc::result<std::u32string> decode_utf8(std::span<const std::uint8_t> b) {
  std::u32string out;
  for (std::size_t i = 0; i < b.size();) {
    const std::uint8_t c0 = b[i];
    std::size_t n;
    char32_t c, min;
    if (c0 < 0x80) { n = 1; c = c0; min = 0; }
    else if ((c0 & 0xE0) == 0xC0) { n = 2; c = c0 & 0x1F; min = 0x80; }
    else if ((c0 & 0xF0) == 0xE0) { n = 3; c = c0 & 0x0F; min = 0x800; }
    else if ((c0 & 0xF8) == 0xF0) { n = 4; c = c0 & 0x07; min = 0x10000; }
    else return trap(fmt::format("invalid utf-8 byte {:#x} at offset {}", c0, i));
    if (i + n > b.size()) return trap("truncated utf-8 sequence");
    for (std::size_t k = 1; k < n; ++k) {
      if ((b[i + k] & 0xC0) != 0x80) return trap(fmt::format("invalid utf-8 sequence at offset {}", i));
      c = (c << 6) | (b[i + k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
      return trap(fmt::format("invalid utf-8 sequence at offset {}", i));
    out.push_back(c);
    i += n;
  }
  return out;
}

witc::result<std::u32string> decode_utf16(std::span<const std::uint8_t> b) {
  std::u32string out;
  const std::size_t n = b.size() / 2;
  for (std::size_t i = 0; i < n; ++i) {
    const char32_t u = b[2 * i] | (char32_t{b[2 * i + 1]} << 8);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 1 >= n) return trap("unpaired utf-16 surrogate");
      const char32_t l = b[2 * i + 2] | (char32_t{b[2 * i + 3]} << 8);
      if (l < 0xDC00 || l > 0xDFFF) return trap("unpaired utf-16 surrogate");
      out.push_back(0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00));
      ++i;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return trap("unpaired utf-16 surrogate");
    } else {
      out.push_back(u);
    }
  }
  return out;
}

std::span<std::uint8_t> mem(context& cx) { return cx.opts.memory->bytes(); }

void write(context& cx, std::uint64_t ptr, std::string_view bytes) {
  std::copy(bytes.begin(), bytes.end(), mem(cx).begin() + static_cast<std::ptrdiff_t>(ptr));
}

using range = std::pair<std::uint64_t, std::uint64_t>;

witc::result<range> store_string_copy(context& cx, const std::u32string& src,
                                      std::uint64_t src_code_units, std::uint32_t dst_code_unit_size,
                                      std::uint32_t dst_alignment, string_encoding dst_encoding) {
  const std::uint64_t dst_byte_length = dst_code_unit_size * src_code_units;
  if (dst_byte_length > realloc_i32_max) return trap("string is too long to store");
  WITC_TRY(std::uint64_t ptr, cx.allocate(dst_alignment, dst_byte_length));
  WITC_CHECK(check_range(cx, ptr, dst_byte_length, dst_alignment, "allocated string"));
  std::string encoded;
  if (dst_encoding == string_encoding::utf8) {
    encoded = encode_utf8(src);
  } else if (dst_encoding == string_encoding::utf16) {
    encoded = encode_utf16(src);
  } else {  // latin-1
    for (char32_t c : src) encoded.push_back(static_cast<char>(c));
  }
  if (encoded.size() != dst_byte_length)
    return witc::fail(diagnostic::global(fmt::format(
        "string claims {} code units but encodes to {} bytes", src_code_units, encoded.size())));
  write(cx, ptr, encoded);
  return range{ptr, src_code_units};
}

witc::result<range> store_string_to_utf8(context& cx, const std::u32string& src,
                                         std::uint64_t src_code_units, std::uint64_t worst_case_size) {
  if (src_code_units > realloc_i32_max) return trap("string is too long to store");
  WITC_TRY(std::uint64_t ptr, cx.allocate(1, src_code_units));
  WITC_CHECK(check_range(cx, ptr, src_code_units, 1, "allocated string"));
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src[i] < 0x80) {
      if (i >= src_code_units) return trap("string is longer than its code-unit count");
      mem(cx)[ptr + i] = static_cast<std::uint8_t>(src[i]);
      continue;
    }
    if (worst_case_size > realloc_i32_max) return trap("string is too long to store");
    WITC_TRY(ptr, cx.reallocate(ptr, src_code_units, 1, worst_case_size));
    WITC_CHECK(check_range(cx, ptr, worst_case_size, 1, "reallocated string"));
    const std::string encoded = encode_utf8(src);
    if (encoded.size() > worst_case_size) return trap("string is longer than its code-unit count");
    write(cx, ptr + i, std::string_view(encoded).substr(i));
    if (worst_case_size > encoded.size()) {
      WITC_TRY(ptr, cx.reallocate(ptr, worst_case_size, 1, encoded.size()));
      WITC_CHECK(check_range(cx, ptr, encoded.size(), 1, "reallocated string"));
    }
    return range{ptr, encoded.size()};
  }
  return range{ptr, src_code_units};
}

witc::result<range> store_utf8_to_utf16(context& cx, const std::u32string& src,
                                        std::uint64_t src_code_units) {
  const std::uint64_t worst_case_size = 2 * src_code_units;
  if (worst_case_size > realloc_i32_max) return trap("string is too long to store");
  WITC_TRY(std::uint64_t ptr, cx.allocate(2, worst_case_size));
  WITC_CHECK(check_range(cx, ptr, worst_case_size, 2, "allocated string"));
  const std::string encoded = encode_utf16(src);
  if (encoded.size() > worst_case_size) return trap("string is longer than its code-unit count");
  write(cx, ptr, encoded);
  if (encoded.size() < worst_case_size) {
    WITC_TRY(ptr, cx.reallocate(ptr, worst_case_size, 2, encoded.size()));
    WITC_CHECK(check_range(cx, ptr, encoded.size(), 2, "reallocated string"));
  }
  return range{ptr, encoded.size() / 2};
}

witc::result<range> store_string_to_latin1_or_utf16(context& cx, const std::u32string& src,
                                                    std::uint64_t src_code_units) {
  if (src_code_units > realloc_i32_max) return trap("string is too long to store");
  WITC_TRY(std::uint64_t ptr, cx.allocate(2, src_code_units));
  WITC_CHECK(check_range(cx, ptr, src_code_units, 2, "allocated string"));
  std::uint64_t dst_byte_length = 0;
  for (char32_t usv : src) {
    if (usv < 0x100) {
      if (dst_byte_length >= src_code_units) return trap("string is longer than its code-unit count");
      mem(cx)[ptr + dst_byte_length] = static_cast<std::uint8_t>(usv);
      ++dst_byte_length;
      continue;
    }
    const std::uint64_t worst_case_size = 2 * src_code_units;
    if (worst_case_size > realloc_i32_max) return trap("string is too long to store");
    WITC_TRY(ptr, cx.reallocate(ptr, src_code_units, 2, worst_case_size));
    WITC_CHECK(check_range(cx, ptr, worst_case_size, 2, "reallocated string"));
    for (std::uint64_t j = dst_byte_length; j-- > 0;) {
      mem(cx)[ptr + 2 * j] = mem(cx)[ptr + j];
      mem(cx)[ptr + 2 * j + 1] = 0;
    }
    const std::string encoded = encode_utf16(src);
    if (encoded.size() > worst_case_size) return trap("string is longer than its code-unit count");
    write(cx, ptr + 2 * dst_byte_length, std::string_view(encoded).substr(2 * dst_byte_length));
    if (worst_case_size > encoded.size()) {
      WITC_TRY(ptr, cx.reallocate(ptr, worst_case_size, 2, encoded.size()));
      WITC_CHECK(check_range(cx, ptr, encoded.size(), 2, "reallocated string"));
    }
    return range{ptr, (encoded.size() / 2) | utf16_tag(cx.ptr_type())};
  }
  if (dst_byte_length < src_code_units) {
    WITC_TRY(ptr, cx.reallocate(ptr, src_code_units, 2, dst_byte_length));
    WITC_CHECK(check_range(cx, ptr, dst_byte_length, 2, "reallocated string"));
  }
  return range{ptr, dst_byte_length};
}

witc::result<range> store_probably_utf16_to_latin1_or_utf16(context& cx, const std::u32string& src,
                                                            std::uint64_t src_code_units) {
  const std::uint64_t src_byte_length = 2 * src_code_units;
  if (src_byte_length > realloc_i32_max) return trap("string is too long to store");
  WITC_TRY(std::uint64_t ptr, cx.allocate(2, src_byte_length));
  WITC_CHECK(check_range(cx, ptr, src_byte_length, 2, "allocated string"));
  const std::string encoded = encode_utf16(src);
  if (encoded.size() > src_byte_length) return trap("string is longer than its code-unit count");
  write(cx, ptr, encoded);
  if (std::any_of(src.begin(), src.end(), [](char32_t c) { return c >= 0x100; }))
    return range{ptr, (encoded.size() / 2) | utf16_tag(cx.ptr_type())};
  const std::uint64_t latin1_size = encoded.size() / 2;
  for (std::uint64_t i = 0; i < latin1_size; ++i) mem(cx)[ptr + i] = mem(cx)[ptr + 2 * i];
  WITC_TRY(ptr, cx.reallocate(ptr, src_byte_length, 1, latin1_size));
  WITC_CHECK(check_range(cx, ptr, latin1_size, 1, "reallocated string"));
  return range{ptr, latin1_size};
}
}  // namespace

witc::result<string_value> load_string_from_range(context& cx, std::uint64_t ptr,
                                                  std::uint64_t tagged_code_units) {
  const std::uint64_t tag = utf16_tag(cx.ptr_type());
  std::uint32_t align = 1;
  std::uint64_t byte_length = tagged_code_units;
  enum { utf8, utf16, latin1 } decode = utf8;
  switch (cx.opts.encoding) {
    case string_encoding::utf8: break;
    case string_encoding::utf16:
      align = 2;
      if (tagged_code_units > max_string_byte_length) return trap("string is too long");
      byte_length = 2 * tagged_code_units;
      decode = utf16;
      break;
    case string_encoding::latin1_utf16:
      align = 2;
      if (tagged_code_units & tag) {
        if ((tagged_code_units ^ tag) > max_string_byte_length) return trap("string is too long");
        byte_length = 2 * (tagged_code_units ^ tag);
        decode = utf16;
      } else {
        decode = latin1;
      }
      break;
  }
  if (byte_length > max_string_byte_length)
    return trap(fmt::format("string of {} bytes is too long", byte_length));
  WITC_CHECK(check_range(cx, ptr, byte_length, align, "string"));
  auto bytes = mem(cx).subspan(ptr, byte_length);
  string_value s;
  s.encoding = cx.opts.encoding;
  s.tagged_code_units = tagged_code_units;
  if (decode == utf8) {
    WITC_TRY(s.text, decode_utf8(bytes));
  } else if (decode == utf16) {
    WITC_TRY(s.text, decode_utf16(bytes));
  } else {
    s.text.assign(bytes.begin(), bytes.end());
  }
  return s;
}

witc::result<range> store_string_into_range(context& cx, const string_value& v) {
  const std::uint64_t tag = utf16_tag(cx.ptr_type());
  const std::u32string& src = v.text;
  enum class simple { utf8, utf16, latin1 } src_simple;
  std::uint64_t src_code_units = v.tagged_code_units;
  switch (v.encoding) {
    case string_encoding::utf8: src_simple = simple::utf8; break;
    case string_encoding::utf16: src_simple = simple::utf16; break;
    case string_encoding::latin1_utf16:
      if (v.tagged_code_units & tag) {
        src_simple = simple::utf16;
        src_code_units = v.tagged_code_units ^ tag;
      } else {
        src_simple = simple::latin1;
      }
      break;
  }
  switch (cx.opts.encoding) {
    case string_encoding::utf8:
      switch (src_simple) {
        case simple::utf8: return store_string_copy(cx, src, src_code_units, 1, 1, string_encoding::utf8);
        case simple::utf16: return store_string_to_utf8(cx, src, src_code_units, src_code_units * 3);
        case simple::latin1: return store_string_to_utf8(cx, src, src_code_units, src_code_units * 2);
      }
      break;
    case string_encoding::utf16:
      switch (src_simple) {
        case simple::utf8: return store_utf8_to_utf16(cx, src, src_code_units);
        case simple::utf16:
        case simple::latin1:
          return store_string_copy(cx, src, src_code_units, 2, 2, string_encoding::utf16);
      }
      break;
    case string_encoding::latin1_utf16:
      if (v.encoding != string_encoding::latin1_utf16)
        return store_string_to_latin1_or_utf16(cx, src, src_code_units);
      if (src_simple == simple::latin1)
        return store_string_copy(cx, src, src_code_units, 1, 2, string_encoding::latin1_utf16);
      return store_probably_utf16_to_latin1_or_utf16(cx, src, src_code_units);
  }
  return trap("unknown string encoding");
}

}  // namespace witc::canon
