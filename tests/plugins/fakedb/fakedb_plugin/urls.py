"""FakeDB's URL parser: light (no driver import), so masking a URL loads nothing else."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from dbtui.core.urlmask import ParsedUrl, mask_url_userinfo


def parse_url(url: str) -> ParsedUrl:
    """Mask ``fakedb://user:secret@host/db`` like any URL with user-info."""
    parts = urlsplit(url)
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    masked, clean = mask_url_userinfo(url, user, password)
    return ParsedUrl(
        masked=masked,
        user=user,
        passwords=(password,) if password else (),
        label=f"{parts.hostname or ''}{parts.path}",
        clean=clean,
    )
