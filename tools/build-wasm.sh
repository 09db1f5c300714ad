#!/usr/bin/env bash
# Builds the SIMD wasm GRU kernel, twice: native/gru_kernel.c + native/wasm/*.c with
# clang --target=wasm32 -msimd128 and wasm-ld, then (tools/embed-wasm.js) strips
# the custom sections (so the bytes depend on the sources and the compiler only)
# and writes
#   dist/gru_kernel.wasm                                   the single-threaded module (own memory)
#   src/kernels/wasm/gruKernelWasm.generated.ts            the same bytes as base64 (committed)
#   dist/gru_kernel_threads.wasm                           the threaded module (-matomics, imports a
#                                                          shared memory; native/wasm/threads.c)
#   src/kernels/wasm/gruKernelThreadsWasm.generated.ts     its bytes as base64 (committed)
# Needs: clang and wasm-ld with the WebAssembly target (Debian: apt-get install -y clang lld;
# the committed output was made with Debian clang 14.0.6). Node to embed.
# Usage: tools/build-wasm.sh [--out-ts FILE] [--out-wasm FILE] [--out-threads-ts FILE] [--out-threads-wasm FILE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out_ts=src/kernels/wasm/gruKernelWasm.generated.ts
out_wasm=dist/gru_kernel.wasm
out_threads_ts=src/kernels/wasm/gruKernelThreadsWasm.generated.ts
out_threads_wasm=dist/gru_kernel_threads.wasm
while [ $# -gt 0 ]; do
  case "$1" in
    --out-ts) out_ts="$2"; shift 2 ;;
    --out-wasm) out_wasm="$2"; shift 2 ;;
    --out-threads-ts) out_threads_ts="$2"; shift 2 ;;
    --out-threads-wasm) out_threads_wasm="$2"; shift 2 ;;
    *) echo "build-wasm.sh: unknown argument '$1' (expected --out-ts, --out-wasm, --out-threads-ts or --out-threads-wasm FILE)" >&2; exit 2 ;;
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
compiler=$("$CLANG" --version | head -n1)
cflags=(--target=wasm32 -O3 -msimd128 -mbulk-memory -mnontrapping-fptoint -nostdlib -ffreestanding
        -fno-exceptions -Wall -Wextra -Werror=implicit-function-declaration -Inative/wasm -Inative)
ldflags=(--no-entry --strip-all --gc-sections --stack-first -z stack-size=1048576 --export=__heap_base)

# build NAME OUT_WASM OUT_TS CONST_PREFIX DESCRIPTION -- extra cflags -- extra ldflags -- sources
build() {
  local name=$1 out_w=$2 out_t=$3 prefix=$4 description=$5
  shift 6
  local extra_c=() extra_l=() srcs=() objs=()
  while [ "$1" != -- ]; do extra_c+=("$1"); shift; done; shift
  while [ "$1" != -- ]; do extra_l+=("$1"); shift; done; shift
  srcs=("$@")
  mkdir -p "$tmp/$name"
  for src in "${srcs[@]}"; do
    local obj="$tmp/$name/$(basename "${src%.c}").o"
    "$CLANG" "${cflags[@]}" "${extra_c[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
  done
  "$WASM_LD" "${ldflags[@]}" "${extra_l[@]}" "${objs[@]}" -o "$tmp/$name/gru_kernel.wasm"
  mkdir -p "$(dirname "$out_w")" "$(dirname "$out_t")"
  node tools/embed-wasm.js "$tmp/$name/gru_kernel.wasm" "$out_w" "$out_t" "$compiler" "${srcs[*]}" "$prefix" "$description"
}

single_l=(--initial-memory=4194304)
for e in "${exports[@]}"; do single_l+=("--export=$e"); done
build single "$out_wasm" "$out_ts" GRU_KERNEL_WASM \
  'The SIMD wasm GRU kernel module (native/gru_kernel.c + native/wasm), base64.' -- -- "${single_l[@]}" -- "${sources[@]}"

if [ -f native/gru_kernel.c ]; then
  # The threaded module: the same sources plus the batch parts and the thread pool, on an imported
  # shared memory (4 GiB at most, as wasm32 allows); each instance (thread) gets its own stack
  # (__stack_pointer) and thread-local packing buffers (__wasm_init_tls) from the loader.
  # gk_forward, gk_backward and their scratch sizes are threads.c's (export_name), not gru_kernel.c's.
  threads_l=(--shared-memory --import-memory --initial-memory=4194304 --max-memory=4294967296
             --export=__stack_pointer --export=__wasm_init_tls --export=__tls_size --export=__tls_align)
  for e in "${exports[@]}"; do
    case "$e" in gk_forward|gk_backward|gk_forward_scratch_floats|gk_backward_scratch_floats) ;; *) threads_l+=("--export=$e") ;; esac
  done
  build threads "$out_threads_wasm" "$out_threads_ts" GRU_KERNEL_THREADS_WASM \
    'The threaded SIMD wasm GRU kernel module (shared memory; native/wasm/threads.c), base64.' -- \
    -DGK_THREADS -matomics -mmutable-globals -ftls-model=local-exec -- "${threads_l[@]}" -- \
    "${sources[@]}" native/batch_parallel.c native/wasm/threads.c
fi
