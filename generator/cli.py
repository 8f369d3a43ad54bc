"""The `missions` command: parse options, call one function, map errors to exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import click

from generator.board import check_files, default_language, load_config, read_board
from generator.build import DEFAULT_THEME, BuildOptions, build, load_site
from generator.content import display_path
from generator.errors import ContentError, GeneratorError, Problem
from generator.issueform import issue_form_yaml, mission_from_issue, problems_markdown
from generator.messages import LANGUAGES, counted, localize, ui
from generator.report import FORMATS as REPORT_FORMATS
from generator.report import Duration, report
from generator.report import Format as ReportFormat
from generator.report import render as render_report
from generator.scaffold import (
    InitOptions,
    NewFile,
    Question,
    association_questions,
    board_choices,
    board_files,
    check_options,
    create,
    init_board,
    mission_questions,
    new_association,
    new_mission,
)
from generator.schema import DIALECTS, Dialect, schema_files, stale_files, write_files


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date written YYYY-MM-DD") from None


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_problems(problems: Sequence[Problem], fmt: str, lang: str = "en") -> str:
    problems = localize(problems, lang)
    if fmt == "json":
        return json.dumps(
            [
                {"file": p.path, "line": p.line, "col": p.col, "message": p.message}
                for p in problems
            ],
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "github":
        return "\n".join(
            f"::error file={_github_escape(p.path, prop=True)},line={p.line},col={p.col}::"
            f"{_github_escape(p.message)}"
            for p in problems
        )
    return "\n".join(str(p) for p in problems)


def _report(error: ContentError, fmt: str, lang: str = "en") -> None:
    click.echo(format_problems(error.problems, fmt, lang))
    if fmt == "text":
        files = len({p.path for p in error.problems})
        click.echo(
            ui("summary_failed", lang, problems=counted(len(error.problems), "problem", lang),
               files=counted(files, "file", lang)),
            err=True,
        )


_content_option = click.option(
    "--content",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("content"),
    show_default=True,
    help="Folder holding site.yaml, vocabulary.yaml, missions/ and associations/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="missions-generator")
def main() -> None:
    """Build a volunteer mission board from Markdown files."""


def run() -> NoReturn:
    """The `missions` command: `main`, then out without tearing the interpreter down.
    After a build of 10,000 missions, freeing the site's objects one by one takes half a
    second, for a process about to end: what it wrote is flushed and closed by then."""
    try:
        main()
        status: int = 0
    except SystemExit as leaving:  # how click ends, always
        if leaving.code is None or isinstance(leaving.code, int):
            status = leaving.code or 0
        else:
            print(leaving.code, file=sys.stderr)
            status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


_lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None, envvar="MISSIONS_LANG",
    help="Language of the messages (default: the first of site.yaml languages).",
)


@main.command()
@_content_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
    show_default=True, help="text for people, github for workflow annotations, json for tools.",
)
@_lang_option
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
def check(content: Path, fmt: str, lang: str | None, files: tuple[Path, ...]) -> None:
    """Validate every file and report every problem; write nothing.

    Given FILES (such as the files a pull request changes), the whole board is still
    checked, but only the problems of those files are reported, with the board-level
    problems they cause (a mission naming a removed association, broken settings).
    """
    lang = lang or _board_language(content)
    if files:
        _check_files(content, fmt, lang, files)
        return
    try:
        site = load_site(content)
    except ContentError as error:
        _report(error, fmt, lang)
        sys.exit(1)
    except GeneratorError as error:
        raise click.ClickException(str(error)) from error
    if fmt == "json":
        click.echo("[]")
    elif fmt == "text":
        missions = len({m.slug for m in site.missions})
        associations = len({a.slug for a in site.associations})
        click.echo(ui("check_ok", lang, missions=missions, associations=associations))


def _board_language(content: Path) -> str:
    language = default_language(content)
    return language if language in LANGUAGES else "en"


def _check_files(content: Path, fmt: str, lang: str, files: tuple[Path, ...]) -> None:
    try:
        result = check_files(read_board(content), files)
    except GeneratorError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    if fmt == "text":
        for path in result.removed:
            click.echo(ui("removed", lang, path=path), err=True)
    if result.problems:
        _report(ContentError(result.problems), fmt, lang)
    elif fmt == "json":
        click.echo("[]")
    elif fmt == "text":
        click.echo(ui("check_files_ok", lang, files=counted(len(files), "checked file", lang)))
    if result.elsewhere and fmt == "text":
        click.echo(
            ui("elsewhere", lang, problems=counted(result.elsewhere, "problem", lang)), err=True
        )
    if result.problems:
        sys.exit(1)


_theme_option = click.option(
    "--theme", type=click.Path(path_type=Path, file_okay=False, exists=True), default=None,
    help="Theme folder (templates/, static/, strings.yaml); default: the generator's own.")


@main.command(name="build")
@_content_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True, help="Output folder, replaced only when the build succeeds.")
@click.option("--base-url", default=None, help="Absolute URL the site is served from "
              "(default: base_url of site.yaml).")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Date deciding which missions are closed (default: today).")
@click.option("--drafts", is_flag=True, help="Include missions marked draft: true.")
@click.option("--search/--no-search", default=True, show_default=True,
              help="Build the search index (Pagefind and the filter index); skip it for "
              "faster previews.")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Reuse what earlier builds made (kept in .OUT.cache beside OUT) and "
              "render only what changed; --no-cache builds everything from nothing.")
@_theme_option
def build_command(
    content: Path, out: Path, base_url: str | None, today: str | None, drafts: bool,
    search: bool, cache: bool, theme: Path | None,
) -> None:
    """Validate, then render the site into OUT."""
    options = BuildOptions(content=content, out=out, today=_today(today), base_url=base_url,
                           drafts=drafts, search=search, cache=cache,
                           theme=(theme or DEFAULT_THEME).resolve())
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        report = build(options, progress=progress)
    except ContentError as error:
        _report(error, "text")
        sys.exit(1)
    except GeneratorError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    finally:
        if progress is not None:
            progress.clear()
    click.echo(report.summary())
    if os.environ.get("MISSIONS_TIMINGS"):  # for benchmarks: where the time went
        click.echo(" ".join(f"{name}={seconds:.2f}" for name, seconds in report.steps),
                   err=True)


class _Progress:
    """`Rendering 1,234/13,887 pages` on one terminal line, for builds long enough to
    wonder; nothing is shown when fewer than MINIMUM pages are to be rendered."""

    MINIMUM = 500

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.MINIMUM:
            return
        click.echo(f"\rRendering {done:,}/{total:,} pages", nl=False, err=True)
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)
            self.shown = False


@main.command()
@_content_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--drafts", is_flag=True, help="Include missions marked draft: true.")
@_theme_option
def serve(content: Path, out: Path, host: str, port: int, drafts: bool,
          theme: Path | None) -> None:
    """Build, serve on HOST:PORT, rebuild on every change and reload open pages.

    Watches the content folder and the theme. A change with problems keeps the last good
    site served and shows the problems in the terminal and over the open pages.
    """
    from generator.server import serve_live

    options = BuildOptions(content=content, out=out, today=dt.date.today(), drafts=drafts,
                           theme=(theme or DEFAULT_THEME).resolve())
    serve_live(options, host, port, click.echo)


@main.command(name="schema")
@_content_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("schema"),
              show_default=True, help="Folder of mission.schema.json and association.schema.json.")
@click.option("--dialect", type=click.Choice(DIALECTS), default="2020-12", show_default=True,
              help="JSON Schema draft; draft-07 for tools that know no later one.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when the files under OUT are missing or outdated.")
def schema_command(content: Path, out: Path, dialect: Dialect, check_only: bool) -> None:
    """Write the JSON Schemas of mission and association front matter."""
    try:
        config, vocabulary = load_config(read_board(content))
    except ContentError as error:
        _report(error, "text")
        sys.exit(1)
    except GeneratorError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    files = schema_files(config, vocabulary, dialect)
    if check_only:
        stale = stale_files(out, files)
        for name in stale:
            click.echo(f"{out / name} is missing or outdated: run `missions schema`", err=True)
        sys.exit(1 if stale else 0)
    changed = write_files(out, files)
    click.echo(f"Wrote {len(changed)} of {len(files)} schema files in {out}.")


def _fail(error: GeneratorError, lang: str = "en") -> NoReturn:
    """Report an error the way every command does, and exit with its code."""
    if isinstance(error, ContentError):
        _report(error, "text", lang)
        sys.exit(1)
    click.echo(f"Error: {error}", err=True)
    sys.exit(error.exit_code)


def _ask(
    questions: Sequence[Question], given: dict[str, str], no_input: bool
) -> dict[str, str]:
    """Flags first; when a required answer is missing, ask every question flags left open."""
    answers = {key: value for key, value in given.items() if value}
    if no_input or all(q.key in answers for q in questions if q.required):
        return answers
    for question in questions:
        if question.key in answers:
            continue
        for number, (key, label) in enumerate(question.choices, start=1):
            click.echo(f"  {number:>2}. {label} ({key})")
        answers[question.key] = click.prompt(
            question.text, default=None if question.required else "", show_default=False
        )
    return answers


def _created(new: NewFile, lang: str) -> None:
    create(new)
    shown = display_path(new.path)
    click.echo(f"Créé : {shown}" if lang == "fr" else f"Created {shown}")


@main.group(name="new")
def new_group() -> None:
    """Create a mission or association file that passes `missions check`.

    Give the answers as options, or answer the questions (asked in the board's language).
    An existing file is never overwritten.
    """


_today_option = click.option(
    "--today", default=None, metavar="YYYY-MM-DD", help="Date of today (default: today)."
)
_no_input_option = click.option(
    "--no-input", is_flag=True, help="Never ask: fail when a required option is missing."
)


@new_group.command(name="mission")
@_content_option
@click.option("--title", help="Title, 3 to 120 characters.")
@click.option("--association", help="Slug or name of the association.")
@click.option("--summary", help="One sentence, 10 to 200 characters.")
@click.option("--category", "categories", multiple=True,
              help="Category key or label (repeat, or separate with commas).")
@click.option("--skill", "skills", multiple=True, help="Skill key or label (repeatable).")
@click.option("--remote", help="no, possible or full.")
@click.option("--city", help="City (unless fully remote).")
@click.option("--postal-code", help="Postal code.")
@click.option("--region", help="Region.")
@click.option("--hours", help="Number of hours.")
@click.option("--per", help="week, month or mission (in total).")
@click.option("--language", "languages", multiple=True,
              help="Working language, ISO 639-1 (repeatable).")
@click.option("--posted", metavar="YYYY-MM-DD", help="Posting date (default: today).")
@click.option("--deadline", metavar="YYYY-MM-DD", help="Application deadline.")
@click.option("--places", help="Number of volunteers wanted.")
@click.option("--apply", help="Email address or https link to apply (default: the "
              "association's).")
@click.option("--slug", help="File name without .md (default: from the title).")
@_today_option
@_lang_option
@_no_input_option
def new_mission_command(
    content: Path, categories: tuple[str, ...], skills: tuple[str, ...],
    languages: tuple[str, ...], slug: str | None, today: str | None, lang: str | None,
    no_input: bool, **fields: str | None,
) -> None:
    """Create content/missions/<slug>.md."""
    lang = lang or _board_language(content)
    given = {key: value or "" for key, value in fields.items()}
    given.update(categories=", ".join(categories), skills=", ".join(skills),
                 languages=", ".join(languages))
    try:
        board = read_board(content)
        questions = mission_questions(board_choices(board), lang)
        answers = _ask(questions, given, no_input)
        new = new_mission(board, answers, _today(today), slug=slug)
        _created(new, lang)
    except GeneratorError as error:
        _fail(error, lang)


@new_group.command(name="association")
@_content_option
@click.option("--name", help="Name of the association.")
@click.option("--summary", help="One sentence, 10 to 200 characters.")
@click.option("--website", help="https address of its website.")
@click.option("--email", help="Contact address.")
@click.option("--apply", help="Default way to apply to its missions: email or https link.")
@click.option("--city", help="City.")
@click.option("--postal-code", help="Postal code.")
@click.option("--region", help="Region.")
@click.option("--rna", help="French registry number (W and 9 digits).")
@click.option("--slug", help="File name without .md (default: from the name).")
@_lang_option
@_no_input_option
def new_association_command(
    content: Path, slug: str | None, lang: str | None, no_input: bool, **fields: str | None
) -> None:
    """Create content/associations/<slug>.md."""
    lang = lang or _board_language(content)
    given = {key: value or "" for key, value in fields.items()}
    try:
        board = read_board(content)
        answers = _ask(association_questions(lang), given, no_input)
        _created(new_association(board, answers, slug=slug), lang)
    except GeneratorError as error:
        _fail(error, lang)


@main.command(name="init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--title", default=InitOptions.title, show_default=True, help="Site name.")
@click.option("--description", default=InitOptions.description, help="One sentence.")
@click.option("--repository", help="https://github.com/ORG/REPO of the new board (for "
              "'suggest a change' links, CODEOWNERS and the Pages address).")
@click.option("--base-url", help="Address the site is served from (default: the GitHub "
              "Pages address of --repository).")
@click.option("--generator", help="pip requirement of the generator (default: this "
              "version, from git, pinned by tag).")
@click.option("--maintainer", "maintainers", multiple=True,
              help="@name or @org/team asked to review pull requests (repeatable).")
@_today_option
def init_command(
    directory: Path, title: str, description: str, repository: str | None,
    base_url: str | None, generator: str | None, maintainers: tuple[str, ...],
    today: str | None,
) -> None:
    """Create a new board repository in DIRECTORY, ready to push to GitHub."""
    options = InitOptions(title=title, description=description, repository=repository,
                          base_url=base_url, generator=generator, maintainers=maintainers)
    try:
        check_options(options)
        from importlib.metadata import version  # slow to import; only `init` needs it

        files = board_files(options, version("missions-generator"), _today(today))
        init_board(directory, files)
    except GeneratorError as error:
        _fail(error)
    shown = display_path(directory)
    click.echo(f"Created a board in {shown} ({len(files)} files). Next:")
    click.echo(f"  missions check --content {shown}/content")
    click.echo(f"  cd {shown} && git init -b main && git add . && git commit -m 'New board'")
    click.echo("  then push it to GitHub and set Settings > Pages > Source: GitHub Actions.")


@main.command(name="from-issue")
@click.argument("body", type=click.File("r", encoding="utf-8", errors="replace"))
@_content_option
@click.option("--slug", help="File name without .md (default: from the title).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="How problems are shown: markdown for an issue comment.")
@_today_option
@_lang_option
def from_issue_command(
    body: TextIO, content: Path, slug: str | None, fmt: str, today: str | None,
    lang: str | None,
) -> None:
    """Create a mission file from the body of a "Proposer une mission" issue.

    BODY is a file holding the issue's text, or - for standard input. Prints the path of
    the new file; when the answers have problems, prints them and writes nothing.
    """
    lang = lang or _board_language(content)
    try:
        new = mission_from_issue(read_board(content), body.read(), _today(today), slug=slug)
        if new.problems and fmt == "markdown":
            click.echo(problems_markdown(localize(new.problems, lang), lang), nl=False)
            sys.exit(1)
        create(new)
    except GeneratorError as error:
        _fail(error, lang)
    click.echo(display_path(new.path))


@main.command(name="report")
@_content_option
@click.option("--expiring", default="14d", show_default=True,
              help="Report missions whose deadline falls within this period (14d, 2w, 1m).")
@click.option("--stale", default="6m", show_default=True,
              help="Report open missions posted longer ago than this (6m, 1y).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="text, markdown (for an issue) or github (annotations).")
@_today_option
@_lang_option
def report_command(
    content: Path, expiring: str, stale: str, fmt: ReportFormat, today: str | None,
    lang: str | None,
) -> None:
    """List open missions that close soon or look stale (a maintainer's weekly look)."""
    lang = lang or _board_language(content)
    try:
        soon, old = Duration.parse(expiring), Duration.parse(stale)
        result = report(load_site(content), _today(today), soon, old)
    except GeneratorError as error:
        _fail(error, lang)
    output = render_report(result, fmt, lang, soon, old)
    if output:
        click.echo(output)


@main.command(name="issue-form")
@_content_option
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              default=Path(".github/ISSUE_TEMPLATE/mission.yml"), show_default=True)
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 when OUT is missing or outdated.")
def issue_form_command(content: Path, out: Path, check_only: bool) -> None:
    """Write the "Proposer une mission" issue form from vocabulary.yaml."""
    try:
        config, vocabulary = load_config(read_board(content))
    except GeneratorError as error:
        _fail(error)
    text = issue_form_yaml(vocabulary, config)
    current = out.read_text(encoding="utf-8") if out.is_file() else None
    if check_only:
        if current != text:
            click.echo(f"{out} is missing or outdated: run `missions issue-form`", err=True)
        sys.exit(0 if current == text else 1)
    if current != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    click.echo(f"{'Wrote' if current != text else 'Up to date:'} {out}")
