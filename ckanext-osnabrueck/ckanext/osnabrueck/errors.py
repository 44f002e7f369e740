"""Error pages in the UI language.

CKAN's error page shows werkzeug's English name ("404 Not Found") and, unless an action
gave its own (translated) message, werkzeug's English description.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from werkzeug.exceptions import default_exceptions

from .views import N_

TITLES = {400: N_("Bad request"), 403: N_("Access denied"), 404: N_("Page not found"),
          405: N_("Method not allowed"), 409: N_("Conflict"), 413: N_("Request too large"),
          429: N_("Too many requests"), 500: N_("Server error"), 503: N_("Service unavailable")}
TEXTS = {403: N_("You are not allowed to see this page."),
         404: N_("The page you asked for does not exist, or no longer does. The search may find what you were looking for."),
         500: N_("Something went wrong on our side. Please try again later.")}


def page(code, content) -> dict:
    """Title and text of the error page (code may be CKAN's [500] for a crash)."""
    code = code[0] if isinstance(code, list) else code
    werkzeug = getattr(default_exceptions.get(code), "description", None)
    own = content if content and content not in (werkzeug, "Internal server error") else None
    fallback = TEXTS.get(code) or (TEXTS[500] if code >= 500 else "")
    return {"code": code, "title": tk._(TITLES.get(code, N_("Error"))), "text": own or (tk._(fallback) if fallback else "")}
