"""The ckanext-harvest plugin ``osnabrueck_sensorthings``: reads every Thing (one request
per page, with Datastreams, ObservedProperty, Sensor and Locations expanded) and maps each
group of Things to its dataset; ``base.MappedHarvester`` does the rest."""
from __future__ import annotations


from .. import http
from ..base import MappedHarvester
from ..mapping import Context
from . import client, config as source_config, mapping


class SensorThingsHarvester(MappedHarvester):

    empty_message = "Die SensorThings-API liefert keine Things."

    def info(self):
        return {"name": "osnabrueck_sensorthings", "title": "OGC SensorThings API (IoT-Plattform)",
                "description": "Things, Datenströme und Messstellen einer SensorThings API 1.1 "
                               "(z. B. FROST-Server) als DCAT-AP.de-Datensätze, gruppiert nach Art."}

    def parse_config(self, text):
        return source_config.parse(text)

    def read_datasets(self, cfg, context: Context) -> dict[str, dict]:
        with http.session() as session:
            things = list(client.iter_collection(session, mapping.things_url(context.base_url, cfg.page_size),
                                                 cfg.limits))
        return {name: mapping.dataset_dict(group, members, cfg, context)
                for name, (group, members) in mapping.group_things(things, cfg).items()}
