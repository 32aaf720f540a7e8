"""behave's runner without the ``USING RUNNER: behave.runner:Runner`` line.

behave 1.3 prints that line to stdout before every run, after it has made the
runner and before it runs it, and offers no setting to leave it out (behave
issue 1319).  It is noise at the top of every console log and CI log.

behave lets a project choose its runner class (``runner`` in its configuration,
``--runner`` on the command line): this one is behave's own runner, unchanged,
whose construction swallows exactly that one line.  Between the moment behave
makes the runner and the moment it runs it, the only thing behave writes to
stdout is that line; ``sys.stdout`` is given a filter for that one line, which
puts the real stream back as soon as the line has passed (or when the run
starts, whichever comes first).  Any other line passes through unchanged.

``wsbdd run`` and ``wsbdd demo`` use it; ``wsbdd init`` writes it into the new
project's ``behave.ini`` so plain ``behave`` prints no banner either::

    [behave]
    runner = wsbdd.glue.runner:Runner
"""

from __future__ import annotations

import sys
from typing import Any

from behave.runner import Runner as BehaveRunner

__all__ = ["RUNNER", "Runner"]

RUNNER = "wsbdd.glue.runner:Runner"
"""The name to give behave: ``--runner wsbdd.glue.runner:Runner``."""

_BANNER = "USING RUNNER: "
_retired: Any = None


class _BannerFilter:
    """Stands in for ``sys.stdout`` for one line: drops it if it is behave's banner."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._line = ""

    def write(self, text: str) -> int:
        if sys.stdout is not self:  # put back already: a stale reference writes through
            return int(self._stream.write(text) or 0)
        self._line += text
        if "\n" in self._line or not _BANNER.startswith(self._line[: len(_BANNER)]):
            held, self._line = self._line, ""
            line, _, rest = held.partition("\n")
            if line.startswith(_BANNER):
                held = rest
            self._line = held
            self.restore()  # writes what was held back, the banner left out
        return len(text)

    def restore(self) -> None:
        """The real stream back in ``sys.stdout``, with anything held back written."""
        if sys.stdout is self:
            # print() holds sys.stdout without a reference of its own while it writes:
            # the filter must outlive the print that puts the real stream back.
            global _retired
            _retired = self
            sys.stdout = self._stream
        if self._line:
            line, self._line = self._line, ""
            self._stream.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty(), fileno() …
        return getattr(self._stream, name)


class Runner(BehaveRunner):
    """behave's runner; behave prints no ``USING RUNNER`` line for it (see the module)."""

    def __init__(self, config: Any, **kwargs: Any) -> None:
        super().__init__(config, **kwargs)
        self._banner_filter: _BannerFilter | None = None
        if not isinstance(sys.stdout, _BannerFilter):
            self._banner_filter = _BannerFilter(sys.stdout)
            sys.stdout = self._banner_filter  # type: ignore[assignment]

    def run(self) -> Any:
        if self._banner_filter is not None:
            self._banner_filter.restore()
            self._banner_filter = None
        return super().run()
