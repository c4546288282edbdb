# Sourced by the other scripts: makes sure uv is there and the locked environment is installed.
# Needs only Python 3.11 (or 3.12) and access to PyPI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  UV=(python3 -m uv)
elif [ -x .tools/bin/uv ]; then
  UV=(.tools/bin/uv)
else
  echo "Installing uv (the project's package manager) from PyPI ..."
  if python3 -m pip install --quiet --user uv 2>/dev/null; then
    UV=(python3 -m uv)
  else  # a system Python that refuses user installs (PEP 668): give uv a venv of its own
    python3 -m venv .tools && .tools/bin/pip install --quiet uv
    UV=(.tools/bin/uv)
  fi
fi
echo "Installing the locked dependencies into .venv ..."
"${UV[@]}" sync --frozen --quiet
export GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
