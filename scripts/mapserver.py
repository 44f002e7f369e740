"""Serves MapServer's WMS and WFS over HTTP on loopback: each GET to /ows runs Debian's
``mapserv`` as a CGI program. At start it writes the demo layers (the demo's own GeoJSON
generators) and renders config/mapserver/osnabrueck.map.tmpl into RUN_DIR.

    .venv/bin/python scripts/mapserver.py PORT RUN_DIR
"""
from __future__ import annotations

import os
import string
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

TEMPLATE = Path(__file__).resolve().parent.parent / "config" / "mapserver" / "osnabrueck.map.tmpl"
LAYERS = ("stadtteile", "baustellen", "spielplaetze")
CONFIG = """CONFIG
  ENV
    MS_MAP_PATTERN "^{dir}/"
    MS_MAPFILE "{mapfile}"
  END
END
"""


class Handler(BaseHTTPRequestHandler):
    config_file = ""
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        # Link checkers (data.europa.eu's, CKAN's resource proxy) ask with HEAD only.
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        self.head = head
        url = urlsplit(self.path)
        if url.path not in ("/ows", "/ows/"):
            return self._reply(404, [("Content-Type", "text/plain")], b"not found: use /ows\n")
        env = {"PATH": os.environ.get("PATH", "/usr/bin"), "MAPSERVER_CONFIG_FILE": self.config_file,
               "REQUEST_METHOD": "GET", "QUERY_STRING": url.query, "SCRIPT_NAME": "/ows",
               "SERVER_NAME": self.server.server_address[0], "SERVER_PORT": str(self.server.server_address[1]),
               "HTTP_HOST": self.headers.get("Host", ""), "SERVER_PROTOCOL": "HTTP/1.1"}
        try:
            done = subprocess.run(["mapserv"], env=env, capture_output=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            return self._reply(504, [("Content-Type", "text/plain")], b"mapserv timed out\n")
        head, _, body = done.stdout.partition(b"\r\n\r\n")
        if not _ or not head:
            return self._reply(500, [("Content-Type", "text/plain")], b"mapserv failed\n" + done.stderr[-500:])
        status, headers = 200, []
        for line in head.decode("latin-1").split("\r\n"):
            name, _sep, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self._reply(status, headers, body)

    def _reply(self, status: int, headers: list, body: bytes):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        # Map previews in the portal load WFS and GeoJSON from here in the browser.
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not getattr(self, "head", False):
            self.wfile.write(body)

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), format % args))


def write_mapfile(run_dir: Path) -> Path:
    from ckanext.osnabrueck.demo import files

    data = run_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    for layer in LAYERS:
        (data / f"{layer}.geojson").write_bytes(files.generate(f"{layer}.geojson"))
    mapfile = run_dir / "osnabrueck.map"
    mapfile.write_text(string.Template(TEMPLATE.read_text()).substitute(data_dir=data))
    return mapfile


def main() -> None:
    port, run_dir = int(sys.argv[1]), Path(sys.argv[2]).resolve()
    mapfile = write_mapfile(run_dir)
    config = run_dir / "mapserver.conf"
    config.write_text(CONFIG.format(dir=run_dir, mapfile=mapfile))
    Handler.config_file = str(config)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
