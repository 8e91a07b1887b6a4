#!/usr/bin/env bash
# Every test: install, build everything, run CTest. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/bootstrap.sh
if [[ -f tests/interop/package-lock.json ]]; then
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900
