#!/usr/bin/env bash
# CI: rebuilds the wasm GRU kernels (single-threaded and threaded) from native/ and fails if a
# committed src/kernels/wasm/gruKernel*Wasm.generated.ts differs (a stale embedded module).
# Needs what tools/build-wasm.sh needs (clang and lld with the wasm32 target;
# the committed files were made with Debian clang 14.0.6: another clang version
# may emit other bytes, and this check then says so).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash tools/build-wasm.sh --out-ts "$tmp/single.ts" --out-wasm "$tmp/gru_kernel.wasm" \
  --out-threads-ts "$tmp/threads.ts" --out-threads-wasm "$tmp/gru_kernel_threads.wasm" >/dev/null
status=0
for pair in "single.ts src/kernels/wasm/gruKernelWasm.generated.ts" "threads.ts src/kernels/wasm/gruKernelThreadsWasm.generated.ts"; do
  set -- $pair
  fresh="$tmp/$1" committed=$2
  if ! cmp -s "$fresh" "$committed"; then
    echo "check_wasm: $committed is stale: rebuilt from native/ it differs. Run 'npm run build:wasm' and commit it." >&2
    diff <(head -n 4 "$committed") <(head -n 4 "$fresh") >&2 || true
    status=1
  else
    echo "check_wasm: $committed matches a fresh build ($(sed -n 4p "$committed" | sed 's|^// ||'))"
  fi
done
exit $status
