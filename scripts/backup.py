"""Backup and restore of a portal: the CKAN and DataStore databases (pg_dump's custom
format), the file storage (uploads) and a manifest with checksums and counts. Solr holds
nothing of its own: a restore rebuilds the index from the database.

  python scripts/backup.py backup  [--ini INI] [--to DIR]
  python scripts/backup.py restore [--ini INI] [--replace] DIR

A restore refuses a damaged backup, and a portal that already has datasets unless
--replace is given, before it changes anything. Secrets (.run/secrets.json) are not part
of a backup: they belong to the deployment's secret store.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parent.parent
RUN = Path(os.environ.get("OSN_RUN_DIR", REPO / ".run"))
PG_BIN = Path(os.environ.get("OSN_PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASES = {"ckan": "sqlalchemy.url", "datastore": "ckan.datastore.write_url"}
STORAGE = "storage.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; nothing was changed."""


def load_settings(ini: Path) -> dict:
    """The config values a backup needs, with CKAN's own reading of the ini (use = …)."""
    from ckan.cli import load_config

    config = load_config(str(ini))
    return {"ini": str(ini), **{name: config[key] for name, key in DATABASES.items()},
            "storage": Path(config["ckan.storage_path"])}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], what: str, **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BackupError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def _count(url: str, query: str) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchone()[0]


def counts(settings: dict) -> dict:
    """What a restore must bring back, for the manifest and for a check afterwards."""
    return {
        "datasets": _count(settings["ckan"], "SELECT count(*) FROM package WHERE state <> 'deleted'"),
        "resources": _count(settings["ckan"], "SELECT count(*) FROM resource WHERE state = 'active'"),
        "datastore_tables": _count(settings["datastore"], "SELECT count(*) FROM pg_tables "
                                   "WHERE schemaname = 'public' AND tablename NOT LIKE '\\_%'"),
    }


def _without_password(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    netloc = f"{parts.username}@{parts.hostname}:{parts.port or 5432}"
    return parts._replace(netloc=netloc).geturl(), parts.password or ""


def backup(settings: dict, target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=False)
    target.chmod(0o700)
    for name in DATABASES:
        url, password = _without_password(settings[name])
        # The password through the environment: a command line is visible to every user.
        _run([str(PG_BIN / "pg_dump"), "--format=custom", "--no-password", f"--dbname={url}",
              f"--file={target / (name + '.dump')}"], f"pg_dump of the {name} database",
             env={**os.environ, "PGPASSWORD": password})
    with tarfile.open(target / STORAGE, "w:gz") as archive:
        if settings["storage"].exists():
            archive.add(settings["storage"], arcname=".")
    files = sorted(path.name for path in target.iterdir())
    manifest = {"created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "source_ini": settings["ini"], "counts": counts(settings),
                "sha256": {name: sha256(target / name) for name in files}}
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def verify(source: Path) -> dict:
    """The manifest of an intact backup; a BackupError names what is missing or damaged."""
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a backup (manifest.json: {error})") from None
    for name, digest in manifest["sha256"].items():
        path = source / name
        if not path.exists() or sha256(path) != digest:
            raise BackupError(f"{path} is missing or damaged (checksum differs); nothing was restored")
    return manifest


def _admin(url: str):
    """A superuser connection of the local cluster (over its socket) for DROP/CREATE DATABASE."""
    parts = urlsplit(url)
    conn = psycopg2.connect(host=os.environ.get("OSN_PG_SOCKET_DIR", str(RUN / "postgres")),
                            port=parts.port or 5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    return conn


def _has_datasets(url: str) -> bool:
    try:
        return _count(url, "SELECT count(*) FROM package WHERE state <> 'deleted'") > 0
    except psycopg2.Error:
        return False  # no such database or no tables yet: empty


def _recreate(url: str) -> None:
    parts = urlsplit(url)
    name, owner = parts.path.lstrip("/"), parts.username
    conn = _admin(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0")
                        .format(sql.Identifier(name), sql.Identifier(owner)))
    finally:
        conn.close()


def _pg_restore(url: str, dump: Path) -> None:
    parts = urlsplit(url)
    command = [str(PG_BIN / "pg_restore"), "--exit-on-error", "--no-password",
               "-h", os.environ.get("OSN_PG_SOCKET_DIR", str(RUN / "postgres")), "-p", str(parts.port or 5432),
               "-U", "postgres", "-d", parts.path.lstrip("/")]
    if os.geteuid() == 0:  # the cluster's socket admits its own system user only
        command = ["runuser", "-u", "postgres", "--", *command]
    with dump.open("rb") as stream:
        _run(command, f"pg_restore of {dump.name}", stdin=stream)


def _restore_storage(archive: Path, storage: Path) -> None:
    storage.mkdir(parents=True, exist_ok=True)
    for child in ("resources", "storage", "webassets"):
        subprocess.run(["rm", "-rf", str(storage / child)], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(storage, filter="data")


def _ckan(settings: dict, *args: str) -> None:
    ckan = Path(sys.executable).parent / "ckan"
    _run([str(ckan), "-c", settings["ini"], *args], "ckan " + " ".join(args))


def restore(settings: dict, source: Path, replace: bool = False) -> dict:
    manifest = verify(source)
    if not replace and _has_datasets(settings["ckan"]):
        raise BackupError("the portal already has datasets; restore with --replace (make restore "
                          "BACKUP=… REPLACE=1) to overwrite them")
    for name in DATABASES:
        _recreate(settings[name])
        _pg_restore(settings[name], source / f"{name}.dump")
    _restore_storage(source / STORAGE, settings["storage"])
    # Migrations newer than the backup, and the DataStore's read-only rights.
    _run(["bash", str(REPO / "scripts" / "init-db.sh"), settings["ini"]], "init-db.sh")
    _ckan(settings, "search-index", "clear")
    _ckan(settings, "search-index", "rebuild", "--quiet")
    restored = counts(settings)
    if restored != manifest["counts"]:
        raise BackupError(f"restored {restored}, but the backup holds {manifest['counts']}")
    return restored


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("backup", "restore"))
    parser.add_argument("directory", nargs="?", type=Path)
    parser.add_argument("--ini", type=Path, default=RUN / "ckan.ini")
    parser.add_argument("--to", type=Path, help="backup: the new backup's directory")
    parser.add_argument("--replace", action="store_true", help="restore: overwrite a portal that has datasets")
    args = parser.parse_intermixed_args(argv)
    try:
        settings = load_settings(args.ini)
        if args.command == "backup":
            stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            target = args.to or RUN / "backups" / stamp
            result = backup(settings, target)["counts"]
            print(f"backup written to {target}: {result}")
        else:
            if not args.directory:
                parser.error("restore needs the backup's directory")
            result = restore(settings, args.directory, args.replace)
            print(f"restored from {args.directory}: {result}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
