"""WSGI entry point of the portal, for gunicorn.

The config file comes from CKAN_INI (set by scripts/portal.sh and the Docker image).
"""
import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

application = make_app(CKANConfigLoader(os.environ["CKAN_INI"]).get_config())
