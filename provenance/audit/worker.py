"""A worker of the parallel JSON audit (see ``provenance.audit.query.write_json_in_workers``).

Run as ``python -I -m provenance.audit.worker``; it imports nothing else of provenance so that
it starts fast. Protocol on stdin: one JSON line with the job (database path, output file
descriptor, SQL, parameters), one JSON line with this worker's chunks, then, before each
chunk, one byte: ``1`` if findings were already written (a separator goes first), else ``0``.
On stdout, after each chunk: ``<qq`` (findings written, 0); on failure ``(-1, n)`` followed by
an n-byte message, and exit status 1.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import sys
from typing import Any, BinaryIO

REPORT = struct.Struct("<qq")
FAILED = -1


def _emit(fd: int, prefix: bytes, text: bytes) -> None:
    view = memoryview(prefix + text)
    while view:
        view = view[os.write(fd, view) :]


def _run(job: dict[str, Any], chunks: list[list[Any]], turns: BinaryIO, reports: BinaryIO) -> None:
    fd, separator = job["fd"], job["separator"].encode()
    conn = sqlite3.connect(job["path"], timeout=30)
    conn.text_factory = bytes
    conn.execute("begin")
    for sql in job["setup"]:
        conn.execute(sql)
    for first, last, streamed in chunks:
        params = [*job["params"], first, last]
        count = 0
        if streamed:
            cursor = conn.execute(job["stream_sql"], params)
            rows = cursor.fetchmany(job["batch"])
            started = turns.read(1) == b"1"
            while rows:
                prefix = separator if started or count else b"\n "
                _emit(fd, prefix, separator.join([row[0] for row in rows]))
                count += len(rows)
                rows = cursor.fetchmany(job["batch"])
        else:
            count, text = conn.execute(job["chunk_sql"], [job["separator"], *params]).fetchone()
            started = turns.read(1) == b"1"
            if count:
                _emit(fd, separator if started else b"\n ", text)
        reports.write(REPORT.pack(count, 0))
        reports.flush()


def main() -> None:
    turns, reports = sys.stdin.buffer, sys.stdout.buffer
    try:
        job = json.loads(turns.readline())
        _run(job, json.loads(turns.readline()), turns, reports)
    except Exception as error:
        message = f"{type(error).__name__}: {error}".encode()
        reports.write(REPORT.pack(FAILED, len(message)) + message)
        reports.flush()
        sys.exit(1)


if __name__ == "__main__":
    main()
