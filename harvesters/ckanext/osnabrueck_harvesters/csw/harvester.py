"""The ckanext-harvest plugin ``osnabrueck_csw``: ckanext-spatial's CSW harvester, with

* a gather stage that reads the full ISO records page by page (one GetRecords request per
  page, with retries, backoff and hard limits) and hands on only new records and records
  whose dateStamp is newer than at their last import; vanished records are withdrawn, and
  a catalogue that cannot be read completely fails the job and changes nothing;
* no fetch stage (gather holds the record);
* ckanext-spatial's import stage (ISO parsing and validation, create/update/delete), with
  the ISO → DCAT-AP.de mapping of ``mapping.dataset_dict`` instead of free-form extras.

Both stages read the config through ``base.guarded_config``: the datasets belong to the
source's organisation unless a sysadmin saved another one.
"""
from __future__ import annotations

import dateutil.parser
from sqlalchemy import and_

import ckan.model as model
from ckanext.harvest.model import HarvestObject, HarvestObjectExtra
from ckanext.spatial.harvesters.csw import CSWHarvester

from .. import http
from ..base import ParsedConfig, guarded_config, portal_context
from ..config import ConfigError
from ..http import SourceError
from ..mapping import slug
from . import client, config as source_config, mapping


class OsnabrueckCswHarvester(ParsedConfig, CSWHarvester):

    def info(self):
        return {"name": "osnabrueck_csw", "title": "CSW-Katalog (ISO 19139)",
                "description": "ISO-19139-Metadaten eines CSW-2.0.2-Katalogs (z. B. GDI-DE, Landkreis) als "
                               "DCAT-AP.de-Datensätze."}

    def parse_config(self, text):
        return source_config.parse(text)

    # --- gather -------------------------------------------------------------------------

    def gather_stage(self, harvest_job):
        source = harvest_job.source
        try:
            cfg = guarded_config(self, source)
            with http.session() as session:
                records = {r.identifier: r for r in client.iter_records(
                    session, source.url.strip(), cfg.limits, cfg.page_size, cfg.cql)}
        except (ConfigError, SourceError) as error:
            self._save_gather_error(f"{error} Es wurde nichts geändert.", harvest_job)
            return None
        previous = _current_objects(source.id)
        if not records and previous:
            self._save_gather_error("Der CSW-Katalog liefert keine Datensätze. Zur Sicherheit wird kein Datensatz "
                                    "zurückgezogen; bitte die Quelle prüfen.", harvest_job)
            return None
        ids = [_object(harvest_job, record, previous.get(guid)) for guid, record in records.items()]
        ids += [_withdrawal(harvest_job, guid, package_id) for guid, (package_id, _) in previous.items()
                if guid not in records]
        return [object_id for object_id in ids if object_id]

    def fetch_stage(self, harvest_object):
        return True if harvest_object.content or self._get_object_extra(harvest_object, "status") == "delete" \
            else super().fetch_stage(harvest_object)

    # --- import: ckanext-spatial's, with the portal's mapping ---------------------------

    def get_package_dict(self, iso_values, harvest_object):
        try:
            cfg = guarded_config(self, harvest_object.source)
        except ConfigError as error:  # the config changed since the gather: import nothing
            self._save_object_error(str(error), harvest_object, "Import")
            return None
        context = portal_context(harvest_object.source.url, cfg)
        licences = [{"id": lic.id, "title": lic.title, "url": lic.url}
                    for lic in model.Package.get_license_register().values()]
        dataset = mapping.dataset_dict(iso_values, cfg.defaults, context, licences, _file_types())
        package = harvest_object.package
        # German transliteration (ä → ae) first; ckanext-harvest then makes the name unique.
        dataset["name"] = package.name if package is not None else self._gen_new_name(slug(iso_values["title"]))
        return dataset


def _file_types() -> list[dict]:
    from ckanext.osnabrueck import vocabularies

    return [{"code": c["code"], "extensions": c.get("extensions", [])} for c in vocabularies.get("file-type").concepts]


def _current_objects(source_id: str) -> dict:
    """guid → (package id, metadata date) of the records this source imported last."""
    rows = (model.Session.query(HarvestObject.guid, HarvestObject.package_id, HarvestObject.metadata_modified_date)
            .filter(and_(HarvestObject.harvest_source_id == source_id, HarvestObject.current.is_(True))))
    return {guid: (package_id, modified) for guid, package_id, modified in rows}


def _object(job, record: client.IsoRecord, previous) -> str | None:
    stamp = _date(record.date_stamp)
    if previous and previous[1] and stamp and stamp <= previous[1]:
        return None  # not changed since the last import (the ISO dateStamp says so)
    obj = HarvestObject(guid=record.identifier, job=job, content=record.xml,
                        package_id=previous[0] if previous else None,
                        extras=[HarvestObjectExtra(key="status", value="change" if previous else "new")])
    obj.save()
    return obj.id


def _withdrawal(job, guid: str, package_id: str) -> str:
    model.Session.query(HarvestObject).filter_by(guid=guid, current=True).update({"current": False}, False)
    obj = HarvestObject(guid=guid, job=job, package_id=package_id,
                        extras=[HarvestObjectExtra(key="status", value="delete")])
    obj.save()
    return obj.id


def _date(text: str):
    try:
        return dateutil.parser.parse(text, ignoretz=True)
    except (ValueError, OverflowError):
        return None
