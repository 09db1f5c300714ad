#!/usr/bin/env bash
# Builds the native GRU kernel addon (native/gru_kernel.c + OpenBLAS) for this
# machine into native/build/tfjs_gru_native.node. Needs a C compiler, the
# Node.js headers (they come with node) and OpenBLAS with its cblas.h
# (Debian: apt-get install libopenblas-dev). `tfjs-gru setup-node` runs this.
# -fno-trapping-math lets gcc turn the math selects into vector blends (the
# kernel never reads floating-point exception flags).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cc="${CC:-cc}"
node_include="$(dirname "$(dirname "$(command -v node)")")/include/node"
[ -f "$node_include/node_api.h" ] || { echo "build-native: node_api.h not found in $node_include" >&2; exit 1; }
command -v "$cc" >/dev/null || { echo "build-native: no C compiler ('$cc'); install gcc" >&2; exit 1; }
if ! printf '#include <cblas.h>\nint main(void){openblas_get_num_threads();return 0;}\n' |
    "$cc" -x c - -o /dev/null -lopenblas 2>/dev/null; then
  echo "build-native: OpenBLAS (cblas.h, -lopenblas) not found; on Debian: apt-get install libopenblas-dev" >&2
  exit 1
fi
mkdir -p "$root/native/build"
out="$root/native/build/tfjs_gru_native.node"
"$cc" -O3 -march=native -fno-trapping-math -fno-math-errno -fPIC -shared -std=c11 -Wall -Wextra -Werror \
  -DNODE_GYP_MODULE_NAME=tfjs_gru_native -DNAPI_VERSION=8 \
  -I"$root/native" -I"$root/native/node" -I"$node_include" \
  "$root/native/gru_kernel.c" "$root/native/node/blas_gemm.c" "$root/native/batch_parallel.c" "$root/native/node/run_parts.c" \
  "$root/native/node/addon.c" -lopenblas -lpthread -lm -o "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
