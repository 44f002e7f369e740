"""Background jobs go through Redis and run in a separate `ckan jobs worker` process."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import ckan.plugins.toolkit as tk

from .jobs import write_marker

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_background_job_runs_in_a_real_worker(repo, tmp_path):
    marker = tmp_path / "marker.txt"
    token = uuid.uuid4().hex
    queue = f"osnabrueck-test-{token[:8]}"
    job = tk.enqueue_job(write_marker, [str(marker), token], queue=queue)
    assert not marker.exists(), "the job must not run inside the request process"

    # The worker imports the job by name; CKAN aliases "tests" to ckan.tests, so the
    # job module is importable as stack.jobs from the tests folder.
    env = {**os.environ, "PYTHONPATH": str(repo / "tests")}
    ckan = Path(sys.executable).parent / "ckan"
    result = subprocess.run([str(ckan), "-c", str(repo / "test.ini"), "jobs", "worker", "--burst", queue],
                   check=True, env=env, cwd=repo, timeout=120, capture_output=True, text=True)

    assert marker.read_text() == token, result.stderr[-2000:]
    job.refresh()
    assert job.get_status() == "finished"
