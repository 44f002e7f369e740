#!/usr/bin/env bash
# Installs the Debian packages the local stack needs. Idempotent: it only calls apt-get
# when a package is missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib libpq-dev
  redis-server
  openjdk-17-jdk-headless maven
  libmagic1 gettext
  mapserver-bin
  chromium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  die "missing Debian packages: ${missing[*]}. Run as root: apt-get install ${missing[*]}"
fi
say "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || die "apt-get update failed"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || die "apt-get install ${missing[*]} failed"
# The Debian packages may start their own default services; the stack runs its own.
service postgresql stop >/dev/null 2>&1 || true
service redis-server stop >/dev/null 2>&1 || true
