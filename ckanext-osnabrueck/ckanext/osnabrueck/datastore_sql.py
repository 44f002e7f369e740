"""The functions ``datastore_search_sql`` may call: CKAN's list without those that run SQL
passed as text, which the DataStore's check of the queried tables never sees.
``ts_rewrite(query, select)`` let anonymous users read private tables
(tests/security/test_leaks.py: test_datastore). The list is written at start-up from the
installed CKAN's, so that CKAN updates of it take effect here too."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

UNSAFE = {"ts_rewrite"}
KEY = "ckan.datastore.sqlsearch.allowed_functions_file"


def ckan_allowlist() -> Path:
    from ckanext.datastore.plugin import sql_functions_allowlist_file

    return Path(sql_functions_allowlist_file())


def write_allowlist(directory: Path | None = None) -> Path:
    """CKAN's list without UNSAFE, written atomically (every web worker starts with this)."""
    names = [line for line in ckan_allowlist().read_text().splitlines()
             if line.strip().strip('"').lower() not in UNSAFE]
    target = Path(directory or tempfile.gettempdir()) / f"osnabrueck-datastore-functions-{os.getuid()}.txt"
    partial = target.with_name(f"{target.name}.{os.getpid()}")
    partial.write_text("\n".join(names) + "\n")
    partial.replace(target)
    return target


def use_allowlist(config) -> None:
    """Point the DataStore at the portal's list, unless the site configures its own."""
    configured = config.get(KEY)
    if not configured or Path(configured) == ckan_allowlist():
        config[KEY] = str(write_allowlist())
