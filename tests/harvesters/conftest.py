"""Fixtures for the harvester tests: the test FROST-Server, and a scripted HTTP server on
loopback for the failures a real source shows (down, slow, 5xx, broken JSON, loops)."""
from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg2
import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
FROST_URL = f"http://127.0.0.1:{os.environ.get('OSN_FROST_TEST_PORT', '8091')}/FROST-Server/v1.1"


def _frost_connection():
    secrets = json.loads((REPO / ".run" / "secrets.json").read_text())
    return psycopg2.connect(host="127.0.0.1", port=os.environ.get("OSN_PG_PORT", "5432"), dbname="frost_test",
                            user="frost", password=secrets["frost_db_password"])


@pytest.fixture
def frost():
    """The test FROST-Server (scripts/services.sh start frost_test), emptied."""
    try:
        requests.get(FROST_URL, timeout=5).raise_for_status()
    except requests.RequestException as error:
        pytest.fail(f"the test FROST-Server does not answer at {FROST_URL} ({error}); make test starts it")
    with _frost_connection() as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT ILIKE 'databasechangelog%' AND tableowner = current_user")
        tables = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
        cur.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return FROST_URL


class Script:
    """Answers per path: a list of (status, body, delay) used in turn, the last one repeated."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, str, float]]] = {}
        self.hits: dict[str, int] = {}

    def answer(self, path: str, *responses):
        self.routes[path] = list(responses)

    def next(self, path: str):
        count = self.hits.get(path, 0)
        self.hits[path] = count + 1
        responses = self.routes.get(path) or [(404, "not found", 0)]
        return responses[min(count, len(responses) - 1)]


@pytest.fixture
def scripted_server():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body, delay = script.next(self.path)
            time.sleep(delay)
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                self.wfile.write(payload)
            except BrokenPipeError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield script
    server.shutdown()
    server.server_close()
