#!/bin/sh
# Runs the Neovim highlight test: run.sh PARSER_SO HIGHLIGHTS_SCM FIXTURES_DIR
# Exits 77 (CTest: skipped) when nvim is not installed.
if ! command -v nvim >/dev/null 2>&1; then
  echo "SKIP: nvim not found; install Debian's neovim to run the editor test"
  exit 77
fi
here=$(dirname "$0")
WITC_TS_SO="$1" WITC_TS_SCM="$2" WITC_FIXTURES="$3" \
  exec nvim --headless --clean -n -i NONE -c "luafile $here/highlight_test.lua"
