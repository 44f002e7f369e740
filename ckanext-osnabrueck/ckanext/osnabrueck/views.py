"""Pages of the osnabrueck plugin: an organisation's datasets by metadata quality."""
from flask import Blueprint

import ckan.plugins.toolkit as tk

osnabrueck = Blueprint("osnabrueck", __name__)


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


osnabrueck.add_url_rule("/organization/quality/<id>", view_func=organization_quality)
