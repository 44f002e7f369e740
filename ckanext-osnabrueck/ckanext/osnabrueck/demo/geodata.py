"""Demo geodata metadata: ISO 19139 records of the city and the Landkreis, written into the
demo's CSW (pycsw) through its own transaction API (CSW-T), as GDI-DE catalogues hold them.

``iso_record`` builds one valid ISO 19139 ``gmd:MD_Metadata`` document; the licence goes
into ``otherConstraints`` as the JSON GDI-DE recommends ({"id", "name", "url", "quelle"}).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import requests

CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml"
CSW_NS = 'xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc"'
DL_BY = {"id": "dl-by-de/2.0", "name": "Datenlizenz Deutschland Namensnennung 2.0",
         "url": "https://www.govdata.de/dl-de/by-2-0"}
DL_ZERO = {"id": "dl-zero-de/2.0", "name": "Datenlizenz Deutschland Zero 2.0",
           "url": "https://www.govdata.de/dl-de/zero-2-0"}


@dataclass
class Record:
    identifier: str
    title: str
    abstract: str
    keywords: list[str]
    topic: str                      # ISO MD_TopicCategoryCode
    bbox: tuple[float, float, float, float]  # west, south, east, north
    organisation: str = "Stadt Osnabrück"
    email: str = "geodaten@osnabrueck.de"
    date_stamp: str = "2026-10-01T08:00:00"
    published: str = "2024-01-15"
    frequency: str = "annually"     # ISO MD_MaintenanceFrequencyCode
    licence: dict = field(default_factory=lambda: dict(DL_BY))
    begin: str | None = None
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (url, protocol, name)


CITY = (7.97, 52.23, 8.13, 52.33)
LANDKREIS = (7.69, 52.06, 8.43, 52.62)

RECORDS = [
    Record("a1f3c2d0-0001-4c1e-9d6e-osnabrueck01", "Bebauungspläne der Stadt Osnabrück",
           "Rechtskräftige Bebauungspläne mit Geltungsbereichen, Planzeichnungen und textlichen Festsetzungen.",
           ["Bauleitplanung", "Bebauungsplan", "Planung"], "planningCadastre", CITY, frequency="asNeeded",
           links=[("https://geo.osnabrueck.de/bplan/", "WWW:LINK", "Bebauungspläne online")]),
    Record("a1f3c2d0-0002-4c1e-9d6e-osnabrueck02", "Flächennutzungsplan Osnabrück",
           "Der wirksame Flächennutzungsplan der Stadt Osnabrück mit allen Änderungen.",
           ["Flächennutzungsplan", "Bauleitplanung"], "planningCadastre", CITY, begin="2001-01-01"),
    Record("a1f3c2d0-0003-4c1e-9d6e-osnabrueck03", "Straßenbaumkataster",
           "Standorte, Arten und Pflanzjahre der Straßenbäume im Stadtgebiet.",
           ["Bäume", "Stadtgrün", "Umwelt"], "environment", CITY, frequency="monthly",
           links=[("https://geo.osnabrueck.de/daten/strassenbaeume.zip", "WWW:DOWNLOAD", "Shapefile (ZIP)")]),
    Record("b7e2a9c4-0101-4a2b-8f3e-landkreis01", "Naturschutzgebiete im Landkreis Osnabrück",
           "Abgrenzungen der Naturschutzgebiete im Landkreis Osnabrück nach Niedersächsischem Naturschutzgesetz.",
           ["Naturschutz", "Schutzgebiete", "Umwelt"], "environment", LANDKREIS,
           organisation="Landkreis Osnabrück", email="geodaten@lkos.de", licence=dict(DL_ZERO)),
    Record("b7e2a9c4-0102-4a2b-8f3e-landkreis02", "Radwegenetz Landkreis Osnabrück",
           "Das touristische und alltägliche Radwegenetz im Landkreis mit Beschilderung.",
           ["Radverkehr", "Radwege", "Tourismus"], "transportation", LANDKREIS,
           organisation="Landkreis Osnabrück", email="geodaten@lkos.de", frequency="quarterly"),
]


def iso_record(record: Record) -> str:
    """One ISO 19139 gmd:MD_Metadata document."""
    w, s, e, n = record.bbox
    licence = json.dumps({**record.licence, "quelle": record.organisation}, ensure_ascii=False)
    return f"""<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">
<gmd:fileIdentifier>{_text(record.identifier)}</gmd:fileIdentifier>
<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/" codeListValue="ger">ger</gmd:LanguageCode></gmd:language>
<gmd:characterSet>{_code("MD_CharacterSetCode", "utf8")}</gmd:characterSet>
<gmd:hierarchyLevel>{_code("MD_ScopeCode", "dataset")}</gmd:hierarchyLevel>
<gmd:contact>{_party(record, "pointOfContact")}</gmd:contact>
<gmd:dateStamp><gco:DateTime>{record.date_stamp}</gco:DateTime></gmd:dateStamp>
<gmd:metadataStandardName>{_text("ISO 19115:2003/19139")}</gmd:metadataStandardName>
<gmd:metadataStandardVersion>{_text("1.0")}</gmd:metadataStandardVersion>
<gmd:identificationInfo><gmd:MD_DataIdentification>
<gmd:citation><gmd:CI_Citation><gmd:title>{_text(record.title)}</gmd:title>
<gmd:date><gmd:CI_Date><gmd:date><gco:Date>{record.published}</gco:Date></gmd:date><gmd:dateType>{_code("CI_DateTypeCode", "publication")}</gmd:dateType></gmd:CI_Date></gmd:date>
<gmd:identifier><gmd:MD_Identifier><gmd:code>{_text("https://registry.gdi-de.org/id/de.ni.osnabrueck/" + record.identifier)}</gmd:code></gmd:MD_Identifier></gmd:identifier>
</gmd:CI_Citation></gmd:citation>
<gmd:abstract>{_text(record.abstract)}</gmd:abstract>
<gmd:pointOfContact>{_party(record, "publisher")}</gmd:pointOfContact>
<gmd:resourceMaintenance><gmd:MD_MaintenanceInformation><gmd:maintenanceAndUpdateFrequency>{_code("MD_MaintenanceFrequencyCode", record.frequency)}</gmd:maintenanceAndUpdateFrequency></gmd:MD_MaintenanceInformation></gmd:resourceMaintenance>
<gmd:descriptiveKeywords><gmd:MD_Keywords>{"".join(f"<gmd:keyword>{_text(k)}</gmd:keyword>" for k in record.keywords)}</gmd:MD_Keywords></gmd:descriptiveKeywords>
<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:accessConstraints>{_code("MD_RestrictionCode", "otherRestrictions")}</gmd:accessConstraints><gmd:otherConstraints>{_text("Es gelten keine Zugriffsbeschränkungen")}</gmd:otherConstraints></gmd:MD_LegalConstraints></gmd:resourceConstraints>
<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:useConstraints>{_code("MD_RestrictionCode", "otherRestrictions")}</gmd:useConstraints><gmd:otherConstraints>{_text(record.licence["name"])}</gmd:otherConstraints><gmd:otherConstraints>{_text(licence)}</gmd:otherConstraints></gmd:MD_LegalConstraints></gmd:resourceConstraints>
<gmd:language><gmd:LanguageCode codeList="http://www.loc.gov/standards/iso639-2/" codeListValue="ger">ger</gmd:LanguageCode></gmd:language>
<gmd:topicCategory><gmd:MD_TopicCategoryCode>{record.topic}</gmd:MD_TopicCategoryCode></gmd:topicCategory>
<gmd:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>
<gmd:westBoundLongitude><gco:Decimal>{w}</gco:Decimal></gmd:westBoundLongitude><gmd:eastBoundLongitude><gco:Decimal>{e}</gco:Decimal></gmd:eastBoundLongitude>
<gmd:southBoundLatitude><gco:Decimal>{s}</gco:Decimal></gmd:southBoundLatitude><gmd:northBoundLatitude><gco:Decimal>{n}</gco:Decimal></gmd:northBoundLatitude>
</gmd:EX_GeographicBoundingBox></gmd:geographicElement>{_temporal(record)}</gmd:EX_Extent></gmd:extent>
</gmd:MD_DataIdentification></gmd:identificationInfo>
<gmd:distributionInfo><gmd:MD_Distribution>{_transfer(record)}</gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>"""


def _text(value: str) -> str:
    return f"<gco:CharacterString>{escape(value)}</gco:CharacterString>"


def _code(codelist: str, value: str) -> str:
    return f'<gmd:{codelist} codeList="{CODELISTS}#{codelist}" codeListValue="{value}">{value}</gmd:{codelist}>'


def _party(record: Record, role: str) -> str:
    return (f"<gmd:CI_ResponsibleParty><gmd:organisationName>{_text(record.organisation)}</gmd:organisationName>"
            f"<gmd:contactInfo><gmd:CI_Contact><gmd:address><gmd:CI_Address><gmd:electronicMailAddress>"
            f"{_text(record.email)}</gmd:electronicMailAddress></gmd:CI_Address></gmd:address></gmd:CI_Contact>"
            f"</gmd:contactInfo><gmd:role>{_code('CI_RoleCode', role)}</gmd:role></gmd:CI_ResponsibleParty>")


def _temporal(record: Record) -> str:
    if not record.begin:
        return ""
    return (f'<gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent><gml:TimePeriod gml:id="t-{record.identifier[:8]}">'
            f'<gml:beginPosition>{record.begin}</gml:beginPosition><gml:endPosition indeterminatePosition="now"/>'
            f"</gml:TimePeriod></gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement>")


def _transfer(record: Record) -> str:
    if not record.links:
        return ""
    links = "".join(f"<gmd:onLine><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>{escape(url)}</gmd:URL></gmd:linkage>"
                    f"<gmd:protocol>{_text(protocol)}</gmd:protocol><gmd:name>{_text(name)}</gmd:name>"
                    f"</gmd:CI_OnlineResource></gmd:onLine>" for url, protocol, name in record.links)
    return f"<gmd:transferOptions><gmd:MD_DigitalTransferOptions>{links}</gmd:MD_DigitalTransferOptions></gmd:transferOptions>"


# --- CSW-T: the catalogue's own transaction API ------------------------------------------

def insert(csw_url: str, records: list[Record], batch: int = 100) -> int:
    """Insert (or replace) the records; returns how many the catalogue inserted."""
    inserted = 0
    for start in range(0, len(records), batch):
        chunk = records[start:start + batch]
        delete(csw_url, [r.identifier for r in chunk])  # one filter per batch: SQLite limits its size
        body = "".join(iso_record(r) for r in chunk)
        inserted += _transaction(csw_url, f"<csw:Insert>{body}</csw:Insert>", "totalInserted")
    return inserted


def delete(csw_url: str, identifiers: list[str]) -> int:
    if not identifiers:
        return 0
    ors = "".join(f"<ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:Identifier</ogc:PropertyName>"
                  f"<ogc:Literal>{escape(i)}</ogc:Literal></ogc:PropertyIsEqualTo>" for i in identifiers)
    where = f"<ogc:Or>{ors}</ogc:Or>" if len(identifiers) > 1 else ors
    return _transaction(csw_url, f'<csw:Delete><csw:Constraint version="1.1.0"><ogc:Filter>{where}</ogc:Filter>'
                                 f"</csw:Constraint></csw:Delete>", "totalDeleted")


def delete_all(csw_url: str) -> int:
    return _transaction(csw_url, '<csw:Delete><csw:Constraint version="1.1.0"><ogc:Filter><ogc:PropertyIsLike '
                                 'wildCard="%" singleChar="_" escapeChar="\\"><ogc:PropertyName>apiso:Identifier'
                                 "</ogc:PropertyName><ogc:Literal>%</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>"
                                 "</csw:Constraint></csw:Delete>", "totalDeleted")


def _transaction(csw_url: str, action: str, total: str) -> int:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><csw:Transaction service="CSW" version="2.0.2" {CSW_NS} '
            f'xmlns:apiso="http://www.opengis.net/cat/csw/apiso/1.0">{action}</csw:Transaction>')
    response = requests.post(csw_url, data=body.encode("utf-8"), timeout=120,
                             headers={"Content-Type": "application/xml"})
    response.raise_for_status()
    text = response.text
    if "ExceptionReport" in text:
        raise RuntimeError(f"CSW transaction failed: {text[:500]}")
    marker = f"<csw:{total}>"
    return int(text.split(marker, 1)[1].split("<", 1)[0]) if marker in text else 0


def load(csw_url: str) -> int:
    """The demo records into the demo catalogue (idempotent: existing ones are replaced)."""
    return insert(csw_url, RECORDS)
