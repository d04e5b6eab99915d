"""Remove secrets from statement text before it is stored (history) or logged.

:func:`redact_statement` replaces with ``***``:

* SQL: the literal after ``PASSWORD`` (``CREATE/ALTER ROLE/USER ... PASSWORD
  '...'``, ``E'...'``, dollar-quoted, or unterminated while still typing) and
  after ``IDENTIFIED BY``; ``password=...`` pairs (libpq conninfo strings in
  ``dblink``/``postgres_fdw`` calls, and ``password = '...'`` comparisons);
  the password of any ``scheme://user:password@host`` URL (up to the last ``@`` of the
  word, so a password holding ``/``, ``#``, ``?`` or ``@`` is cut out whole);
* MongoDB: ``pwd: "..."`` (``createUser``, ``updateUser``), the second
  argument of ``changeUserPassword(...)`` and ``db.auth(...)``;
* Redis (line by line): ``AUTH [user] password``, ``HELLO ... AUTH user
  password``, ``MIGRATE ... AUTH password`` / ``AUTH2 user password``,
  ``CONFIG SET requirepass|masterauth|... value``, ``ACL SETUSER ... >password``,
  ``SENTINEL SET ... auth-pass value``, ``SENTINEL CONFIG SET sentinel-pass value``.

It errs on the side of redacting: a statement that merely looks like one of
these loses the value too. Every pattern is linear (no nested quantifiers).
"""

from __future__ import annotations

import re

MASK = "***"

_QUOTED = (
    r"(?:[Ee]'(?:[^'\\]|\\.|'')*(?:'|$)"  # E'...' with backslash escapes
    r"|'(?:[^']|'')*(?:'|$)"  # '...' (possibly still unterminated)
    r"|\$(?P<tag>[A-Za-z_]\w*)?\$.*?(?:\$(?P=tag)?\$|$))"  # $tag$...$tag$
)
_SQL_PASSWORD = re.compile(r"(?is)\b(PASSWORD|IDENTIFIED\s+BY)(\s+)" + _QUOTED)
_CONNINFO = re.compile(
    r"(?i)\b(password\s*=\s*)"
    r"(''(?:[^']|'(?!'))*(?:''|$)"  # quoted inside a SQL literal: password=''a b''
    r"|'(?:[^']|'')*'?|\"[^\"]*\"?|[^\s'\"&;,)]+)"
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/@:'\"]*:)[^\s'\"]*@")
_JS_STRING = r"(?:\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?)"
_MONGO_PWD = re.compile(r"""(?i)(["']?pwd["']?\s*:\s*)""" + _JS_STRING)
_MONGO_SECOND_ARG = re.compile(
    r"(?i)\b((?:changeUserPassword|auth)\s*\(\s*" + _JS_STRING + r"\s*,\s*)" + _JS_STRING
)

_REDIS_SECRET_CONFIG = frozenset(
    {"requirepass", "masterauth", "tls-key-file-pass", "tls-client-key-file-pass", "sentinel-pass"}
)
_REDIS_COMMANDS = frozenset({"auth", "hello", "migrate", "config", "acl", "sentinel"})


def redact_statement(text: str) -> str:
    """``text`` with every password-like value replaced by ``***``; see the module docstring."""
    text = _SQL_PASSWORD.sub(lambda m: f"{m.group(1)}{m.group(2)}'{MASK}'", text)
    text = _CONNINFO.sub(lambda m: m.group(1) + MASK, text)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + "@", text)
    text = _MONGO_PWD.sub(lambda m: m.group(1) + f'"{MASK}"', text)
    text = _MONGO_SECOND_ARG.sub(lambda m: m.group(1) + f'"{MASK}"', text)
    if any(word in text.lower() for word in _REDIS_COMMANDS):
        text = "".join(_redact_redis_line(line) for line in text.splitlines(keepends=True))
    return text


def _redis_tokens(line: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased unquoted text) of each word of a redis-cli style line."""
    tokens: list[tuple[int, int, str]] = []
    pos, size = 0, len(line)
    while pos < size:
        if line[pos].isspace():
            pos += 1
            continue
        start = pos
        if line[pos] in "\"'":
            quote, pos = line[pos], pos + 1
            while pos < size and line[pos] != quote:
                pos += 2 if line[pos] == "\\" and quote == '"' else 1
            pos = min(pos + 1, size)
            word = line[start + 1 : pos - 1]
        else:
            while pos < size and not line[pos].isspace():
                pos += 1
            word = line[start:pos]
        tokens.append((start, pos, word.lower()))
    return tokens


def _secret_indexes(words: list[str]) -> list[int]:
    """Indexes of the words of one Redis command that hold a secret."""
    command = words[0] if words else ""
    sub = words[1] if len(words) > 1 else ""
    secret: list[int] = []
    if command == "auth":
        secret = [1] if len(words) == 2 else list(range(2, len(words)))
    elif command in ("hello", "migrate"):
        for number, word in enumerate(words):
            if word == "auth":
                secret.append(number + (2 if command == "hello" else 1))
            elif word == "auth2":
                secret.append(number + 2)
    elif (command, sub) == ("config", "set") or (
        command == "sentinel" and sub in ("set", "config")
    ):
        first = 2 if command == "config" else 3
        pairs = zip(range(first, len(words), 2), range(first + 1, len(words), 2), strict=False)
        secret = [
            v for p, v in pairs if words[p] in _REDIS_SECRET_CONFIG or words[p] == "auth-pass"
        ]
    elif (command, sub) == ("acl", "setuser"):
        secret = [n for n, w in enumerate(words) if n > 2 and w[:1] in (">", "<", "#", "!")]
    return [n for n in secret if n < len(words)]


def _redact_redis_line(line: str) -> str:
    tokens = _redis_tokens(line)
    if not tokens or tokens[0][2] not in _REDIS_COMMANDS:
        return line
    out, last = [], 0
    for number in sorted(_secret_indexes([word for _, _, word in tokens])):
        start, end, word = tokens[number]
        keep = word[0] if tokens[0][2] == "acl" else ""  # ACL rules keep their > < # ! sign
        out.append(line[last:start] + keep + MASK)
        last = end
    return "".join(out) + line[last:]
