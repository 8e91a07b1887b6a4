#pragma once
#include <string>

#include "witc/wit/ast.hpp"

namespace witc::wit {

/// Canonical WIT text for one parsed file, keeping doc comments and gates.
/// Formatting is idempotent: `format(parse(format(f))) == format(f)`.
/// Example: `WITC_TRY(auto f, ast::parse(sm, i)); std::string text = format(f, sm);`
[[nodiscard]] std::string format(const ast::file& f, const source_map& sm);

}  // namespace witc::wit
