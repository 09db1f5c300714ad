#!/usr/bin/env bash
# Creates (once) the project's Python environment in .venv/ and prints the path of its
# python. Installs tools/requirements.lock (every package pinned; requirements.txt holds
# the top-level pins it was frozen from), then tools/requirements-nodeps.txt with
# --no-deps. Idempotent: a stamp holding the hash of those files says whether the
# environment is current.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TFJS_GRU_VENV:-$root/.venv}"
req="$root/tools/requirements.txt"
lock="$root/tools/requirements.lock"
nodeps="$root/tools/requirements-nodeps.txt"
python="${PYTHON:-python3}"
stamp="$venv/.requirements.sha256"
want="$(cat "$req" "$lock" "$nodeps" | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi
command -v "$python" >/dev/null 2>&1 || { echo "tools/venv.sh: '$python' not found; install Python 3.11 or set PYTHON" >&2; exit 1; }
have="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$have" != "3.11" ]; then
  echo "tools/venv.sh: $python is Python $have; the pinned environment needs Python 3.11 (set PYTHON to one)" >&2
  exit 1
fi
echo "tools/venv.sh: creating $venv from $lock" >&2
rm -f "$stamp"
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$lock" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check -q --no-deps -r "$nodeps" >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
