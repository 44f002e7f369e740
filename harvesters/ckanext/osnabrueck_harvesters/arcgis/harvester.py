"""The ckanext-harvest plugin ``osnabrueck_arcgis``: walks an ArcGIS Server REST services
directory (folders recursively, one request per folder, service and layer) and maps the
wanted MapServer/FeatureServer services; ``base.MappedHarvester`` does the rest."""
from __future__ import annotations


from .. import http
from ..base import MappedHarvester
from ..mapping import Context
from . import config as source_config, mapping

LABEL = "ArcGIS-Server"


class ArcGisHarvester(MappedHarvester):

    empty_message = "Der ArcGIS-Server liefert keine passenden Dienste."

    def info(self):
        return {"name": "osnabrueck_arcgis", "title": "ArcGIS Server (REST)",
                "description": "MapServer- und FeatureServer-Dienste eines ArcGIS-REST-Verzeichnisses als "
                               "DCAT-AP.de-Datensätze, je Layer oder je Dienst."}

    def parse_config(self, text):
        return source_config.parse(text)

    def read_datasets(self, cfg, context: Context) -> dict[str, dict]:
        root = context.base_url
        found = {}
        with http.session() as session:
            reader = _Reader(session, root, cfg)
            for service in reader.services():
                found.update(mapping.datasets(root, service, cfg, context))
        return found


class _Reader:
    def __init__(self, session, root: str, cfg):
        self.session, self.root, self.cfg = session, root, cfg
        self.budget = http.Budget(cfg.limits, LABEL)

    def json(self, url: str) -> dict:
        self.budget.page()
        data = http.get_json(self.session, f"{url}?f=json", self.cfg.limits, LABEL)
        if not isinstance(data, dict):
            raise http.SourceError(f"{LABEL} {url}: Die Antwort ist kein JSON-Objekt.")
        if "error" in data:
            error = data["error"] if isinstance(data["error"], dict) else {}
            raise http.SourceError(f"{LABEL} {url}: Der Server meldet Fehler {error.get('code', '?')}: "
                                   f"{error.get('message', '')}".rstrip(": "))
        return data

    def services(self):
        """Every wanted service with its layers, walking the folders breadth first."""
        folders, seen = [""], set()
        while folders:
            folder = folders.pop(0)
            if folder in seen:
                continue
            seen.add(folder)
            listing = self.json(f"{self.root}/{folder}".rstrip("/"))
            folders += [name for name in listing.get("folders", []) if isinstance(name, str)]
            for entry in listing.get("services", []):
                if entry.get("type") in source_config.SERVICE_TYPES and self.cfg.wanted(entry.get("name", "")):
                    yield self._service(entry["name"], entry["type"])

    def _service(self, path: str, kind: str) -> mapping.Service:
        url = mapping.service_url(self.root, mapping.Service(path, kind, {}))
        info = self.json(url)
        layers = []
        for layer in info.get("layers", []):
            self.budget.object()
            layers.append(self.json(f"{url}/{layer['id']}"))
        return mapping.Service(path, kind, info, tuple(layers))
