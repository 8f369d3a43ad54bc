"""Lighthouse audit of the example board (mobile profile), run by `make audit`.

Builds the example board, serves it gzipped on 127.0.0.1 (as GitHub Pages does), runs
Lighthouse 12.2.3 with Debian's Chromium on the home page, a mission page (with the
application form) and the search page, checks scores and budgets, writes every figure
to audit/lighthouse-results.json and prints a table. Exit 1 when a gate fails.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import BuildOptions, build  # noqa: E402

LIGHTHOUSE = ROOT / "audit" / "node_modules" / ".bin" / "lighthouse"
RESULTS = ROOT / "audit" / "lighthouse-results.json"
PAGES = {
    "home": "",
    "mission (form)": "missions/appels-convivialite-personnes-agees-isolees/",
    "search": "search/",
}
SCORE_GATES = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}
CSS_BUDGET = 15 * 1024
HTML_BUDGET = 50 * 1024
LCP_BUDGET_MS = 2500
CLS_BUDGET = 0.1
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the client accepts it (like GitHub Pages)."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (
            path.is_file()
            and path.suffix in COMPRESSIBLE
            and "gzip" in self.headers.get("Accept-Encoding", "")
        ):
            body = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=600")
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def audit_page(url: str, out: Path) -> dict[str, object]:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
         "--disable-background-networking --disable-component-update --no-first-run"],
        check=True, env={"CHROME_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {key: report["categories"][key]["score"] for key in SCORE_GATES}
    audits = report["audits"]
    requests = audits["network-requests"]["details"]["items"]

    def transferred(kind: str, exclude: str = "") -> int:
        return sum(
            int(item.get("transferSize", 0)) for item in requests
            if item.get("resourceType") == kind and not (exclude and exclude in item["url"])
        )

    return {
        "url": url,
        **scores,
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "total_kb": round(audits["total-byte-weight"]["numericValue"] / 1024, 1),
        "html_gz_bytes": transferred("Document"),
        "css_gz_bytes": transferred("Stylesheet"),
        "js_bytes_except_form": transferred("Script", exclude="/static/apply.js"),
    }


def failures(name: str, row: dict[str, object]) -> list[str]:
    problems = [
        f"{name}: {key} {row[key]} < {gate}" for key, gate in SCORE_GATES.items()
        if float(row[key]) < gate  # type: ignore[arg-type]
    ]
    if int(row["html_gz_bytes"]) > HTML_BUDGET:  # type: ignore[call-overload]
        problems.append(f"{name}: HTML {row['html_gz_bytes']} B gzipped > {HTML_BUDGET}")
    if int(row["css_gz_bytes"]) > CSS_BUDGET:  # type: ignore[call-overload]
        problems.append(f"{name}: CSS {row['css_gz_bytes']} B gzipped > {CSS_BUDGET}")
    if name != "search" and int(row["js_bytes_except_form"]) > 0:  # type: ignore[call-overload]
        problems.append(f"{name}: {row['js_bytes_except_form']} B of JavaScript besides the form's")
    if int(row["lcp_ms"]) > LCP_BUDGET_MS:  # type: ignore[call-overload]
        problems.append(f"{name}: LCP {row['lcp_ms']} ms > {LCP_BUDGET_MS}")
    if float(row["cls"]) > CLS_BUDGET:  # type: ignore[arg-type]
        problems.append(f"{name}: CLS {row['cls']} > {CLS_BUDGET}")
    return problems


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        handler = functools.partial(GzipHandler, directory=str(root / "site"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        build(BuildOptions(content=ROOT / "content", out=root / "site",
                           today=dt.date(2026, 11, 30), base_url=base))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        rows = {name: audit_page(base + path, root / f"{i}.json")
                for i, (name, path) in enumerate(PAGES.items())}
        server.shutdown()
    RESULTS.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    columns = ["performance", "accessibility", "best-practices", "seo", "lcp_ms", "cls",
               "tbt_ms", "html_gz_bytes", "css_gz_bytes", "js_bytes_except_form", "total_kb"]
    print("| page | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(str(row[c]) for c in columns) + " |")
    problems = [p for name, row in rows.items() for p in failures(name, row)]
    for problem in problems:
        print("FAIL", problem)
    print(f"Scores written to {RESULTS.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
