#!/bin/bash
# End to end: an app and two plugs written in C++ against bindings from `witc bindgen`,
# compiled with clang to wasm32-wasi, made components, composed with wrt-compose, then
# transpiled by jco (pinned in package-lock.json) and run in node.
#   run.sh WITC WRT_COMPOSE WORK_DIR
# Exits 77 (skipped) when a tool it needs is missing, saying which.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
witc=$1 compose=$2 work=$3
skip() { echo "SKIP: $*"; exit 77; }

command -v node >/dev/null || skip "node is not installed"
command -v clang++-19 >/dev/null || skip "clang++-19 is not installed"
[ -d /usr/lib/wasm32-wasi ] || [ -d /usr/include/wasm32-wasi ] || skip "wasi-libc (Debian package wasi-libc) is not installed"
[ -x "$witc" ] || skip "witc is not built"
if [ ! -d "$here/node_modules/@bytecodealliance/jco" ]; then
  command -v npm >/dev/null || skip "npm is not installed, so jco cannot be"
  # `npm install` installs the versions package-lock.json pins; `npm ci` is not used because
  # npm 11 rejects this lock (jco's optional per-platform packages) as "out of sync".
  if ! (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1); then
    [ -n "${CI:-}" ] && { echo "FAIL: npm install of the pinned jco failed in $here"; exit 1; }
    skip "npm install failed in $here (no registry?)"
  fi
fi
jco="$here/node_modules/.bin/jco"

rm -rf "$work" && mkdir -p "$work" && cd "$work"
ln -s "$here/node_modules" node_modules  # the transpiled code imports jco's preview2-shim
# `witc component new` when it exists; until then jco (wasm-tools) embeds and wraps.
have_component_new=0
subcommands() { "$witc" "$@" --help 2>/dev/null | sed -n '/^Subcommands:/,$p' | awk 'NR>1 {print $1}'; }
subcommands | grep -qx component && subcommands component | grep -qx new && have_component_new=1
for spec in app:app:app kv:kv-impl:kv_impl log:log-impl:log_impl; do
  IFS=: read -r src world gen <<<"$spec"
  mkdir -p "gen-$src"
  "$witc" bindgen "$here/demo.wit" -w "$world" -o "gen-$src"
  clang++-19 --target=wasm32-wasi -std=c++20 -O2 -fno-exceptions -mexec-model=reactor -I"gen-$src" \
    "$here/$src.cpp" "gen-$src/$gen.cpp" -o "$src.core.wasm"
  if [ $have_component_new = 1 ]; then
    # libc++ links a few wasi_snapshot_preview1 imports: jco's reactor adapter, as `jco new --wasi-reactor`.
    "$witc" component new "$src.core.wasm" --wit "$here/demo.wit" --world "$world" -o "$src.wasm" \
      --adapt "wasi_snapshot_preview1=$here/node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm"
  else
    node "$here/embed.mjs" "$work/$src.core.wasm" "$here/demo.wit" "$world" "$work/$src.embed.wasm"
    "$jco" new "$src.embed.wasm" --wasi-reactor -o "$src.wasm" >/dev/null
  fi
done

"$compose" app.wasm kv.wasm log.wasm -o composed.wasm --graph composed.dot
"$witc" validate composed.wasm

# The composition's WIT: exactly the imports nobody provided and the root's export.
if subcommands | grep -qx component && subcommands component | grep -qx wit; then
  "$witc" component wit composed.wasm > composed.wit
else
  "$jco" wit composed.wasm > composed.wit
fi
grep -E '^\s*(import|export) ' composed.wit | sed 's/^ *//' > surface.txt
diff -u "$here/expected.surface" surface.txt

"$jco" transpile composed.wasm -o out --map "local:demo/host@0.1.0=$here/host.js" >/dev/null
node "$here/run.mjs" "$work/out" > output.txt
diff -u "$here/expected.out" output.txt
echo "e2e: composed $(stat -c %s composed.wasm) bytes; output as expected"
