"""The build cache: what earlier builds learnt, so that the next one redoes only what
changed (I/O edge).

It lives beside the output folder, in `.<out>.cache/` (`site/` -> `.site.cache/`), as one
SQLite file, and holds:

- objects: the Mission or Association made from each content file, with the digests of
  the files it was made from (the file itself, the default-language file of a
  translation, a mission's association). An object is reused while those digests are
  the same and the model key (generator code, site.yaml, vocabulary.yaml) has not changed.
  They are pickled by bucket of paths (OBJECT_BUCKETS), a build writing again the buckets
  of the objects it made;
- markdown: the HTML of each Markdown text, by digest of the text;
- fragments: the <mission> items of missions.xml, by fingerprint of their inputs;
- outputs: the fingerprint of every file of the output folder (pages, feeds, ...), for the
  folder they describe (its device and inode), so that a build renders and writes only
  the files whose inputs changed. A build marks them dirty before it touches the output
  folder and clean once done: after a crash in between, the next build starts afresh;
- how missions.xml was made (in meta): its fingerprint, head, and the key and size of each
  item in order, so that a build copies that file but the items that changed (a text
  edit at 10,000 missions: 3 KB of 44 MB) instead of assembling it again from every item;
- the last plan (build.Planned, in meta): what a build planned, with the build key, date
  and cards it was planned for, so that the next `missions build` after an edit of texts
  only does not plan the whole site again. It holds whatever the output folder holds.

Everything in it can be rebuilt: a cache that cannot be read is dropped, never trusted.
One build at a time uses a cache (a lock file), so `missions serve` and a `missions
build` of the same folder wait for each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import pickle
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content import SourceFile
from generator.model import Association, Mission


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while many objects are made and kept, and little garbage.

    What was made is then frozen (out of the collector's sight, as a build freezes what
    it keeps, until it ends): otherwise the first collection after would walk it all,
    a tenth of a second for the cache at 10,000 missions, the pause only putting it off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


SCHEMA = 4  # bump when a table or what is pickled in it changes
# Objects are pickled by bucket (a hash of their path), not one by one: a rebuild reads
# them all, and 11,479 pickles took 0.27 s at 10,000 missions against 0.17 s for 64
# (the per-pickle work: finding each class again, a row each). A text edit writes again
# one bucket, 180 objects at 10,000 missions (a few milliseconds).
OBJECT_BUCKETS = 64

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS object_buckets (bucket INTEGER PRIMARY KEY, value BLOB)",
    "CREATE TABLE IF NOT EXISTS markdown (key TEXT PRIMARY KEY, html TEXT)",
    "CREATE TABLE IF NOT EXISTS fragments (key BLOB PRIMARY KEY, text TEXT)",
    "CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, fingerprint BLOB)",
    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stat TEXT, digest BLOB)",
)

# The meta rows but the kept plan's (12 MB at 10,000 missions), read only when wanted.
_META = "SELECT key, value FROM meta WHERE key NOT IN ('plan_head', 'plan_body')"

Dependencies = tuple[tuple[str, bytes], ...]  # (file path, digest of its bytes), in order
# missions.xml: its fingerprint, head, and the key and size (UTF-8 bytes) of each item
National = tuple[bytes, str, tuple[bytes, ...], tuple[int, ...]]
Made = Association | Mission


def _bucket(path: str) -> int:
    return zlib.crc32(path.encode()) % OBJECT_BUCKETS


def cache_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.cache"


def folder_id(path: Path) -> tuple[int, int, int] | None:
    """Which folder a set of output fingerprints describes. Device and inode survive the
    swap of a new folder into place; the change time of the folder tells a folder made
    again at the same inode, or whose top-level files someone else replaced."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_ctime_ns)


@dataclass
class Cache:
    """The cache of one output folder, loaded in memory; `save` writes what changed.

    `missions serve` keeps one Cache for all its builds, so that a rebuild reads nothing
    back from the disk.
    """

    path: Path | None  # None: in memory only
    model_key: bytes = b""
    objects: dict[str, tuple[Dependencies, Made, bytes]] = field(default_factory=dict)  # + card digest
    outputs: dict[str, bytes] = field(default_factory=dict)  # output path -> fingerprint
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # stat key, digest
    out_id: tuple[int, int, int] | None = None
    clean: bool = False
    generation: bytes = b""  # changes with every save: another process saved meanwhile
    has_markdown: bool = False  # worth looking up Markdown in the database
    # What an incremental build left for later (build(defer_index=True)): files other
    # than pages, then the search index. The output folder holds exactly `outputs`.
    pending_files: Callable[[], None] | None = None
    pending_index: Callable[[], None] | None = None
    planned: object = None  # build.Planned: what the last build in this process planned
    sources: list[SourceFile] | None = None  # its content files (missions serve)
    markdown: dict[str, str] = field(default_factory=dict)  # loaded, or made this build
    fragments: dict[bytes, str] = field(default_factory=dict)
    _new_objects: set[str] = field(default_factory=set)  # paths made or made again
    # The paths of each bucket as last read or written: a build writing a few buckets
    # again need not work out the bucket of every object (11,479 at 10,000 missions).
    _buckets: dict[int, list[str]] = field(default_factory=dict)
    _new_files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    _gone_files: set[str] = field(default_factory=set)
    _gone_objects: set[str] = field(default_factory=set)
    _new_markdown: dict[str, str] = field(default_factory=dict)
    _new_fragments: dict[bytes, str] = field(default_factory=dict)
    _new_plan: tuple[bytes, bytes] | None = None
    national: National | None = None  # how the missions.xml of `outputs` was made
    _new_national: National | None = None
    _db: sqlite3.Connection | None = None

    # --- reading -------------------------------------------------------------------

    @classmethod
    def open(cls, directory: Path) -> Cache:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "cache.sqlite3"
        try:
            return cls._load(path)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError,
                ImportError, TypeError, ValueError):
            # Unreadable or made by another version: start again from nothing.
            for name in ("cache.sqlite3", "cache.sqlite3-journal"):
                with contextlib.suppress(FileNotFoundError):
                    (directory / name).unlink()
            return cls._load(path)

    @classmethod
    def _load(cls, path: Path) -> Cache:
        # One build at a time uses it (the lock), whichever thread of `missions serve`.
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=TRUNCATE")
        # No waiting for the disk at each commit (30–100 ms each, several a build): a
        # killed build loses nothing, the system holds what was written; a machine crash
        # can corrupt it, as it can leave the site's own files unflushed (SECURITY.md).
        db.execute("PRAGMA synchronous=OFF")
        # The objects and the kept plan (50 MB at 10,000 missions) read from a mapping of
        # the file rather than copied through SQLite's page cache: 10 ms of a rebuild.
        # SQLite maps it read-only; writes still go through its journal.
        db.execute("PRAGMA mmap_size=1073741824")
        for statement in _TABLES:
            db.execute(statement)
        meta = dict(db.execute(_META))
        if meta and pickle.loads(meta.get("schema", pickle.dumps(None))) != SCHEMA:
            db.close()
            raise ValueError("another cache schema")
        cache = cls(path, _db=db)
        if not meta:
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (pickle.dumps(SCHEMA),))
            return cache
        cache._read(meta)
        return cache

    def _read(self, meta: Mapping[str, Any]) -> None:
        # Thousands of objects unpickled at once, all kept: the garbage collector would
        # walk the growing heap again and again (a third of the time at 10,000 missions).
        with collector_paused():
            self._read_tables(meta)

    def _read_tables(self, meta: Mapping[str, Any]) -> None:
        db = self._db
        assert db is not None
        self.model_key = meta.get("model_key") or b""
        out_id = meta.get("out_id")
        self.out_id = pickle.loads(out_id) if out_id else None
        self.clean = meta.get("state") == b"clean"
        self.generation = meta.get("generation") or b""
        self.objects = {}
        self._buckets = {}
        for bucket, value in db.execute("SELECT bucket, value FROM object_buckets"):
            objects = pickle.loads(value)  # path -> (deps, made, card)
            self.objects.update(objects)
            self._buckets[bucket] = list(objects)
        self.files = {path: (stat, file_digest) for path, stat, file_digest
                      in db.execute("SELECT path, stat, digest FROM files")}
        self.outputs = dict(db.execute("SELECT path, fingerprint FROM outputs"))
        self.has_markdown = db.execute("SELECT EXISTS (SELECT 1 FROM markdown)").fetchone()[0]
        national = meta.get("national")
        self.national = pickle.loads(national) if national else None
        self.markdown = {}
        self.fragments = {}
        self.sources = None  # another build's files, maybe seen from another folder
        self._forget_news()

    def changed_elsewhere(self) -> bool:
        if self._db is None:
            return False
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return (row[0] if row else b"") != self.generation

    def refresh(self) -> None:
        """Read the database again if another process saved a build since we did."""
        if self._db is None:
            return
        meta = dict(self._db.execute(_META))
        if (meta.get("generation") or b"") != self.generation:
            self._read(meta)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- content objects -------------------------------------------------------------

    def reusable(self, model_key: bytes, digests: Mapping[str, bytes]
                 ) -> dict[str, tuple[Dependencies, Made, bytes]]:
        """Objects whose files are all unchanged, by path; forgets the others."""
        if model_key != self.model_key:
            self._gone_objects.update(self.objects)
            self.objects = {}
            self.model_key = model_key
        found = {}
        for path, entry in list(self.objects.items()):
            if all(digests.get(dep) == digest for dep, digest in entry[0]):
                found[path] = entry
            else:
                del self.objects[path]
                self._gone_objects.add(path)
        return found

    def unchanged(self, path: str, stat: str) -> bool:
        known = self.files.get(path)
        return known is not None and known[0] == stat

    def keep_files(self, files: Mapping[str, tuple[str, bytes]]) -> None:
        """The stat key and digest of every content file read by a build that passed."""
        self._gone_files = set(self.files) - set(files)
        self._new_files = {p: v for p, v in files.items() if self.files.get(p) != v}
        self.files = dict(files)

    def keep_object(self, path: str, deps: Dependencies, made: Made, card: bytes) -> None:
        self.objects[path] = (deps, made, card)
        self._new_objects.add(path)
        self._gone_objects.discard(path)

    # --- the last plan -------------------------------------------------------------------

    def kept_plan(self, part: str) -> bytes | None:
        """The head (what it was planned for) or body of the last plan kept on disk; read
        when asked, the body only when the head matches (11 MB at 10,000 missions)."""
        if self._db is None or part not in ("plan_head", "plan_body"):
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (part,)).fetchone()
        return row[0] if row else None

    def keep_plan(self, head: bytes, body: bytes) -> None:
        """Written with the next save, replacing the one kept."""
        self._new_plan = (head, body)

    # --- rendered Markdown and feed items ----------------------------------------------

    def markdown_html(self, key: str) -> str | None:
        html = self.markdown.get(key)
        if html is None and self._db is not None and self.has_markdown:
            row = self._db.execute("SELECT html FROM markdown WHERE key = ?", (key,)).fetchone()
            if row is not None:
                html = self.markdown[key] = row[0]
        return html

    def all_markdown(self) -> dict[str, str]:
        """Every rendered Markdown body known, for a build rendering the whole site (its
        forked workers cannot ask the database)."""
        if self._db is not None and self.has_markdown:
            with collector_paused():
                self.markdown.update(self._db.execute("SELECT key, html FROM markdown"))
        return self.markdown

    def keep_markdown(self, items: Iterable[tuple[str, str]]) -> None:
        for key, html in items:
            if key not in self.markdown:
                self.markdown[key] = self._new_markdown[key] = html

    def load_fragments(self, keys: Iterable[bytes]) -> None:
        """Read the wanted fragments in one query rather than one each."""
        wanted = [k for k in keys if k not in self.fragments]
        if self._db is None or not wanted:
            return
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key BLOB PRIMARY KEY)")
        self._db.execute("DELETE FROM wanted")
        self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in wanted))
        self.fragments.update(self._db.execute(
            "SELECT f.key, f.text FROM fragments f JOIN wanted w ON f.key = w.key"))

    def keep_only(self, markdown: Iterable[str], fragments: Iterable[bytes]) -> None:
        """Forget the Markdown and feed items a build of the whole site did not use: the
        versions of edited texts, and items keyed by an earlier build key (settings,
        theme, generator), which would otherwise stay forever."""
        bodies, items = set(markdown), set(fragments)
        self.markdown = {k: v for k, v in self.markdown.items() if k in bodies}
        self._new_markdown = {k: v for k, v in self._new_markdown.items() if k in bodies}
        self.fragments = {k: v for k, v in self.fragments.items() if k in items}
        self._new_fragments = {k: v for k, v in self._new_fragments.items() if k in items}
        db = self._db
        if db is None:
            return
        # The keys stored are read (from the primary key's index alone) and the unused
        # ones deleted by key: the used keys copied into temporary tables for a `NOT IN`
        # took 0.1-0.25 s at 10,000 missions, even for a first build, whose tables are
        # still empty here.
        with self._transaction(db):
            for table, keys in (("markdown", bodies), ("fragments", items)):
                unused = [row for row in db.execute(f"SELECT key FROM {table}")
                          if row[0] not in keys]
                db.executemany(f"DELETE FROM {table} WHERE key = ?", unused)

    def keep_national(self, record: National) -> None:
        """How the missions.xml being made is made: saved with the outputs, it holds for
        the file in the output folder while their fingerprints agree."""
        self.national = self._new_national = record

    def fragment(self, key: bytes) -> str | None:
        return self.fragments.get(key)

    def keep_fragment(self, key: bytes, text: str) -> None:
        if key not in self.fragments:
            self.fragments[key] = self._new_fragments[key] = text

    def keep_fragments(self, items: Mapping[bytes, str]) -> None:
        for key, text in items.items():
            self.keep_fragment(key, text)

    # --- the output folder ---------------------------------------------------------------

    def known_outputs(self, out: Path) -> dict[str, bytes]:
        """Fingerprints of the files in `out`, if they are known to be exactly those."""
        if self.clean and self.out_id is not None and self.out_id == folder_id(out):
            return self.outputs
        return {}

    def mark_dirty(self) -> None:
        """Before touching the output folder in place: trust nothing if we die now."""
        self.clean = False
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (b"dirty",))

    def save(self, out_id: tuple[int, int, int] | None, outputs: Mapping[str, bytes],
             changed: Iterable[str] | None = None) -> None:
        """Record a finished build: its output folder and fingerprints, and what it made.
        `changed`: the outputs that differ from the recorded ones (None: all of them)."""
        previous = self.outputs
        self.outputs = dict(outputs)
        self.out_id = out_id
        self.clean = out_id is not None
        db = self._db
        if db is None:
            self._forget_news()
            return
        with self._transaction(db):
            self._store_made(db)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('out_id', ?)",
                       (pickle.dumps(out_id),))
            if changed is None:
                db.execute("DELETE FROM outputs")
                db.executemany("INSERT INTO outputs VALUES (?, ?)", self.outputs.items())
            else:
                gone = [p for p in previous if p not in self.outputs]
                db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in gone))
                db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)",
                               ((p, self.outputs[p]) for p in changed if p in self.outputs))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)",
                       (b"clean" if self.clean else b"dirty",))
            self.generation = os.urandom(8)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)",
                       (self.generation,))
        self._forget_news()

    def store_made(self) -> None:
        """Write what the build made from content so far (objects, Markdown, feed items),
        which holds whatever becomes of the build, while another process checks links."""
        if self._db is not None:
            with self._transaction(self._db):
                self._store_made(self._db)
            self._forget_news()

    def _store_made(self, db: sqlite3.Connection) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('model_key', ?)", (self.model_key,))
        touched = {_bucket(p) for p in self._new_objects | self._gone_objects}
        if touched:
            # Their paths: those they held, then those made since, each once, in order.
            members = {b: dict.fromkeys(self._buckets.get(b, ())) for b in touched}
            for path in sorted(self._new_objects):
                members[_bucket(path)][path] = None
            buckets = {b: {p: self.objects[p] for p in paths if p in self.objects}
                       for b, paths in members.items()}
            db.executemany("INSERT OR REPLACE INTO object_buckets VALUES (?, ?)",
                           ((b, pickle.dumps(objects, protocol=5))
                            for b, objects in buckets.items()))
            self._buckets.update((b, list(objects)) for b, objects in buckets.items())
        gone_files = [p for p in self._gone_files if p not in self.files]
        db.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in gone_files))
        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                       ((p, stat, d) for p, (stat, d) in self._new_files.items()))
        db.executemany("INSERT OR REPLACE INTO markdown VALUES (?, ?)",
                       self._new_markdown.items())
        db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)",
                       self._new_fragments.items())
        self.has_markdown = self.has_markdown or bool(self._new_markdown)
        if self._new_plan is not None:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           zip(("plan_head", "plan_body"), self._new_plan, strict=True))
        if self._new_national is not None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('national', ?)",
                       (pickle.dumps(self._new_national, protocol=pickle.HIGHEST_PROTOCOL),))

    def _forget_news(self) -> None:
        self._new_files = {}
        self._gone_files = set()
        self._new_objects = set()
        self._gone_objects = set()
        self._new_markdown = {}
        self._new_fragments = {}
        self._new_plan = None
        self._new_national = None

    @staticmethod
    @contextlib.contextmanager
    def _transaction(db: sqlite3.Connection) -> Iterator[None]:
        db.execute("BEGIN")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One build at a time per output folder (serve and build may both run)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


