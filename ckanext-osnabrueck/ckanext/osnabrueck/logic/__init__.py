"""Actions, auth functions, schemas and validators of the osnabrueck plugin."""
import ckan.plugins as p
import ckan.plugins.toolkit as tk

# Chained actions and auth functions extend those of other plugins, by name prefix; CKAN
# refuses a chain whose base is missing, so they are registered only with their plugin.
BASE_PLUGINS = {"datastore_": "datastore", "harvest_": "harvest", "dcat_": "dcat"}


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


def osnabrueck_registry(namespace: dict) -> dict:
    """name → function of the module's ``__all__``, without the chained ones whose plugin
    the site does not load (a harvest target without the DataStore, for example)."""
    def wanted(name: str) -> bool:
        prefix = next((prefix for prefix in BASE_PLUGINS if name.startswith(prefix)), None)
        if name.endswith("_activity_list"):
            return p.plugin_loaded("activity")
        return prefix is None or p.plugin_loaded(BASE_PLUGINS[prefix])
    return {name: namespace[name] for name in namespace["__all__"] if wanted(name)}
