"""Hostile passwords and the connection texts that carry them, shared by the secrets tests.

Every password starts with ``Kq7`` and ends with ``Vz9``: a leak of any piece of it that
survives escaping (HTML in screenshots, percent-encoding in files) still shows one of them.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

HEAD, TAIL = "Kq7", "Vz9"
SPECIALS = ["#", "?", "/", "@", ":", "%", "[", "]", " ", "é秘", "%40", "+", "'", "\\", "&", "="]
ALL_SPECIALS = HEAD + "#?/@:%[] é秘%40+&=" + TAIL
"""One password holding every URL-special character at once."""
PASSWORDS = [HEAD + special + TAIL for special in SPECIALS] + [ALL_SPECIALS]

URL_TEMPLATES = {
    "postgresql": "postgresql://me:{pw}@127.0.0.1:{port}/db",
    "redis": "redis://me:{pw}@127.0.0.1:{port}/0",
    "rediss": "rediss://me:{pw}@127.0.0.1:{port}/0",
    "mongodb": "mongodb://me:{pw}@127.0.0.1:{port}/db?serverSelectionTimeoutMS=300",
}


@dataclass(frozen=True)
class Case:
    """One connection text holding ``password``: ``kind`` is a scheme or ``keywords``."""

    kind: str
    password: str
    encoded: bool
    text: str
    bare: str
    """The same connection without the password."""

    @property
    def id(self) -> str:
        return f"{self.kind}-{'enc' if self.encoded else 'raw'}-{self.password!r}"


def keyword_quoted(password: str) -> str:
    """``password`` as a single-quoted libpq keyword value."""
    return "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'"


def cases(port: int, passwords: list[str] = PASSWORDS) -> list[Case]:
    """Every URL kind with each password, raw and percent-encoded, plus keyword strings."""
    found = []
    for password in passwords:
        for kind, template in URL_TEMPLATES.items():
            for encoded in (False, True):
                pw = quote(password, safe="") if encoded else password
                text = template.format(pw=pw, port=port)
                bare = template.replace(":{pw}@", "@").format(port=port)
                found.append(Case(kind, password, encoded, text, bare))
        bare = f"host=127.0.0.1 port={port} user=me dbname=db"
        text = bare.replace(" dbname", f" password={keyword_quoted(password)} dbname")
        found.append(Case("keywords", password, False, text, bare))
    return found


def leaks(text: str, password: str) -> list[str]:
    """The spellings of ``password`` (or its marked ends) found in ``text``."""
    forms = {
        HEAD,
        TAIL,
        password,
        quote(password, safe=""),
        quote_plus(password, safe=""),
        base64.b64encode(password.encode()).decode(),
    }
    return sorted(form for form in forms if form in text)


def files_leaking(root: Path, password: str) -> Iterator[str]:
    """Each path under ``root`` whose name or bytes hold a spelling of ``password``."""
    for path in root.rglob("*"):
        found = leaks(str(path.relative_to(root)), password)
        if path.is_file():
            data = path.read_bytes()
            found += leaks(data.decode("utf-8", "replace"), password)
            found += leaks(data.decode("latin-1"), password)
        if found:
            yield f"{path}: {sorted(set(found))}"
