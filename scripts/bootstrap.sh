#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies.
# Rasa 3.6 supports Python 3.8-3.10 only; 3.11+ will not install it.
set -euo pipefail
cd "$(dirname "$0")/.."

want="$(cat .python-version 2>/dev/null || echo 3.10)"
python=""
if command -v pyenv >/dev/null 2>&1 && pyenv prefix "$want" >/dev/null 2>&1; then
  python="$(pyenv prefix "$want")/bin/python"
elif command -v "python${want%.*}" >/dev/null 2>&1; then
  python="$(command -v "python${want%.*}")"
elif command -v python3.10 >/dev/null 2>&1; then
  python="$(command -v python3.10)"
fi
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
  cat >&2 <<MSG
CarePath needs Python 3.10 (Rasa 3.6 does not install on 3.11 or newer), and none was found.
Install it, then run make again:
  - with pyenv:   pyenv install $want      (this project's .python-version selects it)
  - on Debian/Ubuntu: apt-get install python3.10 python3.10-venv
MSG
  exit 1
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
  rm -rf .venv
  echo "Creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pip==23.3.2"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
