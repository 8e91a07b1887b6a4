// definitions.py "Flat Lifting", "Flat Lowering" and "Lifting and Lowering Values".
#include "detail.hpp"

namespace witc::canon {

namespace {

// The spec iterates core values through `vi.next(t)`; variants wrap the iterator in
// a coercing one, so lifting goes through this interface.
class reader {
 public:
  virtual ~reader() = default;
  virtual witc::result<core_value> next(core_type t) = 0;
};

class iter_reader final : public reader {
 public:
  explicit iter_reader(core_value_iter& vi) : vi_(vi) {}
  witc::result<core_value> next(core_type t) override { return vi_.next(t); }

 private:
  core_value_iter& vi_;
};

// The spec's `CoerceValueIter`: reads the joined slot type, converts to the wanted one.
class coerce_reader final : public reader {
 public:
  coerce_reader(reader& vi, const std::vector<core_type>& flat) : vi_(vi), flat_(flat) {}
  witc::result<core_value> next(core_type want) override {
    if (pos_ >= flat_.size()) return witc::fail(diagnostic::global("variant payload overruns its slots"));
    const core_type have = flat_[pos_++];
    WITC_TRY(core_value x, vi_.next(have));
    using ct = core_type;
    if (have == ct::i32 && want == ct::f32)
      return core_value::f32(decode_i32_as_float(static_cast<std::uint32_t>(x.bits)));
    if (have == ct::i64 && want == ct::i32) return core_value::i32(static_cast<std::uint32_t>(x.bits));
    if (have == ct::i64 && want == ct::f32)
      return core_value::f32(decode_i32_as_float(static_cast<std::uint32_t>(x.bits)));
    if (have == ct::i64 && want == ct::f64) return core_value::f64(decode_i64_as_float(x.bits));
    if (have != want)
      return witc::fail(diagnostic::global(fmt::format("cannot read a `{}` from a `{}` slot",
                                                       to_string(want), to_string(have))));
    return x;
  }
  // Skips the slots the chosen case did not use.
  witc::result<void> finish() {
    while (pos_ < flat_.size()) WITC_CHECK(vi_.next(flat_[pos_++]));
    return witc::ok;
  }

 private:
  reader& vi_;
  const std::vector<core_type>& flat_;
  std::size_t pos_ = 0;
};

witc::result<value> lift(context& cx, reader& vi, const valtype& t0);

witc::result<value> lift_unsigned(reader& vi, unsigned core_width, unsigned t_width) {
  WITC_TRY(core_value c, vi.next(core_width == 32 ? core_type::i32 : core_type::i64));
  const std::uint64_t m = t_width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << t_width) - 1;
  return value::u(c.bits & m);
}

witc::result<value> lift_signed(reader& vi, unsigned core_width, unsigned t_width) {
  WITC_TRY(core_value c, vi.next(core_width == 32 ? core_type::i32 : core_type::i64));
  if (t_width == 64) return value::s(static_cast<std::int64_t>(c.bits));
  const std::uint64_t m = std::uint64_t{1} << (t_width - 1);
  const std::uint64_t v = c.bits & ((m << 1) - 1);
  return value::s(static_cast<std::int64_t>((v ^ m) - m));
}

witc::result<value> lift(context& cx, reader& vi, const valtype& t0) {
  const valtype& t = despecialize(t0);
  const auto p = cx.ptr_type();
  const core_type ptr = ptr_core_type(p);
  switch (t.kind()) {
    case kind::bool_: {
      WITC_TRY(core_value c, vi.next(core_type::i32));
      return value::boolean(c.bits != 0);
    }
    case kind::u8: return lift_unsigned(vi, 32, 8);
    case kind::u16: return lift_unsigned(vi, 32, 16);
    case kind::u32: return lift_unsigned(vi, 32, 32);
    case kind::u64: return lift_unsigned(vi, 64, 64);
    case kind::s8: return lift_signed(vi, 32, 8);
    case kind::s16: return lift_signed(vi, 32, 16);
    case kind::s32: return lift_signed(vi, 32, 32);
    case kind::s64: return lift_signed(vi, 64, 64);
    case kind::f32: {
      WITC_TRY(core_value c, vi.next(core_type::f32));
      return value::f32(canonicalize_nan32(c.as_f32()));
    }
    case kind::f64: {
      WITC_TRY(core_value c, vi.next(core_type::f64));
      return value::f64(canonicalize_nan64(c.as_f64()));
    }
    case kind::char_: {
      WITC_TRY(core_value c, vi.next(core_type::i32));
      WITC_TRY(char32_t ch, detail::convert_i32_to_char(c.bits));
      return value::ch(ch);
    }
    case kind::string: {
      WITC_TRY(core_value b, vi.next(ptr));
      WITC_TRY(core_value n, vi.next(ptr));
      WITC_TRY(string_value s, load_string_from_range(cx, b.bits, n.bits));
      return value::str(std::move(s));
    }
    case kind::list: {
      if (t.length()) {
        std::vector<value> out;
        for (std::uint32_t i = 0; i < *t.length(); ++i) {
          WITC_TRY(value v, lift(cx, vi, *t.element()));
          out.push_back(std::move(v));
        }
        return value::list(std::move(out));
      }
      WITC_TRY(core_value b, vi.next(ptr));
      WITC_TRY(core_value n, vi.next(ptr));
      return load_list_from_range(cx, b.bits, n.bits, *t.element());
    }
    case kind::record: {
      std::vector<value> fields;
      for (const auto& f : t.members()) {
        WITC_TRY(value v, lift(cx, vi, *f.type));
        fields.push_back(std::move(v));
      }
      return value::record(std::move(fields));
    }
    case kind::variant: {
      auto flat = flatten_type(t, p);
      flat.erase(flat.begin());  // the discriminant, always i32
      WITC_TRY(core_value disc, vi.next(core_type::i32));
      if (disc.bits >= t.members().size())
        return trap(fmt::format("case index {} is out of range for a variant of {} cases",
                                disc.bits, t.members().size()));
      const auto index = static_cast<std::uint32_t>(disc.bits);
      const auto& c = t.members()[index];
      coerce_reader cvi(vi, flat);
      if (!c.type) {
        WITC_CHECK(cvi.finish());
        return value::variant(index);
      }
      WITC_TRY(value v, lift(cx, cvi, *c.type));
      WITC_CHECK(cvi.finish());
      return value::variant(index, std::move(v));
    }
    case kind::flags: {
      WITC_TRY(core_value c, vi.next(core_type::i32));
      const auto n = t.labels().size();
      const std::uint32_t mask = n >= 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << n) - 1;
      return value::flags(static_cast<std::uint32_t>(c.bits) & mask);
    }
    case kind::error_context:
    case kind::own:
    case kind::borrow:
    case kind::stream:
    case kind::future: {
      WITC_TRY(core_value c, vi.next(core_type::i32));
      return detail::lift_handle(cx, t, c.bits);
    }
    default: break;
  }
  return trap("cannot lift a specialized type");
}

witc::result<void> lower(context& cx, const value& v, const valtype& t0, std::vector<core_value>& out) {
  const valtype& t = despecialize(t0);
  const auto p = cx.ptr_type();
  auto push_ptr = [&](std::uint64_t x) {
    out.push_back(p == ptr_type::i32 ? core_value::i32(static_cast<std::uint32_t>(x)) : core_value::i64(x));
  };
  switch (t.kind()) {
    case kind::bool_: {
      const auto* b = v.as<bool>();
      if (!b) return detail::mismatch(v, "bool");
      out.push_back(core_value::i32(*b ? 1 : 0));
      return witc::ok;
    }
    case kind::u8: case kind::u16: case kind::u32:
    case kind::s8: case kind::s16: case kind::s32: {
      WITC_TRY(std::uint64_t bits, detail::int_bits(v, t.kind()));
      out.push_back(core_value::i32(static_cast<std::uint32_t>(bits)));  // lower_flat_signed
      return witc::ok;
    }
    case kind::u64: case kind::s64: {
      WITC_TRY(std::uint64_t bits, detail::int_bits(v, t.kind()));
      out.push_back(core_value::i64(bits));
      return witc::ok;
    }
    case kind::f32: {
      const auto* f = v.as<float>();
      if (!f) return detail::mismatch(v, "f32");
      out.push_back(core_value::f32(canonicalize_nan32(*f)));
      return witc::ok;
    }
    case kind::f64: {
      const auto* f = v.as<double>();
      if (!f) return detail::mismatch(v, "f64");
      out.push_back(core_value::f64(canonicalize_nan64(*f)));
      return witc::ok;
    }
    case kind::char_: {
      const auto* c = v.as<char32_t>();
      if (!c || *c > 0x10FFFF || (*c >= 0xD800 && *c <= 0xDFFF)) return detail::mismatch(v, "char");
      out.push_back(core_value::i32(*c));
      return witc::ok;
    }
    case kind::string: {
      const auto* s = v.as<string_value>();
      if (!s) return detail::mismatch(v, "string");
      WITC_TRY(auto range, store_string_into_range(cx, *s));
      push_ptr(range.first);
      push_ptr(range.second);
      return witc::ok;
    }
    case kind::list: {
      const auto* l = v.as<list_value>();
      if (!l) return detail::mismatch(v, "list");
      if (t.length()) {
        if (l->elements.size() != *t.length())
          return detail::mismatch(v, fmt::format("list<_, {}>", *t.length()));
        for (const auto& e : l->elements) WITC_CHECK(lower(cx, e, *t.element(), out));
        return witc::ok;
      }
      WITC_TRY(auto range, store_list_into_range(cx, *l, *t.element()));
      push_ptr(range.first);
      push_ptr(range.second);
      return witc::ok;
    }
    case kind::record: {
      const auto* r = v.as<record_value>();
      if (!r || r->fields.size() != t.members().size()) return detail::mismatch(v, "record");
      for (std::size_t i = 0; i < r->fields.size(); ++i)
        WITC_CHECK(lower(cx, r->fields[i], *t.members()[i].type, out));
      return witc::ok;
    }
    case kind::variant: {
      const auto* x = v.as<variant_value>();
      if (!x || x->case_index >= t.members().size()) return detail::mismatch(v, "variant");
      const auto& c = t.members()[x->case_index];
      if (x->payload.size() != (c.type ? 1u : 0u)) return detail::mismatch(v, "variant");
      auto flat = flatten_type(t, p);
      out.push_back(core_value::i32(x->case_index));
      std::size_t slot = 1;
      if (c.type) {
        std::vector<core_value> payload;
        WITC_CHECK(lower(cx, x->payload[0], *c.type, payload));
        for (auto fv : payload) {
          const core_type want = flat[slot++];
          using ct = core_type;
          if (fv.type == ct::f32 && want == ct::i32) fv = core_value::i32(encode_float_as_i32(fv.as_f32()));
          else if (fv.type == ct::i32 && want == ct::i64) fv = core_value::i64(fv.bits);
          else if (fv.type == ct::f32 && want == ct::i64) fv = core_value::i64(encode_float_as_i32(fv.as_f32()));
          else if (fv.type == ct::f64 && want == ct::i64) fv = core_value::i64(encode_float_as_i64(fv.as_f64()));
          out.push_back(fv);
        }
      }
      for (; slot < flat.size(); ++slot) out.push_back(core_value{flat[slot], 0});
      return witc::ok;
    }
    case kind::flags: {
      const auto* f = v.as<flags_value>();
      if (!f) return detail::mismatch(v, "flags");
      const auto n = t.labels().size();
      const std::uint32_t mask = n >= 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << n) - 1;
      out.push_back(core_value::i32(f->bits & mask));
      return witc::ok;
    }
    case kind::error_context:
    case kind::own:
    case kind::borrow:
    case kind::stream:
    case kind::future: {
      WITC_TRY(std::uint32_t i, detail::lower_handle(cx, t, v));
      out.push_back(core_value::i32(i));
      return witc::ok;
    }
    default: break;
  }
  return trap("cannot lower a specialized type");
}

}  // namespace

witc::result<value> lift_flat(context& cx, core_value_iter& vi, const valtype& t) {
  iter_reader r(vi);
  return lift(cx, r, t);
}

witc::result<std::vector<core_value>> lower_flat(context& cx, const value& v, const valtype& t) {
  std::vector<core_value> out;
  WITC_CHECK(lower(cx, v, t, out));
  return out;
}

witc::result<std::vector<value>> lift_flat_values(context& cx, std::size_t max_flat,
                                                  core_value_iter& vi,
                                                  const std::vector<type_ref>& ts) {
  const auto p = cx.ptr_type();
  if (flatten_types(ts, p).size() > max_flat) {
    WITC_TRY(core_value ptr, vi.next(ptr_core_type(p)));
    const auto tuple_type = tuple(ts);
    WITC_TRY(value v, load(cx, ptr.bits, *tuple_type));
    return std::move(std::get<record_value>(v.get()).fields);
  }
  std::vector<value> out;
  for (const auto& t : ts) {
    WITC_TRY(value v, lift_flat(cx, vi, *t));
    out.push_back(std::move(v));
  }
  return out;
}

witc::result<std::vector<core_value>> lower_flat_values(context& cx, std::size_t max_flat,
                                                        const std::vector<value>& vs,
                                                        const std::vector<type_ref>& ts,
                                                        core_value_iter* out_param) {
  if (vs.size() != ts.size())
    return witc::fail(diagnostic::global(
        fmt::format("expected {} values, found {}", ts.size(), vs.size())));
  const auto p = cx.ptr_type();
  std::vector<core_value> flat_vals;
  if (flatten_types(ts, p).size() > max_flat) {
    const auto tuple_type = tuple(ts);
    std::uint64_t ptr;
    if (!out_param) {
      WITC_TRY(ptr, cx.allocate(alignment(*tuple_type, p), elem_size(*tuple_type, p)));
      flat_vals.push_back(p == ptr_type::i32 ? core_value::i32(static_cast<std::uint32_t>(ptr))
                                             : core_value::i64(ptr));
    } else {
      WITC_TRY(core_value c, out_param->next(ptr_core_type(p)));
      ptr = c.bits;
    }
    WITC_CHECK(detail::check_range(cx, ptr, elem_size(*tuple_type, p), alignment(*tuple_type, p),
                                   "spilled values"));
    WITC_CHECK(store(cx, value::record(vs), *tuple_type, ptr));
    return flat_vals;
  }
  for (std::size_t i = 0; i < vs.size(); ++i) WITC_CHECK(lower(cx, vs[i], *ts[i], flat_vals));
  return flat_vals;
}

}  // namespace witc::canon
