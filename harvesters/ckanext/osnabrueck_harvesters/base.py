"""The stages every Osnabrück harvester shares, around a subclass's pure mapping.

* gather parses the source config, reads the whole source (``read_datasets``: guid →
  scheming dataset dict) and compares each dataset's content hash with the one stored at
  its last import: only new and changed datasets get a harvest object, and so do datasets
  whose source records have vanished (status "delete"). A source that cannot be read
  completely fails the job and changes nothing.
* fetch has nothing to do: gather already holds the record.
* import creates, updates or withdraws one dataset; its errors stay with its object.

Datasets belong to the source's organisation (``guarded_config``; ckanext.osnabrueck's
harvest_wall): a config without owner_org gets the source's, and one naming another
organisation that no sysadmin saved fails the gather and every import.
"""
from __future__ import annotations

import json
import logging
import uuid

import sqlalchemy as sa
from sqlalchemy import and_, or_

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra
from ckanext.osnabrueck import harvest_wall
from ckanext.osnabrueck.logic import harvester_fields

from .config import ConfigError
from .http import SourceError
from .mapping import Context, content_hash

log = logging.getLogger(__name__)
HASH, STATUS = "content_hash", "status"
PLANNED_ID = "osnabrueck_package_id"  # the id of a dataset being created (_create)


class ParsedConfig:
    """A harvester whose source config ``parse_config`` checks (German errors in the form)."""

    def parse_config(self, text: str | None):
        """The source's parsed config; raises ConfigError. It must offer ``organizations()``."""
        raise NotImplementedError

    def validate_config(self, config):
        try:
            self.parse_config(config)
        except ConfigError as error:
            raise ValueError(str(error)) from None
        return config


class MappedHarvester(ParsedConfig, HarvesterBase):
    """Subclasses define ``info``, ``parse_config`` and ``read_datasets``."""

    #: the gather error when a source that had datasets suddenly lists none
    empty_message = "Die Quelle liefert keine Datensätze."

    def read_datasets(self, cfg, context: Context) -> dict[str, dict]:
        """guid → dataset dict of everything the source holds now; raises SourceError."""
        raise NotImplementedError

    # --- gather -------------------------------------------------------------------------

    def gather_stage(self, harvest_job):
        source = harvest_job.source
        try:
            cfg = guarded_config(self, source)
            context = portal_context(source.url, cfg)
            datasets = self.read_datasets(cfg, context)
        except (ConfigError, SourceError) as error:
            self._save_gather_error(f"{error} Es wurde nichts geändert.", harvest_job)
            return None
        previous = _current_objects(source.id)
        if not datasets and previous:
            self._save_gather_error(f"{self.empty_message} Zur Sicherheit wird kein Datensatz zurückgezogen; "
                                    f"bitte die Quelle prüfen.", harvest_job)
            return None
        ids = [_object(harvest_job, guid, previous.get(guid), dataset) for guid, dataset in datasets.items()]
        ids += [_withdrawal(harvest_job, guid, package_id) for guid, (package_id, _) in previous.items()
                if guid not in datasets]
        ids = [object_id for object_id in ids if object_id]
        log.info("%s %s: %d datasets, %d to write", self.info()["name"], source.url, len(datasets), len(ids))
        return ids

    # --- fetch and import ---------------------------------------------------------------

    def fetch_stage(self, harvest_object):
        return True

    def import_stage(self, harvest_object):
        status = _extra(harvest_object, STATUS)
        context = {"user": self._get_user_name(), "ignore_auth": True, harvester_fields.HARVESTER: True}
        try:
            if status == "delete":
                _withdraw(context, harvest_object)
            else:
                _write(context, harvest_object, json.loads(harvest_object.content))
        except tk.ValidationError as error:
            model.Session.rollback()  # nothing of a refused write stays (_claim)
            self._save_object_error(f"Datensatz „{harvest_object.guid}“ ist ungültig: "
                                    f"{_errors(error.error_dict)}", harvest_object, "Import")
            return False
        except Exception:
            model.Session.rollback()  # a half-claimed object must not be committed later
            raise
        _make_current(harvest_object, status != "delete")
        return True


def guarded_config(harvester: ParsedConfig, source):
    """The source's parsed config inside the wall between organisations: datasets default
    to the source's organisation, and another one is refused unless a sysadmin saved the
    config (harvest_wall). Raises ConfigError (German)."""
    cfg = harvester.parse_config(source.config)
    own = harvest_wall.source_organization(source.id)
    if own is not None and not cfg.defaults.get("owner_org"):
        cfg.defaults["owner_org"] = own.name
    refusal = harvest_wall.job_refusal(source.id, source.config, cfg.organizations())
    if refusal:
        raise ConfigError(refusal)
    return cfg


def portal_context(url: str, cfg) -> Context:
    """The mapping context of a source: its URL, its organisations' titles, portal defaults."""
    return Context(url.strip().rstrip("/"), _organizations(cfg.organizations()), _portal_defaults())


def _organizations(names: set[str]) -> dict:
    """Titles of the source's organisations. Read from the database: organization_show
    counts datasets in Solr, and gathering must not depend on the search index."""
    titles = {}
    for name in sorted(names):
        group = model.Group.get(name)
        if group is None or not group.is_organization or group.state != "active":
            raise ConfigError(f"Die Organisation „{name}“ gibt es im Portal nicht.")
        titles[name] = group.title
    return titles


def _portal_defaults() -> dict:
    keys = ("contributor_id", "political_geocoding_uri")
    return {key: tk.config.get(f"ckanext.osnabrueck.{key}") for key in keys}


def _current_objects(source_id: str) -> dict[str, tuple[str, str | None]]:
    """guid → (package id, content hash) of the datasets this source imported last."""
    rows = (model.Session.query(HarvestObject.guid, HarvestObject.package_id, HarvestObjectExtra.value)
            .outerjoin(HarvestObjectExtra, and_(HarvestObjectExtra.harvest_object_id == HarvestObject.id,
                                                HarvestObjectExtra.key == HASH))
            .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True)))
    return {guid: (package_id, digest) for guid, package_id, digest in rows}


def _object(job, guid: str, previous, dataset: dict) -> str | None:
    digest = content_hash(dataset)
    if previous and previous[1] == digest:
        return None  # unchanged since the last import
    obj = HarvestObject(guid=guid, job=job, content=json.dumps(dataset),
                        package_id=previous[0] if previous else None,
                        extras=[HarvestObjectExtra(key=HASH, value=digest),
                                HarvestObjectExtra(key=STATUS, value="change" if previous else "new")])
    obj.save()
    return obj.id


def _withdrawal(job, guid: str, package_id: str) -> str:
    obj = HarvestObject(guid=guid, job=job, package_id=package_id,
                        extras=[HarvestObjectExtra(key=STATUS, value="delete")])
    obj.save()
    return obj.id


def _extra(harvest_object, key: str) -> str | None:
    return next((extra.value for extra in harvest_object.extras if extra.key == key), None)


def _write(context: dict, harvest_object, dataset: dict) -> None:
    source = harvest_object.source
    refusal = harvest_wall.job_refusal(source.id, source.config, {dataset.get("owner_org")} - {None})
    if refusal:  # the config changed since the gather
        raise tk.ValidationError({"owner_org": [refusal]})
    existing = harvest_object.package_id and model.Package.get(harvest_object.package_id)
    if existing is None:
        existing = model.Package.get(dataset["name"])
        if existing is not None and existing.state == "active" and not _ours(existing.id, harvest_object):
            raise tk.ValidationError({"name": [f"Der Name „{dataset['name']}“ ist schon an einen anderen "
                                               f"Datensatz vergeben."]})
    if existing is not None:
        dataset = {**dataset, "id": existing.id, "state": "active"}
        _claim(harvest_object, existing.id)
        result = tk.get_action("package_update")(dict(context), dataset)
    else:
        result = _create(context, harvest_object, dataset)
    harvest_object.package_id = result["id"]


def _create(context: dict, harvest_object, dataset: dict) -> dict:
    """Records the new dataset's id on the harvest object (as an extra: package_id must name
    an existing dataset) before creating the dataset. A consumer killed between the two
    then leaves a dataset the source knows as its own (_ours) and adopts next time, not an
    orphan whose name blocks every later import."""
    package_id = str(uuid.uuid4())
    harvest_object.extras.append(HarvestObjectExtra(key=PLANNED_ID, value=package_id))
    harvest_object.save()
    _claim(harvest_object, package_id)
    return tk.get_action("package_create")(dict(context), {**dataset, "id": package_id})


def _claim(harvest_object, package_id: str) -> None:
    """Make the object the dataset's current one before the dataset is written: the search
    index gets harvest_source_id from the current object (ckanext-harvest's
    before_dataset_index), and the dataset was indexed without it when the object became
    current only afterwards. The foreign key waits for the dataset still to be created
    (as in ckanext-spatial); a failed write rolls this back (CKAN's actions roll back on
    validation errors, import_stage on any other)."""
    model.Session.execute(sa.text("SET CONSTRAINTS harvest_object_package_id_fkey DEFERRED"))
    harvest_object.package_id = package_id
    harvest_object.current = True
    model.Session.flush()


def _ours(package_id: str, harvest_object) -> bool:
    """Whether this source harvested the dataset before (it may have been withdrawn since),
    or created it in an import that did not finish."""
    planned = model.Session.query(HarvestObjectExtra.harvest_object_id).filter(
        HarvestObjectExtra.key == PLANNED_ID, HarvestObjectExtra.value == package_id)
    return model.Session.query(HarvestObject.id).filter(
        HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
        or_(HarvestObject.package_id == package_id, HarvestObject.id.in_(planned))).first() is not None


def _withdraw(context: dict, harvest_object) -> None:
    try:
        tk.get_action("package_delete")(dict(context), {"id": harvest_object.package_id})
    except tk.ObjectNotFound:
        pass  # deleted by hand already


def _make_current(harvest_object, current: bool) -> None:
    model.Session.query(HarvestObject).filter(
        HarvestObject.guid == harvest_object.guid,
        HarvestObject.harvest_source_id == harvest_object.harvest_source_id,
        HarvestObject.current.is_(True), HarvestObject.id != harvest_object.id,
    ).update({"current": False}, synchronize_session=False)
    harvest_object.current = current
    harvest_object.save()


def _errors(error_dict: dict) -> str:
    return "; ".join(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
                     for key, value in error_dict.items())
