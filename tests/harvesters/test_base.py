"""The import stage shared by all harvesters (base.py): writing datasets safely."""
import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.osnabrueck_harvesters import base
from ckanext_osnabrueck.factories import EU

from .lib import harvest_source

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")


def _dataset(name: str) -> dict:
    return {"name": name, "title": "Baustellen", "notes": "Aktuelle Baustellen", "owner_org": "geodaten",
            "contact_email": "geodaten@osnabrueck.de", "theme": [f"{EU}/data-theme/TRAN"]}


def _object(source: dict, dataset: dict) -> HarvestObject:
    job = HarvestJob(source_id=source["id"])
    job.save()
    obj = HarvestObject(guid="baustellen", job=job, source=job.source, content=json.dumps(dataset))
    obj.save()
    return obj


@pytest.fixture
def source():
    return harvest_source("gis", "http://127.0.0.1:1/ows", "osnabrueck_ogc", ("geodaten", "Fachbereich Geodaten"),
                          {"owner_org": "geodaten"})


def _context() -> dict:
    return {"user": factories.Sysadmin()["name"], "ignore_auth": True}


def test_an_import_killed_after_the_dataset_was_created_is_adopted_next_time(source):
    """The consumer died after package_create committed, before the harvest object was
    finished (_make_current): the next import updates that dataset instead of refusing
    its name as somebody else's."""
    crashed = _object(source, _dataset("baustellen"))
    base._create(_context(), crashed, _dataset("baustellen"))
    model.Session.remove()  # the process is gone; only what was committed remains
    orphan = model.Package.get("baustellen")
    # The object was claimed in the dataset's transaction (base._claim): it names the dataset.
    assert orphan is not None and HarvestObject.get(crashed.id).package_id == orphan.id

    again = _object(source, {**_dataset("baustellen"), "title": "Baustellen 2026"})
    base._write(_context(), again, {**_dataset("baustellen"), "title": "Baustellen 2026"})
    assert again.package_id == orphan.id
    assert call_action("package_show", id="baustellen")["title"] == "Baustellen 2026"


def test_a_dataset_of_somebody_else_keeps_its_name(source):
    factories.Organization(name="umwelt")
    call_action("package_create", _context(), **{**_dataset("baustellen"), "owner_org": "umwelt"})
    harvested = _object(source, _dataset("baustellen"))
    with pytest.raises(tk.ValidationError, match="schon an einen anderen"):
        base._write(_context(), harvested, _dataset("baustellen"))
    assert call_action("package_show", id="baustellen")["organization"]["name"] == "umwelt"


def test_a_refused_dataset_is_not_created(source):
    harvested = _object(source, _dataset("baustellen"))
    with pytest.raises(tk.ValidationError):
        base._create(_context(), harvested, {**_dataset("baustellen"), "contact_email": "keine Adresse"})
    assert model.Package.get("baustellen") is None
