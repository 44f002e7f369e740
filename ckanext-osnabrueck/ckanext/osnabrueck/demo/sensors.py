"""Demo content of the IoT platform: Osnabrück's sensors, loaded into a FROST-Server
through its own HTTP API (one deep insert per Thing), with some days of observations.

Kinds, as on the city's real platform: parking spaces for disabled people ("Belegtstatus"
frei/belegt), groundwater gauges GWM…, tree-moisture sensors at three depths, air quality
at the Schlosswall, soil temperature. Values are synthetic and reproducible; times end at
the hour the loader runs, so the live preview shows recent data.
"""
from __future__ import annotations

import datetime as dt
import math

import requests

from .files import INNENSTADT_BBOX, STREETS, _random_points, _rng

OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
DAYS = 3


def _datastream(name: str, prop: dict, sensor: dict, unit: dict, observations: list, category=False) -> dict:
    return {"name": name, "description": f"{prop['name']}: {name}",
            "observationType": OM + ("OM_CategoryObservation" if category else "OM_Measurement"),
            "unitOfMeasurement": unit, "ObservedProperty": prop, "Sensor": sensor,
            "Observations": observations}


def _thing(name: str, description: str, kind: str, lon: float, lat: float, datastreams: list) -> dict:
    return {"name": name, "description": description, "properties": {"kind": kind, "betreiber": "SWO Netz"},
            "Locations": [{"name": name, "description": description, "encodingType": "application/geo+json",
                           "location": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}}],
            "Datastreams": datastreams}


def _series(now: dt.datetime, step_hours: int, value) -> list[dict]:
    """Observations every ``step_hours`` over the last DAYS days; value(i, hour) → result."""
    count = DAYS * 24 // step_hours
    observations = []
    for i in range(count):
        time = (now - dt.timedelta(hours=step_hours * (count - 1 - i))).strftime("%Y-%m-%dT%H:%M:%SZ")
        observations.append({"phenomenonTime": time, "resultTime": time, "result": value(i, int(time[11:13]))})
    return observations


def _sensor(name: str, description: str) -> dict:
    return {"name": name, "description": description, "encodingType": "text/html",
            "metadata": "https://www.swo-netz.de/lorawan"}


def _prop(name: str, definition: str) -> dict:
    return {"name": name, "definition": definition, "description": name}


def parking(now: dt.datetime) -> list[dict]:
    rng = _rng("sta-bpp")
    prop = _prop("Belegtstatus", "https://daten.osnabrueck.de/def/belegtstatus")
    sensor = _sensor("Parkplatzsensor LoRaWAN", "Bodensensor (Magnetfeld) je Stellplatz")
    things = []
    for i, (lon, lat) in enumerate(_random_points("sta-bpp", 24, INNENSTADT_BBOX), 1):
        busy = rng.uniform(0.3, 0.8)
        obs = _series(now, 2, lambda j, hour: "belegt" if rng.random() < busy * (0.4 if hour < 7 else 1) else "frei")
        street = rng.choice(STREETS[:22])
        things.append(_thing(f"Behindertenparkplatz {street} BPP-{i:03d}", f"Stellplatz für Menschen mit "
                             f"Behinderung, {street}", "parkplatz", lon, lat,
                             [_datastream(f"Belegtstatus BPP-{i:03d}", prop, sensor,
                                          {"name": "Status", "symbol": "", "definition": "frei/belegt"},
                                          obs, category=True)]))
    return things


def groundwater(now: dt.datetime) -> list[dict]:
    rng = _rng("sta-gwm")
    prop = _prop("Grundwasserstand", "http://vocab.nerc.ac.uk/collection/P01/current/GWLVL001/")
    sensor = _sensor("Drucksonde", "Druckmesssonde mit Datenlogger")
    unit = {"name": "Meter über Normalhöhennull", "symbol": "m ü. NHN", "definition": "http://qudt.org/vocab/unit/M"}
    things = []
    for i, (lon, lat) in enumerate(_random_points("sta-gwm", 12), 1):
        level = rng.uniform(55, 85)
        obs = _series(now, 6, lambda j, hour: round(level - 0.01 * j + rng.uniform(-0.02, 0.02), 3))
        things.append(_thing(f"GWM{i:03d}", f"Grundwassermessstelle GWM{i:03d}", "grundwasser", lon, lat,
                             [_datastream(f"Grundwasserstand GWM{i:03d}", prop, sensor, unit, obs)]))
    return things


def trees(now: dt.datetime) -> list[dict]:
    rng = _rng("sta-baum")
    prop = _prop("Bodenfeuchte", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0047/")
    sensor = _sensor("Bodenfeuchtesensor", "Kapazitiver Bodenfeuchtesensor, drei Tiefen")
    unit = {"name": "Volumenprozent", "symbol": "Vol.-%", "definition": "http://qudt.org/vocab/unit/PERCENT"}
    things = []
    for tree, lon, lat in (("Linde", 8.0298, 52.2801), ("Ahorn", 8.0309, 52.2806), ("Eiche", 8.0321, 52.2798)):
        streams = []
        for depth in (30, 60, 90):
            base = rng.uniform(18, 32) + depth / 20
            obs = _series(now, 1, lambda j, hour: round(base - 0.03 * j + 0.8 * math.sin(j / 6), 1))
            streams.append(_datastream(f"Bodenfeuchte {tree} {depth} cm", prop, sensor, unit, obs))
        things.append(_thing(f"Baumsensor {tree} (EMA-Gymnasium)", f"{tree} am Ernst-Moritz-Arndt-Gymnasium",
                             "baumsensor", lon, lat, streams))
    return things


def air_quality(now: dt.datetime) -> list[dict]:
    rng = _rng("sta-luft")
    sensor = _sensor("Luftmessstation Schlosswall", "Passivsammler und optischer Partikelzähler")
    unit = {"name": "Mikrogramm je Kubikmeter", "symbol": "µg/m³", "definition": "http://qudt.org/vocab/unit/MicroGM-PER-M3"}
    streams = []
    for name, definition, base in (("Stickstoffdioxid", "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8", 32),
                                   ("Feinstaub PM10", "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/5", 18),
                                   ("Feinstaub PM2.5", "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/6001", 11)):
        obs = _series(now, 1, lambda j, hour: round(base * (1.4 if 7 <= hour <= 9 or 16 <= hour <= 18 else 0.9)
                                                   + rng.uniform(-3, 3), 1))
        streams.append(_datastream(f"{name} Schlosswall", _prop(name, definition), sensor, unit, obs))
    return [_thing("Luftmessstation Schlosswall", "Verkehrsnahe Messstation am Schlosswall", "luftqualitaet",
                   8.0437, 52.2716, streams)]


def soil_temperature(now: dt.datetime) -> list[dict]:
    rng = _rng("sta-boden")
    prop = _prop("Bodentemperatur", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0681/")
    sensor = _sensor("Bodenthermometer", "Pt100 in 10 cm Tiefe")
    unit = {"name": "Grad Celsius", "symbol": "°C", "definition": "http://qudt.org/vocab/unit/DEG_C"}
    things = []
    for place, lon, lat in (("Westerberg", 8.0263, 52.2842), ("Schinkel", 8.0781, 52.2817)):
        obs = _series(now, 1, lambda j, hour: round(6 + 2 * math.sin((hour - 9) / 24 * 2 * math.pi)
                                                    + rng.uniform(-0.3, 0.3), 1))
        things.append(_thing(f"Bodentemperatur {place}", f"Bodentemperaturmessung {place}", "boden", lon, lat,
                             [_datastream(f"Bodentemperatur {place} 10 cm", prop, sensor, unit, obs)]))
    return things


def demo_things(now: dt.datetime | None = None) -> list[dict]:
    now = (now or dt.datetime.now(dt.timezone.utc)).replace(minute=0, second=0, microsecond=0)
    return parking(now) + groundwater(now) + trees(now) + air_quality(now) + soil_temperature(now)


def load(base_url: str, things: list[dict] | None = None, timeout: float = 30) -> int:
    """POST every demo Thing whose name is not on the server yet; returns how many were added."""
    with requests.Session() as session:
        existing = set()
        url = f"{base_url}/Things?$select=name&$top=1000"
        while url:
            page = session.get(url, timeout=timeout)
            page.raise_for_status()
            existing |= {thing["name"] for thing in page.json()["value"]}
            url = page.json().get("@iot.nextLink")
        added = 0
        for thing in things if things is not None else demo_things():
            if thing["name"] not in existing:
                response = session.post(f"{base_url}/Things", json=thing, timeout=timeout)
                if response.status_code != 201:
                    raise RuntimeError(f"FROST lehnte {thing['name']} ab: {response.status_code} {response.text[:300]}")
                added += 1
    return added
