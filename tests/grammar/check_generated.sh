#!/bin/sh
# check_generated.sh GRAMMAR_DIR: the committed src/grammar.json, src/parser.c and
# src/node-types.json must be exactly what tools/ generates from grammar.js.
# Exits 77 (CTest: skipped) when node or python3 is missing.
set -e
dir="$1"
for tool in node python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool not found; cannot regenerate the parser"
    exit 77
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
node "$dir/tools/dsl.js" "$dir/grammar.js" > "$tmp/src/grammar.json"
python3 "$dir/tools/generate.py" "$tmp" "$tmp/src"
status=0
for f in grammar.json parser.c node-types.json; do
  if ! cmp -s "$tmp/src/$f" "$dir/src/$f"; then
    echo "src/$f is stale: run \`npm run generate\` in grammar/ and commit the result"
    status=1
  fi
done
[ $status -eq 0 ] && echo "src/ matches grammar.js"
exit $status
