"""Cached catalogue pages carry exactly the triples of ckanext-dcat's uncached output."""
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from ckan.tests.helpers import call_action
from ckan.tests import factories

from ckanext.osnabrueck import rdf_cache

from .factories import OsnabrueckDataset

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_redis"),
              pytest.mark.ckan_config("ckanext.dcat.rdf.profiles", "dcatap_de"),
              pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "3")]
RDFLIB = {"ttl": "turtle", "rdf": "xml", "xml": "xml"}


def page(app, fmt, page_number, monkeypatch, cached):
    monkeypatch.setitem(__import__("ckan.plugins.toolkit", fromlist=["config"]).config,
                        "ckanext.osnabrueck.rdf_cache", cached)
    body = app.get(f"/catalog.{fmt}", query_string={"page": page_number}).body
    return Graph().parse(data=body, format=RDFLIB[fmt])


@pytest.mark.parametrize("fmt", ["ttl", "rdf"])
def test_cached_pages_equal_uncached_pages(app, monkeypatch, fmt):
    ids = [OsnabrueckDataset(title=f"Datensatz {index}", spatial="8.0,52.2,8.1,52.3",
                             resources=[{"name": "r", "url": f"https://x.org/{index}.csv", "format": "CSV"}])["id"]
           for index in range(5)]
    queued = []
    monkeypatch.setattr("ckan.plugins.toolkit.enqueue_job", lambda fn, args, **kw: queued.append(args[0]))
    uncached = {number: page(app, fmt, number, monkeypatch, False) for number in (1, 2)}
    cold = {number: page(app, fmt, number, monkeypatch, True) for number in (1, 2)}
    # Cold pages are built in one graph, and their datasets queued for warming.
    assert sorted(len(job) for job in queued) == [2, 3] and {i for job in queued for i in job} == set(ids)
    rdf_cache.warm(ids[:4])  # one miss left: built chunk by chunk, beside cached chunks
    mixed = {number: page(app, fmt, number, monkeypatch, True) for number in (1, 2)}
    rdf_cache.warm(ids)
    warm = {number: page(app, fmt, number, monkeypatch, True) for number in (1, 2)}
    for number in (1, 2):
        assert len(uncached[number]) > 50
        for variant in (cold, mixed, warm):
            assert isomorphic(uncached[number], variant[number]), (fmt, number)


def test_an_update_is_visible_at_once(app, monkeypatch):
    dataset = OsnabrueckDataset(title="Vorher")
    assert "Vorher" in page(app, "ttl", 1, monkeypatch, True).serialize(format="nt")
    call_action("package_patch", context={"user": factories.Sysadmin()["name"]}, id=dataset["id"], title="Nachher")
    text = page(app, "ttl", 1, monkeypatch, True).serialize(format="nt")
    assert "Nachher" in text and "Vorher" not in text


def test_conflicting_prefixes_are_refused():
    from ckanext.osnabrueck import rdf_cache

    same = ["@prefix dct: <http://purl.org/dc/terms/> .", "@prefix dct: <http://purl.org/dc/terms/> ."]
    assert rdf_cache._merge(same) == same[:1]
    with pytest.raises(rdf_cache.PrefixConflict):
        rdf_cache._merge(["@prefix ns1: <http://a.org/> .", "@prefix ns1: <http://b.org/> ."])
    with pytest.raises(rdf_cache.PrefixConflict):
        rdf_cache._merge(['xmlns:ns1="http://a.org/"', 'xmlns:ns1="http://b.org/"'])


def test_saving_a_dataset_warms_its_cache(app, monkeypatch):
    from ckanext.osnabrueck import rdf_cache
    from ckan.lib.redis import connect_to_redis

    queued = []
    monkeypatch.setattr(rdf_cache.tk, "enqueue_job", lambda fn, args, **kw: queued.append((fn, args)))
    dataset = OsnabrueckDataset(title="Warm")
    jobs = [args for fn, args in queued if fn is rdf_cache.warm]
    assert jobs == [[dataset["id"]]]
    assert rdf_cache.warm(dataset["id"]) == 1
    keys = {key.decode() for key in connect_to_redis().scan_iter("osnabrueck:rdf:*")}
    assert {key.split(":")[3] for key in keys} == {"turtle", "xml"}
    assert all(dataset["id"] in key for key in keys)


def test_private_datasets_are_never_warmed():
    from ckanext.osnabrueck import rdf_cache

    dataset = OsnabrueckDataset(private=True)
    assert rdf_cache.warm(dataset["id"]) == 0
