"""Factories for datasets in the portal's DCAT-AP.de schema."""
import factory

from ckan.tests import factories

EU = "http://publications.europa.eu/resource/authority"


class OsnabrueckDataset(factories.Dataset):
    """A valid dataset: mandatory fields of the schema filled, owner org created."""

    owner_org = factory.LazyFunction(lambda: factories.Organization()["id"])
    theme = factory.LazyFunction(lambda: [f"{EU}/data-theme/ENVI"])
    contact_email = "umwelt@osnabrueck.de"
    notes = "Beschreibung"
