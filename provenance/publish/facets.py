"""The claims table's default facets, remembered per generation of the served ledger."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from datasette.facets import ColumnFacet

from provenance.publish.ledger import LedgerDatabase

#: The facet type of the claims table's default facets (see :class:`RememberedFacet`).
FACET_TYPE = "provenance"


#: A request carrying this argument computes remembered facets without a time limit:
#: ``provenance serve`` sends one at start so the first reviewer finds them ready.
WARM_UP_ARG = "_warm_up"
#: Its value: a secret of this process, so that nobody else can ask for unlimited queries
#: (with ``--host`` beyond loopback, anyone on the network could otherwise tie up the server).
WARM_UP_SECRET = secrets.token_urlsafe(16)


class _Unlimited:
    """Datasette as a warming facet sees it: its queries run without the time limit."""

    def __init__(self, datasette: Any, db: LedgerDatabase) -> None:
        self._datasette = datasette
        self._db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)

    async def execute(self, database: str, sql: str, params: Any = None, **options: Any) -> Any:
        return await self._db.remembered(sql, params, unlimited=True)


class RememberedFacet(ColumnFacet):  # type: ignore[misc]
    """A column facet whose counts a served ledger remembers until it changes.

    A facet over a million claims is a scan of a million index entries: the ledger
    (:class:`~provenance.publish.ledger.LedgerDatabase`) computes it once per generation of
    the file, and ``provenance serve`` computes the default ones when it starts. On any other
    database it is an ordinary column facet.
    """

    type = FACET_TYPE

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        datasette: Any = getattr(self, "ds")  # noqa: B009 (untyped base class)
        database: str = getattr(self, "database")  # noqa: B009
        request = getattr(self, "request")  # noqa: B009
        db = datasette.get_database(database)
        if (
            isinstance(db, LedgerDatabase)
            and request is not None
            and hmac.compare_digest(request.args.get(WARM_UP_ARG, ""), WARM_UP_SECRET)
        ):
            setattr(self, "ds", _Unlimited(datasette, db))  # noqa: B010
        results, timed_out = await super().facet_results()
        for result in results:
            result["type"] = "column"  # shown and linked exactly like a column facet
        return results, timed_out
