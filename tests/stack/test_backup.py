"""Backup and restore round trip (scripts/backup.py behind `make backup` / `make restore`):
a portal restored into empty databases, an empty Solr core and an empty file store answers
the API exactly as the original did, for every dataset, private, draft and deleted ones
included, with its DataStore tables, uploaded files, activities and harvest sources."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
import requests
from psycopg2 import sql

from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext_osnabrueck.factories import OsnabrueckDataset
from served import REPO, gunicorn_portal
from harvesters.lib import harvest_source
from harvesters.ogc.test_harvester import CONFIG as OGC_CONFIG

# The same site URL for the content made here, the original portal and the restored one
# (the search index keeps full URLs of uploads).
pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_datastore"),
              pytest.mark.ckan_config("ckan.site_url", "http://portal.example")]
RUN = Path(os.environ.get("OSN_RUN_DIR", REPO / ".run"))
PORT = 5095
SITE = "http://portal.example"
RESTORED_DATABASES = ("ckan_restore_test", "datastore_restore_test")
RESTORED = {"sqlalchemy.url": "%(osn_pg)s/ckan_restore_test",
            "ckan.datastore.write_url": "%(osn_ds_rw)s/datastore_restore_test",
            "ckan.datastore.read_url": "%(osn_ds_ro)s/datastore_restore_test",
            "solr_url": "%(osn_solr)s/ckan_restore_test", "ckan.redis.url": "%(osn_redis)s/2"}


def backup_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "backup.py"), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=600)


def drop_restored_databases() -> None:
    conn = psycopg2.connect(host=str(RUN / "postgres"), port=os.environ.get("OSN_PG_PORT", "5432"),
                            user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        for name in RESTORED_DATABASES:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.close()


@pytest.fixture
def portal_content(create_with_upload):
    """One of everything a backup must keep."""
    sysadmin = factories.SysadminWithToken()
    editor = factories.User()
    org = factories.Organization(users=[{"name": editor["name"], "capacity": "editor"}])
    factories.Group(name="umwelt")
    public = OsnabrueckDataset(owner_org=org["id"])
    private = OsnabrueckDataset(owner_org=org["id"], private=True)
    OsnabrueckDataset(owner_org=org["id"], state="draft")
    deleted = OsnabrueckDataset(owner_org=org["id"])
    as_admin = {"user": sysadmin["name"]}
    call_action("package_delete", dict(as_admin), id=deleted["id"])
    call_action("package_patch", dict(as_admin), id=private["id"], notes="Nur für den Fachdienst.")
    upload = create_with_upload(b"jahr;wert\n2024;1\n2025;2\n", "werte.csv", package_id=public["id"],
                                context=dict(as_admin), format="CSV", name="Werte")
    call_action("datastore_create", dict(as_admin), resource_id=upload["id"], force=True,
                fields=[{"id": "jahr", "type": "int"}, {"id": "wert", "type": "numeric"}],
                records=[{"jahr": 2024, "wert": 1}, {"jahr": 2025, "wert": 2.5}])
    source = harvest_source("gis", "http://127.0.0.1:9/ows", "osnabrueck_ogc", ("geodaten", "Fachbereich Geodaten"),
                   OGC_CONFIG)
    # Harvest sources are datasets of their own type, which package_search leaves out.
    return {"token": sysadmin["token"], "deleted": deleted["id"], "extra_ids": [deleted["id"], source["id"]]}


def snapshot(url: str, token: str, extra_ids: list[str]) -> dict:
    """Everything the API says about the portal's content, as a sysadmin sees it."""
    def call(action, **params):
        response = requests.post(f"{url}/api/3/action/{action}", json=params,
                                 headers={"Authorization": token}, timeout=60)
        assert response.status_code == 200, (action, response.text[:500])
        return response.json()["result"]

    search = call("package_search", q="*:*", rows=1000, sort="name asc", include_private=True,
                  include_drafts=True)
    ids = sorted({row["id"] for row in search["results"]} | set(extra_ids))
    datasets = {dataset_id: call("package_show", id=dataset_id) for dataset_id in ids}
    resources = [resource for dataset in datasets.values() for resource in dataset.get("resources", [])]
    return {
        "search": search, "package_list": call("package_list"), "datasets": datasets,
        "activities": {dataset_id: call("package_activity_list", id=dataset_id, include_hidden_activity=True)
                       for dataset_id in ids},
        "organizations": call("organization_list", all_fields=True, include_extras=True),
        "groups": call("group_list", all_fields=True), "users": call("user_list"),
        "harvest_sources": call("harvest_source_list"),
        "tables": {r["id"]: call("datastore_search", resource_id=r["id"], sort="_id")
                   for r in resources if r.get("datastore_active")},
        "files": {r["id"]: hashlib.sha256(requests.get(r["url"].replace(SITE, url), timeout=30).content).hexdigest()
                  for r in resources if r.get("url_type") == "upload"},
    }


def first_difference(left, right, path="") -> str:
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right), key=str):
            if left.get(key) != right.get(key):
                return first_difference(left.get(key), right.get(key), f"{path}/{key}")
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right)):
            if a != b:
                return first_difference(a, b, f"{path}[{index}]")
    return f"{path}: {str(left)[:300]} != {str(right)[:300]}"


def test_a_restore_into_empty_services_answers_the_api_identically(portal_content, tmp_path):
    token, extra_ids = portal_content["token"], portal_content["extra_ids"]
    with gunicorn_portal(PORT, tmp_path, {"ckan.site_url": SITE}) as url:
        original = snapshot(url, token, extra_ids)
    states = sorted((d["type"], d["private"], d["state"]) for d in original["datasets"].values())
    assert states == [("dataset", False, "active"), ("dataset", False, "deleted"), ("dataset", False, "draft"),
                      ("dataset", True, "active"), ("harvest", False, "active")], states
    assert original["tables"] and original["files"]

    backup = tmp_path / "backup"
    made = backup_cli("backup", "--ini", str(REPO / "test.ini"), "--to", str(backup))
    assert made.returncode == 0, made.stderr
    assert {path.name for path in backup.iterdir()} == {"ckan.dump", "datastore.dump", "storage.tar.gz",
                                                         "manifest.json"}

    drop_restored_databases()
    restored_ini = tmp_path / "restored.ini"
    settings = {**RESTORED, "ckan.storage_path": str(tmp_path / "storage"), "ckan.site_url": SITE}
    restored_ini.write_text(f"[app:main]\nuse = config:{REPO / 'test.ini'}\n"
                            + "".join(f"{key} = {value}\n" for key, value in settings.items()))
    done = backup_cli("restore", "--ini", str(restored_ini), str(backup))
    assert done.returncode == 0, done.stderr + done.stdout
    with gunicorn_portal(PORT, tmp_path, settings) as url:
        restored = snapshot(url, token, extra_ids)
    assert restored == original, first_difference(original, restored)

    # A second restore onto the now filled portal is refused unless it is asked for.
    again = backup_cli("restore", "--ini", str(restored_ini), str(backup))
    assert again.returncode == 1 and "--replace" in again.stderr


def test_a_damaged_backup_is_refused_before_anything_changes(portal_content, tmp_path):
    backup = tmp_path / "backup"
    assert backup_cli("backup", "--ini", str(REPO / "test.ini"), "--to", str(backup)).returncode == 0
    dump = backup / "ckan.dump"
    dump.write_bytes(dump.read_bytes()[:-10])
    refused = backup_cli("restore", "--ini", str(REPO / "test.ini"), "--replace", str(backup))
    assert refused.returncode == 1 and "ckan.dump is missing or damaged" in refused.stderr
    assert call_action("package_show", id=portal_content["deleted"])["state"] == "deleted"
