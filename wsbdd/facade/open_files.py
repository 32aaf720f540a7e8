"""Open-file limits: a crowd of N clients needs N sockets (2N with the demo server in-process).

Raised once, before a group connects, up to the hard limit; past it, one sentence
says how many files are needed and how to allow them, instead of a thousand
"Too many open files" failures half-way through the crowd.
"""

from __future__ import annotations

import os
import resource

from wsbdd.model.errors import ConnectionProblem

__all__ = ["ensure_open_files", "files_needed"]

SPARE = 64
"""Files kept free beyond the clients: logs, reports, the loop's own descriptors."""


def files_needed(clients: int, open_now: int, *, in_process_server: bool) -> int:
    """The open-file limit ``clients`` more connections need, ``open_now`` being open."""
    per_client = 2 if in_process_server else 1  # the demo server's side is in this process too
    return open_now + clients * per_client + SPARE


def _open_now() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # no /proc (macOS): a typical start-up count
        return 64


def ensure_open_files(clients: int, *, in_process_server: bool) -> None:
    """Raise the open-file limit if a group needs it; say so clearly when it cannot."""
    needed = files_needed(clients, _open_now(), in_process_server=in_process_server)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard == resource.RLIM_INFINITY or hard >= needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        return
    raise ConnectionProblem(
        f"Connecting {clients} clients needs about {needed} open files, but this process may "
        f"open only {hard} (the hard limit of ulimit -n). Raise it, e.g. `ulimit -n {needed}` "
        "as root, or use fewer clients."
    )
