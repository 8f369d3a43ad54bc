"""How long after saving a mission an open page is told to reload, in `missions serve`.

    .venv/bin/python benchmarks/serve_reload.py --missions 10000 --edits 5
    .venv/bin/python benchmarks/serve_reload.py --missions 10000 --edits 5 --edit title
    .venv/bin/python benchmarks/serve_reload.py --missions 10000 --edits 5 --edit category

Starts `missions serve` on a copy of the generated board (generate_board.py, fixed seed),
waits for its first build, then edits one mission's text (or title, or category) EDITS
times, each time timing from the save to the reload event open pages get (Server-Sent
Events, what live.js listens to), and reports the median; also the time until the search
index was refreshed (in the background, after the reload). Not a test: the machine is
shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_board import generate


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missions", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/serve-bench"))
    parser.add_argument("--board", type=Path, default=None,
                        help="copy this generated board instead of generating one")
    parser.add_argument("--edit", choices=("text", "title", "category"), default="text",
                        help="append a sentence to the text (what listings do not show), "
                             "change the title (every listing showing the mission), or "
                             "move the mission to another category, and back (a new plan: "
                             "the pagination of two categories' listings moves)")
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    content = workdir / "content"
    if args.board is not None:
        shutil.copytree(args.board, content)
    else:
        generate(content, args.missions)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = (workdir / "serve.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content),
         "--out", str(workdir / "site"), "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ,
                                                              "PYTHONUNBUFFERED": "1"})
    try:
        while True:
            try:
                with urllib.request.urlopen(base, timeout=2):
                    break
            except OSError:
                if process.poll() is not None:
                    sys.exit((workdir / "serve.log").read_text())
                time.sleep(0.5)
        print(f"first build and start: {time.perf_counter() - started:.1f} s", flush=True)
        mission = sorted((content / "missions").glob("*.md"))[len(list(
            (content / "missions").glob("*.md"))) // 2]
        reloads, indexed = [], []
        with urllib.request.urlopen(base + "__missions/events", timeout=600) as stream:
            version = None
            for raw in stream:  # the state when connecting
                line = raw.decode().strip()
                if line.startswith("data: "):
                    version = json.loads(line[6:])["version"]
                    break
            for n in range(args.edits):
                time.sleep(3)  # let the previous index refresh settle
                before = (workdir / "serve.log").read_text().count("Search index refreshed")
                if args.edit == "text":
                    with mission.open("a", encoding="utf-8") as file:
                        file.write(f"\nUne phrase de plus ({n}).\n")
                elif args.edit == "title":
                    text = mission.read_text(encoding="utf-8")
                    mission.write_text(re.sub(r"(?m)^title: .*$", f'title: "Mission {n} renommée"',
                                              text, count=1), encoding="utf-8")
                else:
                    if n == 0:
                        first = mission.read_text(encoding="utf-8")
                        moved = re.sub(r"(?m)^categories: .*$", "categories: [culture-loisirs]"
                                       if "categories: [culture-loisirs]" not in first
                                       else "categories: [solidarite-insertion]", first, count=1)
                    mission.write_text(moved if n % 2 == 0 else first, encoding="utf-8")
                saved = time.perf_counter()
                for raw in stream:
                    line = raw.decode().strip()
                    if line.startswith("data: "):
                        event = json.loads(line[6:])
                        if event["version"] != version:
                            version = event["version"]
                            break
                reloads.append(time.perf_counter() - saved)
                while (workdir / "serve.log").read_text().count(
                        "Search index refreshed") == before:
                    time.sleep(0.05)
                indexed.append(time.perf_counter() - saved)
                print(f"edit {n + 1}: reload told {reloads[-1]:.2f} s after the save, "
                      f"search index refreshed {indexed[-1]:.2f} s after", flush=True)
        print(f"median: reload {statistics.median(reloads):.2f} s, search index "
              f"{statistics.median(indexed):.2f} s ({args.missions:,} missions, "
              f"{os.cpu_count()} cores)")
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    main()
