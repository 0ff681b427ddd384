# Sourced by the scripts: find uv, or install it into .tools/ from PyPI (nothing global).
export UV_PYTHON_DOWNLOADS=never
if command -v uv >/dev/null 2>&1; then
  UV=uv
else
  if [ ! -x .tools/bin/uv ]; then
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.5"
  fi
  UV=.tools/bin/uv
fi
