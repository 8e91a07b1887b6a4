// definitions.py "Loading" and "Storing": values to and from linear memory.
#include "detail.hpp"

namespace witc::canon {

namespace detail {

std::string_view kind_name(canon::kind k) {
  static constexpr std::string_view names[] = {
      "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char",
      "string", "error-context", "list", "record", "tuple", "variant", "enum", "option",
      "result", "map", "flags", "own", "borrow", "stream", "future"};
  return names[static_cast<std::size_t>(k)];
}

witc::result<std::uint64_t> int_bits(const value& v, canon::kind k) {
  auto width = [&]() -> unsigned {
    switch (k) {
      case kind::s8: case kind::u8: return 8;
      case kind::s16: case kind::u16: return 16;
      case kind::s32: case kind::u32: return 32;
      default: return 64;
    }
  }();
  const bool is_signed = k == kind::s8 || k == kind::s16 || k == kind::s32 || k == kind::s64;
  if (is_signed) {
    const auto* i = v.as<std::int64_t>();
    if (!i) return mismatch(v, kind_name(k));
    if (width < 64) {
      const std::int64_t lo = -(std::int64_t{1} << (width - 1)), hi = -lo - 1;
      if (*i < lo || *i > hi) return mismatch(v, kind_name(k));
    }
    return static_cast<std::uint64_t>(*i);
  }
  const auto* u = v.as<std::uint64_t>();
  if (!u) return mismatch(v, kind_name(k));
  if (width < 64 && *u >> width) return mismatch(v, kind_name(k));
  return *u;
}

witc::result<value> lift_handle(context& cx, const valtype& t, std::uint64_t index) {
  if (cx.handles.lift) return cx.handles.lift(t, static_cast<std::uint32_t>(index));
  return value::handle(static_cast<std::uint32_t>(index));
}

witc::result<std::uint32_t> lower_handle(context& cx, const valtype& t, const value& v) {
  if (cx.handles.lower) return cx.handles.lower(t, v);
  const auto* h = v.as<handle_value>();
  if (!h) return mismatch(v, kind_name(t.kind()));
  return h->index;
}

}  // namespace detail

namespace {
using detail::load_int;
using detail::store_int;

std::int64_t sign_extend(std::uint64_t v, unsigned width) {
  if (width == 64) return static_cast<std::int64_t>(v);
  const std::uint64_t m = std::uint64_t{1} << (width - 1);
  v &= (m << 1) - 1;
  return static_cast<std::int64_t>((v ^ m) - m);
}

std::uint32_t flags_mask(std::size_t n) {
  return n >= 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << n) - 1;
}
}  // namespace

witc::result<value> load_list_from_range(context& cx, std::uint64_t ptr, std::uint64_t length,
                                         const valtype& elem) {
  const auto p = cx.ptr_type();
  const std::uint64_t size = elem_size(elem, p);
  if (size != 0 && length > max_list_byte_length / size)
    return trap(fmt::format("list of {} elements of {} bytes is too long", length, size));
  WITC_CHECK(detail::check_range(cx, ptr, length * size, alignment(elem, p), "list"));
  std::vector<value> out;
  out.reserve(length);
  for (std::uint64_t i = 0; i < length; ++i) {
    WITC_TRY(value v, load(cx, ptr + i * size, elem));
    out.push_back(std::move(v));
  }
  return value::list(std::move(out));
}

witc::result<value> load(context& cx, std::uint64_t ptr, const valtype& t0) {
  const auto p = cx.ptr_type();
  const valtype& t = despecialize(t0);
  WITC_CHECK(detail::check_range(cx, ptr, elem_size(t, p), alignment(t, p),
                                 fmt::format("`{}` value", detail::kind_name(t0.kind()))));
  switch (t.kind()) {
    case kind::bool_: return value::boolean(load_int(cx, ptr, 1) != 0);
    case kind::u8: return value::u(load_int(cx, ptr, 1));
    case kind::u16: return value::u(load_int(cx, ptr, 2));
    case kind::u32: return value::u(load_int(cx, ptr, 4));
    case kind::u64: return value::u(load_int(cx, ptr, 8));
    case kind::s8: return value::s(sign_extend(load_int(cx, ptr, 1), 8));
    case kind::s16: return value::s(sign_extend(load_int(cx, ptr, 2), 16));
    case kind::s32: return value::s(sign_extend(load_int(cx, ptr, 4), 32));
    case kind::s64: return value::s(sign_extend(load_int(cx, ptr, 8), 64));
    case kind::f32:
      return value::f32(decode_i32_as_float(static_cast<std::uint32_t>(load_int(cx, ptr, 4))));
    case kind::f64: return value::f64(decode_i64_as_float(load_int(cx, ptr, 8)));
    case kind::char_: {
      WITC_TRY(char32_t c, detail::convert_i32_to_char(load_int(cx, ptr, 4)));
      return value::ch(c);
    }
    case kind::string: {
      const auto ps = ptr_size(p);
      WITC_TRY(string_value s,
               load_string_from_range(cx, load_int(cx, ptr, ps), load_int(cx, ptr + ps, ps)));
      return value::str(std::move(s));
    }
    case kind::list: {
      if (t.length()) {
        const std::uint64_t size = elem_size(*t.element(), p);
        std::vector<value> out;
        for (std::uint32_t i = 0; i < *t.length(); ++i) {
          WITC_TRY(value v, load(cx, ptr + i * size, *t.element()));
          out.push_back(std::move(v));
        }
        return value::list(std::move(out));
      }
      const auto ps = ptr_size(p);
      return load_list_from_range(cx, load_int(cx, ptr, ps), load_int(cx, ptr + ps, ps),
                                  *t.element());
    }
    case kind::record: {
      std::vector<value> fields;
      for (const auto& f : t.members()) {
        ptr = align_to(ptr, alignment(*f.type, p));
        WITC_TRY(value v, load(cx, ptr, *f.type));
        fields.push_back(std::move(v));
        ptr += elem_size(*f.type, p);
      }
      return value::record(std::move(fields));
    }
    case kind::variant: {
      const auto disc_size = discriminant_size(t.members().size());
      const std::uint64_t case_index = load_int(cx, ptr, disc_size);
      ptr += disc_size;
      if (case_index >= t.members().size())
        return trap(fmt::format("case index {} is out of range for a variant of {} cases",
                                case_index, t.members().size()));
      const auto& c = t.members()[case_index];
      ptr = align_to(ptr, max_case_alignment(t.members(), p));
      if (!c.type) return value::variant(static_cast<std::uint32_t>(case_index));
      WITC_TRY(value v, load(cx, ptr, *c.type));
      return value::variant(static_cast<std::uint32_t>(case_index), std::move(v));
    }
    case kind::flags: {
      const auto n = t.labels().size();
      return value::flags(static_cast<std::uint32_t>(load_int(cx, ptr, flags_size(n))) & flags_mask(n));
    }
    case kind::error_context:
    case kind::own:
    case kind::borrow:
    case kind::stream:
    case kind::future: return detail::lift_handle(cx, t, load_int(cx, ptr, 4));
    default: break;
  }
  return trap("cannot load a specialized type");
}

witc::result<std::pair<std::uint64_t, std::uint64_t>> store_list_into_range(
    context& cx, const list_value& v, const valtype& elem) {
  const auto p = cx.ptr_type();
  const std::uint64_t size = elem_size(elem, p);
  const std::uint64_t byte_length = v.elements.size() * size;
  if (byte_length > realloc_i32_max) return trap("list is too long to store");
  const auto align = alignment(elem, p);
  WITC_TRY(std::uint64_t ptr, cx.allocate(align, byte_length));
  WITC_CHECK(detail::check_range(cx, ptr, byte_length, align, "allocated list"));
  for (std::size_t i = 0; i < v.elements.size(); ++i)
    WITC_CHECK(store(cx, v.elements[i], elem, ptr + i * size));
  return std::pair{ptr, std::uint64_t{v.elements.size()}};
}

witc::result<void> store(context& cx, const value& v, const valtype& t0, std::uint64_t ptr) {
  const auto p = cx.ptr_type();
  const valtype& t = despecialize(t0);
  WITC_CHECK(detail::check_range(cx, ptr, elem_size(t, p), alignment(t, p),
                                 fmt::format("`{}` value", detail::kind_name(t0.kind()))));
  switch (t.kind()) {
    case kind::bool_: {
      const auto* b = v.as<bool>();
      if (!b) return detail::mismatch(v, "bool");
      store_int(cx, *b ? 1 : 0, ptr, 1);
      return witc::ok;
    }
    case kind::u8: case kind::s8:
    case kind::u16: case kind::s16:
    case kind::u32: case kind::s32:
    case kind::u64: case kind::s64: {
      WITC_TRY(std::uint64_t bits, detail::int_bits(v, t.kind()));
      store_int(cx, bits, ptr, static_cast<std::uint32_t>(elem_size(t, p)));
      return witc::ok;
    }
    case kind::f32: {
      const auto* f = v.as<float>();
      if (!f) return detail::mismatch(v, "f32");
      store_int(cx, encode_float_as_i32(*f), ptr, 4);
      return witc::ok;
    }
    case kind::f64: {
      const auto* f = v.as<double>();
      if (!f) return detail::mismatch(v, "f64");
      store_int(cx, encode_float_as_i64(*f), ptr, 8);
      return witc::ok;
    }
    case kind::char_: {
      const auto* c = v.as<char32_t>();
      if (!c || *c > 0x10FFFF || (*c >= 0xD800 && *c <= 0xDFFF)) return detail::mismatch(v, "char");
      store_int(cx, *c, ptr, 4);
      return witc::ok;
    }
    case kind::string: {
      const auto* s = v.as<string_value>();
      if (!s) return detail::mismatch(v, "string");
      WITC_TRY(auto range, store_string_into_range(cx, *s));
      const auto ps = ptr_size(p);
      store_int(cx, range.first, ptr, ps);
      store_int(cx, range.second, ptr + ps, ps);
      return witc::ok;
    }
    case kind::list: {
      const auto* l = v.as<list_value>();
      if (!l) return detail::mismatch(v, "list");
      if (t.length()) {
        if (l->elements.size() != *t.length())
          return detail::mismatch(v, fmt::format("list<_, {}>", *t.length()));
        const std::uint64_t size = elem_size(*t.element(), p);
        for (std::size_t i = 0; i < l->elements.size(); ++i)
          WITC_CHECK(store(cx, l->elements[i], *t.element(), ptr + i * size));
        return witc::ok;
      }
      WITC_TRY(auto range, store_list_into_range(cx, *l, *t.element()));
      const auto ps = ptr_size(p);
      store_int(cx, range.first, ptr, ps);
      store_int(cx, range.second, ptr + ps, ps);
      return witc::ok;
    }
    case kind::record: {
      const auto* r = v.as<record_value>();
      if (!r || r->fields.size() != t.members().size()) return detail::mismatch(v, "record");
      for (std::size_t i = 0; i < r->fields.size(); ++i) {
        const auto& f = t.members()[i];
        ptr = align_to(ptr, alignment(*f.type, p));
        WITC_CHECK(store(cx, r->fields[i], *f.type, ptr));
        ptr += elem_size(*f.type, p);
      }
      return witc::ok;
    }
    case kind::variant: {
      const auto* x = v.as<variant_value>();
      if (!x || x->case_index >= t.members().size()) return detail::mismatch(v, "variant");
      const auto& c = t.members()[x->case_index];
      if (x->payload.size() != (c.type ? 1u : 0u)) return detail::mismatch(v, "variant");
      const auto disc_size = discriminant_size(t.members().size());
      store_int(cx, x->case_index, ptr, disc_size);
      ptr += disc_size;
      ptr = align_to(ptr, max_case_alignment(t.members(), p));
      if (c.type) WITC_CHECK(store(cx, x->payload[0], *c.type, ptr));
      return witc::ok;
    }
    case kind::flags: {
      const auto* f = v.as<flags_value>();
      if (!f) return detail::mismatch(v, "flags");
      const auto n = t.labels().size();
      store_int(cx, f->bits & flags_mask(n), ptr, flags_size(n));
      return witc::ok;
    }
    case kind::error_context:
    case kind::own:
    case kind::borrow:
    case kind::stream:
    case kind::future: {
      WITC_TRY(std::uint32_t i, detail::lower_handle(cx, t, v));
      store_int(cx, i, ptr, 4);
      return witc::ok;
    }
    default: break;
  }
  return trap("cannot store a specialized type");
}

}  // namespace witc::canon
