"""Validators of the DCAT-AP.de schema, called directly (messages in German)."""
import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckanext.osnabrueck.logic import validators as v

pytestmark = pytest.mark.usefixtures("with_plugins", "with_request_context")


def vocabulary_field(name, store="uri"):
    return {"field_name": "x", "vocabulary": name, "vocabulary_value": store}


class TestVocabulary:
    def test_uri_code_and_label_become_the_uri(self):
        validate = v.osnabrueck_vocabulary(vocabulary_field("frequency"), {})
        expected = "http://publications.europa.eu/resource/authority/frequency/DAILY"
        assert validate("DAILY") == validate("täglich") == validate(expected) == expected

    def test_file_type_is_stored_as_code(self):
        validate = v.osnabrueck_vocabulary(vocabulary_field("file-type", "code"), {})
        assert validate("geojson") == "GEOJSON"
        assert validate("http://publications.europa.eu/resource/authority/file-type/CSV") == "CSV"

    @pytest.mark.parametrize("name,value,title", [
        ("frequency", "sometimes", "EU-Aktualisierungsintervalle"),
        ("file-type", "NOPE", "EU-Dateitypen"),
        ("licenses", "cc-by-42", "dcat-ap.de-Lizenzen"),
        ("contributors", "http://dcat-ap.de/def/contributors/nobody", "dcat-ap.de-Bereitsteller"),
    ])
    def test_unknown_value_is_rejected_in_german(self, name, value, title):
        validate = v.osnabrueck_vocabulary(vocabulary_field(name), {})
        with pytest.raises(tk.Invalid) as error:
            validate(value)
        assert error.value.error == f"„{value}“ steht nicht in der Liste {title}. Bitte einen Wert aus der Liste wählen."

    def test_empty_value_passes_through(self):
        assert v.osnabrueck_vocabulary(vocabulary_field("frequency"), {})("") == ""

    def test_multiple_stores_a_json_list_and_reports_each_unknown_value(self):
        validate = v.osnabrueck_vocabulary_multiple(vocabulary_field("data-theme"), {})
        data, errors = {("theme",): "Umwelt, TRAN, Umwelt"}, {("theme",): []}
        validate(("theme",), data, errors, {})
        assert json.loads(data[("theme",)]) == [
            "http://publications.europa.eu/resource/authority/data-theme/ENVI",
            "http://publications.europa.eu/resource/authority/data-theme/TRAN"]
        data, errors = {("theme",): ["ENVI", "Mond", "Mars"]}, {("theme",): []}
        validate(("theme",), data, errors, {})
        assert len(errors[("theme",)]) == 2 and "„Mond“" in errors[("theme",)][0]

    def test_required_multiple_asks_for_a_value(self):
        field = {**vocabulary_field("data-theme"), "required": True}
        data, errors = {("theme",): ""}, {("theme",): []}
        with pytest.raises(StopOnError):
            v.osnabrueck_vocabulary_multiple(field, {})(("theme",), data, errors, {})
        assert errors[("theme",)] == ["Bitte mindestens einen Wert wählen."]


def run(validator, key, data):
    errors = {k: [] for k in data}
    errors.setdefault(key, [])
    validator(key, data, errors, {})
    return errors[key]


def test_contact_point_needs_email_or_url():
    assert run(v.osnabrueck_contact_point, ("contact_email",), {("contact_email",): "", ("contact_url",): ""}) == \
        ["Bitte eine E-Mail-Adresse oder eine Webseite der Ansprechstelle angeben."]
    assert run(v.osnabrueck_contact_point, ("contact_email",),
               {("contact_email",): missing, ("contact_url",): "https://www.osnabrueck.de"}) == []


@pytest.mark.parametrize("value,expected", [
    ("034040000000", "http://dcat-ap.de/def/politicalGeocoding/regionalKey/034040000000"),
    ("http://dcat-ap.de/def/politicalGeocoding/districtKey/03459", "http://dcat-ap.de/def/politicalGeocoding/districtKey/03459"),
])
def test_political_geocoding_accepts_uri_or_regional_key(value, expected):
    assert v.osnabrueck_political_geocoding_uri(value) == expected


@pytest.mark.parametrize("value", ["Osnabrück", "http://example.org/034040000000", "03404"])
def test_political_geocoding_rejects_other_values(value):
    with pytest.raises(tk.Invalid, match="Regionalschlüssel"):
        v.osnabrueck_political_geocoding_uri(value)


def test_geometry_accepts_bbox_and_geojson_and_rejects_nonsense():
    box = json.loads(v.osnabrueck_geometry("7.97,52.23,8.13,52.33"))
    assert box["type"] == "Polygon" and [7.97, 52.23] in [list(p) for p in box["coordinates"][0]]
    point = json.loads(v.osnabrueck_geometry('{"type": "Point", "coordinates": [8.04, 52.27]}'))
    assert point["coordinates"] == [8.04, 52.27]
    for bad in ("8.1,52.3,7.9,52.2", "hier", '{"type": "Point", "coordinates": [800, 52]}'):
        with pytest.raises(tk.Invalid):
            v.osnabrueck_geometry(bad)


def test_temporal_end_before_start_is_an_error():
    data = {("temporal_start",): "2025-05-01", ("temporal_end",): "2025-01-01"}
    assert run(v.osnabrueck_temporal_end, ("temporal_end",), data) == \
        ["Das Ende des Zeitraums liegt vor seinem Beginn."]


def test_media_type_is_derived_from_the_format_or_checked():
    key = ("resources", 0, "mimetype")
    data = {key: "", ("resources", 0, "format"): "GEOJSON"}
    assert run(v.osnabrueck_media_type, key, data) == [] and data[key] == "application/geo+json"
    data = {key: "https://www.iana.org/assignments/media-types/text/csv", ("resources", 0, "format"): "CSV"}
    assert run(v.osnabrueck_media_type, key, data) == [] and data[key] == "text/csv"
    data = {key: "kaputt", ("resources", 0, "format"): "CSV"}
    assert run(v.osnabrueck_media_type, key, data) == ["„kaputt“ ist kein Medientyp wie text/csv."]


def test_a_format_without_media_type_leaves_the_field_empty():
    key = ("resources", 0, "mimetype")
    for data in ({("resources", 0, "format"): "WMS_SRVC"}, {key: "", ("resources", 0, "format"): "REST"}):
        assert run(v.osnabrueck_media_type, key, data) == [] and data[key] is None


def test_resource_licence_defaults_to_the_datasets_and_is_checked():
    key = ("resources", 0, "license")
    data = {key: "", ("license_id",): "dl-zero-de/2.0"}
    assert run(v.osnabrueck_resource_license, key, data) == []
    assert data[key] == "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"
    assert "dcat-ap.de-Lizenzen" in run(v.osnabrueck_resource_license, key, {key: "proprietär", ("license_id",): ""})[0]


def test_checksum_must_fit_its_algorithm():
    key = ("resources", 0, "hash")
    algo = ("resources", 0, "hash_algorithm")
    sha256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
    assert run(v.osnabrueck_checksum, key, {key: "ab" * 32, algo: sha256}) == []
    assert "64 Hexadezimalziffern" in run(v.osnabrueck_checksum, key, {key: "abc", algo: sha256})[0]
    assert run(v.osnabrueck_checksum, key, {key: "abc", algo: ""}) == ["Bitte das Verfahren der Prüfsumme wählen."]


def test_checksum_without_algorithm_gets_it_from_the_digest_length():
    key = ("resources", 0, "hash")
    algo = ("resources", 0, "hash_algorithm")
    data = {key: "0123456789ABCDEF" * 2, algo: ""}  # what ckanext-xloader stores: an MD5
    assert run(v.osnabrueck_checksum, key, data) == []
    assert data[algo] == "http://spdx.org/rdf/terms#checksumAlgorithm_md5"
    assert data[key] == "0123456789abcdef" * 2
    data = {key: "ab" * 20, algo: None}
    assert run(v.osnabrueck_checksum, key, data) == []
    assert data[algo].endswith("_sha1")


def test_high_value_dataset_cites_the_hvd_regulation():
    key = ("applicable_legislation",)
    data = {("hvd",): "true", key: missing}
    assert run(v.osnabrueck_high_value_legislation, key, data) == []
    assert json.loads(data[key]) == [v.HVD_REGULATION]
    data = {("hvd",): "false", key: missing}
    run(v.osnabrueck_high_value_legislation, key, data)
    assert data[key] is missing


@pytest.mark.parametrize("value,expected", [("ja", "true"), ("Nein", "false"), ("", "false"), (True, "true")])
def test_yes_no(value, expected):
    assert v.osnabrueck_yes_no(value) == expected


def test_byte_size_and_email_and_uri_messages():
    data = {("size",): "12 345"}
    assert run(v.osnabrueck_byte_size, ("size",), data) == [] and data[("size",)] == 12345
    assert run(v.osnabrueck_byte_size, ("size",), {("size",): "-3"}) == ["Die Größe muss eine ganze Zahl von Bytes sein."]
    with pytest.raises(StopOnError):
        run(v.osnabrueck_byte_size, ("size",), {("size",): ""})
    assert v.osnabrueck_email("mailto:a@b.de") == "a@b.de"
    with pytest.raises(tk.Invalid, match="keine gültige E-Mail-Adresse"):
        v.osnabrueck_email("a@b")
    with pytest.raises(tk.Invalid, match="mit http:// oder https:// beginnen"):
        v.osnabrueck_uri("www.osnabrueck.de")
