#!/usr/bin/env bash
# Regenerates the reference fixtures with the real TensorFlow / tf-keras / PyTorch.
#   bash tools/fixtures.sh [OUTDIR]      (default: fixtures/ at the repository root)
# Creates .venv/ through tools/venv.sh and installs Debian's python3-torch (for
# /usr/bin/python3) with apt when torch is missing. TFJS_GRU_NO_PYTORCH=1 skips PyTorch.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/fixtures}"
torch_python="${TFJS_GRU_TORCH_PYTHON:-/usr/bin/python3}"
torch_deb="python3-torch=1.13.1+dfsg-4"

export PYTHONDONTWRITEBYTECODE=1
python="$(bash "$root/tools/venv.sh" | tail -n 1)"

if [ "${TFJS_GRU_NO_PYTORCH:-0}" = "1" ]; then
  torch_python=none
elif ! "$torch_python" -c 'import torch' >/dev/null 2>&1; then
  echo "tools/fixtures.sh: installing $torch_deb with apt-get" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y -q --no-install-recommends "$torch_deb" >&2; then
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q --no-install-recommends "$torch_deb" >&2
  fi
  "$torch_python" -c 'import torch' || { echo "tools/fixtures.sh: torch still cannot be imported by $torch_python" >&2; exit 1; }
fi
if [ "$torch_python" = /usr/bin/python3 ]; then
  have="$(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null || true)"
  if [ "$have" != "${torch_deb#*=}" ]; then
    echo "tools/fixtures.sh: warning: python3-torch $have installed, fixtures were made with ${torch_deb#*=}" >&2
  fi
fi

"$python" "$root/tools/make_fixtures.py" --out "$out" --pytorch-python "$torch_python"
