"""provenance: every statement of a document as a typed, traceable claim."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provenance")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"


def ingest(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Ingest files or folders into a claims database (see :func:`provenance.ingest.ingest`)."""
    from provenance.ingest import ingest as _ingest

    return _ingest(*args, **kwargs)


__all__ = ["__version__", "ingest"]
