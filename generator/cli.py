"""The `missions` command: parse options, call one function, map errors to exit codes."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from generator.build import BuildOptions, build, load_site
from generator.errors import ContentError, GeneratorError, Problem


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


def format_problems(problems: Sequence[Problem], fmt: str) -> str:
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


def _report(error: ContentError, fmt: str) -> None:
    click.echo(format_problems(error.problems, fmt))
    if fmt == "text":
        files = len({p.path for p in error.problems})
        count = len(error.problems)
        click.echo(
            f"{count} problem{'s' if count != 1 else ''} in {files} file"
            f"{'s' if files != 1 else ''}; nothing was written.",
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


@main.command()
@_content_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "github", "json"]), default="text",
    show_default=True, help="text for people, github for workflow annotations, json for tools.",
)
def check(content: Path, fmt: str) -> None:
    """Validate every file and report every problem; write nothing."""
    try:
        site = load_site(content)
    except ContentError as error:
        _report(error, fmt)
        sys.exit(1)
    except GeneratorError as error:
        raise click.ClickException(str(error)) from error
    if fmt == "json":
        click.echo("[]")
    elif fmt == "text":
        missions = len({m.slug for m in site.missions})
        associations = len({a.slug for a in site.associations})
        click.echo(f"OK: {missions} missions and {associations} associations, no problems.")


@main.command(name="build")
@_content_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True, help="Output folder, replaced only when the build succeeds.")
@click.option("--base-url", default=None, help="Absolute URL the site is served from "
              "(default: base_url of site.yaml).")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Date deciding which missions are closed (default: today).")
@click.option("--drafts", is_flag=True, help="Include missions marked draft: true.")
def build_command(
    content: Path, out: Path, base_url: str | None, today: str | None, drafts: bool
) -> None:
    """Validate, then render the site into OUT."""
    options = BuildOptions(content=content, out=out, today=_today(today), base_url=base_url,
                           drafts=drafts)
    try:
        report = build(options)
    except ContentError as error:
        _report(error, "text")
        sys.exit(1)
    except GeneratorError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(error.exit_code)
    click.echo(report.summary())


@main.command()
@_content_option
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("site"),
              show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--drafts", is_flag=True, help="Include missions marked draft: true.")
def serve(content: Path, out: Path, host: str, port: int, drafts: bool) -> None:
    """Build the site for local preview and serve it."""
    from generator.server import serve_site

    base_url = f"http://{host}:{port}/"
    options = BuildOptions(content=content, out=out, today=dt.date.today(), base_url=base_url,
                           drafts=drafts)
    try:
        report = build(options)
    except ContentError as error:
        _report(error, "text")
        sys.exit(1)
    except GeneratorError as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.summary())
    click.echo(f"Serving {out} at {base_url} (Ctrl+C to stop)")
    serve_site(out, host, port)
