"""Helpers of the portal image, called by docker/entrypoint.sh and the healthchecks.

    portalctl.py render <template> <target>   render the production ini from the environment
    portalctl.py wait [db] [solr] [redis]      wait until the services answer (OSN_WAIT_TIMEOUT s)
    portalctl.py health [<role>]               exit 0 when the role's container is healthy
                                               (default: the role the entrypoint started)

Only the standard library plus packages the portal already depends on (psycopg2, redis,
rq); nothing here imports CKAN, so a healthcheck costs milliseconds, not a CKAN start-up.

Rendering: ``${NAME}`` is replaced by the environment variable NAME (an error when it is
unset or empty), ``${NAME:-default}`` falls back to the default; comment lines stay as
they are. CKAN's config loader runs ConfigParser interpolation over the file *and* over
every ``CKAN_*`` environment variable, so no value may contain ``%``; nor a line break,
which would inject ini lines.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}")
FORBIDDEN = ("%", "\n", "\r")


class ConfigError(Exception):
    pass


def render_text(template: str, env: dict[str, str]) -> str:
    """The template with every placeholder replaced; lists all missing or bad values at once."""
    missing, bad = set(), set()

    def value(match: re.Match) -> str:
        name, default = match.group(1), match.group(2)
        found = env.get(name) or default
        if found is None:
            missing.add(name)
            return ""
        if any(char in found for char in FORBIDDEN):
            bad.add(name)
        return found

    # Comment lines are left as they are (they may show the placeholder syntax).
    text = "".join(line if line.lstrip().startswith(("#", ";")) else PLACEHOLDER.sub(value, line)
                   for line in template.splitlines(keepends=True))
    problems = []
    if missing:
        problems.append("unset: " + ", ".join(sorted(missing)))
    if bad:
        problems.append("containing '%' or a line break: " + ", ".join(sorted(bad)))
    if problems:
        raise ConfigError("cannot render the CKAN config; variables " + "; ".join(problems))
    return text


# The service addresses the entrypoint computed; healthchecks run in a fresh `docker exec`
# process that only has the container's configured environment, so they are kept here.
SERVICE_VARS = ("CKAN_SQLALCHEMY_URL", "CKAN_SOLR_URL", "CKAN_REDIS_URL")


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Mode 600 from the start: the files hold secrets.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def render(template: str, target: str) -> None:
    text = render_text(Path(template).read_text(), dict(os.environ))
    path = Path(target)
    _write_private(path, text)
    services = {name: os.environ[name] for name in SERVICE_VARS if os.environ.get(name)}
    _write_private(path.parent / "services.json", json.dumps(services))


def _env(name: str) -> str:
    """A service address: from the environment, else from what the entrypoint wrote."""
    if os.environ.get(name):
        return os.environ[name]
    path = Path(os.environ.get("CKAN_INI", "/srv/app/run/ckan.ini")).parent / "services.json"
    try:
        return json.loads(path.read_text())[name]
    except (OSError, ValueError, KeyError):
        raise RuntimeError(f"{name} is unknown (not set, and not in {path})") from None


# --- waiting for the services ---------------------------------------------------------------

def check_db() -> None:
    import psycopg2

    psycopg2.connect(_env("CKAN_SQLALCHEMY_URL"), connect_timeout=3).close()


def check_solr() -> None:
    url = _env("CKAN_SOLR_URL").rstrip("/") + "/admin/ping?wt=json"
    with urllib.request.urlopen(url, timeout=3) as response:
        status = json.load(response).get("status")
    if status != "OK":
        raise RuntimeError(f"Solr ping status {status!r}")


def check_redis() -> None:
    import redis

    client = redis.Redis.from_url(_env("CKAN_REDIS_URL"), socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"db": check_db, "solr": check_solr, "redis": check_redis}


def _describe(error: Exception) -> str:
    # Never print a connection string: it may hold a password.
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = re.sub(r"://[^@/\s]*@", "://***@", text)
    return f"{type(error).__name__}: {text}"[:200]


def wait(names: list[str]) -> None:
    deadline = time.monotonic() + int(os.environ.get("OSN_WAIT_TIMEOUT", "300"))
    for name in names or list(CHECKS):
        last = None
        while True:
            try:
                CHECKS[name]()
                break
            except Exception as error:  # noqa: BLE001 - any failure means "not yet"
                described = _describe(error)
                if described != last:
                    print(f"waiting for {name}: {described}", file=sys.stderr, flush=True)
                    last = described
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not answer within OSN_WAIT_TIMEOUT seconds")
                time.sleep(2)


# --- healthchecks ---------------------------------------------------------------------------

def health_web() -> None:
    """The portal's own GET /health: 200 when database, Solr, Redis and DataStore answer."""
    url = f"http://127.0.0.1:{os.environ.get('OSN_WEB_PORT', '5000')}/health"
    try:
        with urllib.request.urlopen(url, timeout=8) as response:
            response.read()
    except urllib.error.HTTPError as error:
        body = error.read(500).decode(errors="replace")
        raise RuntimeError(f"/health answered {error.code}: {body}") from None


def health_worker() -> None:
    """Redis answers and this container's rq worker is registered there."""
    import redis
    from rq import Worker

    check_redis()
    connection = redis.Redis.from_url(_env("CKAN_REDIS_URL"), socket_timeout=3)
    hostname = socket.gethostname()
    if not any(worker.hostname == hostname for worker in Worker.all(connection=connection)):
        raise RuntimeError(f"no rq worker of {hostname} is registered in Redis")


def health_consumer() -> None:
    """Harvest consumers and the scheduler: the queues (Redis) and the database answer."""
    check_redis()
    check_db()


HEALTH = {"web": health_web, "worker": health_worker, "gather": health_consumer,
          "fetch": health_consumer, "scheduler": health_consumer}


def health(role: str) -> None:
    check = HEALTH.get(role)
    if check is None:
        raise SystemExit(f"no healthcheck for role {role!r}")
    try:
        check()
    except Exception as error:  # noqa: BLE001
        raise SystemExit(f"unhealthy: {_describe(error)}") from None


def _started_role() -> str:
    """The role docker/entrypoint.sh wrote beside the rendered ini (the image's HEALTHCHECK)."""
    path = Path(os.environ.get("CKAN_INI", "/srv/app/run/ckan.ini")).parent / "role"
    try:
        return path.read_text().strip()
    except OSError:
        raise SystemExit("the entrypoint has not started a role yet") from None


def main(argv: list[str]) -> None:
    if len(argv) >= 1 and argv[0] == "render" and len(argv) == 3:
        try:
            render(argv[1], argv[2])
        except ConfigError as error:
            raise SystemExit(str(error)) from None
    elif argv and argv[0] == "wait":
        wait(argv[1:])
    elif argv and argv[0] == "health" and len(argv) <= 2:
        health(argv[1] if len(argv) == 2 else _started_role())
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
