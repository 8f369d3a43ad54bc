"""Local preview: serve the built site, rebuild on change, reload open pages (I/O edge).

`missions serve` builds once, then watches the content, the theme and the settings. Each
change triggers a rebuild; a good build is swapped into place and every open page is told
to reload (Server-Sent Events); a failed build keeps the last good site served and shows
its problems both in the terminal and in an overlay on the open pages.

The reload script is injected into HTML responses by this server only: built files stay
exactly what `missions build` writes, and the script is a same-origin file, so the site's
Content-Security-Policy (script-src 'self', connect-src 'self') allows it unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import os
import threading
import traceback
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.build import BuildOptions, BuildReport, build, run_pending
from generator.cache import Cache, cache_dir, locked
from generator.content import display_path
from generator.errors import ContentError, GeneratorError

LIVE_PREFIX = "/__missions/"
LIVE_SCRIPT = LIVE_PREFIX + "live.js"
EVENTS = LIVE_PREFIX + "events"
_INJECT = f'<script src="{LIVE_SCRIPT}" defer></script>'.encode()
_KEEPALIVE_SECONDS = 15.0

_LIVE_JS = r"""/* Live reload for `missions serve` (not part of the built site). */
(function () {
  "use strict";
  var seen = null;
  var overlay = null;
  function hide() { if (overlay) { overlay.remove(); overlay = null; } }
  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.id = "missions-live-problems";
    var box = overlay.style;
    box.position = "fixed"; box.inset = "0"; box.zIndex = "2147483647"; box.overflow = "auto";
    box.background = "rgba(20, 20, 20, .94)"; box.color = "#fff"; box.padding = "1.5rem";
    box.font = "15px/1.5 ui-monospace, Menlo, Consolas, monospace";
    var title = document.createElement("h2");
    title.textContent = "The last change was not built: the previous version is shown.";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;  /* never HTML: messages quote content */
      list.appendChild(item);
    });
    overlay.appendChild(list);
    document.body.appendChild(overlay);
  }
  var source = new EventSource("/__missions/events");
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (seen !== null && state.version !== seen) { location.reload(); return; }
    seen = state.version;
    document.documentElement.setAttribute("data-missions-live", String(seen));
    if (state.problems.length) { show(state.problems); } else { hide(); }
  });
}());
"""


@dataclass
class LiveState:
    """What open pages are told: the version of the last good build and current problems.

    Shared by the rebuilding thread and the request threads of one server, behind a
    condition variable; nothing module-level.
    """

    version: int = 0
    problems: tuple[str, ...] = ()
    condition: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, *, built: bool, problems: Iterable[str] = ()) -> None:
        with self.condition:
            if built:
                self.version += 1
            self.problems = tuple(problems)
            self.condition.notify_all()

    def snapshot(self) -> tuple[int, tuple[str, ...]]:
        with self.condition:
            return self.version, self.problems

    def wait_change(self, known: tuple[int, tuple[str, ...]], timeout: float) -> bool:
        with self.condition:
            return self.condition.wait_for(
                lambda: (self.version, self.problems) != known, timeout=timeout
            )


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files like GitHub Pages (its 404 page), plus the live-reload endpoints."""

    live: LiveState | None = None

    def do_GET(self) -> None:
        if self.live is not None and self.path.startswith(LIVE_PREFIX):
            self._live()
            return
        if self.live is not None:
            html = self._html_path()
            if html is not None:
                self._send_html(html.read_bytes(), 200)
                return
        super().do_GET()

    def _html_path(self) -> Path | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return None  # let the parent redirect to the trailing slash
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send_html(self, body: bytes, code: int) -> None:
        if self.live is not None:
            body = body.replace(b"</body>", _INJECT + b"</body>", 1)
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _live(self) -> None:
        assert self.live is not None
        path = self.path.split("?", 1)[0]
        if path == LIVE_SCRIPT:
            body = _LIVE_JS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        if path != EVENTS:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        known = self.live.snapshot()
        try:
            self._event(known)
            while True:
                if self.live.wait_change(known, _KEEPALIVE_SECONDS):
                    known = self.live.snapshot()
                    self._event(known)
                else:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed or reloaded

    def _event(self, state: tuple[int, tuple[str, ...]]) -> None:
        data = json.dumps({"version": state[0], "problems": list(state[1])})
        self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
        self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Like GitHub Pages: a missing page gets the site's own 404 page.
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            self._send_html(page.read_bytes(), 404)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(
    root: Path, host: str, port: int, live: LiveState | None = None
) -> http.server.ThreadingHTTPServer:
    """A threaded static server for `root`; with `live`, pages reload after each build."""
    handler = type("Handler", (_Handler,), {"live": live})
    server = http.server.ThreadingHTTPServer(
        (host, port), functools.partial(handler, directory=str(root))
    )
    server.daemon_threads = True  # open event streams must not keep the process alive
    return server


def serve_site(root: Path, host: str, port: int) -> None:
    with make_server(root, host, port) as server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


@dataclass(frozen=True)
class Watch:
    """What `missions serve` rebuilds from."""

    options: BuildOptions
    echo: Callable[[str], None]
    # Kept between builds, so that a rebuild reads nothing back from the disk.
    cache: Cache | None = None
    # The date of each build: a serve left running past midnight closes the missions
    # whose deadline passed, as the next deploy will.
    today: Callable[[], dt.date] = dt.date.today

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.options.content, self.options.theme)


def rebuild(watch: Watch, live: LiveState,
            changed: Collection[str] | None = None) -> BuildReport | None:
    """Build once; publish the result to open pages and the terminal. Never raises for
    content or theme problems: the last good site stays in place. `changed`: the files
    changed since the last build, as the file system told."""
    options = replace(watch.options, today=watch.today())
    try:
        # Feeds, the sitemap and the search index are made after open pages are told to
        # reload, not before (run_pending).
        report = build(options, cache=watch.cache, defer_index=True, changed=changed)
    except ContentError as error:
        lines = [str(problem) for problem in error.problems]
        for line in lines:
            watch.echo(line)
        watch.echo(f"{len(lines)} problem(s): the last good build is still served.")
        live.publish(built=False, problems=lines)
        return None
    except GeneratorError as error:
        watch.echo(f"Error: {error}")
        live.publish(built=False, problems=[str(error)])
        return None
    except Exception as error:  # noqa: BLE001 - a bug of ours must not end the watch
        watch.echo("".join(traceback.format_exception(error)).rstrip())
        watch.echo("Unexpected error: the last good build is still served; please report it.")
        live.publish(built=False, problems=[f"{type(error).__name__}: {error}"])
        return None
    watch.echo(report.summary())
    if os.environ.get("MISSIONS_TIMINGS"):  # for benchmarks: where the time went
        watch.echo(" ".join(f"{name}={seconds:.2f}" for name, seconds in report.steps))
    live.publish(built=True)
    if watch.cache is not None:
        try:
            seconds = run_pending(options, watch.cache)
        except (GeneratorError, OSError) as error:  # the pages are in place: say so, go on
            watch.echo(f"Feeds and search index not brought up to date: {error}")
        else:
            if seconds is not None:
                watch.echo(f"Search index refreshed in {seconds:.1f} s")
    return report


def watch_and_rebuild(
    watch: Watch, live: LiveState, stop: threading.Event, ready: threading.Event
) -> None:
    """Rebuild after every batch of file changes until `stop` is set. `ready` is set once
    the file system watch is in place: a save before that would go unnoticed."""
    from watchfiles import watch as watch_files

    seen = False
    for changes in watch_files(*watch.paths, stop_event=stop, debounce=400, step=50,
                               rust_timeout=200, yield_on_timeout=True):
        ready.set()
        if not changes:
            continue
        names = sorted({Path(path).name for _, path in changes})
        watch.echo(f"Changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
        # The files changed spare looking at the others, but a change made before the
        # watch was in place is only seen by looking at all: so the first time.
        rebuild(watch, live, {_shown(watch.options.content, path) for _, path in changes}
                if seen else None)
        seen = True


def _shown(content: Path, path: str) -> str:
    """A content file reported by the watch (an absolute path), named as find_sources
    names it: under the content folder as given, which may lie outside the working
    directory. Other files keep their own name (no content file has it)."""
    file = Path(path)
    for folder in (content / "missions", content / "associations"):
        if file.parent == folder.resolve():
            return os.path.join(display_path(folder), file.name)
    return path


def serve_live(options: BuildOptions, host: str, port: int, echo: Callable[[str], None]) -> None:
    """`missions serve`: first build, then serve with live reload until interrupted."""
    live = LiveState()
    out = options.out.resolve()
    with locked(cache_dir(out)):
        cache = Cache.open(cache_dir(out)) if options.cache else None
    watch = Watch(replace(options, base_url=f"http://{host}:{port}/"), echo, cache)
    if rebuild(watch, live) is None and not watch.options.out.exists():
        echo("Nothing to serve yet: fix the problems above and save again.")
        watch.options.out.mkdir(parents=True, exist_ok=True)
    stop, ready = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=watch_and_rebuild, args=(watch, live, stop, ready), daemon=True
    )
    watcher.start()
    ready.wait(timeout=30)
    with make_server(watch.options.out.resolve(), host, port, live) as server:
        echo(f"Serving {watch.options.out} at http://{host}:{port}/ — edits reload open pages "
             "(Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            watcher.join(timeout=5)
            if cache is not None:
                cache.close()
