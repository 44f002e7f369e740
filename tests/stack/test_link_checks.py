"""The local stand-ins of the city's services answer HEAD like GET without a body: link
checkers (data.europa.eu's, which asks with HEAD only; the portal's URL checks) and
CKAN's resource proxy met a 501 from the MapServer bridge and a 400 from FROST."""
import requests


def test_the_map_server_answers_head(mapserver):
    url = f"{mapserver}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"
    head, get = requests.head(url, timeout=30), requests.get(url, timeout=30)
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"] and head.content == b""
    assert int(head.headers["Content-Length"]) == len(get.content)


def test_the_sensorthings_api_answers_head(frost):
    url = f"{frost}/Things?$resultFormat=GeoJSON"
    head = requests.head(url, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Type"].startswith("application/geo+json")
