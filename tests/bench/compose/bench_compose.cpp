// Builds a chain of N components (default 10) of about SIZE KB each (default 1024): each
// embeds a core module of many small functions, lifts one as `f: func(x: u32) -> u32`
// and exports it as `local:bench/iK`, importing `local:bench/iK+1` from the next (the
// last imports `local:host/h`, which stays an import). Then times, in the same run:
//   reference  decoding and re-encoding the N inputs (read_component + write_component),
//              the least any composer does with them,
//   compose    plan_composition + build_to a sink (the inputs' bytes are not copied),
//              no validation (wrt-compose --no-validate),
//   links      the same with the links validated (wrt-compose's default),
//   full       the same with the whole output validated (wrt-compose --validate-all),
// and reports the median of R runs and the ratio to the reference. Target: compose < 20 ms.
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "witc/binary/component_reader.hpp"
#include "witc/binary/component_validate.hpp"
#include "witc/compose/compose.hpp"

namespace bc = witc::binary::component;

namespace {

double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void leb(std::vector<std::uint8_t>& o, std::uint64_t v) {
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    if (v) b |= 0x80;
    o.push_back(b);
  } while (v);
}
void sleb(std::vector<std::uint8_t>& o, std::int64_t v) {
  bool more = true;
  while (more) {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    more = !((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40)));
    if (more) b |= 0x80;
    o.push_back(b);
  }
}
void section(std::vector<std::uint8_t>& o, std::uint8_t id, const std::vector<std::uint8_t>& body) {
  o.push_back(id);
  leb(o, body.size());
  o.insert(o.end(), body.begin(), body.end());
}

// A core module importing `host.f: (i32) -> i32` and exporting `f0` and many functions
// of arithmetic chains, about `bytes` long.
std::vector<std::uint8_t> core_module(std::size_t bytes, int seed) {
  std::vector<std::uint8_t> body;  // one function body
  std::vector<std::uint8_t> code;
  code.push_back(0);  // no locals
  code.insert(code.end(), {0x20, 0x00, 0x10, 0x00});  // local.get 0; call host.f
  for (int i = 0; i < 100; ++i) {
    code.push_back(0x41);
    sleb(code, (i * 7919 + seed) % 100000);
    code.push_back(static_cast<std::uint8_t>(i % 3 == 0 ? 0x6a : i % 3 == 1 ? 0x73 : 0x6c));  // add, xor, mul
  }
  code.push_back(0x0b);
  std::size_t per = code.size() + 3;
  std::size_t n = std::max<std::size_t>(1, bytes / per);
  std::vector<std::uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  section(m, 1, {0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f});
  section(m, 2, {0x01, 0x04, 'h', 'o', 's', 't', 0x01, 'f', 0x00, 0x00});
  std::vector<std::uint8_t> funcs;
  leb(funcs, n);
  for (std::size_t i = 0; i < n; ++i) funcs.push_back(0);
  section(m, 3, funcs);
  section(m, 7, {0x01, 0x02, 'f', '0', 0x00, 0x01});
  std::vector<std::uint8_t> c;
  leb(c, n);
  for (std::size_t i = 0; i < n; ++i) {
    leb(c, code.size());
    c.insert(c.end(), code.begin(), code.end());
  }
  section(m, 10, c);
  return m;
}

bc::section sec(std::uint8_t id) {
  bc::section s;
  s.id = id;
  return s;
}

// One component of the chain.
std::vector<std::uint8_t> component(int k, int n, std::size_t bytes) {
  bc::component c;
  // type 0: func(x: u32) -> u32; type 1: instance { f: type 0 }
  {
    auto s = sec(7);
    std::vector<bc::type> ts(2);
    bc::functype f;
    f.params.push_back({"x", bc::valtype{true, bc::prim::u32, 0}});
    f.result = bc::valtype{true, bc::prim::u32, 0};
    ts[0].def = f;
    bc::componenttype it;
    bc::decl a;
    a.tag = 2;
    a.alias.sort = {bc::sort_kind::type, bc::core_sort::func};
    a.alias.target = 2;
    a.alias.count = 1;
    a.alias.idx = 0;
    it.decls.push_back(a);
    bc::decl e;
    e.tag = 4;
    e.name.name = "f";
    e.ext.kind = 1;
    e.ext.idx = 0;
    it.decls.push_back(e);
    ts[1].def = it;
    ts[1].instance = true;
    s.body = ts;
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(10);
    bc::import im;
    im.name.name = k + 1 < n ? fmt::format("local:bench/i{}", k + 1) : std::string("local:host/h");
    im.type.kind = 5;
    im.type.idx = 1;
    s.body = std::vector<bc::import>{im};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(6);  // func 0 = import.f
    bc::alias a;
    a.sort = {bc::sort_kind::func, bc::core_sort::func};
    a.target = 0;
    a.instance = 0;
    a.name = "f";
    s.body = std::vector<bc::alias>{a};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(1);
    s.body = bc::core_module{core_module(bytes, k), 0};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(8);  // core func 0 = lower func 0
    bc::canon l;
    l.op = 0x01;
    l.func = 0;
    s.body = std::vector<bc::canon>{l};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(2);  // core instance 0 = { f }, 1 = instantiate module 0
    std::vector<bc::core_instance> cis(2);
    cis[0].form = 1;
    cis[0].exports.push_back({"f", {bc::core_sort::func, 0}});
    cis[1].form = 0;
    cis[1].module = 0;
    cis[1].args.push_back({"host", 0});
    s.body = cis;
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(6);  // core func 1 = instance 1 "f0"
    bc::alias a;
    a.sort = {bc::sort_kind::core, bc::core_sort::func};
    a.target = 1;
    a.instance = 1;
    a.name = "f0";
    s.body = std::vector<bc::alias>{a};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(8);  // func 1 = lift core func 1
    bc::canon l;
    l.op = 0x00;
    l.func = 1;
    l.type = 0;
    s.body = std::vector<bc::canon>{l};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(5);  // instance 1 = { f: func 1 }
    bc::instance in;
    in.form = 1;
    in.exports.push_back({bc::extern_name{0, "f", {}}, {{bc::sort_kind::func, bc::core_sort::func}, 1}});
    s.body = std::vector<bc::instance>{in};
    c.sections.push_back(std::move(s));
  }
  {
    auto s = sec(11);
    bc::export_ e;
    e.name.name = k == 0 ? std::string("local:bench/run") : fmt::format("local:bench/i{}", k);
    e.item = {{bc::sort_kind::instance, bc::core_sort::func}, 1};
    s.body = std::vector<bc::export_>{e};
    c.sections.push_back(std::move(s));
  }
  return witc::binary::write_component(c);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int n = 10, kb = 1024, runs = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--components")) n = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--kb")) kb = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--runs")) runs = std::max(1, std::atoi(argv[i + 1]));
  }
  std::vector<std::vector<std::uint8_t>> files;
  std::size_t total = 0;
  for (int k = 0; k < n; ++k) {
    files.push_back(component(k, n, static_cast<std::size_t>(kb) * 1024));
    total += files.back().size();
    if (auto v = witc::binary::validate_wasm(files.back()); !v) {
      fmt::print(stderr, "input {} does not validate: {}\n", k, v.error()[0].message);
      return 1;
    }
  }
  if (std::getenv("BENCH_COMPOSE_DUMP"))
    for (int k = 0; k < n; ++k) {
      std::string path = fmt::format("{}/c{}.wasm", std::getenv("BENCH_COMPOSE_DUMP"), k);
      std::FILE* f = std::fopen(path.c_str(), "wb");
      if (!f) return 1;
      std::fwrite(files[static_cast<std::size_t>(k)].data(), 1, files[static_cast<std::size_t>(k)].size(), f);
      std::fclose(f);
    }
  auto make_inputs = [&] {
    std::vector<witc::compose::input> in;
    for (int k = 0; k < n; ++k) in.push_back({fmt::format("c{}.wasm", k), std::string(files[static_cast<std::size_t>(k)].begin(), files[static_cast<std::size_t>(k)].end())});
    return in;
  };
  std::vector<double> ref, comp, links, val;
  std::size_t out_size = 0;
  for (int r = 0; r < runs; ++r) {
    double t0 = now_ms();
    std::size_t sink = 0;
    for (const auto& f : files) {
      auto c = witc::binary::read_component(f);
      sink += witc::binary::write_component(*c).size();
    }
    double t1 = now_ms();
    ref.push_back(t1 - t0);
    using witc::compose::validation;
    for (validation validate : {validation::none, validation::links, validation::full}) {
      auto in = make_inputs();  // copying the inputs is not part of composing
      witc::compose::options o;
      o.validate = validate;
      witc::source_map sm;
      double a = now_ms();
      auto c = witc::compose::plan_composition(std::move(in), o, sm);
      if (!c) {
        fmt::print(stderr, "{}", witc::render(c.error(), sm));
        return 1;
      }
      std::size_t sum = 0;
      auto out = witc::compose::build_to(*c, [&](std::span<const std::uint8_t> x) {
        sum += x.empty() ? 0 : x[x.size() / 2];  // touch the bytes as a writer would
        return true;
      });
      double b = now_ms();
      if (!out) {
        fmt::print(stderr, "{}", witc::render(out.error(), sm));
        return 1;
      }
      out_size = *out + (sum & 0);
      (validate == validation::none ? comp : validate == validation::links ? links : val).push_back(b - a);
    }
    if (sink == 0) return 1;
  }
  double mr = median(ref), mc = median(comp), ml = median(links), mv = median(val);
  fmt::print("inputs: {} components, {:.2f} MB in all; output {:.2f} MB; median of {} runs\n", n, total / 1048576.0,
             out_size / 1048576.0, runs);
  fmt::print("reference (read + write each input): {:8.2f} ms\n", mr);
  fmt::print("compose (plan + build_to, no check):   {:6.2f} ms  ({:.2f}x reference)  target < 20 ms: {}\n", mc, mc / mr,
             mc < 20 ? "met" : "NOT met");
  fmt::print("compose + validate links (default):   {:6.2f} ms  ({:.2f}x reference)\n", ml, ml / mr);
  fmt::print("compose + validate everything:        {:6.2f} ms  ({:.2f}x reference)\n", mv, mv / mr);
  return 0;
}
