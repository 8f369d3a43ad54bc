"""`missions new` and `missions init`: new files and new boards that pass `missions check`.

Also the workflows a new board (and this repository) gets: parsed as YAML, with the
expected triggers, least permissions and actions pinned by commit SHA.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.board import load_config, read_board
from generator.build import load_site
from generator.cli import main
from generator.frontmatter import Document, read_document, read_yaml_file
from generator.scaffold import (
    ACTIONS,
    Choice,
    content_file,
    dump_yaml,
    github_files,
    pages_url,
    pick,
    pick_many,
    slugify,
    term_choices,
)
from tests.conftest import EXAMPLE_CONTENT, ROOT

TODAY = "2026-11-30"
HOSTILE = [
    "</script><script>alert(1)</script>",
    "$(rm -rf /)",
    "`rm -rf /` and ${{ github.token }}",
    "Cours: maths, français: tout",
    "She said \"yes\" and 'no'",
    "- a list? [no] {not: a map} # nor a comment",
    "no", "No", "yes", "on", "off", "null", "~", "true", "0o17", "0x1F", "1e3", ".inf",
    "2026-11-30", "01234", "@mention &amp; *bold*", "\\ backslash \\n",
    "ligne\nsuivante", "tab\there", "é à ç œ « » — …", "emoji 🌱 and \u2028 separator",
    "%YAML 1.1", "--- not a fence", "... nor this", "&anchor *alias !!python/object",
]


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input)


# --- YAML written by the code ---------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_written_yaml_reads_back_identically(text: str) -> None:
    data = {"title": text, "items": [text, "b"], "group": {"key": text, "n": 2},
            "posted": dt.date(2026, 11, 30), "flag": True, "hours": 1.5}
    written = dump_yaml(data)
    doc = read_yaml_file("x.yaml", written)
    assert isinstance(doc, Document), doc
    assert dict(doc.data) == data


def test_written_yaml_quotes_every_text_and_keeps_field_names_plain() -> None:
    assert dump_yaml({"remote": "no", "categories": ["education"],
                      "commitment": {"hours": 2, "per": "week"}}) == (
        'remote: "no"\ncategories: ["education"]\ncommitment: {hours: 2, per: "week"}\n'
    )


def test_a_content_file_body_comes_after_the_front_matter() -> None:
    text = content_file({"name": "x"}, "\r\n---\r\nTexte\r\n\r\n")
    assert text == '---\nname: "x"\n---\n---\nTexte\n'


# --- Reading answers ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "slug"), [
    ("Aide aux devoirs (Lyon 8e)", "aide-aux-devoirs-lyon-8e"),
    ("L'écoute, c'est l'été !", "l-ecoute-c-est-l-ete"),
    ("Œuvre — « Noël »", "oeuvre-noel"),
    ("!!!", "mission"),
    ("a" * 50 + " " + "b" * 50, "a" * 50),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_terms_are_picked_by_key_label_number_or_in_any_case() -> None:
    _, vocabulary = load_config(read_board(EXAMPLE_CONTENT))
    categories = term_choices(vocabulary.categories)
    assert pick_many("Bâtiment, industrie, logistique, Numérique", categories) == [
        "batiment-industrie-logistique", "numerique"]
    assert pick_many("education; SANTE, 1, santé", categories) == [
        "education", "sante", "animaux"]
    assert pick_many("Public service, defence, security", categories) == [
        "service-public-defense-securite"]
    assert pick_many("numérik, sport", categories) == ["numérik", "sport"]
    assert pick("Entièrement à distance", (Choice("full", ("Entièrement à distance",)),)) == "full"


# --- missions new ---------------------------------------------------------------------------

MISSION_FLAGS = [
    "new", "mission", "--title", "Trier des livres", "--association", "Le Lien",
    "--summary", "Trier les livres donnés à l'association.", "--category", "Culture et loisirs",
    "--category", "education", "--remote", "no", "--city", "Lyon", "--postal-code", "69003",
    "--hours", "1,5", "--per", "par semaine", "--deadline", "31/03/2027",
    "--today", TODAY, "--no-input",
]


def test_new_mission_with_flags_writes_a_file_that_passes_check(board: Path) -> None:
    result = run(*MISSION_FLAGS)
    assert result.exit_code == 0, result.output
    assert result.output == "Created content/missions/trier-des-livres.md\n"
    path = board / "missions" / "trier-des-livres.md"
    assert path.read_text(encoding="utf-8") == (
        '---\n'
        'title: "Trier des livres"\n'
        'association: "lien"\n'
        'summary: "Trier les livres donnés à l\'association."\n'
        'categories: ["culture-loisirs", "education"]\n'
        'remote: "no"\n'
        'location: {city: "Lyon", postal_code: "69003"}\n'
        'commitment: {hours: 1.5, per: "week"}\n'
        'posted: 2026-11-30\n'
        'deadline: 2027-03-31\n'
        '---\n'
        '## La mission\n\nDécrivez ce que fera la personne bénévole, avec qui, et comment.\n\n'
        '## Profil recherché\n\n- …\n\n## Ce que nous offrons\n\n- …\n'
    )
    assert run("check").exit_code == 0
    mission = next(m for m in load_site(board).missions if m.slug == "trier-des-livres")
    assert mission.remote == "no" and mission.location and mission.location.postal_code == "69003"


@pytest.mark.parametrize("text", HOSTILE[:8])
def test_new_mission_keeps_hostile_text_as_text(board: Path, text: str) -> None:
    title = f"Titre {text}"[:120]
    result = run(*MISSION_FLAGS, "--title", title, "--slug", "hostile")
    assert result.exit_code == 0, result.output
    mission = next(m for m in load_site(board).missions if m.slug == "hostile")
    assert mission.title == title.strip()


def test_new_mission_never_overwrites(board: Path) -> None:
    before = (board / "missions" / "maths.md").read_bytes()
    result = run(*MISSION_FLAGS, "--slug", "maths")
    assert result.exit_code == 1
    assert result.output == (
        "Error: content/missions/maths.md already exists: nothing was written (choose "
        "another slug)\n"
    )
    assert (board / "missions" / "maths.md").read_bytes() == before


def test_new_mission_takes_a_free_name_when_the_title_is_taken(board: Path) -> None:
    first = run(*MISSION_FLAGS)
    second = run(*MISSION_FLAGS)
    assert first.exit_code == second.exit_code == 0
    assert second.output == "Created content/missions/trier-des-livres-2.md\n"


def test_new_mission_with_problems_explains_them_and_writes_nothing(board: Path) -> None:
    result = run("new", "mission", "--title", "Trier", "--association", "inconnue",
                 "--summary", "court", "--category", "numérik", "--remote", "full",
                 "--hours", "beaucoup", "--per", "week", "--today", TODAY, "--no-input",
                 "--lang", "fr")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        ("content/missions/trier.md:3:1: association: association inconnue 'inconnue' "
        "(ajoutez content/associations/inconnue.md ou corrigez le nom)"),
        ("content/missions/trier.md:4:1: summary: trop court : 5 caractères (écrivez-en au "
        "moins 10)"),
        ("content/missions/trier.md:5:14: categories[0]: catégorie inconnue 'numérik' "
        "(vouliez-vous dire 'numerique' ?)"),
        ("content/missions/trier.md:7:14: commitment.hours: on attend un nombre, mais on trouve "
        "'beaucoup' (écrivez des chiffres, par exemple hours: 2)"),
    ]
    assert not (board / "missions" / "trier.md").exists()


def test_new_mission_asks_in_the_boards_language(board: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MISSIONS_LANG")
    answers = [
        "Trier des livres",  # title
        "2",  # association: lien, savoirs -> savoirs
        "Trier les livres donnés à l'association.",  # summary
        "culture-loisirs",  # categories
        "",  # skills
        "1",  # remote: full
        "", "",  # city, postal code
        "2",  # hours
        "1",  # per week
        "2027-01-31",  # deadline
        "",  # apply
    ]
    result = run("new", "mission", "--today", TODAY, input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Titre de la mission (3 à 120 caractères): Trier des livres" in result.output
    assert "   2. Savoirs Partagés (savoirs)" in result.output
    assert "   1. Entièrement à distance (full)" in result.output
    assert result.output.endswith("Créé : content/missions/trier-des-livres.md\n")
    mission = next(m for m in load_site(board).missions if m.slug == "trier-des-livres")
    assert (mission.association, mission.remote, mission.deadline) == (
        "savoirs", "full", dt.date(2027, 1, 31))


def test_new_association_with_flags(board: Path) -> None:
    result = run("new", "association", "--name", "Les Amis du Livre",
                 "--summary", "Des livres pour tout le monde.", "--apply",
                 "https://formspree.io/f/abcd", "--city", "Nantes", "--rna", "w441234567",
                 "--no-input")
    assert result.exit_code == 0, result.output
    assert result.output == "Created content/associations/les-amis-du-livre.md\n"
    association = next(a for a in load_site(board).associations
                       if a.slug == "les-amis-du-livre")
    assert association.apply is not None and association.apply.kind == "form"
    assert association.rna == "W441234567"


def test_new_refuses_a_bad_slug(board: Path) -> None:
    result = run(*MISSION_FLAGS, "--slug", "Mauvais Nom")
    assert result.exit_code == 2
    assert "'Mauvais Nom' cannot be a file name" in result.output


# --- missions init --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def new_board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("init") / "board"
    result = run("init", str(target), "--repository", "https://github.com/reseau/benevoles",
                 "--title", "Bénévoles: le réseau", "--today", TODAY)
    assert result.exit_code == 0, result.output
    return target


def test_init_makes_a_board_that_checks_and_builds(new_board: Path, tmp_path: Path) -> None:
    result = run("check", "--content", str(new_board / "content"))
    assert result.exit_code == 0, result.output
    out = tmp_path / "site"
    result = run("build", "--content", str(new_board / "content"), "--out", str(out),
                 "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert (out / "missions" / "premiere-mission" / "index.html").is_file()
    site = read_yaml_file("site.yaml", (new_board / "content" / "site.yaml").read_text())
    assert isinstance(site, Document)
    assert site.data["title"] == "Bénévoles: le réseau"
    assert site.data["base_url"] == "https://reseau.github.io/benevoles/"
    assert site.data["repository"] == "https://github.com/reseau/benevoles"


def test_init_writes_the_repository_files(new_board: Path) -> None:
    files = sorted(str(p.relative_to(new_board)) for p in new_board.rglob("*") if p.is_file())
    assert files == [
        ".github/CODEOWNERS", ".github/ISSUE_TEMPLATE/config.yml",
        ".github/ISSUE_TEMPLATE/mission.yml", ".github/dependabot.yml",
        ".github/pull_request_template.md", ".github/workflows/check.yml",
        ".github/workflows/deploy.yml", ".github/workflows/mission-from-issue.yml",
        ".github/workflows/report.yml", ".gitignore", "CONTRIBUTING.md", "README.md",
        "content/associations/mon-association.md", "content/missions/premiere-mission.md",
        "content/site.yaml", "content/vocabulary.yaml", "requirements.txt",
        "schema/association.schema.json", "schema/mission.schema.json",
    ]
    requirement = (new_board / "requirements.txt").read_text().splitlines()[-1]
    assert re.fullmatch(r"missions-generator @ git\+https://\S+@v\d+\.\d+\.\d+", requirement)
    assert "*  @reseau\n" in (new_board / ".github" / "CODEOWNERS").read_text()
    template = (new_board / ".github" / "pull_request_template.md").read_text()
    assert "- [ ] " in template and "Vérifications / Checklist" in template


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "board").mkdir()
    (tmp_path / "board" / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path / "board"))
    assert result.exit_code == 1
    assert "exists and is not empty: nothing was written" in result.output
    assert [p.name for p in (tmp_path / "board").iterdir()] == ["notes.txt"]


def test_init_refuses_an_http_base_url(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "b"), "--base-url", "http://example.org/")
    assert result.exit_code == 2
    assert "--base-url: 'http://example.org/' must start with https://" in result.output
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(("repository", "url"), [
    ("https://github.com/Org/board", "https://org.github.io/board/"),
    ("https://github.com/org/org.github.io", "https://org.github.io/"),
    (None, "https://example.github.io/missions/"),
])
def test_pages_url(repository: str | None, url: str) -> None:
    assert pages_url(repository) == url


# --- The workflows ----------------------------------------------------------------------------

WORKFLOWS = ("check.yml", "deploy.yml", "report.yml", "mission-from-issue.yml")
PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")


def workflow(board: Path, name: str) -> dict[str, Any]:
    path = board / ".github" / "workflows" / name
    doc = read_yaml_file(name, path.read_text(encoding="utf-8"))
    assert isinstance(doc, Document), doc
    return dict(doc.data)


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_workflow_has_least_permissions_and_pinned_actions(new_board: Path,
                                                                 name: str) -> None:
    text = (new_board / ".github" / "workflows" / name).read_text(encoding="utf-8")
    data = workflow(new_board, name)
    assert data["permissions"] == {}
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert "pull_request_target" not in "\n".join(code)
    for job in data["jobs"].values():
        assert "permissions" in job
        for step in steps(job):
            # Values from events never go into a script: they go through env.
            assert "${{" not in step.get("run", "")
            if "actions/checkout" in step.get("uses", ""):
                expected = name == "mission-from-issue.yml"
                assert step["with"]["persist-credentials"] is expected
    uses = [line for line in text.splitlines() if "uses:" in line]
    assert uses
    assert all(PINNED.match(line) for line in uses), uses
    pinned = {f"{m[1]}@{m[2]}" for line in uses if (m := PINNED.match(line))}
    assert pinned <= {value.split(" ")[0] for value in ACTIONS.values()}


def test_check_workflow_runs_on_pull_requests_and_annotates(new_board: Path) -> None:
    data = workflow(new_board, "check.yml")
    assert set(data["on"]) == {"pull_request", "workflow_dispatch"}
    job = data["jobs"]["check"]
    assert job["permissions"] == {"contents": "read"}
    scripts = "\n".join(step.get("run", "") for step in steps(job))
    assert "missions check --format github --" in scripts
    assert "git diff -z --name-only" in scripts and "xargs -0" in scripts
    assert "python -m pip install -r requirements.txt" in scripts


def test_deploy_workflow_publishes_to_pages_on_push_and_nightly(new_board: Path) -> None:
    data = workflow(new_board, "deploy.yml")
    assert data["on"]["push"] == {"branches": ["main"]}
    assert re.fullmatch(r"\d+ \d+ \* \* \*", data["on"]["schedule"][0]["cron"])
    build, deploy = data["jobs"]["build"], data["jobs"]["deploy"]
    assert "write" not in build["permissions"].values()
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    used = [step.get("uses", "").split("@")[0] for step in (*steps(build), *steps(deploy))]
    assert {"actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= set(used)
    build_step = next(s for s in steps(build) if s.get("name") == "Build")
    assert build_step["run"] == 'missions build --no-cache --base-url "$BASE_URL" --out _site'
    assert build_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}"


def test_report_workflow_runs_weekly(new_board: Path) -> None:
    data = workflow(new_board, "report.yml")
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", data["on"]["schedule"][0]["cron"])
    job = data["jobs"]["report"]
    assert job["permissions"] == {"contents": "read", "issues": "write"}
    scripts = "\n".join(step.get("run", "") for step in steps(job))
    assert "missions report --expiring 14d --stale 6m --format markdown" in scripts


def test_issue_workflow_passes_the_body_through_env_and_a_file(new_board: Path) -> None:
    data = workflow(new_board, "mission-from-issue.yml")
    assert data["on"] == {"issues": {"types": ["labeled"]}}
    job = data["jobs"]["propose"]
    write = next(s for s in steps(job) if s.get("name") == "Write the mission file")
    assert write["env"] == {"ISSUE_BODY": "${{ github.event.issue.body }}"}
    assert 'printf \'%s\' "$ISSUE_BODY" > "$RUNNER_TEMP/issue.md"' in write["run"]
    assert 'missions from-issue "$RUNNER_TEMP/issue.md"' in write["run"]


def test_issue_form_answers_map_to_mission_fields(new_board: Path) -> None:
    text = (new_board / ".github" / "ISSUE_TEMPLATE" / "mission.yml").read_text()
    doc = read_yaml_file("mission.yml", text)
    assert isinstance(doc, Document)
    assert doc.data["name"] == "Proposer une mission"
    ids = [entry.get("id") for entry in doc.data["body"] if entry["type"] != "markdown"]
    assert ids == ["title", "association", "summary", "categories", "skills", "remote", "city",
                   "postal_code", "hours", "per", "deadline", "places", "apply", "body",
                   "agreement"]


# --- This repository is a board too -----------------------------------------------------------


def test_this_repository_uses_the_same_github_files() -> None:
    config, vocabulary = load_config(read_board(EXAMPLE_CONTENT))
    expected = github_files(vocabulary, config, install="python -m pip install .",
                            maintainers=())
    for name, text in expected.items():
        path = ROOT / name
        assert path.is_file() and path.read_text(encoding="utf-8") == text, (
            f"{name} differs from the generator's skeleton: regenerate it with "
            "generator.scaffold.github_files (see tests/test_scaffold.py)"
        )


def test_the_skeleton_contributing_guide_is_this_repositorys() -> None:
    skeleton = ROOT / "generator" / "skeleton" / "CONTRIBUTING.md"
    assert skeleton.read_text(encoding="utf-8") == (ROOT / "CONTRIBUTING.md").read_text(
        encoding="utf-8")


def test_the_sample_files_of_a_new_board_read_back() -> None:
    doc = read_document("x.md", content_file({"title": "Cours: « maths »"}, "Texte"))
    assert isinstance(doc, Document) and doc.data == {"title": "Cours: « maths »"}
