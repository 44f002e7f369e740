"""Pages of the osnabrueck plugin: static pages, the "Daten-API" help page and an
organisation's datasets by metadata quality."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

from .health import health
from .sitemap import sitemap

# The blueprints blanket registers: this module's and those of their own modules.
__all__ = ["osnabrueck", "health", "sitemap"]

osnabrueck = Blueprint("osnabrueck", __name__)


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


# (route and template name, English title; German in the .po catalogue)
STATIC_PAGES = [("ueber", N_("About the portal")), ("impressum", N_("Legal notice")),
                ("datenschutz", N_("Privacy policy")), ("barrierefreiheit", N_("Accessibility statement"))]


def organization_quality(id: str):
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    try:
        result = tk.get_action("osnabrueck_organization_quality")(context, {"id": id})
        org = tk.get_action("organization_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organization not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this page"))
    return tk.render("organization/quality.html",
                     {"result": result, "group_dict": org, "group_type": "organization"})


def api_help():
    return tk.render("osnabrueck/api_help.html", {"examples": tk.h.osnabrueck_api_examples()})


def tracking_beacon():
    """POST /_tracking, the page-view beacon of every page: ckanext-tracking counts it in an
    after_request hook but has no route, so the browser got a 404/405 for every page
    (security.keep_body_readable keeps its body readable; CSRF-exempt in security.install,
    as tracking.js sends no token and a forged beacon changes no one's data)."""
    return "", 204


def _static_page(name: str, title: str):
    def view():
        return tk.render(f"osnabrueck/pages/{name}.html", {"page_title": tk._(title)})
    view.__name__ = name
    return view


osnabrueck.add_url_rule("/organization/quality/<id>", view_func=organization_quality)
osnabrueck.add_url_rule("/daten-api", view_func=api_help, endpoint="api_help")
osnabrueck.add_url_rule("/_tracking", view_func=tracking_beacon, methods=["POST"])
for _name, _title in STATIC_PAGES:
    osnabrueck.add_url_rule(f"/{_name}", view_func=_static_page(_name, _title), endpoint=_name)
