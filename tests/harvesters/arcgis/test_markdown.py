from ckanext.osnabrueck_harvesters.arcgis.markdown import html_to_markdown


def test_html_becomes_markdown_and_scripts_vanish():
    html = ('<div><p>Aktuelle <strong>Baustellen</strong> &amp; Sperrungen.</p><ul><li>täglich</li>'
            '<li><a href="https://www.osnabrueck.de/x">Quelle</a></li></ul><script>alert(1)</script>'
            '<a href="javascript:alert(2)">böse</a><style>p{}</style></div>')
    assert html_to_markdown(html) == ("Aktuelle **Baustellen** & Sperrungen.\n\n- täglich\n"
                                      "- [Quelle](https://www.osnabrueck.de/x)\n\nböse")


def test_plain_text_and_empty_input():
    assert html_to_markdown("Straßenbäume") == "Straßenbäume"
    assert html_to_markdown(None) == html_to_markdown("") == ""
    assert html_to_markdown("a<br>b") == "a  \nb"
