"""The audit's SQL as text people read: standing alone (a canned query), on several lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any


def literal_sql(sql: str, params: Iterable[Any]) -> str:
    """``sql`` with each ``?`` replaced by its parameter as an SQL literal.

    For SQL that must stand alone (a canned query) and whose parameters are the audit's own
    constants (weights and status names), never user input.
    """
    values = iter(params)

    def literal(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"cannot inline {value!r}")
        return str(value) if isinstance(value, int) else "'" + value.replace("'", "''") + "'"

    parts = sql.split("?")
    return parts[0] + "".join(literal(next(values)) + part for part in parts[1:])


_CLAUSE = re.compile(r"\s+(from|where|left join|join|order by|group by|having|and|select)\s+")


#: Lines longer than this are wrapped after a comma.
WIDTH = 96


def _break(line: str) -> int:
    """Where to wrap a long line: after its last comma, or before its last ``+`` or ``when``,
    within :data:`WIDTH`; 0 if there is no such place."""
    return max(
        line.rfind(", ", 0, WIDTH) + 1,
        line.rfind(" + ", 0, WIDTH),
        line.rfind(" when ", 0, WIDTH),
        0,
    )


def readable_sql(sql: str) -> str:
    """The same SQL on several lines (a clause a line, long ones wrapped), for people to read."""
    lines: list[str] = []
    for line in _CLAUSE.sub(lambda m: "\n  " + m.group(1) + " ", sql).splitlines():
        indent = " " * (len(line) - len(line.lstrip()) + 4)
        while len(line) > WIDTH and (cut := _break(line)) > len(indent):
            lines.append(line[:cut].rstrip())
            line = indent + line[cut:].lstrip()
        lines.append(line)
    return "\n".join(lines)
