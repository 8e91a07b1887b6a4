#!/bin/sh
# Rebuilds the test components from their .wat sources with jco (wasm-tools parse):
#   JCO=/path/to/node_modules/.bin/jco tests/compose/inputs/regen.sh
set -e
cd "$(dirname "$0")"
JCO=${JCO:-jco}
for w in *.wat; do
  case "$w" in core-*.wat) wat2wasm "$w" -o "${w%.wat}.wasm" ;; *) "$JCO" parse "$w" -o "${w%.wat}.wasm" ;; esac
done
