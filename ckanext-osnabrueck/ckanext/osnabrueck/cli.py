"""``ckan osnabrueck …`` commands."""
import click

__all__ = ["osnabrueck"]


def _portal_language():
    """A request context, so that messages come in the portal's default language (German)."""
    return click.get_current_context().meta["flask_app"].test_request_context()


@click.group(short_help="Open Data Osnabrück commands")
def osnabrueck():
    """Open Data Osnabrück: demo content and maintenance."""


@osnabrueck.command("load-demo")
def load_demo():
    """Load (or refresh) the Osnabrück demo organisations, groups and datasets."""
    from ckanext.osnabrueck.demo.loader import load_all

    report = load_all()
    click.secho(f"Demo-Inhalte: {report.summary()}", fg="green")


@osnabrueck.command("demo-status")
@click.option("--wait", default=0, show_default=True, help="Seconds to wait for the background loading of the tables.")
def demo_status(wait):
    """Exit 0 when the demo content is complete: every dataset, every table in the DataStore."""
    import time

    from ckanext.osnabrueck.demo import loader

    if missing := loader.missing():
        raise click.ClickException(f"Demo-Datensätze fehlen: {', '.join(missing)}")
    deadline = time.monotonic() + wait
    while waiting := loader.tables_not_loaded():
        if "error" in waiting.values() or time.monotonic() > deadline:
            raise click.ClickException("Tabellen nicht im DataStore: " +
                                       ", ".join(f"{name} ({state})" for name, state in waiting.items()))
        time.sleep(5)
    click.secho("Demo-Inhalte vollständig.", fg="green")


@osnabrueck.command("demo-steward")
@click.argument("name")
@click.argument("organization")
@click.option("--password", envvar="OSN_STEWARD_PASSWORD", required=True,
              help="Password of a newly created account (or OSN_STEWARD_PASSWORD).")
def demo_steward(name, organization, password):
    """Give the demo a data steward: NAME becomes editor of ORGANIZATION (created if missing)."""
    from ckanext.osnabrueck.demo.loader import ensure_editor

    ensure_editor(name, organization, password)
    click.secho(f"{name} ist Redakteur*in von {organization}.", fg="green")


@osnabrueck.command("validate-all")
def validate_all():
    """List every dataset that does not satisfy the schema, and why (exit 1 if any)."""
    from ckanext.osnabrueck.logic.validation import invalid_datasets

    count = 0
    with _portal_language():
        for name, errors in invalid_datasets():
            count += 1
            click.secho(name, fg="red", bold=True)
            for field, messages in errors.items():
                click.echo(f"  {field}: {'; '.join(messages)}")
    if count:
        click.secho(f"{count} Datensätze entsprechen nicht dem Schema.", fg="red")
        raise SystemExit(1)
    click.secho("Alle Datensätze entsprechen dem Schema.", fg="green")


@osnabrueck.command("ensure-views")
def ensure_views():
    """Give every resource without a preview its default views (map, table, chart, image)."""
    from ckanext.osnabrueck.previews import ensure_all, prune_charts

    click.secho(f"{ensure_all()} Vorschauen angelegt, {prune_charts()} Diagramme ohne Zeitreihe entfernt.", fg="green")


@osnabrueck.command("repair-tables")
def repair_tables():
    """Tables loaded before: real column types for text columns, and the datastore_active
    flag an earlier package_update dropped (idempotent)."""
    from ckanext.osnabrueck.column_types import type_all_tables
    from ckanext.osnabrueck.tables import restore_active_flags

    typed = type_all_tables()
    for resource_id, changes in typed.items():
        click.echo(f"{resource_id}: " + ", ".join(f"{c.column} → {c.sql_type}" for c in changes))
    click.secho(f"{len(typed)} Tabellen typisiert, {restore_active_flags()} wieder als DataStore-Tabelle markiert.",
                fg="green")


@osnabrueck.command("repair-iris")
@click.option("--dry-run", is_flag=True, help="Only list what would be repaired.")
def repair_iris(dry_run):
    """Percent-encode stored URLs that are not valid IRIs (", {, spaces …) and reindex."""
    from ckanext.osnabrueck import iri

    count = 0
    with _portal_language():
        for name, repairs in iri.repair_all(dry_run=dry_run):
            count += 1
            for item in repairs:
                click.echo(f"{name} {item.field}: {item.old} -> {item.new}")
    verb = "zu reparieren" if dry_run else "repariert"
    click.secho(f"{count} Datensätze mit ungültigen IRIs {verb}.", fg="green")


@osnabrueck.command("check-urls")
@click.option("--now", is_flag=True, help="Check here and now instead of in the background.")
def check_urls(now):
    """Check the access and download URLs of every dataset (for the quality score)."""
    from ckanext.osnabrueck import urlcheck
    from ckanext.osnabrueck.logic.validation import all_dataset_ids

    ids = list(all_dataset_ids())
    for dataset_id in ids:
        urlcheck.check_dataset_urls(dataset_id) if now else urlcheck.enqueue(dataset_id)
    click.secho(f"URL-Prüfung für {len(ids)} Datensätze {'erledigt' if now else 'eingeplant'}.", fg="green")


@osnabrueck.command("shacl")
@click.option("--dataset", "dataset_ids", multiple=True, help="Dataset id or name (default: all public ones).")
@click.option("--profile", "profiles", multiple=True, type=click.Choice(["v20_de_spec_implr", "v30_de_spec"]),
              help="Validation profile (default: both).")
@click.option("--warnings/--no-warnings", default=False, help="List warnings too.")
def shacl(dataset_ids, profiles, warnings):
    """Validate datasets' DCAT-AP.de RDF against GovData's SHACL shapes, per dataset."""
    from ckanext.osnabrueck import rdf, shacl as shapes

    base = shapes.shapes_dir()
    if not shapes.available(base):
        raise click.ClickException(f"Die SHACL-Shapes fehlen in {base} (ckanext.osnabrueck.shacl_dir).")
    failed = 0
    for dataset_id, graph in rdf.dataset_graphs(list(dataset_ids) or None):
        for profile in profiles or shapes.PROFILES:
            report = shapes.validate(graph, base, profile)
            status = "ok" if not report.violations else f"{len(report.violations)} Verstöße"
            click.echo(f"{dataset_id} [{shapes.PROFILE_TITLES[profile]}]: {status}, "
                       f"{len(report.warnings)} Warnungen")
            failed += bool(report.violations)
            for finding in report.violations + (report.warnings if warnings else []):
                click.echo(f"  {finding.line()}")
    if failed:
        raise SystemExit(1)


@osnabrueck.command("warm-catalog")
def warm_catalog():
    """Fill the catalogue's RDF cache for every public dataset (after a deploy or flush)."""
    from ckanext.osnabrueck import rdf, rdf_cache

    count = sum(rdf_cache.warm(name) for name in rdf.public_dataset_ids())
    click.secho(f"RDF-Cache für {count} Datensätze gefüllt.", fg="green")


@osnabrueck.command("harvest-consumer")
@click.argument("stage", type=click.Choice(["gather", "fetch"]))
def harvest_consumer(stage):
    """Run a harvest queue consumer that survives idle queues (see consumers.py)."""
    from ckanext.osnabrueck_harvesters import consumers

    consumers.run(stage)


@osnabrueck.command("harvest-sources")
@click.option("--run/--no-run", default=False, help="Run a harvest job of each source here and now.")
def harvest_sources(run):
    """Create or update the harvest sources of config/harvest-sources/ (and run them)."""
    from pathlib import Path

    from ckanext.osnabrueck_harvesters import runner

    directory = Path(__file__).resolve().parents[3] / "config" / "harvest-sources"
    with _portal_language():
        for definition in runner.read_sources(directory, runner.default_variables()):
            source = runner.ensure_source(definition)
            click.echo(f"Harvest-Quelle {source['name']}: {source['url']}")
            if run:
                try:
                    job = runner.run_now(source["id"])
                except runner.JobRunning as running:
                    click.secho(f"  {running}", fg="yellow")
                    continue
                stats = job.get("stats", {})
                errors = len(job.get("gather_error_summary") or []) + stats.get("errored", 0)
                click.secho(f"  Harvest-Lauf {job['status']}: {stats.get('added', 0)} neu, "
                            f"{stats.get('updated', 0)} aktualisiert, {stats.get('deleted', 0)} zurückgezogen, "
                            f"{errors} Fehler", fg="red" if errors else "green")


@osnabrueck.command("load-demo-sensors")
@click.option("--url", envvar="OSN_FROST_URL", default="http://127.0.0.1:8090/FROST-Server/v1.1",
              show_default=True, help="The SensorThings API (FROST-Server) to fill.")
def load_demo_sensors(url):
    """Load the Osnabrück demo sensors into a SensorThings API (only those missing)."""
    from ckanext.osnabrueck.demo import sensors

    added = sensors.load(url.rstrip("/"))
    click.secho(f"Demo-Sensoren: {added} Things neu angelegt in {url}.", fg="green")


@osnabrueck.command("load-demo-geodata")
@click.option("--url", default="http://127.0.0.1:8093/csw", show_default=True,
              help="The CSW (pycsw with transactions) to fill.")
def load_demo_geodata(url):
    """Write the demo ISO 19139 records into a CSW through CSW-T (replacing them)."""
    from ckanext.osnabrueck.demo import geodata

    count = geodata.load(url)
    click.secho(f"Demo-Geometadaten: {count} ISO-Datensätze in {url} geschrieben.", fg="green")


@osnabrueck.command("schedule")
def schedule():
    """Run the periodic tasks (harvest jobs every 15 minutes, usage statistics hourly) forever."""
    from ckanext.osnabrueck import schedule as tasks

    click.echo("Zeitplan läuft: " + ", ".join(f"{t.name} alle {t.minutes} min" for t in tasks.tasks()))
    tasks.run_forever(_portal_language)


@osnabrueck.command("xloader-token")
@click.argument("secrets_file", type=click.Path(dir_okay=False))
def xloader_token(secrets_file):
    """Keep a valid API token of the site user for ckanext-xloader in SECRETS_FILE (JSON)."""
    with _portal_language():
        created = _ensure_token(secrets_file, "xloader_api_token", "xloader")
    click.echo("API-Token für den Datenlader " + ("neu erstellt." if created else "ist gültig."))


def _ensure_token(secrets_file: str, key: str, token_name: str) -> bool:
    """Mint a site-user token into the secrets file unless the one there still works."""
    import json
    import os
    from pathlib import Path

    import ckan.plugins.toolkit as tk
    from ckan.lib.api_token import get_user_from_token
    from ckanext.osnabrueck.logic import site_context

    path = Path(secrets_file)
    data = json.loads(path.read_text()) if path.exists() else {}
    if data.get(key) and get_user_from_token(data[key]):
        return False
    context = site_context()
    token = tk.get_action("api_token_create")(context, {"user": context["user"], "name": token_name})
    data[key] = token["token"]
    path.write_text(json.dumps(data, indent=2))
    os.chmod(path, 0o600)
    return True
