"""Routes a scripted server (../conftest.py) to the recorded ArcGIS REST responses."""
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
ROOT = "/arcgis/rest/services"


def replay(script, data: dict[str, object] | None = None) -> str:
    """Answer every recorded resource; returns the services directory URL of the server."""
    for path, body in (data or recorded()).items():
        script.answer(f"{ROOT}{path}?f=json", (200, json.dumps(body), 0))
    return script.url + ROOT


def recorded() -> dict[str, object]:
    """Resource path below the services directory ("" for the root) → its JSON."""
    found = {}
    for path in (DATA / "rest").rglob("*.json"):
        relative = str(path.relative_to(DATA / "rest").with_suffix(""))
        found["" if relative == "_root" else f"/{relative}"] = json.loads(path.read_text())
    return found
