"""Search benchmark: build generated boards and measure the search page in Chromium.

    python benchmarks/search_benchmark.py                     # 1,000 and 10,000 missions
    python benchmarks/search_benchmark.py --sizes 1000        # a quick run
    python benchmarks/search_benchmark.py --reuse             # measure the last builds again

For each size: generate a board (benchmarks/generate_board.py, fixed seed), build it
(the build report times the search index step), then open the search page in headless
Chromium (Debian's /usr/bin/chromium, through Playwright), each time in a fresh browser
context (empty cache), and report the bytes transferred and the time until the results
are painted:

  (a) one word             ?q=traduction
  (b) two filters          ?category=numerique&remote=full, from navigation start
  (b) ticking the second   ?category=numerique, then ticking remote=full: from the
                           click, counting only what the click downloads
  (b) rare filters         ?skill=comptabilite&region=bretagne (results scattered over
                           the card chunks)
  (b) by deadline          ?category=numerique&remote=full&sort=deadline (likewise)
  (c) a word and a filter  ?q=traduction&remote=full

The site is served like GitHub Pages serves it: HTML, CSS, JavaScript and JSON gzipped,
Pagefind's files (already compressed by Pagefind) as they are. Bytes are the encoded
sizes of the responses (body and headers) reported by Chromium for every request the
page and its workers make, from navigation until the results are painted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_board import generate

from generator.build import BuildOptions, build

TODAY = dt.date(2026, 11, 30)
CHROMIUM = "/usr/bin/chromium"
# name: (query string, box ticked once the page shows results, or None)
SCENARIOS: dict[str, tuple[str, tuple[str, str] | None]] = {
    "(a) one word": ("?q=traduction", None),
    "(b) two filters, no word": ("?category=numerique&remote=full", None),
    "(b) ticking the second filter": ("?category=numerique", ("remote", "full")),
    "(b) rare filters": ("?skill=comptabilite&region=bretagne", None),
    "(b) two filters, by deadline": ("?category=numerique&remote=full&sort=deadline", None),
    "(c) a word and a filter": ("?q=traduction&remote=full", None),
}
TARGETS = {  # at 10,000 missions: KB, and ms for (b)
    "(a) one word": (300, None),
    "(b) two filters, no word": (150, 300),
    "(b) ticking the second filter": (150, 300),
    "(b) rare filters": (150, 300),
    "(b) two filters, by deadline": (150, 300),
    "(c) a word and a filter": (350, None),
}
RUNS = 3  # each measure is the median of this many fresh page loads
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml"}

# Runs in the page before its scripts: the moment search.js marks "search-results",
# note when the next frame has been painted (a task queued from requestAnimationFrame
# runs after that frame's paint).
PAINT_PROBE = """
const mark = performance.mark.bind(performance);
performance.mark = (name, options) => {
  const entry = mark(name, options);
  if (name === "search-results" && window.__painted === undefined) {
    requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now(); }));
  }
  return entry;
};
"""


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text ones gzipped like GitHub Pages does."""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # redirects /dir to /dir/
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        body = _gzipped(path, path.stat().st_mtime_ns)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@functools.lru_cache(maxsize=4096)
def _gzipped(path: Path, mtime: int) -> bytes:
    # Compressed once, like a CDN keeps it: the server adds no delay of its own.
    return gzip.compress(path.read_bytes(), compresslevel=6)


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def folder_size(folder: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern) if p.is_file())


def build_board(size: int, work: Path, reuse: bool) -> dict[str, Any]:
    content = work / f"board-{size}"
    www = work / f"www-{size}"
    site = www / "board"
    info_file = work / f"build-{size}.json"
    if reuse and info_file.exists() and site.is_dir():
        return dict(json.loads(info_file.read_text()))
    started = time.perf_counter()
    generate(content, size)
    generated = time.perf_counter() - started
    report = build(BuildOptions(content=content, out=site, today=TODAY,
                                base_url="http://127.0.0.1/board/"))
    info = {
        "missions": size,
        "open_fr": json.loads((site / "search" / "facets.json").read_text())["missions"],
        "generate_s": round(generated, 1),
        "build_s": round(report.seconds, 1),
        "index_s": round(report.search_seconds, 1),
        "pagefind_bytes": folder_size(site / "pagefind"),
        "pagefind_fr_index_bytes": folder_size(site / "pagefind", "fr_*")
        + folder_size(site / "pagefind", "pagefind.fr_*"),
        "facets_bytes": folder_size(site / "search", "*.json")
        + folder_size(site / "en" / "search", "*.json"),
        "facets_json_bytes": (site / "search" / "facets.json").stat().st_size,
        "facets_json_gzip": len(gzip.compress((site / "search" / "facets.json").read_bytes())),
    }
    info_file.write_text(json.dumps(info, indent=2))
    return info


def wait_painted(page: Any, url: str, errors: list[str]) -> float:
    # Polled from here: wait_for_function would evaluate a string, which the page's CSP
    # (rightly) forbids.
    deadline = time.monotonic() + 60
    while (painted := page.evaluate("() => window.__painted")) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url}: no results after 60 s ({errors})")
        page.wait_for_timeout(10)
    return float(painted)


def measure(browser: Any, url: str, tick: tuple[str, str] | None = None) -> dict[str, Any]:
    """Bytes and time to painted results for one fresh load of `url`; with `tick`
    (group, key), for ticking that box once the page shows its results."""
    context = browser.new_context()
    context.add_init_script(PAINT_PROBE)
    page = context.new_page()
    sizes: dict[str, int] = {}
    errors: list[str] = []

    def finished(request: Any) -> None:
        size = request.sizes()
        sizes[request.url] = sizes.get(request.url, 0) + size["responseBodySize"] + size[
            "responseHeadersSize"]

    context.on("requestfinished", finished)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    painted = wait_painted(page, url, errors)
    started = started_script = 0.0
    if tick:
        group, key = tick
        page.locator(f'details[data-group="{group}"] summary').click()
        box = page.locator(f'input[name="{group}"][value="{key}"]')
        box.wait_for()
        page.wait_for_timeout(300)  # let the page settle: only the tick is measured
        sizes.clear()
        started = page.evaluate("""([group, key]) => {
            window.__painted = undefined;
            const start = performance.now();
            document.querySelector(`input[name="${group}"][value="${key}"]`).click();
            return start;
        }""", [group, key])
        painted = wait_painted(page, url, errors)
    else:
        started_script = page.evaluate(
            "() => performance.getEntriesByName('search-start')[0].startTime")
    count = page.locator(".search-status").text_content()
    page.wait_for_timeout(200)  # nothing more should come; anything that does is counted
    context.close()
    if errors:
        raise RuntimeError(f"{url}: console errors: {errors}")
    return {"bytes": sum(sizes.values()), "requests": len(sizes),
            "painted_ms": painted - started,
            "script_ms": painted - (started if tick else started_script),
            "status": count, "files": sizes}


def first_paint(browser: Any, url: str) -> float:
    """When a page with no script is painted (same probe as the search results: the
    frame after DOMContentLoaded), to read the search timings against: what this machine
    needs to show any page of the site at all."""
    context = browser.new_context()
    context.add_init_script("""document.addEventListener("DOMContentLoaded", () =>
        requestAnimationFrame(() => setTimeout(() => { window.__painted = performance.now(); })));
    """)
    page = context.new_page()
    page.goto(url)
    painted = wait_painted(page, url, [])
    context.close()
    return painted


def measure_size(size: int, work: Path, info: dict[str, Any]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    www = work / f"www-{size}"
    handler = functools.partial(GzipHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/board/search/"
    results: dict[str, Any] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--disable-background-networking",
                                                "--disable-component-update", "--disable-quic"])
            measure(browser, base)  # warm the server's and the OS's file caches
            listing = base.replace("/search/", "/missions/")
            baseline = round(statistics.median(first_paint(browser, listing) for _ in range(RUNS)))
            for name, (query, tick) in SCENARIOS.items():
                runs = [measure(browser, base + query, tick) for _ in range(RUNS)]
                best = runs[0]
                results[name] = {
                    "query": query + (f" then tick {tick[0]}={tick[1]}" if tick else ""),
                    "kb": round(statistics.median(r["bytes"] for r in runs) / 1000, 1),
                    "requests": best["requests"],
                    "painted_ms": round(statistics.median(r["painted_ms"] for r in runs)),
                    "all_ms": [round(r["painted_ms"]) for r in runs],
                    "script_ms": round(statistics.median(r["script_ms"] for r in runs)),
                    "status": best["status"],
                    "biggest": sorted(((round(v / 1000, 1), k.split("/board/")[-1])
                                       for k, v in best["files"].items()), reverse=True)[:6],
                }
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    load = os.getloadavg()[0]
    return {"build": info, "searches": results, "baseline_ms": baseline,
            "machine": f"{os.cpu_count()} CPUs, load average {load:.1f} while measuring"}


def report(all_results: dict[int, dict[str, Any]]) -> str:
    lines = []
    for size, result in all_results.items():
        b = result["build"]
        lines += [
            f"### {size:,} missions ({b['open_fr']:,} open in French)",
            "",
            (f"- build: {b['build_s']} s in all, of which search index {b['index_s']} s "
            "(Pagefind and facet index)"),
            (f"- Pagefind bundle: {b['pagefind_bytes'] / 1e6:.1f} MB on disk "
            f"(French index {b['pagefind_fr_index_bytes'] / 1e6:.1f} MB); facet index "
            f"{b['facets_bytes'] / 1e6:.1f} MB on disk, facets.json "
            f"{b['facets_json_bytes'] / 1000:.0f} KB ({b['facets_json_gzip'] / 1000:.0f} KB "
            "gzipped)"),
            "",
            (f"- measured on {result['machine']}; on this machine the listing page (no "
            f"script) is painted {result['baseline_ms']} ms after navigation starts"),
            "",
            ("| search | transferred | requests | results painted (3 runs) | of which after "
            "search.js starts | results | target |"),
            "|---|---|---|---|---|---|---|",
        ]
        for name, s in result["searches"].items():
            kb_target, ms_target = TARGETS[name]
            target = f"≤ {kb_target} KB" + (f", ≤ {ms_target} ms" if ms_target else "")
            lines.append(f"| {name} `{s['query']}` | {s['kb']} KB | {s['requests']} | "
                         f"{s['painted_ms']} ms ({', '.join(map(str, s['all_ms']))}) | "
                         f"{s['script_ms']} ms | {s['status']} | {target} |")
        lines.append("")
        for name, s in result["searches"].items():
            biggest = ", ".join(f"{path} {kb} KB" for kb, path in s["biggest"])
            lines.append(f"- {name}, largest: {biggest}")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/missions-search-benchmark"))
    parser.add_argument("--reuse", action="store_true",
                        help="measure the boards built by the last run again")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in args.sizes:
        info = build_board(size, args.work, args.reuse)
        results[size] = measure_size(size, args.work, info)
        (args.work / f"results-{size}.json").write_text(json.dumps(results[size], indent=2))
    print(report(results))


if __name__ == "__main__":
    main()
