// Writes a large synthetic WIT package (thousands of interfaces with records,
// variants, enums, flags, resources, functions and `use` chains through
// them in runs of 20, plus worlds), then times, in the same run:
//   read    reading the file (the floor any front end pays),
//   parse   tokenizer + grammar over every byte (ast::parse),
//   resolve parse + resolution into the graph (push_path), and JSON output,
// and reports MB/s (thread CPU time: the machine is shared) and the peak memory
// growth against the input size.
// Targets: parse + resolve >= 30 MB/s, peak memory < 10x the input.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/resource.h>

#include <time.h>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <vector>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "witc/wit/ast.hpp"
#include "witc/wit/json.hpp"
#include "witc/wit/load.hpp"

namespace fs = std::filesystem;

namespace {

std::string generate(int n, std::size_t& lines) {
  std::string s = "package bench:big@1.0.0;\n\n";
  auto add = [&](const std::string& l) {
    s += l;
    s += '\n';
    ++lines;
  };
  lines = 2;
  for (int i = 0; i < n; ++i) {
    add(fmt::format("/// Interface number {} of the benchmark.", i));
    add(fmt::format("interface iface{} {{", i));
    // `use` chains of 20 interfaces: long enough to exercise elaboration, short
    // enough that a world's imports stay a realistic size.
    bool chained = i % 20 != 0;
    if (chained) add(fmt::format("  use iface{}.{{rec{}, res{}, en{}}};", i - 1, i - 1, i - 1, i - 1));
    add(fmt::format("  /// A record with a few fields."));
    add(fmt::format("  record rec{} {{", i));
    add("    a: u32,");
    add("    b: string,");
    add(fmt::format("    c: list<{}>,", chained ? fmt::format("rec{}", i - 1) : "u8"));
    add("    d: option<s64>,");
    add("  }");
    add(fmt::format("  variant var{} {{ none, some(rec{}), many(list<tuple<u32, string>>) }}", i, i));
    add(fmt::format("  enum en{} {{ x, y, z }}", i));
    add(fmt::format("  flags fl{} {{ p, q, r }}", i));
    add(fmt::format("  type alias{} = result<rec{}, en{}>;", i, i, i));
    add(fmt::format("  resource res{} {{", i));
    add("    constructor(x: u32);");
    add(fmt::format("    get: func() -> rec{};", i));
    add(fmt::format("    set: func(v: var{}) -> result<_, en{}>;", i, i));
    add(fmt::format("    make: static func(other: {}) -> res{};", chained ? fmt::format("borrow<res{}>", i - 1) : "u32", i));
    add("  }");
    add(fmt::format("  call{}: func(a: rec{}, b: list<var{}>, c: fl{}) -> result<res{}, string>;", i, i, i, i, i));
    add(fmt::format("  wait{}: async func(x: own<res{}>, y: stream<u8>) -> future<alias{}>;", i, i, i));
    add("}");
    add("");
    if (i % 100 == 99) {
      add(fmt::format("world world{} {{", i));
      add(fmt::format("  import iface{};", i - 50));
      add(fmt::format("  import iface{};", i - 25));
      add(fmt::format("  export iface{};", i));
      add(fmt::format("  import run{}: func(x: u32) -> string;", i));
      add("}");
      add("");
    }
  }
  return s;
}

long current_rss_kb() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// The process's peak RSS (VmHWM). `reset_peak` restarts it from the current RSS
// (Linux >= 4.0), so each phase reports its own peak rather than an earlier one.
long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

// CPU time of this thread: the machine is shared, so wall time says little.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

// One cold measurement in this process (the driver runs several, each in a fresh
// process, so no run inherits a warm heap from another).
int measure(const fs::path& file) {
  std::size_t bytes = fs::file_size(file);
  double mb = static_cast<double>(bytes) / 1e6;
  double t0 = cpu_now();
  std::string text;
  {
    std::ifstream in(file, std::ios::binary);
    text.resize(bytes);
    in.read(text.data(), static_cast<std::streamsize>(bytes));
  }
  double read_s = cpu_now() - t0;

  double parse_s = 0;
  reset_peak();
  long rss_parse_before = current_rss_kb();
  long peak_parse = 0;
  {
    witc::source_map sm;
    sm.add("big.wit", text);
    double t1 = cpu_now();
    auto f = witc::wit::ast::parse(sm, 0);
    parse_s = cpu_now() - t1;
    peak_parse = peak_rss_kb();
    if (!f) {
      fmt::print(stderr, "{}", witc::render(f.error(), sm));
      return 1;
    }
  }
  text.clear();
  text.shrink_to_fit();

  malloc_trim(0);  // the parse-only phase's pages must not count for (or against) push_path
  reset_peak();
  long rss_before = current_rss_kb();
  double t2 = cpu_now();
  witc::wit::resolve r;
  witc::source_map sm;
  auto pkgs = witc::wit::push_path(r, sm, file);
  double resolve_s = cpu_now() - t2;
  long peak = peak_rss_kb();
  long held = current_rss_kb() - rss_before;  // the graph (and the source map) once push_path returns
  // RSS keeps pages malloc has not returned; the live heap is what the graph really holds.
  // uordblks leaves out blocks malloc mmapped on their own (the big arenas, the source text).
  auto mi = mallinfo2();
  double live_mb = static_cast<double>(mi.uordblks + mi.hblkhd) / 1e6;
  if (!pkgs) {
    fmt::print(stderr, "{}", witc::render(pkgs.error(), sm));
    return 1;
  }
  double t3 = cpu_now();
  std::string json = witc::wit::to_json(r);
  double json_s = cpu_now() - t3;

  fmt::print("graph: {} interfaces, {} worlds, {} types; JSON {:.1f} MB\n", r.interfaces.size(), r.worlds.size(),
             r.types.size(), static_cast<double>(json.size()) / 1e6);
  fmt::print("read file          {:8.3f} s  {:8.1f} MB/s  (reference: the floor)\n", read_s, mb / read_s);
  fmt::print("parse only         {:8.3f} s  {:8.1f} MB/s  ({:.1f}x read)\n", parse_s, mb / parse_s, parse_s / read_s);
  fmt::print("read+parse+resolve {:8.3f} s  {:8.1f} MB/s  ({:.1f}x read; target >= 30 MB/s)\n", resolve_s,
             mb / resolve_s, resolve_s / read_s);
  fmt::print("to_json            {:8.3f} s  {:8.1f} MB/s of input\n", json_s, mb / json_s);
  double growth = static_cast<double>(peak - rss_before) * 1024.0 / static_cast<double>(bytes);
  fmt::print("peak memory during push_path: +{:.1f} MB = {:.2f}x the input (target < 10x)\n",
             static_cast<double>(peak - rss_before) / 1024.0, growth);
  fmt::print("held after push_path: +{:.1f} MB = {:.2f}x the input (the resolved graph and the source text)\n",
             static_cast<double>(held) / 1024.0, static_cast<double>(held) * 1024.0 / static_cast<double>(bytes));
  fmt::print("live heap after push_path: {:.1f} MB = {:.2f}x the input (graph + source map + bench buffers)\n",
             live_mb, live_mb / mb);
  fmt::print("peak memory during parse only: +{:.1f} MB = {:.2f}x the input\n",
             static_cast<double>(peak_parse - rss_parse_before) / 1024.0,
             static_cast<double>(peak_parse - rss_parse_before) * 1024.0 / static_cast<double>(bytes));
  // For the driver: seconds of read+parse+resolve and of parse only, peak growth / input.
  fmt::print("RESULT {} {} {}\n", resolve_s, parse_s, growth);
  return 0;
}


int main(int argc, char** argv) {
  int n = 5000;
  int runs = 5;
  const char* write_to = nullptr;  // --write PATH: only write the package (for profilers and other tools)
  for (int i = 1; i + 1 < argc; ++i) {
    std::string a = argv[i];
    if (a == "--interfaces") n = std::atoi(argv[i + 1]);
    if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--write") write_to = argv[i + 1];
    if (a == "--measure") return measure(argv[i + 1]);
  }
  std::size_t lines = 0;
  if (write_to) {
    std::ofstream(write_to, std::ios::binary) << generate(n, lines);
    return 0;
  }
  fs::path dir = fs::temp_directory_path() / fmt::format("witc-bench-{}", getpid());
  fs::create_directories(dir);
  fs::path file = dir / "big.wit";
  {
    std::string text = generate(n, lines);
    std::ofstream(file, std::ios::binary) << text;
  }
  double mb = static_cast<double>(fs::file_size(file)) / 1e6;
  fmt::print("input: {} interfaces, {} lines, {:.1f} MB; {} runs, each in a fresh process\n", n, lines, mb, runs);
  std::vector<double> resolve_mbs, parse_mbs, peaks;
  for (int i = 0; i < runs; ++i) {
    std::string cmd = fmt::format("'/proc/{}/exe' --measure '{}'", getpid(), file.string());
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return 1;
    std::string out;
    char buf[4096];
    while (std::size_t k = std::fread(buf, 1, sizeof buf, p)) out.append(buf, k);
    if (pclose(p) != 0) {
      fmt::print(stderr, "{}", out);
      return 1;
    }
    auto at = out.rfind("RESULT ");
    if (at == std::string::npos) return 1;
    if (i == 0) fmt::print("first run:\n{}", out.substr(0, at));
    double rs = 0, ps = 0, g = 0;
    std::sscanf(out.c_str() + at, "RESULT %lf %lf %lf", &rs, &ps, &g);
    resolve_mbs.push_back(mb / rs);
    parse_mbs.push_back(mb / ps);
    peaks.push_back(g);
  }
  auto stats = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return fmt::format("min {:.1f}  median {:.1f}  max {:.1f}", v.front(), v[v.size() / 2], v.back());
  };
  fmt::print("over {} runs:\n", runs);
  fmt::print("  parse only          MB/s: {}\n", stats(parse_mbs));
  fmt::print("  read+parse+resolve  MB/s: {}   (target >= 30)\n", stats(resolve_mbs));
  fmt::print("  peak memory x input     : {}   (target < 10)\n", stats(peaks));
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
