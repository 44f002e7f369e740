"""gunicorn settings of the web app, shared by the local run (scripts/portal.sh), the served
test site (tests/served.py) and the production image (docker/entrypoint.sh).

Threaded workers (gthread) instead of sync ones: a sync worker reads one request at a
time, so a few clients that send their headers slowly held all three workers (four such
sockets delayed every other request by 17 s; tests/security/test_headers.py). Idle
keep-alive connections wait in the worker's poller, not in a thread. In production nginx
buffers whole requests in front of gunicorn and cuts slow clients off itself.
"""
import os

worker_class = "gthread"
workers = int(os.environ.get("OSN_WEB_WORKERS", "3"))
threads = int(os.environ.get("OSN_WEB_THREADS", "8"))
timeout = int(os.environ.get("OSN_WEB_TIMEOUT", "120"))
graceful_timeout = 20
keepalive = 5
# Request line and headers are bounded (gunicorn's defaults, stated here on purpose).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
