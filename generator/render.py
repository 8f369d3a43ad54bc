"""The theme: Jinja2 environment, UI strings, formatting helpers, and page rendering."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import markupsafe
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from markdown_it import MarkdownIt

from generator import feeds
from generator.apply import mailto, provider_for
from generator.errors import BuildError
from generator.frontmatter import read_yaml_file
from generator.markdown import make_markdown
from generator.model import Commitment, Location, Mission, Site
from generator.plan import Page, Plan

Catalogue = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Theme:
    root: Path

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"


def load_catalogue(theme: Theme, languages: tuple[str, ...]) -> Catalogue:
    """Read the theme's UI strings and check every key exists in every site language."""
    path = theme.root / "strings.yaml"
    doc = read_yaml_file(str(path), path.read_text(encoding="utf-8"))
    if isinstance(doc, list):
        raise BuildError("; ".join(str(p) for p in doc))
    missing = [
        f"{key}.{lang}" for key, texts in doc.data.items() for lang in languages
        if not isinstance(texts, Mapping) or lang not in texts
    ]
    if missing:
        raise BuildError(f"{path}: UI strings missing for: {', '.join(missing)}")
    return doc.data


class _KeepMissing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translator:
    """UI strings of one language; plurals follow Babel's rules for the locale."""

    def __init__(self, catalogue: Catalogue, lang: str) -> None:
        self.catalogue = catalogue
        self.lang = lang
        self.locale = Locale.parse(lang)

    def __call__(self, key: str, count: int | None = None, /, **params: object) -> str:
        try:
            text = self.catalogue[key][self.lang]
        except KeyError:
            raise BuildError(f"unknown UI string '{key}' in the theme") from None
        if isinstance(text, Mapping):
            form = self.locale.plural_form(count if count is not None else 1)
            text = text.get(form, text["other"])
            params["n"] = format_decimal(count or 0, locale=self.locale)
        # Placeholders not given here (like {status}) are left for the browser script.
        return str(text).format_map(_KeepMissing(params))


def asset_versions(theme: Theme) -> dict[str, str]:
    """Short content hashes of static files, for cache-busting query strings."""
    versions = {}
    for path in sorted(theme.static.rglob("*")):
        if path.is_file():
            name = path.relative_to(theme.static).as_posix()
            versions[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return versions


def content_security_policy(form_hosts: tuple[str, ...]) -> str:
    # form-action: our own GET search form plus exactly the configured form hosts.
    # Loopback hosts only exist for local testing of a form endpoint, over plain http.
    sources = [
        f"http://{host}:*" if host in ("127.0.0.1", "localhost") else f"https://{host}"
        for host in form_hosts
    ]
    actions = " ".join(["'self'", *sources])
    # The application form's script posts to the same endpoints with fetch().
    connect = " ".join(["'self'", *sources])
    return (
        "default-src 'self'; img-src 'self' https:; script-src 'self' 'wasm-unsafe-eval'; "
        f"style-src 'self'; worker-src 'self' blob:; connect-src {connect}; "
        f"form-action {actions}; base-uri 'none'; object-src 'none'"
    )


class Renderer:
    """Renders planned pages with the theme. Holds no state that changes between pages."""

    def __init__(self, site: Site, plan: Plan, theme: Theme) -> None:
        self.site = site
        self.plan = plan
        self.theme = theme
        self.catalogue = load_catalogue(theme, site.config.languages)
        self.versions = asset_versions(theme)
        self.markdown: MarkdownIt = make_markdown()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(theme.templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.translators = {lang: Translator(self.catalogue, lang) for lang in site.config.languages}
        # Built only from validated host names, so it is safe to emit without escaping.
        self.csp = markupsafe.Markup(content_security_policy(site.config.form_hosts))

    def render(self, page: Page) -> str:
        template = self.env.get_template(page.template)
        try:
            return template.render(self.context(page))
        except jinja2.TemplateError as exc:
            raise BuildError(f"theme error in {page.template} for {page.output}: {exc}") from exc

    def context(self, page: Page) -> dict[str, Any]:
        lang = page.lang
        urls = self.plan.urls
        t = self.translators[lang]
        locale = t.locale

        def url(route: str = "", target_lang: str | None = None) -> str:
            return urls.path(target_lang or lang, route)

        def asset(name: str) -> str:
            return f"{urls.asset(name)}?v={self.versions[name]}"

        def date(value: dt.date, fmt: str = "long") -> str:
            return format_date(value, format=fmt, locale=locale)

        def number(value: float) -> str:
            return format_decimal(value, locale=locale)

        def commitment(value: Commitment) -> str:
            return t(f"commitment_{value.per}", hours=number(value.hours))

        def place(location: Location | None) -> str:
            if location is None:
                return ""
            parts = [location.city]
            if location.country != self.site.config.country:
                territory = locale.territories.get(location.country, location.country)
                parts.append(territory)
            return ", ".join(parts)

        def where(mission: Mission) -> str:
            label = t(f"remote_{mission.remote}")
            if mission.remote == "full" or mission.location is None:
                return label
            return f"{label} · {place(mission.location)}" if mission.remote == "possible" else place(
                mission.location
            )

        def language_name(code: str, in_lang: str | None = None) -> str:
            shown_in = Locale.parse(in_lang) if in_lang else locale
            name = Locale.parse(code).get_display_name(shown_in) if _known_locale(code) else code
            return (name or code)[:1].upper() + (name or code)[1:]

        def edit_url(source: str) -> str | None:
            repository = self.site.config.repository
            if not repository:
                return None
            # Boards keep their content in content/ at the repository root (missions init).
            relative = "/".join(["content", *Path(source).parts[-2:]])
            return f"{repository}/edit/main/{quote(relative)}"

        def mission_mailto(mission: Mission, address: str | None = None) -> str:
            subject = t("mailto_subject", title=mission.title)
            body = t("mailto_body", title=mission.title, url=page.url)
            return mailto(address or mission.apply.target, subject, body)

        return {
            "page": page,
            "site": self.site,
            "config": self.site.config,
            "vocabulary": self.site.vocabulary,
            "lang": lang,
            "t": t,
            "url": url,
            "asset": asset,
            "date": date,
            "number": number,
            "commitment": commitment,
            "where": where,
            "place": place,
            "language_name": language_name,
            "markdown": self.render_markdown,
            "csp": self.csp,
            "edit_url": edit_url,
            "mailto": mission_mailto,
            "provider": lambda mission: provider_for(mission.apply),
            "host": lambda value: urlsplit(value).hostname or value,
            "today": self.plan.today,
            "category": self.site.vocabulary.category,
            "skill": self.site.vocabulary.skill,
            # Head metadata for feed readers, search engines and link previews.
            "feed_title": lambda: feeds.feed_title(self.site, t, lang, page.kind, page.term),
            "share": lambda: feeds.share_card(page, self.site, urls, t),
            "job_posting": lambda: feeds.job_posting(
                page, self.site, urls, self.render_markdown, t
            ),
        }

    def render_markdown(self, text: str) -> str:
        return self.markdown.render(text)


def _known_locale(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, LookupError):
        return False
    return True


