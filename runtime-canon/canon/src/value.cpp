#include <fmt/format.h>

#include <bit>
#include <cmath>

#include "witc/canon/value.hpp"

namespace witc::canon {

namespace {
// Decodes UTF-8 the caller already trusts (test literals, host strings); invalid
// sequences become U+FFFD rather than being rejected.
std::u32string decode_utf8_lossy(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t c = n == 1 ? b : b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(c);
    i += n;
  }
  return out;
}

std::size_t utf8_length(const std::u32string& s) {
  std::size_t n = 0;
  for (char32_t c : s) n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  return n;
}
}  // namespace

value value::str(std::string_view utf8) {
  string_value s;
  s.text = decode_utf8_lossy(utf8);
  s.encoding = string_encoding::utf8;
  s.tagged_code_units = utf8_length(s.text);
  return value(storage(std::move(s)));
}

bool operator==(const value& a, const value& b) {
  // Floats compare by value except that NaN equals NaN: lifted NaNs are canonical.
  if (auto fa = a.as<float>(), fb = b.as<float>(); fa && fb)
    return *fa == *fb || (std::isnan(*fa) && std::isnan(*fb));
  if (auto fa = a.as<double>(), fb = b.as<double>(); fa && fb)
    return *fa == *fb || (std::isnan(*fa) && std::isnan(*fb));
  return a.v_ == b.v_;
}

std::string to_string(const value& v) {
  struct visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return fmt::format("{}", i); }
    std::string operator()(std::uint64_t i) const { return fmt::format("{}", i); }
    std::string operator()(float f) const { return fmt::format("{}f", f); }
    std::string operator()(double f) const { return fmt::format("{}", f); }
    std::string operator()(char32_t c) const { return fmt::format("U+{:04X}", std::uint32_t(c)); }
    std::string operator()(const string_value& s) const {
      std::string out = "\"";
      for (char32_t c : s.text) {
        if (c >= 0x20 && c < 0x7F) out.push_back(static_cast<char>(c));
        else out += fmt::format("\\u{{{:x}}}", std::uint32_t(c));
      }
      return out + "\"";
    }
    std::string join(const std::vector<value>& vs) const {
      std::string out;
      for (std::size_t i = 0; i < vs.size(); ++i) out += (i ? ", " : "") + to_string(vs[i]);
      return out;
    }
    std::string operator()(const list_value& l) const { return "[" + join(l.elements) + "]"; }
    std::string operator()(const record_value& r) const { return "{" + join(r.fields) + "}"; }
    std::string operator()(const variant_value& x) const {
      return fmt::format("case {}({})", x.case_index, join(x.payload));
    }
    std::string operator()(const flags_value& f) const { return fmt::format("flags {:#x}", f.bits); }
    std::string operator()(const handle_value& h) const { return fmt::format("handle {}", h.index); }
  };
  return std::visit(visitor{}, v.get());
}

core_value core_value::f32(float f) { return {core_type::f32, std::bit_cast<std::uint32_t>(f)}; }
core_value core_value::f64(double f) { return {core_type::f64, std::bit_cast<std::uint64_t>(f)}; }
float core_value::as_f32() const { return std::bit_cast<float>(static_cast<std::uint32_t>(bits)); }
double core_value::as_f64() const { return std::bit_cast<double>(bits); }

witc::failure trap(std::string why) { return witc::fail(diagnostic::global("trap: " + why)); }

witc::result<core_value> core_value_iter::next(core_type t) {
  if (i_ >= values_.size())
    return witc::fail(diagnostic::global(fmt::format("expected a core `{}` value, found the end of the values", to_string(t))));
  core_value v = values_[i_];
  if (v.type != t)
    return witc::fail(diagnostic::global(fmt::format("expected a core `{}` value, found `{}`",
                                                     to_string(t), to_string(v.type))));
  ++i_;
  if (t == core_type::i32) v.bits &= 0xFFFFFFFFu;
  return v;
}

witc::result<std::uint64_t> context::reallocate(std::uint64_t old, std::uint64_t old_size,
                                                std::uint32_t alignment, std::uint64_t new_size) {
  if (!opts.realloc) return trap("no `realloc` option to allocate with");
  return opts.realloc(old, old_size, alignment, new_size);
}

float canonicalize_nan32(float f) noexcept {
  return std::isnan(f) ? std::bit_cast<float>(canonical_float32_nan) : f;
}
double canonicalize_nan64(double f) noexcept {
  return std::isnan(f) ? std::bit_cast<double>(canonical_float64_nan) : f;
}
float decode_i32_as_float(std::uint32_t i) noexcept {
  return canonicalize_nan32(std::bit_cast<float>(i));
}
double decode_i64_as_float(std::uint64_t i) noexcept {
  return canonicalize_nan64(std::bit_cast<double>(i));
}
std::uint32_t encode_float_as_i32(float f) noexcept {
  return std::bit_cast<std::uint32_t>(canonicalize_nan32(f));
}
std::uint64_t encode_float_as_i64(double f) noexcept {
  return std::bit_cast<std::uint64_t>(canonicalize_nan64(f));
}

}  // namespace witc::canon
