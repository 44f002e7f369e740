"""Authorisation of the osnabrueck actions: whoever may see a dataset may see its score."""
import ckan.plugins.toolkit as tk

__all__ = ["osnabrueck_quality_show", "osnabrueck_organization_quality"]


def _allowed_if(action: str, context, data_dict) -> dict:
    try:
        tk.check_access(action, context, data_dict)
    except tk.NotAuthorized:
        return {"success": False}
    return {"success": True}


@tk.auth_allow_anonymous_access
def osnabrueck_quality_show(context, data_dict):
    return _allowed_if("package_show", context, data_dict)


@tk.auth_allow_anonymous_access
def osnabrueck_organization_quality(context, data_dict):
    return _allowed_if("organization_show", context, data_dict)
