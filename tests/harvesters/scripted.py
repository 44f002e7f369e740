"""A scripted HTTP server on loopback: it answers each path from a script, for the failures
a real source shows (down, slow, 5xx, broken documents, loops) and for replaying recorded
responses. Used by the harvester tests (fixture ``scripted_server``) and the benchmarks."""
from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Trickle(bytes):
    """A body sent one byte at a time with a pause before each: a server that is slow but
    never silent for long, so no read timeout ends it."""

    def __new__(cls, size: int, pause: float):
        body = super().__new__(cls, b"x" * size)
        body.pause = pause
        return body


class Script:
    """Answers per path: a list of (status, body, delay) used in turn, the last one repeated.
    A request whose path has no route of its own takes the first route contained in it."""

    def __init__(self):
        self.routes: dict[str, list[tuple[int, str, float]]] = {}
        self.hits: dict[str, int] = {}

    def answer(self, path: str, *responses):
        self.routes[path] = list(responses)

    def trickle(self, path: str, chunks: int, pause: float):
        self.answer(path, (200, Trickle(chunks, pause), 0))

    def next(self, path: str):
        if path not in self.routes:
            path = next((key for key in self.routes if key in path), path)
        count = self.hits.get(path, 0)
        self.hits[path] = count + 1
        responses = self.routes.get(path) or [(404, "not found", 0)]
        return responses[min(count, len(responses) - 1)]


@contextlib.contextmanager
def serve(script: Script):
    """Serve the script on a free loopback port (as ``script.url``) while in the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body, delay = script.next(self.path)
            time.sleep(delay)
            if isinstance(body, bytes):
                payload, kind = body, "application/octet-stream"
            else:
                payload, kind = (body.encode() if isinstance(body, str) else json.dumps(body).encode()), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            try:
                for part in ([payload[i:i + 1] for i in range(len(payload))] if isinstance(body, Trickle)
                             else [payload]):
                    time.sleep(getattr(body, "pause", 0))
                    self.wfile.write(part)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield script
    finally:
        server.shutdown()
        server.server_close()
