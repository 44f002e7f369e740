"""The ckanext-harvest plugin ``osnabrueck_sensorthings``: thin stages around client,
config and mapping.

* gather reads every Thing (one request per page), maps each group to its dataset and
  compares the dataset's hash with the one stored at the last import: only new and changed
  datasets get a harvest object, and so do datasets whose Things have vanished (status
  "delete"). A source that cannot be read completely fails the job and changes nothing.
* fetch has nothing to do: gather already holds the record.
* import creates, updates or withdraws one dataset; its errors stay with its object.
"""
from __future__ import annotations

import json
import logging

import requests
from sqlalchemy import and_

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra

from . import client, config as source_config, mapping

log = logging.getLogger(__name__)
HASH, STATUS = "content_hash", "status"


class SensorThingsHarvester(HarvesterBase):

    def info(self):
        return {"name": "osnabrueck_sensorthings", "title": "OGC SensorThings API (IoT-Plattform)",
                "description": "Things, Datenströme und Messstellen einer SensorThings API 1.1 "
                               "(z. B. FROST-Server) als DCAT-AP.de-Datensätze, gruppiert nach Art."}

    def validate_config(self, config):
        try:
            source_config.parse(config)
        except source_config.ConfigError as error:
            raise ValueError(str(error)) from None
        return config

    # --- gather -------------------------------------------------------------------------

    def gather_stage(self, harvest_job):
        source = harvest_job.source
        try:
            cfg = source_config.parse(source.config)
            things = self._read_things(source.url.rstrip("/"), cfg)
            context = mapping.Context(source.url.rstrip("/"), self._organizations(cfg), _portal_defaults())
        except (source_config.ConfigError, client.SourceError) as error:
            self._save_gather_error(f"{error} Es wurde nichts geändert.", harvest_job)
            return None
        previous = _current_objects(source.id)
        if not things and previous:
            self._save_gather_error("Die SensorThings-API liefert keine Things. Zur Sicherheit wird kein "
                                    "Datensatz zurückgezogen; bitte die Quelle prüfen.", harvest_job)
            return None
        groups = mapping.group_things(things, cfg)
        ids = [self._object(harvest_job, name, previous.get(name), mapping.dataset_dict(group, members, cfg, context))
               for name, (group, members) in groups.items()]
        ids += [_withdrawal(harvest_job, guid, package_id) for guid, (package_id, _) in previous.items()
                if guid not in groups]
        log.info("SensorThings %s: %d Things, %d datasets, %d to write", source.url, len(things), len(groups),
                 len([i for i in ids if i]))
        return [object_id for object_id in ids if object_id]

    def _read_things(self, base_url: str, cfg) -> list[dict]:
        with requests.Session() as session:
            return list(client.iter_collection(session, mapping.things_url(base_url, cfg.page_size), cfg.limits))

    def _organizations(self, cfg) -> dict:
        names = {cfg.defaults.get("owner_org")} | {g.overrides.get("owner_org") for g in cfg.groups}
        titles = {}
        for name in sorted(n for n in names if n):
            try:
                titles[name] = tk.get_action("organization_show")(
                    {"ignore_auth": True}, {"id": name, "include_datasets": False})["title"]
            except tk.ObjectNotFound:
                raise source_config.ConfigError(f"Die Organisation „{name}“ gibt es im Portal nicht.") from None
        return titles

    def _object(self, job, guid: str, previous, dataset: dict) -> str | None:
        digest = mapping.content_hash(dataset)
        if previous and previous[1] == digest:
            return None  # unchanged since the last import
        obj = HarvestObject(guid=guid, job=job, content=json.dumps(dataset),
                            package_id=previous[0] if previous else None,
                            extras=[HarvestObjectExtra(key=HASH, value=digest),
                                    HarvestObjectExtra(key=STATUS, value="change" if previous else "new")])
        obj.save()
        return obj.id

    # --- fetch and import ---------------------------------------------------------------

    def fetch_stage(self, harvest_object):
        return True

    def import_stage(self, harvest_object):
        status = _extra(harvest_object, STATUS)
        context = {"user": self._get_user_name(), "ignore_auth": True}
        try:
            if status == "delete":
                _withdraw(context, harvest_object)
            else:
                _write(context, harvest_object, json.loads(harvest_object.content))
        except tk.ValidationError as error:
            self._save_object_error(f"Datensatz „{harvest_object.guid}“ ist ungültig: "
                                    f"{_errors(error.error_dict)}", harvest_object, "Import")
            return False
        _make_current(harvest_object, status != "delete")
        return True


def _portal_defaults() -> dict:
    keys = ("contributor_id", "political_geocoding_uri")
    defaults = {key: tk.config.get(f"ckanext.osnabrueck.{key}") for key in keys}
    defaults["political_geocoding_level_uri"] = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
    return defaults


def _current_objects(source_id: str) -> dict[str, tuple[str, str | None]]:
    """guid → (package id, content hash) of the datasets this source imported last."""
    rows = (model.Session.query(HarvestObject.guid, HarvestObject.package_id, HarvestObjectExtra.value)
            .outerjoin(HarvestObjectExtra, and_(HarvestObjectExtra.harvest_object_id == HarvestObject.id,
                                                HarvestObjectExtra.key == HASH))
            .filter(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True)))
    return {guid: (package_id, digest) for guid, package_id, digest in rows}


def _withdrawal(job, guid: str, package_id: str) -> str:
    obj = HarvestObject(guid=guid, job=job, package_id=package_id,
                        extras=[HarvestObjectExtra(key=STATUS, value="delete")])
    obj.save()
    return obj.id


def _extra(harvest_object, key: str) -> str | None:
    return next((extra.value for extra in harvest_object.extras if extra.key == key), None)


def _write(context: dict, harvest_object, dataset: dict) -> None:
    existing = harvest_object.package_id and model.Package.get(harvest_object.package_id)
    if existing is None:
        existing = model.Package.get(dataset["name"])
        if existing is not None and existing.state == "active" and not _ours(existing.id, harvest_object):
            raise tk.ValidationError({"name": [f"Der Name „{dataset['name']}“ ist schon an einen anderen "
                                               f"Datensatz vergeben."]})
    if existing is not None:
        dataset = {**dataset, "id": existing.id, "state": "active"}
        result = tk.get_action("package_update")(dict(context), dataset)
    else:
        result = tk.get_action("package_create")(dict(context), dataset)
    harvest_object.package_id = result["id"]


def _ours(package_id: str, harvest_object) -> bool:
    """Whether this source harvested the dataset before (it may have been withdrawn since)."""
    return model.Session.query(HarvestObject.id).filter(
        HarvestObject.package_id == package_id,
        HarvestObject.harvest_source_id == harvest_object.harvest_source_id).first() is not None


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
