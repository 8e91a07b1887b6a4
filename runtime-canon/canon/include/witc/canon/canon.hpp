#pragma once
// The canonical ABI library: types, layout, values, lift/lower, WIT adapter.
#include "witc/canon/from_wit.hpp"
#include "witc/canon/layout.hpp"
#include "witc/canon/types.hpp"
#include "witc/canon/value.hpp"
