"""The theme: Jinja2 environment, UI strings, formatting helpers, and page rendering."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import jinja2.ext
import jinja2.lexer
import jinja2.runtime
import markupsafe
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from generator import feeds
from generator.apply import mailto, provider_for
from generator.errors import BuildError
from generator.frontmatter import read_yaml_file
from generator.markdown import Markdown, make_markdown
from generator.model import Commitment, Location, Mission, Site
from generator.plan import Page, Plan
from generator.search import Wording

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

    @functools.cached_property
    def sources(self) -> dict[str, bytes]:
        """Every file of the templates folder, by its name for the Jinja loader: read once
        a build, for shows_today and for what the renderer folds (ThemeEnvironment)."""
        found = {}
        for folder, _, names in os.walk(self.templates):
            for name in names:
                path = os.path.join(folder, name)
                with open(path, "rb") as handle:
                    found[Path(path).relative_to(self.templates).as_posix()] = handle.read()
        return found

    def shows_today(self) -> bool:
        """Whether a template may show the build date (the `today` variable): then every
        page changes with the date. Named anywhere, even in a comment, it counts."""
        return any(_TODAY.search(data) for data in self.sources.values())


_TODAY = re.compile(rb"\btoday\b")


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
        # Most calls are a bare key (labels, headings): dozens a page, the same each time.
        self._plain: dict[str, str] = {}
        self._counts: dict[int, str] = {}  # counts as shown: Babel is slow, counts repeat

    def __call__(self, key: str, count: int | None = None, /, **params: object) -> str:
        if count is None and not params:
            text = self._plain.get(key)
            if text is None:
                text = self._plain[key] = self._translate(key, None, {})
            return text
        return self._translate(key, count, params)

    def _translate(self, key: str, count: int | None, params: dict[str, object]) -> str:
        try:
            text = self.catalogue[key][self.lang]
        except KeyError:
            raise BuildError(f"unknown UI string '{key}' in the theme") from None
        if isinstance(text, Mapping):
            form = self.locale.plural_form(count if count is not None else 1)
            text = text.get(form, text["other"])
            number = count or 0
            shown = self._counts.get(number)
            if shown is None:
                shown = self._counts[number] = format_decimal(number, locale=self.locale)
            params["n"] = shown
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


def script_json(value: object) -> markupsafe.Markup:
    """JSON for the content of a <script> element (JSON-LD). An HTML parser leaves such an
    element only at `</script` and changes state only at `<!--`: both start with `<`, so
    escaping every `<` (as `\\u003c`, the same string to any JSON reader) is enough, where
    `tojson`, made for attributes too, also escapes `>`, `&` and `'` and every accented
    letter, six bytes each (a third of a mission page's JSON-LD). For a script element's
    content only: in an attribute, `>`, `&` and quotes matter (use `tojson` there)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return markupsafe.Markup(text.replace("<", "\\u003c"))


def markdown_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class LanguageHelpers:
    """Formatting helpers for one language, made once per build.

    Babel's formatting is slow next to the rest of a page, and a board repeats the same
    few dates, durations and language names thousands of times: each result is kept.
    The caches only grow during one build and die with it.
    """

    def __init__(self, renderer: Renderer, lang: str) -> None:
        self.renderer = renderer
        self.lang = lang
        self.t = renderer.translators[lang]
        self.locale = self.t.locale
        self._dates: dict[tuple[dt.date, str], str] = {}
        self._numbers: dict[float, str] = {}
        self._names: dict[tuple[str, str | None], str] = {}
        self._cards: dict[tuple[str, int], markupsafe.Markup] = {}
        self.card_levels: set[int] | None = None  # the levels asked for, while noted

    def url(self, route: str = "", target_lang: str | None = None) -> str:
        return self.renderer.plan.urls.path(target_lang or self.lang, route)

    def folded(self, name: str, args: tuple[str, ...]) -> str | None:
        """What `{{ name(*args) }}`, with these literal arguments, shows on every page of
        this language, or None when that is left to each page (then an unknown string or
        asset is reported by the page using it, as before)."""
        try:
            if name == "t" and len(args) == 1 and args[0] in self.t.catalogue:
                return self.t(args[0])
            if name == "url" and len(args) <= 2:
                return self.url(*args)
            if name == "asset" and len(args) == 1 and args[0] in self.renderer.versions:
                return self.renderer.asset(args[0])
        except Exception:  # noqa: BLE001 - the page meets it again, and reports it
            return None
        return None

    def date(self, value: dt.date, fmt: str = "long") -> str:
        key = (value, fmt)
        if key not in self._dates:
            self._dates[key] = format_date(value, format=fmt, locale=self.locale)
        return self._dates[key]

    def number(self, value: float) -> str:
        if value not in self._numbers:
            self._numbers[value] = format_decimal(value, locale=self.locale)
        return self._numbers[value]

    def commitment(self, value: Commitment) -> str:
        return self.t(f"commitment_{value.per}", hours=self.number(value.hours))

    def place(self, location: Location | None) -> str:
        if location is None:
            return ""
        parts = [location.city]
        if location.country != self.renderer.site.config.country:
            parts.append(self.locale.territories.get(location.country, location.country))
        return ", ".join(parts)

    def where(self, mission: Mission) -> str:
        label = self.t(f"remote_{mission.remote}")
        if mission.remote == "full" or mission.location is None:
            return label
        if mission.remote == "possible":
            return f"{label} · {self.place(mission.location)}"
        return self.place(mission.location)

    def language_name(self, code: str, in_lang: str | None = None) -> str:
        key = (code, in_lang)
        if key not in self._names:
            shown_in = Locale.parse(in_lang) if in_lang else self.locale
            name = Locale.parse(code).get_display_name(shown_in) if _known_locale(code) else code
            name = name or code
            self._names[key] = name[:1].upper() + name[1:]
        return self._names[key]

    def edit_url(self, source: str) -> str | None:
        repository = self.renderer.site.config.repository
        if not repository:
            return None
        # Boards keep their content in content/ at the repository root (missions init).
        relative = "/".join(["content", *Path(source).parts[-2:]])
        return f"{repository}/edit/main/{quote(relative)}"

    def card(self, mission: Mission, level: int = 3) -> markupsafe.Markup:
        """A mission's card, rendered once and reused on every listing that shows it."""
        key = (mission.slug, level)
        if self.card_levels is not None:
            self.card_levels.add(level)
        if key not in self._cards:
            template = self.renderer.envs[self.lang].get_template("partials/card.html")
            # The renderer's own dict of helpers: the same objects on every page, called
            # straight away (see _Context); `shared` makes new ones each time.
            shared = self.renderer.shared[self.lang]
            html = template.render({**shared, "mission": mission, "card_level": level})
            self._cards[key] = markupsafe.Markup(html)
        return self._cards[key]

    def keep_card(self, slug: str, html: str, level: int = 3) -> None:
        self._cards[(slug, level)] = markupsafe.Markup(html)

    @property
    def shared(self) -> dict[str, Any]:
        """What every template of this language gets, whatever the page."""
        renderer = self.renderer
        site = renderer.site
        return {
            "site": site,
            "config": site.config,
            "vocabulary": site.vocabulary,
            "lang": self.lang,
            "t": self.t,
            "url": self.url,
            "asset": renderer.asset,
            "date": self.date,
            "number": self.number,
            "commitment": self.commitment,
            "where": self.where,
            "place": self.place,
            "language_name": self.language_name,
            "markdown": renderer.render_markdown,
            "csp": renderer.csp,
            "edit_url": self.edit_url,
            "card": self.card,
            "provider": lambda mission: provider_for(mission.apply),
            "host": lambda value: urlsplit(value).hostname or value,
            "today": renderer.plan.today,
            "category": site.vocabulary.category,
            "skill": site.vocabulary.skill,
        }


FOLDED = frozenset({"t", "url", "asset"})  # the helpers ThemeEnvironment may fold


class ThemeEnvironment(jinja2.Environment):
    """The Jinja environment of one language. Where a template shows a helper called with
    literal arguments only, `{{ t('nav_missions') }}`, `{{ url('missions/') }}`,
    `{{ asset('style.css') }}`, the value (escaped) is compiled into the template as text:
    the same on every page of the language, it is not worked out again on each (they were
    a fifth of a mission page's time). Nothing changes for theme authors: the value is
    what the call would give, and a name that some template binds to something else
    (`{% set t = ... %}`, a macro argument, a loop variable...) is never folded.

    `fold(name, args)` gives the value, or None to leave the call to each page."""

    def __init__(self, fold: Callable[[str, tuple[str, ...]], str | None],
                 templates: Mapping[str, bytes], helpers: Iterable[object] = (),
                 **options: Any) -> None:
        super().__init__(extensions=[_Folding], **options)
        self.fold = fold
        self.template_sources = templates
        # By identity: the helpers live as long as the renderer holding this environment.
        self.plain_calls = frozenset(id(helper) for helper in helpers
                                     if not hasattr(helper, "jinja_pass_arg"))
        self.context_class = _Context

    @functools.cached_property
    def foldable(self) -> frozenset[str]:
        """The names of FOLDED that every template only ever calls (or reads from): one
        used otherwise, or defined as a macro, may be something else in some template, and
        templates share their variables with those they include. Attributes, filters and
        tests of the same name are other things."""
        names = set(FOLDED)
        for name, source in self.template_sources.items():
            try:
                tokens = list(self.lexer.tokenize(source.decode("utf-8"), name))
            except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
                return frozenset()  # not a template one can read: fold nothing
            for before, token, after in zip([None, *tokens[:-1]], tokens, [*tokens[1:], None],
                                            strict=True):
                if token.type != "name" or token.value not in names:
                    continue
                if before is not None and (before.type in ("dot", "pipe")
                                           or before.test("name:is")):
                    continue  # an attribute (page.url), a filter or a test of that name
                defined = (before is not None and before.type == "name"
                           and before.value in ("macro", "call"))
                # Called, or an attribute or item of it read (`t.catalogue`): the same
                # helper. Anything else may bind the name: `{% set t = ... %}`, `for t in`,
                # `macro m(t)`, `import ... as t`, `with t = ...`, `f(t=...)`...
                if defined or after is None or after.type not in ("lparen", "dot", "lbracket"):
                    names.discard(token.value)
        return frozenset(names)


class _Context(jinja2.runtime.Context):
    """Calls the generator's own helpers (`plain_calls` of ThemeEnvironment) straight
    away: Jinja's `call` first asks each callable whether it wants the context, in five
    attribute lookups, for each of the hundred calls a page makes."""

    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        environment = self.environment
        if id(obj) not in environment.plain_calls:  # type: ignore[attr-defined]
            return super().call(obj, *args, **kwargs)
        if kwargs:  # what Jinja passes for callables that take the context
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:  # as Jinja does: a generator's end must not leak out
            return environment.undefined("value was undefined because a callable raised a"
                                         " StopIteration exception")


class _Folding(jinja2.ext.Extension):
    """Compiles `{{ name('literal', ...) }}` as text where ThemeEnvironment may fold it."""

    def filter_stream(self, stream: jinja2.lexer.TokenStream) -> Iterator[jinja2.lexer.Token]:
        environment = self.environment
        assert isinstance(environment, ThemeEnvironment)
        names = environment.foldable
        unescaped = 0  # inside {% autoescape false %}: a value would be shown as it is
        tokens = iter(stream)
        before = None
        for token in tokens:
            if before is not None and before.type == "block_begin" and token.type == "name":
                if token.value == "autoescape":
                    unescaped += 1
                elif token.value == "endautoescape":
                    unescaped -= 1
            before = token
            if token.type != "variable_begin" or not names or unescaped:
                yield token
                continue
            held = [token]
            for inside in tokens:
                held.append(inside)
                if inside.type == "variable_end":
                    break
            before = held[-1]
            text = self._folded(held, names, environment)
            if text is None:
                yield from held
            else:
                yield jinja2.lexer.Token(token.lineno, "data", text)

    @staticmethod
    def _folded(held: list[jinja2.lexer.Token], names: frozenset[str],
                environment: ThemeEnvironment) -> str | None:
        # variable_begin, name, lparen, (string, comma)..., rparen, variable_end
        if (len(held) < 5 or held[1].type != "name" or held[1].value not in names
                or held[2].type != "lparen" or held[-2].type != "rparen"
                or held[-1].type != "variable_end"):
            return None
        inner = held[3:-2]
        args = tuple(token.value for token in inner[0::2])
        if (any(token.type != "string" for token in inner[0::2])
                or any(token.type != "comma" for token in inner[1::2])
                or (inner and inner[-1].type == "comma")):
            return None
        value = environment.fold(held[1].value, args)
        return None if value is None else str(markupsafe.escape(value))


class Renderer:
    """Renders planned pages with the theme.

    Between pages it only keeps caches of pure results (formatted values, cards, Markdown),
    so rendering a page twice gives the same bytes.
    """

    def __init__(
        self,
        site: Site,
        plan: Plan,
        theme: Theme,
        *,
        bytecode_cache: Callable[[str], jinja2.BytecodeCache] | None = None,
        markdown_cache: dict[str, str] | None = None,
    ) -> None:
        self.site = site
        self.plan = plan
        self.theme = theme
        self.catalogue = load_catalogue(theme, site.config.languages)
        self.versions = asset_versions(theme)
        self.markdown: Markdown = make_markdown()
        # Keyed by a digest of the Markdown text: the same body always gives the same HTML.
        self.markdown_cache: dict[str, str] = markdown_cache if markdown_cache is not None else {}
        self.translators = {lang: Translator(self.catalogue, lang) for lang in site.config.languages}
        # Built only from validated host names, so it is safe to emit without escaping.
        self.csp = markupsafe.Markup(content_security_policy(site.config.form_hosts))
        self.helpers = {lang: LanguageHelpers(self, lang) for lang in site.config.languages}
        self.shared = {lang: helpers.shared for lang, helpers in self.helpers.items()}
        # One environment a language: each compiles the templates with what is the same on
        # every page of its language written in (see ThemeEnvironment).
        templates = theme.sources
        self.envs = {
            lang: ThemeEnvironment(
                helpers.folded, templates,
                [value for value in self.shared[lang].values() if callable(value)],
                loader=jinja2.FileSystemLoader(theme.templates),
                autoescape=True,
                undefined=jinja2.StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
                bytecode_cache=(bytecode_cache(self._fold_key(lang, templates))
                                if bytecode_cache is not None else None),
                auto_reload=False,  # one build, one theme: no need to stat templates per page
            )
            for lang, helpers in self.helpers.items()
        }
        for env in self.envs.values():
            env.filters["script_json"] = script_json

    def _fold_key(self, lang: str, templates: Mapping[str, bytes]) -> str:
        """What the compiled templates of a language hold besides their source: the
        values folded in (see ThemeEnvironment), and which templates there are."""
        urls = self.plan.urls
        values = {
            "strings": {key: texts[lang] for key, texts in self.catalogue.items()},
            "urls": [urls.path(other) for other in self.site.config.languages],
            "assets": [urls.asset(""), self.versions],
            "templates": {name: hashlib.sha256(data).hexdigest()
                          for name, data in templates.items()},
        }
        digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode())
        return f"{lang}.{digest.hexdigest()[:32]}"

    def asset(self, name: str) -> str:
        return f"{self.plan.urls.asset(name)}?v={self.versions[name]}"

    def render(self, page: Page) -> str:
        template = self.envs[page.lang].get_template(page.template)
        try:
            return template.render(self.context(page))
        except jinja2.TemplateError as exc:
            raise BuildError(f"theme error in {page.template} for {page.output}: {exc}") from exc

    def context(self, page: Page) -> dict[str, Any]:
        lang = page.lang
        urls = self.plan.urls
        helpers = self.helpers[lang]
        t = helpers.t

        def mission_mailto(mission: Mission, address: str | None = None) -> str:
            subject = t("mailto_subject", title=mission.title)
            body = t("mailto_body", title=mission.title, url=page.url)
            return mailto(address or mission.apply.target, subject, body)

        return {
            **self.shared[lang],
            "page": page,
            "mailto": mission_mailto,
            # Head metadata for feed readers, search engines and link previews.
            "feed_title": lambda: feeds.feed_title(self.site, t, lang, page.kind, page.term),
            "share": lambda: feeds.share_card(page, self.site, urls, t),
            "job_posting": lambda: feeds.job_posting(
                page, self.site, urls, self.render_markdown, t
            ),
            # The search data of a mission (Pagefind filters, sorts and card), worded with
            # the same helpers as partials/card.html.
            "search_wording": Wording(self.site, lang, self.plan.today, t, helpers.date,
                                      helpers.commitment, helpers.where,
                                      helpers.language_name,
                                      self.plan.open_missions(lang, drafts=False)),
        }

    def card_levels(self, page: Page) -> frozenset[int]:
        """The levels of the cards `page` shows (a theme chooses them: listings at 2,
        say, and an association's page at 3), found by rendering it. Its cards are kept;
        a page the theme cannot render shows none here, and reports it when rendered."""
        helpers = self.helpers[page.lang]
        helpers.card_levels = set()
        try:
            with contextlib.suppress(Exception):
                self.render(page)
            return frozenset(helpers.card_levels)
        finally:
            helpers.card_levels = None

    def cards(self, shown: Sequence[tuple[str, Mission, int]]) -> dict[tuple[str, str, int], str]:
        """The card of each (language, mission, level), by (language, slug, level)."""
        return {(lang, mission.slug, level): str(self.helpers[lang].card(mission, level))
                for lang, mission, level in shown}

    def keep_cards(self, cards: Mapping[tuple[str, str, int], str]) -> None:
        """Take cards made by `cards` (maybe in another process) as made here."""
        for (lang, slug, level), html in cards.items():
            self.helpers[lang].keep_card(slug, html, level)

    def render_markdown(self, text: str) -> str:
        key = markdown_key(text)
        html = self.markdown_cache.get(key)
        if html is None:
            html = self.markdown_cache[key] = self.markdown.render(text)
        return html


def _known_locale(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, LookupError):
        return False
    return True


