"""Which open missions need a maintainer's attention: closing soon, or looking forgotten.

`missions report --expiring 14d --stale 6m`: a mission is *expiring* when its deadline
falls within the period, *stale* when it was posted longer ago than the period (or its
`end` date has passed) and it is still open. Pure: the Site and `today` come in, text
goes out; the weekly workflow turns the Markdown into an issue.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from generator.errors import ConfigError
from generator.model import Mission, Site

Reason = Literal["expiring", "stale", "ended"]
Format = Literal["text", "markdown", "github"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "github")
_DURATION = re.compile(r"^(\d{1,4})([dwmy])$")


@dataclass(frozen=True)
class Duration:
    """A number of days, weeks, months or years, as written: 14d, 2w, 6m, 1y."""

    amount: int
    unit: Literal["d", "w", "m", "y"]

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _DURATION.match(text.strip())
        if not match:
            raise ConfigError(
                f"'{text}' is not a duration (write a number and d, w, m or y, such as 14d "
                "or 6m)"
            )
        return cls(int(match[1]), match[2])  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"

    def shift(self, day: dt.date, sign: int) -> dt.date:
        """`day` moved forward (sign 1) or back (sign -1) by this duration."""
        if self.unit in ("d", "w"):
            days = self.amount * (7 if self.unit == "w" else 1)
            return day + dt.timedelta(days=sign * days)
        months = self.amount * (12 if self.unit == "y" else 1) * sign
        index = day.year * 12 + day.month - 1 + months
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Finding:
    mission: Mission
    association: str  # its name
    reason: Reason
    date: dt.date  # the deadline (expiring), the posting date (stale) or the end (ended)


@dataclass(frozen=True)
class Report:
    today: dt.date
    expiring_until: dt.date
    stale_before: dt.date
    expiring: tuple[Finding, ...]
    stale: tuple[Finding, ...]
    base_url: str

    @property
    def empty(self) -> bool:
        return not self.expiring and not self.stale


def report(site: Site, today: dt.date, expiring: Duration, stale: Duration) -> Report:
    """Open, published missions (default-language files) that need a look."""
    until = expiring.shift(today, 1)
    before = stale.shift(today, -1)
    lang = site.config.default_language
    soon: list[Finding] = []
    old: list[Finding] = []
    for mission in site.missions:
        if mission.lang != lang or mission.draft or mission.is_closed(today):
            continue
        name = site.association(mission.association, lang).name
        if mission.deadline is not None and mission.deadline <= until:
            soon.append(Finding(mission, name, "expiring", mission.deadline))
        if mission.end is not None and mission.end < today:
            old.append(Finding(mission, name, "ended", mission.end))
        elif mission.posted < before:
            old.append(Finding(mission, name, "stale", mission.posted))
    return Report(
        today, until, before,
        tuple(sorted(soon, key=lambda f: (f.date, f.mission.slug))),
        tuple(sorted(old, key=lambda f: (f.date, f.mission.slug))),
        site.config.base_url,
    )


_TEXTS = {
    "expiring": {
        "en": "Missions closing within {period} (deadline by {until})",
        "fr": "Missions qui ferment d'ici {period} (date limite au plus tard le {until})",
    },
    "stale": {
        "en": "Missions still open, posted more than {period} ago (before {before}) or "
              "past their end date",
        "fr": "Missions encore ouvertes, publiées il y a plus de {period} (avant le "
              "{before}) ou dont la date de fin est passée",
    },
    "nothing": {
        "en": "Nothing to report: no mission closes within {expiring} or looks stale.",
        "fr": "Rien à signaler : aucune mission ne ferme d'ici {expiring} ni ne semble "
              "oubliée.",
    },
    "expiring_item": {"en": "closes on {date} (in {days})", "fr": "ferme le {date} (dans {days})"},
    "expiring_today": {"en": "closes on {date} (today)", "fr": "ferme le {date} (aujourd'hui)"},
    "stale_item": {"en": "posted on {date}", "fr": "publiée le {date}"},
    "ended_item": {"en": "ended on {date}", "fr": "terminée le {date}"},
    "advice": {
        "en": "Extend the deadline, set a new one, or remove the mission if it is filled.",
        "fr": "Prolongez ou fixez une date limite, ou retirez la mission si elle est "
              "pourvue.",
    },
}
_UNITS = {
    "en": {"d": ("day", "days"), "w": ("week", "weeks"), "m": ("month", "months"),
           "y": ("year", "years")},
    "fr": {"d": ("jour", "jours"), "w": ("semaine", "semaines"), "m": ("mois", "mois"),
           "y": ("an", "ans")},
}


def _t(key: str, lang: str, **values: object) -> str:
    texts = _TEXTS[key]
    return texts.get(lang, texts["en"]).format(**values)


def period(duration: Duration, lang: str) -> str:
    """`14d` -> `14 days` / `14 jours`."""
    singular, plural = _UNITS.get(lang, _UNITS["en"])[duration.unit]
    return f"{duration.amount} {singular if duration.amount == 1 else plural}"


def _item(finding: Finding, today: dt.date, lang: str) -> str:
    date = finding.date.isoformat()
    if finding.reason == "expiring":
        days = (finding.date - today).days
        if days == 0:
            return _t("expiring_today", lang, date=date)
        return _t("expiring_item", lang, date=date, days=period(Duration(days, "d"), lang))
    return _t(f"{finding.reason}_item", lang, date=date)


def markdown_text(text: str) -> str:
    """Text shown as is in GitHub Markdown: no formatting, links, HTML or @mentions."""
    text = re.sub(r"([\\`*_\[\]#|~])", r"\\\1", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(result: Report, fmt: Format, lang: str, expiring: Duration, stale: Duration) -> str:
    """The report as text for people, Markdown for an issue, or workflow annotations."""
    sections = (
        (_t("expiring", lang, period=period(expiring, lang),
            until=result.expiring_until.isoformat()), result.expiring),
        (_t("stale", lang, period=period(stale, lang), before=result.stale_before.isoformat()),
         result.stale),
    )
    if fmt == "github":
        return "\n".join(
            f"::warning file={_github_escape(f.mission.source, prop=True)},line=1::"
            f"{_github_escape(f.mission.title)}: {_item(f, result.today, lang)}"
            for _, findings in sections for f in findings
        )
    if result.empty:
        return _t("nothing", lang, expiring=period(expiring, lang))
    lines: list[str] = []
    for heading, findings in sections:
        if not findings:
            continue
        if fmt == "markdown":
            lines += [f"## {heading}", ""]
            for f in findings:
                url = f"{result.base_url}missions/{f.mission.slug}/"
                lines.append(
                    f"- [{markdown_text(f.mission.title)}]({url}) — "
                    f"{markdown_text(f.association)} — {_item(f, result.today, lang)} "
                    f"(`{f.mission.source}`)"
                )
        else:
            lines.append(f"{heading}:")
            lines += [
                f"  {f.mission.source}: {f.mission.title} ({f.association}), "
                f"{_item(f, result.today, lang)}"
                for f in findings
            ]
        lines.append("")
    lines.append(_t("advice", lang))
    return "\n".join(lines)
