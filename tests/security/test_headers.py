"""F3 and F11 of issue #16: uploads cannot run script on the portal's origin, every page
carries the security headers locally as in production, purged datasets leave nothing
behind, and slow clients do not hold the web workers."""
from __future__ import annotations

import io
import os
import re
import socket
import time

import pytest

import ckan.logic as logic
from ckan import model
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.osnabrueck import purge
from ckanext_osnabrueck.factories import OsnabrueckDataset
from served import gunicorn_portal

HTML = b"<html><body><script>fetch('/api/3/action/user_list').then(r => r.text()).then(alert)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _upload(app, world, name: str, body: bytes) -> tuple[dict, dict]:
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"])
    response = app.post("/api/3/action/resource_create", headers=world.headers("editor_a"),
                        data={"package_id": dataset["id"], "name": name, "format": {"htm": "HTML"}.get(name.rsplit(".", 1)[-1], name.rsplit(".", 1)[-1].upper()),
                              "upload": (io.BytesIO(body), name)})
    assert response.status_code == 200, response.body[:300]
    return dataset, response.json["result"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("name, body", [("bericht.html", HTML), ("karte.svg", SVG), ("x.htm", HTML)])
def test_html_and_svg_uploads_are_attachments_in_a_sandbox(app, world, name, body):
    dataset, resource = _upload(app, world, name, body)
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download/{name}",
                       headers=world.headers("admin_a"))
    assert response.status_code == 200 and response.data == body
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_images_stay_inline_but_sandboxed(app, world):
    dataset, resource = _upload(app, world, "foto.png", PNG)
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download/foto.png")
    assert response.status_code == 200
    assert not response.headers.get("Content-Disposition", "").startswith("attachment")
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_download_of_a_script_link_is_refused_not_a_500(app, url):
    dataset = OsnabrueckDataset(resources=[{"name": "Link", "url": "https://example.org/a.csv", "format": "CSV"}])
    resource = dataset["resources"][0]
    # Stored as older versions of the portal accepted it (input validation refuses it now).
    model.Session.query(model.Resource).filter_by(id=resource["id"]).update({"url": url})
    model.Session.commit()
    search.rebuild(dataset["id"])
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/download", follow_redirects=False)
    assert response.status_code == 400, response.status_code
    assert "keine Webadresse" in response.body
    assert "Location" not in response.headers


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_pages_carry_the_security_headers_with_a_script_nonce(app):
    dataset = OsnabrueckDataset()
    response = app.get(f"/dataset/{dataset['name']}")
    policy = response.headers["Content-Security-Policy"]
    scripts = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in scripts and "'nonce-" in scripts
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    second = app.get(f"/dataset/{dataset['name']}").headers["Content-Security-Policy"]
    assert second != policy  # a new nonce per answer


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_inline_scripts_of_the_previews_carry_the_pages_nonce(app):
    dataset = OsnabrueckDataset(resources=[{"name": "Karte", "url": "https://example.org/k.geojson",
                                            "format": "GeoJSON"}])
    resource = dataset["resources"][0]
    view = helpers.call_action("resource_view_create", context={"user": factories.Sysadmin()["name"]},
                               resource_id=resource["id"], view_type="geojson_view",
                               title="Karte")
    response = app.get(f"/dataset/{dataset['id']}/resource/{resource['id']}/view/{view['id']}")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.body)
    executable = [attrs for attrs in inline if "ld+json" not in attrs and "text/plain" not in attrs]
    assert executable and all(f'nonce="{nonce}"' in attrs for attrs in executable), inline


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_only_the_core_forms_with_inline_handlers_allow_inline_script(app, world):
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"])
    response = app.get(f"/dataset/{dataset['name']}/resource/new", headers=world.headers("editor_a"))
    assert response.status_code == 200
    assert "'unsafe-inline'" in re.search(r"script-src ([^;]+)", response.headers["Content-Security-Policy"]).group(1)


@pytest.mark.usefixtures("with_plugins", "clean_datastore")
def test_purge_removes_datastore_tables_and_uploaded_files(app, world):
    dataset, resource = _upload(app, world, "tabelle.csv", b"a;b\n1;2\n")
    sysadmin = world.users["sysadmin"]["name"]
    created = app.post("/api/3/action/datastore_create", headers=world.headers("sysadmin"),
                       json={"resource_id": resource["id"], "force": True, "fields": [{"id": "a", "type": "int"}],
                             "records": [{"a": 1}]})
    assert created.status_code == 200, created.body[:300]
    assert _datastore_table_exists(resource["id"])
    path = purge.uploader.get_resource_uploader(resource).get_path(resource["id"])
    assert os.path.isfile(path)
    helpers.call_action("dataset_purge", context={"user": sysadmin}, id=dataset["id"])
    assert not os.path.exists(path)
    assert not _datastore_table_exists(resource["id"])


def _datastore_table_exists(name: str) -> bool:
    import sqlalchemy as sa
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().connect() as connection:
        return connection.execute(sa.text("SELECT to_regclass(:name) IS NOT NULL"),
                                  {"name": f'public."{name}"'}).scalar()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_purge_by_an_editor_is_refused_before_anything_is_dropped(world):
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"])
    with pytest.raises(logic.NotAuthorized):
        helpers.call_action("dataset_purge", context={"user": world.name("editor_a"), "ignore_auth": False},
                            id=dataset["id"])
    assert model.Package.get(dataset["id"]) is not None


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_resource_view_activities_of_a_deleted_dataset_leave_the_public_streams(app, world):
    dataset = OsnabrueckDataset(owner_org=world.org_a["id"],
                                resources=[{"name": "Bild", "url": "https://example.org/b.png", "format": "PNG"}])
    helpers.call_action("resource_view_create", context={"user": world.name("editor_a")},
                        resource_id=dataset["resources"][0]["id"], view_type="image_view",
                        title="Bild")
    helpers.call_action("package_delete", context={"user": world.name("editor_a")}, id=dataset["id"])
    response = app.get("/api/3/action/organization_activity_list", query_string={"id": world.org_a["id"]})
    leaked = [a for a in response.json["result"] if a["object_id"] == dataset["id"]]
    assert leaked == [], [a["activity_type"] for a in leaked]


@pytest.mark.stack
def test_slow_clients_do_not_hold_the_web_workers(tmp_path):
    """Four sockets that send their headers slowly held both workers of a sync gunicorn."""
    port = 5097
    with gunicorn_portal(port, tmp_path, workers=2) as url:
        slow = []
        for _ in range(6):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(b"GET /api/3/action/status_show HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
        time.sleep(1)
        started = time.monotonic()
        import requests

        assert requests.get(f"{url}/api/3/action/status_show", timeout=30).ok
        assert time.monotonic() - started < 5
        for sock in slow:
            sock.close()
