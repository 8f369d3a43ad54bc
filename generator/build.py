"""The build pipeline, top to bottom: read, validate, plan, render, swap.

Nothing is written before validation passes, and the output folder is replaced in
one step at the end, so a failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import os
import pickle
import shutil
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.board import read_config
from generator.content import display_path, find_sources
from generator.errors import BuildError, ConfigError, ContentError, Problem
from generator.feeds import feed_files
from generator.frontmatter import Document
from generator.links import check_output
from generator.model import Site
from generator.plan import Page, Plan, plan
from generator.render import Renderer, Theme
from generator.search import write_index
from generator.validate import Inputs, url_problem, validate

DEFAULT_THEME = Path(__file__).resolve().parent.parent / "themes" / "default"


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


@dataclass(frozen=True)
class BuildReport:
    pages: int
    files: int
    seconds: float
    missions: int
    closed: int
    search_seconds: float = 0.0  # of `seconds`: the search index step

    def summary(self) -> str:
        return (
            f"Built {self.pages} pages ({self.missions} missions, {self.closed} closed) "
            f"in {self.seconds:.2f} s"
        )


def load_site(content: Path) -> Site:
    """Read and validate a whole board. Raises ContentError listing every problem."""
    if not content.is_dir():
        raise ConfigError(f"content folder not found: {display_path(content)}")
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
    sources, problems = find_sources(content, tuple(languages))
    site, validation_problems = validate(Inputs(site_doc, vocabulary_doc, tuple(sources)))
    problems.extend(validation_problems)
    if problems or site is None:
        raise ContentError(problems)
    return site


def build(options: BuildOptions) -> BuildReport:
    started = time.perf_counter()
    if options.base_url is not None:
        problem = url_problem(options.base_url, allow_loopback_http=True)
        if problem and not options.base_url.startswith("http://"):
            raise ConfigError(f"--base-url: {problem}")
    site = load_site(options.content)
    base_url = options.base_url
    if base_url is not None and not base_url.endswith("/"):
        base_url += "/"
    site_plan = plan(site, options.today, drafts=options.drafts, base_url=base_url)
    theme = Theme(options.theme)
    renderer = Renderer(site, site_plan, theme)
    out = options.out.resolve()
    staging = _staging_dir(out)
    try:
        files = _write(site_plan, renderer, theme, staging, options.jobs)
        broken = check_output(site_plan, staging, theme.templates)  # links resolve
        if broken:
            raise ContentError(broken)
        search_started = time.perf_counter()
        if options.search:  # indexes the rendered pages, so after them and before the swap
            files += write_index(site_plan, renderer, staging).files
        search_seconds = time.perf_counter() - search_started
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    missions = {m.slug for m in site.missions if options.drafts or not m.draft}
    closed = {
        m.slug for m in site.missions
        if m.slug in missions and m.is_closed(options.today)
    }
    return BuildReport(
        pages=len(site_plan.pages),
        files=files,
        seconds=time.perf_counter() - started,
        missions=len(missions),
        closed=len(closed),
        search_seconds=search_seconds,
    )


def _write(
    site_plan: Plan, renderer: Renderer, theme: Theme, staging: Path, jobs: int = 1
) -> int:
    count = render_pages(site_plan.pages, renderer, staging, jobs)
    # Feeds, missions.xml, sitemap.xml, robots.txt: built from the same plan as the pages.
    for name, data in feed_files(renderer.site, site_plan, renderer.render_markdown,
                                 renderer.translators).items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        count += 1
    if theme.static.is_dir():
        shutil.copytree(theme.static, staging / "static")
        count += sum(1 for p in theme.static.rglob("*") if p.is_file())
    (staging / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve as is
    return count


def _write_page(renderer: Renderer, page: Page, staging: Path) -> None:
    target = staging / page.output
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(renderer.render(page), encoding="utf-8")


def render_pages(pages: Sequence[Page], renderer: Renderer, staging: Path, jobs: int) -> int:
    """Render every page into `staging`, spread over `jobs` processes.

    Workers are forked children sharing the planned site without copying it; each renders
    every `jobs`-th page (kinds are interleaved in the plan, so shares cost about the same),
    writes its files, and sends back the Markdown it rendered so that feeds and the search
    index reuse it instead of rendering every body again.
    """
    jobs = max(1, min(jobs, len(pages) // 50 or 1))  # forking costs more than tiny sites
    if jobs == 1 or not hasattr(os, "fork"):
        for page in pages:
            _write_page(renderer, page, staging)
        return len(pages)
    children: list[tuple[int, int]] = []
    parent = os.getpid()
    for share in range(1, jobs):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: render its share, report, and leave without cleanup
            # Whatever happens (a parent killed with SIGKILL makes the pipe write fail),
            # the child must never return into the parent's frames, whose `except`
            # removes the staging folder, nor go on writing into it once the parent died.
            status = 1
            try:
                _exit_with(parent)
                os.close(read_end)
                try:
                    for page in pages[share::jobs]:
                        _write_page(renderer, page, staging)
                    payload = pickle.dumps((None, renderer.markdown_cache))
                    status = 0
                except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
                    payload = pickle.dumps((f"{type(exc).__name__}: {exc}", {}))
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
            finally:
                os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    failure = None
    try:
        for page in pages[0::jobs]:
            _write_page(renderer, page, staging)
    except BaseException as exc:  # noqa: BLE001 - re-raised after the children are reaped
        failure = exc
    errors = []
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        if not data:
            errors.append("a rendering process died")
            continue
        error, markdown = pickle.loads(data)
        if error:
            errors.append(error)
        renderer.markdown_cache.update(markdown)
    if failure is not None:
        raise failure
    if errors:
        raise BuildError("; ".join(errors))
    return len(pages)


_PR_SET_PDEATHSIG = 1


def _exit_with(parent: int) -> None:
    """Have the kernel kill this forked worker when the build process dies (Linux)."""
    if _libc is not None and hasattr(_libc, "prctl"):
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
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
    for leftover in out.parent.glob(f".{out.name}.*-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
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
_libc_name = ctypes.util.find_library("c")
_libc = ctypes.CDLL(_libc_name, use_errno=True) if _libc_name else None


def _swap(staging: Path, out: Path) -> None:
    """Put the new site in place. On Linux the two folders are exchanged atomically."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"{display_path(out)} exists and is not a folder")
    if out.exists() and _libc is not None and hasattr(_libc, "renameat2"):
        at_fdcwd = -100
        result = _libc.renameat2(
            at_fdcwd, os.fsencode(staging), at_fdcwd, os.fsencode(out), _RENAME_EXCHANGE
        )
        if result == 0:
            shutil.rmtree(staging)  # now holds the previous site
            return
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old)
    else:
        os.rename(staging, out)
