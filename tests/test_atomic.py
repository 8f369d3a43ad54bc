"""Atomic output: a build killed with SIGKILL half-way leaves the previous site complete and
byte for byte unchanged, and the next build succeeds and removes what the killed one left.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from generator.build import BuildOptions, build
from tests.conftest import FIXTURE_BOARD, ROOT, TODAY

MISSIONS = 3000
MISSION = """---
title: "Trier des livres, lot {n}"
association: lien
summary: "Trier les livres donnés à l'association, lot numéro {n}."
categories: [culture-loisirs]
skills: [traduction]
remote: full
commitment: {{hours: 2, per: week}}
posted: 2026-11-01
---
## La mission

Trier les livres du lot {n}, les ranger par thème et préparer la vente de printemps.
{paragraphs}
"""
PARAGRAPH = (
    "\nLes bénévoles se retrouvent le samedi matin. Un café est offert, et l'équipe "
    "explique le classement : *romans*, **documentaires**, [jeunesse](../), bandes dessinées.\n"
)


def tree(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


def big_board(root: Path) -> Path:
    """The test board plus MISSIONS more missions: minutes of rendering, seconds to write."""
    content = root / "big"
    shutil.copytree(FIXTURE_BOARD, content)
    missions = content / "missions"
    for n in range(MISSIONS):
        text = MISSION.format(n=n, paragraphs=PARAGRAPH * 8)
        (missions / f"lot-{n:04d}.md").write_text(text, encoding="utf-8")
    return content


def wait_for_files(staging_glob: str, parent: Path, process: subprocess.Popen[bytes],
                   minimum: int, timeout: float) -> Path:
    """The staging folder of the running build, once it holds `minimum` files."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for folder in parent.glob(staging_glob):
            if sum(1 for path in folder.rglob("*") if path.is_file()) >= minimum:
                return folder
        time.sleep(0.05)
    raise AssertionError(f"no staging folder with {minimum} files after {timeout} s")


def test_a_killed_build_leaves_the_previous_site_and_the_next_build_cleans_up(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    build(BuildOptions(content=FIXTURE_BOARD, out=site, today=TODAY, search=False))
    before = tree(site)
    assert "index.html" in before and len(before) > 50

    content = big_board(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--no-search", "--content", str(content),
         "--out", str(site), "--today", TODAY.isoformat()],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        staging = wait_for_files(f".site.staging-{process.pid}", tmp_path, process,
                                 minimum=30, timeout=120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL

    # Killed half-way: its staging folder is still there, the site is as it was, and no
    # rendering process of the killed build goes on writing into (or removing) the folder.
    assert staging.is_dir()
    left = tree(staging)
    time.sleep(1.5)
    assert tree(staging) == left
    assert 0 < sum(1 for name in left if name.endswith("index.html")) < MISSIONS
    assert tree(site) == before

    report = build(BuildOptions(content=FIXTURE_BOARD, out=site, today=TODAY, search=False))
    assert report.pages > 50
    assert not staging.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == [".site.cache", "big", "site"]
    assert tree(site) == before  # the same board again: the same site, complete
