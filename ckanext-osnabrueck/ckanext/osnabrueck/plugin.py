"""The ``osnabrueck`` plugin: a registry only. Each concern lives in its own module."""
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation

from . import rdf_cache, themes, urlcheck


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.actions
@tk.blanket.auth_functions
@tk.blanket.blueprints
@tk.blanket.cli
class OsnabrueckPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "osnabrueck")

    # IPackageController: EU themes decide the theme groups; URL checks and the
    # catalogue's RDF cache run in the background
    def after_dataset_create(self, context, pkg_dict):
        self.after_dataset_update(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        themes.sync_groups(pkg_dict)
        urlcheck.enqueue(pkg_dict["id"])
        rdf_cache.enqueue_warm(pkg_dict["id"])
