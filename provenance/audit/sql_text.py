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


def readable_sql(sql: str) -> str:
    """The same SQL on several lines (a clause a line), for people to read."""
    return _CLAUSE.sub(lambda m: "\n  " + m.group(1) + " ", sql)
