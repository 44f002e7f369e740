import pytest

from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_status_show_lists_every_plugin(expected_plugins):
    extensions = call_action("status_show")["extensions"]
    missing = [name for name in expected_plugins if name not in extensions]
    assert not missing, f"plugins not loaded: {missing}"


def test_status_show_over_http(app):
    body = app.get("/api/3/action/status_show").json
    assert body["success"] is True
    assert "osnabrueck" in body["result"]["extensions"]
    assert body["result"]["locale_default"] == "de"


@pytest.mark.ckan_config("ckan.locales_offered", "de en")
def test_german_is_default_and_english_offered(app):
    german = app.get("/dataset/")
    english = app.get("/en/dataset/")
    assert 'lang="de"' in german.body
    assert 'lang="en"' in english.body
