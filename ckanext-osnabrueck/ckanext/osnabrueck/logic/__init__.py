"""Actions, auth functions, schemas and validators of the osnabrueck plugin."""
import ckan.plugins.toolkit as tk


def site_context(**extra) -> dict:
    """An action context of the site user, for jobs, commands and harvesters."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, **extra}


def may(action: str, context: dict, data_dict: dict) -> bool:
    """Whether the context's user may run ``action``. Checked in a fresh context: auth
    functions leave objects in theirs (``package``) that would mislead the next check."""
    fresh = {"user": context.get("user", ""), "auth_user_obj": context.get("auth_user_obj"),
             "ignore_auth": context.get("ignore_auth", False)}
    try:
        tk.check_access(action, fresh, data_dict)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True
