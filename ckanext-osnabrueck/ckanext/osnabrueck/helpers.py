"""Template helpers of the Osnabrück theme."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["osnabrueck_contributor_id", "osnabrueck_license_uri"]


def osnabrueck_contributor_id() -> str:
    """The portal's default dcatde:contributorID."""
    return tk.config.get("ckanext.osnabrueck.contributor_id")


def osnabrueck_license_uri(license_id: str | None) -> str | None:
    """The dcat-ap.de URI of a licence of the portal's list (config/licenses.json)."""
    licence = model.Package.get_license_register().get(license_id) if license_id else None
    return getattr(licence, "uri", None) if licence else None
