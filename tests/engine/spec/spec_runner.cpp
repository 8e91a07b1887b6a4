// Runs the core spec test suite (wast2json format) against witc's engine and prints a
// per-file table and the total `N passed, N failed, N skipped`.
//
//   wasm_spec_runner <json-root> [skip-list] [filter-substring]
//
// Exits 77 (CTest's skip code) when the corpus is absent, 1 when a command failed.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "json.hpp"
#include "witc/binary/core_validate.hpp"
#include "witc/engine/engine.hpp"

namespace fs = std::filesystem;
using namespace witc;
using namespace witc::engine;
using engine_t = witc::engine::engine;
using witc::spec::json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct counts {
  int passed = 0, failed = 0, skipped = 0;
};
// Totals per command type (`assert_return`, `assert_invalid`, ...) over all files run.
std::map<std::string, counts>& by_type() {
  static std::map<std::string, counts> m;
  return m;
}

// A parsed expected or argument value.
struct spec_value {
  std::string type;
  std::string text;  // raw value string
};

class file_runner {
 public:
  file_runner(const engine_t& eng, fs::path dir, bool verbose) : eng_(eng), dir_(std::move(dir)), verbose_(verbose) {
    limits lim;
    lim.max_call_depth = 10000;
    st_ = std::make_unique<store>(eng_, lim);
    make_spectest();
  }

  counts run(const json& doc) {
    for (auto& cmd : doc["commands"].arr) {
      const std::string& type = cmd["type"].str();
      int line = static_cast<int>(cmd["line"].num);
      std::string why;
      int r = command(type, cmd, why);
      counts& t = by_type()[type];
      if (r > 0) {
        ++c_.passed;
        ++t.passed;
      } else if (r == 0) {
        ++c_.failed;
        ++t.failed;
        if (verbose_) fmt::print("  line {}: {} failed: {}\n", line, type, why);
      } else {
        ++c_.skipped;
        ++t.skipped;
      }
    }
    return c_;
  }

 private:
  const engine_t& eng_;
  fs::path dir_;
  bool verbose_;
  counts c_;
  std::unique_ptr<store> st_;
  instance* current_ = nullptr;
  std::map<std::string, instance*> named_;
  std::map<std::string, instance*> registered_;
  instance* spectest_ = nullptr;
  bool skipping_ = false;  // the current module was skipped

  void make_spectest() {
    // The host module every spec script may import from.
    auto* m = new_instance();
    auto print = [](caller&, std::span<std::uint64_t>) -> std::optional<trap> { return {}; };
    auto add_fn = [&](const char* name, std::vector<valtype> params) {
      auto* f = st_->host_func(func_type{std::move(params), {}}, name, print);
      m->exports[name] = extern_val{binary::extern_kind::func, f};
    };
    add_fn("print", {});
    add_fn("print_i32", {valtype::i32});
    add_fn("print_i64", {valtype::i64});
    add_fn("print_f32", {valtype::f32});
    add_fn("print_f64", {valtype::f64});
    add_fn("print_i32_f32", {valtype::i32, valtype::f32});
    add_fn("print_f64_f64", {valtype::f64, valtype::f64});
    auto glob = [&](const char* name, valtype t, std::uint64_t bits) {
      m->exports[name] = extern_val{binary::extern_kind::global, st_->new_global({t, false}, bits)};
    };
    glob("global_i32", valtype::i32, 666);
    glob("global_i64", valtype::i64, 666);
    float f = 666.6f;
    std::uint32_t fb;
    std::memcpy(&fb, &f, 4);
    glob("global_f32", valtype::f32, fb);
    double d = 666.6;
    std::uint64_t db;
    std::memcpy(&db, &d, 8);
    glob("global_f64", valtype::f64, db);
    m->exports["table"] = extern_val{binary::extern_kind::table,
                                     st_->new_table({valtype::funcref, {10, 20}})};
    m->exports["memory"] = extern_val{binary::extern_kind::memory, st_->new_memory({{1, 2}})};
    spectest_ = m;
    registered_["spectest"] = m;
  }

  std::vector<std::unique_ptr<instance>> host_instances_;
  instance* new_instance() {
    host_instances_.push_back(std::make_unique<instance>());
    return host_instances_.back().get();
  }

  result<std::shared_ptr<const compiled_module>> load(const json& cmd) {
    std::string bytes = slurp(dir_ / cmd["filename"].str());
    return eng_.compile(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }

  result<instance*> link_and_instantiate(std::shared_ptr<const compiled_module> m) {
    std::vector<extern_val> imports;
    for (auto& im : module_of(*m).imports) {
      auto it = registered_.find(im.module);
      if (it == registered_.end()) return fail(diagnostic::global(fmt::format("unknown import `{}`", im.module)));
      auto ex = it->second->get_export(im.name);
      if (!ex) return fail(diagnostic::global(fmt::format("unknown import `{}.{}`", im.module, im.name)));
      imports.push_back(*ex);
    }
    return st_->instantiate(std::move(m), imports);
  }

  instance* target(const json& action) {
    if (action.has("module")) {
      auto it = named_.find(action["module"].str());
      if (it != named_.end()) return it->second;
      auto r = registered_.find(action["module"].str());
      return r == registered_.end() ? nullptr : r->second;
    }
    return current_;
  }

  static bool parse_value(const json& v, value& out) {
    const std::string& t = v["type"].str();
    const std::string& s = v["value"].str();
    if (t == "i32") { out = {valtype::i32, static_cast<std::uint32_t>(std::stoll(s))}; return true; }
    if (t == "i64") {
      out = {valtype::i64, s[0] == '-' ? static_cast<std::uint64_t>(std::stoll(s)) : std::stoull(s)};
      return true;
    }
    if (t == "f32") { out = {valtype::f32, static_cast<std::uint32_t>(std::stoull(s))}; return true; }
    if (t == "f64") { out = {valtype::f64, std::stoull(s)}; return true; }
    if (t == "externref") {
      out = {valtype::externref, s == "null" ? 0 : std::stoull(s) + 1};
      return true;
    }
    if (t == "funcref") {
      if (s == "null") { out = {valtype::funcref, 0}; return true; }
      return false;
    }
    return false;
  }

  static bool match(const json& want, const value& got) {
    const std::string& t = want["type"].str();
    const std::string& s = want["value"].str();
    if (t == "f32" || t == "f64") {
      if ((t == "f32") != (got.type == valtype::f32) || (t == "f64") != (got.type == valtype::f64)) return false;
      bool f32 = t == "f32";
      std::uint64_t exp_mask = f32 ? 0x7F800000ull : 0x7FF0000000000000ull;
      std::uint64_t frac_mask = f32 ? 0x7FFFFFull : 0xFFFFFFFFFFFFFull;
      std::uint64_t quiet = f32 ? 0x400000ull : 0x8000000000000ull;
      std::uint64_t b = got.bits & (f32 ? 0xFFFFFFFFull : ~0ull);
      bool is_nan = (b & exp_mask) == exp_mask && (b & frac_mask) != 0;
      if (s == "nan:canonical") return is_nan && (b & frac_mask) == quiet;
      if (s == "nan:arithmetic") return is_nan && (b & quiet) != 0;
      return b == std::stoull(s);
    }
    if (t == "funcref") {
      if (got.type != valtype::funcref) return false;
      if (s == "null") return got.bits == 0;
      return got.bits != 0;
    }
    if (t == "externref") {
      if (got.type != valtype::externref) return false;
      if (s == "null") return got.bits == 0;
      return got.bits == std::stoull(s) + 1;
    }
    if (t == "refnull") return got.bits == 0 && binary::is_ref(got.type);
    value w;
    if (!parse_value(want, w)) return false;
    if (w.type != got.type) return false;
    if (w.type == valtype::i32) return static_cast<std::uint32_t>(w.bits) == static_cast<std::uint32_t>(got.bits);
    return w.bits == got.bits;
  }

  // Runs an action: 1 returned values, 0 trapped/failed (why set), -1 unsupported.
  int act(const json& action, std::vector<value>& out, std::string& why) {
    instance* inst = target(action);
    if (!inst) {
      if (skipping_) return -1;
      why = "no such module";
      return 0;
    }
    if (action["type"].str() == "get") {
      auto ex = inst->get_export(action["field"].str());
      if (!ex || !ex->global()) { why = "no such global"; return 0; }
      out = {value{ex->global()->type.type, ex->global()->bits}};
      return 1;
    }
    func_inst* f = inst->export_func(action["field"].str());
    if (!f) { why = fmt::format("no export `{}`", action["field"].str()); return 0; }
    std::vector<value> args;
    for (auto& a : action["args"].arr) {
      value v;
      if (!parse_value(a, v)) return -1;
      args.push_back(v);
    }
    auto r = st_->call(f, args);
    if (!r) { why = r.error()[0].message; return 0; }
    out = std::move(*r);
    return 1;
  }

  bool needs_unsupported_values(const json& cmd) {
    auto bad = [](const json& v) {
      const std::string& t = v["type"].str();
      return !(t == "i32" || t == "i64" || t == "f32" || t == "f64" || t == "externref" || t == "funcref" || t == "refnull");
    };
    for (auto& a : cmd["action"]["args"].arr) if (bad(a)) return true;
    for (auto& e : cmd["expected"].arr) if (bad(e)) return true;
    return false;
  }

  int command(const std::string& type, const json& cmd, std::string& why) {
    if (type == "module" || type == "module_definition") {
      if (cmd["module_type"].str() != "binary" || type == "module_definition") {
        // A text module we cannot parse: what follows on it is skipped, not failed.
        current_ = nullptr;
        skipping_ = true;
        if (cmd.has("name")) named_.erase(cmd["name"].str());
        return -1;
      }
      skipping_ = false;
      auto m = load(cmd);
      if (!m) { why = m.error()[0].message; current_ = nullptr; return 0; }
      auto inst = link_and_instantiate(*m);
      if (!inst) { why = inst.error()[0].message; current_ = nullptr; return 0; }
      current_ = *inst;
      if (cmd.has("name")) named_[cmd["name"].str()] = current_;
      return 1;
    }
    if (type == "register") {
      instance* inst = cmd.has("name") ? named_[cmd["name"].str()] : current_;
      if (!inst) {
        if (skipping_) return -1;
        why = "no module to register";
        return 0;
      }
      registered_[cmd["as"].str()] = inst;
      return 1;
    }
    if (type == "assert_invalid" || type == "assert_malformed") {
      if (cmd["module_type"].str() != "binary") return -1;
      auto m = load(cmd);
      if (m) { why = fmt::format("module loaded, expected `{}`", cmd["text"].str()); return 0; }
      return 1;
    }
    if (type == "assert_unlinkable" || type == "assert_uninstantiable") {
      if (cmd["module_type"].str() != "binary") return -1;
      auto m = load(cmd);
      if (!m) { why = fmt::format("did not compile: {}", m.error()[0].message); return 0; }
      auto inst = link_and_instantiate(*m);
      if (inst) { why = "instantiated"; return 0; }
      return 1;
    }
    if (type == "action") {
      std::vector<value> out;
      int r = act(cmd["action"], out, why);
      return r;
    }
    if (type == "assert_return") {
      if (needs_unsupported_values(cmd)) return -1;
      std::vector<value> out;
      int r = act(cmd["action"], out, why);
      if (r <= 0) return r;
      auto& exp = cmd["expected"].arr;
      if (exp.size() != out.size()) { why = fmt::format("{} results, expected {}", out.size(), exp.size()); return 0; }
      for (std::size_t i = 0; i < exp.size(); ++i) {
        bool okv = false;
        if (exp[i]["type"].str() == "either") {
          for (auto& alt : exp[i]["values"].arr) okv |= match(alt, out[i]);
        } else {
          okv = match(exp[i], out[i]);
        }
        if (!okv) { why = fmt::format("result {} is {:#x}, expected {}", i, out[i].bits, exp[i]["value"].str()); return 0; }
      }
      return 1;
    }
    if (type == "assert_trap" || type == "assert_exhaustion") {
      if (cmd.has("filename")) {
        // assert_trap on a module: instantiation must trap.
        auto m = load(cmd);
        if (!m) { why = m.error()[0].message; return 0; }
        auto inst = link_and_instantiate(*m);
        if (inst) { why = "instantiated without trapping"; return 0; }
        return 1;
      }
      std::vector<value> out;
      int r = act(cmd["action"], out, why);
      if (r < 0) return r;
      if (r > 0) { why = fmt::format("returned, expected trap `{}`", cmd["text"].str()); return 0; }
      return 1;
    }
    return -1;  // module_definition, module_instance, exceptions, custom annotations
  }
};

}  // namespace

int main(int argc, char** argv) {
  fs::path root = argc > 1 ? fs::path(argv[1]) : fs::path(WITC_SHARED_DIR) / "corpus/wasm-spec/json";
  fs::path skip_file = argc > 2 ? fs::path(argv[2]) : fs::path(WITC_SOURCE_DIR) / "tests/engine/spec/skip.txt";
  std::string filter = argc > 3 ? argv[3] : "";
  bool verbose = std::getenv("SPEC_VERBOSE") != nullptr || !filter.empty();
  if (!fs::exists(root)) {
    fmt::print("SKIP: spec corpus not found at {}\n", root.string());
    return 77;
  }
  std::map<std::string, std::string> skip;
  {
    std::ifstream in(skip_file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string path, feature;
      ls >> path;
      std::getline(ls, feature);
      feature.erase(0, feature.find_first_not_of(' '));
      skip[path] = feature;
    }
  }
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  engine_t eng;
  counts total;
  int skipped_files = 0;
  auto t0 = std::chrono::steady_clock::now();
  fmt::print("{:<52} {:>7} {:>7} {:>7}\n", "file", "passed", "failed", "skipped");
  for (auto& f : files) {
    std::string rel = fs::relative(f, root).parent_path().string();
    if (!filter.empty() && rel.find(filter) == std::string::npos) continue;
    if (skip.count(rel)) {
      ++skipped_files;
      fmt::print("{:<52} {:>7} {:>7} {:>7}  skipped: needs {}\n", rel, "-", "-", "-", skip[rel]);
      continue;
    }
    auto doc = json::parse(slurp(f));
    if (!doc) {
      fmt::print("{:<52} unreadable JSON\n", rel);
      ++total.failed;
      continue;
    }
    file_runner fr(eng, f.parent_path(), verbose);
    counts c = fr.run(*doc);
    fmt::print("{:<52} {:>7} {:>7} {:>7}{}\n", rel, c.passed, c.failed, c.skipped, c.failed ? "  FAIL" : "");
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("\n{:<52} {:>7} {:>7} {:>7}\n", "command", "passed", "failed", "skipped");
  for (auto& [type, c] : by_type()) fmt::print("{:<52} {:>7} {:>7} {:>7}\n", type, c.passed, c.failed, c.skipped);
  fmt::print("{} files skipped by the skip list; {:.1f} s\n", skipped_files, secs);
  fmt::print("{} passed, {} failed, {} skipped\n", total.passed, total.failed, total.skipped);
  return total.failed ? 1 : 0;
}
