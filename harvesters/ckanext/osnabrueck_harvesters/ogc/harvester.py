"""The ckanext-harvest plugin ``osnabrueck_ogc``: reads the WMS and WFS capabilities of a
service and maps each layer to its dataset; ``base.MappedHarvester`` does the rest."""
from __future__ import annotations


from .. import http
from ..base import MappedHarvester
from ..mapping import Context
from . import capabilities, config as source_config, mapping


class OgcHarvester(MappedHarvester):

    empty_message = "Die OGC-Dienste liefern keine Layer."

    def info(self):
        return {"name": "osnabrueck_ogc", "title": "OGC WMS/WFS (Geodienste)",
                "description": "Layer eines WMS 1.3.0 und Objektarten eines WFS 2.0 als DCAT-AP.de-Datensätze, "
                               "mit WMS-, WFS- und GeoJSON-Distribution."}

    def parse_config(self, text):
        return source_config.parse(text)

    def read_datasets(self, cfg, context: Context) -> dict[str, dict]:
        urls = {"WMS": cfg.wms_url or context.base_url, "WFS": cfg.wfs_url or context.base_url}
        with http.session() as session:
            services = {kind: self._read(session, kind, urls[kind].split("?")[0], cfg) for kind in cfg.services}
        merged = mapping.merge(list(services.values()), cfg)
        if len(merged) > cfg.limits.max_objects:
            raise http.SourceError(f"OGC-Dienst: mehr als {cfg.limits.max_objects} Layer; Abbruch (Grenze max_objects).")
        return {name: mapping.dataset_dict(name, layers, services, cfg, context) for name, layers in merged.items()}

    @staticmethod
    def _read(session, kind: str, url: str, cfg) -> capabilities.Service:
        response = http.get(session, capabilities.capabilities_url(kind, url), cfg.limits, kind, "application/xml")
        return capabilities.parse(kind, url, response.content)
