"""Every form a time is written in, and the one clock (UTC) they are read from."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from provenance.errors import ProvenanceError

#: Annotations, claim changes, review progress and runs: UTC to the microsecond, so that stored
#: times compare correctly as strings.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
#: A document's ``ingested_at``: UTC to the second.
SECONDS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: The "generated at" line of audit reports, for people.
REPORT_FORMAT = "%Y-%m-%d %H:%M UTC"


def utc_timestamp(form: str = TIMESTAMP_FORMAT) -> str:
    """Now, in UTC, in ``form`` (by default the form annotations and changes are stored in)."""
    return datetime.now(timezone.utc).strftime(form)


def normalise_timestamp(value: str) -> str:
    """An ISO 8601 time as stored (UTC, microseconds, ``Z``); naive times are taken as UTC.

    One fixed form makes timestamps compare correctly as strings.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise ProvenanceError(f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


#: How far another machine's clock may be ahead of or behind this one's: an annotation is
#: refused if dated later than now, or earlier than its claim existed, by more than this.
CLOCK_SKEW = timedelta(minutes=5)


def shifted(value: str, delta: timedelta) -> str:
    """A stored time (either form) moved by ``delta``, in the form annotations are stored in."""
    parsed = datetime.fromisoformat(normalise_timestamp(value)[:-1] + "+00:00")
    return (parsed + delta).strftime(TIMESTAMP_FORMAT)
