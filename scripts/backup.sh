#!/usr/bin/env bash
# `make backup`: dumps the portal's CKAN and DataStore databases and its file storage into
# .run/backups/<UTC time>/ (scripts/backup.py).   scripts/backup.sh [--to DIR]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f "$CKAN_INI" ] || die "no $CKAN_INI: nothing to back up (run 'make run' first)"
bash "$REPO/scripts/services.sh" start postgres
"$PY" "$REPO/scripts/backup.py" backup --ini "$CKAN_INI" "$@"
