#pragma once
// witc's core WebAssembly engine: modules compiled once into threaded code, run by an
// interpreter in a store that owns every runtime object.
//
//   witc::engine::engine eng;
//   WITC_TRY(auto mod, eng.compile(bytes));                 // decode + validate + translate
//   witc::engine::store st(eng);
//   WITC_TRY(auto* inst, st.instantiate(mod, {}));          // imports in import order
//   WITC_TRY(auto out, st.call(inst->export_func("add"), {value::i32(1), value::i32(2)}));
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "witc/binary/core_module.hpp"
#include "witc/support/result.hpp"

namespace witc::engine {

using binary::func_type;
using binary::valtype;

struct func_inst;
struct memory_inst;
struct table_inst;
struct global_inst;
class instance;
class store;

/// A typed value crossing the host boundary. References are `func_inst*` (funcref) or
/// an opaque host value (externref); null is 0 for both.
/// Example: `value::i32(7)`, `value::f64(1.5)`.
struct value {
  valtype type = valtype::i32;
  std::uint64_t bits = 0;
  static value i32(std::int32_t v) { return {valtype::i32, static_cast<std::uint32_t>(v)}; }
  static value i64(std::int64_t v) { return {valtype::i64, static_cast<std::uint64_t>(v)}; }
  static value f32(float v);
  static value f64(double v);
  static value funcref(func_inst* f) { return {valtype::funcref, reinterpret_cast<std::uintptr_t>(f)}; }
  static value externref(std::uint64_t host) { return {valtype::externref, host}; }
  [[nodiscard]] std::int32_t as_i32() const { return static_cast<std::int32_t>(bits); }
  [[nodiscard]] std::int64_t as_i64() const { return static_cast<std::int64_t>(bits); }
  [[nodiscard]] float as_f32() const;
  [[nodiscard]] double as_f64() const;
};

/// Why execution stopped abnormally.
enum class trap_kind : std::uint8_t {
  unreachable, memory_out_of_bounds, table_out_of_bounds, undefined_element,
  uninitialized_element, indirect_call_type_mismatch, integer_divide_by_zero,
  integer_overflow, invalid_conversion, call_stack_exhausted, interrupted, out_of_fuel,
  host_error, exit,
};

/// A trap: its kind, message ("integer divide by zero"), the wasm backtrace (innermost
/// first, `name` section names where present) and, for `exit`, the exit code.
struct trap {
  trap_kind kind = trap_kind::unreachable;
  std::string message;
  std::vector<std::string> backtrace;
  int exit_code = 0;
};

/// What a host function sees: the calling instance (for its memory) and its store.
struct caller {
  store& st;
  instance* inst;
  /// Memory 0 of the calling instance, or null.
  [[nodiscard]] memory_inst* memory() const;
};

/// A host function: reads its arguments from `io[0..params)` and writes its results to
/// `io[0..results)` (one 64-bit slot per value); returns a trap to stop execution.
/// Example: `[](caller&, std::span<std::uint64_t> io) -> std::optional<trap> { io[0] += 1; return {}; }`
using host_function = std::function<std::optional<trap>(caller&, std::span<std::uint64_t>)>;

/// Limits the host sets per store.
struct limits {
  std::uint64_t max_memory_pages = 65536;  // per memory
  std::uint32_t max_table_elements = 10'000'000;
  std::uint32_t max_call_depth = 20000;
  std::size_t value_stack_slots = 1u << 21;  // 16 MiB of operand + local slots
  std::optional<std::uint64_t> fuel;        // instructions budget (counted at back-edges and calls)
};

/// A module compiled for this engine: the immutable decoded module plus the threaded code
/// of every function. Shareable between stores and threads.
class compiled_module;

/// How an engine bounds-checks linear-memory accesses.
/// Example: `witc::engine::engine eng(engine_options{.guard_pages = false});`
struct engine_options {
  /// true: every memory reserves 8 GiB of address space plus a guard, so no 32-bit access
  /// can leave the reservation; loads and stores run unchecked, and a fault in the
  /// interpreter's load/store handlers on a reserved region becomes an `out of bounds`
  /// trap (a SIGSEGV/SIGBUS handler, installed on first use, passes other faults on).
  /// false: an explicit check on each access, no signal handler. Ignored (false) on
  /// platforms without the handler.
  bool guard_pages = true;
};

/// Compiles modules. Holds nothing mutable; one per process is enough.
class engine {
 public:
  engine() = default;
  explicit engine(engine_options o);
  [[nodiscard]] const engine_options& options() const noexcept { return opts_; }
  /// Decodes, validates and translates. `name` is used in diagnostics only.
  /// Example: `WITC_TRY(auto m, eng.compile(bytes));`
  [[nodiscard]] result<std::shared_ptr<const compiled_module>> compile(std::span<const std::uint8_t> bytes) const;
  /// Translates an already validated module.
  [[nodiscard]] result<std::shared_ptr<const compiled_module>> compile(std::shared_ptr<const binary::module> m) const;

 private:
  engine_options opts_{};
};

/// The decoded module of a compiled one (imports, exports, types...).
[[nodiscard]] const binary::module& module_of(const compiled_module& m);

/// A linear memory. `data()` stays at the same address for the memory's lifetime.
struct memory_inst {
  std::uint8_t* base = nullptr;
  std::uint64_t size = 0;       // bytes
  std::uint64_t max_pages = 0;  // the effective maximum (declared max or store limit)
  std::uint64_t reserved = 0;   // bytes of address space reserved
  std::optional<std::uint64_t> declared_max;
  bool guarded = false;         // reservation covers every 32-bit address + offset (guard pages)
  ~memory_inst();
  [[nodiscard]] std::uint64_t pages() const { return size >> 16; }
  /// Grows by `delta` pages; returns the old size in pages, or -1.
  std::int64_t grow(std::uint64_t delta);
  /// `len` bytes at `addr`, or an empty span when out of bounds.
  [[nodiscard]] std::span<std::uint8_t> bytes(std::uint64_t addr, std::uint64_t len) const {
    if (addr > size || len > size - addr) return {};
    return {base + addr, static_cast<std::size_t>(len)};
  }
};

/// A table of references.
struct table_inst {
  valtype type = valtype::funcref;
  std::vector<std::uint64_t> elems;
  std::optional<std::uint64_t> declared_max;
  std::uint64_t max = 0xFFFFFFFF;
  std::int64_t grow(std::uint64_t delta, std::uint64_t init);
};

/// A global variable.
struct global_inst {
  binary::global_type type;
  std::uint64_t bits = 0;
};

/// A function: wasm (compiled code of an instance) or host.
struct func_inst {
  const func_type* type = nullptr;
  std::uint32_t type_id = 0;  // store-wide id of `*type`, for `call_indirect`
  instance* inst = nullptr;   // wasm functions
  const void* code = nullptr; // detail::compiled_func of wasm functions
  host_function host;
  std::string name;           // host functions; wasm ones take theirs from the `name` section
  std::uint32_t index = 0;    // index in the defining instance's function space
};

/// Something an instance imports or exports.
struct extern_val {
  binary::extern_kind kind = binary::extern_kind::func;
  void* ptr = nullptr;  // func_inst*, table_inst*, memory_inst*, global_inst*
  [[nodiscard]] func_inst* func() const { return kind == binary::extern_kind::func ? static_cast<func_inst*>(ptr) : nullptr; }
  [[nodiscard]] memory_inst* memory() const { return kind == binary::extern_kind::memory ? static_cast<memory_inst*>(ptr) : nullptr; }
  [[nodiscard]] table_inst* table() const { return kind == binary::extern_kind::table ? static_cast<table_inst*>(ptr) : nullptr; }
  [[nodiscard]] global_inst* global() const { return kind == binary::extern_kind::global ? static_cast<global_inst*>(ptr) : nullptr; }
};

/// An instantiated module. Owned by its store.
class instance {
 public:
  /// An export by name, or nullopt. Example: `inst->get_export("memory")`.
  [[nodiscard]] std::optional<extern_val> get_export(std::string_view name) const;
  /// An exported function, or null.
  [[nodiscard]] func_inst* export_func(std::string_view name) const;
  [[nodiscard]] const binary::module& module() const;

  // Runtime state, read by the interpreter. Indices follow the module's index spaces.
  std::shared_ptr<const compiled_module> mod;
  std::vector<func_inst*> funcs;
  std::vector<table_inst*> tables;
  std::vector<memory_inst*> memories;
  std::vector<global_inst*> globals;
  std::vector<std::uint32_t> type_ids;               // store-wide id of each module type
  std::vector<std::vector<std::uint64_t>> elems;     // element segments (dropped: empty)
  std::vector<std::span<const std::uint8_t>> datas;  // data segments (dropped: empty)
  std::map<std::string, extern_val, std::less<>> exports;
};

/// Owns instances and their memories, tables, globals and functions; runs code.
/// Not thread-safe, except `interrupt()`, which any thread may call.
class store {
 public:
  explicit store(const engine& eng, limits lim = {});
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// Instantiates `m` with `imports` given in the module's import order. Runs the start
  /// function. Link errors and start traps are errors ("unknown import", trap message).
  [[nodiscard]] result<instance*> instantiate(std::shared_ptr<const compiled_module> m,
                                              std::span<const extern_val> imports);
  /// Calls `f` with `args` (types checked); a trap is an error whose details are in
  /// `last_trap()`.
  [[nodiscard]] result<std::vector<value>> call(func_inst* f, std::span<const value> args);

  /// A host function of type `type`, owned by the store.
  /// Example: `auto* f = st.host_func({{valtype::i32}, {}}, "print", fn);`
  func_inst* host_func(func_type type, std::string name, host_function fn);
  memory_inst* new_memory(binary::memory_type t);
  table_inst* new_table(binary::table_type t, std::uint64_t init = 0);
  global_inst* new_global(binary::global_type t, std::uint64_t bits);

  /// Stops running code at the next loop back-edge or call (from any thread).
  void interrupt() noexcept { interrupt_.store(true, std::memory_order_relaxed); }
  void clear_interrupt() noexcept { interrupt_.store(false, std::memory_order_relaxed); }
  [[nodiscard]] const std::optional<trap>& last_trap() const noexcept { return last_trap_; }
  [[nodiscard]] const limits& get_limits() const noexcept { return lim_; }
  /// Whether this store's memories have guard pages (see `engine_options`).
  [[nodiscard]] bool guard_pages() const noexcept { return guard_pages_; }
  /// Fuel left, if a budget was set.
  [[nodiscard]] std::optional<std::uint64_t> fuel() const noexcept { return lim_.fuel; }

  /// Implementation details shared with the interpreter.
  struct detail_state;
  detail_state& detail() noexcept { return *d_; }
  std::atomic<bool> interrupt_{false};
  std::optional<trap> last_trap_;

 private:
  limits lim_;
  bool guard_pages_ = false;
  std::unique_ptr<detail_state> d_;
  std::uint32_t intern(const func_type& t);
  result<void> init_instance(instance& inst);
};

/// A trap's one-line description with its backtrace, for CLIs.
[[nodiscard]] std::string describe(const trap& t);

}  // namespace witc::engine
