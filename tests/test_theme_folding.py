"""What the renderer does to go faster must not show in the pages: helpers called with
literal arguments (`{{ t('nav_missions') }}`) are compiled into the templates as text,
once per language (render.ThemeEnvironment), and cards are made ahead at the levels the
theme shows them."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.errors import BuildError
from generator.plan import plan
from generator.render import Renderer, Theme
from tests.conftest import EXAMPLE_CONTENT, ROOT, TODAY

BASE = "https://example.org/board/"


def theme_copy(tmp_path: Path) -> Path:
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "themes" / "default", theme)
    return theme


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the edit changed nothing in {path}"
    path.write_text(changed, encoding="utf-8")


def built(tmp_path: Path, theme: Path, name: str = "site") -> Path:
    out = tmp_path / name
    build(BuildOptions(content=EXAMPLE_CONTENT, out=out, today=TODAY, base_url=BASE,
                       search=False, cache=False, theme=theme))
    return out


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_folding_changes_no_byte_of_the_site(tmp_path: Path) -> None:
    # A template naming t, url and asset otherwise than in a call turns folding off for
    # the whole theme (it could be another value there): that theme gives the calls' bytes.
    unfolded = theme_copy(tmp_path)
    edit(unfolded / "templates" / "404.html",
         lambda text: text + "{% if false %}{{ t }}{{ url }}{{ asset }}{% endif %}")
    folded_site = built(tmp_path, ROOT / "themes" / "default", "folded")
    unfolded_site = built(tmp_path, unfolded, "unfolded")
    assert files(folded_site) == files(unfolded_site)


def renderer(theme: Path) -> Renderer:
    from generator.build import load_site

    site = load_site(EXAMPLE_CONTENT)
    return Renderer(site, plan(site, TODAY, base_url=BASE), Theme(theme))


def test_the_default_theme_is_folded() -> None:
    # The speed-up holds: no call to these helpers with literal arguments is left.
    made = renderer(ROOT / "themes" / "default")
    env = made.envs["fr"]
    assert env.foldable == {"t", "url", "asset"}
    # The helpers left to each page are called without Jinja's questions (render._Context).
    assert {id(made.shared["fr"][name]) for name in ("t", "date", "card")} <= env.plain_calls
    source = env.loader.get_source(env, "base.html")[0]  # type: ignore[union-attr]
    code = env.compile(source, "base.html", raw=True)
    assert "'nav_missions'" not in code and "'style.css'" not in code
    assert "Missions" in code and "/board/static/style.css?v=" in code


def test_a_name_bound_in_a_template_is_not_folded(tmp_path: Path) -> None:
    theme = theme_copy(tmp_path)
    edit(theme / "templates" / "base.html", lambda text: text.replace(
        "<main", '{% with t = url %}<b id="bound">{{ t(\'nav_missions\') }}</b>{% endwith %}'
        "\n<main", 1))
    page = (built(tmp_path, theme) / "index.html").read_text(encoding="utf-8")
    assert '<b id="bound">/board/nav_missions</b>' in page
    assert ">Missions</a>" in page  # the helper itself, outside the block


@pytest.mark.parametrize("binding", [
    "{% set t = date %}", "{% for t in [date] %}{% endfor %}", "{% macro t(x) %}{% endmacro %}",
    "{% import 'partials/card.html' as t %}", "{{ card(t=1) if false else '' }}",
])
def test_any_other_use_of_a_name_keeps_it_from_folding(tmp_path: Path, binding: str) -> None:
    theme = theme_copy(tmp_path)
    edit(theme / "templates" / "404.html", lambda text: text + binding)
    assert renderer(theme).envs["fr"].foldable == {"url", "asset"}


def test_attributes_filters_and_tests_of_the_same_name_do_not_count(tmp_path: Path) -> None:
    theme = theme_copy(tmp_path)
    edit(theme / "templates" / "404.html",
         lambda text: text + "{{ page.url }}{{ page.kind | default('') }}"
                             "{% if page.url is string %}{% endif %}")
    assert renderer(theme).envs["fr"].foldable == {"t", "url", "asset"}


def test_a_folded_string_is_escaped_except_where_autoescape_is_off(tmp_path: Path) -> None:
    theme = theme_copy(tmp_path)
    edit(theme / "strings.yaml", lambda text: re.sub(
        r"(?m)^footer_about: .*$", 'footer_about: {fr: "<i>Ça</i> & là", en: "A <b> & B"}',
        text, count=1))
    edit(theme / "templates" / "base.html", lambda text: text.replace(
        "</footer>", "{% autoescape false %}<p id=\"raw\">{{ t('footer_about') }}</p>"
        "{% endautoescape %}\n</footer>", 1))
    page = (built(tmp_path, theme) / "index.html").read_text(encoding="utf-8")
    assert "<p>&lt;i&gt;Ça&lt;/i&gt; &amp; là</p>" in page
    assert '<p id="raw"><i>Ça</i> & là</p>' in page


def test_an_unknown_string_fails_only_the_pages_that_show_it(tmp_path: Path) -> None:
    theme = theme_copy(tmp_path)
    (theme / "templates" / "unused.html").write_text("{{ t('no_such_string') }}",
                                                      encoding="utf-8")
    built(tmp_path, theme)  # no page uses it
    edit(theme / "templates" / "404.html",
         lambda text: text.replace("{% block main %}", "{% block main %}{{ t('no_such_string') }}"))
    with pytest.raises(BuildError, match="unknown UI string 'no_such_string' in the theme"):
        built(tmp_path, theme, "again")


def test_a_page_tells_the_levels_of_the_cards_it_shows() -> None:
    # What the cards made before the render workers fork are made for (build._share_cards).
    made = renderer(ROOT / "themes" / "default")
    first = {}
    for page in made.plan.pages:
        first.setdefault(page.kind, page)
    assert made.card_levels(first["listing"]) == {2}
    assert made.card_levels(first["association"]) == {3}
    assert made.card_levels(first["mission"]) == frozenset()
    assert made.helpers["fr"].card_levels is None  # noted only while asked
