"""The build pipeline, top to bottom: read, validate, plan, fingerprint, render, swap.

Nothing is written before validation passes. A first build (or one where most pages
change) renders everything into a new folder that replaces the output folder in one step
at the end, so a failed or interrupted build leaves the previous site as it was. A later
build reuses what the cache (cache.py) knows: content files that did not change are not
parsed again, and only the outputs whose fingerprint (fingerprint.py) changed are
rendered, checked, then moved into the output folder; the other files are not touched.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import gc
import importlib.util
import io
import itertools
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
import zlib
from collections.abc import (
    Callable,
    Collection,
    Container,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, overload

import jinja2

from generator.board import read_config
from generator.cache import Cache, cache_dir, collector_paused, folder_id, locked
from generator.content import (
    SourceFile,
    display_path,
    find_sources,
    read_text_file,
    stat_key,
    stat_keys,
)
from generator.errors import BuildError, ConfigError, ContentError, Problem
from generator.feeds import (
    NATIONAL_END,
    NATIONAL_FEED,
    NATIONAL_ITEM_START,
    ROBOTS,
    SITEMAP,
    SitemapEntry,
    atom_feed,
    feeds,
    json_feed,
    national_feed,
    national_head,
    national_item,
    robots,
    sitemap_entries,
    sitemap_xml,
)
from generator.fingerprint import (
    Dependencies,
    Fingerprints,
    card_digest,
    dependencies,
    digest,
    files_digest,
    text_digest,
    tree_digest,
)
from generator.frontmatter import Document
from generator.links import check_output
from generator.markdown import make_markdown
from generator.model import Association, Mission, Site
from generator.plan import (
    FEED_ATOM,
    FEED_JSON,
    LazyPages,
    Page,
    Plan,
    Urls,
    holders,
    is_open,
    page_kinds,
    page_outputs,
    plan,
    planned_fields,
    with_objects,
)
from generator.render import Renderer, Theme, markdown_key
from generator.search import (
    BUNDLE,
    Indexing,
    Wording,
    facet_index,
    facet_names,
    index_copy,
    indexed_missions,
    start_pagefind,
)
from generator.validate import Inputs, url_problem, validate

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
NOJEKYLL = ".nojekyll"

Progress = Callable[[int, int], None]  # pages rendered so far, pages to render


@dataclass(frozen=True)
class BuildOptions:
    content: Path
    out: Path
    today: dt.date
    base_url: str | None = None
    drafts: bool = False
    theme: Path = DEFAULT_THEME
    search: bool = True  # facet index and Pagefind bundle (--no-search skips both)
    jobs: int = os.cpu_count() or 1  # rendering processes
    cache: bool = True  # reuse and keep .<out>.cache (False: build from nothing, drop it)


@dataclass(frozen=True)
class BuildReport:
    pages: int
    files: int
    seconds: float
    missions: int
    closed: int
    search_seconds: float = 0.0  # of `seconds`: the search index step
    rendered: int = 0  # pages rendered by this build (the others were unchanged)
    written: int = 0  # files written or removed in the output folder
    incremental: bool = False  # the output folder was updated in place
    steps: tuple[tuple[str, float], ...] = ()  # seconds of each step, in order
    # Every page planned again; False when the last plan held (what changed was no field
    # the plan reads: texts, titles, places...).
    replanned: bool = True

    def summary(self) -> str:
        text = (
            f"Built {self.pages} pages ({self.missions} missions, {self.closed} closed) "
            f"in {self.seconds:.2f} s"
        )
        if self.incremental:
            text += f": {self.rendered} rendered, {self.written} files changed"
        return text


def load_site(content: Path) -> Site:
    """Read and validate a whole board. Raises ContentError listing every problem."""
    return _load(content, None)[0]


def _load(
    content: Path, cache: Cache | None, jobs: int = 1, changed: Collection[str] | None = None,
    stats: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[Site, dict[str, Dependencies], dict[str, bytes], bytes]:
    """Read and validate a board, reusing what `cache` knows of unchanged files.
    `changed`: the files changed since the last build of this process (missions serve
    knows them from the file system); the others are not looked at again when all of
    them are content files that build knew. `stats`: content.stat_keys(content), taken
    by another process while this one read the cache.
    Returns the site, the files each object was made from, the digest of each object's
    card (fingerprint.card_digest) and the model key."""
    if not content.is_dir():
        raise ConfigError(f"content folder not found: {display_path(content)}")
    earlier = cache.sources if cache is not None else None
    if cache is not None:
        cache.sources = None  # set again once this build's files pass
    site_doc = read_config(content / "site.yaml")
    vocabulary_doc = read_config(content / "vocabulary.yaml")
    problems: list[Problem] = []
    for doc in (site_doc, vocabulary_doc):
        if isinstance(doc, list):
            problems.extend(doc)
    if problems:
        raise ContentError(problems)
    assert isinstance(site_doc, Document) and isinstance(vocabulary_doc, Document)
    languages = site_doc.data.get("languages")
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        languages = []
    model_key = files_digest([
        ("code", _code_key()),
        ("site.yaml", (content / "site.yaml").read_bytes()),
        ("vocabulary.yaml", (content / "vocabulary.yaml").read_bytes()),
    ])
    # Files known unchanged are not read again, unless the checks themselves changed.
    trusted = cache is not None and cache.model_key == model_key
    known = cache.files if cache is not None and trusted else {}
    # With a cache, files are looked at even when it cannot vouch for them (a first
    # build): their stat keys, kept, spare the next build reading every file again.
    unchanged = None if cache is None else cache.unchanged if trusted else _never
    again = (_modified(earlier, changed) if trusted and earlier is not None
             and changed is not None else None)
    if again is not None and not all(s.path in known for s in again if s.text is None):
        again = None  # the cache was read again since (another build): look at all
    if again is not None:
        sources, problems = again, []
    else:
        sources, problems = find_sources(content, tuple(languages), unchanged, stats)
    digests = {s.path: known[s.path][1] if s.text is None else text_digest(s.text)
               for s in sources}
    reused = cache.reusable(model_key, digests) if cache is not None else {}
    sources, read_problems = _read_needed(sources, reused)
    problems.extend(read_problems)
    inputs = Inputs(site_doc, vocabulary_doc, tuple(sources))
    known_objects: dict[str, Association | Mission] = {p: e[1] for p, e in reused.items()}
    checked_cards: dict[str, bytes] = {}
    if not problems:
        checked, checked_cards = _check_in_parallel(inputs, known_objects, jobs)
        known_objects.update(checked)
    site, validation_problems = validate(inputs, known_objects)
    problems.extend(validation_problems)
    if problems or site is None:
        raise ContentError(problems)
    deps: dict[str, Dependencies] = {}
    cards: dict[str, bytes] = {}
    default = site.config.default_language
    made_all: list[Association | Mission] = [*site.associations, *site.missions]
    for made in made_all:
        entry = reused.get(made.source)
        if entry is not None:
            deps[made.source], cards[made.source] = entry[0], entry[2]
            continue
        deps[made.source] = dependencies(made, default, digests)
        card = checked_cards.get(made.source)
        cards[made.source] = card if card is not None else card_digest(made)
        if cache is not None:
            cache.keep_object(made.source, deps[made.source], made, cards[made.source])
    if cache is not None:
        cache.keep_files({s.path: (s.stat, digests[s.path]) for s in sources if s.stat})
        # Kept unread (texts are in the objects) for the next build of this process.
        cache.sources = [s if s.text is None else replace(s, text=None) for s in sources]
    return site, deps, cards, model_key


def _modified(earlier: list[SourceFile], changed: Collection[str]) -> list[SourceFile] | None:
    """The content files of the last build, with those `changed` read again; None when
    one of the changes is not to one of those files (a file added, removed or renamed, a
    file of the theme): then the folders must be looked at. Looking at 11,479 files
    costs a fifth of a rebuild at 10,000 missions."""
    where = {source.path: index for index, source in enumerate(earlier)}
    if not all(path in where for path in changed):
        return None
    sources = list(earlier)
    for path in changed:
        try:
            key = stat_key(os.lstat(path))
        except OSError:
            return None
        source = sources[where[path]]
        if key == source.stat:  # touched, not changed: nothing to read
            continue
        text = read_text_file(path, path)
        if isinstance(text, Problem):
            return None  # the folders looked at, it is reported as it always is
        sources[where[path]] = replace(source, text=text, stat=key)
    return sources


def _never(path: str, stat: str) -> bool:
    return False


_T = TypeVar("_T")

PARALLEL_CHECK = 2000  # missions to check before a second process is worth its start


def _check_in_parallel(inputs: Inputs, known: Mapping[str, Association | Mission], jobs: int
                       ) -> tuple[dict[str, Association | Mission], dict[str, bytes]]:
    """Missions checked by a forked process while this one checks others, for a first
    build of a large board. Each process checks every association (missions need them)
    and the missions of its share of slugs (a translation goes with its default file).
    Only clean results are taken: were there problems, the full check below finds them
    again, in their usual order. Returns the objects by file path, for validate() to take
    as they are, and the card digest of each mission (fingerprint.card_digest), which
    each process works out for its share."""
    todo = [s for s in inputs.sources if s.kind == "mission" and s.path not in known]
    if jobs < 2 or len(todo) < PARALLEL_CHECK or not hasattr(os, "fork"):
        return {}, {}
    associations = tuple(s for s in inputs.sources if s.kind == "association")
    share = tuple(s for s in todo if zlib.crc32(s.slug.encode()) % 2)

    def check_share() -> dict[str, tuple[Mission, bytes]]:
        site, problems = validate(replace(inputs, sources=associations + share), known)
        if not site or problems:
            return {}
        return {m.source: (m, card_digest(m)) for m in site.missions}

    wait = _in_child(check_share)
    try:
        others = tuple(s for s in todo if not zlib.crc32(s.slug.encode()) % 2)
        site, problems = validate(replace(inputs, sources=associations + others), known)
        mine: dict[str, Association | Mission] = {}
        cards: dict[str, bytes] = {}
        if site is not None and not problems:
            made: list[Association | Mission] = [*site.associations, *site.missions]
            mine = {m.source: m for m in made}
            cards = {m.source: card_digest(m) for m in site.missions}
    except BaseException:
        wait()  # drained and reaped: a child blocked on a full pipe would never end
        raise
    data = wait()
    theirs: dict[str, tuple[Mission, bytes]] = pickle.loads(data) if data else {}
    if not mine or not theirs:
        return {}, {}  # problems somewhere: the full check reports them
    cards.update((path, card) for path, (_, card) in theirs.items())
    return {**mine, **{path: mission for path, (mission, _) in theirs.items()}}, cards


def _read_needed(sources: list[SourceFile], reused: Mapping[str, object]
                 ) -> tuple[list[SourceFile], list[Problem]]:
    """Read the files left unread that must be checked again after all: those whose
    object is not reused, and the default-language files of such translations."""
    needed = {s.path for s in sources if s.path not in reused}
    needed |= {os.path.join(os.path.dirname(s.path), f"{s.slug}.md")
               for s in sources if s.path in needed and s.lang is not None}
    result, problems = [], []
    for source in sources:
        if source.text is None and source.path in needed:
            text = read_text_file(source.path, source.path)
            if isinstance(text, Problem):
                problems.append(text)
                continue
            source = replace(source, text=text)
        result.append(source)
    return result, problems


@functools.cache
def _code_key() -> bytes:
    """The generator's own code and the versions of the libraries that shape the output."""
    import babel
    import jinja2
    import yaml

    package = Path(__file__).resolve().parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    try:  # the fast Markdown path's parser, when installed (generator/markdown.py)
        import markdown_it_pyrs
        fast = str(getattr(markdown_it_pyrs, "__version__", "unknown"))
    except ImportError:
        fast = "none"
    versions = f"{babel.__version__} {jinja2.__version__} {fast} {yaml.__version__}"
    # markdown-it-py by the file holding its __version__, rather than imported for it: a
    # build rendering no text the fast path declines never imports it.
    spec = importlib.util.find_spec("markdown_it")
    reference = Path(spec.origin).read_bytes() if spec is not None and spec.origin else b""
    return files_digest([("versions", versions.encode()), ("markdown_it", reference),
                         *((p.relative_to(package).as_posix(), p.read_bytes()) for p in files)])


def build(options: BuildOptions, *, cache: Cache | None = None,
          progress: Progress | None = None, defer_index: bool = False,
          changed: Collection[str] | None = None) -> BuildReport:
    """Build the site. `cache`: one kept in memory by the caller (missions serve), else
    the one beside the output folder is read, unless options.cache is False.
    `progress` is told how rendering goes. With `defer_index`, an incremental build
    puts its pages in place and returns, leaving the other files (feeds, sitemap, facet
    index) and the Pagefind bundle as they were; `run_pending` brings them up to date
    (missions serve does so after telling open pages to reload). `changed`: with `cache`,
    the files (display_path) changed since the last build with it, when known."""
    started = time.perf_counter()
    if options.base_url is not None:
        problem = url_problem(options.base_url, allow_loopback_http=True)
        if problem and not options.base_url.startswith("http://"):
            raise ConfigError(f"--base-url: {problem}")
    out = options.out.resolve()
    directory = cache_dir(out)
    if cache is None and not options.cache:
        # A clean build: fingerprints of an earlier one must not outlive it.
        shutil.rmtree(directory, ignore_errors=True)
        return _Build(options, out, Cache(None), started, progress, defer_index, None).run()
    existed = directory.exists()
    try:
        with locked(directory):
            if cache is None:
                # The content files are looked at by another process while this one reads
                # the cache: 55 ms of a rebuild at 10,000 missions, mostly system calls.
                looked: Callable[[], bytes] = lambda: b""
                if options.jobs > 1 and hasattr(os, "fork"):
                    with contextlib.suppress(OSError):  # no process to spare: here, later
                        looked = _in_child(functools.partial(stat_keys, options.content),
                                           bound=False)
                try:
                    own = Cache.open(directory)
                finally:
                    data = looked()
                try:
                    stats = pickle.loads(data) if data else None
                    return _Build(options, out, own, started, progress, defer_index,
                                  None, keep_plan=True, stats=stats).run()
                finally:
                    own.close()
            cache.refresh()
            return _Build(options, out, cache, started, progress, defer_index, changed).run()
    except BaseException:
        if not existed:  # a first build that failed leaves nothing behind, cache included
            shutil.rmtree(directory, ignore_errors=True)
        raise


class _Build:
    """One build: the steps of `build` sharing what they found."""

    def __init__(self, options: BuildOptions, out: Path, cache: Cache, started: float,
                 progress: Progress | None, defer_index: bool,
                 changed: Collection[str] | None, keep_plan: bool = False,
                 stats: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.options = options
        self.stats = stats  # content.stat_keys of the content folder, taken a moment ago
        self.out = out
        self.cache = cache
        self.started = started
        self.progress = progress
        self.defer_index = defer_index
        self.changed = changed
        self.keep_plan = keep_plan
        self.plan_to_keep: Planned | None = None
        self.replanned = True
        # The sources whose card changed since the last build (None: no last build known):
        # only their pages may have other anchors (a page's anchors follow its object's
        # fields: a closed mission's page has no #apply; a text's headings have none).
        self.recarded: frozenset[str] | None = None
        self.steps: list[tuple[str, float]] = []
        self.last = started
        # Markdown rendered ahead by another process in a first build (_markdown_ahead):
        # taken by the render workers when they fork, and called again on every path.
        self.ahead: Callable[[], Mapping[str, str]] = dict

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.steps.append((name, now - self.last))
        self.last = now

    def _kept_plan(self, build_key: bytes, today: dt.date, cards: Mapping[str, bytes],
                   site: Site) -> Planned | None:
        """The plan kept on disk by an earlier build, if made for this key and date and the
        same files: the next `missions build` after an edit of texts or titles takes it
        rather than planning the whole site again (0.6 s at 10,000 missions, for 0.1 s to
        read it). Whether it holds for the cards that changed is _still_planned's call."""
        head = self.cache.kept_plan("plan_head")
        if head is None:
            return None
        try:
            with collector_paused():
                wanted = pickle.loads(head)
                if wanted[:2] != (build_key, today) or wanted[2].keys() != cards.keys():
                    return None
                body = self.cache.kept_plan("plan_body")
                return Planned.kept(wanted, body, site) if body is not None else None
        except Exception:  # noqa: BLE001 - unreadable, or made by other code: plan again
            return None

    def _plan_bytes(self) -> tuple[bytes, bytes] | None:
        kept = self.plan_to_keep
        if kept is None:
            return None
        if kept.holders is None:  # worked out now, rather than by each build taking it
            kept = replace(kept, holders=holders(kept.plan))
        return kept.head(), kept.body()

    def _plan_bytes_aside(self, nice: int = 0) -> Callable[[], tuple[bytes, bytes] | None]:
        """_plan_bytes by a forked process, while this one makes the feeds (a quarter of
        a second at 10,000 missions, on the core the link check leaves idle part of the
        time); the function returned waits for them. With one job, made now."""
        if self.plan_to_keep is None or self.options.jobs < 2 or not hasattr(os, "fork"):
            made = self._plan_bytes()
            return lambda: made
        wait = _in_child(self._plan_bytes, nice)

        def result() -> tuple[bytes, bytes] | None:
            data = wait()
            # A process that died leaves no plan kept: the next build plans again.
            try:
                found: tuple[bytes, bytes] | None = pickle.loads(data) if data else None
            except Exception:  # noqa: BLE001 - whatever came, no plan is better than a bad one
                return None
            return found

        return result

    def _keep_plan(self, made: tuple[bytes, bytes] | None) -> None:
        if made is not None:
            self.cache.keep_plan(*made)

    def run(self) -> BuildReport:
        # What exists before a build (the cache, and in `missions serve` the last build's
        # site) and most of what it makes outlive its many allocations: frozen, out of
        # the garbage collector's sight, they are not walked by each full collection
        # (0.3 s at 10,000 missions, several times a build). Unfrozen after, so that
        # `missions serve`, which builds again and again in one process, frees them.
        gc.freeze()
        try:
            return self._run()
        finally:
            self.ahead()  # reaped, whatever happened; nothing left if taken already
            gc.unfreeze()

    def _run(self) -> BuildReport:
        options = self.options
        self.step("cache")
        # Reading and checking makes the site's objects, all kept, and hardly any garbage:
        # the collector would only walk the growing heap again and again (a fifth of it).
        with collector_paused():
            site, deps, cards, model_key = _load(options.content, self.cache, options.jobs,
                                                 self.changed, self.stats)
        self.step("read and check")
        if not self.cache.has_markdown and not self.cache.markdown:  # no text rendered yet
            self.ahead = _markdown_ahead(
                [m.body for m in site.missions if options.drafts or not m.draft]
                + [a.body for a in site.associations], options.jobs)  # those pages show
        base_url = options.base_url
        if base_url is not None and not base_url.endswith("/"):
            base_url += "/"
        theme = Theme(options.theme)
        # The date decides which missions are closed, which the plan holds page by page,
        # and the few files that show it take it into their fingerprint: the first build
        # of a day renders only what the date changed, unless the theme shows the date.
        dated = options.today if theme.shows_today() else None
        build_key = files_digest([
            ("model", model_key),
            ("theme", tree_digest(theme.root)),
            ("options", repr((dated, base_url, options.drafts)).encode()),
        ])
        last = self.cache.planned  # by this process (missions serve)
        earlier = (last if isinstance(last, Planned) and last.build_key == build_key
                   and last.plan.today == options.today and last.cards.keys() == cards.keys()
                   else self._kept_plan(build_key, options.today, cards, site))
        if earlier is not None:
            self.recarded = frozenset() if earlier.cards == cards else frozenset(
                source for source, card in cards.items() if earlier.cards.get(source) != card)
        made: list[Association | Mission] = [*site.associations, *site.missions]
        plan_keys = _still_planned(earlier, made, cards)
        if earlier is not None and plan_keys is not None:
            # The same plan, but for the objects of the files that changed.
            edited = {path for path, files in deps.items() if earlier.deps.get(path) != files}
            where = earlier.holders if earlier.holders is not None else holders(earlier.plan)
            site_plan = with_objects(earlier.plan, {m.source: m for m in made
                                                    if m.source in edited}, where)
            self.replanned = False
            if earlier.cards == cards:
                # Every card as it was (a text edited): the same fingerprints, but for the
                # pages of those texts.
                prints = earlier.prints.with_texts(site, deps, cards, edited)
            else:  # cards changed too (a title): the listings showing them
                prints = Fingerprints(build_key, site, deps, cards, options.today)
            stale = _stale_pages(site, site_plan, prints, earlier, where)
            counts = earlier.counts  # planned fields as they were: the same missions
        else:
            site_plan = plan(site, options.today, drafts=options.drafts, base_url=base_url)
            prints = Fingerprints(build_key, site, deps, cards, options.today)
            # An object whose card is as it was has the same planned fields (a card holds
            # them all): its key is the last plan's (missions serve after a category edit).
            kept: Mapping[str, bytes] = {}
            if earlier is not None and self.recarded is not None:
                kept = {source: key for source, key in earlier.plan_keys.items()
                        if source not in self.recarded}
            plan_keys = {m.source: kept.get(m.source) or _plan_key(m) for m in made}
            earlier, stale, where = None, set(), None
            counts = _counted(site, options.today, options.drafts)
        self.step("plan")
        gc.freeze()
        renderer = Renderer(site, site_plan, theme, markdown_cache=_MarkdownStore(self.cache),
                            bytecode_cache=_compiled_templates(self.cache))
        outputs = _Outputs(site, site_plan, renderer, theme, prints, self.cache,
                           options.search, earlier, stale)
        self.cache.planned = Planned(build_key, deps, cards, site_plan, prints,
                                     outputs.page_prints, outputs.sitemap,
                                     outputs.sitemap_print, plan_keys, where, counts)
        # Kept on disk for the next `missions build` when made anew here (one taken from
        # the disk holds still, and missions serve keeps its own in memory).
        self.plan_to_keep = (self.cache.planned if self.replanned and self.keep_plan
                             and self.cache.path is not None else None)
        self.step("fingerprints")
        known = self.cache.known_outputs(self.out)
        changed = [name for name, fingerprint in outputs.fingerprints.items()
                   if known.get(name) != fingerprint]
        to_render = outputs.changed_pages(changed)  # once: a set per page was quadratic
        # By position: the pages of a kept plan are made only when asked for.
        pages = [site_plan.pages[i] for i, name in enumerate(page_outputs(site_plan.pages))
                 if name in to_render]
        # In place only while few files change: past half of the pages, a new folder
        # swapped in at once costs no more, and the site never shows two builds mixed.
        incremental = bool(known) and len(pages) <= len(site_plan.pages) // 2
        if incremental:
            written, search_seconds = self._update(site_plan, renderer, theme, outputs,
                                                   known, changed, pages)
        else:
            written, search_seconds = self._replace(site_plan, renderer, theme, outputs)
        rendered = len(pages) if incremental else len(site_plan.pages)
        return BuildReport(
            pages=len(site_plan.pages),
            files=len(outputs.fingerprints) - (BUNDLE + "/" in outputs.fingerprints)
            + outputs.bundle_files(self.out),
            seconds=time.perf_counter() - self.started,
            missions=counts[0],
            closed=counts[1],
            search_seconds=search_seconds,
            rendered=rendered,
            written=written,
            incremental=incremental,
            steps=tuple(self.steps),
            replanned=self.replanned,
        )

    def _replace(self, site_plan: Plan, renderer: Renderer, theme: Theme,
                 outputs: _Outputs) -> tuple[int, float]:
        """Build everything into a new folder and swap it with the output folder."""
        staging = _staging_dir(self.out)
        indexing: Indexing | None = None
        try:
            # A new day, theme or setting renders every page again, but not every text.
            renderer.markdown_cache.update(self.cache.all_markdown())
            items, indexing, read = self._render_and_index(site_plan, renderer, outputs,
                                                           staging)
            self.cache.keep_markdown(renderer.markdown_cache.items())
            self.cache.keep_fragments(items)
            self.step("render pages")
            names = [n for n in outputs.fingerprints if n not in outputs.page_names]
            # The links of the pages are checked by another process meanwhile: they lead
            # to pages, all written now, or to these files, known by name.
            coming = frozenset(n for n in names if n in outputs.makers)  # not pagefind/
            # With a search index, the processes beside give way to Pagefind, whose
            # indexing is the longest wait of the build: they take the time it leaves a
            # core idle (its last half runs on one) rather than slow it down.
            nice = _BESIDE_INDEX if outputs.search else 0
            checked = _check_links_aside(site_plan, staging, theme.templates, coming,
                                         self.options.jobs, nice)
            try:
                plan_bytes = self._plan_bytes_aside(nice)
            except BaseException:
                with contextlib.suppress(BaseException):
                    checked()
                raise
            # The feeds and the sitemap by another process too (a second of the build's
            # serial end at 10,000 missions): made from the site alone, nothing of this one.
            aside = [n for n in names if n in outputs.aside_names]
            names = [n for n in names if n not in outputs.aside_names]
            try:
                feeds_written = _write_aside(outputs, aside, staging, self.options.jobs,
                                             nice)
            except BaseException:
                for wait in (plan_bytes, checked):
                    with contextlib.suppress(BaseException):
                        wait()
                raise
            checked = _after(feeds_written, checked)
            try:
                outputs.write(names, staging)
                self.step("feeds and other files")
                # Everything was made: what this build did not use is of no further use.
                site = outputs.site
                texts = [m.body for m in site.missions] + [a.body for a in site.associations]
                self.cache.keep_only(map(markdown_key, texts), outputs.national_keys)
                self._keep_plan(plan_bytes())
                self.cache.store_made()
                self.step("save what was made")
            except BaseException:
                for wait in (plan_bytes, checked):
                    with contextlib.suppress(BaseException):
                        wait()  # reaped; what went wrong here is what is reported
                raise
            broken = checked()
            if broken:
                raise ContentError(broken)
            self.step("link check")
            if indexing is not None:  # before the swap: the bundle is in the new folder
                indexing()
            # From its start, beside the rendering and the steps above, to its end.
            search_seconds = (time.perf_counter() - indexing.since
                              if indexing is not None and indexing.started else 0.0)
            self.step("search index")
            if read != staging:  # out of the site, removed in the background
                cache = cache_dir(self.out)
                _discard(read, self.out, (cache if cache.is_dir() else self.out.parent)
                         / f".{self.out.name}.index.trash-{os.getpid()}")
            self.cache.mark_dirty()
            _swap(staging, self.out)
            self.step("swap")
        except BaseException:
            if indexing is not None:
                indexing.stop()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.cache.save(folder_id(self.out), outputs.fingerprints)
        self.step("save cache")
        return len(outputs.fingerprints), search_seconds

    def _progress_from(self, done: int, pages: Sequence[Page]) -> Progress | None:
        """The progress of rendering a part of `pages`, the first `done` being rendered."""
        told = self.progress
        if told is None:
            return None
        return lambda more, _: told(done + more, len(pages))

    def _render_and_index(self, site_plan: Plan, renderer: Renderer, outputs: _Outputs,
                          staging: Path) -> tuple[dict[bytes, str], Indexing | None, Path]:
        """Render every page into `staging` and, with a search index, start Pagefind as
        soon as the mission pages, the only ones it reads, are written: the other pages
        are rendered beside it by processes giving way to it, in the time its last half,
        on one core, leaves the other idle. Returns what `render_pages` made, the index
        under way (the caller waits for it or stops it) and the folder Pagefind reads.

        Pagefind reads copies of the mission pages reduced to what it indexes
        (search.index_copy) from a folder in `staging`, moved out before the swap; the
        mission pages themselves when no copy was made (no page marked: Pagefind must
        be shown, and the build fails, see Indexing)."""
        pages, jobs = site_plan.pages, self.options.jobs
        if not outputs.search:
            return (render_pages(pages, renderer, staging, jobs, self.progress,
                                 outputs.national_item, ahead=self.ahead), None, staging)
        first = [page for page in pages if page.kind == "mission"]
        then = [page for page in pages if page.kind != "mission"]
        copies = staging / _INDEX_COPIES
        items = render_pages(first, renderer, staging, jobs, self._progress_from(0, pages),
                             outputs.national_item, copies, ahead=self.ahead)
        read = copies if copies.is_dir() else staging
        indexing = outputs.start_index(read, staging / BUNDLE)
        try:
            items.update(render_pages(then, renderer, staging, jobs,
                                      self._progress_from(len(first), pages),
                                      outputs.national_item, nice=_BESIDE_INDEX))
        except BaseException:
            indexing.stop()
            raise
        return items, indexing, read

    def _update(self, site_plan: Plan, renderer: Renderer, theme: Theme, outputs: _Outputs,
                known: Mapping[str, bytes], changed: list[str],
                pages: list[Page]) -> tuple[int, float]:
        """Render what changed beside the output folder, check it, then move it in."""
        staging = _staging_dir(self.out)
        try:
            items = render_pages(pages, renderer, staging, self.options.jobs, self.progress,
                                 outputs.national_item)
            self.cache.keep_markdown(renderer.markdown_cache.items())
            self.cache.keep_fragments(items)
            self.step("render pages")
            others = [n for n in changed if n not in outputs.page_names and n != BUNDLE + "/"]
            # missions serve makes the files other than pages (feeds, missions.xml, the
            # sitemap, the facet index: half a second at 10,000 missions) once open pages
            # are told to reload, as it does the search index; a build does them now.
            later = others if self.defer_index else []
            written = [] if later else outputs.write(others, staging, compare_with=self.out)
            self.step("feeds and other files")
            # The pages rendered now are checked; the others were checked when they were
            # made, and the links they have lead to pages whose fingerprint they carry
            # (cards, pagination), but for links written in a text: the pages of texts
            # that may link to a file going away, or to the page of a mission or
            # association whose card changed (see recarded), are checked again too.
            gone = [name for name in known if name not in outputs.fingerprints]
            rendered = [p.output for p in pages]
            recarded = self.recarded
            texts = _texts_linking(outputs.site, site_plan.urls, outputs.fingerprints, [
                *gone, *(p.output for p in pages if (own := _own_source(p)) is not None
                         and (recarded is None or own in recarded))])
            broken = check_output(site_plan, staging, theme.templates, behind=self.out,
                                  only=[*rendered, *sorted(set(texts) - set(rendered))],
                                  kept=_Kept(outputs.fingerprints), coming=frozenset(later))
            if broken:
                raise ContentError(broken)
            self.step("link check")
            self.cache.mark_dirty()
            moved = _move_in(staging, self.out, [p.output for p in pages] + written)
            for name in gone:
                _remove(self.out, name)
            self.step("move in")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        fingerprints = dict(outputs.fingerprints)
        bundle = BUNDLE + "/"
        index_due = outputs.search and known.get(bundle) != fingerprints.get(bundle)
        if index_due:  # recorded once the bundle is made, below or by refresh_index
            fingerprints[bundle] = known.get(bundle, b"")
        for name in later:  # recorded once made, by make_later
            if name in known:
                fingerprints[name] = known[name]
            else:
                del fingerprints[name]
        self._keep_plan(self._plan_bytes())
        self.cache.save(folder_id(self.out), fingerprints, changed)
        self.step("save cache")
        if later:
            self.cache.pending_files = functools.partial(make_later, self.options, self.cache,
                                                         outputs, later)
        search_seconds = 0.0
        if index_due and not self.defer_index:
            search_started = time.perf_counter()
            refresh_index(self.options, self.cache, outputs)
            search_seconds = time.perf_counter() - search_started
        elif index_due:
            self.cache.pending_index = functools.partial(refresh_index, self.options,
                                                         self.cache, outputs)
        return moved + len(gone), search_seconds


def _own_source(page: Page) -> str | None:
    """The content file of the mission or association a page is about, if it is."""
    own = {"mission": page.mission, "association": page.association}.get(page.kind)
    return own.source if own is not None else None


def _texts_linking(site: Site, urls: Urls, outputs: Container[str], targets: Iterable[str]
                   ) -> list[str]:
    """The pages (among `outputs`) showing a mission's or association's text that may
    link to one of `targets` (output files): those whose Markdown holds the last part of
    a target's route (a slug; `page/N` for a page of a listing). More pages than those
    that do link, never fewer: a link in a text, relative or from the site's path, ends
    with that part (maybe followed by a fragment). 10-20 ms at 10,000 missions."""
    needles = set()
    for name in targets:
        parts = [part for part in name.split("/") if part]
        if parts and parts[-1] == "index.html":
            parts.pop()
        if parts:  # the home page, never gone, has only the theme's anchors
            needles.add("/".join(parts[-2:] if parts[-1].isdigit() else parts[-1:]))
    if not needles:
        return []
    pages = [urls.output(m.lang, f"missions/{m.slug}/")
             for m in _holding(site.missions, needles)]
    for association in _holding(site.associations, needles):  # shown in every language
        pages += [urls.output(lang, f"associations/{association.slug}/")  # lacking its own
                  for lang in site.config.languages]
    return [page for page in pages if page in outputs]


_Made = TypeVar("_Made", Association, Mission)


def _holding(objects: Sequence[_Made], needles: Collection[str]) -> list[_Made]:
    """The objects whose text holds one of `needles`."""
    if len(needles) == 1:  # `in`, half the time of a regular expression
        (needle,) = needles
        return [made for made in objects if needle in made.body]
    search = re.compile("|".join(map(re.escape, sorted(needles)))).search
    return [made for made in objects if search(made.body)]


def run_pending(options: BuildOptions, cache: Cache) -> float | None:
    """Make what build(defer_index=True) left for later: the files other than pages, then
    the search index. Returns the seconds the index took, or None when it was not due."""
    files, index = cache.pending_files, cache.pending_index
    cache.pending_files = cache.pending_index = None
    if files is None and index is None:
        return None
    with locked(cache_dir(options.out.resolve())):
        if cache.changed_elsewhere():  # another build took over the folder meanwhile
            return None
        if files is not None:
            files()
        if index is None:
            return None
        started = time.perf_counter()
        index()
        return time.perf_counter() - started


def make_later(options: BuildOptions, cache: Cache, outputs: _Outputs,
               names: Sequence[str]) -> None:
    """Make these files (not pages) of an incremental build and move them in."""
    out = options.out.resolve()
    staging = _staging_dir(out)
    try:
        written = outputs.write(names, staging, compare_with=out)
        cache.mark_dirty()
        _move_in(staging, out, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    fingerprints = dict(cache.outputs)
    fingerprints.update((name, outputs.fingerprints[name]) for name in names)
    cache.save(folder_id(out), fingerprints, names)


def refresh_index(options: BuildOptions, cache: Cache, outputs: _Outputs) -> None:
    """Index the output folder again into a new bundle, swapped with the old one."""
    out = options.out.resolve()
    bundle = out / BUNDLE
    fresh = out.parent / f".{out.name}.bundle-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        outputs.index(out, fresh)
        if bundle.exists():
            # The old bundle goes to the cache folder, never into the site (or beside it).
            _swap(fresh, bundle, trash=cache_dir(out) / f".{BUNDLE}.trash-{os.getpid()}")
        else:
            os.rename(fresh, bundle)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    fingerprints = dict(cache.outputs)
    fingerprints[BUNDLE + "/"] = outputs.fingerprints[BUNDLE + "/"]
    cache.save(folder_id(out), fingerprints, [BUNDLE + "/"])


def _compiled_templates(cache: Cache) -> Callable[[str], jinja2.BytecodeCache] | None:
    """Where the theme's templates are kept compiled, beside the build cache: compiling
    them is a tenth of a second of every rebuild. Jinja keys each by its source only,
    not by the settings of our environment or its own version: a folder per version of
    the generator and its libraries (_code_key), the others' removed. Within it, a folder
    per language and what its templates were compiled with (the `key` given by Renderer:
    "fr.<digest>"), the language's earlier ones removed."""
    if cache.path is None:
        return None
    root = cache.path.parent / "templates"
    folder = root / _code_key().hex()[:32]
    if not folder.is_dir():
        shutil.rmtree(root, ignore_errors=True)
        folder.mkdir(parents=True)

    def compiled(key: str) -> jinja2.BytecodeCache:
        here = folder / key
        if not here.is_dir():
            lang = key.split(".", 1)[0]
            for earlier in folder.glob(f"{lang}.*"):
                shutil.rmtree(earlier, ignore_errors=True)
            here.mkdir()
        return jinja2.FileSystemBytecodeCache(str(here))

    return compiled


class _MarkdownStore(dict[str, str]):
    """The renderer's Markdown cache, falling back on the build cache's."""

    def __init__(self, cache: Cache) -> None:
        super().__init__()
        self._cache = cache
        self._pid = os.getpid()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        html = super().get(key)
        if html is None and os.getpid() == self._pid:  # no database in forked workers
            html = self._cache.markdown_html(key)
            if html is not None:
                self[key] = html
        return html if html is not None else default


@dataclass(frozen=True)
class Planned:
    """What a build planned, kept by the cache in memory for the next build of the same
    process (missions serve). When every object shows the same card again, only texts
    changed: the plan, the sitemap and most fingerprints are the same (0.9 s of a 2 s
    rebuild at 10,000 missions)."""

    build_key: bytes
    deps: Mapping[str, Dependencies]
    cards: Mapping[str, bytes]
    plan: Plan
    prints: Fingerprints
    pages: Mapping[str, bytes]  # fingerprint of each page
    sitemap: tuple[SitemapEntry, ...]
    sitemap_print: bytes
    plan_keys: Mapping[str, bytes]  # _plan_key of each object, by source file
    # plan.holders(plan), worked out at the first build that needs it and passed on.
    holders: Mapping[str, tuple[int, ...]] | None = None
    # The missions the report counts, and of them the closed ones (_counted): what the
    # plan reads decides them too.
    counts: tuple[int, int] = (0, 0)

    def head(self) -> bytes:
        """What the plan was made for, kept apart to be compared without the rest."""
        return pickle.dumps((self.build_key, self.plan.today, self.cards),
                            protocol=pickle.HIGHEST_PROTOCOL)

    def body(self) -> bytes:
        """The rest, for `kept`. Missions, associations and the site are written as
        their position among the keys of `cards` (the site: -1): the build reading it
        has them already, read again or reused (and equal, cards and texts, to those
        planned for, where it takes this plan), and its cards have the same keys.
        The pages are pickled by runs of PAGE_RUN after the rest, with the output and
        kind of each in the rest: `kept` makes a run's pages when one is asked for."""
        positions = {source: index for index, source in enumerate(self.cards)}
        pages = self.plan.pages
        runs = [_kept_pickle(tuple(pages[start:start + PAGE_RUN]), positions)
                for start in range(0, len(pages), PAGE_RUN)]
        rest = _kept_pickle((self.deps, replace(self.plan, pages=()), page_outputs(pages),
                             page_kinds(pages), PAGE_RUN, tuple(map(len, runs)), self.prints,
                             self.pages, self.sitemap, self.sitemap_print, self.plan_keys,
                             self.holders, self.counts), positions)
        return b"".join([rest, *runs])

    @classmethod
    def kept(cls, head: tuple[bytes, dt.date, Mapping[str, bytes]], body: bytes,
             site: Site) -> Planned:
        """The Planned written by head() and body(), with the objects of `site`, which
        has an object for each key of the head's cards."""
        build_key, _, cards = head
        made: dict[str, Association | Mission] = {m.source: m for m in site.associations}
        made.update((m.source, m) for m in site.missions)
        objects = [*map(made.__getitem__, cards), site]
        stream = io.BytesIO(body)  # shares the bytes of `body`, which _KeptPages keeps
        (deps, bare, outputs, kinds, run, sizes, prints, pages, sitemap, sitemap_print,
         plan_keys, where, counts) = _Unpickler(stream, objects).load()
        starts = tuple(itertools.accumulate(sizes, initial=stream.tell()))
        if (starts[-1] != len(body) or len(outputs) != len(kinds)
                or len(sizes) != -(-len(outputs) // run)):
            raise ValueError("a kept plan whose pages are not those it lists")
        kept_pages = _KeptPages(body, starts, run, outputs, kinds, objects)
        return cls(build_key, deps, cards, replace(bare, pages=kept_pages), prints, pages,
                   sitemap, sitemap_print, plan_keys, where, counts)


PAGE_RUN = 64  # pages pickled together in a kept plan (Planned.body)


def _kept_pickle(value: object, positions: Mapping[str, int]) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    # By exact type, in C: a persistent_id() would be called back for every object.
    by_position = functools.partial(_by_position, positions)
    pickler.dispatch_table = {Mission: by_position, Association: by_position,
                              Site: _the_site}
    pickler.dump(value)
    return out.getvalue()


class _KeptPages(LazyPages):
    """The pages of a kept plan (Planned.body), each run of `run` pages unpickled when one
    of them is first asked for, with the missions, associations and site of `objects`."""

    def __init__(self, body: bytes, starts: tuple[int, ...], run: int,
                 outputs: tuple[str, ...], kinds: tuple[str, ...],
                 objects: Sequence[object]) -> None:
        self._body = body
        self._starts = starts  # where each run starts in `body`, then its end
        self._run_length = run
        self.outputs = outputs
        self.kinds = kinds
        self._objects = objects  # by position (_by_position), the site last
        self._runs: dict[int, tuple[Page, ...]] = {}

    def __len__(self) -> int:
        return len(self.outputs)

    @overload
    def __getitem__(self, index: int) -> Page: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Page, ...]: ...

    def __getitem__(self, index: int | slice) -> Page | tuple[Page, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._run(index // self._run_length)[index % self._run_length]

    def __iter__(self) -> Iterator[Page]:
        for number in range(len(self._starts) - 1):
            yield from self._run(number)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def with_objects(self, new: Mapping[str, Association | Mission]) -> _KeptPages:
        objects = [new.get(o.source, o) if isinstance(o, (Mission, Association)) else o
                   for o in self._objects] if new else self._objects
        return _KeptPages(self._body, self._starts, self._run_length, self.outputs,
                          self.kinds, objects)

    def _run(self, number: int) -> tuple[Page, ...]:
        pages = self._runs.get(number)
        if pages is None:
            start, end = self._starts[number], self._starts[number + 1]
            data = io.BytesIO(memoryview(self._body)[start:end])
            pages = self._runs[number] = _Unpickler(data, self._objects).load()
        return pages


def _counted(site: Site, today: dt.date, drafts: bool) -> tuple[int, int]:
    """The missions a build reports (by slug: their versions are one mission), drafts
    only when it lists them, and how many of them are closed."""
    missions = ({m.slug for m in site.missions} if drafts
                else {m.slug for m in site.missions if not m.draft})
    # Most missions have no deadline: tested before is_closed is called.
    closed = {m.slug for m in site.missions
              if m.deadline is not None and m.is_closed(today)} & missions
    return len(missions), len(closed)


def _plan_key(made: Association | Mission) -> bytes:
    # repr, not pickle: equal values always give the same text.
    return digest(repr(planned_fields(made)).encode("utf-8", "surrogatepass"))


def _still_planned(earlier: Planned | None, made: Sequence[Association | Mission],
                   cards: Mapping[str, bytes]) -> Mapping[str, bytes] | None:
    """The plan keys of `made` when `earlier` (made for the same files) still plans them:
    no object whose card changed has a field the plan reads changed. None otherwise."""
    if earlier is None:
        return None
    if earlier.cards == cards:  # a card holds every planned field
        return earlier.plan_keys
    keys = dict(earlier.plan_keys)
    for one in made:
        if earlier.cards.get(one.source) != cards[one.source]:
            key = _plan_key(one)
            if earlier.plan_keys.get(one.source) != key:
                return None
            keys[one.source] = key
    return keys


def _stale_pages(site: Site, site_plan: Plan, prints: Fingerprints, earlier: Planned,
                 where: Mapping[str, Sequence[int]]) -> set[int]:
    """The positions of the pages whose fingerprint may differ from `earlier`'s, for a
    plan taken from it: those holding an object whose card is fingerprinted otherwise
    (looked for by `where`, holders(site_plan), rather than in all 13,887 pages at
    10,000 missions), the own pages of those whose text only is, and the search pages,
    which count every card, when one changed. Of a kept plan, only these are made."""
    cards, fields, texts, pages = prints.differing(earlier.prints)
    kinds = page_kinds(site_plan.pages)
    stale: set[int] = set()

    def add(source: str, whole: bool, own: str) -> None:
        held = where.get(source, ())
        stale.update(held if whole else (i for i in held if kinds[i] == own))

    for mission in site.missions if cards or texts else ():
        if (key := (mission.slug, mission.lang)) in cards or key in texts:
            add(mission.source, key in cards, "mission")
    for association in site.associations if fields or pages else ():
        if association.slug in fields or association.slug in pages:
            add(association.source, association.slug in fields, "association")
    if cards:  # the same files: every card differing is in `cards`
        stale.update(i for i, kind in enumerate(kinds) if kind == "search")
    return stale


def _made(position: int) -> Association | Mission:
    # Only _Unpickler calls it, under another name: a list's __getitem__, in C (11,480
    # objects each time a kept plan is read).
    raise TypeError(f"{position}: a kept plan is read with Planned.kept")


def _by_position(positions: Mapping[str, int], made: Association | Mission
                 ) -> tuple[Callable[[int], object], tuple[int]]:
    return _made, (positions[made.source],)


def _the_site(site: Site) -> tuple[Callable[[int], object], tuple[int]]:
    return _made, (-1,)


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: io.BytesIO, objects: Sequence[object]) -> None:
        super().__init__(data)
        self.objects = objects  # by position (_by_position), the site last

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_made":
            return self.objects.__getitem__
        return super().find_class(module, name)


class _Outputs:
    """Every file of the site other than pages, and the fingerprint of every file.

    Pages are rendered by render_pages; the other files are made here when asked for
    (`write`). Files whose bytes cost little to make are fingerprinted by their bytes;
    feeds and missions.xml by what they show.
    """

    def __init__(self, site: Site, site_plan: Plan, renderer: Renderer, theme: Theme,
                 prints: Fingerprints, cache: Cache, search: bool,
                 earlier: Planned | None = None, stale: Collection[int] = ()) -> None:
        """`earlier`: the build whose plan `site_plan` is (with_objects), whose page
        fingerprints and sitemap still hold but for the pages at the positions `stale`
        (_stale_pages)."""
        self.site = site
        self.plan = site_plan
        self.renderer = renderer
        self.theme = theme
        self.prints = prints
        self.cache = cache
        self.search = search
        self.page_names = frozenset(page_outputs(site_plan.pages))
        self._beside: Path | None = None  # the output folder, while write() compares with it
        self.makers: dict[str, Callable[[], bytes | _Spliced]] = {}
        if earlier is None:
            self.page_prints = {p.output: prints.page(p) for p in site_plan.pages}
            self.sitemap = sitemap_entries(site, site_plan)
            self.sitemap_print = prints.of("sitemap", repr(self.sitemap))
        else:
            self.page_prints = dict(earlier.pages)
            for index in sorted(stale):
                page = site_plan.pages[index]
                self.page_prints[page.output] = prints.page(page)
            self.sitemap = earlier.sitemap  # urls and dates: the plan's
            self.sitemap_print = earlier.sitemap_print
        self.fingerprints: dict[str, bytes] = dict(self.page_prints)
        self._add_feeds()
        self._add_site_files()
        self._add_static()
        if search:
            self._add_search()

    def changed_pages(self, changed: Sequence[str]) -> frozenset[str]:
        return frozenset(changed) & self.page_names

    def _add(self, name: str, fingerprint: bytes,
             make: Callable[[], bytes | _Spliced]) -> None:
        self.fingerprints[name] = fingerprint
        self.makers[name] = make

    def _add_bytes(self, name: str, data: bytes) -> None:
        self._add(name, self.prints.of("bytes", name) + digest(data), lambda: data)

    def _add_feeds(self) -> None:
        site, plan, renderer = self.site, self.plan, self.renderer
        html = renderer.render_markdown
        names = []
        for feed in feeds(site, plan, renderer.translators):
            prefix = plan.urls.prefix(feed.lang) + feed.folder
            # An empty feed is dated by the build (atom_feed).
            fingerprint = self.prints.of("feed", feed.lang, feed.folder, feed.title,
                                         feed.page_url, None if feed.missions else plan.today
                                         ) + self.prints.missions(feed.missions)
            self._add(prefix + FEED_ATOM, fingerprint + b"atom",
                      functools.partial(atom_feed, site, plan, feed, html))
            self._add(prefix + FEED_JSON, fingerprint + b"json",
                      functools.partial(json_feed, site, plan, feed, html))
            names += [prefix + FEED_ATOM, prefix + FEED_JSON]
        # Made from the site alone: another process may make them (_write_aside).
        self.aside_names = frozenset(names)

    def _add_site_files(self) -> None:
        site, plan = self.site, self.plan
        default = site.config.default_language
        listed = plan.open_missions(default, drafts=False)
        # Once for its fingerprint and its items' keys (_national): 10,000 at 10,000.
        self._listed_prints = self.prints.mission_prints(listed)
        # Its lastBuildDate is the build's date.
        self._add(NATIONAL_FEED, self.prints.of("national", plan.today)
                  + digest(b"".join(self._listed_prints)), self._national)
        self._add(SITEMAP, self.sitemap_print, functools.partial(sitemap_xml, self.sitemap))
        self.aside_names |= {SITEMAP}
        self._add_bytes(ROBOTS, robots(plan.urls))
        self._add_bytes(NOJEKYLL, b"")  # GitHub Pages: serve the folder as it is

    def _national(self) -> bytes | _Spliced:
        site, plan, renderer = self.site, self.plan, self.renderer
        default = site.config.default_language
        t = renderer.translators[default]

        def item(mission: Mission) -> str:
            fragment_key = self.prints.national_item(mission)
            text = self.cache.fragment(fragment_key)
            if text is None:
                text = national_item(site, plan.urls, renderer.render_markdown, t, mission)
                self.cache.keep_fragment(fragment_key, text)
            return text

        listed = plan.open_missions(default, drafts=False)
        head = national_head(site, plan)
        listed_keys = self.prints.national_keys(self._listed_prints)
        spliced = self._national_spliced(head, listed_keys, listed, item)
        data: bytes | _Spliced
        if spliced is not None:
            data, sizes = spliced
        else:
            sizes = []

            def counted(mission: Mission) -> str:
                text = item(mission)
                sizes.append(len(text.encode("utf-8")))
                return text

            self.cache.load_fragments(self.national_keys)
            data = national_feed(site, plan, renderer.render_markdown, t, counted)
        self.cache.keep_national((self.fingerprints[NATIONAL_FEED], head, listed_keys,
                                  tuple(sizes)))
        return data

    def _national_spliced(self, head: str, keys: tuple[bytes, ...],
                          listed: Sequence[Mission], item: Callable[[Mission], str]
                          ) -> tuple[_Spliced, list[int]] | None:
        """missions.xml as a copy of the one in the output folder but for the items that
        changed, which `item` makes, with the size of every item; None unless that file
        is known to be made of the items recorded (the cache's fingerprint of it is that
        of the record, and its size theirs) under the same head, as many as now."""
        record, folder = self.cache.national, self._beside
        if record is None or folder is None or len(record) != 4:
            return None
        fingerprint, recorded_head, recorded, recorded_sizes = record
        if (self.cache.known_outputs(folder).get(NATIONAL_FEED) != fingerprint
                or recorded_head != head or len(recorded) != len(keys)):
            return None
        changed = [i for i, (was, now) in enumerate(zip(recorded, keys, strict=True))
                   if was != now]
        if len(changed) > len(keys) // 2:
            return None  # assembled again at the same cost
        # Where each item starts in the file, after the head and its NATIONAL_ITEM_START.
        gap = len(NATIONAL_ITEM_START.encode())
        starts = list(itertools.accumulate((gap + size for size in recorded_sizes),
                                           initial=len(head.encode("utf-8")) + gap))
        total = starts[-1] - gap + len(NATIONAL_END.encode())
        source = folder / NATIONAL_FEED
        try:
            if os.stat(source).st_size != total:
                return None
        except OSError:
            return None
        self.cache.load_fragments([keys[i] for i in changed])
        parts: list[tuple[int, int] | bytes] = []
        position = 0
        sizes = list(recorded_sizes)
        for index in changed:
            text = item(listed[index]).encode("utf-8")
            sizes[index] = len(text)
            parts += [(position, starts[index] - position), text]
            position = starts[index] + recorded_sizes[index]
        parts.append((position, total - position))
        return _Spliced(source, tuple(parts)), sizes

    def national_item(self, page: Page) -> tuple[bytes, str] | None:
        """The missions.xml item of a mission page's mission, made by the process that
        rendered the page (its Markdown at hand), or None when missions.xml has none."""
        mission, default = page.mission, self.site.config.default_language
        # Those of open_missions(default, drafts=False), without a set of them made first.
        if (page.kind != "mission" or mission is None
                or not is_open(mission, default, self.plan.today, drafts=False)):
            return None
        text = national_item(self.site, self.plan.urls, self.renderer.render_markdown,
                             self.renderer.translators[default], mission)
        return self.prints.national_item(mission), text

    @functools.cached_property
    def national_keys(self) -> tuple[bytes, ...]:
        """The keys of the missions.xml items of every mission of the default language,
        listed or not (missions.xml shows those listed)."""
        default = self.site.config.default_language
        return self.prints.national_items(m for m in self.site.missions if m.lang == default)

    def _add_static(self) -> None:
        static = self.theme.static
        if not static.is_dir():
            return
        for path in sorted(static.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                self._add_bytes("static/" + path.relative_to(static).as_posix(), data)

    def _add_search(self) -> None:
        # A language's facet index shows what its search page shows (the filter values and
        # cards of its open missions): it carries that page's fingerprint, and is made only
        # when that changed, not at every build (2 s at 10,000 missions).
        pages = self.plan.pages
        for page in (pages[i] for i, kind in enumerate(page_kinds(pages)) if kind == "search"):
            folder = self.plan.urls.prefix(page.lang) + "search/"
            count = len(self.plan.open_missions(page.lang, drafts=False))  # indexed_missions
            files = functools.cache(functools.partial(self._facet_index, page, folder))
            for name in facet_names(folder, count):
                self._add(name, self.prints.of("facets", name) + self.fingerprints[page.output],
                          functools.partial(_one_of, files, name))
        # The bundle indexes the mission pages: it is due again when one of them changes.
        indexed = [self.fingerprints[name] for name, kind
                   in zip(page_outputs(pages), page_kinds(pages), strict=True)
                   if kind == "mission"]
        self.fingerprints[BUNDLE + "/"] = self.prints.of("bundle") + digest(b"".join(indexed))

    def _facet_index(self, page: Page, folder: str) -> dict[str, bytes]:
        wording: Wording = self.renderer.context(page)["search_wording"]
        return facet_index(wording, folder)

    def write(self, names: Sequence[str], staging: Path,
              compare_with: Path | None = None) -> list[str]:
        """Make these files into `staging`; with `compare_with`, skip those whose bytes are
        already there. Returns the names written."""
        written = []
        self._beside = compare_with  # makers may start from the files there
        for name in names:
            if name not in self.makers:
                continue
            data = self.makers[name]()
            if compare_with is not None and _same_bytes(compare_with / name, data):
                continue
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, _Spliced):
                data.write(target)
            else:
                target.write_bytes(data)
            written.append(name)
        return written

    def index(self, site_folder: Path, bundle: Path) -> None:
        """The Pagefind bundle of the pages in `site_folder`, written to `bundle`."""
        self.start_index(site_folder, bundle)()

    def start_index(self, site_folder: Path, bundle: Path) -> Indexing:
        """Start making the Pagefind bundle (see index); the caller waits for it."""
        prefixes = [self.plan.urls.prefix(lang) for lang in self.site.config.languages]
        return start_pagefind(site_folder, self.indexed_count(), bundle, prefixes)

    def indexed_count(self) -> int:
        return sum(len(indexed_missions(self.site, lang, self.plan.today))
                   for lang in self.site.config.languages)

    def bundle_files(self, out: Path) -> int:
        bundle = out / BUNDLE
        if not self.search or not bundle.is_dir():
            return 0
        return sum(len(files) for _, _, files in os.walk(bundle))


def _one_of(files: Callable[[], Mapping[str, bytes]], name: str) -> bytes:
    return files()[name]


class _Kept:
    """Files an incremental build keeps: its outputs, and the Pagefind bundle's files."""

    def __init__(self, outputs: Mapping[str, bytes]) -> None:
        self.outputs = outputs

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in self.outputs
            or (BUNDLE + "/" in self.outputs and name.startswith(BUNDLE + "/")))


@dataclass(frozen=True)
class _Spliced:
    """A file made of ranges of another file and of new bytes: the ranges are copied by
    the system (copy_file_range), never read into this process (missions.xml after a
    text edit: 3 KB new of 44 MB, 0.01 s instead of 0.09 s and 30,000 page faults)."""

    source: Path
    parts: tuple[tuple[int, int] | bytes, ...]  # (offset, length) in source, or bytes

    def __len__(self) -> int:
        return sum(len(p) if isinstance(p, bytes) else p[1] for p in self.parts)

    def unchanged(self) -> bool:
        """Whether it is its source as it is: every range in its place, the new bytes
        those already there (an edit that keeps the length: only those are compared)."""
        position = 0
        with open(self.source, "rb") as handle:
            for part in self.parts:
                if isinstance(part, bytes):
                    if os.pread(handle.fileno(), len(part), position) != part:
                        return False
                    position += len(part)
                elif part[0] != position:
                    return False
                else:
                    position += part[1]
        return position == os.stat(self.source).st_size

    def bytes(self) -> bytes:
        with open(self.source, "rb") as handle:
            return b"".join(p if isinstance(p, bytes) else os.pread(handle.fileno(), p[1], p[0])
                            for p in self.parts)

    def write(self, target: Path) -> None:
        # Unbuffered: both writes and copies go at the descriptor's offset, in order.
        with open(self.source, "rb") as source, open(target, "wb", buffering=0) as out:
            for part in self.parts:
                if isinstance(part, bytes):
                    view = memoryview(part)
                    while view:
                        written = out.write(view)
                        if not written:
                            raise BuildError(f"could not write {target}")
                        view = view[written:]
                    continue
                offset, left = part
                while left > 0:
                    try:
                        done = _copy_range(source.fileno(), out.fileno(), left, offset)
                    except OSError:  # a file system that cannot: through this process
                        done = out.write(os.pread(source.fileno(), min(left, 1 << 24), offset))
                    if done <= 0:
                        raise BuildError(f"{self.source} is shorter than recorded")
                    offset, left = offset + done, left - done


def _copy_range(source: int, target: int, count: int, offset: int) -> int:
    if not hasattr(os, "copy_file_range"):  # Linux only (macOS: through this process)
        raise OSError("no copy_file_range")
    return os.copy_file_range(source, target, count, offset)


def _same_bytes(path: Path, data: bytes | _Spliced) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        if isinstance(data, _Spliced) and data.source == path:
            return data.unchanged()
        with open(path, "rb") as handle:
            return handle.read() == (data.bytes() if isinstance(data, _Spliced) else data)
    except OSError:
        return False


def _move_in(staging: Path, out: Path, names: Sequence[str]) -> int:
    """Move each staged file over its place in `out`: each file changes in one step."""
    made: set[str] = set()
    for name in names:
        folder = os.path.dirname(name)
        if folder not in made:
            os.makedirs(out / folder, exist_ok=True)
            made.add(folder)
        os.replace(staging / name, out / name)
    return len(names)


def _remove(out: Path, name: str) -> None:
    """Remove an output that is no more, and the folders it leaves empty."""
    target = out / name
    if name.endswith("/"):
        shutil.rmtree(target, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    folder = target.parent
    while folder != out and folder.is_relative_to(out):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def _write_page(renderer: Renderer, page: Page, staging: Path,
                index_copies: str | None = None) -> None:
    data = renderer.render(page).encode("utf-8")
    _write_file(os.path.join(staging, page.output), data)
    if index_copies is not None and page.kind == "mission":
        # What Pagefind reads of a mission page, written beside (see index_copy).
        copy = index_copy(data)
        if copy is not None:
            _write_file(os.path.join(index_copies, page.output), copy)


def _write_file(target: str, data: bytes) -> None:
    # With os calls: pathlib's mkdir and write_text take twice as long (16 µs a page
    # more, for 14,000 pages at 10,000 missions). The folder is made only when missing.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        handle = os.open(target, flags, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        handle = os.open(target, flags, 0o666)
    with open(handle, "wb") as file:  # buffered: writes it all, however long
        file.write(data)


Extra = Callable[[Page], "tuple[bytes, str] | None"]  # made beside a page: (key, text)


def render_pages(pages: Sequence[Page], renderer: Renderer, staging: Path, jobs: int,
                 progress: Progress | None = None, extra: Extra | None = None,
                 index_copies: Path | None = None, nice: int = 0,
                 ahead: Callable[[], Mapping[str, str]] | None = None) -> dict[bytes, str]:
    """Render every page into `staging`, spread over `jobs` processes. Returns what
    `extra` made beside the pages (missions.xml items), by key. With `index_copies`, what
    Pagefind needs of the mission pages is written into that folder too, at the same
    paths (search.index_copy). `ahead`: gives the Markdown rendered meanwhile by another
    process (_markdown_ahead), taken as late as can be, just before the workers fork.

    Workers are forked children sharing the planned site without copying it; this process
    and each of them take runs of pages from a queue until none is left (see _runs),
    write their files, and the children send back the Markdown they rendered so that
    feeds and the search index reuse it instead of rendering every body again.
    `progress` hears from this process only, which counts its pages times `jobs`.
    With `nice`, the forked processes alone render, at that lower priority, giving way to
    another program (Pagefind); this one waits for them, and `progress` hears of the end.
    """
    jobs = max(1, min(jobs, len(pages) // 50 or 1))  # forking costs more than tiny sites
    total = len(pages)
    copies = None if index_copies is None else str(index_copies)

    def write_share(share: Iterable[Page], told: Progress | None) -> dict[bytes, str]:
        made: dict[bytes, str] = {}
        for done, page in enumerate(share, start=1):
            _write_page(renderer, page, staging, copies)
            beside = extra(page) if extra is not None else None
            if beside is not None:
                made[beside[0]] = beside[1]
            if told is not None and done % 50 == 0:
                told(min(total, done * jobs), total)
        return made

    if jobs == 1 or not hasattr(os, "fork"):
        if ahead is not None:
            renderer.markdown_cache.update(ahead())
        made = write_share(pages, progress)
        if progress is not None:
            progress(total, total)
        return made
    # Every template compiled once, here, rather than by each worker after the fork (a
    # clean build has no compiled templates yet: 0.3 s a process). A file that is not a
    # good template is left for rendering to report, if a page uses it.
    for env in renderer.envs.values():
        for name in env.list_templates():
            with contextlib.suppress(jinja2.TemplateError, UnicodeDecodeError, OSError):
                env.get_template(name)
    _share_cards(pages, renderer, jobs, nice)
    if ahead is not None:
        renderer.markdown_cache.update(ahead())
    # Everything made so far (the site, the plan, the cache) outlives the rendering: out
    # of the garbage collector's sight (see _Build.run), forked workers stop copying the
    # memory pages its collections would touch.
    gc.freeze()
    return _render_forked(pages, renderer, staging, jobs, progress, write_share, total, nice)


SHARED_CARDS = 1000  # cards made before the render workers fork, from this many on


def _share_cards(pages: Sequence[Page], renderer: Renderer, jobs: int, nice: int = 0
                 ) -> None:
    """Make the cards the listings among `pages` show before the render workers fork,
    spread over `jobs` processes. A mission is on five listings or so, spread over the
    workers: each would make nearly every card again (0.1 ms each, 20,000 at 10,000
    missions). Few listings: each worker makes the cards it needs. A card the theme
    cannot make is left to the page that shows it, which reports the error.

    The levels of the cards (their heading) are the theme's choice, for each kind of
    listing: the first page of each kind with pages in numbers is rendered to learn them.
    A kind's other pages asking for other levels only make those cards themselves.
    With `nice`, forked processes of that priority make them all."""
    shown = {(page.lang, mission.slug) for page in pages if page.kind != "mission"
             for mission in page.missions}
    if len(shown) < SHARED_CARDS:
        return
    kinds = collections.Counter(page.kind for page in pages)
    languages = len(renderer.site.config.languages)
    first: dict[str, Page] = {}
    for page in pages:  # a home or search page a language makes its cards alone
        if page.kind != "mission" and kinds[page.kind] > languages and page.missions:
            first.setdefault(page.kind, page)
    levels = {kind: renderer.card_levels(page) for kind, page in first.items()}
    wanted = list({(page.lang, mission.slug, level): (page.lang, mission, level)
                   for page in pages if page.kind in levels
                   for mission in page.missions for level in levels[page.kind]}.values())
    waits: list[Callable[[], bytes]] = []
    mine: Mapping[tuple[str, str, int], str] = {}
    try:
        for share in range(0 if nice else 1, jobs):
            waits.append(_in_child(functools.partial(renderer.cards, wanted[share::jobs]),
                                   nice))
        # Any error is met again by the page showing the card, which reports it.
        if not nice:
            with contextlib.suppress(Exception):
                mine = renderer.cards(wanted[0::jobs])
    finally:
        made = [wait() for wait in waits]  # every process started, reaped
    renderer.keep_cards(mine)
    for data in made:
        if data:  # else (a theme error, or the process died) the workers make them
            renderer.keep_cards(pickle.loads(data))


AHEAD_TEXTS = 1000  # texts from which rendering them ahead is worth a process


def _markdown_ahead(texts: Sequence[str], jobs: int) -> Callable[[], dict[str, str]]:
    """Start rendering these Markdown texts in a forked process, while this one plans and
    fingerprints the site and gets the render workers ready, on one core (1.5 s of the
    other one idle at 10,000 missions). It takes runs of texts from a queue; the function
    returned empties the queue, so that it stops after the run it is on, and gives what
    it made, by markdown_key. The texts it did not reach are rendered by the pages that
    show them, as without it. Call it on every path: a second call gives nothing."""
    if jobs < 2 or len(texts) < AHEAD_TEXTS or not hasattr(os, "fork"):
        return dict
    queue, size = _run_queue(len(texts))

    def render() -> dict[str, str]:
        markdown = make_markdown()  # the renderer's, made the same way
        return {markdown_key(text): markdown.render(text)
                for text in _runs(queue, size, texts)}

    try:
        wait = _in_child(render)
    except BaseException:
        os.close(queue)
        raise
    taken = False

    def take() -> dict[str, str]:
        nonlocal taken
        if taken:
            return {}
        taken = True
        try:
            while os.read(queue, 4096):  # the runs left: it stops after its own
                pass
        finally:
            os.close(queue)
            data = wait()
        return pickle.loads(data) if data else {}  # nothing if it failed: pages render

    return take


def _write_aside(outputs: _Outputs, names: Sequence[str], staging: Path,
                 jobs: int, nice: int = 0) -> Callable[[], None]:
    """Start writing these files (made from the site alone) in a forked process; the
    function returned waits for it. Were it to fail, they are made here again, for the
    error to be told as it would have been. With one job, writes them now."""
    if jobs < 2 or not names or not hasattr(os, "fork"):
        outputs.write(names, staging)
        return lambda: None
    wait = _in_child(lambda: outputs.write(names, staging), nice)

    def written() -> None:
        if not wait():
            outputs.write(names, staging)

    return written


def _after(first: Callable[[], None], then: Callable[[], list[Problem]]
           ) -> Callable[[], list[Problem]]:
    """One wait for two processes: `first`, then `then` (each waited for, whatever
    happens to the other)."""

    def both() -> list[Problem]:
        try:
            first()
        finally:
            found = then()
        return found

    return both


def _check_links_aside(site_plan: Plan, staging: Path, templates: Path,
                       coming: frozenset[str], jobs: int,
                       nice: int = 0) -> Callable[[], list[Problem]]:
    """Start checking the links of the pages in `staging` (see check_output) in a forked
    process; the function returned waits for the problems. With one job, checks now."""
    if jobs < 2 or not hasattr(os, "fork"):
        found_now = check_output(site_plan, staging, templates, coming=coming)
        return lambda: found_now
    wait = _in_child(lambda: check_output(site_plan, staging, templates, coming=coming),
                     nice)

    def found() -> list[Problem]:
        data = wait()
        if not data:
            raise BuildError("the link check process died")
        problems: list[Problem] = pickle.loads(data)
        return problems

    return found


def _in_child(work: Callable[[], object], nice: int = 0, *, bound: bool = True
              ) -> Callable[[], bytes]:
    """Run `work` in a forked process that sends back its result, pickled, and leaves
    without cleanup; `nice` lowers its priority. The function returned reads that pickle
    (empty if the process died, even midway through sending it) and reaps the process;
    call it on every path, errors included. `bound`: the process is killed if this one
    dies (_exit_with, which loads ctypes: 15 ms), which work of a moment can do without."""
    read_end, write_end = os.pipe()
    parent = os.getpid()
    try:
        if bound:
            _libc()  # loaded once, for every child's _exit_with
        pid = os.fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # child: never return into the parent's frames
        status = 1
        try:
            if bound:
                _exit_with(parent)
            os.close(read_end)
            if nice:
                with contextlib.suppress(OSError):
                    os.nice(nice)
            result = work()
            with os.fdopen(write_end, "wb") as pipe:
                pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)

    read = reaped = False

    def wait() -> bytes:
        # The pipe is read once: a second call (on an error path) must not open the closed
        # descriptor, by then maybe another file's. The process is reaped once, again
        # by a later call if an interruption (Ctrl-C) came in between.
        nonlocal read, reaped
        data = b""
        try:
            if not read:
                read = True
                with os.fdopen(read_end, "rb") as pipe:
                    data = pipe.read()
        finally:
            if not reaped:
                _, status = os.waitpid(pid, 0)
                reaped = True
                if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                    data = b""  # killed, maybe midway: what came is not a whole pickle
        return data

    return wait


_INDEX_COPIES = ".index-copies"  # in the staging folder (see index_copy)
_BESIDE_INDEX = 10  # the niceness of the processes working beside Pagefind

_RUN_BYTES = 4  # a run's number in the queue: read whole (pipe reads under PIPE_BUF)
# 4 KB: the whole queue fits in any pipe's buffer, written before any reader exists (Linux
# gives 64 KB, but 8 KB to a user past pipe-user-pages-soft; macOS 16 KB).
_RUNS_MAX = 1024


def _run_queue(count: int) -> tuple[int, int]:
    """A queue of the runs of pages to render: the read end of a pipe holding every run's
    number, and the run length. Each process reads numbers until the pipe is empty: the
    one done first takes the next run, so no process waits for another with work left (a
    fixed half each left one idle for 0.7 s of 9 at 10,000 missions)."""
    size = max(25, -(-count // _RUNS_MAX))
    runs = -(-count // size)
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"".join(n.to_bytes(_RUN_BYTES, "little") for n in range(runs)))
    finally:
        os.close(write_end)  # an empty pipe then reads as the end: no run left
    return read_end, size


def _tell_while_queued(queue: int, size: int, total: int, progress: Progress) -> None:
    """Tell `progress` of the runs taken from the queue by other processes, until none
    is left: the bytes in the pipe say how many are."""
    import fcntl  # POSIX only, as fork is
    import termios

    while True:
        left = int.from_bytes(fcntl.ioctl(queue, termios.FIONREAD, bytes(4)), sys.byteorder)
        if not left:
            return
        progress(max(0, total - left // _RUN_BYTES * size), total)
        time.sleep(0.25)


def _runs(queue: int, size: int, items: Sequence[_T]) -> Iterator[_T]:
    """The items (pages, texts) of each run this process takes from the queue."""
    while claimed := os.read(queue, _RUN_BYTES):
        start = int.from_bytes(claimed, "little") * size
        yield from items[start:start + size]


def _render_forked(pages: Sequence[Page], renderer: Renderer, staging: Path, jobs: int,
                   progress: Progress | None,
                   write_share: Callable[[Iterable[Page], Progress | None], dict[bytes, str]],
                   total: int, nice: int = 0) -> dict[bytes, str]:
    parent = os.getpid()
    queue, size = _run_queue(len(pages))
    children: list[tuple[int, int]] = []
    failure: BaseException | None = None
    made: dict[bytes, str] = {}
    # Made once, before the fork, rather than by each worker meeting a text the fast
    # Markdown path declines (generator/markdown_reference.py).
    renderer.markdown.reference  # noqa: B018 - made when first read
    _libc()  # for the workers' _exit_with
    try:
        for _ in range(0 if nice else 1, jobs):
            children.append(_render_worker(pages, renderer, parent, queue, size, write_share,
                                           nice))
        if not nice:
            made = write_share(_runs(queue, size, pages), progress)
        elif progress is not None:
            _tell_while_queued(queue, size, total, progress)
    except BaseException as exc:  # noqa: BLE001 - re-raised after the children are reaped
        failure = exc  # a fork that failed too: the workers started are reaped below
        while os.read(queue, 4096):  # the runs left: the workers stop after their own
            pass
    finally:
        os.close(queue)
    errors = []
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        if not data:
            errors.append("a rendering process died")
            continue
        error, markdown, theirs = pickle.loads(data)
        if error:
            errors.append(error)
        renderer.markdown_cache.update(markdown)
        made.update(theirs)
    if failure is not None:
        raise failure
    if errors:
        raise BuildError("; ".join(errors))
    if progress is not None:
        progress(total, total)
    return made


def _render_worker(pages: Sequence[Page], renderer: Renderer, parent: int, queue: int,
                   size: int,
                   write_share: Callable[[Iterable[Page], Progress | None], dict[bytes, str]],
                   nice: int = 0) -> tuple[int, int]:
    """Fork a worker taking runs from `queue`; returns its pid and the read end of the
    pipe its report (an error or None, its Markdown, what `extra` made) comes through."""
    read_end, write_end = os.pipe()
    known = len(renderer.markdown_cache)  # what this process has, the worker too
    try:
        pid = os.fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # child: render its runs, report, and leave without cleanup
        # Whatever happens (a parent killed with SIGKILL makes the pipe write fail),
        # the child must never return into the parent's frames, whose `except`
        # removes the staging folder, nor go on writing into it once the parent died.
        status = 1
        try:
            _exit_with(parent)
            os.close(read_end)
            if nice:
                with contextlib.suppress(OSError):
                    os.nice(nice)
            try:
                mine = write_share(_runs(queue, size, pages), None)
                # Only what it rendered, added after the others (a dict keeps its order):
                # sending back every text known would pickle 35 MB at 10,000 missions.
                rendered = dict(itertools.islice(renderer.markdown_cache.items(), known, None))
                payload = pickle.dumps((None, rendered, mine))
                status = 0
            except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
                payload = pickle.dumps((f"{type(exc).__name__}: {exc}", {}, {}))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


_PR_SET_PDEATHSIG = 1


def _exit_with(parent: int) -> None:
    """Have the kernel kill this forked worker when the build process dies (Linux)."""
    libc = _libc()  # loaded by the parent before it forks
    if libc is not None and hasattr(libc, "prctl"):
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request above
        os._exit(1)


def _staging_dir(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def _remove_stale(out: Path) -> None:
    """Remove folders left by builds that were killed (their process is gone)."""
    leftovers = [*out.parent.glob(f".{out.name}.*-*"),
                 *cache_dir(out).glob(".*.trash-*")]
    for leftover in leftovers:
        pid = leftover.name.rsplit("-", 1)[-1]
        if ".trash-" in leftover.name:
            _remove_later(leftover)  # maybe still being removed: never wait for it
        elif pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2


@functools.cache
def _libc() -> Any:
    """The C library, for renameat2 and prctl; loaded by the first swap or fork
    (importing ctypes and finding the library took 15 ms of every start, rebuilds that
    do neither included)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _swap(staging: Path, out: Path, trash: Path | None = None) -> None:
    """Put the new site in place. On Linux the two folders are exchanged atomically.
    The previous one is removed in the background, from `trash` (see _discard)."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"{display_path(out)} exists and is not a folder")
    libc = _libc() if out.exists() else None
    if libc is not None and hasattr(libc, "renameat2"):
        at_fdcwd = -100
        result = libc.renameat2(
            at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(out), _RENAME_EXCHANGE
        )
        if result == 0:
            _discard(staging, out, trash)  # now holds the previous site
            return
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        _discard(old, out, trash)
    else:
        os.rename(staging, out)


def _discard(folder: Path, out: Path, trash: Path | None = None) -> None:
    """Remove a previous site without waiting: removing ten thousand folders can take
    longer than building them (on file systems that trim freed blocks, seconds per
    thousand). It is moved aside (into the cache folder when there is one, out of sight),
    then removed by a process of its own; a removal that dies is finished by the next
    build (_remove_stale)."""
    if trash is None:
        cache = cache_dir(out)
        trash = (cache if cache.is_dir() else out.parent) / f".{out.name}.trash-{os.getpid()}"
    shutil.rmtree(trash, ignore_errors=True)
    os.rename(folder, trash)
    _remove_later(trash)


def _remove_later(folder: Path) -> None:
    sh = shutil.which("sh")
    if sh is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    # The shell starts `rm` in the background and exits: rm belongs to no one, and this
    # process is left with no child to wait for.
    subprocess.run([sh, "-c", 'rm -rf -- "$1" </dev/null >/dev/null 2>&1 &', "sh",
                    str(folder)], check=False, start_new_session=True)
