"""Harvesting the city's IoT platform: an OGC SensorThings API v1.1 (FROST-Server)."""
