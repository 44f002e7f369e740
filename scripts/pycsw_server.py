"""Serves pycsw 2.6 (CSW 2.0.2) on loopback; run with the pycsw venv's Python.

    .venv-pycsw/bin/python scripts/pycsw_server.py CONFIG PORT
"""
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-"):
        if str(code) >= "400":
            super().log_request(code, size)


def main() -> None:
    config, port = sys.argv[1], int(sys.argv[2])
    os.environ["PYCSW_CONFIG"] = config
    from pycsw.wsgi import application

    make_server("127.0.0.1", port, application, ThreadingServer, QuietHandler).serve_forever()


if __name__ == "__main__":
    main()
