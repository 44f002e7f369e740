"""The MQA score against hand-computed examples."""
import pytest

from ckanext.osnabrueck import quality

EU = "http://publications.europa.eu/resource/authority"
CSV_URL = "http://portal/dataset/x/resource/1/download/a.csv"
LINK = "https://www.osnabrueck.de/seite.html"


def full_dataset():
    return {
        "tags": [{"name": "Verkehr"}], "theme": [f"{EU}/data-theme/TRAN"], "spatial": '{"type": "Point"}',
        "temporal_start": "2025-01-01", "access_rights": f"{EU}/access-right/PUBLIC",
        "contact_email": "a@osnabrueck.de", "publisher_name": "Stadt", "issued": "2025-01-01",
        "modified": "2025-02-01", "license_id": "dl-by-de/2.0",
        "resources": [{"url": CSV_URL, "url_type": "upload", "format": "CSV", "mimetype": "text/csv",
                       "rights": "Namensnennung", "size": 1234}],
    }


def test_a_complete_dataset_scores_405_and_is_excellent():
    result = quality.score(full_dataset(), {CSV_URL: {"ok": True}})
    assert (result.points, result.max, result.rating) == (405, 405, "excellent")
    assert {k: d["points"] for k, d in result.dimensions.items()} == {
        "findability": 100, "accessibility": 100, "interoperability": 110, "reusability": 75, "contextuality": 20}
    assert not [i for i in result.indicators if i.missing]


def test_unchecked_urls_cost_80_points():
    # access URL status 50 + download URL status 30; the download URL itself is there (20)
    result = quality.score(full_dataset(), {})
    assert result.points == 405 - 80 and result.rating == "good"
    assert {i.id for i in result.indicators if i.missing} == {"access_url_status", "download_url_status"}


def test_a_linked_pdf_without_metadata():
    dataset = {"theme": [f"{EU}/data-theme/GOVE"], "contact_email": "a@osnabrueck.de",
               "publisher_name": "OSB", "license_id": "dl-by-de/2.0",
               "resources": [{"url": LINK, "format": "PDF"}]}
    result = quality.score(dataset, {LINK: {"ok": False, "status": 404}})
    # findability: themes 30; accessibility: 0 (link unreachable, no download URL);
    # interoperability: format 20 + vocabulary 10 + compliance 30 (no media type, PDF is
    # neither open per the EU list nor machine-readable); reusability: licence 20 + 10,
    # contact 20, publisher 10 (no access rights); contextuality: 0
    assert result.dimensions["findability"]["points"] == 30
    assert result.dimensions["accessibility"]["points"] == 0
    assert result.dimensions["interoperability"]["points"] == 60
    assert result.dimensions["reusability"]["points"] == 60
    assert result.dimensions["contextuality"]["points"] == 0
    assert (result.points, result.rating) == (150, "sufficient")


def test_distribution_indicators_score_the_share_of_distributions():
    dataset = full_dataset()
    dataset["resources"] = dataset["resources"] * 3 + [{"url": LINK, "format": "HTML", "mimetype": "text/html"}]
    result = quality.score(dataset, {CSV_URL: {"ok": True}, LINK: {"ok": True}})
    by_id = {i.id: i for i in result.indicators}
    assert (by_id["download_url"].points, by_id["download_url"].share) == (15, (3, 4))  # 20 * 3/4
    assert by_id["download_url_status"].points == 22  # round(30 * 3/4) = 22.5 -> 22 (banker's rounding)
    assert by_id["rights"].points == 4  # round(5 * 3/4) = 3.75 -> 4
    assert by_id["access_url_status"].points == 50


def test_schema_errors_cost_the_compliance_points():
    result = quality.score(full_dataset(), {CSV_URL: {"ok": True}}, {"frequency": ["kaputt"]})
    assert result.points == 375
    assert [i.id for i in result.indicators if i.missing] == ["dcat_ap_compliance"]


def test_no_distributions_means_no_distribution_points():
    dataset = full_dataset()
    dataset["resources"] = []
    result = quality.score(dataset, {})
    assert result.dimensions["accessibility"]["points"] == 0
    assert result.points == 100 + 0 + 30 + 45 + 10


@pytest.mark.parametrize("points,rating", [(405, "excellent"), (351, "excellent"), (350, "good"), (221, "good"),
                                           (220, "sufficient"), (121, "sufficient"), (120, "bad"), (0, "bad")])
def test_rating_bands(points, rating):
    assert quality.rating(points)[0] == rating


def test_indicator_points_add_up_to_the_mqa_maxima():
    result = quality.score({}, {})
    assert result.max == 405 == sum(i.max for i in result.indicators)
    for name, dimension in quality.DIMENSIONS.items():
        assert sum(i.max for i in result.indicators if i.dimension == name) == dimension["max"]


def test_urls_to_check_lists_each_url_once():
    dataset = {"resources": [{"url": CSV_URL, "url_type": "upload"}, {"url": LINK, "download_url": LINK}]}
    assert list(quality.urls_to_check(dataset)) == [CSV_URL, LINK]
