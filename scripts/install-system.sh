#!/usr/bin/env bash
# Installs the Debian packages the local stack needs, and the Docker Compose v2 plugin that
# the check of the production files (tests/stack/test_docker.py) uses. Idempotent: it only
# calls apt-get when a package is missing, and builds the plugin only when
# `docker compose version` fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib libpq-dev
  redis-server
  openjdk-17-jdk-headless maven
  libmagic1 gettext
  mapserver-bin
  chromium
  nginx
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

install_packages() {
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]}. Run as root: apt-get install ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
  # The Debian packages may start their own default services; the stack runs its own
  # (nginx is only there for `nginx -t` of docker/nginx/nginx.conf in the tests).
  service postgresql stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
  service nginx stop >/dev/null 2>&1 || true
}

# Docker Compose v2 as a CLI plugin, built from the Go module proxy at a pinned version
# (there is no Debian package of it, and no download from GitHub). Only the CLI is needed:
# the tests run `docker compose config`, which needs no Docker engine. Compose's go.mod has
# `exclude` directives, which `go install module@version` refuses; so the module's source
# is fetched with `go mod download` and built as the main module.
COMPOSE_MODULE=github.com/docker/compose/v2
COMPOSE_VERSION=v2.40.3
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose

install_compose() {
  command -v docker >/dev/null || { warn "no docker CLI: not installing the compose plugin"; return 0; }
  docker compose version >/dev/null 2>&1 && return 0
  [ "$(id -u)" = 0 ] || die "the Docker Compose plugin is missing. Run as root: bash scripts/install-system.sh"
  local go="${OSN_GO:-$(command -v go || echo /usr/local/go/bin/go)}"
  [ -x "$go" ] || die "Go is needed to build the Docker Compose plugin ($go not found)"
  local tmp started src
  tmp="$(mktemp -d)"
  started=$(date +%s)
  say "building the Docker Compose plugin $COMPOSE_VERSION from the Go module proxy (takes minutes)"
  # The module's source lands in Go's module cache; -json names the directory (or the error).
  (cd "$tmp" && GOFLAGS=-mod=mod "$go" mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION") \
    > "$tmp/build.log" 2>&1 || true
  src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "$tmp/build.log")
  if [ -z "$src" ] || ! (cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$go" build -trimpath \
      -ldflags "-s -w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" \
      -o "$tmp/docker-compose" ./cmd) >> "$tmp/build.log" 2>&1; then
    tail -n 30 "$tmp/build.log" >&2
    rm -rf "$tmp"
    die "building the Docker Compose plugin $COMPOSE_VERSION failed"
  fi
  install -D -m 0755 "$tmp/docker-compose" "$COMPOSE_PLUGIN"
  rm -rf "$tmp"
  docker compose version >/dev/null 2>&1 || die "docker compose does not run after installing $COMPOSE_PLUGIN"
  say "installed $(docker compose version) in $(( $(date +%s) - started )) s"
}

install_packages
install_compose
