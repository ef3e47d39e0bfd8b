"""The claims table's default facets, remembered on an immutable database."""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections import OrderedDict
from typing import Any

from datasette.database import Results
from datasette.facets import ColumnFacet

from provenance.publish.html import is_provenance_database

#: The facet type of the claims table's default facets (see :class:`RememberedFacet`).
FACET_TYPE = "provenance"


FACET_CACHE_SIZE = 512


#: A request carrying this argument computes remembered facets without a time limit:
#: ``provenance serve`` sends one at start so the first reviewer finds them ready.
WARM_UP_ARG = "_warm_up"


_facet_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[str, str, str], Any]] = (
    weakref.WeakKeyDictionary()
)


class _RememberingDatasette:
    """Datasette as a facet sees it, except that query results are remembered.

    Only used for immutable databases, where the same query always has the same answer.
    """

    def __init__(self, datasette: Any, *, unlimited: bool = False) -> None:
        self._datasette = datasette
        self._cache = _facet_caches.setdefault(datasette, OrderedDict())
        self._unlimited = unlimited

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)

    async def _execute_unlimited(self, database: str, sql: str, params: Any) -> Any:
        def run(conn: sqlite3.Connection) -> Any:
            cursor = conn.execute(sql, params or [])
            return Results(cursor.fetchall(), False, cursor.description)

        return await self._datasette.get_database(database).execute_fn(run)

    async def execute(self, database: str, sql: str, params: Any = None, **options: Any) -> Any:
        key = (database, sql, json.dumps(params, sort_keys=True, default=str))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self._unlimited:
            results = await self._execute_unlimited(database, sql, params)
        else:
            results = await self._datasette.execute(database, sql, params, **options)
        self._cache[key] = results
        while len(self._cache) > FACET_CACHE_SIZE:
            self._cache.popitem(last=False)
        return results


class RememberedFacet(ColumnFacet):  # type: ignore[misc]
    """A column facet whose counts are computed once per filter on an immutable database.

    A facet over a million claims is a scan of a million index entries; on a database
    served immutable the answer cannot change, so it is computed on the first view (or
    when ``provenance serve`` warms up) and remembered, as row counts are by
    ``--inspect-file``. On any other database it is an ordinary column facet.
    """

    type = FACET_TYPE

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        datasette: Any = getattr(self, "ds")  # noqa: B009 (untyped base class)
        database: str = getattr(self, "database")  # noqa: B009
        if not datasette.get_database(database).is_mutable and await is_provenance_database(
            datasette, database
        ):
            request = getattr(self, "request")  # noqa: B009
            warming = request is not None and request.args.get(WARM_UP_ARG) == "1"
            setattr(self, "ds", _RememberingDatasette(datasette, unlimited=warming))  # noqa: B010
        results, timed_out = await super().facet_results()
        for result in results:
            result["type"] = "column"  # shown and linked exactly like a column facet
        return results, timed_out
