"""provenance: every statement of a document as a typed, traceable claim."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # Looked up on first use: importlib.metadata costs the audit's worker processes 40 ms each.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("provenance")
        except PackageNotFoundError:  # a source tree that was not installed
            return "0.0.0"
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")


def ingest(*args: Any, **kwargs: Any) -> Any:
    """Ingest files or folders into a claims database (see :func:`provenance.ingest.ingest`)."""
    from provenance.ingest import ingest as _ingest

    return _ingest(*args, **kwargs)


__all__ = ["__version__", "ingest"]
