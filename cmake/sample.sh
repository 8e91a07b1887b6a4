#!/usr/bin/env bash
# The main job on the bundled sample: install, build, then check the sample WIT package
# and print its resolved graph as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/bootstrap.sh --build-only
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target witc -j"$(nproc)"
./build/witc/cli/witc check samples/greeter/wit
./build/witc/cli/witc json samples/greeter/wit
