#!/usr/bin/env bash
# Regenerates the fixtures into a temporary folder and checks that they equal the
# committed fixtures/ (tensors within 1e-6 + 1e-5·max|array|; see compare_fixtures.py). Exits non-zero naming each difference.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/tfjs-gru-fixtures.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
bash "$root/tools/fixtures.sh" "$tmp"
python="$(bash "$root/tools/venv.sh" | tail -n 1)"
"$python" "$root/tools/compare_fixtures.py" "$root/fixtures" "$tmp"
