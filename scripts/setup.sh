#!/usr/bin/env bash
# Creates the project venv (.venv, Python 3.11) and installs the portal with every
# dependency pinned by constraints.txt. Idempotent: skips pip when nothing changed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PYTHON="${OSN_PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || die "$PYTHON not found; the portal needs Python 3.11"

if [ ! -x "$PY" ]; then
  say "creating the virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV" || die "could not create $VENV"
fi

# Reinstall only when an input changed (the stamp keeps their checksum).
stamp="$VENV/.osnabrueck-installed"
inputs=$(cat "$REPO/constraints.txt" "$REPO/requirements.in" "$REPO/requirements-dev.in" \
              "$REPO/pyproject.toml" "$REPO/setup.py" | sha256sum | cut -d' ' -f1)
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ] && "$PY" -c "import ckanext.osnabrueck.plugin" 2>/dev/null; }; then
  say "installing Python packages (pinned by constraints.txt)"
  pip() { "$PY" -m pip --disable-pip-version-check -q "$@"; }
  pip install -c "$REPO/constraints.txt" setuptools wheel || die "pip could not install setuptools"
  pip install -c "$REPO/constraints.txt" -r "$REPO/requirements.in" -r "$REPO/requirements-dev.in" \
    || die "pip install failed; see the output above"
  # A stale egg-info in the repo root would shadow the installed entry points (RDF profiles).
  rm -rf "$REPO"/*.egg-info
  pip install -c "$REPO/constraints.txt" --no-build-isolation -e "$REPO" || die "installing the portal package failed"
  rm -rf "$REPO"/*.egg-info
  echo "$inputs" > "$stamp"
fi

# Translations are compiled at install; .mo files are not committed.
"$VENV/bin/pybabel" compile -d "$REPO/ckanext-osnabrueck/ckanext/osnabrueck/i18n" -D ckanext-osnabrueck >/dev/null \
  || die "compiling the translations failed"

# pycsw 2.6 (the CSW of the demo and the tests) in its own venv: it pins old SQLAlchemy.
pycsw_stamp="$PYCSW_VENV/.osnabrueck-installed"
pycsw_inputs=$(sha256sum "$REPO/config/pycsw/requirements.txt" | cut -d' ' -f1)
if ! { [ -f "$pycsw_stamp" ] && [ "$(cat "$pycsw_stamp")" = "$pycsw_inputs" ]; }; then
  say "installing pycsw 2.6 into $PYCSW_VENV"
  [ -x "$PYCSW_VENV/bin/python" ] || "$PYTHON" -m venv "$PYCSW_VENV" || die "could not create $PYCSW_VENV"
  "$PYCSW_VENV/bin/python" -m pip --disable-pip-version-check -q install --no-deps \
    -r "$REPO/config/pycsw/requirements.txt" || die "installing pycsw failed"
  "$PYCSW_VENV/bin/python" -c "import pycsw.server" || die "pycsw does not import in $PYCSW_VENV"
  echo "$pycsw_inputs" > "$pycsw_stamp"
fi

# axe-core (npm) for the accessibility checks of the browser tests; pinned by package-lock.json.
if [ ! -f "$REPO/node_modules/axe-core/axe.min.js" ] \
   || [ "$REPO/package-lock.json" -nt "$REPO/node_modules/.package-lock.json" ]; then
  say "installing axe-core from npm"
  (cd "$REPO" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed (axe-core)"
fi
