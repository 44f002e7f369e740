"""Harvesters of Open Data Osnabrück: SensorThings (FROST), ArcGIS/OGC and CSW."""
