#!/usr/bin/env bash
# CI: rebuilds the wasm GRU kernel from native/ and fails if the committed
# src/kernels/wasm/gruKernelWasm.generated.ts differs (a stale embedded module).
# Needs what tools/build-wasm.sh needs (clang and lld with the wasm32 target;
# the committed file was made with Debian clang 14.0.6: another clang version
# may emit other bytes, and this check then says so).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
committed=src/kernels/wasm/gruKernelWasm.generated.ts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash tools/build-wasm.sh --out-ts "$tmp/generated.ts" --out-wasm "$tmp/gru_kernel.wasm" >/dev/null
if ! cmp -s "$tmp/generated.ts" "$committed"; then
  echo "check_wasm: $committed is stale: rebuilt from native/ it differs. Run 'npm run build:wasm' and commit it." >&2
  diff <(head -n 4 "$committed") <(head -n 4 "$tmp/generated.ts") >&2 || true
  exit 1
fi
echo "check_wasm: $committed matches a fresh build ($(sed -n 4p "$committed" | sed 's|^// ||'))"
