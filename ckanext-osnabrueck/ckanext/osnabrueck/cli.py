"""``ckan osnabrueck …`` commands."""
import click

__all__ = ["osnabrueck"]


@click.group(short_help="Open Data Osnabrück commands")
def osnabrueck():
    """Open Data Osnabrück: demo content and maintenance."""


@osnabrueck.command("load-demo")
def load_demo():
    """Load (or refresh) the Osnabrück demo organisations, groups and datasets."""
    from ckanext.osnabrueck.demo.loader import load_all

    report = load_all()
    click.secho(f"Demo-Inhalte: {report.summary()}", fg="green")


@osnabrueck.command("harvest-consumer")
@click.argument("stage", type=click.Choice(["gather", "fetch"]))
def harvest_consumer(stage):
    """Run a harvest queue consumer that survives idle queues (see consumers.py)."""
    from ckanext.osnabrueck_harvesters import consumers

    consumers.run(stage)
