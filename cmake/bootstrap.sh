#!/usr/bin/env bash
# Installs everything witc needs on a fresh Debian 12 machine, from Debian's packages
# (and jco from npm, pinned by tests/interop/package-lock.json). Idempotent: when every
# package is already present it only runs dpkg-query and returns.
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkg-config git
            libboost-dev libfmt-dev libcli11-dev librange-v3-dev catch2 libtree-sitter-dev)
# clang-19 with lld builds wasm32 guests and the libFuzzer targets; node runs jco.
test_pkgs=(clang-19 lld-19 libclang-rt-19-dev libfuzzer-19-dev
           wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32
           wabt nodejs neovim python3)

want=("${build_pkgs[@]}")
if [[ "${1:-}" != "--build-only" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm is bundled with nodesource's nodejs, a separate package with Debian's own.
if ! command -v npm >/dev/null 2>&1 && [[ "${1:-}" != "--build-only" ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
echo "bootstrap: all dependencies present"
