import pytest

from ckanext.osnabrueck_harvesters.ogc import config


@pytest.mark.parametrize("text, message", [
    ('{"services": ["WCS"]}', "nur \"WMS\" und \"WFS\""),
    ('{"layers": ["a"]}', "Layer-Name"),
    ('{"layers": {"a": {"farbe": "rot"}}}', "Layer „a“: Unbekannte Einstellungen: farbe"),
    ('{"include": "a*"}', "Liste von Texten"),
    ('{"max_objects": -1}', "nicht-negative Zahl"),
])
def test_bad_configurations_name_the_problem_in_german(text, message):
    with pytest.raises(config.ConfigError, match=message):
        config.parse(text)


def test_layer_settings_override_the_source_defaults():
    parsed = config.parse('{"owner_org": "a", "themes": ["REGI"], "layers": {"x": {"themes": ["TRAN"]}}}')
    assert parsed.meta("x") == {"owner_org": "a", "themes": ["TRAN"]}
    assert parsed.meta("y")["themes"] == ["REGI"]
    assert parsed.services == ("WMS", "WFS")
