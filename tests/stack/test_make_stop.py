"""`make run` then `make stop` on a second, throw-away stack: nothing may be left running.

The stack under test gets its own data folder and ports, so the services this test
session itself uses stay up.
"""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

PORTS = {"OSN_PG_PORT": 25432, "OSN_REDIS_PORT": 26379, "OSN_SOLR_PORT": 28983, "OSN_CKAN_PORT": 25000,
         "OSN_FROST_PORT": 28090, "OSN_MAPSERVER_PORT": 28092, "OSN_PYCSW_PORT": 28093}


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _processes_using(path: Path) -> list[str]:
    """Command lines of live processes that mention `path` or run inside it."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(path) in cmdline or cwd.startswith(str(path)):
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found


@pytest.fixture
def throwaway_stack(repo):
    run_dir = repo / ".run" / "stop-test"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    env = {**os.environ, "OSN_RUN_DIR": str(run_dir), "OSN_SKIP_DEMO": "1", "OSN_SOLR_HEAP": "384m",
           **{key: str(port) for key, port in PORTS.items()}}
    taken = [port for port in PORTS.values() if _listening(port)]
    if taken:
        pytest.fail(f"ports {taken} are taken; the stop test needs them free")
    yield run_dir, env
    subprocess.run(["make", "-s", "stop"], cwd=repo, env=env, capture_output=True)
    shutil.rmtree(run_dir, ignore_errors=True)


def test_make_stop_leaves_no_process_behind(repo, throwaway_stack):
    run_dir, env = throwaway_stack
    started = subprocess.run(["make", "-s", "run"], cwd=repo, env=env, capture_output=True, text=True,
                             timeout=600)
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    assert all(_listening(port) for port in PORTS.values()), "make run did not start every service"
    assert _processes_using(run_dir), "expected the stack's processes to be found by their paths"
    time.sleep(7)  # the portal's long-running processes must still be up after a pause
    status = subprocess.run(["bash", "scripts/portal.sh", "status"], cwd=repo, env=env,
                            capture_output=True, text=True)
    assert status.returncode == 0, status.stdout

    stopped = subprocess.run(["make", "-s", "stop"], cwd=repo, env=env, capture_output=True, text=True,
                             timeout=300)
    assert stopped.returncode == 0, stopped.stderr[-3000:]
    assert [port for port in PORTS.values() if _listening(port)] == []
    assert _processes_using(run_dir) == []
    assert not list((run_dir / "pids").glob("*.pid"))


def test_taken_port_is_reported_clearly(repo):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {**os.environ, "OSN_RUN_DIR": str(repo / ".run" / "port-test"), "OSN_REDIS_PORT": str(port)}
        result = subprocess.run(["bash", "scripts/services.sh", "start", "redis"], cwd=repo, env=env,
                                capture_output=True, text=True, timeout=60)
    shutil.rmtree(repo / ".run" / "port-test", ignore_errors=True)
    assert result.returncode != 0
    assert f"port {port} (for redis) is already taken" in result.stderr
