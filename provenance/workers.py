"""Worker processes that do not outlive the process that started them.

After ``kill -9`` (or SIGTERM) of ``provenance ingest --jobs N`` its workers would otherwise
live on, holding the parent's stdout open, so that ``provenance ingest … | tee log`` hangs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading

#: prctl option: the signal a process receives when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1
#: How often the portable fallback looks for its parent, in seconds.
PARENT_POLL_SECONDS = 1.0


def _ask_kernel_for_death_signal() -> None:
    """On Linux, the kernel kills this process when its parent dies (``PR_SET_PDEATHSIG``)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(PARENT_POLL_SECONDS)
    os._exit(1)


def exit_with_parent(parent: int) -> None:
    """Worker initializer: exit as soon as process ``parent`` is gone.

    The kernel's death signal where there is one, and everywhere a thread that notices the
    worker was handed to another parent. A parent that died before this ran is caught too.
    """
    _ask_kernel_for_death_signal()
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="exit-with-parent", daemon=True).start()
