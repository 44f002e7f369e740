"""The wall between organisations on the harvest path: a harvest source's datasets belong
to the source's organisation.

A source config may name other organisations (``owner_org`` at the top level, per layer
or per group); the harvester then creates datasets there as the site user, past every
organisation check. So such a config is accepted only from a sysadmin:

* on save (``check_save`` and ``saved``, from the chained package_create/package_update
  that harvest_source_create/update/patch and the form all go through): a non-sysadmin's
  config naming another organisation is a validation error on the config field;
* at job time (``job_refusal``, from the harvesters' gather and import stages): another
  organisation is accepted only when a sysadmin's save approved exactly this config for
  exactly this source and organisation. The approval is an HMAC (keyed with the app's
  SECRET_KEY) of source id, organisation id and config text, kept in CKAN's system_info
  table. Any later change by a non-sysadmin removes it, and a config altered past the
  actions (SQL, a script) no longer matches it, so the job refuses and imports nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import json

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import authz

SOURCE_TYPE = "harvest"  # the dataset type of harvest sources (ckanext-harvest)
APPROVAL_KEY = "osnabrueck.harvest_org_approval.{}"


# --- which organisations a config names -------------------------------------------------

def _harvester(source_type: str | None):
    from ckanext.harvest.interfaces import IHarvester

    return next((h for h in p.PluginImplementations(IHarvester) if h.info()["name"] == source_type), None)


def _owner_orgs_in(value) -> set[str]:
    """Every ``owner_org`` anywhere in a JSON value (harvesters without parse_config)."""
    if isinstance(value, dict):
        found = {value["owner_org"]} if isinstance(value.get("owner_org"), str) and value["owner_org"] else set()
        return found.union(*(_owner_orgs_in(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_owner_orgs_in(item) for item in value))
    return set()


def named_organizations(source_type: str | None, config: str | None) -> set[str]:
    """The organisations (names or ids) a source config assigns datasets to. A config the
    harvester cannot parse names none here: its validator refuses it anyway."""
    harvester = _harvester(source_type)
    if harvester is not None and hasattr(harvester, "parse_config"):
        try:
            return set(harvester.parse_config(config).organizations())
        except ValueError:
            return set()
    try:
        return _owner_orgs_in(json.loads(config)) if config and config.strip() else set()
    except ValueError:
        return set()


def _organization_id(name_or_id: str | None) -> str | None:
    group = model.Group.get(name_or_id) if name_or_id else None
    return group.id if group is not None and group.is_organization else None


def foreign(names: set[str], org_id: str | None) -> list[str]:
    """The names that are not the organisation ``org_id`` (unknown names included)."""
    return sorted(name for name in names if org_id is None or _organization_id(name) != org_id)


def message(names: list[str]) -> str:
    quoted = ", ".join(f"„{name}“" for name in names)
    return (f"Die Datensätze einer Harvest-Quelle gehören der Organisation der Quelle; {quoted} ist nicht "
            f"diese Organisation (owner_org). Eine andere Organisation darf nur ein Systemadministrator eintragen.")


# --- approvals ---------------------------------------------------------------------------

def _digest(source_id: str, org_id: str | None, config: str | None) -> str:
    secret = str(tk.config.get("SECRET_KEY") or tk.config.get("beaker.session.secret") or "")
    text = "\x1f".join((source_id, org_id or "", config or ""))
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def source_organization(source_id: str) -> model.Group | None:
    """The organisation of the harvest source (the owner_org of its dataset)."""
    pkg = model.Package.get(source_id)
    group = model.Group.get(pkg.owner_org) if pkg is not None and pkg.owner_org else None
    return group if group is not None and group.is_organization else None


def _stored(source_id: str) -> tuple[str | None, str | None, str | None]:
    """(organisation id, source type, config) of the source as saved."""
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(source_id)
    org = source_organization(source_id)
    return (org.id if org is not None else None), *((source.type, source.config) if source else (None, None))


def record(source_id: str, by_sysadmin: bool) -> None:
    """After a save: a sysadmin's save of a config naming other organisations approves the
    config as stored; any other save withdraws an earlier approval."""
    key = APPROVAL_KEY.format(source_id)
    org_id, source_type, config = _stored(source_id)
    if by_sysadmin and foreign(named_organizations(source_type, config), org_id):
        model.set_system_info(key, _digest(source_id, org_id, config))
    else:
        model.delete_system_info(key)


def approved(source_id: str, org_id: str | None, config: str | None) -> bool:
    stored = model.get_system_info(APPROVAL_KEY.format(source_id))
    return bool(stored) and hmac.compare_digest(stored, _digest(source_id, org_id, config))


def job_refusal(source_id: str, config: str | None, names: set[str]) -> str | None:
    """Why a job of the source must not write datasets into ``names`` (German), or None."""
    org = source_organization(source_id)
    org_id = org.id if org is not None else None
    strangers = foreign(names, org_id)
    if not strangers or approved(source_id, org_id, config):
        return None
    return (message(strangers) + " Diese Konfiguration hat kein Systemadministrator gespeichert; "
                                 "es wird nichts importiert.")


# --- on save -------------------------------------------------------------------------------

def _is_sysadmin(context: dict) -> bool:
    return authz.is_sysadmin(context.get("user"))


def _saved_fields(data_dict: dict, creating: bool) -> dict | None:
    """Source type, organisation and config the save leaves, or None for other datasets."""
    existing = None if creating else model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    kind = data_dict.get("type") or (existing.type if existing is not None else None)
    if kind != SOURCE_TYPE:
        return None
    from ckanext.harvest.model import HarvestSource

    source = HarvestSource.get(existing.id) if existing is not None else None
    return {"source_type": data_dict.get("source_type") or (source.type if source else None),
            "owner_org": data_dict.get("owner_org") or (existing.owner_org if existing is not None else None),
            "config": data_dict["config"] if "config" in data_dict else (source.config if source else None)}


def check_save(context: dict, data_dict: dict, creating: bool) -> None:
    """Before package_create/package_update of a harvest source: its config keeps to the
    source's organisation, or a sysadmin saves it."""
    fields = _saved_fields(data_dict, creating)
    if fields is None or _is_sysadmin(context):
        return
    strangers = foreign(named_organizations(fields["source_type"], fields["config"]),
                        _organization_id(fields["owner_org"]))
    if strangers:
        raise tk.ValidationError({"config": [message(strangers)]})


def saved(context: dict, data_dict: dict, result):
    """After the save: record or withdraw the approval the job checks, from what was stored."""
    pkg = model.Package.get(result if isinstance(result, str) else result["id"])
    if pkg is not None and pkg.type == SOURCE_TYPE:
        record(pkg.id, _is_sysadmin(context))
    return result
