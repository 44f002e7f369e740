"""Source configurations: every mistake is refused with a German message."""
import json

import pytest

from ckanext.osnabrueck_harvesters.sensorthings import config


def test_defaults():
    cfg = config.parse("")
    assert cfg.groups == () and cfg.ungrouped == "thing" and cfg.limits.max_pages == 1000


@pytest.mark.parametrize("text, message", [
    ("{", "kein gültiges JSON"),
    ("[]", "JSON-Objekt"),
    ('{"colour": 1}', "Unbekannte Einstellungen: colour"),
    ('{"groups": [{"name": "a-b", "title": "T"}]}', "genau eines von"),
    ('{"groups": [{"name": "a-b", "title": "T", "thing_name": "x", "observed_property": "y"}]}', "genau eines von"),
    ('{"groups": [{"name": "A B", "title": "T", "thing_name": "x"}]}', "Kleinbuchstaben"),
    ('{"groups": [{"name": "ab", "thing_name": "x"}]}', "Titel"),
    ('{"groups": [{"name": "ab", "title": "T", "thing_property": "kind"}]}', "genau ein Paar"),
    ('{"max_pages": -1}', "nicht-negative Zahl"),
    ('{"ungrouped": "drop"}', '"thing" oder "skip"'),
])
def test_bad_configurations_are_refused(text, message):
    with pytest.raises(config.ConfigError, match=message):
        config.parse(text)


def test_two_groups_may_not_share_a_name():
    groups = [{"name": "ab", "title": "T", "thing_name": "x"}] * 2
    with pytest.raises(config.ConfigError, match="denselben Namen"):
        config.parse(json.dumps({"groups": groups}))
