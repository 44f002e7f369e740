"""The ``osnabrueck`` plugin: a registry only. Each concern lives in its own module."""
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import DefaultTranslation
from ckanext.xloader.interfaces import IXloader

from .helpers import osnabrueck_lang
from . import (activity_labels, chart_view, column_types, datastore_sql, headers, outage, previews, proxy, rdf_cache,
               search_index, security, tables, themes, urlcheck, xloader_fetch)
from . import sessions
from .logic import action, auth


@tk.blanket.config_declarations
@tk.blanket.helpers
@tk.blanket.validators
@tk.blanket.actions(action.osnabrueck_actions)
@tk.blanket.auth_functions(auth.osnabrueck_auth_functions)
@tk.blanket.blueprints
@tk.blanket.cli
class OsnabrueckPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.ITranslation)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.ISignal)
    p.implements(IXloader, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "templates")
        tk.add_public_directory(config, "public")
        tk.add_resource("assets", "osnabrueck")
        datastore_sql.use_allowlist(config)
        xloader_fetch.install()

    # IAuthenticator and ISignal: logins are CSRF-checked, throttled, rotated on each login
    # and revoked at logout (sessions)
    def identify_user(self, user_id=None):
        return sessions.identify_user(user_id)

    def login(self):
        return sessions.guard_login()

    def get_signal_subscriptions(self):
        return sessions.signal_subscriptions()

    # IMiddleware: CSRF exemptions per request, limits and JSON errors of the API (security);
    # outages of the database, Solr or Redis answer 503 instead of 500 (outage); the resource
    # proxy through the guarded fetcher (proxy); security headers and safe downloads (headers)
    def make_middleware(self, app, config):
        outage.register(app)
        proxy.install(app)
        headers.install(app)
        return security.install(app)

    # IPackageController: EU themes decide the theme groups; every resource gets a preview;
    # URL checks, the catalogue's RDF cache and the loading of tables into the DataStore run
    # in the background
    def after_dataset_create(self, context, pkg_dict):
        self.after_dataset_update(context, pkg_dict)

    def after_dataset_update(self, context, pkg_dict):
        themes.sync_groups(pkg_dict)
        previews.ensure(pkg_dict)
        urlcheck.enqueue(pkg_dict["id"])
        rdf_cache.enqueue_warm(pkg_dict["id"])
        tables.queue(pkg_dict)
        activity_labels.relabel(pkg_dict["id"])

    # IXloader: the loaded table's text columns get their real types
    def after_upload(self, context, resource_dict, dataset_dict):
        column_types.type_table(resource_dict["id"])

    def before_dataset_index(self, pkg_dict):
        return search_index.fit_terms(search_index.formats_as_shown(pkg_dict))

    def before_dataset_search(self, search_params):
        return search_index.datasets_only(search_params)

    def after_dataset_search(self, search_results, search_params):
        return themes.label_facets(search_results, osnabrueck_lang())


class OsnabrueckChartView(p.SingletonPlugin):
    """Resource view ``osnabrueck_chart``: time series of DataStore tables (chart_view)."""
    p.implements(p.IResourceView, inherit=True)

    def info(self):
        # Titles in the portal's language, as CKAN's own views store them.
        return {"name": "osnabrueck_chart", "title": tk._("Chart"), "icon": "chart-line", "iframed": False,
                "requires_datastore": True, "default_title": tk._("Chart")}

    def can_view(self, data_dict):
        return chart_view.can_view(data_dict["resource"])

    def setup_template_variables(self, context, data_dict):
        return {"chart": chart_view.table_chart(data_dict["resource"]["id"])}

    def view_template(self, context, data_dict):
        return "osnabrueck/chart_view.html"
