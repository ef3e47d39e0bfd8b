"""The installed version of provenance (``provenance.__version__``), read from its metadata.

A module of its own, so that modules which record the version import only this, not the
package's public API (which imports them in turn).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provenance")
except PackageNotFoundError:  # a source tree that was not installed
    __version__ = "0.0.0"
