#!/usr/bin/env bash
# Creates (once) or reuses the Python venv the Keras 3 / ONNX oracle tests and examples/python/
# use, keyed by the hash of test/python/requirements.txt, under ~/.cache/wasm-mlp/. Prints its
# python on the last line. Exit 1 (with the reason on stderr) when it cannot be built.
#   bash scripts/python-venv.sh [REQUIREMENTS [MODULES]]
# builds the venv of another requirements file instead (bench/python/requirements.txt for
# `npm run bench -- native`) and checks that it imports MODULES (comma-separated).
set -uo pipefail
cd "$(dirname "$0")/.."
req=${1:-test/python/requirements.txt}
modules=${2:-keras,jax,h5py,onnx,onnxruntime}
[ -f "$req" ] || { echo "python-venv: $req does not exist" >&2; exit 1; }
key=$(sha256sum "$req" | cut -c1-12)
dir="${WASM_MLP_VENV_ROOT:-$HOME/.cache/wasm-mlp}/venv-$key"
mkdir -p "$(dirname "$dir")"
# Test files that start at once wait for one build instead of racing (flock is in util-linux).
if command -v flock >/dev/null 2>&1; then exec 9>"$dir.lock"; flock 9; fi
if [ ! -x "$dir/bin/python" ] || [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  python3 -m venv "$dir" >&2 || { echo "python-venv: python3 -m venv failed" >&2; exit 1; }
  # PIP_RETRIES=0: an index that cannot be reached is skipped at once (the others still answer).
  PIP_RETRIES=0 "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2 || { echo "python-venv: pip install -r $req failed" >&2; rm -rf "$dir"; exit 1; }
  KERAS_BACKEND=jax "$dir/bin/python" -c "import $modules" >&2 || { echo "python-venv: the venv does not import $modules" >&2; rm -rf "$dir"; exit 1; }
  touch "$dir/.complete"
fi
echo "$dir/bin/python"
