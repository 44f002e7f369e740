"""Actions, auth functions, schemas and validators of the osnabrueck plugin."""
import ckan.plugins.toolkit as tk


def site_context(**extra) -> dict:
    """An action context of the site user, for jobs, commands and harvesters."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, **extra}
