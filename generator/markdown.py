"""The one Markdown renderer: CommonMark without raw HTML, with safe links.

Bodies come from strangers' pull requests, so raw HTML is off ("js-default"),
links are limited to http(s), mailto and in-page/relative targets, external links
open nothing with our window (noopener) and tell nothing of our URL (noreferrer),
and headings are shifted so the page's own <h1> stays the only one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


def _validate_link(url: str) -> bool:
    # markdown-it hands us the normalised URL (entities decoded, percent-encoded),
    # so "jav&#x61;script:" or "JAVASCRIPT:" arrive here already unmasked.
    lowered = url.strip().lower()
    if ":" not in lowered.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative: no scheme at all
    return lowered.startswith(_ALLOWED_SCHEMES)


def _demote_headings(state: Any) -> None:
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = max(0, 2 - min(int(t.tag[1]) for t in headings))
    for token in headings:
        token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


class _Renderer(RendererHTML):
    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if href.startswith(("http:", "https:")):
            # Content links point at sites nobody here vouches for.
            token.attrSet("rel", "noopener noreferrer nofollow ugc")
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        token.attrSet("loading", "lazy")
        token.attrSet("referrerpolicy", "no-referrer")
        return super().image(tokens, idx, options, env)


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("js-default", renderer_cls=_Renderer)
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


def render_markdown(md: MarkdownIt, text: str) -> str:
    return md.render(text)
