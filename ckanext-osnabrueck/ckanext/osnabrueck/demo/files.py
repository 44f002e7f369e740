"""Deterministic demo files for the Osnabrück demo datasets.

Place names, streets, districts and facilities are real public facts about Osnabrück;
coordinates are approximate and every measured value (counts, sensor readings, population
figures) is synthetic, generated from a fixed seed so that every run produces the same
bytes. Each generator returns ``bytes``; ``GENERATORS`` maps the names used in
``datasets.yaml`` to them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import random
import zipfile
from typing import Callable, Iterable

# Reference instant of the demo data, fixed so that files are byte-identical across runs.
EPOCH = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)

# The 23 Stadtteile with approximate centroids (lon, lat) and illustrative populations.
STADTTEILE = [
    ("01", "Innenstadt", 8.0435, 52.2766, 9800), ("02", "Weststadt", 8.0250, 52.2745, 13300),
    ("03", "Westerberg", 8.0220, 52.2850, 7100), ("04", "Eversburg", 8.0000, 52.2960, 4900),
    ("05", "Hafen", 8.0300, 52.3010, 1300), ("06", "Sonnenhügel", 8.0550, 52.2950, 7700),
    ("07", "Haste", 8.0550, 52.3150, 6300), ("08", "Dodesheide", 8.0700, 52.3050, 7200),
    ("09", "Gartlage", 8.0700, 52.2880, 3100), ("10", "Schinkel", 8.0750, 52.2800, 12600),
    ("11", "Widukindland", 8.0850, 52.2950, 3600), ("12", "Schinkel-Ost", 8.0950, 52.2850, 5100),
    ("13", "Fledder", 8.0700, 52.2650, 3900), ("14", "Schölerberg", 8.0550, 52.2580, 11700),
    ("15", "Kalkhügel", 8.0400, 52.2600, 6300), ("16", "Wüste", 8.0250, 52.2650, 13900),
    ("17", "Sutthausen", 8.0450, 52.2430, 5600), ("18", "Hellern", 7.9950, 52.2600, 9700),
    ("19", "Atter", 7.9850, 52.2850, 4200), ("20", "Pye", 8.0100, 52.3150, 3700),
    ("21", "Darum-Gretesch-Lüstringen", 8.1150, 52.2700, 8600), ("22", "Voxtrup", 8.0900, 52.2500, 8000),
    ("23", "Nahne", 8.0650, 52.2450, 3300),
]

STREETS = [
    "Hasestraße", "Lotter Straße", "Iburger Straße", "Bramscher Straße", "Martinistraße",
    "Neuer Graben", "Wittekindstraße", "Pagenstecherstraße", "Sutthauser Straße",
    "Meller Straße", "Buersche Straße", "Hannoversche Straße", "Natruper Straße",
    "Rheiner Landstraße", "Am Schölerberg", "Johannisstraße", "Große Straße",
    "Möserstraße", "Kollegienwall", "Schlosswall", "Heger-Tor-Wall", "Konrad-Adenauer-Ring",
    "Hansastraße", "Ernst-Sievers-Straße", "Knollstraße", "Bohmter Straße",
]

# Wallring and the inner city, where the parking spaces for disabled people are.
INNENSTADT_BBOX = (8.0360, 52.2705, 8.0560, 52.2830)
CITY_BBOX = (7.9700, 52.2300, 8.1300, 52.3300)


def _rng(name: str) -> random.Random:
    return random.Random(f"osnabrueck-demo:{name}")


def _csv(header: list[str], rows: Iterable[Iterable]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _geojson(features: list[dict]) -> bytes:
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")


def _point(lon: float, lat: float, props: dict) -> dict:
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}}


def _random_points(name: str, n: int, bbox=CITY_BBOX) -> list[tuple[float, float]]:
    rng = _rng(name)
    minx, miny, maxx, maxy = bbox
    return [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(n)]


def _hours(days: int, step_hours: int = 1) -> list[dt.datetime]:
    start = EPOCH - dt.timedelta(days=days)
    return [start + dt.timedelta(hours=h) for h in range(0, days * 24, step_hours)]


def _iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Areas ------------------------------------------------------------------------------

def stadtteile_geojson() -> bytes:
    """Voronoi cells of the Stadtteil centroids, clipped to an approximate city outline."""
    from shapely.geometry import MultiPoint, Point, mapping
    from shapely.ops import voronoi_diagram

    centre = Point(8.0472, 52.2799)
    outline = centre.buffer(1.0, resolution=32)
    outline = _scale(outline, 0.072, 0.052)
    cells = voronoi_diagram(MultiPoint([(s[2], s[3]) for s in STADTTEILE]), envelope=outline)
    features = []
    for number, name, lon, lat, population in STADTTEILE:
        cell = next(c for c in cells.geoms if c.contains(Point(lon, lat)))
        shape = cell.intersection(outline).simplify(0.0002)
        geometry = json.loads(json.dumps(mapping(shape)))
        geometry["coordinates"] = _round_coords(geometry["coordinates"])
        features.append({"type": "Feature", "geometry": geometry,
                         "properties": {"nummer": number, "name": name, "einwohner": population}})
    return _geojson(features)


def _scale(geom, sx: float, sy: float):
    from shapely import affinity
    return affinity.scale(geom, xfact=sx, yfact=sy)


def _round_coords(value):
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
        return [round(v, 5) for v in value]
    return [_round_coords(v) for v in value]


def bevoelkerung_stadtteile_csv() -> bytes:
    rng = _rng("bevoelkerung")
    rows = []
    for number, name, _, _, population in STADTTEILE:
        female = round(population * rng.uniform(0.49, 0.53))
        under18 = round(population * rng.uniform(0.12, 0.19))
        over65 = round(population * rng.uniform(0.15, 0.26))
        rows.append([number, name, population, population - female, female, under18, over65])
    return _csv(["Stadtteil_Nr", "Stadtteil", "Einwohner", "maennlich", "weiblich",
                 "unter_18", "65_und_aelter"], rows)


# --- Traffic ----------------------------------------------------------------------------

def baustellen_geojson() -> bytes:
    rng = _rng("baustellen")
    kinds = ["Kanalbau", "Fahrbahnsanierung", "Leitungsbau (Fernwärme)", "Leitungsbau (Glasfaser)",
             "Gehwegsanierung", "Brückenprüfung", "Radwegebau"]
    limits = ["Vollsperrung", "halbseitige Sperrung", "Fahrstreifenreduzierung", "keine"]
    features = []
    for i, (lon, lat) in enumerate(_random_points("baustellen", 18)):
        start = EPOCH.date() - dt.timedelta(days=rng.randint(0, 90))
        features.append(_point(lon, lat, {
            "id": f"BS-2026-{i + 101:04d}", "strasse": rng.choice(STREETS), "art": rng.choice(kinds),
            "einschraenkung": rng.choice(limits), "beginn": start.isoformat(),
            "ende": (start + dt.timedelta(days=rng.randint(14, 240))).isoformat(),
            "traeger": rng.choice(["Stadt Osnabrück", "SWO Netz GmbH", "Stadtwerke Osnabrück AG"]),
        }))
    return _geojson(features)


def baustellen_csv() -> bytes:
    features = json.loads(baustellen_geojson())["features"]
    rows = [[f["properties"][k] for k in ("id", "strasse", "art", "einschraenkung", "beginn", "ende")]
            + f["geometry"]["coordinates"][::-1] for f in features]
    return _csv(["id", "strasse", "art", "einschraenkung", "beginn", "ende", "lat", "lon"], rows)


KREUZUNGEN = ["Neumarkt", "Rosenplatz", "Hasetor", "Heger Tor", "Berliner Platz",
              "Johannistorwall/Martinistraße", "Schlosswall/Kommenderiestraße", "Wittekindplatz"]


def verkehrszaehlung_csv() -> bytes:
    rng = _rng("verkehr")
    rows = []
    for ts in _hours(7):
        peak = 1.0 + 1.6 * math.exp(-((ts.hour - 8) ** 2) / 4) + 1.4 * math.exp(-((ts.hour - 17) ** 2) / 5)
        night = 0.15 if ts.hour < 5 else 1.0
        for name in KREUZUNGEN:
            base = rng.randint(250, 420) * peak * night
            rows.append([_iso(ts), name, round(base), round(base * rng.uniform(0.12, 0.3)),
                         round(base * rng.uniform(0.08, 0.25))])
    return _csv(["zeitpunkt", "knotenpunkt", "kfz", "rad", "fussverkehr"], rows)


def behindertenparkplaetze_geojson() -> bytes:
    rng = _rng("bpp")
    features = []
    for i, (lon, lat) in enumerate(_random_points("bpp", 42, INNENSTADT_BBOX)):
        features.append(_point(lon, lat, {
            "stellplatz": f"BPP-{i + 1:03d}", "strasse": rng.choice(STREETS[:22]),
            "status": rng.choice(["frei", "belegt", "belegt"]),
            "zeitpunkt": _iso(EPOCH - dt.timedelta(minutes=rng.randint(1, 240))),
        }))
    return _geojson(features)


def behindertenparkplaetze_csv() -> bytes:
    features = json.loads(behindertenparkplaetze_geojson())["features"]
    rows = [[f["properties"]["stellplatz"], f["properties"]["strasse"], f["properties"]["status"],
             f["properties"]["zeitpunkt"], *f["geometry"]["coordinates"][::-1]] for f in features]
    return _csv(["stellplatz", "strasse", "status", "zeitpunkt", "lat", "lon"], rows)


PARKHAEUSER = [("Ledenhof", 8.0452, 52.2741, 375), ("Nikolaizentrum", 8.0468, 52.2773, 580),
               ("Vitihof", 8.0412, 52.2786, 240), ("Stadthaus", 8.0491, 52.2733, 520),
               ("Theater", 8.0459, 52.2799, 330), ("Kollegienwall", 8.0512, 52.2737, 610),
               ("Altstadt", 8.0402, 52.2793, 410), ("Osnabrückhalle", 8.0413, 52.2731, 450),
               ("Hauptbahnhof", 8.0613, 52.2726, 700)]


def parkhaeuser_json() -> bytes:
    rng = _rng("parkhaeuser")
    items = [{"name": f"Parkhaus {name}", "kapazitaet": cap, "frei": rng.randint(0, cap),
              "lon": lon, "lat": lat, "zeitpunkt": _iso(EPOCH)}
             for name, lon, lat, cap in PARKHAEUSER]
    return json.dumps({"betreiber": "OPG Osnabrücker Parkstätten-Betriebsgesellschaft",
                       "parkhaeuser": items}, ensure_ascii=False, indent=1).encode("utf-8")


HALTESTELLEN = ["Neumarkt", "Hauptbahnhof", "Rosenplatz", "Nikolaiort", "Ledenhof", "Hasetor",
                "Heger Tor", "Lortzingstraße", "Rißmüllerplatz", "Universität/Schloss",
                "Altstadt Bahnhof", "Limberg", "Sutthauser Straße", "Schölerberg/Zoo",
                "Haster Mühle", "Dodesheide", "Lüstringen", "Voxtrup Kirche", "Hellern",
                "Atter Kirche", "Eversburg Büren", "Pye Kirche", "Nahne", "Fledder", "Widukindland"]


def haltestellen_geojson() -> bytes:
    rng = _rng("haltestellen")
    points = _random_points("haltestellen", len(HALTESTELLEN))
    return _geojson([_point(lon, lat, {"name": name, "linien": sorted(rng.sample(range(11, 95), 3)),
                                       "barrierefrei": rng.random() < 0.7})
                     for name, (lon, lat) in zip(HALTESTELLEN, points)])


def poi_geojson(kind: str, n: int, props: Callable[[random.Random, int], dict],
                bbox=CITY_BBOX) -> bytes:
    rng = _rng(kind)
    return _geojson([_point(lon, lat, props(rng, i))
                     for i, (lon, lat) in enumerate(_random_points(kind, n, bbox))])


def radverkehrsnetz_geojson() -> bytes:
    rng = _rng("rad")
    features = []
    for i, (number, name, lon, lat, _) in enumerate(STADTTEILE):
        coords = [[round(8.0472 + (lon - 8.0472) * f + rng.uniform(-0.002, 0.002), 6),
                   round(52.2799 + (lat - 52.2799) * f + rng.uniform(-0.002, 0.002), 6)]
                  for f in (0.1, 0.4, 0.7, 1.0)]
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                         "properties": {"route": f"Radroute Innenstadt – {name}",
                                        "typ": rng.choice(["Radweg", "Radfahrstreifen", "Fahrradstraße"])}})
    return _geojson(features)


# --- Environment sensors -----------------------------------------------------------------

def grundwasser_geojson() -> bytes:
    rng = _rng("gwm")
    return _geojson([_point(lon, lat, {"messstelle": f"GWM{i + 1:03d}", "gelaendehoehe_m": round(rng.uniform(60, 110), 2),
                                       "filtertiefe_m": round(rng.uniform(5, 30), 1)})
                     for i, (lon, lat) in enumerate(_random_points("gwm", 12))])


def grundwasser_csv() -> bytes:
    rng = _rng("gwm-series")
    rows = []
    for i in range(12):
        level = rng.uniform(55, 95)
        for month in range(1, 13):
            seasonal = 0.6 * math.cos((month - 3) / 12 * 2 * math.pi)
            rows.append([f"GWM{i + 1:03d}", f"2025-{month:02d}-15", round(level + seasonal + rng.uniform(-0.1, 0.1), 2)])
    return _csv(["messstelle", "datum", "grundwasserstand_m_nhn"], rows)


def baumsensorik_csv() -> bytes:
    rng = _rng("baum")
    rows = []
    for ts in _hours(7):
        for tree in ("Linde", "Ahorn", "Eiche"):
            for depth in (30, 60, 90):
                moisture = 28 - depth / 15 + 4 * math.sin(ts.hour / 24 * 2 * math.pi) + rng.uniform(-1, 1)
                rows.append([_iso(ts), f"EMA-{tree}", depth, round(moisture, 1)])
    return _csv(["zeitpunkt", "baum", "tiefe_cm", "bodenfeuchte_vol_prozent"], rows)


def luftqualitaet_csv() -> bytes:
    rng = _rng("luft")
    rows = []
    for ts in _hours(14):
        rush = 1 + 0.8 * math.exp(-((ts.hour - 8) ** 2) / 3) + 0.6 * math.exp(-((ts.hour - 17) ** 2) / 4)
        no2 = 22 * rush + rng.uniform(-4, 4)
        pm10 = 16 + 5 * rush + rng.uniform(-3, 3)
        rows.append([_iso(ts), round(no2, 1), round(pm10, 1), round(pm10 * rng.uniform(0.55, 0.7), 1)])
    return _csv(["zeitpunkt", "no2_ug_m3", "pm10_ug_m3", "pm2_5_ug_m3"], rows)


def bodentemperatur_csv() -> bytes:
    rng = _rng("boden")
    rows = []
    for ts in _hours(7, 3):
        for depth in (5, 20, 50):
            amplitude = 4 / (1 + depth / 10)
            rows.append([_iso(ts), depth, round(7.5 + amplitude * math.sin((ts.hour - 9) / 24 * 2 * math.pi)
                                                   + rng.uniform(-0.2, 0.2), 2)])
    return _csv(["zeitpunkt", "tiefe_cm", "temperatur_c"], rows)


def treibhausgas_csv() -> bytes:
    sectors = {"Private Haushalte": 520, "Gewerbe, Handel, Dienstleistungen": 390,
               "Industrie": 330, "Verkehr": 410, "Kommunale Einrichtungen": 45}
    rows = []
    for year in (1990, 2005, *range(2010, 2024)):
        factor = 1.0 if year == 1990 else max(0.45, 1 - (year - 1995) * 0.018)
        rows += [[year, sector, round(value * factor)] for sector, value in sectors.items()]
    return _csv(["jahr", "sektor", "co2e_kilotonnen"], rows)


# --- Society, government ------------------------------------------------------------------

def wahlergebnisse_csv() -> bytes:
    rng = _rng("wahl")
    parties = {"CDU": 27, "SPD": 24, "GRÜNE": 26, "FDP": 6, "DIE LINKE": 4, "AfD": 4, "UWG": 3, "Volt": 3}
    rows = []
    for number, name, *_ in STADTTEILE:
        shares = {p: max(0.5, v + rng.uniform(-6, 6)) for p, v in parties.items()}
        total = sum(shares.values())
        rows += [[2021, number, name, party, round(100 * share / total, 1)] for party, share in shares.items()]
    return _csv(["wahljahr", "stadtteil_nr", "stadtteil", "partei", "stimmenanteil_prozent"], rows)


def arbeitsmarkt_csv() -> bytes:
    rng = _rng("arbeit")
    rows = [[f"{year}-{month:02d}", round(7400 + 300 * math.cos(month / 12 * 2 * math.pi) - (year - 2020) * 120
                                         + rng.uniform(-80, 80))]
            for year in range(2020, 2026) for month in range(1, 13)]
    return _csv(["monat", "arbeitslose"], rows)


def geburten_csv() -> bytes:
    rng = _rng("geburten")
    rows = [[year, rng.randint(1550, 1750), rng.randint(1650, 1900)] for year in range(2010, 2025)]
    return _csv(["jahr", "geburten", "sterbefaelle"], rows)


def ratsbeschluesse_csv() -> bytes:
    rows = [
        ["VO/2021/0298-03", "2021-06-29", "Rat der Stadt Osnabrück",
         "Ziel der Klimaneutralität der Stadt Osnabrück und Weg dorthin", "beschlossen"],
        ["VO/2022/1034", "2022-03-15", "Rat der Stadt Osnabrück", "Digitalisierungsstrategie der Stadt Osnabrück", "beschlossen"],
        ["VO/2022/1588", "2022-09-27", "Ausschuss für Stadtentwicklung und Umwelt", "Radverkehrsplan 2030", "beschlossen"],
        ["VO/2023/2251", "2023-02-14", "Rat der Stadt Osnabrück", "Haushaltssatzung 2023", "beschlossen"],
        ["VO/2023/3120", "2023-11-21", "Betriebsausschuss OSB", "Abfallgebühren 2024", "beschlossen"],
        ["VO/2024/0412", "2024-04-16", "Rat der Stadt Osnabrück", "Hitzeaktionsplan Osnabrück", "beschlossen"],
        ["VO/2024/1733", "2024-10-08", "Ausschuss für Finanzen und Beteiligungen", "Open-Data-Leitlinie", "beschlossen"],
        ["VO/2025/0087", "2025-01-28", "Rat der Stadt Osnabrück", "Wärmeplanung – kommunaler Wärmeplan", "beschlossen"],
        ["VO/2025/0954", "2025-06-24", "Ausschuss für Stadtentwicklung und Umwelt", "Baumschutzsatzung – Änderung", "vertagt"],
    ]
    return _csv(["vorlage", "datum", "gremium", "titel", "ergebnis"], rows)


def sitzungstermine_csv() -> bytes:
    bodies = ["Rat der Stadt Osnabrück", "Ausschuss für Stadtentwicklung und Umwelt",
              "Ausschuss für Finanzen und Beteiligungen", "Schulausschuss", "Sozialausschuss"]
    rows = [[(dt.date(2026, 1, 13) + dt.timedelta(weeks=3 * i)).isoformat(), bodies[i % len(bodies)],
             "Rathaus, Sitzungssaal" if i % len(bodies) == 0 else "Stadthaus 1, Raum 102"] for i in range(17)]
    return _csv(["datum", "gremium", "ort"], rows)


def abfuhrkalender_csv() -> bytes:
    kinds = {"Restmüll": 14, "Bioabfall": 14, "Altpapier": 28, "Gelber Sack": 14}
    rows = []
    for district in range(1, 7):
        for offset, (kind, interval) in enumerate(kinds.items()):
            day = dt.date(2026, 1, 2) + dt.timedelta(days=district - 1 + offset * 2)
            while day.year == 2026:
                rows.append([f"Abfuhrbezirk {district}", kind, day.isoformat()])
                day += dt.timedelta(days=interval)
    return _csv(["bezirk", "abfallart", "datum"], rows)


def baeder_csv() -> bytes:
    rng = _rng("baeder")
    rows = []
    for bath, base in (("Nettebad", 32000), ("Moskaubad", 21000), ("Schinkelbad", 9000)):
        for month in range(1, 13):
            summer = 1.6 if month in (6, 7, 8) and bath == "Moskaubad" else 1.0
            rows.append([bath, f"2025-{month:02d}", round(base * summer * rng.uniform(0.8, 1.15))])
    return _csv(["bad", "monat", "besuche"], rows)


def _xlsx(sheet: str, header: list[str], rows: Iterable[Iterable]) -> bytes:
    """An XLSX workbook with fixed timestamps, so that the same rows give the same bytes
    (openpyxl stamps the save time into docProps/core.xml and the zip entries)."""
    import re

    from openpyxl import Workbook

    book = Workbook()
    table = book.active
    table.title = sheet
    table.append(header)
    for row in rows:
        table.append(list(row))
    raw, fixed = io.BytesIO(), io.BytesIO()
    book.save(raw)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2026-11-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(item.filename, date_time=(2026, 11, 1, 0, 0, 0)), data)
    return fixed.getvalue()


def energieverbrauch_xlsx() -> bytes:
    """Monthly electricity use (MWh) of three city buildings, 2024-2025, one column each."""
    rng = _rng("energie")
    buildings = (("Rathaus", 95), ("Stadthaus", 140), ("Stadtbibliothek", 60))
    rows = []
    for year in (2024, 2025):
        for month in range(1, 13):
            winter = 1.25 if month in (1, 2, 11, 12) else 1.0
            rows.append([dt.date(year, month, 1)] + [round(base * winter * rng.uniform(0.9, 1.1), 1)
                                                     for _, base in buildings])
    return _xlsx("Stromverbrauch", ["monat"] + [f"{name.lower()}_mwh" for name, _ in buildings], rows)


def _choice_props(**choices):
    def props(rng: random.Random, i: int) -> dict:
        return {key: (rng.choice(value) if isinstance(value, list) else value.format(i=i + 1, street=rng.choice(STREETS)))
                for key, value in choices.items()}
    return props


GENERATORS: dict[str, Callable[[], bytes]] = {
    "stadtteile.geojson": stadtteile_geojson,
    "bevoelkerung-stadtteile.csv": bevoelkerung_stadtteile_csv,
    "baustellen.geojson": baustellen_geojson,
    "baustellen.csv": baustellen_csv,
    "verkehrszaehlung.csv": verkehrszaehlung_csv,
    "behindertenparkplaetze.geojson": behindertenparkplaetze_geojson,
    "behindertenparkplaetze.csv": behindertenparkplaetze_csv,
    "parkhaeuser.json": parkhaeuser_json,
    "haltestellen.geojson": haltestellen_geojson,
    "radverkehrsnetz.geojson": radverkehrsnetz_geojson,
    "grundwassermessstellen.geojson": grundwasser_geojson,
    "grundwasserstaende.csv": grundwasser_csv,
    "baumsensorik.csv": baumsensorik_csv,
    "luftqualitaet-schlosswall.csv": luftqualitaet_csv,
    "bodentemperatur.csv": bodentemperatur_csv,
    "treibhausgasbilanz.csv": treibhausgas_csv,
    "kommunalwahl-2021.csv": wahlergebnisse_csv,
    "arbeitslose.csv": arbeitsmarkt_csv,
    "geburten-sterbefaelle.csv": geburten_csv,
    "ratsbeschluesse.csv": ratsbeschluesse_csv,
    "sitzungstermine.csv": sitzungstermine_csv,
    "abfuhrkalender-2026.csv": abfuhrkalender_csv,
    "baeder-besuche.csv": baeder_csv,
    "stromverbrauch-gebaeude.xlsx": energieverbrauch_xlsx,
    "spielplaetze.geojson": lambda: poi_geojson("spielplatz", 34, _choice_props(
        name="Spielplatz {street}", altersgruppe=["0–6 Jahre", "6–12 Jahre", "alle Altersgruppen"])),
    "ladesaeulen.geojson": lambda: poi_geojson("lade", 28, _choice_props(
        standort="{street}", betreiber=["Stadtwerke Osnabrück AG"], leistung_kw=["11", "22", "50", "150"],
        stecker=["Typ 2", "Typ 2, CCS", "CCS, CHAdeMO"])),
    "kitas.geojson": lambda: poi_geojson("kita", 30, _choice_props(
        name="Kita {street}", traeger=["Stadt Osnabrück", "kirchlich", "freier Träger"])),
    "schulen.geojson": lambda: poi_geojson("schule", 26, _choice_props(
        name="Schule an der {street}", schulform=["Grundschule", "Oberschule", "Gymnasium", "Gesamtschule"])),
    "wlan-hotspots.geojson": lambda: poi_geojson("wlan", 24, _choice_props(
        standort="{street}", netz=["Osnabrück WLAN"]), INNENSTADT_BBOX),
    "lorawan-gateways.geojson": lambda: poi_geojson("lora", 18, _choice_props(
        gateway="GW-{i:02d}", frequenz=["868 MHz"], betreiber=["SWO Netz GmbH"])),
    "strassenbaeume.geojson": lambda: poi_geojson("baeume", 120, _choice_props(
        baum_nr="B-{i:05d}", gattung=["Linde", "Ahorn", "Eiche", "Platane", "Hainbuche", "Kastanie"])),
    "trinkwasserbrunnen.geojson": lambda: poi_geojson("brunnen", 14, _choice_props(
        standort="{street}", betrieb=["April bis Oktober"]), INNENSTADT_BBOX),
    "glascontainer.geojson": lambda: poi_geojson("glas", 60, _choice_props(
        standort="{street}", fraktionen=["Weiß, Grün, Braun"])),
    "fahrradabstellanlagen.geojson": lambda: poi_geojson("radparken", 45, _choice_props(
        standort="{street}", stellplaetze=["10", "20", "40", "120"], ueberdacht=["ja", "nein"]), INNENSTADT_BBOX),
    "bebauungsplaene.geojson": lambda: poi_geojson("bplan", 40, _choice_props(
        plan="Bebauungsplan Nr. {i:03d}", status=["rechtskräftig", "im Verfahren"])),
    "recyclinghoefe.geojson": lambda: poi_geojson("recycling", 4, _choice_props(
        name="Recyclinghof {street}", oeffnungszeiten=["Mo–Fr 8–18 Uhr, Sa 8–14 Uhr"])),
}


def generate(name: str) -> bytes:
    try:
        return GENERATORS[name]()
    except KeyError:
        raise KeyError(f"no demo file generator named {name!r}") from None
