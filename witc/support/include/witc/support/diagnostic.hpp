#pragma once
// Diagnostics are values. Libraries return them; only a CLI renders them.
#include <string>
#include <vector>

#include "witc/support/source_map.hpp"

namespace witc {

enum class level { error, warning, note };

/// One message about one place. `message` is lower-case and names things in
/// backticks ("expected `>`, found keyword `type`"); `hint` is optional advice.
/// Example: `diagnostic::error(sp, "type `foo` depends on itself")`.
struct diagnostic {
  witc::level level = level::error;
  witc::span span{};
  bool has_span = false;  // false: a message about no place (a missing file, a flag)
  std::string message;
  std::string hint;

  static diagnostic error(witc::span s, std::string msg, std::string hint = {}) {
    return {level::error, s, true, std::move(msg), std::move(hint)};
  }
  /// An error about no place in any file: `diagnostic::global("no such file `x.wit`")`.
  static diagnostic global(std::string msg, std::string hint = {}) {
    return {level::error, {}, false, std::move(msg), std::move(hint)};
  }
  static diagnostic warning(witc::span s, std::string msg, std::string hint = {}) {
    return {level::warning, s, true, std::move(msg), std::move(hint)};
  }
};

/// The error side of every `result`: one or more diagnostics.
using diagnostics = std::vector<diagnostic>;

/// Renders rustc-style:
///   error: type `foo` depends on itself
///        --> dir/cycle.wit:5:14
///         |
///       5 |   type foo = foo;
///         |              ^--
/// Binary files render `--> file.wasm: byte offset 0x1f` and no snippet.
[[nodiscard]] std::string render(const diagnostic& d, const source_map& sm, bool color = false);
[[nodiscard]] std::string render(const diagnostics& ds, const source_map& sm, bool color = false);

}  // namespace witc
