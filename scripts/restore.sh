#!/usr/bin/env bash
# `make restore BACKUP=<dir> [REPLACE=1]`: brings a backup of scripts/backup.sh back, on
# this machine or a fresh one: installs and starts the services, restores both databases
# and the files, rebuilds the Solr index, and starts the portal again.
#   scripts/restore.sh <backup dir> [--replace]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

backup="${1:?usage: make restore BACKUP=<backup directory> [REPLACE=1]}"
shift
[ -f "$backup/manifest.json" ] || die "$backup is not a backup (no manifest.json)"
bash "$REPO/scripts/install-system.sh"
bash "$REPO/scripts/setup.sh"
bash "$REPO/scripts/services.sh" start postgres redis solr
"$PY" "$REPO/scripts/configure.py" || die "could not write the config or prepare the databases"
# The web app, worker and consumers hold database connections; they come back afterwards.
bash "$REPO/scripts/portal.sh" stop
"$PY" "$REPO/scripts/backup.py" restore --ini "$CKAN_INI" "$@" "$backup"
# A fresh machine has new secrets: the loader's API token is minted again.
"$CKAN" -c "$CKAN_INI" osnabrueck xloader-token "$RUN_DIR/secrets.json" >/dev/null || die "could not create the loader's API token"
"$PY" "$REPO/scripts/configure.py" --no-db || die "could not write the config"
bash "$REPO/scripts/portal.sh" start
