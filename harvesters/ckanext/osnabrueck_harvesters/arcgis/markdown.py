"""ArcGIS descriptions are HTML; datasets want Markdown. A small, safe converter: text,
paragraphs, line breaks, bold/italic, links (http/https/mailto only) and lists survive;
every other tag, script and style is dropped, entities are decoded."""
from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "ul", "ol"}
DROP = {"script", "style", "head", "title"}
INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*"}


class _Converter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0
        self.link: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in DROP:
            self.dropping += 1
        elif tag in BLOCK:
            self.out.append("\n\n")
        elif tag == "br":
            self.out.append("  \n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in INLINE:
            self.out.append(INLINE[tag])
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.link = href if re.match(r"^(https?:|mailto:)", href) else None
            self.out.append("[" if self.link else "")

    def handle_endtag(self, tag):
        if tag in DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag in BLOCK:
            self.out.append("\n\n")
        elif tag in INLINE:
            self.out.append(INLINE[tag])
        elif tag == "a" and self.link:
            self.out.append(f"]({self.link})")
            self.link = None

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(re.sub(r"[\s]+", " ", data).replace("[", "\\[").replace("]", "\\]"))


def html_to_markdown(html: str | None) -> str:
    if not html:
        return ""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    lines = [line.strip() if not line.endswith("  ") else line.lstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
