"""How each application route is offered: form providers, mailto links. Pure.

Applications never pass through the board: a form posts to the association's endpoint,
a link opens its application page, an email goes to its mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from generator.model import ApplyRoute


@dataclass(frozen=True)
class Provider:
    """What a form service expects beyond the plain fields."""

    name: str
    subject_field: str | None  # sets the subject of the notification email
    honeypot_field: str  # a field only bots fill; the service drops such submissions
    reply_to_field: str | None = None


# Keyed by the endpoint's host. A host not listed here (an association's own endpoint)
# gets the plain fields, and a honeypot under a neutral name that it can check.
PROVIDERS: dict[str, Provider] = {
    "formspree.io": Provider("Formspree", "_subject", "_gotcha", "_replyto"),
    # Basin and Getform drop submissions whose "_gotcha" field is filled; neither reads
    # a subject field from the form.
    "usebasin.com": Provider("Basin", None, "_gotcha"),
    "getform.io": Provider("Getform", None, "_gotcha"),
}
GENERIC = Provider("generic", None, "website_confirm")


def provider_for(route: ApplyRoute) -> Provider:
    host = (urlsplit(route.target).hostname or "").lower()
    return PROVIDERS.get(host, GENERIC)


def mailto(address: str, subject: str, body: str) -> str:
    """A mailto: URL built and percent-encoded here: content can never add a header to it.

    The address was validated as a bare address; subject and body are encoded whole
    (safe='' also encodes '&', '?', '#', '=' and line breaks).
    """
    return (
        f"mailto:{quote(address, safe='@')}?subject={quote(subject, safe='')}"
        f"&body={quote(body.replace(chr(10), chr(13) + chr(10)), safe='')}"
    )
