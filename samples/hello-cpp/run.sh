#!/bin/sh
# The whole path from WIT to a running component:
#   witc bindgen -> clang++ (wasm32-wasi) -> witc component new -> jco transpile -> node.
# Usage: samples/hello-cpp/run.sh [NAME]
# Finds witc in $WITC, on PATH or in build/; jco in $JCO, tests/interop/node_modules or PATH;
# the compiler in $CXX or clang++-19 / clang++-22. A missing tool: a message and exit 77.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$here/out}

witc=${WITC:-$(command -v witc || echo "$root/build/witc/cli/witc")}
jco=${JCO:-$root/tests/interop/node_modules/.bin/jco}
[ -x "$jco" ] || jco=$(command -v jco || true)
cxx=${CXX:-$(command -v clang++-19 || command -v clang++-22 || true)}
[ -x "$witc" ] || { echo "run.sh: no witc (build it, or set WITC)" >&2; exit 77; }
[ -n "$jco" ] || { echo "run.sh: no jco (cd tests/interop && npm install, or set JCO)" >&2; exit 77; }
[ -n "$cxx" ] || { echo "run.sh: no clang++-19/-22 for wasm32-wasi (or set CXX)" >&2; exit 77; }

rm -rf "$out/gen" "$out/js" && mkdir -p "$out"
# 1. C++ bindings: hello.hpp (the API), hello.cpp (the ABI glue), witc_guest.hpp.
"$witc" bindgen "$here/wit" --lang cpp --out-dir "$out/gen"
# 2. A core module; the glue embeds the world's type, so nothing else is needed.
"$cxx" --target=wasm32-wasi -std=c++20 -O2 -Wall -Wextra -Werror -fno-exceptions -mexec-model=reactor \
  -I "$out/gen" "$here/hello.cpp" "$out/gen/hello.cpp" -o "$out/hello.core.wasm"
# 3. The component.
if "$witc" component --help 2>/dev/null | grep -q "^ *new "; then
  "$witc" component new "$out/hello.core.wasm" -o "$out/hello.wasm"
else
  echo "run.sh: this witc has no \`component new\` yet; using jco new" >&2
  "$jco" new "$out/hello.core.wasm" -o "$out/hello.wasm"
fi
# 4. JavaScript bindings for it, and 5. a call.
"$jco" transpile "$out/hello.wasm" -o "$out/js" --name hello -q
echo '{"type":"module"}' > "$out/js/package.json"
OUT="$out" node "$here/main.mjs" "${1:-world}"
