#!/usr/bin/env bash
# `make test`: installs what is missing, starts the services it needs, prepares the test
# databases and runs pytest with CKAN's own pytest plugin (--ckan-ini=test.ini).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

bash "$REPO/scripts/install-system.sh"
bash "$REPO/scripts/setup.sh"
bash "$REPO/scripts/services.sh" start
"$PY" "$REPO/scripts/configure.py" || die "could not write the config or prepare the databases"
bash "$REPO/scripts/init-db.sh" "$REPO/test.ini"
bash "$REPO/scripts/services.sh" start frost_test mapserver pycsw_test

mkdir -p "$REPO/test-artifacts"
cd "$REPO"
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
[ $rc -eq 5 ] && die "pytest collected no tests"
exit $rc
