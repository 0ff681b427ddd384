# Sourced by the scripts: find uv, or install it into .tools/ from PyPI (nothing global).
# Sets UV (an absolute path, or `uv` from the PATH) and CRAMP_ROOT (the repository).
export UV_PYTHON_DOWNLOADS=never
CRAMP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if command -v uv >/dev/null 2>&1; then
  UV=uv
else
  if [ ! -x "$CRAMP_ROOT/.tools/bin/uv" ]; then
    python3 -m venv "$CRAMP_ROOT/.tools"
    "$CRAMP_ROOT/.tools/bin/pip" install --quiet --disable-pip-version-check "uv>=0.5"
  fi
  UV="$CRAMP_ROOT/.tools/bin/uv"
fi
