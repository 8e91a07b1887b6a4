#pragma once
#include <string>

#include "witc/wit/resolve.hpp"

namespace witc::wit {

/// The graph as JSON in the schema of wit-parser's serialised `Resolve`
/// (`worlds`, `interfaces`, `types`, `packages`; ids as indices), pretty-printed
/// with two-space indentation. Example: `fmt::print("{}\n", to_json(r));`
[[nodiscard]] std::string to_json(const resolve& r);

}  // namespace witc::wit
