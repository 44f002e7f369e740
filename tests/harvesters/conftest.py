"""Fixtures for the harvester tests: a scripted HTTP server on loopback (scripted.py).
The FROST, MapServer and CSW fixtures are in ../conftest.py."""
import pytest

from .scripted import Script, serve


@pytest.fixture
def scripted_server():
    with serve(Script()) as script:
        yield script
