#!/usr/bin/env bash
# Create the virtualenv and install the locked dependencies, then the project itself.
set -euo pipefail
venv=${1:-.venv}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[ -n "$python" ] || { echo "需要 Python 3.11（未找到）。" >&2; exit 1; }
if command -v uv >/dev/null; then
  [ -x "$venv/bin/python" ] || uv venv -q -p "$python" "$venv"
  uv pip install -q -p "$venv/bin/python" -r requirements.lock
  uv pip install -q -p "$venv/bin/python" --no-deps -e .
else
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q -r requirements.lock
  "$venv/bin/python" -m pip install -q --no-deps -e .
fi
echo "Python 环境已就绪：$venv"
