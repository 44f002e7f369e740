"""Validators of the DCAT-AP.de schema. Messages are English msgids with German
translations (i18n/de); stewards see them per field, in the UI language."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckanext.scheming.validation import scheming_validator

from .. import iri, vocabularies
from ..helpers import osnabrueck_lang as _lang

__all__ = [
    "osnabrueck_vocabulary", "osnabrueck_vocabulary_multiple", "osnabrueck_config_default",
    "osnabrueck_contact_point", "osnabrueck_email", "osnabrueck_uri",
    "osnabrueck_political_geocoding_uri", "osnabrueck_geometry", "osnabrueck_temporal_end",
    "osnabrueck_publisher_default", "osnabrueck_media_type", "osnabrueck_resource_license",
    "osnabrueck_byte_size", "osnabrueck_checksum", "osnabrueck_high_value_legislation",
    "osnabrueck_uri_list", "osnabrueck_yes_no", "osnabrueck_resource_url",
]

Invalid = tk.Invalid
_ = tk._

GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
GEOCODING_URI = re.compile(
    r"^http://dcat-ap\.de/def/politicalGeocoding/(regionalKey|municipalityKey|municipalAssociationKey|"
    r"districtKey|governmentDistrictKey|stateKey)/[0-9]{2,12}$")
# No character that an IRI refuses: the address is published as a mailto: IRI.
EMAIL = re.compile(r'^[^@\s<>"{}|\\^`]+@[^@\s<>"{}|\\^`]+\.[^@\s<>"{}|\\^`]+$')
# Schemes that run or embed content instead of pointing to it.
NOT_A_LINK = ("javascript", "vbscript", "data")
URI_SEPARATOR = re.compile(r"\s*,\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)")
MEDIA_TYPE = re.compile(r"^[a-z0-9][\w.+-]*/[a-z0-9][\w.+-]*(;.*)?$", re.IGNORECASE)
IANA = "https://www.iana.org/assignments/media-types/"
HVD_REGULATION = "http://data.europa.eu/eli/reg_impl/2023/138/oj"
CHECKSUM_LENGTHS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}


def _empty(value) -> bool:
    return value is missing or value is None or value == "" or value == []


def _not_in_vocabulary(vocabulary: vocabularies.Vocabulary, value) -> Invalid:
    return Invalid(_('"{value}" is not in the list of {vocabulary}. Please choose a value from the list.')
                   .format(value=value, vocabulary=vocabulary.title(_lang())))


@scheming_validator
def osnabrueck_vocabulary(field, schema):
    """One value of the field's ``vocabulary``, stored as its URI (or code)."""
    name, store = field["vocabulary"], field.get("vocabulary_value", "uri")

    def validator(value):
        if _empty(value):
            return value
        vocabulary = vocabularies.get(name)
        concept = vocabulary.find(value)
        if concept is None:
            raise _not_in_vocabulary(vocabulary, value)
        return concept[store]

    return validator


def _as_list(value) -> list:
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("["):
        try:
            return list(json.loads(text))
        except ValueError:
            raise Invalid(_("Expected a list of values.")) from None
    return [part for part in (p.strip() for p in text.split(",")) if part]


@scheming_validator
def osnabrueck_vocabulary_multiple(field, schema):
    """Several values of the field's ``vocabulary``; stored as a JSON list of URIs."""
    name = field["vocabulary"]

    def validator(key, data, errors, context):
        value = data.get(key)
        if _empty(value):
            if field.get("required"):
                errors[key].append(_("Please choose at least one value."))
            data.pop(key, None)
            raise StopOnError
        vocabulary = vocabularies.get(name)
        chosen = []
        try:
            values = _as_list(value)
        except Invalid as error:
            errors[key].append(error.error)
            return
        for item in values:
            concept = vocabulary.find(item)
            if concept is None:
                errors[key].append(_not_in_vocabulary(vocabulary, item).error)
            elif concept["uri"] not in chosen:
                chosen.append(concept["uri"])
        if not errors[key]:
            data[key] = json.dumps(chosen)

    return validator


def osnabrueck_config_default(config_key: str):
    """Fill an empty value from a config option (contributorID, geocoding)."""
    def validator(value):
        return tk.config.get(config_key) if _empty(value) else value
    return validator


def _sibling(key: tuple, name: str) -> tuple:
    return key[:-1] + (name,)


def osnabrueck_contact_point(key, data, errors, context):
    """The contact point needs an email address or a web page (DCAT-AP.de: vcard:hasEmail/hasURL)."""
    if _empty(data.get(key)) and _empty(data.get(_sibling(key, "contact_url"))):
        errors[key].append(_("Please give an email address or a web page for the contact point."))


def osnabrueck_email(value):
    if _empty(value):
        return value
    value = str(value).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if not EMAIL.match(value):
        raise Invalid(_('"{value}" is not a valid email address.').format(value=value))
    return value


def osnabrueck_uri(value):
    """A web address, stored as a valid IRI: characters that IRIs do not allow (a pasted
    ArcGIS query's ``{"xmin":7.9}``) are percent-encoded, which keeps the address (iri)."""
    if _empty(value):
        return value
    value = str(value).strip()
    if not re.match(r"^https?://[^\s/$.?#]", value, re.IGNORECASE):
        raise Invalid(_('"{value}" is not a valid web address. It must start with http:// or https://.')
                      .format(value=value))
    try:
        host = urlsplit(value).hostname
    except ValueError:  # a malformed port or IPv6 address
        host = None
    if not host or any(char in iri.ENCODED or char == "%" for char in host):
        raise Invalid(_('"{value}" is not a valid web address: the server name is missing or malformed.')
                      .format(value=value))
    return iri.normalise(value)


def osnabrueck_resource_url(key, data, errors, context):
    """The address of a distribution's data: an upload's file name is left to CKAN; any
    other address is stored as a valid IRI (see osnabrueck_uri), and scripts are refused."""
    value = data.get(key)
    if _empty(value) or data.get(_sibling(key, "url_type")) == "upload":
        return
    value = str(value).strip()
    if iri.has_scheme(value) and value.split(":", 1)[0].lower() in NOT_A_LINK:
        errors[key].append(_('"{value}" is not a web address. Please give an address starting with '
                             'http:// or https://, or upload a file.').format(value=value[:100]))
        return
    data[key] = iri.normalise(value)


def _uri_items(value) -> list:
    """The addresses of a list field. Typed text is split at the commas that start a new
    address only: a query such as ``geometry={"xmin":7.9,"ymin":52.2}`` has commas too."""
    if isinstance(value, list) or str(value).strip().startswith("["):
        return _as_list(value)
    return [part for part in URI_SEPARATOR.split(str(value).strip()) if part]


def osnabrueck_uri_list(key, data, errors, context):
    """A list of web addresses, stored as JSON; an empty one is not stored."""
    value = data.get(key)
    try:
        items = [] if _empty(value) else _uri_items(value)
        if items:
            data[key] = json.dumps([osnabrueck_uri(item) for item in items])
    except Invalid as error:
        errors[key].append(error.error)
        return
    if not items:
        data.pop(key, None)
        raise StopOnError


def osnabrueck_political_geocoding_uri(value):
    """A dcat-ap.de political geocoding URI; a bare regional key (12 digits) is expanded."""
    if _empty(value):
        return value
    value = str(value).strip()
    if re.fullmatch(r"[0-9]{12}", value):
        value = f"{GEOCODING}regionalKey/{value}"
    if not GEOCODING_URI.match(value):
        raise Invalid(_("Please give a political geocoding URI of dcat-ap.de, e.g. "
                        "http://dcat-ap.de/def/politicalGeocoding/regionalKey/034040000000, "
                        "or a 12-digit regional key."))
    return value


def osnabrueck_geometry(value):
    """GeoJSON geometry (or Feature), or a bounding box "west,south,east,north" in WGS84."""
    if _empty(value):
        return value
    from shapely.geometry import box, mapping, shape

    text = str(value).strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            geometry = shape(data.get("geometry") if data.get("type") == "Feature" else data)
        else:
            west, south, east, north = (float(part) for part in text.replace(";", ",").split(","))
            if west >= east or south >= north:
                raise ValueError("empty box")
            geometry = box(west, south, east, north)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise Invalid(_("Please give the spatial extent as GeoJSON geometry or as bounding box "
                        "\"west,south,east,north\" in degrees (WGS84).")) from None
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90) or not geometry.is_valid:
        raise Invalid(_("The spatial extent is not a valid geometry in WGS84 longitude/latitude."))
    return json.dumps(mapping(geometry))


def osnabrueck_temporal_end(key, data, errors, context):
    start, end = data.get(_sibling(key, "temporal_start")), data.get(key)
    if not _empty(start) and not _empty(end) and str(end) < str(start):
        errors[key].append(_("The end of the temporal coverage lies before its start."))


def osnabrueck_publisher_default(key, data, errors, context):
    """The publisher defaults to the dataset's organisation."""
    if not _empty(data.get(key)):
        return
    org = model.Group.get(data.get(("owner_org",))) if not _empty(data.get(("owner_org",))) else None
    if org is not None:
        data[key] = org.title


def osnabrueck_media_type(key, data, errors, context):
    """IANA media type; derived from the EU file type when left empty."""
    value = data.get(key)
    if _empty(value):
        concept = vocabularies.get("file-type").find(data.get(_sibling(key, "format")))
        # A format without a media type (REST, WMS_SRVC …) leaves the field empty, not missing.
        data[key] = concept["media_type"] if concept and concept.get("media_type") else None
        return
    value = str(value).strip().removeprefix(IANA)
    if not MEDIA_TYPE.match(value):
        errors[key].append(_('"{value}" is not a media type such as text/csv.').format(value=value))
        return
    data[key] = value


def osnabrueck_resource_license(key, data, errors, context):
    """Licence of a distribution (URI of dcat-ap.de); defaults to the dataset's licence."""
    licences = vocabularies.get("licenses")
    value = data.get(key)
    if _empty(value):
        value = data.get(("license_id",))
        if _empty(value):
            return
    concept = licences.find(value)
    if concept is None:
        errors[key].append(_not_in_vocabulary(licences, value).error)
        return
    data[key] = concept["uri"]


def osnabrueck_byte_size(key, data, errors, context):
    """Size in bytes (dcat:byteSize); an empty one is not stored."""
    value = data.get(key)
    if _empty(value):
        data.pop(key, None)
        raise StopOnError
    try:
        size = int(str(value).replace(".", "").replace(" ", ""))
    except ValueError:
        size = -1
    if size < 0:
        errors[key].append(_("The size must be a whole number of bytes."))
        return
    data[key] = size


def _checksum_algorithm(digest: str) -> str | None:
    offered = ("md5", "sha1", "sha256", "sha512")
    if re.fullmatch(r"[0-9a-f]+", digest):
        for name in offered:
            if CHECKSUM_LENGTHS[name] == len(digest):
                return f"http://spdx.org/rdf/terms#checksumAlgorithm_{name}"
    return None


def osnabrueck_checksum(key, data, errors, context):
    """A checksum needs its algorithm, and must have the length that algorithm gives.

    Without an algorithm, one of the offered ones is inferred from the length of a hex
    digest (ckanext-xloader, for one, stores the MD5 of the files it loads)."""
    value = data.get(key)
    if _empty(value):
        return
    algorithm = data.get(_sibling(key, "hash_algorithm"))
    if _empty(algorithm):
        algorithm = _checksum_algorithm(str(value).strip().lower())
        if not algorithm:
            errors[key].append(_("Please choose the algorithm of the checksum."))
            return
        data[_sibling(key, "hash_algorithm")] = algorithm
    name = str(algorithm).rsplit("_", 1)[-1].lower()
    expected = CHECKSUM_LENGTHS.get(name)
    value = str(value).strip().lower()
    if not re.fullmatch(r"[0-9a-f]+", value) or (expected and len(value) != expected):
        errors[key].append(_("The checksum does not match the chosen algorithm ({length} hex digits expected).")
                           .format(length=expected or "?"))
        return
    data[key] = value


def osnabrueck_high_value_legislation(key, data, errors, context):
    """A high-value dataset cites the HVD implementing regulation as applicable legislation."""
    hvd = data.get(_sibling(key, "hvd"))
    if _empty(hvd) or str(hvd).lower() not in ("true", "yes", "ja", "on", "1"):
        return
    current: Any = data.get(key)
    try:
        values = [] if _empty(current) else _uri_items(current)
    except Invalid:
        return  # osnabrueck_uri_list reports the malformed value
    if HVD_REGULATION not in values:
        values.append(HVD_REGULATION)
    data[key] = json.dumps(values)


def osnabrueck_yes_no(value):
    """Normalise a yes/no answer to "true"/"false" (empty means no)."""
    if _empty(value) or value is False:
        return "false"
    text = str(value).strip().lower()
    if text in ("true", "yes", "ja", "on", "1"):
        return "true"
    if text in ("false", "no", "nein", "off", "0"):
        return "false"
    raise Invalid(_('Please answer yes or no, not "{value}".').format(value=value))
