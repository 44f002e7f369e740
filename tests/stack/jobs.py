"""Functions the background-job test enqueues; importable by a separate worker process."""
from pathlib import Path


def write_marker(path: str, text: str) -> str:
    Path(path).write_text(text)
    return text
