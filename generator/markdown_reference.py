"""markdown-it-py with our rules: the reference renderer of generator.markdown.

It renders the texts the fast path (markdown-it.rs) declines, and is what that path is
held to. Imported only when such a text comes: markdown-it-py takes 40 ms to import, a
twenty-fifth of a rebuild after a text edit, which the fast path renders alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore, block
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from generator.markdown import _MARKUP, MAX_LINES, MAX_MARKUP, _is_external, _validate_link


def _demote_headings(state: Any) -> None:
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = max(0, 2 - min(int(t.tag[1]) for t in headings))
    for token in headings:
        token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def _plain(content: str) -> list[Token]:
    """Inline children that show `content` as it is: escaped text, no formatting."""
    token = Token("text", "", 0)
    token.content = content
    return [token]


def _block_within_budget(state: StateCore) -> None:
    """Block parsing, unless the text has more lines than any real description: then the
    whole text is one plain paragraph (the parser would otherwise spend seconds on it)."""
    if state.inlineMode or state.src.count("\n") <= MAX_LINES:
        block(state)  # markdown-it's own rule
        return
    opening = Token("paragraph_open", "p", 1)
    inline = Token("inline", "", 0)
    inline.content = state.src.strip()
    inline.children = _plain(inline.content)
    state.tokens.extend([opening, inline, Token("paragraph_close", "p", -1)])


def _inline_within_budget(state: StateCore) -> None:
    """Inline parsing of each paragraph, heading and cell while the markup budget lasts;
    a paragraph that does not fit in what is left is shown as plain text."""
    budget = MAX_MARKUP
    for token in state.tokens:
        if token.type != "inline" or token.children:  # children: made plain above
            continue
        cost = len(_MARKUP.findall(token.content))
        if cost > budget:
            token.children = _plain(token.content)
            continue
        budget -= cost
        token.children = []
        state.md.inline.parse(token.content, state.md, state.env, token.children)


def _memo_key(start: int, nested: bool) -> int:
    # Stored in the inline state's own cache (whose keys are positions, so >= 0): a
    # negative key cannot collide with them, and the memo lives exactly as long as it.
    return -2 * start - (1 if nested else 2)


def _link_label(state: StateInline, start: int, disableNested: bool = False) -> int:
    """markdown-it's parseLinkLabel, remembering the end of every label it walks over.

    The original scans from each `[` to its `]`, then again from the next `[`: quadratic
    on `[[[[...` (and on `[a[a[a...` times the nesting limit). A scan from the `[` at
    `start` passes over every `[` nested in it, on the same path of tokens, so one stack
    gives their ends too: each ends at the `]` that brings its own level back to zero,
    and those still open when the scan stops end nowhere. A later scan that meets a `[`
    already known jumps over its label, or stops if it has none. Results hold for the
    `posMax` they were found under (link texts are parsed with a smaller one).
    """
    cache = state.cache
    known = _known_end(cache, start, disableNested, state.posMax)
    if known is not None:
        return known
    old_pos = state.pos
    state.pos = start + 1
    opened = [start]
    found = -1
    limit = state.posMax  # the labels still open fail for any posMax up to this
    while state.pos < state.posMax:
        marker = state.src[state.pos]
        if marker == "]":
            cache[_memo_key(opened.pop(), disableNested)] = state.pos
            if not opened:
                found = state.pos
                break
        previous = state.pos
        state.md.inline.skipToken(state)
        if marker != "[":
            continue
        if previous != state.pos - 1:  # a link inside, not a `[` of text
            if disableNested:
                limit = len(state.src)  # no larger posMax changes that
                break
            continue
        end = _known_end(cache, previous, disableNested, state.posMax)
        if end is None:
            opened.append(previous)
        elif end >= 0:
            state.pos = end  # its `]`, which leaves the level as it was before its `[`
            state.md.inline.skipToken(state)
        else:  # never closed, so neither is any label around it
            limit = max(limit, -cache[_memo_key(previous, disableNested)] - 2)
            break
    for position in opened:
        cache[_memo_key(position, disableNested)] = -limit - 2
    state.pos = old_pos
    return found


def _known_end(cache: dict[int, int], start: int, nested: bool, pos_max: int) -> int | None:
    """The end of the label at `start` if already known under `pos_max` (-1: none)."""
    memo = cache.get(_memo_key(start, nested))
    if memo is None:
        return None
    if memo >= 0:
        return memo if memo < pos_max else -1
    return -1 if pos_max <= -memo - 2 else None


class _Renderer(RendererHTML):
    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        if _is_external(href):
            # Content links point at sites nobody here vouches for.
            token.attrSet("rel", "noopener noreferrer nofollow ugc")
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        token.attrSet("loading", "lazy")
        token.attrSet("referrerpolicy", "no-referrer")
        return super().image(tokens, idx, options, env)


def markdown_it() -> MarkdownIt:
    """markdown-it-py with every rule of generator.markdown."""
    md = MarkdownIt("js-default", renderer_cls=_Renderer)
    md.validateLink = _validate_link  # type: ignore[method-assign]
    # This instance's own helpers: the library's module stays untouched for other users.
    md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=_link_label,
        parseLinkDestination=parseLinkDestination,
        parseLinkTitle=parseLinkTitle,
    )
    md.core.ruler.at("block", _block_within_budget)
    md.core.ruler.at("inline", _inline_within_budget)
    md.core.ruler.push("demote_headings", _demote_headings)
    return md
