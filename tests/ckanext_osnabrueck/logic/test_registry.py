"""The plugin registers chained actions and auth functions only with their base plugin."""
from ckanext.osnabrueck.logic import action, auth


def test_chains_of_plugins_that_are_not_loaded_are_left_out(monkeypatch):
    monkeypatch.setattr("ckan.plugins.plugin_loaded", lambda name: name == "harvest")
    actions, auths = action.osnabrueck_actions(), auth.osnabrueck_auth_functions()
    assert "datastore_search_sql" not in actions and "dcat_catalog_show" not in actions
    assert {"harvest_source_list", "harvest_jobs_run", "package_create", "osnabrueck_quality_show"} <= set(actions)
    assert {"harvest_object_show", "osnabrueck_quality_show"} <= set(auths)


def test_every_name_with_all_plugins_loaded(monkeypatch):
    monkeypatch.setattr("ckan.plugins.plugin_loaded", lambda name: True)
    assert set(action.osnabrueck_actions()) == set(action.__all__)
    assert set(auth.osnabrueck_auth_functions()) == set(auth.__all__)
