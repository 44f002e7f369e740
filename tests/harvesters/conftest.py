"""The harvester tests' fixtures live in ../conftest.py: the scripted HTTP server
(scripted.py) and the FROST, MapServer and CSW fixtures."""
