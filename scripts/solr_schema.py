"""Build the Solr core configuration for CKAN from the installed CKAN wheel.

CKAN's own ``schema.xml`` stays authoritative; this adds ckanext-spatial's fields
(``config/solr/spatial-fields.xml``) and switches the Snowball stemmer from English to
German2, because the portal's content is German (stock CKAN stems "Bäume" as English).

Usage: python scripts/solr_schema.py <conf-dir>
"""
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import ckan

REPO = Path(__file__).resolve().parent.parent
SOLR_CONFIG = REPO / "config" / "solr"
CONF_FILES = ("solrconfig.xml", "protwords.txt", "synonyms.txt")


def build_schema(ckan_schema: Path, spatial: Path) -> ET.ElementTree:
    tree = ET.parse(ckan_schema)
    root = tree.getroot()
    types, fields = root.find("types"), root.find("fields")
    extra = ET.parse(spatial).getroot()
    existing = {el.get("name") for el in root.iter() if el.tag in ("field", "fieldType")}
    for el in extra:
        if el.get("name") in existing:
            continue
        (types if el.tag == "fieldType" else fields).append(el)
    for stemmer in root.iter("filter"):
        if stemmer.get("class") == "solr.SnowballPorterFilterFactory":
            stemmer.set("language", "German2")
    return tree


def main(conf_dir: str) -> None:
    target = Path(conf_dir)
    target.mkdir(parents=True, exist_ok=True)
    ckan_schema = Path(ckan.__file__).parent / "config" / "solr" / "schema.xml"
    tree = build_schema(ckan_schema, SOLR_CONFIG / "spatial-fields.xml")
    tree.write(target / "schema.xml", encoding="UTF-8", xml_declaration=True)
    for name in CONF_FILES:
        shutil.copyfile(SOLR_CONFIG / name, target / name)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: solr_schema.py <conf-dir>")
    main(sys.argv[1])
