"""provenance: every statement of a document as a typed, traceable claim.

The public Python API is re-exported here (``provenance.ingest``, ``provenance.open_database``,
``provenance.iter_claims``, ...). Each is imported on first use, so that importing a submodule
(the audit's worker processes import :mod:`provenance.audit.worker` alone) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from provenance.models import Annotation, Claim, Document, Reference, Run
    from provenance.store.connection import open_database
    from provenance.store.reads import ClaimFilter, get_claim, iter_claims, resolve_claim_id

#: Public name -> the module that defines it.
_PUBLIC = {
    "open_database": "provenance.store.connection",
    "ClaimFilter": "provenance.store.reads",
    "iter_claims": "provenance.store.reads",
    "get_claim": "provenance.store.reads",
    "resolve_claim_id": "provenance.store.reads",
    "Claim": "provenance.models",
    "Document": "provenance.models",
    "Reference": "provenance.models",
    "Run": "provenance.models",
    "Annotation": "provenance.models",
}


def __getattr__(name: str) -> Any:
    # Looked up on first use: importlib.metadata costs the audit's worker processes 40 ms each.
    if name == "__version__":
        from provenance.version import __version__

        return __version__
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'provenance' has no attribute {name!r}")


def ingest(*args: Any, **kwargs: Any) -> Any:
    """Ingest files or folders into a claims database (see :func:`provenance.ingest.ingest`)."""
    from provenance.ingest import ingest as _ingest

    return _ingest(*args, **kwargs)


__all__ = [
    "Annotation",
    "Claim",
    "ClaimFilter",
    "Document",
    "Reference",
    "Run",
    "__version__",
    "get_claim",
    "ingest",
    "iter_claims",
    "open_database",
    "resolve_claim_id",
]
