#!/usr/bin/env bash
# Builds the SIMD wasm GRU kernel: native/gru_kernel.c + native/wasm/*.c with
# clang --target=wasm32 -msimd128 and wasm-ld, then (tools/embed-wasm.js) strips
# the custom sections (so the bytes depend on the sources and the compiler only)
# and writes
#   dist/gru_kernel.wasm                              the module
#   src/kernels/wasm/gruKernelWasm.generated.ts       the same bytes as base64 (committed)
# Needs: clang and wasm-ld with the WebAssembly target (Debian: apt-get install -y clang lld;
# the committed output was made with Debian clang 14.0.6). Node to embed.
# Usage: tools/build-wasm.sh [--out-ts FILE] [--out-wasm FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out_ts=src/kernels/wasm/gruKernelWasm.generated.ts
out_wasm=dist/gru_kernel.wasm
while [ $# -gt 0 ]; do
  case "$1" in
    --out-ts) out_ts="$2"; shift 2 ;;
    --out-wasm) out_wasm="$2"; shift 2 ;;
    *) echo "build-wasm.sh: unknown argument '$1' (expected --out-ts FILE or --out-wasm FILE)" >&2; exit 2 ;;
  esac
done

CLANG=${CLANG:-clang}
WASM_LD=${WASM_LD:-wasm-ld}
for tool in "$CLANG" "$WASM_LD" node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-wasm.sh: '$tool' not found. Install clang and lld (Debian/Ubuntu: apt-get install -y clang lld), or set CLANG / WASM_LD." >&2
    exit 1
  fi
done
if ! "$CLANG" --print-targets 2>/dev/null | grep -q wasm32; then
  echo "build-wasm.sh: $CLANG has no wasm32 target ($("$CLANG" --version | head -n1)); install a clang built with WebAssembly (Debian's is)." >&2
  exit 1
fi

sources=(native/wasm/gemm_simd.c native/wasm/libc.c native/wasm/test_exports.c)
exports=(gk_sgemm gk_test_exp gk_test_tanh gk_test_sigmoid gk_test_tanh_array gk_test_sigmoid_array)
if [ -f native/gru_kernel.c ]; then
  sources+=(native/gru_kernel.c native/wasm/frame_step.c)
  exports+=(gk_forward gk_backward gk_workspace_floats gk_forward_scratch_floats gk_backward_scratch_floats
            gk_step gk_step_scratch_floats gk_dense gk_activate)
else
  echo "build-wasm.sh: native/gru_kernel.c is missing: building gemm and math only (no gk_forward/gk_backward)" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=(--target=wasm32 -O3 -msimd128 -mbulk-memory -mnontrapping-fptoint -nostdlib -ffreestanding
        -fno-exceptions -Wall -Wextra -Werror=implicit-function-declaration -Inative/wasm -Inative)
objs=()
for src in "${sources[@]}"; do
  obj="$tmp/$(basename "${src%.c}").o"
  "$CLANG" "${cflags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
ldflags=(--no-entry --strip-all --gc-sections --stack-first -z stack-size=1048576
         --initial-memory=4194304 --export=__heap_base)
for e in "${exports[@]}"; do ldflags+=("--export=$e"); done
"$WASM_LD" "${ldflags[@]}" "${objs[@]}" -o "$tmp/gru_kernel.wasm"

mkdir -p "$(dirname "$out_wasm")" "$(dirname "$out_ts")"
node tools/embed-wasm.js "$tmp/gru_kernel.wasm" "$out_wasm" "$out_ts" "$("$CLANG" --version | head -n1)" "${sources[*]}"
