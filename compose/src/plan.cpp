// Reading the inputs, matching imports to exports, and checking every link.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <set>
#include <span>

#include "state.hpp"
#include "witc/binary/component_reader.hpp"

namespace witc::compose {
namespace detail {

std::vector<rid> declared_of(const arena& a, const entity& e) {
  if (e.kind == ek::module || e.kind == ek::value) return {};
  const tnode& n = a.node(e.t);
  if (e.kind == ek::type && n.kind == tk::resource) return {n.res};
  if (e.kind == ek::instance || e.kind == ek::component) return n.declared;
  return {};
}

namespace {

struct semver {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::string pre;
};

std::optional<semver> parse_semver(std::string_view s) {
  semver v;
  if (auto plus = s.find('+'); plus != std::string_view::npos) s = s.substr(0, plus);
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    v.pre = std::string(s.substr(dash + 1));
    s = s.substr(0, dash);
  }
  std::uint64_t* parts[3] = {&v.major, &v.minor, &v.patch};
  for (int i = 0; i < 3; ++i) {
    auto dot = s.find('.');
    std::string_view num = i < 2 ? s.substr(0, dot) : s;
    if (num.empty() || (i < 2 && dot == std::string_view::npos)) return std::nullopt;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), *parts[i]);
    if (ec != std::errc{} || p != num.data() + num.size()) return std::nullopt;
    if (i < 2) s = s.substr(dot + 1);
  }
  return v;
}

/// `ns:pkg/iface@1.2.0` -> (`ns:pkg/iface`, `1.2.0`).
std::pair<std::string_view, std::string_view> split_name(std::string_view n) {
  auto at = n.find('@');
  if (at == std::string_view::npos) return {n, {}};
  return {n.substr(0, at), n.substr(at + 1)};
}

bool version_less(std::string_view a, std::string_view b) {
  auto x = parse_semver(a), y = parse_semver(b);
  if (!x || !y) return a < b;
  return std::tie(x->major, x->minor, x->patch) < std::tie(y->major, y->minor, y->patch);
}

std::string short_name(std::string_view path) {
  auto slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

class planner {
 public:
  explicit planner(state& s) : s_(s) {}

  // The export of input `p` that satisfies import `name`, if any (the newest compatible).
  const item* find_export(std::size_t p, std::string_view name) {
    auto [base, ver] = split_name(name);
    const item* best = nullptr;
    for (const auto& ex : s_.in[p].sh.exports) {
      auto [eb, ev] = split_name(ex.name);
      if (eb != base || !version_compatible(ver, ev)) continue;
      if (!best || version_less(split_name(best->name).second, ev)) best = &ex;
    }
    return best;
  }

  std::optional<std::size_t> input_named(std::string_view file) {
    for (std::size_t i = 0; i < s_.in.size(); ++i)
      if (s_.in[i].name == file) return i;
    for (std::size_t i = 0; i < s_.in.size(); ++i)
      if (short_name(s_.in[i].name) == short_name(file)) return i;
    return std::nullopt;
  }

  static bool name_matches(std::string_view want, std::string_view import) {
    return want == import || want == split_name(import).first;
  }

  result<void> choose(std::size_t c, const item& im, diagnostics& errs) {
    for (const auto& k : s_.opts.keep)
      if (name_matches(k, im.name)) return keep(c, im);
    std::optional<std::pair<std::string, std::string>> chosen;  // (flag, file)
    if (c == 0)
      for (const auto& [imp, file] : s_.opts.withs)
        if (name_matches(imp, im.name)) chosen = {fmt::format("--with {}={}", imp, file), file};
    if (!chosen)
      for (const auto& [n, file] : s_.opts.plugs)
        if (name_matches(n, im.name)) chosen = {fmt::format("--plug {}={}", n, file), file};
    if (chosen) {
      auto p = input_named(chosen->second);
      if (!p) {
        errs.push_back(diagnostic::global(fmt::format("`{}` names `{}`, which is not an input", chosen->first, chosen->second)));
        return ok;
      }
      const item* ex = find_export(*p, im.name);
      if (!ex) {
        std::string have;
        for (const auto& e : s_.in[*p].sh.exports) have += fmt::format("{}`{}`", have.empty() ? "" : ", ", e.name);
        errs.push_back(diagnostic::error(span{im.offset, im.offset + 1},
                                         fmt::format("`{}` chooses {} for the `{}` import of {}, but it exports no compatible `{}`",
                                                     chosen->first, s_.in[*p].name, im.name, s_.in[c].name, split_name(im.name).first),
                                         have.empty() ? "it exports nothing" : "it exports " + have));
        return ok;
      }
      return link(c, im, *p, *ex);
    }
    std::vector<std::pair<std::size_t, const item*>> cands;
    for (std::size_t p = 0; p < s_.in.size(); ++p) {
      if (p == c) continue;
      if (const item* ex = find_export(p, im.name)) cands.emplace_back(p, ex);
    }
    if (cands.empty()) return keep(c, im);
    if (cands.size() > 1) {
      std::string list;
      for (auto& [p, ex] : cands) list += fmt::format("{}{} (`{}`)", list.empty() ? "" : ", ", s_.in[p].name, ex->name);
      errs.push_back(diagnostic::error(span{im.offset, im.offset + 1},
                                       fmt::format("the `{}` import of {} is exported by more than one input: {}",
                                                   im.name, s_.in[c].name, list),
                                       fmt::format("choose one with `--plug {}=FILE`", split_name(im.name).first)));
      return ok;
    }
    return link(c, im, cands[0].first, *cands[0].second);
  }

  result<void> keep(std::size_t c, const item& im) {
    s_.p.links.push_back({c, im.name, std::nullopt, {}});
    return ok;
  }
  result<void> link(std::size_t c, const item& im, std::size_t p, const item& ex) {
    s_.p.links.push_back({c, im.name, p, ex.name});
    if (!used_[p]) {
      used_[p] = true;
      queue_.push_back(p);
    }
    return ok;
  }

  result<void> run() {
    used_.assign(s_.in.size(), false);
    used_[0] = true;
    queue_.push_back(0);
    diagnostics errs;
    for (std::size_t qi = 0; qi < queue_.size(); ++qi) {
      std::size_t c = queue_[qi];
      for (const auto& im : s_.in[c].sh.imports) WITC_CHECK(choose(c, im, errs));
    }
    if (!errs.empty()) return fail(std::move(errs));
    WITC_CHECK(order());
    for (std::size_t i = 0; i < s_.in.size(); ++i)
      if (!used_[i]) {
        s_.p.unused.push_back(i);
        diagnostic w = diagnostic::global(
            fmt::format("{} satisfies no import of the composition; it is left out", s_.in[i].name),
            "check the interface names and versions it exports with `--dry-run`");
        w.level = level::warning;
        s_.warnings.push_back(std::move(w));
      }
    for (const auto& [n, file] : s_.opts.plugs)
      if (!input_named(file)) return fail(diagnostic::global(fmt::format("`--plug {}={}` names a file that is not an input", n, file)));
    WITC_CHECK(check());
    WITC_CHECK(order_groups());
    return ok;
  }

  // Providers before consumers; a cycle is an error naming its links.
  result<void> order() {
    std::vector<int> mark(s_.in.size(), 0);
    std::vector<std::size_t> stack;
    std::function<result<void>(std::size_t)> visit = [&](std::size_t c) -> result<void> {
      mark[c] = 1;
      stack.push_back(c);
      for (const auto& l : s_.p.links) {
        if (l.consumer != c || !l.provider) continue;
        std::size_t p = *l.provider;
        if (mark[p] == 1) {
          std::string path;
          auto from = std::find(stack.begin(), stack.end(), p);
          for (auto it = from; it != stack.end(); ++it) {
            std::size_t next = it + 1 == stack.end() ? p : *(it + 1);
            for (const auto& x : s_.p.links)
              if (x.consumer == *it && x.provider == next) {
                path += fmt::format("{} imports `{}` from {}; ", s_.in[*it].name, x.import, s_.in[next].name);
                break;
              }
          }
          path.resize(path.size() - 2);
          return fail(diagnostic::global(fmt::format("the inputs form a cycle: {}", path),
                                         "break it with `--keep IMPORT`, or choose another provider with `--plug NAME=FILE`"));
        }
        if (mark[p] == 0) WITC_CHECK(visit(p));
      }
      stack.pop_back();
      mark[c] = 2;
      s_.p.order.push_back(c);
      return ok;
    };
    return visit(0);
  }

  const item& import_of(std::size_t c, const std::string& name) {
    for (const auto& im : s_.in[c].sh.imports)
      if (im.name == name) return im;
    return s_.in[c].sh.imports.front();
  }
  const item& export_of(std::size_t p, const std::string& name) {
    for (const auto& ex : s_.in[p].sh.exports)
      if (ex.name == name) return ex;
    return s_.in[p].sh.exports.front();
  }

  // Type-checks links in instantiation order, so each provider's own imports are bound
  // before its exports are compared; merges the imports that stay.
  result<void> check() {
    arena& a = s_.a;
    for (std::size_t c : s_.p.order) {
      for (const auto& l : s_.p.links) {
        if (l.consumer != c) continue;
        const item& im = import_of(c, l.import);
        if (l.provider) {
          const item& ex = export_of(*l.provider, l.export_name);
          if (auto d = mismatch(a, ex.e, im.e, declared_of(a, im.e))) {
            std::string where = d->item.empty() ? std::string{} : fmt::format(" `{}`", d->item);
            std::string msg =
                d->found.empty()
                    ? fmt::format("`{}` import of {} expects `{}`, which the `{}` export of {} lacks", im.name, s_.in[c].name,
                                  d->expected, ex.name, s_.in[*l.provider].name)
                    : fmt::format("`{}` import of {} expects `{}`, {} exports `{}`", im.name, s_.in[c].name, d->expected,
                                  s_.in[*l.provider].name, d->found);
            return fail(diagnostic::error(span{im.offset, im.offset + 1}, msg,
                                          fmt::format("{}{}; the export is at byte offset 0x{:x} of {}", where.empty() ? "" : where.substr(1) + ": ", d->why,
                                                      ex.offset - base_of(*l.provider), s_.in[*l.provider].name)));
          }
          continue;
        }
        WITC_CHECK(merge(c, im));
      }
    }
    return ok;
  }

  std::uint32_t base_of(std::size_t i) { return bases_[i]; }

  result<void> merge(std::size_t c, const item& im) {
    arena& a = s_.a;
    auto it = std::find_if(s_.groups.begin(), s_.groups.end(), [&](const group& g) { return g.name == im.name; });
    if (it == s_.groups.end()) {
      s_.groups.push_back({im.name, im.ename, im.e});
      s_.group_of[{c, im.name}] = s_.groups.size() - 1;
      first_[im.name] = c;
      return ok;
    }
    s_.group_of[{c, im.name}] = static_cast<std::size_t>(it - s_.groups.begin());
    group& g = *it;
    auto differ = [&](const std::string& what) {
      return fail(diagnostic::error(span{im.offset, im.offset + 1},
                                    fmt::format("{} and {} both import `{}`, with different types: {}",
                                                s_.in[first_[im.name]].name, s_.in[c].name, im.name, what)));
    };
    if (g.e.kind != im.e.kind || g.e.kind != ek::instance) {
      if (auto d = mismatch(a, g.e, im.e, declared_of(a, im.e))) return differ(d->why);
      return ok;
    }
    tnode merged = a.node(g.e.t);
    const tnode add = a.node(im.e.t);
    std::vector<rid> bind = add.declared;
    for (const auto& [name, x] : add.exports) {
      auto have = std::find_if(merged.exports.begin(), merged.exports.end(), [&](const auto& p) { return p.first == name; });
      if (have == merged.exports.end()) {
        merged.exports.emplace_back(name, x);
        continue;
      }
      if (auto d = mismatch(a, have->second, x, bind))
        return differ(fmt::format("one needs `{}: {}`, the other `{}: {}`", name, print_entity(a, have->second), name,
                                  print_entity(a, x)));
      if (x.kind == ek::type && x.t != have->second.t) a.same_type(x.t, have->second.t);
    }
    g.e.t = a.add(std::move(merged));
    return ok;
  }

  // Each kept import after those whose resources it uses.
  result<void> order_groups() {
    arena& a = s_.a;
    std::map<rid, std::size_t> owner;
    for (std::size_t i = 0; i < s_.groups.size(); ++i)
      for (rid r : declared_resources(s_.groups[i].e)) owner.emplace(r, i);
    std::vector<int> mark(s_.groups.size(), 0);
    std::vector<std::size_t> out;
    std::function<result<void>(std::size_t)> visit = [&](std::size_t g) -> result<void> {
      if (mark[g] == 2) return ok;
      if (mark[g] == 1) return fail(diagnostic::global(fmt::format("the imports of the composition refer to each other's resources in a cycle (at `{}`)", s_.groups[g].name)));
      mark[g] = 1;
      std::vector<rid> refs;
      collect_resources(a, s_.groups[g].e, refs);
      for (rid r : refs) {
        auto it = owner.find(r);
        if (it == owner.end()) {
          const auto& info = a.resource(r);
          return fail(diagnostic::global(
              fmt::format("`{}` stays an import of the composition, but it uses resource `{}` that {} provides", s_.groups[g].name,
                          info.name, info.input >= 0 ? s_.in[static_cast<std::size_t>(info.input)].name : std::string("an input")),
              "satisfy that import from an input too (`--plug NAME=FILE`), or keep the resource's interface an import (`--keep`)"));
        }
        if (it->second != g) WITC_CHECK(visit(it->second));
      }
      mark[g] = 2;
      out.push_back(g);
      return ok;
    };
    for (std::size_t g = 0; g < s_.groups.size(); ++g) WITC_CHECK(visit(g));
    std::vector<group> sorted;
    std::vector<std::size_t> new_index(s_.groups.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      new_index[out[i]] = i;
      sorted.push_back(s_.groups[out[i]]);
    }
    for (auto& [k, v] : s_.group_of) v = new_index[v];
    s_.groups = std::move(sorted);
    return ok;
  }

  std::vector<rid> declared_resources(const entity& e) {
    std::vector<rid> out;
    for (rid r : declared_of(s_.a, e)) out.push_back(s_.a.find(r));
    const tnode& n = s_.a.node(e.t);
    if (e.kind == ek::instance)
      for (const auto& [name, x] : n.exports)
        if (x.kind == ek::type && s_.a.node(x.t).kind == tk::resource) out.push_back(s_.a.find(s_.a.node(x.t).res));
    return out;
  }

  std::vector<std::uint32_t> bases_;

 private:
  state& s_;
  std::vector<bool> used_;
  std::vector<std::size_t> queue_;
  std::map<std::string, std::size_t> first_;
};

}  // namespace
}  // namespace detail

bool version_compatible(std::string_view iv, std::string_view ev) {
  if (iv.empty() || ev.empty()) return iv.empty() && ev.empty();
  if (iv == ev) return true;
  auto i = detail::parse_semver(iv), e = detail::parse_semver(ev);
  if (!i || !e || !i->pre.empty() || !e->pre.empty()) return false;
  if (i->major != e->major) return false;
  if (i->major == 0) {
    if (i->minor != e->minor) return false;
    if (i->minor == 0) return i->patch == e->patch;
  }
  return std::tie(e->minor, e->patch) >= std::tie(i->minor, i->patch);
}

composition::composition() : s_(std::make_unique<detail::state>()) {}
composition::composition(composition&&) noexcept = default;
composition& composition::operator=(composition&&) noexcept = default;
composition::~composition() = default;
const plan& composition::plan() const { return s_->p; }
const std::vector<std::string>& composition::names() const { return s_->names; }
const diagnostics& composition::warnings() const { return s_->warnings; }
std::vector<std::string> composition::imports() const {
  std::vector<std::string> out;
  for (const auto& g : s_->groups) out.push_back(g.name);
  return out;
}
std::vector<std::string> composition::exports() const {
  std::vector<std::string> out;
  for (const auto& e : s_->in.at(0).sh.exports) out.push_back(e.name);
  return out;
}

result<composition> plan_composition(std::vector<input> inputs, const options& opts, source_map& sm) {
  if (inputs.empty()) return fail(diagnostic::global("no input components", "usage: wrt-compose ROOT.wasm PLUG.wasm... -o OUT.wasm"));
  composition c;
  detail::state& s = *c.s_;
  s.opts = opts;
  s.sm = &sm;
  detail::planner pl(s);
  diagnostics errs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto& in = inputs[i];
    for (std::size_t j = 0; j < i; ++j)
      if (inputs[j].name == in.name) return fail(diagnostic::global(fmt::format("{} is given twice", in.name)));
    std::uint32_t base = sm.add(in.name, std::move(in.bytes), true);
    const std::string& text = sm.files().back().text;
    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    pl.bases_.push_back(base);
    s.names.push_back(in.name);
    if (binary::is_core_module(bytes)) {
      errs.push_back(diagnostic::error(span{base, base + 1}, fmt::format("{} is a core module, not a component", in.name),
                                       "make a component of it first (`witc component new`)"));
      continue;
    }
    if (!binary::is_component(bytes)) {
      errs.push_back(diagnostic::error(span{base, base + 1}, fmt::format("{} is not a WebAssembly component", in.name),
                                       bytes.size() < 8 ? "the file is shorter than the 8-byte header" : "it does not start with `\\0asm` and the component version"));
      continue;
    }
    auto ast = binary::read_component(bytes, base);
    if (!ast) {
      auto ds = ast.error();
      for (auto& d : ds) d.message = fmt::format("{} is corrupt: {}", in.name, d.message);
      errs.insert(errs.end(), ds.begin(), ds.end());
      continue;
    }
    s.in.push_back({s.names.back(), std::string_view(text), {}});
    // The decoded form is needed only for the types; build() copies the bytes as they are.
    auto sh = detail::extract(*ast, s.a, static_cast<int>(i), in.name);
    if (!sh) {
      errs.insert(errs.end(), sh.error().begin(), sh.error().end());
      continue;
    }
    s.in.back().sh = std::move(*sh);
  }
  if (!errs.empty()) return fail(std::move(errs));
  WITC_CHECK(pl.run());
  return c;
}

std::string format_plan(const composition& c) {
  const detail::state& s = *c.s_;
  std::string out = fmt::format("root: {}\n", s.names[0]);
  std::vector<std::string> order;
  for (auto i : s.p.order) order.push_back(s.names[i]);
  out += fmt::format("instantiation order: {}\n", fmt::join(order, ", "));
  for (auto i : s.p.order) {
    out += fmt::format("{}:\n", s.names[i]);
    bool any = false;
    for (const auto& l : s.p.links) {
      if (l.consumer != i) continue;
      any = true;
      if (l.provider) out += fmt::format("  import {} <- {}: {}\n", l.import, s.names[*l.provider], l.export_name);
      else out += fmt::format("  import {} stays an import\n", l.import);
    }
    if (!any) out += "  (no imports)\n";
  }
  for (const auto& e : s.in[0].sh.exports) out += fmt::format("export {} (from {})\n", e.name, s.names[0]);
  for (auto i : s.p.unused) out += fmt::format("unused: {}\n", s.names[i]);
  return out;
}

std::string format_dot(const composition& c) {
  const detail::state& s = *c.s_;
  auto q = [](std::string_view x) {
    std::string r = "\"";
    for (char ch : x) {
      if (ch == '"' || ch == '\\') r += '\\';
      r += ch;
    }
    return r + "\"";
  };
  std::string out = "digraph composition {\n  rankdir=LR;\n  node [shape=box];\n";
  for (std::size_t i = 0; i < s.names.size(); ++i) {
    bool unused = std::find(s.p.unused.begin(), s.p.unused.end(), i) != s.p.unused.end();
    out += fmt::format("  c{} [label={}{}];\n", i, q(s.names[i] + (i == 0 ? " (root)" : "")),
                       unused ? ", style=dashed" : "");
  }
  for (std::size_t g = 0; g < s.groups.size(); ++g)
    out += fmt::format("  i{} [label={}, shape=ellipse];\n", g, q(s.groups[g].name));
  for (const auto& l : s.p.links) {
    if (l.provider) {
      out += fmt::format("  c{} -> c{} [label={}];\n", *l.provider, l.consumer, q(l.export_name));
    } else {
      auto it = s.group_of.find({l.consumer, l.import});
      if (it != s.group_of.end()) out += fmt::format("  i{} -> c{} [label={}, style=dotted];\n", it->second, l.consumer, q(l.import));
    }
  }
  out += "  out [label=\"exports\", shape=ellipse];\n";
  for (const auto& e : s.in[0].sh.exports) out += fmt::format("  c0 -> out [label={}];\n", q(e.name));
  out += "}\n";
  return out;
}

}  // namespace witc::compose
