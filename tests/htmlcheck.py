"""Small helpers to read built HTML in tests (standard library parser only)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit


class Links(HTMLParser):
    """Collects every href/src and the text of each element with an id or class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.meta: dict[str, str] = {}
        self.link_rel: list[dict[str, str]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        if tag == "link":
            self.link_rel.append(values)
        for attribute in ("href", "src", "action"):
            if attribute in values:
                self.urls.append((tag, attribute, values[attribute]))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resolve(site: Path, base_path: str, url: str) -> Path | None:
    """The file a root-relative URL of the site points to, or None if it is outside."""
    path = urlsplit(url).path
    if not path.startswith(base_path):
        return None
    relative = path[len(base_path):]
    target = site / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    return target


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))
