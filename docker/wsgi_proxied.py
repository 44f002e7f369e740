"""WSGI entry point of the image: the application of config/wsgi.py behind nginx.

nginx (docker/nginx/nginx.conf) overwrites X-Forwarded-For with the one client address it
saw and sets X-Forwarded-Proto, so ProxyFix may trust exactly that many hops
(OSN_PROXY_HOPS, default 1). CKAN then sees the visitor's address as REMOTE_ADDR (usage
statistics of ckanext-tracking, login failure logs) instead of nginx's.
"""
import importlib.util
import os
from pathlib import Path

from werkzeug.middleware.proxy_fix import ProxyFix

_WSGI = Path(os.environ.get("OSN_WSGI_FILE", "/srv/app/config/wsgi.py"))
_spec = importlib.util.spec_from_file_location("osn_config_wsgi", _WSGI)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

_hops = int(os.environ.get("OSN_PROXY_HOPS", "1"))
application = ProxyFix(_module.application, x_for=_hops, x_proto=_hops) if _hops > 0 else _module.application
