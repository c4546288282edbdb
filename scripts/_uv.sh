# Sourced by the other scripts: makes sure uv is there and the locked environment is installed.
# Needs only Python 3.11 (or 3.12) and access to PyPI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  if ! python3 -m uv --version >/dev/null 2>&1; then
    echo "Installing uv (the project's package manager) from PyPI ..."
    python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  fi
  UV=(python3 -m uv)
fi
echo "Installing the locked dependencies into .venv ..."
"${UV[@]}" sync --frozen --quiet
export GX_ANALYTICS_ENABLED=false DBT_SEND_ANONYMOUS_USAGE_STATS=false
