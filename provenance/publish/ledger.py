"""A served ledger that changes while it is served.

Datasette reads the ledger through read-only connections (``mode=ro``) of a database in WAL
mode, so ``provenance ingest`` and ``provenance annotate`` can commit while it is served and
every page reads the latest commit. What is slow at a million claims, the facet counts and
the row counts (aggregates over every claim), is remembered per *generation* of the file:
SQLite's ``PRAGMA data_version`` on one connection that never writes, which changes whenever
any other connection commits.

When the ledger has changed since an aggregate was remembered, it is computed again: a page
waits for an aggregate that took less than :data:`FRESH_WAIT_SECONDS` last time; a slower
one (a million claims) is shown with its previous counts while the new ones are computed in
the background, one at a time and without a time limit, for the next view. Rows themselves are never
remembered: a claim's status is always the one committed last.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasette.database import Database, QueryInterrupted, Results

#: Aggregates worth remembering: Datasette's row counts and its facet queries.
_REMEMBERED_SQL = re.compile(
    r"^\s*select\s+count\(\*\)\s+from\s|\bcount\(\*\)\s+as\s+count\s+from\s*\(",
    re.IGNORECASE,
)

#: How long a page waits for an aggregate to be computed again after a change.
FRESH_WAIT_SECONDS = 0.03

#: Aggregates remembered per database (least recently used dropped first).
CACHE_SIZE = 512

#: Memory-mapped reads make full index scans (facets, counts) several times faster.
MMAP_BYTES = 1 << 30


@dataclass(frozen=True, slots=True)
class _Remembered:
    generation: int
    results: Results
    #: How long computing it took: a quick one is worth waiting for after a change.
    seconds: float


def remembered_sql(sql: str) -> bool:
    """True for the aggregates a ledger remembers per generation (counts and facets)."""
    return bool(_REMEMBERED_SQL.search(sql))


class LedgerDatabase(Database):  # type: ignore[misc]
    """A provenance database served read-only while other processes may write to it."""

    def __init__(self, ds: Any, path: Path, *, mutable: bool = True) -> None:
        # A ledger nobody can write (a read-only file or folder) is opened immutable.
        super().__init__(ds, path=str(path), is_mutable=mutable)
        self._lock = threading.Lock()
        self._watch: sqlite3.Connection | None = None
        self._cache: OrderedDict[tuple[str, str], _Remembered] = OrderedDict()
        self._refreshing: dict[tuple[str, str], asyncio.Task[Results]] = {}
        # One recount at a time in the background, so that pages keep their SQL threads.
        self._one_at_a_time: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def generation(self) -> int:
        """Changes whenever another connection commits to the file (``PRAGMA data_version``).

        The watching connection is read-only and is kept open while the ledger is served,
        which also keeps the write-ahead log in place between writers.
        """
        with self._lock:
            if self._watch is None:
                self._watch = sqlite3.connect(
                    f"file:{Path(self.path).resolve().as_posix()}"
                    + ("?mode=ro" if self.is_mutable else "?immutable=1"),
                    uri=True,
                    check_same_thread=False,
                )
            return int(self._watch.execute("pragma data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        super().close()

    async def execute(
        self,
        sql: str,
        params: Any = None,
        truncate: bool = False,
        custom_time_limit: int | None = None,
        page_size: int | None = None,
        log_sql_errors: bool = True,
    ) -> Results:
        if not remembered_sql(sql):
            return await super().execute(
                sql, params, truncate, custom_time_limit, page_size, log_sql_errors
            )
        return await self.remembered(sql, params, custom_time_limit=custom_time_limit)

    async def _unlimited(self, sql: str, params: Any) -> Results:
        def run(conn: sqlite3.Connection) -> Results:
            cursor = conn.execute(sql, params if params is not None else {})
            return Results(cursor.fetchall(), False, cursor.description)

        return await self.execute_fn(run)

    def _store(
        self, key: tuple[str, str], generation: int, results: Results, seconds: float
    ) -> None:
        earlier = self._cache.get(key)
        if earlier is None or earlier.generation <= generation:
            self._cache[key] = _Remembered(generation, results, seconds)
            self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._one_at_a_time is None or self._one_at_a_time[0] is not loop:
            self._one_at_a_time = (loop, asyncio.Semaphore(1))
        return self._one_at_a_time[1]

    def _refresh(self, key: tuple[str, str], sql: str, params: Any) -> asyncio.Task[Results]:
        """Compute an aggregate again, without a time limit, unless that is under way."""
        running = self._refreshing.get(key)
        if running is not None and not running.done():
            return running
        generation = self.generation()  # before the query: a later commit is seen as newer

        async def run() -> Results:
            try:
                async with self._semaphore():
                    started = time.perf_counter()
                    results = await self._unlimited(sql, params)
                self._store(key, generation, results, time.perf_counter() - started)
                return results
            finally:
                self._refreshing.pop(key, None)

        task = asyncio.ensure_future(run())
        # Nobody may await it (the page went on with the previous counts): fetch its error.
        task.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._refreshing[key] = task
        return task

    def peek(self, sql: str, params: Any = None) -> Results | None:
        """What is remembered for this aggregate now, even of an earlier generation, or None;
        a recount starts in the background if it is missing or stale (the next view has it)."""
        key = (sql, json.dumps(params, sort_keys=True, default=str))
        found = self._cache.get(key)
        if found is None or found.generation != self.generation():
            self._refresh(key, sql, params)
        return found.results if found is not None else None

    async def remembered(
        self,
        sql: str,
        params: Any = None,
        *,
        custom_time_limit: int | None = None,
        unlimited: bool = False,
    ) -> Results:
        """An aggregate, computed once per generation of the ledger (see the module)."""
        key = (sql, json.dumps(params, sort_keys=True, default=str))
        generation = self.generation()
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            if found.generation == generation:
                return found.results
            task = self._refresh(key, sql, params)
            if found.seconds > FRESH_WAIT_SECONDS:
                return found.results  # the previous counts at once; the new ones follow
            try:
                return await asyncio.wait_for(asyncio.shield(task), FRESH_WAIT_SECONDS)
            except (asyncio.TimeoutError, QueryInterrupted, sqlite3.Error):
                return found.results
        started = time.perf_counter()
        if unlimited:
            results = await self._unlimited(sql, params)
        else:
            # Never seen: computed within the time limit like any query (a facet that times
            # out is reported by Datasette as timed out, as on any database).
            results = await super().execute(sql, params, custom_time_limit=custom_time_limit)
        self._store(key, generation, results, time.perf_counter() - started)
        return results
