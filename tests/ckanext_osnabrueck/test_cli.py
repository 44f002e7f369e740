"""`ckan osnabrueck validate-all` lists datasets the current schema rejects, and why."""
import json

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan

from .factories import OsnabrueckDataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def test_validate_all_passes_on_valid_datasets(cli):
    OsnabrueckDataset()
    result = cli.invoke(ckan, ["osnabrueck", "validate-all"])
    assert result.exit_code == 0, result.output
    assert "Alle Datensätze entsprechen dem Schema." in result.output


def test_validate_all_reports_each_invalid_dataset_in_german(cli):
    good = OsnabrueckDataset(name="gut")
    bad = OsnabrueckDataset(name="alt-und-kaputt")
    # A dataset stored before a schema change (or written around the API).
    patch = {"frequency": "manchmal", "contact_email": "", "theme": json.dumps(["Mond"])}
    model.Session.execute(sa.text("UPDATE package SET extras = extras || CAST(:patch AS jsonb) WHERE id = :id"),
                          {"patch": json.dumps(patch), "id": bad["id"]})
    model.Session.commit()

    result = cli.invoke(ckan, ["osnabrueck", "validate-all"])
    assert result.exit_code == 1
    assert "alt-und-kaputt" in result.output and good["name"] not in result.output
    assert "frequency: „manchmal“ steht nicht in der Liste EU-Aktualisierungsintervalle" in result.output
    assert "contact_email: Bitte eine E-Mail-Adresse oder eine Webseite der Ansprechstelle angeben." in result.output
    assert "1 Datensätze entsprechen nicht dem Schema." in result.output
