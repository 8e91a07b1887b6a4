// The function-body checker: the spec's validation algorithm over the raw bytes, with
// the immediates decoded in place. It follows `code_reader::next` (core_instr.cpp)
// byte for byte; keep the two in step.
#include <fmt/format.h>

#include <array>

#include "core_detail.hpp"
#include "core_func_check.hpp"

namespace witc::binary::detail {

namespace {

// Operand types of the instructions with a fixed signature ("ii>i" in WITC_CORE_OPS).
struct sig_info {
  std::uint8_t npop = 0;
  std::uint8_t npush = 0;
  valtype pop[3] = {};
  valtype push = valtype::unknown;
};

valtype sig_type(char c) {
  switch (c) {
    case 'i': return valtype::i32;
    case 'I': return valtype::i64;
    case 'f': return valtype::f32;
    default: return valtype::f64;
  }
}

const std::array<sig_info, op_table_size>& sig_table() {
  static const auto table = [] {
    std::array<sig_info, op_table_size> t{};
    for (std::size_t i = 0; i < op_table_size; ++i) {
      std::string_view sig = op_signature(static_cast<op>(i));
      if (sig.empty()) continue;
      auto gt = sig.find('>');
      t[i].npop = static_cast<std::uint8_t>(gt);
      for (std::size_t k = 0; k < gt; ++k) t[i].pop[k] = sig_type(sig[k]);
      if (gt + 1 < sig.size()) {
        t[i].npush = 1;
        t[i].push = sig_type(sig[gt + 1]);
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

// --- diagnostics --------------------------------------------------------------------------

bool func_checker::fail_at(std::uint32_t at, std::string msg) {
  if (!err_) err_ = err_at(at, std::move(msg));
  return false;
}
bool func_checker::fail(std::string msg) { return fail_at(at_, std::move(msg)); }
bool func_checker::unsupported(std::string_view feature) {
  return fail(fmt::format("feature `{}` is not supported", feature));
}
bool func_checker::mismatch(valtype want, valtype got) {
  return fail(fmt::format("type mismatch: expected `{}`, found `{}`", type_name(want), type_name(got)));
}

// --- immediates ---------------------------------------------------------------------------

std::uint32_t func_checker::slow_u32() {
  reader rd(std::span<const std::uint8_t>(p_, static_cast<std::size_t>(end_ - p_)),
            base_ + static_cast<std::uint32_t>(p_ - begin_));
  auto v = rd.u32();
  if (!v) {
    if (!err_) err_ = std::move(v).error();
    p_ = end_;
    return 0;
  }
  p_ += rd.offset();
  return *v;
}
bool func_checker::skip(std::size_t n) {
  if (static_cast<std::size_t>(end_ - p_) < n) {
    p_ = end_;
    return fail_at(base_ + static_cast<std::uint32_t>(end_ - begin_), "unexpected end of section or function");
  }
  p_ += n;
  return true;
}
bool func_checker::skip_s32() {
  if (p_ < end_ && *p_ < 0x80) [[likely]] {
    ++p_;
    return true;
  }
  reader rd(std::span<const std::uint8_t>(p_, static_cast<std::size_t>(end_ - p_)),
            base_ + static_cast<std::uint32_t>(p_ - begin_));
  auto v = rd.s32();
  if (!v) {
    if (!err_) err_ = std::move(v).error();
    p_ = end_;
    return false;
  }
  p_ += rd.offset();
  return true;
}
bool func_checker::skip_s64() {
  reader rd(std::span<const std::uint8_t>(p_, static_cast<std::size_t>(end_ - p_)),
            base_ + static_cast<std::uint32_t>(p_ - begin_));
  auto v = rd.s64();
  if (!v) {
    if (!err_) err_ = std::move(v).error();
    p_ = end_;
    return false;
  }
  p_ += rd.offset();
  return true;
}

std::optional<valtype> func_checker::value_type() { return checked_type(read_value_type); }
std::optional<valtype> func_checker::heap_type() { return checked_type(read_heap_type); }
std::optional<valtype> func_checker::checked_type(result<valtype> (*read)(reader&)) {
  reader rd(std::span<const std::uint8_t>(p_, static_cast<std::size_t>(end_ - p_)),
            base_ + static_cast<std::uint32_t>(p_ - begin_));
  auto v = read(rd);
  if (!v) {
    if (!err_) err_ = std::move(v).error();
    p_ = end_;
    return std::nullopt;
  }
  p_ += rd.offset();
  if (auto c = tc_.check_valtype(*v, at_); !c) {
    if (!err_) err_ = std::move(c).error();
    return std::nullopt;
  }
  return *v;
}

// Block type: 0x40, a value type, or a type index (s33 >= 0).
bool func_checker::block_type(ctrl& c) {
  c.params = c.results = nullptr;
  c.nparams = c.nresults = 0;
  if (p_ >= end_) return skip(1);
  std::uint8_t first = *p_;
  if (first == 0x40) {
    ++p_;
    return true;
  }
  if ((first >= 0x7B && first <= 0x7F) || is_abstract_heap(first) || first == 0x63 || first == 0x64) {
    if (first >= 0x7C && first <= 0x7F) {
      ++p_;
      c.single = static_cast<valtype>(first);
    } else {
      auto t = value_type();
      if (!t) return false;
      c.single = *t;
    }
    c.nresults = 1;
    return true;
  }
  reader rd(std::span<const std::uint8_t>(p_, static_cast<std::size_t>(end_ - p_)),
            base_ + static_cast<std::uint32_t>(p_ - begin_));
  auto idx = rd.s33();
  if (!idx) {
    if (!err_) err_ = std::move(idx).error();
    p_ = end_;
    return false;
  }
  p_ += rd.offset();
  if (*idx < 0) return fail("malformed block type");
  if (*idx >= static_cast<std::int64_t>(m_.types.size())) return fail(fmt::format("unknown type {}", *idx));
  auto i = static_cast<std::uint32_t>(*idx);
  if (tc_.kind_of(i) != sub_kind::func) return fail(fmt::format("type {} is not a function type", i));
  const func_type& ft = m_.types[i];
  c.params = ft.params.data();
  c.nparams = static_cast<std::uint32_t>(ft.params.size());
  c.results = ft.results.data();
  c.nresults = static_cast<std::uint32_t>(ft.results.size());
  return true;
}

// --- stacks -------------------------------------------------------------------------------

bool func_checker::pop_all(const valtype* ts, std::uint32_t n) {
  for (std::uint32_t i = n; i-- > 0;)
    if (!pop(ts[i])) return false;
  return true;
}
bool func_checker::push_ctrl(std::uint8_t kind, ctrl c) {
  c.kind = kind;
  c.height = static_cast<std::uint32_t>(vals_.size());
  c.init_height = static_cast<std::uint32_t>(init_stack_.size());
  c.unreachable = false;
  c.checked = 0;
  ctrls_.push_back(c);
  push_all(c.params, c.nparams);
  if (vals_.size() + ctrls_.size() > lim_.max_operand_depth) return fail("operand stack too deep");
  return true;
}
bool func_checker::pop_ctrl(ctrl& out) {
  out = ctrls_.back();
  if (!pop_all(out.results ? out.results : &out.single, out.nresults)) return false;
  if (vals_.size() != out.height) return fail("type mismatch: values remain on the stack at the end of a block");
  // Locals set inside the block are unset again after it.
  while (init_stack_.size() > out.init_height) {
    local_set_[init_stack_.back()] = 0;
    init_stack_.pop_back();
  }
  ctrls_.pop_back();
  return true;
}
bool func_checker::label(std::uint32_t l, const valtype*& ts, std::uint32_t& n) {
  if (l >= ctrls_.size()) return fail(fmt::format("unknown label {}", l));
  ts = label_types(ctrls_[ctrls_.size() - 1 - l], n);
  return true;
}
bool func_checker::mem(std::uint32_t i, valtype& addr) {
  if (i >= mi_.memories.size()) return fail(fmt::format("unknown memory {}", i));
  addr = mi_.memories[i].is64 ? valtype::i64 : valtype::i32;
  return true;
}
bool func_checker::table(std::uint32_t i, valtype& elem, valtype& addr) {
  if (i >= mi_.tables.size()) return fail(fmt::format("unknown table {}", i));
  elem = mi_.tables[i].elem;
  addr = mi_.tables[i].lim.is64 ? valtype::i64 : valtype::i32;
  return true;
}
bool func_checker::func_type_at(std::uint32_t type, const func_type*& ft) {
  if (type >= m_.types.size()) return fail(fmt::format("unknown type {}", type));
  if (tc_.kind_of(type) != sub_kind::func) return fail(fmt::format("type {} is not a function type", type));
  ft = &m_.types[type];
  return true;
}
bool func_checker::call_common(const func_type& ft, bool tail) {
  if (!pop_all(ft.params.data(), static_cast<std::uint32_t>(ft.params.size()))) return false;
  if (tail) {
    if (!f_.tail_call) return unsupported("tail-call");
    // The callee's results must fit the caller's.
    if (ft.results.size() != fn_->results.size()) return fail("type mismatch: tail call results differ from the function's");
    for (std::size_t k = 0; k < ft.results.size(); ++k)
      if (!tc_.subtype(ft.results[k], fn_->results[k])) return mismatch(fn_->results[k], ft.results[k]);
    set_unreachable();
    return true;
  }
  push_all(ft.results.data(), static_cast<std::uint32_t>(ft.results.size()));
  return true;
}

// memarg: alignment (bit 6: a memory index follows), then the offset.
bool func_checker::memarg(unsigned natural, valtype& addr) {
  std::uint32_t align = u32();
  std::uint32_t memidx = 0;
  if (align & 0x40) {
    if (!f_.multi_memory) return unsupported("multi-memory");
    memidx = u32();
    align &= ~0x40u;
  }
  std::uint64_t offset;
  const std::uint8_t* before = p_;
  if (p_ < end_ && *p_ < 0x80) [[likely]] {
    offset = *p_++;
  } else {
    reader rd(std::span<const std::uint8_t>(p_, static_cast<std::size_t>(end_ - p_)),
              base_ + static_cast<std::uint32_t>(p_ - begin_));
    auto v = rd.u64();
    if (!v) {
      if (!err_) err_ = std::move(v).error();
      p_ = end_;
      return false;
    }
    offset = *v;
    p_ += rd.offset();
  }
  if (err_) return false;
  if (!mem(memidx, addr)) return false;
  if (addr == valtype::i32 && (offset > 0xFFFFFFFFull || p_ - before > 5)) {
    if (p_ - before > 5) return fail("integer representation too long");
    return fail("offset out of range: a 32-bit memory needs an offset below 2^32");
  }
  if (align > natural) return fail("alignment must not be larger than natural");
  return true;
}

// --- the body -----------------------------------------------------------------------------

result<void> func_checker::check(std::uint32_t i) {
  const code& c = m_.codes[i];
  std::uint32_t type = m_.functions[i];
  fn_ = &m_.types[type];
  std::uint64_t nlocals = fn_->params.size() + c.local_count;
  if (nlocals > lim_.max_locals) return err_at(c.offset, "too many locals");
  locals_.assign(fn_->params.begin(), fn_->params.end());
  track_init_ = false;
  for (auto& r : c.locals) {
    WITC_CHECK(tc_.check_valtype(r.type, c.offset));
    if (!tc_.defaultable(r.type)) track_init_ = true;
    locals_.insert(locals_.end(), r.count, r.type);
  }
  if (track_init_) {
    local_set_.assign(locals_.size(), 1);
    for (std::size_t k = fn_->params.size(); k < locals_.size(); ++k)
      local_set_[k] = tc_.defaultable(locals_[k]) ? 1 : 0;
  }
  init_stack_.clear();
  vals_.clear();
  ctrls_.clear();
  err_.reset();
  ctrl fc{};
  fc.results = fn_->results.data();
  fc.nresults = static_cast<std::uint32_t>(fn_->results.size());
  fc.kind = 0x02;
  ctrls_.push_back(fc);
  mem0_is32_ = !mi_.memories.empty() && !mi_.memories[0].is64;
  begin_ = p_ = c.body.data();
  end_ = begin_ + c.body.size();
  base_ = c.offset;
  if (!run()) return std::move(*err_);
  if (p_ != end_) return err_at(base_ + static_cast<std::uint32_t>(p_ - begin_), "section size mismatch: operators after the final `end`");
  return ok;
}

bool func_checker::run() {
  const auto& sigs = sig_table();
  while (!ctrls_.empty()) {
    if (p_ >= end_) [[unlikely]]
      return fail_at(base_ + static_cast<std::uint32_t>(p_ - begin_), "unexpected end of section or function: missing `end`");
    at_ = base_ + static_cast<std::uint32_t>(p_ - begin_);
    std::uint8_t b = *p_++;
    const sig_info& si = sigs[b];
    if (si.npop + si.npush != 0 && (b < 0x28 || b > 0x40)) {
      // Numeric instructions: operand types from the table.
      ctrl& c = ctrls_.back();
      for (int k = si.npop; k-- > 0;) {
        if (vals_.size() > c.height) [[likely]] {
          valtype got = vals_.back();
          if (got != si.pop[k] && got != valtype::unknown) [[unlikely]]
            return mismatch(si.pop[k], got);
          vals_.pop_back();
        } else if (!c.unreachable) {
          return fail("type mismatch: operand stack is empty");
        }
      }
      if (si.npush) {
        vals_.push_back(si.push);
        if (vals_.size() > lim_.max_operand_depth) [[unlikely]]
          return fail("operand stack too deep");
      }
      // Constants carry an immediate.
      if (b >= 0x41 && b <= 0x44) {
        bool okk = b == 0x41 ? skip_leb(4, false) : b == 0x42 ? skip_leb(9, true) : skip(b == 0x43 ? 4 : 8);
        if (!okk) return false;
      }
      continue;
    }
    // The most frequent hand-typed instructions, inline.
    if (b == 0x20 && !track_init_) {  // local.get
      std::uint32_t i = u32();
      if (i >= locals_.size()) [[unlikely]]
        return err_ ? false : fail(fmt::format("unknown local {}", i));
      push(locals_[i]);
      if (vals_.size() > lim_.max_operand_depth) [[unlikely]]
        return fail("operand stack too deep");
      continue;
    }
    if ((b == 0x21 || b == 0x22) && !track_init_) {  // local.set, local.tee
      std::uint32_t i = u32();
      if (i >= locals_.size()) [[unlikely]]
        return err_ ? false : fail(fmt::format("unknown local {}", i));
      valtype t = locals_[i];
      if (!pop(t)) return false;
      if (b == 0x22) push(t);
      continue;
    }
    if (b >= 0x28 && b <= 0x3E && p_ + 2 <= end_ && p_[0] < 0x40 && p_[1] < 0x80 && mem0_is32_) {
      // A load or store of memory 0 (32-bit) with one-byte alignment and offset.
      if (p_[0] > natural_of(b)) return fail("alignment must not be larger than natural");
      p_ += 2;
      valtype v = mem_value(b);
      if (b <= 0x35) {
        if (!pop(valtype::i32)) return false;
        push(v);
      } else if (!pop(v) || !pop(valtype::i32)) {
        return false;
      }
      continue;
    }
    if (!step(b)) return false;
    if (err_ || vals_.size() + ctrls_.size() > lim_.max_operand_depth) [[unlikely]]
      return err_ ? false : fail("operand stack too deep");
  }
  return true;
}

}  // namespace witc::binary::detail
