"""The harvest queue consumers must survive idle queues under redis-py 8."""
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ckanext.harvest import queue
from ckanext.osnabrueck_harvesters import consumers

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_blocking_redis_drops_the_socket_timeout(monkeypatch):
    monkeypatch.setattr(queue, "get_connection_redis", queue.get_connection_redis)
    consumers.blocking_redis()
    consumers.blocking_redis()  # idempotent: wraps once
    connection = queue.get_connection_redis()
    assert connection.connection_pool.connection_kwargs["socket_timeout"] is None
    assert queue.get_connection_redis.__wrapped__.__name__ == "get_connection_redis"


def test_unknown_stage_is_rejected():
    with pytest.raises(ValueError, match="unknown harvest stage 'import'"):
        consumers.run("import")


@pytest.mark.parametrize("stage", ["gather", "fetch"])
def test_idle_consumer_keeps_running(repo, stage):
    ckan = Path(sys.executable).parent / "ckan"
    proc = subprocess.Popen([str(ckan), "-c", str(repo / "test.ini"), "osnabrueck", "harvest-consumer", stage],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(8)  # longer than redis-py 8's default 5 s socket timeout
        assert proc.poll() is None, proc.stdout.read()[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_failing_consumer_starts_again(monkeypatch):
    """An error escaping a stage (Solr gone during gather) must not end the consumer."""
    calls = []

    def consumer():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("Solr ist weg")

    monkeypatch.setattr(consumers.utils, "gather_consumer", consumer)
    monkeypatch.setattr(consumers, "RESTART_DELAY", 0)
    monkeypatch.setattr(consumers, "blocking_redis", lambda: None)
    logged = []
    monkeypatch.setattr(consumers.log, "exception", lambda message, *args: logged.append(message % args))
    consumers.run("gather")
    assert len(calls) == 3
    assert logged == ["harvest gather consumer failed; starting again in 0 s"] * 2
