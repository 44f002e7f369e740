"""The stewards' workflow: each organisation's editors work on their own datasets only, and
drafts and private datasets ("Datenräume") stay inside the organisation."""
import pytest

from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from .factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


@pytest.fixture
def two_departments():
    editor_a, editor_b, member_a = factories.UserWithToken(), factories.UserWithToken(), factories.UserWithToken()
    org_a = factories.Organization(users=[{"name": editor_a["name"], "capacity": "editor"},
                                          {"name": member_a["name"], "capacity": "member"}])
    org_b = factories.Organization(users=[{"name": editor_b["name"], "capacity": "editor"}])
    return {"a": (org_a, editor_a), "b": (org_b, editor_b), "member_a": member_a}


def auth(user):
    return {"Authorization": user["token"]}


def test_editor_cannot_edit_another_organisations_dataset(app, two_departments):
    org_b, _ = two_departments["b"]
    _, editor_a = two_departments["a"]
    dataset = OsnabrueckDataset(owner_org=org_b["id"])
    app.post("/api/3/action/package_patch", headers=auth(editor_a), json={"id": dataset["id"], "title": "A war hier"},
             status=403)
    app.get(f"/dataset/edit/{dataset['name']}", headers=auth(editor_a), status=403)
    assert call_action("package_show", id=dataset["id"])["title"] == dataset["title"]


def test_editor_cannot_move_a_dataset_into_another_organisation(app, two_departments):
    org_a, editor_a = two_departments["a"]
    org_b, _ = two_departments["b"]
    dataset = OsnabrueckDataset(owner_org=org_a["id"])
    app.post("/api/3/action/package_patch", headers=auth(editor_a),
             json={"id": dataset["id"], "owner_org": org_b["id"]}, status=409)


def test_editor_edits_own_organisations_dataset(app, two_departments):
    org_a, editor_a = two_departments["a"]
    dataset = OsnabrueckDataset(owner_org=org_a["id"])
    result = app.post("/api/3/action/package_patch", headers=auth(editor_a),
                      json={"id": dataset["id"], "title": "Neu"}).json["result"]
    assert result["title"] == "Neu"


def test_member_may_read_but_not_edit(app, two_departments):
    org_a, _ = two_departments["a"]
    dataset = OsnabrueckDataset(owner_org=org_a["id"], private=True)
    member = two_departments["member_a"]
    assert app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}, headers=auth(member)).json["success"]
    app.post("/api/3/action/package_patch", headers=auth(member), json={"id": dataset["id"], "title": "x"}, status=403)


def test_private_datasets_stay_inside_the_organisation(app, two_departments):
    org_a, editor_a = two_departments["a"]
    _, editor_b = two_departments["b"]
    dataset = OsnabrueckDataset(owner_org=org_a["id"], private=True, title="Datenraum Abwasser")
    for headers in ({}, auth(editor_b)):
        app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}, headers=headers, status=403)
        found = app.get("/api/3/action/package_search", query_string={"q": "Abwasser", "include_private": True},
                        headers=headers).json["result"]
        assert found["count"] == 0
        app.get(f"/dataset/{dataset['name']}", headers=headers, status=404)
    own = app.get("/api/3/action/package_search", query_string={"q": "Abwasser", "include_private": True},
                  headers=auth(editor_a)).json["result"]
    assert own["count"] == 1


def test_drafts_stay_inside_the_organisation(app, two_departments):
    org_a, editor_a = two_departments["a"]
    _, editor_b = two_departments["b"]
    dataset = OsnabrueckDataset(owner_org=org_a["id"], state="draft", title="Entwurf Lärmkarte")
    assert model.Package.get(dataset["id"]).state == "draft"
    app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}, headers=auth(editor_b), status=403)
    app.get("/api/3/action/package_show", query_string={"id": dataset["id"]}, status=403)
    query = {"q": "Lärmkarte", "include_drafts": True, "include_private": True}
    assert app.get("/api/3/action/package_search", query_string=query,
                   headers=auth(editor_b)).json["result"]["count"] == 0
    assert app.get("/api/3/action/package_show", query_string={"id": dataset["id"]},
                   headers=auth(editor_a)).json["success"]


def test_organisation_quality_page_lists_only_what_the_user_may_see(app, two_departments):
    org_a, editor_a = two_departments["a"]
    OsnabrueckDataset(owner_org=org_a["id"], title="Öffentlich")
    OsnabrueckDataset(owner_org=org_a["id"], title="Geheim", private=True)
    public = app.get(f"/organization/quality/{org_a['name']}").body
    own = app.get(f"/organization/quality/{org_a['name']}", headers=auth(editor_a)).body
    assert "Öffentlich" in public and "Geheim" not in public
    assert "Öffentlich" in own and "Geheim" in own
    assert "Metadatenqualität der Datensätze" in own
