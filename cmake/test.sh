#!/usr/bin/env bash
# Every test: install, build everything, run CTest. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/bootstrap.sh
if [[ -f tests/interop/package-lock.json ]]; then
  # `npm install` installs the pinned versions; npm 11's `npm ci` rejects jco's lock
  # (optional per-platform packages) as out of sync.
  (cd tests/interop && npm install --no-audit --no-fund --loglevel=error)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900
